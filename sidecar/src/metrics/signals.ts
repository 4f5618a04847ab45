/**
 * The live signals the sidecar polls: Ollama's own state (/api/version, /api/ps, /api/tags), the host
 * and the GPUs, on one timer. Polled whenever something reads them — the /metrics gauges, the event
 * log (model loads, restarts) and the status line — so they live beside the store in app.ts, not
 * inside the metrics plugin.
 */
import type { Config } from '../config';
import { GpuCollector, nvidiaSmiSource } from './gpu';
import { rocmSmiSource } from './gpu-amd';
import { ioregSource } from './gpu-apple';
import { HostCollector } from './host';
import { OllamaCollector } from './ollama-collector';
import { Poller } from './poller';

export interface SignalsLog {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export class LiveSignals {
  readonly ollama: OllamaCollector;
  readonly host = new HostCollector();
  readonly gpu: GpuCollector;
  private readonly poller: Poller;
  private noGpuToolLogged = false;

  constructor(config: Config, log: SignalsLog) {
    const timeoutMs = Math.max(1000, Math.min(5000, config.pollIntervalMs));
    this.ollama = new OllamaCollector({ upstream: config.upstream, timeoutMs });
    this.gpu = new GpuCollector({
      sources: [nvidiaSmiSource(config.nvidiaSmi), rocmSmiSource(config.rocmSmi), ioregSource(config.ioreg)],
      timeoutMs,
    });
    this.poller = new Poller(
      config.pollIntervalMs,
      [
        { name: 'ollama', run: () => this.ollama.poll() },
        { name: 'host', run: () => this.host.poll() },
        // One task per GPU tool, so each one's failure and recovery is logged once on its own; a tool
        // that is not installed is noted once at debug level and never run again, and a machine with
        // none of them gets one info line.
        ...this.gpu.pollers.map((p) => ({
          name: `gpu:${p.source.tool}`,
          run: async () => {
            const before = p.state;
            await p.poll();
            if (p.state === 'absent' && before !== 'absent')
              log.debug({ command: p.source.command }, `${p.source.tool} not found: no GPU metrics from it`);
            if (!this.noGpuToolLogged && this.gpu.pollers.every((q) => q.state === 'absent')) {
              this.noGpuToolLogged = true;
              log.info(
                { tools: this.gpu.pollers.map((q) => q.source.command) },
                'no GPU tool found: no GPU metrics'
              );
            }
            if (p.state === 'failing')
              throw new Error(`${p.source.tool} failed: ${p.lastError ?? 'unknown error'}`);
          },
        })),
      ],
      {
        onFailing: (task, err) =>
          log.warn({ err, task }, 'polling failed; its signals are absent until it recovers'),
        onRecovered: (task) => log.info({ task }, 'polling recovered'),
      }
    );
  }

  /** Starts polling (the first round at once); resolves when that round is done. */
  start(): Promise<void> {
    return this.poller.start();
  }

  async close(): Promise<void> {
    await this.poller.stop();
    await this.ollama.close();
  }
}

/**
 * NVIDIA GPU signals from `nvidia-smi --query-gpu=… --format=csv,noheader,nounits`, run on the poll
 * timer. Without nvidia-smi (most machines) the GPU metrics are simply absent.
 */
import { execFile } from 'node:child_process';
import type { Gauge } from 'prom-client';
import { clearGauge, type CollectHooks } from './metrics';

export const NVIDIA_SMI_FIELDS = [
  'index',
  'name',
  'utilization.gpu',
  'memory.used',
  'memory.total',
  'temperature.gpu',
  'power.draw',
] as const;
export const NVIDIA_SMI_ARGS = [
  `--query-gpu=${NVIDIA_SMI_FIELDS.join(',')}`,
  '--format=csv,noheader,nounits',
] as const;

const MIB = 1024 * 1024;

export interface GpuReading {
  /** nvidia-smi's index (the `gpu` label). */
  index: string;
  name: string;
  utilizationRatio?: number;
  memoryUsedBytes?: number;
  memoryTotalBytes?: number;
  temperatureCelsius?: number;
  powerWatts?: number;
}

export class NvidiaSmiFormatError extends Error {}

/** `[N/A]`, `[Not Supported]`, `N/A` and other non-numbers mean the GPU cannot report that field. */
function num(field: string): number | undefined {
  const t = field.trim();
  if (!/^-?\d+(\.\d+)?$/.test(t)) return undefined;
  return Number(t);
}

/**
 * Parses the CSV lines (`0, NVIDIA A100-SXM4-80GB, 37, 20113, 81920, 61, 287.45`). The name sits between
 * the index and five numeric fields, so it is taken as everything in between: a comma inside a name
 * cannot shift the numbers.
 */
export function parseNvidiaSmi(text: string): GpuReading[] {
  const out: GpuReading[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    const f = line.split(',');
    if (f.length < NVIDIA_SMI_FIELDS.length)
      throw new NvidiaSmiFormatError(
        `nvidia-smi: expected ${NVIDIA_SMI_FIELDS.length} fields, got "${line}"`
      );
    const index = f[0].trim();
    if (!/^\d+$/.test(index))
      throw new NvidiaSmiFormatError(`nvidia-smi: expected a GPU index first, got "${line}"`);
    const [util, used, total, temp, power] = f.slice(-5).map(num);
    const reading: GpuReading = { index, name: f.slice(1, -5).join(',').trim() };
    if (util !== undefined) reading.utilizationRatio = util / 100;
    if (used !== undefined) reading.memoryUsedBytes = used * MIB;
    if (total !== undefined) reading.memoryTotalBytes = total * MIB;
    if (temp !== undefined) reading.temperatureCelsius = temp;
    if (power !== undefined) reading.powerWatts = power;
    out.push(reading);
  }
  return out;
}

export type GpuState = 'unknown' | 'present' | 'absent' | 'failing';

type GpuHooks = Required<
  Pick<CollectHooks, 'gpuUtilization' | 'gpuMemoryUsed' | 'gpuMemoryTotal' | 'gpuTemperature' | 'gpuPower'>
>;

export interface GpuCollectorOptions {
  /** The nvidia-smi executable (a name on PATH or a path); empty disables GPU polling. */
  command: string;
  timeoutMs: number;
}

export class GpuCollector {
  readings: GpuReading[] = [];
  state: GpuState;
  lastError: string | undefined;

  constructor(private readonly opts: GpuCollectorOptions) {
    this.state = opts.command ? 'unknown' : 'absent';
  }

  private run(): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(
        this.opts.command,
        [...NVIDIA_SMI_ARGS],
        { timeout: this.opts.timeoutMs, windowsHide: true },
        (err, stdout, stderr) => {
          if (err) {
            const detail = String(stderr || stdout).trim();
            reject(Object.assign(err, { detail }));
          } else resolve(stdout);
        }
      );
    });
  }

  /**
   * One poll. A missing command stops GPU polling for good (no GPU tools on this machine); a failing one
   * (driver not loaded, timeout) clears the readings and is tried again next time.
   */
  async poll(): Promise<GpuReading[]> {
    if (this.state === 'absent') return this.readings;
    try {
      this.readings = parseNvidiaSmi(await this.run());
      this.state = 'present';
      this.lastError = undefined;
    } catch (err) {
      this.readings = [];
      const e = err as NodeJS.ErrnoException & { detail?: string };
      if (e.code === 'ENOENT' || e.code === 'EACCES') {
        this.state = 'absent';
      } else {
        this.state = 'failing';
        this.lastError = e.detail || e.message;
      }
    }
    return this.readings;
  }

  hooks(): GpuHooks {
    const each = (pick: (r: GpuReading) => number | undefined) => (g: Gauge<'gpu' | 'name'>) => {
      clearGauge(g);
      for (const r of this.readings) {
        const v = pick(r);
        if (v !== undefined) g.set({ gpu: r.index, name: r.name }, v);
      }
    };
    return {
      gpuUtilization: each((r) => r.utilizationRatio),
      gpuMemoryUsed: each((r) => r.memoryUsedBytes),
      gpuMemoryTotal: each((r) => r.memoryTotalBytes),
      gpuTemperature: each((r) => r.temperatureCelsius),
      gpuPower: each((r) => r.powerWatts),
    };
  }
}

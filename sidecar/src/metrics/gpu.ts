/**
 * GPU signals from the vendors' command-line tools, run on the poll timer: NVIDIA through
 * `nvidia-smi --query-gpu=… --format=csv,noheader,nounits` (parsed here), AMD through `rocm-smi --json`
 * (gpu-amd.ts), Apple Silicon through `ioreg` (gpu-apple.ts). Every source is tried; a tool that is not
 * installed means no series from it, and none of them needs root.
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

/** The `vendor` label: who made the GPU (ioreg also lists the Intel and AMD GPUs of Intel Macs). */
export type GpuVendor = 'nvidia' | 'amd' | 'apple' | 'intel';

export interface GpuReading {
  vendor: GpuVendor;
  /** The tool's own GPU number (nvidia-smi's index, rocm-smi's cardN, ioreg's order): the `gpu` label. */
  index: string;
  /** Product name; empty when the tool does not give one. */
  name: string;
  utilizationRatio?: number;
  memoryUsedBytes?: number;
  memoryTotalBytes?: number;
  temperatureCelsius?: number;
  powerWatts?: number;
}

/** The tool answered, but not in the shape its parser knows: reported by the poller, never a made-up value. */
export class GpuFormatError extends Error {}
export class NvidiaSmiFormatError extends GpuFormatError {}

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
    const reading: GpuReading = { vendor: 'nvidia', index, name: f.slice(1, -5).join(',').trim() };
    if (util !== undefined) reading.utilizationRatio = util / 100;
    if (used !== undefined) reading.memoryUsedBytes = used * MIB;
    if (total !== undefined) reading.memoryTotalBytes = total * MIB;
    if (temp !== undefined) reading.temperatureCelsius = temp;
    if (power !== undefined) reading.powerWatts = power;
    out.push(reading);
  }
  return out;
}

/**
 * Plausibility checks shared by the rocm-smi and ioreg parsers, whose tools print whatever the driver
 * holds: a value outside them (a 65535 sentinel, 140 % utilisation, bytes beyond 2^53) is absent rather
 * than a wrong number on a dashboard.
 */
export const plausible = {
  ratioFromPercent: (p: number | undefined) => (p !== undefined && p >= 0 && p <= 100 ? p / 100 : undefined),
  bytes: (n: number | undefined) => (n !== undefined && Number.isSafeInteger(n) && n >= 0 ? n : undefined),
  celsius: (n: number | undefined) => (n !== undefined && n > -50 && n < 200 ? n : undefined),
  watts: (n: number | undefined) => (n !== undefined && n >= 0 && n < 10_000 ? n : undefined),
};

/** One GPU tool: how to run it and how to read its output. */
export interface GpuSource {
  /** Short name for logs and poll tasks (`nvidia-smi`, `rocm-smi`, `ioreg`). */
  tool: string;
  /** The executable (a name on PATH or a path); empty turns this source off. */
  command: string;
  args: readonly string[];
  parse(stdout: string): GpuReading[];
}

export function nvidiaSmiSource(command: string): GpuSource {
  return { tool: 'nvidia-smi', command, args: NVIDIA_SMI_ARGS, parse: parseNvidiaSmi };
}

export type GpuState = 'unknown' | 'present' | 'absent' | 'failing';

/** ioreg's output carries every accelerator property (large IOReport legends): more than execFile's 1 MiB default. */
const MAX_OUTPUT_BYTES = 16 * 1024 * 1024;

/** Runs one source and keeps its last readings. */
export class GpuSourcePoller {
  readings: GpuReading[] = [];
  state: GpuState;
  lastError: string | undefined;

  constructor(
    readonly source: GpuSource,
    private readonly timeoutMs: number
  ) {
    this.state = source.command ? 'unknown' : 'absent';
  }

  private run(): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(
        this.source.command,
        [...this.source.args],
        { timeout: this.timeoutMs, windowsHide: true, maxBuffer: MAX_OUTPUT_BYTES },
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
   * One poll. A missing command stops this source for good (the tool is not installed: no error, no
   * retry); a failing one (driver not loaded, timeout, output it cannot read) clears the readings, keeps
   * the reason in `lastError`, and is tried again next time.
   */
  async poll(): Promise<GpuReading[]> {
    if (this.state === 'absent') return this.readings;
    try {
      this.readings = this.source.parse(await this.run());
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
}

type GpuHooks = Required<
  Pick<CollectHooks, 'gpuUtilization' | 'gpuMemoryUsed' | 'gpuMemoryTotal' | 'gpuTemperature' | 'gpuPower'>
>;

export interface GpuCollectorOptions {
  sources: readonly GpuSource[];
  timeoutMs: number;
}

/** Every GPU source of the machine, exported together under the `ollama_gpu_*` names with a `vendor` label. */
export class GpuCollector {
  readonly pollers: GpuSourcePoller[];

  constructor(opts: GpuCollectorOptions) {
    this.pollers = opts.sources.map((s) => new GpuSourcePoller(s, opts.timeoutMs));
  }

  get readings(): GpuReading[] {
    return this.pollers.flatMap((p) => p.readings);
  }

  /** Polls every source that may exist, at once. */
  async poll(): Promise<GpuReading[]> {
    await Promise.all(this.pollers.map((p) => p.poll()));
    return this.readings;
  }

  hooks(): GpuHooks {
    const each = (pick: (r: GpuReading) => number | undefined) => (g: Gauge<'gpu' | 'name' | 'vendor'>) => {
      clearGauge(g);
      for (const r of this.readings) {
        const v = pick(r);
        if (v !== undefined) g.set({ gpu: r.index, name: r.name, vendor: r.vendor }, v);
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

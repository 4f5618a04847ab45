/**
 * Host signals: CPU utilisation, memory, uptime (from /proc) and CPU temperature (from /sys/class/hwmon
 * or /sys/class/thermal). Where /proc is missing (macOS, Windows) Node's `os` module stands in, so the
 * sidecar still reports CPU, memory and uptime; temperatures are then absent.
 */
import { readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { clearGauge, type CollectHooks } from './metrics';

export interface CpuTimes {
  /** Jiffies (or ms) spent not idle, summed over all CPUs. */
  busy: number;
  total: number;
}

export interface MemoryInfo {
  totalBytes: number;
  availableBytes: number;
}

export interface TemperatureReading {
  sensor: string;
  celsius: number;
}

export interface HostSnapshot {
  cpuUtilization?: number;
  memory?: MemoryInfo;
  uptimeSeconds?: number;
  temperatures: TemperatureReading[];
}

export class HostFormatError extends Error {}

/** The aggregate `cpu` line of /proc/stat: user nice system idle iowait irq softirq steal (guest time is already in user). */
export function parseProcStat(text: string): CpuTimes {
  const line = text.split('\n').find((l) => /^cpu\s/.test(l));
  if (!line) throw new HostFormatError('/proc/stat: no aggregate "cpu" line');
  const f = line.trim().split(/\s+/).slice(1, 9).map(Number);
  if (f.length < 4 || f.some((n) => !Number.isFinite(n)))
    throw new HostFormatError(`/proc/stat: unexpected cpu line "${line}"`);
  const [user, nice, system, idle, iowait = 0, irq = 0, softirq = 0, steal = 0] = f;
  const idleAll = idle + iowait;
  const total = user + nice + system + idleAll + irq + softirq + steal;
  return { busy: total - idleAll, total };
}

/** Busy share between two samples; undefined when no time passed (same sample, or a counter reset). */
export function cpuUtilization(prev: CpuTimes, cur: CpuTimes): number | undefined {
  const dTotal = cur.total - prev.total;
  const dBusy = cur.busy - prev.busy;
  if (dTotal <= 0 || dBusy < 0) return undefined;
  return Math.min(1, dBusy / dTotal);
}

export function parseMeminfo(text: string): MemoryInfo {
  const kb = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^(\w+):\s+(\d+)(?:\s+kB)?/.exec(line);
    if (m) kb.set(m[1], Number(m[2]));
  }
  const total = kb.get('MemTotal');
  if (total === undefined) throw new HostFormatError('/proc/meminfo: no MemTotal');
  // MemAvailable exists since Linux 3.14; before it, free + buffers + page cache is the usual estimate.
  const available =
    kb.get('MemAvailable') ?? (kb.get('MemFree') ?? 0) + (kb.get('Buffers') ?? 0) + (kb.get('Cached') ?? 0);
  return { totalBytes: total * 1024, availableBytes: Math.min(available, total) * 1024 };
}

export function parseUptime(text: string): number {
  const n = Number(text.trim().split(/\s+/)[0]);
  if (!Number.isFinite(n) || n < 0) throw new HostFormatError(`/proc/uptime: unexpected "${text.trim()}"`);
  return n;
}

/** hwmon chips that measure the CPU package or cores. */
const CPU_HWMON_CHIPS =
  /^(coretemp|k10temp|k8temp|zenpower|cpu[_-]?thermal|soc[_-]thermal|via_cputemp|x86_pkg_temp)$/i;
/** Thermal zone types that are the CPU. */
const CPU_THERMAL_TYPES = /cpu|x86_pkg|soc|package|tctl/i;

/** Sysfs gives millidegrees; anything outside this range is a broken or placeholder sensor. */
function celsiusOf(raw: string): number | undefined {
  const n = Number(raw.trim());
  if (!Number.isFinite(n)) return undefined;
  const c = n / 1000;
  return c > -50 && c < 200 ? c : undefined;
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

async function list(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  } catch {
    return [];
  }
}

/**
 * CPU temperatures from a sysfs `class` directory. hwmon first (per package/core, with the chip's own
 * labels); thermal zones only when no CPU hwmon chip exists, since both usually expose the same sensor.
 */
export async function readCpuTemperatures(sysClass: string): Promise<TemperatureReading[]> {
  const out: TemperatureReading[] = [];
  for (const hw of await list(join(sysClass, 'hwmon'))) {
    const dir = join(sysClass, 'hwmon', hw);
    const chip = (
      (await readText(join(dir, 'name'))) ?? (await readText(join(dir, 'device', 'name')))
    )?.trim();
    if (!chip || !CPU_HWMON_CHIPS.test(chip)) continue;
    for (const file of await list(dir)) {
      const m = /^temp(\d+)_input$/.exec(file);
      if (!m) continue;
      const raw = await readText(join(dir, file));
      const celsius = raw === undefined ? undefined : celsiusOf(raw);
      if (celsius === undefined) continue;
      const label = (await readText(join(dir, `temp${m[1]}_label`)))?.trim();
      out.push({ sensor: `${chip}/${label || `temp${m[1]}`}`, celsius });
    }
  }
  if (out.length > 0) return out;
  const seen = new Set<string>();
  for (const zone of await list(join(sysClass, 'thermal'))) {
    if (!zone.startsWith('thermal_zone')) continue;
    const dir = join(sysClass, 'thermal', zone);
    const type = (await readText(join(dir, 'type')))?.trim();
    if (!type || !CPU_THERMAL_TYPES.test(type)) continue;
    const raw = await readText(join(dir, 'temp'));
    const celsius = raw === undefined ? undefined : celsiusOf(raw);
    if (celsius === undefined) continue;
    const sensor = seen.has(type)
      ? `thermal/${type}#${zone.slice('thermal_zone'.length)}`
      : `thermal/${type}`;
    seen.add(type);
    out.push({ sensor, celsius });
  }
  return out;
}

function osCpuTimes(): CpuTimes {
  let busy = 0;
  let total = 0;
  for (const c of os.cpus()) {
    const t = c.times;
    const all = t.user + t.nice + t.sys + t.idle + t.irq;
    total += all;
    busy += all - t.idle;
  }
  return { busy, total };
}

type HostHooks = Required<
  Pick<CollectHooks, 'hostCpu' | 'hostMemoryUsed' | 'hostMemoryTotal' | 'hostUptime' | 'hostCpuTemperature'>
>;

export interface HostCollectorOptions {
  procRoot?: string;
  sysClassRoot?: string;
}

export class HostCollector {
  private readonly procRoot: string;
  private readonly sysClassRoot: string;
  private prevCpu: CpuTimes | undefined;
  snapshot: HostSnapshot = { temperatures: [] };

  constructor(opts: HostCollectorOptions = {}) {
    this.procRoot = opts.procRoot ?? '/proc';
    this.sysClassRoot = opts.sysClassRoot ?? '/sys/class';
  }

  async poll(): Promise<HostSnapshot> {
    const [stat, meminfo, uptime, temperatures] = await Promise.all([
      readText(join(this.procRoot, 'stat')),
      readText(join(this.procRoot, 'meminfo')),
      readText(join(this.procRoot, 'uptime')),
      readCpuTemperatures(this.sysClassRoot),
    ]);
    const cpu = stat !== undefined ? parseProcStat(stat) : osCpuTimes();
    const snapshot: HostSnapshot = {
      memory:
        meminfo !== undefined
          ? parseMeminfo(meminfo)
          : { totalBytes: os.totalmem(), availableBytes: os.freemem() },
      uptimeSeconds: uptime !== undefined ? parseUptime(uptime) : os.uptime(),
      temperatures,
    };
    if (this.prevCpu) {
      const ratio = cpuUtilization(this.prevCpu, cpu);
      if (ratio !== undefined) snapshot.cpuUtilization = ratio;
      else snapshot.cpuUtilization = this.snapshot.cpuUtilization;
    }
    this.prevCpu = cpu;
    this.snapshot = snapshot;
    return snapshot;
  }

  hooks(): HostHooks {
    return {
      hostCpu: (g) => {
        clearGauge(g);
        if (this.snapshot.cpuUtilization !== undefined) g.set(this.snapshot.cpuUtilization);
      },
      hostMemoryUsed: (g) => {
        clearGauge(g);
        const m = this.snapshot.memory;
        if (m) g.set(m.totalBytes - m.availableBytes);
      },
      hostMemoryTotal: (g) => {
        clearGauge(g);
        if (this.snapshot.memory) g.set(this.snapshot.memory.totalBytes);
      },
      hostUptime: (g) => {
        clearGauge(g);
        if (this.snapshot.uptimeSeconds !== undefined) g.set(this.snapshot.uptimeSeconds);
      },
      hostCpuTemperature: (g) => {
        clearGauge(g);
        for (const t of this.snapshot.temperatures) g.set({ sensor: t.sensor }, t.celsius);
      },
    };
  }
}

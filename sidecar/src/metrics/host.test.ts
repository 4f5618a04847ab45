import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Registry } from 'prom-client';
import { parseExposition, value } from '../../test/metrics/exposition-reader';
import { renderMetrics } from './exposition';
import {
  cpuUtilization,
  HostCollector,
  HostFormatError,
  parseMeminfo,
  parseProcStat,
  parseUptime,
  readCpuTemperatures,
} from './host';
import { createMetrics } from './metrics';

const FIXTURES = join(__dirname, 'fixtures', 'proc');
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');

let dirs: string[] = [];
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'ollama-lens-host-'));
  dirs.push(root);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

describe('/proc parsers (recorded from a Linux host)', () => {
  it('reads the aggregate cpu line of /proc/stat', () => {
    // cpu  85813 0 15756 121221 551 0 2718 1237 0 0
    expect(parseProcStat(fixture('stat'))).toEqual({
      busy: 85813 + 15756 + 2718 + 1237,
      total: 85813 + 15756 + 121221 + 551 + 2718 + 1237,
    });
  });

  it('computes utilisation between two samples', () => {
    expect(cpuUtilization({ busy: 100, total: 1000 }, { busy: 175, total: 1100 })).toBeCloseTo(0.75, 12);
    expect(cpuUtilization({ busy: 100, total: 1000 }, { busy: 100, total: 1000 })).toBeUndefined();
    expect(cpuUtilization({ busy: 100, total: 1000 }, { busy: 50, total: 500 })).toBeUndefined();
  });

  it('reads MemTotal and MemAvailable, and estimates MemAvailable on old kernels', () => {
    expect(parseMeminfo(fixture('meminfo'))).toEqual({
      totalBytes: 24684092 * 1024,
      availableBytes: 24218732 * 1024,
    });
    expect(parseMeminfo('MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 20 kB\nCached: 300 kB\n')).toEqual({
      totalBytes: 1000 * 1024,
      availableBytes: 420 * 1024,
    });
  });

  it('reads the uptime', () => {
    expect(parseUptime(fixture('uptime'))).toBeCloseTo(Number(fixture('uptime').split(' ')[0]), 9);
  });

  it('says what is wrong with a file it cannot read', () => {
    expect(() => parseProcStat('intr 1 2 3\n')).toThrow(HostFormatError);
    expect(() => parseProcStat('cpu  a b c d\n')).toThrow(/unexpected cpu line/);
    expect(() => parseMeminfo('MemFree: 1 kB\n')).toThrow(/no MemTotal/);
    expect(() => parseUptime('soon')).toThrow(/\/proc\/uptime/);
  });
});

describe('CPU temperatures from sysfs', () => {
  it('reads CPU hwmon chips with their labels and ignores other chips and broken sensors', async () => {
    const root = tree({
      'hwmon/hwmon0/name': 'nvme\n',
      'hwmon/hwmon0/temp1_input': '38850\n',
      'hwmon/hwmon1/name': 'coretemp\n',
      'hwmon/hwmon1/temp1_input': '52000\n',
      'hwmon/hwmon1/temp1_label': 'Package id 0\n',
      'hwmon/hwmon1/temp2_input': '49500\n',
      'hwmon/hwmon1/temp2_label': 'Core 0\n',
      'hwmon/hwmon1/temp3_input': '-273150\n',
      'hwmon/hwmon2/name': 'k10temp\n',
      'hwmon/hwmon2/temp1_input': '61125\n',
      'thermal/thermal_zone0/type': 'x86_pkg_temp\n',
      'thermal/thermal_zone0/temp': '52000\n',
    });
    expect(await readCpuTemperatures(root)).toEqual([
      { sensor: 'coretemp/Package id 0', celsius: 52 },
      { sensor: 'coretemp/Core 0', celsius: 49.5 },
      { sensor: 'k10temp/temp1', celsius: 61.125 },
    ]);
  });

  it('falls back to CPU thermal zones when no CPU hwmon chip exists', async () => {
    const root = tree({
      'thermal/thermal_zone0/type': 'acpitz\n',
      'thermal/thermal_zone0/temp': '27800\n',
      'thermal/thermal_zone1/type': 'cpu-thermal\n',
      'thermal/thermal_zone1/temp': '47236\n',
      'thermal/thermal_zone2/type': 'cpu-thermal\n',
      'thermal/thermal_zone2/temp': '48312\n',
      'thermal/cooling_device0/type': 'Processor\n',
    });
    expect(await readCpuTemperatures(root)).toEqual([
      { sensor: 'thermal/cpu-thermal', celsius: 47.236 },
      { sensor: 'thermal/cpu-thermal#2', celsius: 48.312 },
    ]);
  });

  it('finds nothing where the OS exposes nothing', async () => {
    expect(await readCpuTemperatures(tree({ 'thermal/.keep': '' }))).toEqual([]);
    expect(await readCpuTemperatures('/nonexistent/sys/class')).toEqual([]);
  });
});

describe('HostCollector', () => {
  async function scrape(host: HostCollector) {
    const registry = new Registry();
    createMetrics(registry, { userLabel: false, collect: host.hooks() });
    return parseExposition(await renderMetrics(registry, 'prometheus'));
  }

  it('exports the gauges from two polls of a recorded /proc and sysfs', async () => {
    const proc = tree({
      stat: 'cpu  100 0 100 800 0 0 0 0 0 0\n',
      meminfo: fixture('meminfo'),
      uptime: '1234.5 2000.0\n',
    });
    const sys = tree({
      'hwmon/hwmon0/name': 'k10temp\n',
      'hwmon/hwmon0/temp1_input': '55000\n',
      'hwmon/hwmon0/temp1_label': 'Tctl\n',
    });
    const host = new HostCollector({ procRoot: proc, sysClassRoot: sys });
    await host.poll();
    let exp = await scrape(host);
    // One sample of /proc/stat says nothing about the last interval yet.
    expect(value(exp, 'ollama_host_cpu_utilization_ratio')).toBeUndefined();
    expect(value(exp, 'ollama_host_memory_total_bytes')).toBe(24684092 * 1024);
    expect(value(exp, 'ollama_host_memory_used_bytes')).toBe((24684092 - 24218732) * 1024);
    expect(value(exp, 'ollama_host_uptime_seconds')).toBe(1234.5);
    expect(value(exp, 'ollama_host_cpu_temperature_celsius', { sensor: 'k10temp/Tctl' })).toBe(55);

    writeFileSync(join(proc, 'stat'), 'cpu  160 0 120 820 0 0 0 0 0 0\n'); // +80 busy of +100
    await host.poll();
    exp = await scrape(host);
    expect(value(exp, 'ollama_host_cpu_utilization_ratio')).toBeCloseTo(0.8, 12);
  });

  it("reads this machine's real /proc with plausible values", async () => {
    const host = new HostCollector();
    await host.poll();
    // Burn a little CPU so the interval has busy time.
    const until = Date.now() + 50;
    while (Date.now() < until) Math.sqrt(Math.random());
    await host.poll();
    const s = host.snapshot;
    expect(s.cpuUtilization).toBeGreaterThan(0);
    expect(s.cpuUtilization).toBeLessThanOrEqual(1);
    expect(s.memory?.totalBytes).toBeGreaterThan(64 * 1024 * 1024);
    expect(s.memory?.availableBytes).toBeLessThan(s.memory?.totalBytes ?? 0);
    expect(s.uptimeSeconds).toBeGreaterThan(0);
  });

  it('falls back to the os module where /proc is missing', async () => {
    const host = new HostCollector({ procRoot: tree({ '.keep': '' }), sysClassRoot: '/nonexistent' });
    await host.poll();
    await host.poll();
    expect(host.snapshot.memory?.totalBytes).toBeGreaterThan(0);
    expect(host.snapshot.uptimeSeconds).toBeGreaterThan(0);
    expect(host.snapshot.temperatures).toEqual([]);
  });
});

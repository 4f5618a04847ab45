import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { find, parseExposition, value } from '../../test/metrics/exposition-reader';
import { renderMetrics } from './exposition';
import { GpuCollector, NVIDIA_SMI_ARGS, NvidiaSmiFormatError, parseNvidiaSmi } from './gpu';
import { createMetrics } from './metrics';

const FIXTURES = join(__dirname, 'fixtures', 'nvidia-smi');
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');
const MIB = 1024 * 1024;

describe('parseNvidiaSmi (nvidia-smi --query-gpu … --format=csv,noheader,nounits)', () => {
  it('reads a two-GPU server', () => {
    expect(parseNvidiaSmi(fixture('two-a100.csv'))).toEqual([
      {
        index: '0',
        name: 'NVIDIA A100-SXM4-80GB',
        utilizationRatio: 0.87,
        memoryUsedBytes: 61234 * MIB,
        memoryTotalBytes: 81920 * MIB,
        temperatureCelsius: 64,
        powerWatts: 312.58,
      },
      {
        index: '1',
        name: 'NVIDIA A100-SXM4-80GB',
        utilizationRatio: 0,
        memoryUsedBytes: 4 * MIB,
        memoryTotalBytes: 81920 * MIB,
        temperatureCelsius: 31,
        powerWatts: 61.02,
      },
    ]);
  });

  it('leaves out fields the GPU cannot report ([N/A], [Not Supported])', () => {
    expect(parseNvidiaSmi(fixture('laptop-power-na.csv'))).toEqual([
      {
        index: '0',
        name: 'NVIDIA GeForce RTX 3060 Laptop GPU',
        utilizationRatio: 0.12,
        memoryUsedBytes: 1450 * MIB,
        memoryTotalBytes: 6144 * MIB,
        temperatureCelsius: 52,
      },
    ]);
    expect(parseNvidiaSmi(fixture('not-supported.csv'))).toEqual([
      {
        index: '0',
        name: 'Quadro K620',
        memoryUsedBytes: 210 * MIB,
        memoryTotalBytes: 2002 * MIB,
        temperatureCelsius: 38,
      },
    ]);
  });

  it('keeps a comma inside a GPU name from shifting the numbers', () => {
    expect(parseNvidiaSmi('3, Odd, Name GPU, 5, 10, 20, 40, 7.5\n')[0]).toEqual({
      index: '3',
      name: 'Odd, Name GPU',
      utilizationRatio: 0.05,
      memoryUsedBytes: 10 * MIB,
      memoryTotalBytes: 20 * MIB,
      temperatureCelsius: 40,
      powerWatts: 7.5,
    });
  });

  it('rejects output in another shape (a header line, units, too few fields)', () => {
    expect(() =>
      parseNvidiaSmi(
        'index, name, utilization.gpu [%], memory.used [MiB], memory.total [MiB], temperature.gpu, power.draw [W]\n'
      )
    ).toThrow(NvidiaSmiFormatError);
    expect(() => parseNvidiaSmi('0, GPU, 5\n')).toThrow(/expected 7 fields/);
    expect(parseNvidiaSmi('\n')).toEqual([]);
  });
});

describe('GpuCollector', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ollama-lens-gpu-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** An executable that answers like nvidia-smi: only to the exact query the collector must send. */
  function fakeNvidiaSmi(output: string, exitCode = 0): string {
    const out = join(dir, 'out.txt');
    writeFileSync(out, output);
    const bin = join(dir, 'nvidia-smi');
    writeFileSync(
      bin,
      `#!/bin/sh\nif [ "$1" != "${NVIDIA_SMI_ARGS[0]}" ] || [ "$2" != "${NVIDIA_SMI_ARGS[1]}" ] || [ $# -ne 2 ]; then echo "unexpected arguments: $*" >&2; exit 2; fi\ncat "${out}"\nexit ${exitCode}\n`
    );
    chmodSync(bin, 0o755);
    return bin;
  }

  async function scrape(gpu: GpuCollector) {
    const registry = new Registry();
    createMetrics(registry, { userLabel: false, collect: gpu.hooks() });
    return parseExposition(await renderMetrics(registry, 'prometheus'));
  }

  it('runs the query and exports one series per GPU', async () => {
    const gpu = new GpuCollector({ command: fakeNvidiaSmi(fixture('two-a100.csv')), timeoutMs: 5000 });
    await gpu.poll();
    expect(gpu.state).toBe('present');
    const exp = await scrape(gpu);
    const g0 = { gpu: '0', name: 'NVIDIA A100-SXM4-80GB' };
    expect(value(exp, 'ollama_gpu_utilization_ratio', g0)).toBe(0.87);
    expect(value(exp, 'ollama_gpu_memory_used_bytes', g0)).toBe(61234 * MIB);
    expect(value(exp, 'ollama_gpu_memory_total_bytes', g0)).toBe(81920 * MIB);
    expect(value(exp, 'ollama_gpu_temperature_celsius', g0)).toBe(64);
    expect(value(exp, 'ollama_gpu_power_watts', g0)).toBe(312.58);
    expect(find(exp, 'ollama_gpu_power_watts')).toHaveLength(2);
  });

  it('omits the series a GPU cannot report', async () => {
    const gpu = new GpuCollector({ command: fakeNvidiaSmi(fixture('laptop-power-na.csv')), timeoutMs: 5000 });
    await gpu.poll();
    const exp = await scrape(gpu);
    expect(find(exp, 'ollama_gpu_power_watts')).toEqual([]);
    expect(find(exp, 'ollama_gpu_temperature_celsius')).toHaveLength(1);
  });

  it('stops polling for good when nvidia-smi does not exist', async () => {
    const gpu = new GpuCollector({ command: join(dir, 'no-such-nvidia-smi'), timeoutMs: 5000 });
    await gpu.poll();
    expect(gpu.state).toBe('absent');
    expect(find(await scrape(gpu), 'ollama_gpu_utilization_ratio')).toEqual([]);
    expect(new GpuCollector({ command: '', timeoutMs: 5000 }).state).toBe('absent');
  });

  it('reports a failing nvidia-smi (driver not loaded) and clears stale readings', async () => {
    const bin = fakeNvidiaSmi(fixture('two-a100.csv'));
    const gpu = new GpuCollector({ command: bin, timeoutMs: 5000 });
    await gpu.poll();
    expect(gpu.readings).toHaveLength(2);
    writeFileSync(
      bin,
      '#!/bin/sh\necho "NVIDIA-SMI has failed because it couldn\'t communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running."\nexit 9\n'
    );
    await gpu.poll();
    expect(gpu.state).toBe('failing');
    expect(gpu.lastError).toMatch(/couldn't communicate with the NVIDIA driver/);
    expect(gpu.readings).toEqual([]);
    expect(find(await scrape(gpu), 'ollama_gpu_memory_used_bytes')).toEqual([]);
  });
});

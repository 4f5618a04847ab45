import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { find, parseExposition, value } from '../../test/metrics/exposition-reader';
import { renderMetrics } from './exposition';
import { GpuCollector, NVIDIA_SMI_ARGS, NvidiaSmiFormatError, nvidiaSmiSource, parseNvidiaSmi } from './gpu';
import { gpuFixture, standInTool } from '../../test/fixtures/gpu/stand-in';
import { ROCM_SMI_ARGS, rocmSmiSource } from './gpu-amd';
import { IOREG_ARGS, ioregSource } from './gpu-apple';
import { createMetrics } from './metrics';

const FIXTURES = join(__dirname, 'fixtures', 'nvidia-smi');
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');
const MIB = 1024 * 1024;

describe('parseNvidiaSmi (nvidia-smi --query-gpu … --format=csv,noheader,nounits)', () => {
  it('reads a two-GPU server', () => {
    expect(parseNvidiaSmi(fixture('two-a100.csv'))).toEqual([
      {
        vendor: 'nvidia',
        index: '0',
        name: 'NVIDIA A100-SXM4-80GB',
        utilizationRatio: 0.87,
        memoryUsedBytes: 61234 * MIB,
        memoryTotalBytes: 81920 * MIB,
        temperatureCelsius: 64,
        powerWatts: 312.58,
      },
      {
        vendor: 'nvidia',
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
        vendor: 'nvidia',
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
        vendor: 'nvidia',
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
      vendor: 'nvidia',
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

  const nvidiaOnly = (command: string) =>
    new GpuCollector({ sources: [nvidiaSmiSource(command)], timeoutMs: 5000 });

  async function scrape(gpu: GpuCollector) {
    const registry = new Registry();
    createMetrics(registry, { userLabel: false, collect: gpu.hooks() });
    return parseExposition(await renderMetrics(registry, 'prometheus'));
  }

  it('runs the query and exports one series per GPU', async () => {
    const gpu = nvidiaOnly(fakeNvidiaSmi(fixture('two-a100.csv')));
    await gpu.poll();
    expect(gpu.pollers[0].state).toBe('present');
    const exp = await scrape(gpu);
    const g0 = { gpu: '0', name: 'NVIDIA A100-SXM4-80GB', vendor: 'nvidia' };
    expect(value(exp, 'ollama_gpu_utilization_ratio', g0)).toBe(0.87);
    expect(value(exp, 'ollama_gpu_memory_used_bytes', g0)).toBe(61234 * MIB);
    expect(value(exp, 'ollama_gpu_memory_total_bytes', g0)).toBe(81920 * MIB);
    expect(value(exp, 'ollama_gpu_temperature_celsius', g0)).toBe(64);
    expect(value(exp, 'ollama_gpu_power_watts', g0)).toBe(312.58);
    expect(find(exp, 'ollama_gpu_power_watts')).toHaveLength(2);
  });

  it('omits the series a GPU cannot report', async () => {
    const gpu = nvidiaOnly(fakeNvidiaSmi(fixture('laptop-power-na.csv')));
    await gpu.poll();
    const exp = await scrape(gpu);
    expect(find(exp, 'ollama_gpu_power_watts')).toEqual([]);
    expect(find(exp, 'ollama_gpu_temperature_celsius')).toHaveLength(1);
  });

  it('stops polling for good when nvidia-smi does not exist', async () => {
    const gpu = nvidiaOnly(join(dir, 'no-such-nvidia-smi'));
    await gpu.poll();
    expect(gpu.pollers[0].state).toBe('absent');
    expect(find(await scrape(gpu), 'ollama_gpu_utilization_ratio')).toEqual([]);
    expect(nvidiaOnly('').pollers[0].state).toBe('absent');
  });

  it('reports a failing nvidia-smi (driver not loaded) and clears stale readings', async () => {
    const bin = fakeNvidiaSmi(fixture('two-a100.csv'));
    const gpu = nvidiaOnly(bin);
    await gpu.poll();
    expect(gpu.readings).toHaveLength(2);
    writeFileSync(
      bin,
      '#!/bin/sh\necho "NVIDIA-SMI has failed because it couldn\'t communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running."\nexit 9\n'
    );
    await gpu.poll();
    expect(gpu.pollers[0].state).toBe('failing');
    expect(gpu.pollers[0].lastError).toMatch(/couldn't communicate with the NVIDIA driver/);
    expect(gpu.readings).toEqual([]);
    expect(find(await scrape(gpu), 'ollama_gpu_memory_used_bytes')).toEqual([]);
  });
});

describe('GpuCollector over nvidia-smi, rocm-smi and ioreg', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ollama-lens-gpus-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const nvidia = (out = fixture('two-a100.csv')) => standInTool(dir, 'nvidia-smi', NVIDIA_SMI_ARGS, out);
  const rocm = (out = gpuFixture('rocm-smi', 'mi100x4-rocm602.json'), code = 0) =>
    standInTool(dir, 'rocm-smi', ROCM_SMI_ARGS, out, code);
  const ioreg = (out = gpuFixture('ioreg', 'm1-pro-stats-1094.txt')) =>
    standInTool(dir, 'ioreg', IOREG_ARGS, out);
  const collector = (n: string, r: string, i: string) =>
    new GpuCollector({ sources: [nvidiaSmiSource(n), rocmSmiSource(r), ioregSource(i)], timeoutMs: 5000 });

  async function scrape(gpu: GpuCollector) {
    const registry = new Registry();
    createMetrics(registry, { userLabel: false, collect: gpu.hooks() });
    return parseExposition(await renderMetrics(registry, 'prometheus'));
  }

  it('exports every tool’s GPUs under the same names, told apart by the vendor label', async () => {
    const gpu = collector(nvidia(), rocm(), ioreg());
    await gpu.poll();
    expect(gpu.pollers.map((p) => p.state)).toEqual(['present', 'present', 'present']);
    const exp = await scrape(gpu);
    expect(find(exp, 'ollama_gpu_utilization_ratio')).toHaveLength(2 + 4 + 1);
    const mi100 = { gpu: '2', name: 'Arcturus GL-XL [Instinct MI100]', vendor: 'amd' };
    expect(value(exp, 'ollama_gpu_temperature_celsius', mi100)).toBe(54);
    expect(value(exp, 'ollama_gpu_power_watts', mi100)).toBe(43);
    expect(value(exp, 'ollama_gpu_memory_total_bytes', mi100)).toBe(34342961152);
    const m1 = { gpu: '0', name: 'AGXAcceleratorG13X', vendor: 'apple' };
    expect(value(exp, 'ollama_gpu_utilization_ratio', m1)).toBe(0.02);
    expect(value(exp, 'ollama_gpu_memory_used_bytes', m1)).toBe(340983808);
    // Apple: unified memory has no GPU total, and ioreg gives no temperature or power.
    for (const name of [
      'ollama_gpu_memory_total_bytes',
      'ollama_gpu_temperature_celsius',
      'ollama_gpu_power_watts',
    ])
      expect(find(exp, name).filter((s) => s.labels.vendor === 'apple')).toEqual([]);
    expect(
      value(exp, 'ollama_gpu_power_watts', { gpu: '0', name: 'NVIDIA A100-SXM4-80GB', vendor: 'nvidia' })
    ).toBe(312.58);
  });

  it('treats tools that are not installed as no GPUs: no series, no error, never run again', async () => {
    const gpu = collector(join(dir, 'no-nvidia-smi'), join(dir, 'no-rocm-smi'), ioreg());
    await gpu.poll();
    expect(gpu.pollers.map((p) => p.state)).toEqual(['absent', 'absent', 'present']);
    expect(gpu.pollers.map((p) => p.lastError)).toEqual([undefined, undefined, undefined]);
    // Installing the tool later is not noticed: an absent tool is not looked for on every poll.
    standInTool(dir, 'no-rocm-smi', ROCM_SMI_ARGS, gpuFixture('rocm-smi', 'rx6700xt-rocm612.json'));
    await gpu.poll();
    expect(gpu.pollers[1].state).toBe('absent');
    expect(
      new Set(find(await scrape(gpu), 'ollama_gpu_utilization_ratio').map((s) => s.labels.vendor))
    ).toEqual(new Set(['apple']));
    expect(collector('', '', '').pollers.map((p) => p.state)).toEqual(['absent', 'absent', 'absent']);
  });

  it('reports a failing tool (amdgpu not loaded) and keeps the others', async () => {
    const gpu = collector(
      nvidia(),
      rocm('ERROR:root:Driver not initialized (amdgpu not found in modules)\n', 1),
      ioreg()
    );
    await gpu.poll();
    expect(gpu.pollers[1].state).toBe('failing');
    expect(gpu.pollers[1].lastError).toMatch(/amdgpu not found in modules/);
    const vendors = find(await scrape(gpu), 'ollama_gpu_memory_used_bytes').map((s) => s.labels.vendor);
    expect(vendors.sort()).toEqual(['apple', 'nvidia', 'nvidia']);
  });

  it('turns output it cannot read into a failure with the reason, and clears stale readings', async () => {
    const bin = rocm();
    const gpu = collector('', bin, '');
    await gpu.poll();
    expect(gpu.readings).toHaveLength(4);
    const full = gpuFixture('rocm-smi', 'mi100x4-rocm602.json');
    standInTool(dir, 'rocm-smi', ROCM_SMI_ARGS, full.slice(0, 2000)); // truncated JSON
    await gpu.poll();
    expect(gpu.pollers[1].state).toBe('failing');
    expect(gpu.pollers[1].lastError).toMatch(/rocm-smi: output is not valid JSON/);
    expect(find(await scrape(gpu), 'ollama_gpu_temperature_celsius')).toEqual([]);
    standInTool(dir, 'rocm-smi', ROCM_SMI_ARGS, full);
    await gpu.poll();
    expect(gpu.pollers[1].state).toBe('present');
    expect(gpu.pollers[1].lastError).toBeUndefined();
  });

  it('sends each tool exactly its query (a stand-in refuses other arguments)', async () => {
    const wrong = standInTool(dir, 'picky-ioreg', ['-l'], gpuFixture('ioreg', 'm1-pro-stats-1094.txt'));
    const gpu = collector('', '', wrong);
    await gpu.poll();
    expect(gpu.pollers[2].state).toBe('failing');
    expect(gpu.pollers[2].lastError).toMatch(/unexpected arguments: -r -d 1 -w 0 -c IOAccelerator/);
  });
});

import { gpuFixture } from '../../test/fixtures/gpu/stand-in';
import { GpuFormatError } from './gpu';
import { parseRocmSmi, ROCM_SMI_ARGS, RocmSmiFormatError } from './gpu-amd';

const fixture = (name: string) => gpuFixture('rocm-smi', name);
const card = (fields: Record<string, unknown>) => JSON.stringify({ card0: fields });

describe('parseRocmSmi (rocm-smi --showuse --showmeminfo vram --showtemp --showpower --showproductname --json)', () => {
  it('asks rocm-smi for exactly the fields it reads, as JSON', () => {
    expect(ROCM_SMI_ARGS).toEqual([
      '--showuse',
      '--showmeminfo',
      'vram',
      '--showtemp',
      '--showpower',
      '--showproductname',
      '--json',
    ]);
  });

  it('reads a Radeon RX 6700 XT on ROCm 6.1 (string values, bytes, °C, W)', () => {
    expect(parseRocmSmi(fixture('rx6700xt-rocm612.json'))).toEqual([
      {
        vendor: 'amd',
        index: '0',
        name: 'Navi 22 [Radeon RX 6700/6700 XT / 6800M]',
        utilizationRatio: 0,
        memoryUsedBytes: 1572745216,
        memoryTotalBytes: 12868124672,
        temperatureCelsius: 45,
        powerWatts: 6,
      },
    ]);
  });

  it('reads four MI100 cards in card order, with the older "Card series" spelling', () => {
    const r = parseRocmSmi(fixture('mi100x4-rocm602.json'));
    expect(r.map((g) => g.index)).toEqual(['0', '1', '2', '3']);
    expect(r.map((g) => g.temperatureCelsius)).toEqual([53, 55, 54, 51]);
    expect(r.map((g) => g.powerWatts)).toEqual([36, 44, 43, 39]);
    expect(new Set(r.map((g) => g.name))).toEqual(new Set(['Arcturus GL-XL [Instinct MI100]']));
    expect(r[3]).toMatchObject({
      memoryUsedBytes: 6750208,
      memoryTotalBytes: 34342961152,
      utilizationRatio: 0,
    });
  });

  it('leaves out what a release or a card does not report, and never invents a name', () => {
    expect(parseRocmSmi(fixture('vega10xt-rocm-old.json'))).toEqual([
      {
        vendor: 'amd',
        index: '0',
        name: '',
        utilizationRatio: 0,
        memoryUsedBytes: 17776640,
        memoryTotalBytes: 17163091968,
        temperatureCelsius: 39,
        powerWatts: 15,
      },
    ]);
    // Asked without --showtemp/--showpower: those series are absent, not 0.
    expect(parseRocmSmi(fixture('rx7900xt-marimo-9237.json'))).toEqual([
      {
        vendor: 'amd',
        index: '0',
        name: 'Radeon RX 7900 XT',
        utilizationRatio: 0,
        memoryUsedBytes: 27856896,
        memoryTotalBytes: 21458059264,
      },
    ]);
  });

  it('knows the field names of other releases: current socket power, lowercase (c)', () => {
    expect(parseRocmSmi(fixture('radeon780m-socket-power.json'))).toEqual([
      {
        vendor: 'amd',
        index: '0',
        name: 'Phoenix3',
        utilizationRatio: 0.19,
        temperatureCelsius: 31,
        powerWatts: 7.222,
      },
    ]);
    expect(parseRocmSmi(fixture('rx-old-lowercase-rainbowminer-749.json'))).toEqual([
      { vendor: 'amd', index: '0', name: '', temperatureCelsius: 77, powerWatts: 222 },
    ]);
  });

  it('treats N/A values as absent and takes the next sensor that has a value', () => {
    const [primary, secondary] = parseRocmSmi(fixture('mi250-secondary-die.json'));
    expect(primary).toMatchObject({
      index: '0',
      powerWatts: 237,
      temperatureCelsius: 41,
      utilizationRatio: 1,
    });
    expect(secondary).toEqual({
      vendor: 'amd',
      index: '1',
      name: 'AMD INSTINCT MI250 (MCM) OAM AC MBA',
      utilizationRatio: 0.98,
      memoryUsedBytes: 52613349376,
      memoryTotalBytes: 68702699520,
      temperatureCelsius: 46, // edge is N/A: junction
    });
  });

  it('orders cards by number (card10 after card2) and ignores "system"', () => {
    const out = JSON.stringify({
      system: { 'Driver version': '6.3.6' },
      card10: { 'GPU use (%)': '5' },
      card2: { 'GPU use (%)': '7' },
    });
    expect(parseRocmSmi(out).map((g) => [g.index, g.utilizationRatio])).toEqual([
      ['2', 0.07],
      ['10', 0.05],
    ]);
  });

  it('accepts numbers where rocm-smi usually prints strings, and a warning line before the JSON', () => {
    expect(
      parseRocmSmi(card({ 'GPU use (%)': 50, 'Average Graphics Package Power (W)': 12.5 }))[0]
    ).toMatchObject({
      utilizationRatio: 0.5,
      powerWatts: 12.5,
    });
    const warned = `WARNING: 1 AMD GPU device(s) is/are in a low-power state\n${card({ 'GPU use (%)': '3' })}`;
    expect(parseRocmSmi(warned)[0].utilizationRatio).toBe(0.03);
  });

  it('drops strings where numbers belong, and implausible or huge numbers', () => {
    const [g] = parseRocmSmi(
      card({
        'GPU use (%)': '250',
        'VRAM Total Memory (B)': '99999999999999999999999',
        'VRAM Total Used Memory (B)': '-5',
        'Temperature (Sensor edge) (C)': '65535.0',
        'Temperature (Sensor junction) (C)': 'hot',
        'Average Graphics Package Power (W)': '1e3',
        'Current Socket Graphics Package Power (W)': { value: 3 },
        'Card Series': 42,
      })
    );
    expect(g).toEqual({ vendor: 'amd', index: '0', name: '' });
    expect(parseRocmSmi(card({ 'GPU use (%)': 'N/A', 'VRAM Total Memory (B)': 'Infinity' }))[0]).toEqual({
      vendor: 'amd',
      index: '0',
      name: '',
    });
  });

  it('reads no GPUs from empty output or an empty object', () => {
    expect(parseRocmSmi('')).toEqual([]);
    expect(parseRocmSmi('{}\n')).toEqual([]);
    expect(parseRocmSmi(JSON.stringify({ system: { 'Driver version': '6.3.6' } }))).toEqual([]);
  });

  it('rejects output in another shape with a typed format error', () => {
    const full = fixture('rx6700xt-rocm612.json');
    const bad = [
      full.slice(0, Math.floor(full.length / 2)), // truncated
      '[]',
      'null',
      '"card0"',
      JSON.stringify({ card0: 'N/A' }),
      JSON.stringify({ card0: [1, 2] }),
      'ERROR:root:Driver not initialized (amdgpu not found in modules)',
      '========================ROCm System Management Interface========================',
    ];
    for (const out of bad) {
      expect(() => parseRocmSmi(out)).toThrow(RocmSmiFormatError);
      expect(() => parseRocmSmi(out)).toThrow(GpuFormatError);
    }
    expect(() => parseRocmSmi(full.slice(0, 300))).toThrow(/not valid JSON/);
  });
});

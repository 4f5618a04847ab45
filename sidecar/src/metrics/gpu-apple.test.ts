import { gpuFixture } from '../../test/fixtures/gpu/stand-in';
import { GpuFormatError } from './gpu';
import { IOREG_ARGS, IoregFormatError, parseIoreg, parseIoregValue } from './gpu-apple';

const fixture = (name: string) => gpuFixture('ioreg', name);

/** One accelerator node in ioreg's text format. */
const node = (className: string, properties: string[]) =>
  [
    `+-o ${className}  <class ${className}, id 0x100000548, registered, matched, active, busy 0 (3 ms), retain 21>`,
    '    {',
    ...properties.map((p) => `      ${p}`),
    '    }',
    '    ',
    '',
  ].join('\n');
const stats = (body: string) => `"PerformanceStatistics" = {${body}}`;

describe('parseIoreg (ioreg -r -d 1 -w 0 -c IOAccelerator)', () => {
  it('asks for the accelerators only, one level deep, lines unwrapped', () => {
    expect(IOREG_ARGS).toEqual(['-r', '-d', '1', '-w', '0', '-c', 'IOAccelerator']);
  });

  it('reads an M1 Pro: utilisation and unified memory in use, no total, temperature or power', () => {
    expect(parseIoreg(fixture('m1-pro-stats-1094.txt'))).toEqual([
      {
        vendor: 'apple',
        index: '0',
        name: 'AGXAcceleratorG13X',
        utilizationRatio: 0.02,
        memoryUsedBytes: 340983808,
      },
    ]);
    expect(parseIoreg(fixture('m1-scalene-302.txt'))).toEqual([
      {
        vendor: 'apple',
        index: '0',
        name: 'AGXAcceleratorG13G',
        utilizationRatio: 0.16,
        memoryUsedBytes: 448659456,
      },
    ]);
  });

  it('takes the model name when the node has one, and reads exact keys only', () => {
    // "In use system memory (driver)"=0 and the IOReportLegend's channel names must not feed a value.
    expect(parseIoreg(fixture('m4-max-driver-key.txt'))).toEqual([
      {
        vendor: 'apple',
        index: '0',
        name: 'Apple M4 Max',
        utilizationRatio: 0.16,
        memoryUsedBytes: 2363801600,
      },
    ]);
  });

  it('numbers several accelerators in order and names the vendor of an Intel Mac’s GPUs', () => {
    const out =
      node('IntelAccelerator', [stats('"Device Utilization %"=7')]) +
      node('AMDRadeonX6000_AMDNavi14GraphicsAccelerator', [stats('"Device Utilization %"=41')]);
    expect(parseIoreg(out)).toEqual([
      { vendor: 'intel', index: '0', name: 'IntelAccelerator', utilizationRatio: 0.07 },
      {
        vendor: 'amd',
        index: '1',
        name: 'AMDRadeonX6000_AMDNavi14GraphicsAccelerator',
        utilizationRatio: 0.41,
      },
    ]);
  });

  it('skips an accelerator without PerformanceStatistics, and reads none from empty output', () => {
    const out = node('AGXAcceleratorG14G', ['"IOMatchedAtBoot" = Yes']) + fixture('m1-scalene-302.txt');
    expect(parseIoreg(out).map((g) => [g.index, g.name])).toEqual([['0', 'AGXAcceleratorG13G']]);
    expect(parseIoreg('')).toEqual([]);
    expect(parseIoreg('\n\n')).toEqual([]);
  });

  it('falls back to the renderer utilisation, and drops strings, >100 % and numbers beyond 2^53', () => {
    expect(
      parseIoreg(
        node('AGXAcceleratorG15X', [stats('"Renderer Utilization %"=33,"Tiler Utilization %"=5')])
      )[0]
    ).toMatchObject({ utilizationRatio: 0.33 });
    const [g] = parseIoreg(
      node('AGXAcceleratorG15X', [
        stats(
          '"Device Utilization %"=140,"Renderer Utilization %"="busy","In use system memory"=18446744073709551615'
        ),
      ])
    );
    expect(g).toEqual({ vendor: 'apple', index: '0', name: 'AGXAcceleratorG15X' });
    expect(
      parseIoreg(
        node('AGXAcceleratorG15X', [stats('"Device Utilization %"=-1,"In use system memory"=Yes')])
      )[0]
    ).toEqual({
      vendor: 'apple',
      index: '0',
      name: 'AGXAcceleratorG15X',
    });
  });

  it('rejects truncated or foreign output with a typed format error', () => {
    const full = fixture('m1-pro-stats-1094.txt');
    const cut = full.indexOf('"IOGLBundleName"');
    const bad = [
      full.slice(0, cut), // ends inside the node
      full.slice(0, full.indexOf('"In use system memory"')), // ends inside PerformanceStatistics
      node('AGXAcceleratorG13X', [stats('"Device Utilization %"=2,"In use')]),
      node('AGXAcceleratorG13X', ['"PerformanceStatistics" = ("Device Utilization %")']),
      node('AGXAcceleratorG13X', ['this is not a property']),
      'ioreg: command not found',
      '{"Device Utilization %": 2}',
      `${full.split('\n')[0]}\n    "model" = "no opening brace"\n`,
    ];
    for (const out of bad) {
      expect(() => parseIoreg(out)).toThrow(IoregFormatError);
      expect(() => parseIoreg(out)).toThrow(GpuFormatError);
    }
  });
});

describe('parseIoregValue (ioreg’s text syntax)', () => {
  it('reads dictionaries, arrays, strings, data, numbers and Yes/No', () => {
    expect(parseIoregValue('{"a"=1,"b"=("x",<6b10>,Yes),"c"={},"d"=No,"e"=()}')).toEqual({
      a: 1,
      b: ['x', '<6b10>', true],
      c: {},
      d: false,
      e: [],
    });
  });

  it('rejects unterminated or trailing text and absurd nesting', () => {
    for (const bad of ['{"a"=1', '{"a"=1}}', '"open', '<6b10', '{a=1}', '(1 2)', '{"a"}', '']) {
      expect(() => parseIoregValue(bad)).toThrow(IoregFormatError);
    }
    expect(() => parseIoregValue('('.repeat(100) + ')'.repeat(100))).toThrow(/nesting too deep/);
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadFixture } from '@ollama-lens/testkit/fixtures';
import { parseNvidiaSmi } from '../metrics/gpu';
import { parsePs } from '../metrics/ollama-collector';
import { MAX_LINE_CHARS, overallLevel, rulesLine, statusFacts, type StatusSignals } from './rules';

const T = 1_790_000_000_000;
// States built on recorded answers: the real Ollama's /api/ps with `tiny` loaded (on the CPU) and two
// A100s as nvidia-smi prints them (sidecar/src/metrics/fixtures/nvidia-smi).
const psLoaded = parsePs(JSON.parse(loadFixture('ps-loaded').body));
const a100s = parseNvidiaSmi(
  readFileSync(join(__dirname, '../metrics/fixtures/nvidia-smi/two-a100.csv'), 'utf8')
);
const baseline = { requests: 600, errors: 3, p95Ms: 900, tokensPerSecond: 40 };

const state = (over: Partial<StatusSignals> = {}): StatusSignals => ({
  at: T,
  windowMinutes: 5,
  recent: { requests: 0, errors: 0 },
  baseline,
  queue: { waiting: 0, slots: 1 },
  ollama: { up: true, version: '0.10.1', running: psLoaded },
  gpus: a100s,
  host: { cpuUtilization: 0.3, temperatures: [{ sensor: 'acpitz', celsius: 48 }] },
  store: { droppedRecently: 0, failing: false },
  events: [],
  ...over,
});

const status = (s: StatusSignals) => {
  const facts = statusFacts(s);
  return { level: overallLevel(facts), line: rulesLine(facts), ids: facts.map((f) => f.id) };
};

describe('the rules line across states', () => {
  it('idle', () => {
    expect(status(state())).toEqual({ level: 'ok', line: 'Idle: no requests in 5 min', ids: ['activity'] });
  });

  it('one request is a request', () => {
    expect(status(state({ recent: { requests: 1, errors: 0 } })).line).toBe('1 request in 5 min');
  });

  it('busy and healthy', () => {
    const s = status(state({ recent: { requests: 230, errors: 2, p95Ms: 1100, tokensPerSecond: 38 } }));
    expect(s.level).toBe('ok');
    expect(s.line).toBe('1 % of requests failing · 230 requests in 5 min, p95 1.1 s, 38 tok/s');
  });

  it('queueing: more waiting than slots, and latency far above the last hour', () => {
    const s = status(
      state({
        recent: { requests: 120, errors: 0, p95Ms: 4200, tokensPerSecond: 37 },
        queue: { waiting: 6, slots: 4 },
      })
    );
    expect(s.level).toBe('critical');
    expect(s.line).toBe(
      'p95 latency 4.2 s, 4.7× the last hour · 6 requests waiting for a slot · 120 requests in 5 min, p95 4.2 s, 37 tok/s'
    );
  });

  it('erroring: the rate and the most frequent error type lead the line', () => {
    const s = status(
      state({ recent: { requests: 50, errors: 19, topErrorType: 'model_not_found', p95Ms: 800 } })
    );
    expect(s.level).toBe('critical');
    expect(s.line.startsWith('38 % of requests failing, mostly model_not_found')).toBe(true);
    expect(status(state({ recent: { requests: 100, errors: 6 } })).level).toBe('warning');
  });

  it('offloaded: a model that does not fit in VRAM runs partly on the CPU', () => {
    const offloaded = [{ name: 'llama3.1:70b', size: 42e9, sizeVram: 25.2e9 }];
    const s = status(state({ ollama: { up: true, running: offloaded } }));
    expect(s.level).toBe('warning');
    expect(s.line).toBe('llama3.1:70b 40 % on CPU (offloaded) · Idle: no requests in 5 min');
    // The recorded tiny model runs wholly on the CPU (no GPU here): not offloaded, nothing to say.
    expect(status(state()).ids).not.toContain('offload');
  });

  it('hot GPU and a full GPU memory', () => {
    // The first recorded A100 line with its temperature raised (the line otherwise as nvidia-smi prints it).
    const hot = parseNvidiaSmi('0, NVIDIA A100-SXM4-80GB, 99, 79000, 81920, 96, 398.10\n');
    const s = status(state({ gpus: hot }));
    expect(s.level).toBe('critical');
    expect(s.line).toBe(
      'GPU 0 (NVIDIA A100-SXM4-80GB) at 96 °C · GPU 0 (NVIDIA A100-SXM4-80GB) memory 96 % full · Idle: no requests in 5 min'
    );
  });

  it('Ollama down, with the time from the event', () => {
    const s = status(
      state({
        ollama: { up: false },
        events: [{ at: T - 3 * 60_000, type: 'ollama_down', model: null, details: {} }],
      })
    );
    expect(s.level).toBe('critical');
    expect(s.line.startsWith('Ollama is down (since 3 min ago)')).toBe(true);
  });

  it('the store dropping or failing', () => {
    expect(status(state({ store: { droppedRecently: 12, failing: false } })).line).toContain(
      'Message store dropped 12 records'
    );
    expect(status(state({ store: { droppedRecently: 0, failing: true } })).level).toBe('critical');
  });

  it('the latest event when it is recent', () => {
    const loaded = { at: T - 2 * 60_000, type: 'model_loaded' as const, model: 'tiny:latest', details: {} };
    expect(status(state({ events: [loaded] })).line).toBe(
      'Idle: no requests in 5 min · tiny:latest loaded 2 min ago'
    );
    expect(status(state({ events: [{ ...loaded, at: T - 60 * 60_000 }] })).ids).not.toContain('event');
  });

  it('a slow baseline is not news: latency is judged against its own last hour', () => {
    const s = status(
      state({ recent: { requests: 10, errors: 0, p95Ms: 30_000 }, baseline: { ...baseline, p95Ms: 28_000 } })
    );
    expect(s.level).toBe('ok');
    // …and too few requests in the last hour make no baseline at all.
    expect(
      status(
        state({ recent: { requests: 10, errors: 0, p95Ms: 9000 }, baseline: { ...baseline, requests: 5 } })
      ).level
    ).toBe('ok');
  });

  it('the line never exceeds its length; the most severe fact always shows', () => {
    const many = state({
      recent: { requests: 50, errors: 30, topErrorType: 'upstream_error', p95Ms: 9000, tokensPerSecond: 5 },
      queue: { waiting: 12, slots: 1 },
      store: { droppedRecently: 4000, failing: false },
      gpus: parseNvidiaSmi('0, NVIDIA A100-SXM4-80GB, 99, 81000, 81920, 97, 398.10\n'),
    });
    const s = status(many);
    expect(s.line.length).toBeLessThanOrEqual(MAX_LINE_CHARS);
    expect(s.line.startsWith('60 % of requests failing')).toBe(true);
    expect(rulesLine([{ id: 'x', level: 'ok', text: 'y'.repeat(500) }])).toHaveLength(MAX_LINE_CHARS);
  });
});

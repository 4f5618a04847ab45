import { loadFixture } from '@ollama-lens/testkit/fixtures';
import { recordOf, RECORD_T0 } from '@ollama-lens/testkit/records';
import type { OllamaSnapshot, RunningModel } from '../metrics/ollama-collector';
import { parsePs, parseTags, parseVersion } from '../metrics/ollama-collector';
import { OllamaEventDetector, installedChanges, placement, recordEvents, runningChanges } from './detect';

const body = (name: string): unknown => JSON.parse(loadFixture(name).body);
// Recorded answers of the real Ollama: one model in memory, none, both tiny models installed.
const psLoaded = parsePs(body('ps-loaded'));
const psEmpty = parsePs(body('ps-empty'));
const tags = parseTags(body('tags'));
const version = parseVersion(body('version'));
const up = (over: Partial<OllamaSnapshot> = {}): OllamaSnapshot => ({
  up: true,
  version,
  running: psEmpty,
  installed: tags,
  ...over,
});
const T = RECORD_T0;

describe('events from successive polls', () => {
  it('the first poll is the baseline: a model already in memory is not news', () => {
    expect(new OllamaEventDetector().observe(up({ running: psLoaded }), T)).toEqual([]);
  });

  it('a model coming into memory and leaving it before its keep-alive ran out (evicted)', () => {
    const d = new OllamaEventDetector();
    d.observe(up(), T);
    expect(d.observe(up({ running: psLoaded }), T + 10_000)).toEqual([
      {
        at: T + 10_000,
        type: 'model_loaded',
        model: 'tiny:latest',
        details: {
          size_bytes: 13492736,
          vram_bytes: 0,
          placement: 'cpu',
          context_length: 4096,
          digest: psLoaded[0].digest ?? null,
        },
      },
    ]);
    // The recorded expiry is far in the future (keep_alive -1): leaving now is an eviction.
    const [gone] = d.observe(up(), T + 20_000);
    expect(gone).toMatchObject({
      type: 'model_unloaded',
      model: 'tiny:latest',
      details: { reason: 'evicted' },
    });
  });

  it('a model whose keep-alive ran out expired', () => {
    const m: RunningModel = { name: 'a:latest', size: 10, sizeVram: 10, expiresAt: T + 5_000 };
    const [gone] = runningChanges(T + 10_000, [m], []);
    expect(gone.details.reason).toBe('expired');
  });

  it('the same name with another digest in memory is an unload and a load', () => {
    const before: RunningModel = { name: 'a:latest', size: 10, sizeVram: 10, digest: 'd1' };
    const after: RunningModel = { ...before, digest: 'd2' };
    expect(runningChanges(T, [before], [after]).map((e) => e.type)).toEqual([
      'model_unloaded',
      'model_loaded',
    ]);
  });

  it('placement: all in VRAM, none, or split (offloaded)', () => {
    expect(placement({ size: 10, sizeVram: 10 })).toBe('gpu');
    expect(placement({ size: 10, sizeVram: 0 })).toBe('cpu');
    expect(placement({ size: 10, sizeVram: 4 })).toBe('split');
  });

  it('installed models: added, removed, and a digest that changed (re-pulled or re-created)', () => {
    const [tiny2, tiny] = tags;
    const changed = installedChanges(
      T,
      [tiny, tiny2],
      [
        { name: tiny.name, digest: 'new' },
        { name: 'x:latest', digest: 'dx' },
      ]
    );
    expect(changed).toEqual([
      {
        at: T,
        type: 'model_digest_changed',
        model: 'tiny:latest',
        details: { from: tiny.digest ?? null, to: 'new' },
      },
      { at: T, type: 'model_added', model: 'x:latest', details: { digest: 'dx' } },
      { at: T, type: 'model_removed', model: 'tiny2:latest', details: { digest: tiny2.digest ?? null } },
    ]);
  });

  it('down, then up again: a restart; what was in memory before it is not reported as unloaded', () => {
    const d = new OllamaEventDetector();
    d.observe(up({ running: psLoaded }), T);
    expect(d.observe({ up: false }, T + 10_000)).toEqual([
      { at: T + 10_000, type: 'ollama_down', model: null, details: { version, source: 'poll' } },
    ]);
    expect(d.observe({ up: false }, T + 20_000)).toEqual([]);
    expect(d.observe(up({ version: '0.10.2' }), T + 30_000)).toEqual([
      { at: T + 30_000, type: 'ollama_up', model: null, details: { version: '0.10.2', down_ms: 20_000 } },
      {
        at: T + 30_000,
        type: 'ollama_version_changed',
        model: null,
        details: { from: version, to: '0.10.2' },
      },
    ]);
    // After the restart the model loads again: that is news.
    expect(d.observe(up({ version: '0.10.2', running: psLoaded }), T + 40_000).map((e) => e.type)).toEqual([
      'model_loaded',
    ]);
  });

  it('a forwarded request that finds Ollama unreachable says it is down before the next poll', () => {
    const d = new OllamaEventDetector();
    d.observe(up(), T);
    expect(d.unreachable(T + 1_000)).toEqual([
      { at: T + 1_000, type: 'ollama_down', model: null, details: { version, source: 'traffic' } },
    ]);
    expect(d.unreachable(T + 2_000)).toEqual([]);
    expect(d.observe({ up: false }, T + 5_000)).toEqual([]);
    expect(d.observe(up(), T + 10_000).map((e) => [e.type, e.details.down_ms])).toEqual([
      ['ollama_up', 9_000],
    ]);
  });

  it('a failed /api/ps or /api/tags read says nothing about models', () => {
    const d = new OllamaEventDetector();
    d.observe(up({ running: psLoaded }), T);
    expect(d.observe(up({ running: undefined, installed: undefined }), T + 10_000)).toEqual([]);
    expect(d.observe(up({ running: psLoaded }), T + 20_000)).toEqual([]);
  });
});

describe('events from forwarded requests', () => {
  it('a cold start: the request paid for loading its model', () => {
    const r = recordOf({ requested_model: 'tiny', timings: { load_duration_ns: 250e6 } });
    expect(recordEvents(r)).toEqual([
      {
        at: r.started_at,
        type: 'cold_start',
        model: 'tiny:latest',
        details: { load_ms: 250, request_id: r.id },
      },
    ]);
    expect(recordEvents(recordOf({ timings: { load_duration_ns: 3e6 } }))).toEqual([]);
  });

  it('model management that succeeded: create, pull, delete, copy', () => {
    const types = (['/api/create', '/api/pull', '/api/delete', '/api/copy', '/api/push'] as const).map(
      (endpoint) =>
        recordEvents(recordOf({ endpoint, method: 'POST', requested_model: 'm', user: 'ops' }))[0]?.type
    );
    expect(types).toEqual(['model_created', 'model_pulled', 'model_deleted', 'model_copied', 'model_pushed']);
    const failed = recordOf({ endpoint: '/api/pull', status: 'error', http_status: 500 });
    expect(recordEvents(failed)).toEqual([]);
  });
});

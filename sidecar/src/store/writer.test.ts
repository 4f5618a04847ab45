import type { MeasurementRecord } from '../tap/record';
import { RecordFactory } from '@ollama-lens/testkit/records';
import { tempStore, type TempStore } from '../../test/store/helpers';
import { StoreWriter, type WriterOptions } from './writer';

const nextTick = () => new Promise((r) => setImmediate(r));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let t: TempStore;
let f: RecordFactory;
const opts = (over: Partial<WriterOptions> = {}): WriterOptions => ({
  queueSize: 1000,
  batchMs: 50,
  captureContent: true,
  ...over,
});

beforeEach(() => {
  t = tempStore();
  f = new RecordFactory({ seed: 5 });
});
afterEach(() => t.cleanup());

describe('StoreWriter', () => {
  test('record() only queues; the batch is written after batchMs', async () => {
    const w = new StoreWriter(t.store, opts({ batchMs: 80 }));
    for (let i = 0; i < 30; i++) w.record(f.next());
    expect(t.store.count()).toBe(0);
    expect(w.stats).toEqual({ written: 0, dropped: { queue_full: 0, store_error: 0 }, queueDepth: 30 });
    await sleep(20);
    expect(t.store.count()).toBe(0);
    await sleep(150);
    expect(t.store.count()).toBe(30);
    expect(w.stats).toEqual({ written: 30, dropped: { queue_full: 0, store_error: 0 }, queueDepth: 0 });
  });

  test('a full batch is written at once, without waiting for the timer', async () => {
    const w = new StoreWriter(t.store, opts({ batchMs: 60_000, batchSize: 10 }));
    for (let i = 0; i < 25; i++) w.record(f.next());
    await nextTick();
    await nextTick();
    expect(t.store.count()).toBe(20);
    expect(w.stats.queueDepth).toBe(5);
    await w.close();
    expect(t.store.count()).toBe(25);
  });

  test('a full queue drops new records and counts them as queue_full', () => {
    const w = new StoreWriter(t.store, opts({ queueSize: 5, batchMs: 60_000 }));
    for (let i = 0; i < 8; i++) expect(() => w.record(f.next())).not.toThrow();
    expect(w.stats.dropped.queue_full).toBe(3);
    expect(w.stats.queueDepth).toBe(5);
    w.flush();
    expect(t.store.count()).toBe(5);
  });

  test('a full disk (max_page_count) drops batches as store_error, never throws, and recovers', () => {
    const errors: unknown[] = [];
    const w = new StoreWriter(t.store, opts({ batchMs: 60_000, onError: (e) => errors.push(e) }));
    const pages = t.store.db.pragma('page_count', { simple: true }) as number;
    t.store.db.pragma(`max_page_count = ${pages}`);
    for (let i = 0; i < 200; i++) w.record(f.next());
    expect(() => w.flush()).not.toThrow();
    expect(w.stats.dropped.store_error).toBe(200);
    expect(w.stats.written).toBe(0);
    expect(w.lastError?.message).toMatch(/full/i);
    expect(errors.length).toBeGreaterThan(0);
    expect(t.store.count()).toBe(0);

    t.store.db.pragma('max_page_count = 1073741823');
    for (let i = 0; i < 10; i++) w.record(f.next());
    w.flush();
    expect(w.stats.written).toBe(10);
    expect(w.lastError).toBeUndefined();
  });

  test('one malformed record costs only itself', () => {
    const w = new StoreWriter(t.store, opts());
    const good = Array.from({ length: 9 }, () => f.next());
    // Not bindable (an object where a string belongs) and not even classifiable (a null message).
    const unbindable = { ...f.next(), model: {} } as unknown as MeasurementRecord;
    const broken = { ...f.next(), prompt: { messages: [null] } } as unknown as MeasurementRecord;
    for (const r of [...good.slice(0, 4), unbindable, ...good.slice(4), broken]) w.record(r);
    w.flush();
    expect(w.stats.written).toBe(9);
    expect(w.stats.dropped.store_error).toBe(2);
    expect(t.store.count()).toBe(9);
  });

  test('close() writes everything still queued; later records count as store errors', async () => {
    const w = new StoreWriter(t.store, opts({ batchMs: 60_000, batchSize: 100 }));
    for (let i = 0; i < 250; i++) w.record(f.next());
    await w.close();
    expect(t.store.count()).toBe(250);
    w.record(f.next());
    expect(w.stats.dropped.store_error).toBe(1);
    await w.close();
  });

  test('without a store every record is a store error', () => {
    const w = new StoreWriter(null, opts());
    w.record(f.next());
    expect(w.stats.dropped.store_error).toBe(1);
  });

  test('applies the capture and redaction options of the sidecar', () => {
    const w = new StoreWriter(t.store, opts({ captureContent: false }));
    w.record(f.next({ id: 'x', prompt: { prompt: 'secret plans' } }));
    w.flush();
    expect(t.store.db.prepare('SELECT prompt, prompt_preview FROM message_content').get()).toEqual({
      prompt: null,
      prompt_preview: null,
    });
  });
});

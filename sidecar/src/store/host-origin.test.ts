import { RecordFactory } from '@ollama-lens/testkit/records';
import { tempStore, type TempStore } from '../../test/store/helpers';
import { aggregations } from './aggregate';
import { getMessage, listMessages, values } from './queries';
import type { MessageFilters } from '@ollama-lens/contracts';

const FROM = 1_764_000_000_000;
const TO = FROM + 3600_000;

let t: TempStore;

// Two sidecars' messages in one store, as when several sidecars share one database, and a few the
// playground sent through one of them.
beforeAll(() => {
  t = tempStore();
  const f = new RecordFactory({ seed: 7, from: FROM, to: TO });
  t.add(
    Array.from({ length: 300 }, () => f.next()),
    { host: 'gpu-a' }
  );
  t.add(
    Array.from({ length: 200 }, () => f.next()),
    { host: 'gpu-b' }
  );
  t.add(
    Array.from({ length: 5 }, (_, i) => f.next({ id: `playground-${i}`, origin: 'playground' })),
    { host: 'gpu-b' }
  );
});
afterAll(() => t.cleanup());

const page = (filters: MessageFilters) =>
  listMessages(t.store, filters, { sort: 'time', order: 'desc', limit: 100 }).messages;

test('each message says which sidecar measured it, and the host filter separates them', () => {
  const a = page({ from: FROM, to: TO, host: ['gpu-a'] });
  expect(a.length).toBe(100);
  expect(a.every((m) => m.host === 'gpu-a')).toBe(true);
  const total = (host: string[]) =>
    aggregations(t.store, { from: FROM, to: TO, host }, { include: ['summary'] }).summary?.messages;
  expect(total(['gpu-a'])).toBe(300);
  expect(total(['gpu-b'])).toBe(205);
  expect(total(['gpu-a', 'gpu-b'])).toBe(505);
  expect(total(['elsewhere'])).toBe(0);
});

test('the host variable lists the sidecars with their message counts', () => {
  expect(values(t.store, 'host', { from: FROM, to: TO })).toEqual([
    { name: 'gpu-a', messages: 300 },
    { name: 'gpu-b', messages: 205 },
  ]);
  // From the host rollups: a window cut mid-minute (its edges read from the messages) counts as the messages do.
  const from = FROM + 754_321;
  const to = TO - 1_234_567;
  const counted = t.store
    .prepare(
      'SELECT host AS name, count(*) AS messages FROM messages WHERE started_at >= ? AND started_at < ? ' +
        'GROUP BY host ORDER BY messages DESC, name'
    )
    .all(from, to);
  expect(counted.length).toBe(2);
  expect(values(t.store, 'host', { from, to })).toEqual(counted);
});

test("the playground's messages are tagged and filterable; applications' have no origin", () => {
  const tagged = page({ from: FROM, to: TO, origin: ['playground'] });
  expect(tagged.map((m) => m.id).sort()).toEqual(Array.from({ length: 5 }, (_, i) => `playground-${i}`));
  expect(tagged.every((m) => m.origin === 'playground' && m.host === 'gpu-b')).toBe(true);
  const one = getMessage(t.store, 'playground-0');
  expect(one?.message.origin).toBe('playground');
  const app = page({ from: FROM, to: TO, host: ['gpu-a'] })[0];
  expect(app.origin).toBeNull();
});

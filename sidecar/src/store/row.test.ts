import type { MeasurementRecord } from '../tap/record';
import { Redactor } from './redact';
import { MESSAGE_COLUMNS, prepareRow, type PreparedRow } from './row';

const SECRETS = {
  email: 'maria.lopez@corp.example',
  aws: 'AKIAIOSFODNN7EXAMPLE',
  bearer: 'tok_9f8e7d6c5b4a3f2e1d0c',
  card: '4111 1111 1111 1111',
  key: 'sk-proj-Qw3rTy9UiOp1AsDfGhJkL2',
};

/** A record with a secret in every text field the tap can fill. */
function secretRecord(over: Partial<MeasurementRecord> = {}): MeasurementRecord {
  return {
    id: 'r1',
    method: 'POST',
    path: `/api/other/${SECRETS.key}`,
    endpoint: '/api/chat',
    flavor: 'ollama',
    model: `model-${SECRETS.email}:latest`,
    requested_model: `model-${SECRETS.email}`,
    user: SECRETS.email,
    session: SECRETS.aws,
    client_address: '127.0.0.1',
    user_agent: `curl/8 (Bearer ${SECRETS.bearer})`,
    stream: true,
    started_at: 1_750_000_000_000,
    ended_at: 1_750_000_000_100,
    duration_ms: 100,
    status: 'error',
    http_status: 400,
    error_type: 'bad_request',
    error_message: `model "${SECRETS.email}" not found`,
    request_bytes: 10,
    response_bytes: 10,
    prompt: {
      system: `key ${SECRETS.key}`,
      tools: [`lookup_${SECRETS.email}`],
      format: `{"pattern":"${SECRETS.aws}"}`,
      messages: [
        { role: 'user', content: `card ${SECRETS.card}` },
        {
          role: 'assistant',
          content: '',
          tool_calls: [
            { id: SECRETS.aws, name: `pay_${SECRETS.email}`, arguments: `{"card":"${SECRETS.card}"}` },
          ],
        },
        { role: 'tool', content: 'ok', tool_name: `pay_${SECRETS.email}` },
      ],
    },
    response: {
      content: `mailed ${SECRETS.email}`,
      thinking: `the key is ${SECRETS.key}`,
      tool_calls: [{ name: `send_${SECRETS.email}`, arguments: `{"to":"${SECRETS.email}"}` }],
    },
    options: {
      temperature: 0.5,
      stop: [SECRETS.email],
      keep_alive: `5m ${SECRETS.aws}`,
      extra: {
        [SECRETS.email]: 1,
        nested: { card: SECRETS.card, list: [SECRETS.key] },
        ['__proto__']: SECRETS.aws,
      },
    },
    done_reason: `stop ${SECRETS.aws}`,
    token_source: 'ollama',
    chunks: [
      { t_ms: 1, bytes: 10, text: 'mailed maria.lo' },
      { t_ms: 2, bytes: 10, text: 'pez@corp.example' },
    ],
    capture_content: true,
    ...over,
  };
}

const everything = (row: PreparedRow) => JSON.stringify([row.message, row.content, row.fts]);
const redactor = new Redactor();

describe('prepareRow redaction', () => {
  test('no secret survives in any column, the FTS text or the chunks', () => {
    const row = prepareRow(secretRecord(), { captureContent: true, redactor });
    const all = everything(row);
    for (const s of [...Object.values(SECRETS), 'maria.lo', '4111']) expect(all).not.toContain(s);
    const col = (c: (typeof MESSAGE_COLUMNS)[number]) => row.message[MESSAGE_COLUMNS.indexOf(c)];
    expect(col('user')).toBe('[REDACTED:email]');
    expect(col('session')).toBe('[REDACTED:aws_key]');
    expect(col('user_agent')).toBe('curl/8 (Bearer [REDACTED:token])');
    expect(col('client_address')).toBe('127.0.0.1');
    expect(col('redacted')).toBe(1);
    const options = JSON.parse(col('options') as string);
    expect(options.temperature).toBe(0.5);
    expect(options.extra['[REDACTED:email]']).toBe(1);
    // A "__proto__" key stays an own key (its value redacted), not the object's prototype.
    expect(Object.getOwnPropertyDescriptor(options.extra, '__proto__')?.value).toBe('[REDACTED:aws_key]');
    expect(row.fts![1]).toContain('[REDACTED:email]');
  });

  test('the same secret gives the same placeholder, so user and session stay usable filter keys', () => {
    const a = prepareRow(secretRecord(), { captureContent: true, redactor });
    const b = prepareRow(secretRecord({ id: 'r2' }), { captureContent: true, redactor });
    const at = MESSAGE_COLUMNS.indexOf('user');
    expect(a.message[at]).toBe(b.message[at]);
    // Values that are not secrets are kept as they are.
    const c = prepareRow(secretRecord({ user: 'alice', session: 's-1' }), {
      captureContent: true,
      redactor,
    });
    expect([c.message[at], c.message[MESSAGE_COLUMNS.indexOf('session')]]).toEqual(['alice', 's-1']);
  });

  test('without content capture the metadata is still redacted', () => {
    // Off for the whole sidecar, or for this request (the no-capture header).
    for (const [sidecarCaptures, requestCaptures] of [
      [false, true],
      [true, false],
    ]) {
      const row = prepareRow(secretRecord({ capture_content: requestCaptures }), {
        captureContent: sidecarCaptures,
        redactor,
      });
      const all = everything(row);
      for (const s of Object.values(SECRETS)) expect(all).not.toContain(s);
      expect(row.content.slice(0, 3)).toEqual([null, null, null]);
      expect(row.fts).toBeNull();
    }
  });

  test('the row holds the derived values the record carries (the store computes none)', () => {
    const row = prepareRow(
      {
        ...secretRecord(),
        model: 'm:latest',
        requested_model: 'm',
        queue_ms: 7,
        tokens_per_second: 3,
        cost: 0.25,
      },
      { captureContent: true }
    );
    const at = (c: (typeof MESSAGE_COLUMNS)[number]) => row.message[MESSAGE_COLUMNS.indexOf(c)];
    expect([at('model'), at('requested_model'), at('queue_ms'), at('tokens_per_second'), at('cost')]).toEqual(
      ['m:latest', 'm', 7, 3, 0.25]
    );
  });

  test('without a redactor everything is kept verbatim', () => {
    const row = prepareRow(secretRecord(), { captureContent: true });
    expect(everything(row)).toContain(SECRETS.email);
    expect(row.message[MESSAGE_COLUMNS.indexOf('redacted')]).toBe(0);
  });
});

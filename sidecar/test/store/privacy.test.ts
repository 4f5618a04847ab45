/**
 * Privacy through the real sidecar and Ollama: redaction removes what it promises (from the API, the
 * search index and the bytes on disk), and content opt-out, global or per request, stores no text.
 */
import fs from 'node:fs';
import path from 'node:path';
import { request } from 'undici';
import { testOllamaModels, testOllamaUrl } from '@ollama-lens/testkit/env';
import { startSidecar, type TestSidecar } from '@ollama-lens/testkit/sidecar';
import { send, settle } from './traffic';

async function get(sidecar: TestSidecar, p: string) {
  const res = await request(sidecar.adminUrl + p);
  expect(res.statusCode).toBe(200);
  return res.body.json() as Promise<
    Record<string, unknown> & { message?: Record<string, unknown>; results?: unknown[] }
  >;
}

/** Every byte of the database files (.db, and -wal and -shm if any are left after the close). */
function diskBytes(sidecar: TestSidecar): Buffer {
  const db = sidecar.app.services.config.dbPath;
  const dir = path.dirname(db);
  return Buffer.concat(
    fs
      .readdirSync(dir)
      .filter((f) => f.startsWith(path.basename(db)))
      .map((f) => fs.readFileSync(path.join(dir, f)))
  );
}

const SECRETS = {
  key: 'sk-proj-Qw3rTy9UiOp1AsDfGhJkL2',
  email: 'maria.lopez@corp.example',
  card: '4111-1111-1111-1111',
  aws: 'AKIAIOSFODNN7EXAMPLE',
  employee: 'EMP-204981',
};

describe('redaction', () => {
  let sidecar: TestSidecar;
  let ids: string[];
  beforeAll(async () => {
    const [model] = testOllamaModels();
    sidecar = await startSidecar(testOllamaUrl(), [
      '--redact',
      '--redact-patterns',
      'EMP-\\d{6}',
      '--batch-ms',
      '20',
    ]);
    const content = `Charge card ${SECRETS.card} and email ${SECRETS.email}; key ${SECRETS.key}, aws ${SECRETS.aws}, staff ${SECRETS.employee}.`;
    ids = [
      (
        await send(sidecar.url, '/api/chat', {
          model,
          stream: true,
          options: { num_predict: 8 },
          messages: [
            { role: 'system', content: `admin ${SECRETS.email}` },
            { role: 'user', content },
          ],
        })
      ).id,
      (
        await send(sidecar.url, '/api/generate', {
          model,
          stream: false,
          options: { num_predict: 8, stop: [SECRETS.email] },
          prompt: content,
        })
      ).id,
      (
        await send(sidecar.url, '/v1/chat/completions', {
          model,
          max_tokens: 8,
          messages: [{ role: 'user', content }],
        })
      ).id,
    ];
    await settle(sidecar, 3);
  });
  afterAll(() => sidecar.close());

  test('the API shows placeholders, never the secrets', async () => {
    for (const id of ids) {
      const { message } = await get(sidecar, `/analytics/messages/${id}`);
      const text = JSON.stringify(message);
      for (const s of Object.values(SECRETS)) expect(text).not.toContain(s);
      expect(message!.redacted).toBe(true);
      for (const label of ['card', 'email', 'api_key', 'aws_key', 'custom'])
        expect(text).toContain(`[REDACTED:${label}]`);
    }
    const page = await get(sidecar, '/analytics/messages');
    expect(JSON.stringify(page)).not.toContain(SECRETS.email);
  });

  test('the search index does not know the secrets', async () => {
    for (const q of ['maria', 'lopez', 'Qw3rTy9UiOp1AsDfGhJkL2', '4111', 'AKIAIOSFODNN7EXAMPLE', '204981']) {
      expect((await get(sidecar, `/analytics/search?q=${encodeURIComponent(q)}`)).results).toEqual([]);
    }
    expect((await get(sidecar, '/analytics/search?q=REDACTED')).results).toHaveLength(3);
  });

  test('the exports do not contain them', async () => {
    for (const format of ['csv', 'ndjson', 'json']) {
      const res = await request(`${sidecar.adminUrl}/analytics/export?format=${format}`);
      const body = await res.body.text();
      for (const s of Object.values(SECRETS)) expect(body).not.toContain(s);
    }
  });

  test('no byte on disk contains them', async () => {
    await sidecar.close();
    const bytes = diskBytes(sidecar);
    expect(bytes.length).toBeGreaterThan(10_000);
    for (const s of [...Object.values(SECRETS), 'maria.lopez', 'Qw3rTy9UiOp1'])
      expect(bytes.includes(s)).toBe(false);
  });
});

describe('redaction of headers, options and tool calls', () => {
  /** Secrets that arrive only outside the prompt text: in headers, free-form options, tool calls. */
  const HIDDEN = {
    userEmail: 'lena.schmidt@firma.example',
    sessionAws: 'AKIAJ7Q2EXAMPLEKEY99',
    uaToken: 'zY8xW7vU6tS5rQ4pO3nM2l',
    optionCard: '5555 5555 5555 4444',
    toolCard: '4012888888881881',
    optionKeyEmail: 'ops.pager@firma.example',
  };

  test('none of them reaches the API, the search index or a byte of the .db, -wal or -shm files', async () => {
    const [model] = testOllamaModels();
    // Content capture off for one request too: its headers must be redacted all the same.
    const sidecar = await startSidecar(testOllamaUrl(), ['--redact', '--batch-ms', '20']);
    const headers = {
      'x-user-id': HIDDEN.userEmail,
      'x-session-id': HIDDEN.sessionAws,
      'user-agent': `acme-bot/1.0 (Authorization: Bearer ${HIDDEN.uaToken})`,
    };
    let ids: string[];
    try {
      const sent = [
        await send(
          sidecar.url,
          '/api/chat',
          {
            model,
            stream: true,
            // Unknown option keys are kept as free-form `extra`: a secret in a key and in a value.
            options: {
              num_predict: 8,
              stop: [`card ${HIDDEN.optionCard}`],
              billing_ref: `card ${HIDDEN.optionCard}`,
              [HIDDEN.optionKeyEmail]: true,
            },
            messages: [
              { role: 'user', content: 'Pay the invoice.' },
              {
                role: 'assistant',
                content: '',
                tool_calls: [
                  {
                    function: {
                      name: 'charge_card',
                      arguments: { card: HIDDEN.toolCard, note: HIDDEN.userEmail },
                    },
                  },
                ],
              },
              { role: 'tool', content: 'paid' },
            ],
          },
          headers
        ),
        await send(
          sidecar.url,
          '/api/generate',
          { model, stream: false, options: { num_predict: 4 }, prompt: 'hello' },
          { ...headers, 'x-ollama-lens-no-capture': '1' }
        ),
        await send(
          sidecar.url,
          '/api/chat',
          { model: 'no-such-model', messages: [{ role: 'user', content: 'hi' }] },
          headers
        ),
      ];
      ids = sent.map((x) => x.id);
      await settle(sidecar, 3);
      for (const id of ids) {
        const text = JSON.stringify((await get(sidecar, `/analytics/messages/${id}`)).message);
        for (const s of Object.values(HIDDEN)) expect(text).not.toContain(s);
        expect(text).toContain('[REDACTED:email]');
        expect(text).toContain('[REDACTED:aws_key]');
        expect(text).toContain('[REDACTED:token]');
      }
      const first = (await get(sidecar, `/analytics/messages/${ids[0]}`)).message as {
        user: string;
        session: string;
        options: { extra?: Record<string, unknown>; stop?: string[] };
        prompt: { messages: { tool_calls?: { name: string; arguments: string }[] }[] };
      };
      expect(first).toMatchObject({ user: '[REDACTED:email]', session: '[REDACTED:aws_key]' });
      // The tool call was stored, with its arguments redacted.
      expect(first.prompt.messages[1].tool_calls).toEqual([
        { name: 'charge_card', arguments: expect.stringContaining('[REDACTED:card]') },
      ]);
      expect(first.options.stop).toEqual(['card [REDACTED:card]']);
      expect(first.options.extra).toMatchObject({
        billing_ref: 'card [REDACTED:card]',
        '[REDACTED:email]': true,
      });
      // Filtering by the redacted user still finds that user's messages: same secret, same placeholder.
      const page = await get(sidecar, `/analytics/messages?user=${encodeURIComponent('[REDACTED:email]')}`);
      expect((page.messages as unknown[]).length).toBe(3);
      for (const q of [
        'lena',
        'schmidt',
        'AKIAJ7Q2EXAMPLEKEY99',
        'zY8xW7vU6tS5rQ4pO3nM2l',
        '4012888888881881',
        '5555',
      ])
        expect((await get(sidecar, `/analytics/search?q=${encodeURIComponent(q)}`)).results).toEqual([]);
      // While the sidecar runs, the newest pages live in the -wal file: it holds no secret either.
      const dir = path.dirname(sidecar.app.services.config.dbPath);
      expect(fs.readdirSync(dir).some((f) => f.endsWith('-wal'))).toBe(true);
      const live = diskBytes(sidecar);
      for (const s of Object.values(HIDDEN))
        expect({ secret: s, inLiveFiles: live.includes(s) }).toEqual({ secret: s, inLiveFiles: false });
    } finally {
      await sidecar.close();
    }
    const bytes = diskBytes(sidecar);
    expect(bytes.length).toBeGreaterThan(10_000);
    for (const s of [...Object.values(HIDDEN), 'lena.schmidt', 'J7Q2EXAMPLEKEY', '4012 8888', '5555 5555'])
      expect({ secret: s, found: bytes.includes(s) }).toEqual({ secret: s, found: false });
  });
});

describe('content capture off', () => {
  const WORD = 'quetzalcoatlus';

  test('globally (--capture-content=false): metadata only, no text anywhere', async () => {
    const [model] = testOllamaModels();
    const sidecar = await startSidecar(testOllamaUrl(), ['--capture-content', 'false', '--batch-ms', '20']);
    try {
      const a = await send(
        sidecar.url,
        '/api/chat',
        {
          model,
          stream: true,
          options: { num_predict: 8 },
          messages: [{ role: 'user', content: `tell me about the ${WORD}` }],
        },
        { 'x-user-id': 'u1' }
      );
      const b = await send(sidecar.url, '/api/generate', {
        model,
        stream: false,
        options: { num_predict: 8 },
        prompt: `${WORD} facts`,
      });
      expect([a.status, b.status]).toEqual([200, 200]);
      await settle(sidecar, 2);
      for (const id of [a.id, b.id]) {
        const { message } = await get(sidecar, `/analytics/messages/${id}`);
        expect(message).toMatchObject({
          capture_content: false,
          prompt: null,
          response: null,
          prompt_preview: null,
          status: 'success',
        });
        expect((message!.input_tokens as number) > 0).toBe(true);
        expect((message!.chunks as { text: unknown }[]).every((c) => c.text === null)).toBe(true);
      }
      expect((await get(sidecar, `/analytics/search?q=${WORD}`)).results).toEqual([]);
      const db = sidecar.openDb();
      expect(
        db.prepare('SELECT count(*) FROM messages_fts WHERE messages_fts MATCH \'"tell"\'').pluck().get()
      ).toBe(0);
      db.close();
    } finally {
      await sidecar.close();
    }
    expect(diskBytes(sidecar).includes(WORD)).toBe(false);
  });

  test('per request (the no-capture header): only that request loses its text', async () => {
    const [model] = testOllamaModels();
    const sidecar = await startSidecar(testOllamaUrl(), ['--batch-ms', '20']);
    try {
      const hidden = await send(
        sidecar.url,
        '/api/generate',
        { model, stream: false, options: { num_predict: 8 }, prompt: `secret ${WORD} plan` },
        { 'x-ollama-lens-no-capture': '1' }
      );
      const shown = await send(sidecar.url, '/api/generate', {
        model,
        stream: false,
        options: { num_predict: 8 },
        prompt: 'public plan',
      });
      await settle(sidecar, 2);
      expect((await get(sidecar, `/analytics/messages/${hidden.id}`)).message).toMatchObject({
        capture_content: false,
        prompt: null,
        response: null,
      });
      expect((await get(sidecar, `/analytics/messages/${shown.id}`)).message).toMatchObject({
        capture_content: true,
        prompt: { prompt: 'public plan' },
      });
      expect((await get(sidecar, `/analytics/search?q=plan`)).results).toHaveLength(1);
    } finally {
      await sidecar.close();
    }
    const bytes = diskBytes(sidecar);
    expect(bytes.includes(WORD)).toBe(false);
    expect(bytes.includes('public plan')).toBe(true);
  });
});

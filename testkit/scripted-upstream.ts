/**
 * The sidecar's upstream for the browser suite: a pass-through to the real Ollama, except for a few
 * `scripted-*` model names that answer with fixed Ollama responses. The tiny random-weight model can
 * neither call tools, think, nor be made to answer with HTML, so those messages (and only those) get
 * their answers from here; they still travel through the sidecar's real proxy and tap into its store.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { LoopbackServer, readBody } from './http';

export interface ScriptedAnswer {
  content: string;
  thinking?: string;
  tool_calls?: Array<{ function: { name: string; arguments: Record<string, unknown> } }>;
}

export const SCRIPTED_PREFIX = 'scripted-';

/** Ollama's /api/chat reply for a scripted model, whole or as NDJSON chunks. */
function answerChat(res: ServerResponse, model: string, answer: ScriptedAnswer, stream: boolean) {
  const timings = {
    total_duration: 42_000_000,
    load_duration: 1_000_000,
    prompt_eval_count: 14,
    prompt_eval_duration: 8_000_000,
    eval_count: 9,
    eval_duration: 30_000_000,
  };
  const created_at = new Date().toISOString();
  if (!stream) {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    res.end(
      JSON.stringify({
        model,
        created_at,
        message: { role: 'assistant', ...answer },
        done: true,
        done_reason: 'stop',
        ...timings,
      })
    );
    return;
  }
  res.writeHead(200, { 'content-type': 'application/x-ndjson' });
  const parts = answer.content.match(/[\s\S]{1,24}/g) ?? [];
  const lines = [
    ...(answer.thinking ? [{ message: { role: 'assistant', content: '', thinking: answer.thinking } }] : []),
    ...parts.map((p) => ({ message: { role: 'assistant', content: p } })),
    ...(answer.tool_calls
      ? [{ message: { role: 'assistant', content: '', tool_calls: answer.tool_calls } }]
      : []),
  ];
  for (const line of lines) {
    res.write(`${JSON.stringify({ model, created_at, ...line, done: false })}\n`);
  }
  res.end(
    `${JSON.stringify({ model, created_at, message: { role: 'assistant', content: '' }, done: true, done_reason: 'stop', ...timings })}\n`
  );
}

export class ScriptedUpstream extends LoopbackServer {
  /** @param ollamaUrl the real Ollama every other request goes to. */
  constructor(
    private readonly ollamaUrl: string,
    private readonly answers: Record<string, ScriptedAnswer>
  ) {
    super();
  }

  protected override fail(res: ServerResponse, err: Error): void {
    if (!res.headersSent) {
      res.writeHead(502, { 'content-type': 'application/json' });
    }
    res.end(JSON.stringify({ error: err.message }));
  }

  protected override async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    if (req.method === 'POST' && req.url === '/api/chat') {
      let parsed: { model?: string; stream?: boolean } = {};
      try {
        parsed = JSON.parse(body.toString('utf8')) as typeof parsed;
      } catch {
        // not JSON: Ollama answers that itself
      }
      const answer = parsed.model?.startsWith(SCRIPTED_PREFIX) ? this.answers[parsed.model] : undefined;
      if (parsed.model && answer) {
        answerChat(res, parsed.model, answer, parsed.stream !== false);
        return;
      }
    }
    await this.forward(req, res, body);
  }

  /** Everything else: the real Ollama, byte for byte (streams included). */
  private forward(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      const headers = { ...req.headers };
      delete headers.host;
      const upstream = http.request(
        `${this.ollamaUrl}${req.url ?? '/'}`,
        { method: req.method, headers },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
          up.on('end', resolve);
          up.on('error', reject);
        }
      );
      upstream.on('error', reject);
      // A client that goes away (the cancelled message) must cancel the generation upstream too.
      res.on('close', () => {
        if (!res.writableFinished) {
          upstream.destroy();
          resolve();
        }
      });
      upstream.end(body);
    });
  }
}

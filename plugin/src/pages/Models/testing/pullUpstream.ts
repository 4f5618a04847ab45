/**
 * The Models tests' upstream of their own sidecar: the real Ollama for everything, except a pull of a
 * `scripted-pull…` model, which a real Ollama cannot make here (no registry). That pull gets Ollama's
 * progress lines from the test, one call of `send()` at a time, and the stream stays open until the test
 * ends it or the client goes away (which `closed` reports: a cancel must reach the upstream).
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { PullProgressLine } from '@ollama-lens/contracts';
import { LoopbackServer, readBody } from '@ollama-lens/testkit/http';

export const SCRIPTED_PULL_PREFIX = 'scripted-pull';

export class PullUpstream extends LoopbackServer {
  private current?: ServerResponse;
  private waiting: Array<() => void> = [];
  /** Pull requests that reached this upstream, and whether the client closed each before its end. */
  readonly pulls: Array<{ model: string; closedEarly: boolean }> = [];

  constructor(private readonly ollamaUrl: string) {
    super();
  }

  protected override fail(res: ServerResponse, err: Error): void {
    if (!res.headersSent) {
      res.writeHead(502, { 'content-type': 'application/json' });
    }
    res.end(JSON.stringify({ error: err.message }));
  }

  /** Resolves once a scripted pull is open. */
  opened(): Promise<void> {
    return this.current ? Promise.resolve() : new Promise((resolve) => this.waiting.push(resolve));
  }

  send(line: PullProgressLine): void {
    this.current?.write(`${JSON.stringify(line)}\n`);
  }

  protected override async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    if (req.method === 'POST' && req.url === '/api/pull') {
      const model = (JSON.parse(body.toString('utf8')) as { model?: string; name?: string }).model ?? '';
      if (model.startsWith(SCRIPTED_PULL_PREFIX)) {
        const record = { model, closedEarly: false };
        this.pulls.push(record);
        res.writeHead(200, { 'content-type': 'application/x-ndjson' });
        this.current = res;
        res.on('close', () => {
          record.closedEarly = !res.writableFinished;
          if (this.current === res) {
            this.current = undefined;
          }
        });
        this.waiting.splice(0).forEach((resolve) => resolve());
        return;
      }
    }
    await this.forward(req, res, body);
  }

  private forward(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      const headers = { ...req.headers };
      delete headers.host;
      const upstream = http.request(`${this.ollamaUrl}${req.url ?? '/'}`, { method: req.method, headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
        up.on('end', resolve);
        up.on('error', reject);
      });
      upstream.on('error', reject);
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

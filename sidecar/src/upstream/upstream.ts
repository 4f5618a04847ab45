import { Pool } from 'undici';
import type { Config } from '../config';

/**
 * The connection pool to Ollama. Keeps connections alive, applies the connect and idle timeouts, and
 * knows the Host header Ollama expects (Ollama answers 403 to a Host it does not consider local).
 */
export class Upstream {
  readonly origin: string;
  readonly host: string;
  /** Path prefix of the upstream URL (usually empty), prepended to every forwarded path. */
  readonly basePath: string;
  readonly pool: Pool;

  constructor(config: Pick<Config, 'upstream' | 'connectTimeoutMs' | 'idleTimeoutMs'>) {
    const u = config.upstream;
    this.origin = u.origin;
    this.host = u.host;
    this.basePath = u.pathname.replace(/\/+$/, '');
    this.pool = new Pool(this.origin, {
      connect: { timeout: config.connectTimeoutMs },
      // Both are idle timeouts: time to the response headers, and silence between body chunks.
      headersTimeout: config.idleTimeoutMs,
      bodyTimeout: config.idleTimeoutMs,
      keepAliveTimeout: 30_000,
      pipelining: 1,
    });
  }

  path(p: string): string {
    return this.basePath + p;
  }

  /** A small JSON GET for pollers and readiness checks (never used on the proxy path). */
  async getJson<T>(path: string, timeoutMs = 5000): Promise<T> {
    const res = await this.pool.request({
      method: 'GET',
      path: this.path(path),
      headers: { host: this.host, accept: 'application/json' },
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`GET ${path}: HTTP ${res.statusCode} ${text.slice(0, 200)}`);
    return JSON.parse(text) as T;
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}

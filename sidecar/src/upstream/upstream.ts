import { Pool } from 'undici';
import type { Config } from '../config';

/** How long the proxy waits for Ollama at each stage of one exchange (0 = no limit). */
export interface DispatchTimeouts {
  /** From the request being sent to the response headers. */
  headersTimeout: number;
  /** Between two chunks of the response body, once it has started. */
  bodyTimeout: number;
  /** The option that sets `headersTimeout`, named in the error the client gets. */
  headersOption: 'OLLAMA_LENS_HEADER_TIMEOUT_MS' | 'OLLAMA_LENS_IDLE_TIMEOUT_MS';
}

/**
 * The connection pool to Ollama. Keeps connections alive, applies the connect timeout, decides the
 * per-request timeouts, and knows the Host header Ollama expects (Ollama answers 403 to a Host it does
 * not consider local).
 */
export class Upstream {
  readonly origin: string;
  readonly host: string;
  /** Path prefix of the upstream URL (usually empty), prepended to every forwarded path. */
  readonly basePath: string;
  readonly pool: Pool;
  private readonly inference: DispatchTimeouts;
  private readonly other: DispatchTimeouts;

  constructor(config: Pick<Config, 'upstream' | 'connectTimeoutMs' | 'idleTimeoutMs' | 'headerTimeoutMs'>) {
    const u = config.upstream;
    this.origin = u.origin;
    this.host = u.host;
    this.basePath = u.pathname.replace(/\/+$/, '');
    // An inference request may wait in Ollama's own queue before any header comes back: that wait is
    // not silence, and Ollama bounds its queue itself (503 when full). So no limit before the headers
    // unless one is configured; the idle limit starts with the body.
    this.inference = {
      headersTimeout: config.headerTimeoutMs,
      bodyTimeout: config.idleTimeoutMs,
      headersOption: 'OLLAMA_LENS_HEADER_TIMEOUT_MS',
    };
    // Everything else (tags, show, ps, version, pulls…) is answered without queueing.
    this.other = {
      headersTimeout: config.idleTimeoutMs,
      bodyTimeout: config.idleTimeoutMs,
      headersOption: 'OLLAMA_LENS_IDLE_TIMEOUT_MS',
    };
    this.pool = new Pool(this.origin, {
      connect: { timeout: config.connectTimeoutMs },
      // Defaults for requests that do not set their own (pollers, readiness): every wait is idle time.
      headersTimeout: config.idleTimeoutMs,
      bodyTimeout: config.idleTimeoutMs,
      keepAliveTimeout: 30_000,
      pipelining: 1,
    });
  }

  /** Timeouts for one forwarded request: inference endpoints may queue in Ollama before answering. */
  timeouts(inference: boolean): DispatchTimeouts {
    return inference ? this.inference : this.other;
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

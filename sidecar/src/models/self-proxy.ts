/**
 * Requests the sidecar sends to Ollama on a person's behalf (the model actions, the playground) go
 * through its own proxy listener, as an application's would: the real forwarding path measures them
 * (metrics, store, spans), the event detector sees them (model_pulled, model_deleted…), the tap gives
 * the stored message its id (x-ollama-lens-id on the response head), and a client that leaves aborts
 * Ollama's work the way it does for any client. Nothing here forwards by itself.
 */
import { MESSAGE_ID_HEADER } from '@ollama-lens/contracts';
import { Agent, request, type Dispatcher } from 'undici';
import { HttpError } from '../analytics/params';
import { ollamaErrorText } from './ollama-models';

export interface ProxiedResponse {
  status: number;
  /** The stored message's id (the proxy's x-ollama-lens-id); null if the proxy gave none. */
  messageId: string | null;
  contentType: string | undefined;
  body: Dispatcher.ResponseData['body'];
}

export interface SelfRequest {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  body?: unknown;
  /** Extra request headers (the origin header, the user and session headers). */
  headers?: Record<string, string>;
  /** Aborting it closes the connection to the proxy, which cancels Ollama's work. */
  signal?: AbortSignal;
}

const first = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

export class SelfProxy {
  /**
   * No timeouts of its own: the proxy applies the upstream's (--idle-timeout-ms, --header-timeout-ms)
   * and answers when they pass, so a long load or pull is judged once, by the same rules as any request.
   */
  private readonly agent = new Agent({ headersTimeout: 0, bodyTimeout: 0, keepAliveTimeout: 10_000 });

  /** @param proxyUrl the proxy listener's base URL once it listens (undefined before). */
  constructor(private readonly proxyUrl: () => string | undefined) {}

  async send(r: SelfRequest): Promise<ProxiedResponse> {
    const base = this.proxyUrl();
    if (!base) throw new HttpError(503, 'the sidecar is not listening yet; try again in a moment');
    try {
      const res = await request(new URL(r.path, base), {
        method: r.method,
        headers: {
          accept: 'application/json',
          ...(r.body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...r.headers,
        },
        body: r.body !== undefined ? JSON.stringify(r.body) : undefined,
        signal: r.signal,
        dispatcher: this.agent,
      });
      return {
        status: res.statusCode,
        messageId: first(res.headers[MESSAGE_ID_HEADER]) ?? null,
        contentType: first(res.headers['content-type']),
        body: res.body,
      };
    } catch (err) {
      if (r.signal?.aborted) throw err;
      const e = err as Error & { code?: string };
      throw new HttpError(
        502,
        `the sidecar could not reach its own proxy at ${base}: ${e.code ?? e.message}`
      );
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

/**
 * A failed answer as this API's error: Ollama's own message, with its status where that status means
 * the same here (400 bad input, 404 no such model, 502/503/504 Ollama unreachable, busy or too slow);
 * any other (Ollama's 500, a 403 from its host check) is Ollama failing: 502.
 */
export async function proxiedError(res: ProxiedResponse): Promise<HttpError> {
  const body = await res.body.text();
  const status = [400, 404, 502, 503, 504].includes(res.status) ? res.status : 502;
  return new HttpError(status, ollamaErrorText(res.status, body));
}

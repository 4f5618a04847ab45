import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import type { Exchange, Outcome } from '../tap/exchange';
import type { DispatchTimeouts } from '../upstream/upstream';
import type { Cuttable } from './drain';
import { BodyTooLarge, errorCode, sendError, TIMEOUT_CODES } from './errors';
import { clientResponseHeaders } from './headers';

export interface ForwardContext {
  res: ServerResponse;
  exchange: Exchange;
  upstreamLabel: string;
  /** The limits this request was dispatched with (they depend on the endpoint). */
  timeouts: DispatchTimeouts;
  /** Called once with how the exchange ended. */
  finish(outcome: Outcome): void;
  /** Called when the response head arrives (the request body has been read by then). */
  onHead(): void;
  /** The client's request body failed (it went away, or lied about its length). */
  requestErrored(): boolean;
}

const SHUTDOWN_MESSAGE =
  'ollama-lens is shutting down: the request was still waiting for Ollama when the drain timeout passed';

/**
 * Bridges undici's dispatch callbacks straight onto the client's response: no intermediate stream,
 * so each chunk is written the moment it arrives, with backpressure both ways.
 */
export class ForwardHandler implements Dispatcher.DispatchHandler, Cuttable {
  private controller: Dispatcher.DispatchController | undefined;
  private clientGone = false;
  private shutdownCut = false;
  private dispatchedAt: number;

  constructor(private readonly ctx: ForwardContext) {
    this.dispatchedAt = ctx.exchange.elapsed();
    ctx.exchange.addOverhead(this.dispatchedAt);
    const { res } = ctx;
    res.on('close', () => {
      if (res.writableFinished) return;
      this.clientGone = true;
      this.controller?.abort(new Error('client closed the connection'));
      ctx.finish({ kind: 'client_abort' });
    });
    res.on('finish', () => ctx.finish({ kind: 'complete' }));
    res.on('drain', () => this.controller?.resume());
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.clientGone) controller.abort(new Error('client closed the connection'));
    else if (this.shutdownCut) controller.abort(new Error('ended by shutdown'));
  }

  /**
   * The drain deadline passed: Ollama stops working on this request, and the client gets a 503 if
   * nothing was answered yet, else a broken stream (its status is already out). The plugin marks the
   * record as ended by shutdown, whatever outcome is reported here.
   */
  cut(): void {
    if (this.shutdownCut) return;
    this.shutdownCut = true;
    const { res } = this.ctx;
    if (!res.headersSent && !res.destroyed) {
      this.ctx.onHead();
      sendError(res, 503, SHUTDOWN_MESSAGE, { connection: 'close' });
      this.ctx.finish({ kind: 'rejected', message: SHUTDOWN_MESSAGE, httpStatus: 503 });
    } else {
      res.destroy();
    }
    this.controller?.abort(new Error('ended by shutdown'));
  }

  onResponseStart(_c: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    const { exchange, res } = this.ctx;
    const headAt = exchange.elapsed();
    this.ctx.onHead();
    const ct = headers['content-type'];
    exchange.onResponseHead(statusCode, Array.isArray(ct) ? ct[0] : ct);
    if (res.destroyed) return;
    const upstreamMs = headAt - this.dispatchedAt;
    const overhead = this.dispatchedAt + (exchange.elapsed() - headAt);
    res.writeHead(
      statusCode,
      clientResponseHeaders(headers, {
        'x-ollama-lens-id': exchange.init.id,
        'server-timing': `ollama-lens;dur=${overhead.toFixed(3)};desc="sidecar overhead", ollama;dur=${upstreamMs.toFixed(3)};desc="time to response head"`,
      })
    );
    exchange.addOverhead(exchange.elapsed() - headAt);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.ctx.exchange.onResponseChunk(chunk);
    if (!this.ctx.res.write(chunk)) controller.pause();
  }

  onResponseEnd(): void {
    this.ctx.res.end();
  }

  onResponseError(_c: Dispatcher.DispatchController, err: Error): void {
    const { res, finish, timeouts } = this.ctx;
    if (this.clientGone || this.shutdownCut) return finish({ kind: 'client_abort' });
    const code = errorCode(err);
    const timeout = code !== undefined && TIMEOUT_CODES.has(code);
    if (res.headersSent) {
      // Mid-stream: the status is already out, so the only honest signal left is to break the connection.
      finish(
        timeout
          ? {
              kind: 'timeout',
              message: `Ollama sent nothing for ${timeouts.bodyTimeout} ms mid-response (OLLAMA_LENS_IDLE_TIMEOUT_MS)`,
            }
          : { kind: 'upstream_broken', message: `the response from Ollama broke off: ${err.message}` }
      );
      res.destroy();
      return;
    }
    this.ctx.onHead();
    if (err instanceof BodyTooLarge) {
      // The unread body would otherwise keep the connection busy: close it after the answer.
      sendError(res, 413, err.message, { connection: 'close' });
      return finish({ kind: 'rejected', message: err.message, httpStatus: 413 });
    }
    if (timeout) {
      const message = `Ollama at ${this.ctx.upstreamLabel} did not answer within ${timeouts.headersTimeout} ms (${timeouts.headersOption})`;
      sendError(res, 504, message);
      return finish({ kind: 'timeout', message, httpStatus: 504 });
    }
    if (code === 'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH' || this.ctx.requestErrored()) {
      const message = `the request body broke off: ${err.message}`;
      sendError(res, 400, message, { connection: 'close' });
      return finish({ kind: 'rejected', message, httpStatus: 400 });
    }
    const message = `ollama-lens: cannot reach Ollama at ${this.ctx.upstreamLabel}: ${code ?? err.message}`;
    sendError(res, 502, message);
    finish({ kind: 'upstream_unreachable', message, httpStatus: 502 });
  }
}

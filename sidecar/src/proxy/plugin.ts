import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { classifyEndpoint } from '../ollama/endpoint';
import type { Services } from '../services';
import { Exchange, type Outcome } from '../tap/exchange';
import { clientResponseHeaders, headerValue, upstreamRequestHeaders } from './headers';

/** Ollama's error shape, so clients (ollama-js, openai) show the message as they would Ollama's own. */
function sendError(
  res: ServerResponse,
  status: number,
  message: string,
  extra: Record<string, string> = {}
): void {
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  const body = JSON.stringify({ error: message });
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    ...extra,
  });
  res.end(body);
}

class BodyTooLarge extends Error {}

/** Bodies up to this size are collected and sent in one write; larger ones stream. */
const SMALL_BODY_BYTES = 64 * 1024;

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
  'EPIPE',
]);

function errorCode(err: unknown): string | undefined {
  const e = err as { code?: string; cause?: { code?: string } };
  return e?.code ?? e?.cause?.code;
}

/**
 * The catch-all route: forwards every method and path to Ollama, streaming both bodies, and hands a
 * copy of what passes to the tap. Owns nothing but forwarding; parsing and recording live in the tap.
 */
export async function proxyPlugin(app: FastifyInstance, services: Services): Promise<void> {
  const { config, upstream, tap } = services;
  const upstreamLabel = config.upstream.origin;

  // Bodies pass through untouched: no parsing by fastify, whatever the content type.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_req, _payload, done) => done(null));

  const handler = (request: FastifyRequest, reply: FastifyReply): void => {
    reply.hijack();
    const req = request.raw;
    const res = reply.raw;
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q >= 0 ? url.slice(0, q) : url;
    const { endpoint, flavor } = classifyEndpoint(path);
    const headers = req.headers;
    const noCapture = headerValue(headers, config.noCaptureHeader);
    const exchange = new Exchange({
      id: randomUUID(),
      method: req.method ?? 'GET',
      path,
      endpoint,
      flavor,
      user: headerValue(headers, config.userHeader),
      session: headerValue(headers, config.sessionHeader),
      clientAddress: request.ip,
      userAgent: headerValue(headers, 'user-agent'),
      captureContent:
        config.captureContent && (noCapture === undefined || noCapture.toLowerCase() === 'false'),
      captureLimitBytes: config.captureLimitBytes,
    });

    let finished = false;
    const finish = (outcome: Outcome) => {
      if (finished) return;
      finished = true;
      // Parsing and the sinks run after the last byte went out, off the forwarding path.
      setImmediate(() => {
        try {
          tap.emit(exchange.finish(outcome));
        } catch (err) {
          request.log.error({ err }, 'building the measurement record failed; request unaffected');
        }
      });
    };

    // undici accepts an EventEmitter as the abort signal: far cheaper per request than an AbortController.
    const abort = new EventEmitter();
    let aborted = false;
    let upstreamFailed = false;
    res.on('close', () => {
      if (!res.writableFinished && !upstreamFailed) {
        aborted = true;
        abort.emit('abort');
        finish({ kind: 'client_abort' });
      }
    });

    const declared = headerValue(headers, 'content-length');
    if (declared !== undefined && Number(declared) > config.bodyLimitBytes) {
      exchange.requestComplete();
      const message = `request body of ${declared} bytes exceeds the sidecar's limit of ${config.bodyLimitBytes} bytes (OLLAMA_LENS_BODY_LIMIT)`;
      // The unread body would otherwise keep the connection busy: close it after the answer.
      sendError(res, 413, message, { connection: 'close' });
      finish({ kind: 'rejected', message, httpStatus: 413 });
      return;
    }

    const hasBody =
      declared !== undefined ? Number(declared) > 0 : headers['transfer-encoding'] !== undefined;
    let started = false;
    const markStarted = () => {
      if (started) return;
      started = true;
      tap.requestStarted(exchange.requestComplete());
    };
    if (!hasBody) {
      markStarted();
      forward(undefined);
    } else if (declared !== undefined && Number(declared) <= SMALL_BODY_BYTES) {
      // The usual JSON request: collected and sent in one write, which is cheaper than streaming it.
      const parts: Buffer[] = [];
      req.on('data', (chunk: Buffer) => {
        parts.push(chunk);
        exchange.onRequestChunk(chunk);
      });
      req.on('end', () => {
        markStarted();
        forward(parts.length === 1 ? parts[0] : Buffer.concat(parts));
      });
      req.on('error', () => {
        // The client went away mid-body: 'close' on the response records the abort.
      });
    } else {
      // Large or chunked bodies (images, long prompts) stream up as they arrive.
      const limit = config.bodyLimitBytes;
      forward(
        (async function* tee() {
          let total = 0;
          for await (const chunk of req as AsyncIterable<Buffer>) {
            total += chunk.length;
            if (total > limit)
              throw new BodyTooLarge(
                `request body exceeds the sidecar's limit of ${limit} bytes (OLLAMA_LENS_BODY_LIMIT)`
              );
            exchange.onRequestChunk(chunk);
            yield chunk;
          }
          markStarted();
        })()
      );
    }

    function forward(body: Buffer | AsyncIterable<Buffer> | undefined): void {
      const dispatchAt = exchange.elapsed();
      exchange.addOverhead(dispatchAt);
      upstream
        .request({
          method: req.method as 'GET',
          path: url,
          headers: upstreamRequestHeaders(req.rawHeaders, upstream.host),
          // undici streams an async iterable body (its request typings list only Readable).
          body: body as Buffer | Readable | undefined,
          signal: abort,
        })
        .then(
          (up) => {
            markStarted();
            const headAt = exchange.elapsed();
            const contentType = headerValue(up.headers, 'content-type');
            exchange.onResponseHead(up.statusCode, contentType);
            if (res.destroyed) {
              up.body.destroy();
              return;
            }
            const overhead = dispatchAt + (exchange.elapsed() - headAt);
            exchange.addOverhead(exchange.elapsed() - headAt);
            res.writeHead(
              up.statusCode,
              clientResponseHeaders(up.headers, {
                'x-ollama-lens-id': exchange.init.id,
                'server-timing': `ollama-lens;dur=${overhead.toFixed(3)};desc="sidecar overhead", ollama;dur=${(headAt - dispatchAt).toFixed(3)};desc="time to response head"`,
              })
            );
            // Forwarded by hand rather than with stream.pipeline, which costs an AbortController per call.
            const body = up.body;
            body.on('data', (chunk: Buffer) => {
              exchange.onResponseChunk(chunk);
              if (!res.write(chunk)) body.pause();
            });
            res.on('drain', () => body.resume());
            res.on('finish', () => finish({ kind: 'complete' }));
            body.on('end', () => res.end());
            body.on('error', (err: Error) => {
              if (aborted) return finish({ kind: 'client_abort' });
              // Set before the client response is torn down, so that is not taken for a client abort.
              upstreamFailed = true;
              res.destroy();
              const code = errorCode(err);
              if (code && TIMEOUT_CODES.has(code)) {
                return finish({
                  kind: 'timeout',
                  message: `Ollama sent nothing for ${config.idleTimeoutMs} ms mid-response (OLLAMA_LENS_IDLE_TIMEOUT_MS)`,
                });
              }
              finish({
                kind: 'upstream_broken',
                message: `the response from Ollama broke off: ${err.message}`,
              });
            });
          },
          (err: unknown) => {
            markStarted();
            if (aborted) return finish({ kind: 'client_abort' });
            if (err instanceof BodyTooLarge) {
              sendError(res, 413, err.message, { connection: 'close' });
              return finish({ kind: 'rejected', message: err.message, httpStatus: 413 });
            }
            const code = errorCode(err);
            const msg = (err as Error).message;
            if (code && TIMEOUT_CODES.has(code)) {
              const message = `Ollama at ${upstreamLabel} did not answer within ${config.idleTimeoutMs} ms (OLLAMA_LENS_IDLE_TIMEOUT_MS)`;
              sendError(res, 504, message);
              return finish({ kind: 'timeout', message, httpStatus: 504 });
            }
            if (code === 'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH' || code === 'UND_ERR_ABORTED' || req.errored) {
              // The client's body broke off (or lied about its length): nothing meaningful to answer.
              sendError(res, 400, `the request body broke off: ${msg}`);
              return finish({
                kind: 'rejected',
                message: `the request body broke off: ${msg}`,
                httpStatus: 400,
              });
            }
            const message = `ollama-lens: cannot reach Ollama at ${upstreamLabel}: ${code ?? msg}`;
            sendError(res, 502, message);
            finish({ kind: 'upstream_unreachable', message, httpStatus: 502 });
            if (!code || !UNREACHABLE_CODES.has(code)) request.log.warn({ err }, 'upstream request failed');
          }
        );
    }
  };

  // Every method, every path; HEAD is forwarded as HEAD (not answered from GET).
  const methods = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const;
  app.route({ method: [...methods], url: '/', handler, exposeHeadRoute: false });
  app.route({ method: [...methods], url: '/*', handler, exposeHeadRoute: false });
}

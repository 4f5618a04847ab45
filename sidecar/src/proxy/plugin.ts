import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { classifyEndpoint, INFERENCE_ENDPOINTS } from '../ollama/endpoint';
import { continueTrace, traceparentOf } from '../otel/trace-context';
import type { Services } from '../services';
import { Exchange, type Outcome } from '../tap/exchange';
import { endedByShutdown, InFlightExchanges } from './drain';
import { BodyTooLarge, sendError } from './errors';
import { ForwardHandler } from './forward';
import { headerValue, originOf, upstreamRequestHeaders } from './headers';
import { ORIGIN_HEADER } from '@ollama-lens/contracts';

/** Bodies up to this size are collected and sent in one write; larger ones stream. */
const SMALL_BODY_BYTES = 64 * 1024;

/**
 * The catch-all route: forwards every method and path to Ollama, streaming both bodies, and hands a
 * copy of what passes to the tap. Owns nothing but forwarding; parsing and recording live in the tap.
 * On close it drains: in-flight exchanges may finish until the drain timeout, then they are cut.
 */
export async function proxyPlugin(app: FastifyInstance, services: Services): Promise<void> {
  const { config, upstream, tap } = services;
  const inFlight = new InFlightExchanges();

  // The listener is half of "can forward" (the upstream check is the other): not ready before
  // listen() and from the moment a shutdown stops accepting.
  services.readiness.push({
    name: 'listener',
    check: async () => ({
      ok: app.server.listening,
      detail: { listening: app.server.listening, in_flight: inFlight.size },
    }),
  });

  // preClose runs when close() begins, before the server waits for in-flight requests: bound that wait.
  app.addHook('preClose', async () => {
    inFlight.startDeadline(config.drainTimeoutMs, (count) =>
      app.log.warn(
        { count, drainTimeoutMs: config.drainTimeoutMs },
        'drain timeout passed: cutting the requests still in flight (recorded as ended by shutdown)'
      )
    );
  });
  // onClose runs once the server has closed every connection: wait for the last records to be emitted,
  // so the sinks flushed after this see every request, the cut ones included.
  app.addHook('onClose', async () => {
    await inFlight.settled();
    inFlight.stop();
  });

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
    // With OpenTelemetry export on, this request's span ids are decided now, for the upstream request.
    const trace = config.otlpEndpoint ? continueTrace(headers) : undefined;
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
      origin: originOf(headerValue(headers, ORIGIN_HEADER)),
      captureContent:
        config.captureContent && (noCapture === undefined || noCapture.toLowerCase() === 'false'),
      captureLimitBytes: config.captureLimitBytes,
      prices: config.prices,
    });

    let finished = false;
    let cutByShutdown = false;
    let forwarding: ForwardHandler | undefined;
    const untrack = inFlight.track({
      cut() {
        if (finished) return;
        cutByShutdown = true;
        // Still reading the request body: nothing has reached Ollama, just close the connection.
        if (forwarding) forwarding.cut();
        else res.destroy();
      },
    });
    const finish = (outcome: Outcome) => {
      if (finished) return;
      finished = true;
      // Parsing and the sinks run after the last byte went out, off the forwarding path.
      setImmediate(() => {
        try {
          const record = exchange.finish(outcome);
          if (trace) record.trace = trace;
          tap.emit(
            cutByShutdown && outcome.kind !== 'complete'
              ? endedByShutdown(record, config.drainTimeoutMs)
              : record
          );
        } catch (err) {
          request.log.error({ err }, 'building the measurement record failed; request unaffected');
        } finally {
          untrack();
        }
      });
    };
    let started = false;
    const markStarted = () => {
      if (started) return;
      started = true;
      tap.requestStarted(exchange.requestComplete());
    };

    const declared = headerValue(headers, 'content-length');
    if (declared !== undefined && Number(declared) > config.bodyLimitBytes) {
      markStarted();
      const message = `request body of ${declared} bytes exceeds the sidecar's limit of ${config.bodyLimitBytes} bytes (OLLAMA_LENS_BODY_LIMIT)`;
      // The unread body would otherwise keep the connection busy: close it after the answer.
      sendError(res, 413, message, { connection: 'close' });
      finish({ kind: 'rejected', message, httpStatus: 413 });
      return;
    }

    const timeouts = upstream.timeouts(INFERENCE_ENDPOINTS.has(endpoint));
    const forward = (body: Buffer | AsyncIterable<Buffer> | undefined): void => {
      const handler = new ForwardHandler({
        res,
        exchange,
        upstreamLabel: config.upstream.origin,
        timeouts,
        finish,
        onHead: markStarted,
        requestErrored: () => req.errored !== null,
      });
      forwarding = handler;
      upstream.pool.dispatch(
        {
          method: (req.method ?? 'GET') as 'GET',
          path: upstream.path(url),
          headers: upstreamRequestHeaders(req.rawHeaders, upstream.host, trace && traceparentOf(trace)),
          // undici streams an async iterable body (its typings list only Readable).
          body: body as Buffer | Readable | undefined,
          headersTimeout: timeouts.headersTimeout,
          bodyTimeout: timeouts.bodyTimeout,
        },
        handler
      );
    };

    const hasBody =
      declared !== undefined ? Number(declared) > 0 : headers['transfer-encoding'] !== undefined;
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
      res.on('close', () => {
        if (!started) finish({ kind: 'client_abort' });
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
  };

  // Every method, every path; HEAD is forwarded as HEAD (not answered from GET).
  const methods = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'];
  app.route({ method: methods, url: '/', handler, exposeHeadRoute: false });
  app.route({ method: methods, url: '/*', handler, exposeHeadRoute: false });
}

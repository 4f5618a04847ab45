import { pipeline } from 'node:stream/promises';
import { MESSAGE_ID_HEADER } from '@ollama-lens/contracts';
import type { FastifyReply } from 'fastify';
import type { OutgoingHttpHeaders } from 'node:http';
import { proxiedError, type ProxiedResponse } from './self-proxy';

const GONE = 'the client closed the request';

/**
 * Relays a streamed answer of the sidecar's own proxy (a pull's progress, a playground chat) to the
 * client as it arrives: each NDJSON line is written when the proxy hands it over, never collected.
 *
 * The response head (with the stored message's id) is written at once, not with the first line as
 * fastify's stream sending does: a model that takes seconds to load must not keep the client from
 * knowing which message it is waiting for. When the client leaves (the page closed, Stop pressed) the
 * request to the proxy is aborted, and the proxy cancels Ollama's work as it does for any client.
 */
export async function relayStream(
  reply: FastifyReply,
  send: (signal: AbortSignal) => Promise<ProxiedResponse>
): Promise<FastifyReply> {
  const controller = new AbortController();
  const left = () => {
    if (!reply.raw.writableFinished) controller.abort(new Error(GONE));
  };
  reply.raw.on('close', left);
  let res: ProxiedResponse;
  try {
    res = await send(controller.signal);
  } catch (err) {
    // Gone before the proxy answered: nobody is left to read an answer.
    if (controller.signal.aborted) return reply.code(499).send({ error: GONE });
    throw err;
  }
  if (res.status !== 200) throw await proxiedError(res);
  // From here the stream is written by hand: fastify's reply is done with (its hooks have run).
  reply.hijack();
  const head: OutgoingHttpHeaders = {
    ...(reply.getHeaders() as OutgoingHttpHeaders),
    'content-type': res.contentType ?? 'application/x-ndjson',
    'cache-control': 'no-store',
    ...(res.messageId ? { [MESSAGE_ID_HEADER]: res.messageId } : {}),
  };
  reply.raw.writeHead(200, head);
  reply.raw.flushHeaders();
  try {
    // Ends the response when the proxy's ends; destroys the proxy's when the client leaves.
    await pipeline(res.body, reply.raw, { signal: controller.signal });
  } catch (err) {
    if (!controller.signal.aborted) reply.log.warn({ err }, 'a relayed stream broke off');
    res.body.destroy();
    reply.raw.destroy();
  }
  return reply;
}

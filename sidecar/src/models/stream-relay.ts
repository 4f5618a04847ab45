import { MESSAGE_ID_HEADER } from '@ollama-lens/contracts';
import type { FastifyReply } from 'fastify';
import { HttpError } from '../analytics/params';
import { proxiedError, type ProxiedResponse } from './self-proxy';

/**
 * Relays a streamed answer of the sidecar's own proxy (a pull's progress, a playground chat) to the
 * client as it arrives: each NDJSON line is written when the proxy hands it over, never collected. The
 * stored message's id goes out in the response head, before the first line. When the client leaves
 * (the page closed, Stop pressed) the connection to the proxy is closed, and the proxy cancels Ollama's
 * work as it does for any client that hangs up.
 */
export async function relayStream(
  reply: FastifyReply,
  send: (signal: AbortSignal) => Promise<ProxiedResponse>
): Promise<FastifyReply> {
  const controller = new AbortController();
  const left = () => {
    if (!reply.raw.writableFinished) controller.abort(new Error('the client closed the request'));
  };
  reply.raw.on('close', left);
  let res: ProxiedResponse;
  try {
    res = await send(controller.signal);
  } catch (err) {
    // Gone before the proxy answered: nobody is left to read an answer.
    if (controller.signal.aborted) return reply.code(499).send({ error: 'the client closed the request' });
    throw err;
  }
  if (res.status !== 200) throw await proxiedError(res);
  if (controller.signal.aborted) {
    res.body.destroy();
    throw new HttpError(499, 'the client closed the request');
  }
  if (res.messageId) reply.header(MESSAGE_ID_HEADER, res.messageId);
  return reply
    .code(200)
    .header('content-type', res.contentType ?? 'application/x-ndjson')
    .header('cache-control', 'no-store')
    .send(res.body);
}

import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { MODELS_API, ORIGIN_HEADER } from '@ollama-lens/contracts';
import {
  ChatStream,
  ERROR_RESPONSES,
  ErrorBody,
  PlaygroundChatBody,
  type PlaygroundChatBody as ChatBody,
} from '@ollama-lens/contracts/schemas';
import type { FastifyInstance } from 'fastify';
import type { IncomingHttpHeaders } from 'node:http';
import { relayStream } from './stream-relay';
import type { ModelsContext } from './context';
import { validationMessage } from './validation';

/** Ollama's /api/chat request for a playground exchange: the system prompt first, streamed. */
export function chatRequest(body: ChatBody): Record<string, unknown> {
  return {
    model: body.model,
    messages: [
      ...(body.system !== undefined && body.system !== '' ? [{ role: 'system', content: body.system }] : []),
      ...body.messages,
    ],
    stream: true,
    ...(body.options && Object.keys(body.options).length > 0 ? { options: body.options } : {}),
  };
}

/** The user and session headers of the caller, passed on so the Explorer can attribute the exchange. */
function attribution(headers: IncomingHttpHeaders, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    const v = headers[name];
    const value = Array.isArray(v) ? v[0] : v;
    if (value) out[name] = value;
  }
  return out;
}

/**
 * The Playground's chat (the read token is enough: anyone who may look may try a prompt). The exchange
 * goes through the sidecar's own proxy marked with the playground origin, so it is stored, measured
 * and shown in the Explorer tagged as the playground's; the stored message's id is in the response
 * head (x-ollama-lens-id) before the first chunk. Closing the request (Stop) cancels the generation.
 */
export function registerPlaygroundRoutes(app: FastifyInstance, ctx: ModelsContext): void {
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  const { config } = ctx.services;
  typed.post(
    MODELS_API.playgroundChat,
    {
      schema: {
        body: PlaygroundChatBody,
        response: { 200: ChatStream, ...ERROR_RESPONSES, 404: ErrorBody, 502: ErrorBody, 504: ErrorBody },
      },
      schemaErrorFormatter: validationMessage,
    },
    async (req, reply) =>
      relayStream(reply, (signal) =>
        ctx.selfProxy.send({
          method: 'POST',
          path: '/api/chat',
          body: chatRequest(req.body),
          headers: {
            ...attribution(req.headers, [config.userHeader, config.sessionHeader]),
            [ORIGIN_HEADER]: 'playground',
          },
          signal,
        })
      )
  );
}

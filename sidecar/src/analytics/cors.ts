import { ACTIONS_TOKEN_HEADER, MESSAGE_ID_HEADER } from '@ollama-lens/contracts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * Minimal CORS for the analytics API, off unless origins are configured. Only listed origins (or any,
 * with `*`) get the headers; the Authorization and actions-token headers are allowed, cookies are not
 * used. The stored message's id header is exposed so a browser client can link to what it just sent.
 */
export function registerCors(app: FastifyInstance, origins: readonly string[]): void {
  const any = origins.includes('*');
  const allowed = (origin: string | undefined): origin is string =>
    !!origin && (any || origins.includes(origin));

  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    const origin = req.headers.origin;
    reply.header('vary', 'Origin');
    if (!allowed(origin)) return;
    reply.header('access-control-allow-origin', origin);
    reply.header('access-control-expose-headers', `Content-Disposition, ${MESSAGE_ID_HEADER}`);
  });

  // Preflight: answered before authentication (browsers never send credentials on it).
  app.options(
    '/analytics/*',
    { schema: { response: { 204: { type: 'null', description: 'CORS preflight' } } } },
    async (req, reply) => {
      if (allowed(req.headers.origin)) {
        reply.header('access-control-allow-methods', 'GET, POST, PUT, DELETE, OPTIONS');
        reply.header('access-control-allow-headers', `Authorization, Content-Type, ${ACTIONS_TOKEN_HEADER}`);
        reply.header('access-control-max-age', '600');
      }
      return reply.code(204).send();
    }
  );
}

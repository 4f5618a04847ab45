import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/**
 * Bearer-token check for the analytics routes. Both sides are hashed first so the comparison is
 * constant-time whatever the length of what the client sent.
 */
export function bearerAuth(token: string) {
  const expected = digest(token);
  return async function checkBearer(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const header = req.headers.authorization;
    const m = typeof header === 'string' ? /^Bearer\s+(.+)$/i.exec(header.trim()) : null;
    if (m && timingSafeEqual(digest(m[1]), expected)) return;
    reply.header('www-authenticate', 'Bearer realm="ollama-lens"');
    await reply
      .code(401)
      .send({ error: m ? 'invalid bearer token' : 'missing bearer token (Authorization: Bearer <token>)' });
  };
}

import { createHash, timingSafeEqual } from 'node:crypto';
import { ACTIONS_TOKEN_HEADER } from '@ollama-lens/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

export const ACTIONS_DISABLED_MESSAGE =
  'model actions are disabled: start the sidecar with --actions-token (OLLAMA_LENS_ACTIONS_TOKEN) and give ' +
  "the same token to the Grafana app's configuration, which sends it for Admins only";

/**
 * The check of the write routes (actions, preferences), run after the analytics read-token check: the
 * read token lets a caller look, only the actions token (its own header, so the two never mix) lets it
 * change Ollama. Without a configured token every write answers 403 and says how to enable them. The
 * comparison hashes both sides, so it takes the same time whatever the caller sent.
 */
export function actionsAuth(token: string) {
  const expected = token ? digest(token) : null;
  return async function checkActionsToken(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    // The read-token check before this one may have answered already (401).
    if (reply.sent) return;
    if (!expected) {
      await reply.code(403).send({ error: ACTIONS_DISABLED_MESSAGE });
      return;
    }
    const sent = req.headers[ACTIONS_TOKEN_HEADER];
    const value = Array.isArray(sent) ? sent[0] : sent;
    if (typeof value === 'string' && value !== '' && timingSafeEqual(digest(value), expected)) return;
    await reply.code(403).send({
      error:
        value === undefined || value === ''
          ? `this action needs the actions token in the ${ACTIONS_TOKEN_HEADER} header (Grafana sends it for Admins only)`
          : 'invalid actions token',
    });
  };
}

import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ReadinessCheck, Services } from '../services';

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/** Whether the request carries the admin token (hashed both sides: constant time whatever was sent). */
function sendsToken(req: FastifyRequest, token: string | undefined): boolean {
  if (!token) return false;
  const header = req.headers.authorization;
  const m = typeof header === 'string' ? /^Bearer\s+(.+)$/i.exec(header.trim()) : null;
  return m !== null && timingSafeEqual(digest(m[1]), digest(token));
}

interface CheckResult {
  ok: boolean;
  critical?: false;
  detail?: unknown;
}

const checkSchema = {
  type: 'object',
  properties: { ok: { type: 'boolean' }, critical: { type: 'boolean' }, detail: {} },
  required: ['ok'],
} as const;
const readySchema = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['ready', 'degraded', 'not_ready'] },
    checks: { type: 'object', additionalProperties: checkSchema },
  },
  required: ['status', 'checks'],
} as const;

async function run(c: ReadinessCheck): Promise<{ ok: boolean; detail?: unknown }> {
  try {
    return await c.check();
  } catch (err) {
    return { ok: false, detail: { error: (err as Error).message } };
  }
}

/**
 * Liveness and readiness, each answering one question.
 * - /healthz: the process is alive and serving HTTP.
 * - /readyz: the sidecar can forward — the listener is up (the proxy plugin's check) and Ollama answers.
 *   Checks registered with `critical: false` (the store) are reported, and make the status "degraded",
 *   but never fail readiness: a proxy that forwards perfectly must not be pulled from service.
 * Details (database path, upstream URL, error messages naming either) only go to a caller that sends
 * the admin token; without a configured token nobody gets them.
 */
export async function healthPlugin(app: FastifyInstance, services: Services): Promise<void> {
  const { config } = services;
  services.readiness.push({
    name: 'upstream',
    async check() {
      try {
        const v = await services.upstream.getJson<{ version?: string }>('/api/version', 2000);
        return { ok: true, detail: { url: config.upstream.href, version: v.version } };
      } catch (err) {
        return { ok: false, detail: { url: config.upstream.href, error: (err as Error).message } };
      }
    },
  });

  app.get(
    '/healthz',
    {
      schema: {
        response: {
          200: {
            type: 'object',
            properties: { status: { type: 'string' }, uptime_seconds: { type: 'number' } },
            required: ['status'],
          },
        },
      },
    },
    async () => ({ status: 'ok', uptime_seconds: Math.round((Date.now() - services.startedAt) / 1000) })
  );

  app.get('/readyz', { schema: { response: { 200: readySchema, 503: readySchema } } }, async (req, reply) => {
    const showDetail = sendsToken(req, config.adminToken);
    const results = await Promise.all(services.readiness.map(async (c) => [c, await run(c)] as const));
    const checks: Record<string, CheckResult> = {};
    let ready = true;
    let degraded = false;
    for (const [c, r] of results) {
      const critical = c.critical !== false;
      if (!r.ok) {
        if (critical) ready = false;
        else degraded = true;
      }
      checks[c.name] = {
        ok: r.ok,
        ...(critical ? {} : { critical: false as const }),
        ...(showDetail && r.detail !== undefined ? { detail: r.detail } : {}),
      };
    }
    const status = !ready ? 'not_ready' : degraded ? 'degraded' : 'ready';
    return reply
      .code(ready ? 200 : 503)
      .header('cache-control', 'no-store')
      .send({ status, checks });
  });
}

import type { FastifyInstance } from 'fastify';
import type { Services } from '../services';

/**
 * Liveness and readiness. /healthz answers as long as the process serves HTTP; /readyz runs every
 * registered check (the upstream here; the store adds its own) and answers 503 when one fails.
 */
export async function healthPlugin(app: FastifyInstance, services: Services): Promise<void> {
  services.readiness.push({
    name: 'upstream',
    async check() {
      try {
        const v = await services.upstream.getJson<{ version?: string }>('/api/version', 2000);
        return { ok: true, detail: { url: services.config.upstream.href, version: v.version } };
      } catch (err) {
        return { ok: false, detail: { url: services.config.upstream.href, error: (err as Error).message } };
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

  app.get('/readyz', async (_req, reply) => {
    const entries = await Promise.all(
      services.readiness.map(async (c) => {
        try {
          return [c.name, await c.check()] as const;
        } catch (err) {
          return [c.name, { ok: false, detail: { error: (err as Error).message } }] as const;
        }
      })
    );
    const checks = Object.fromEntries(entries.map(([name, r]) => [name, { ok: r.ok, ...(r.detail ? { detail: r.detail } : {}) }]));
    const ready = entries.every(([, r]) => r.ok);
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks });
  });
}

/**
 * The analytics routes as the fuzz suite sees them: collected with an onRoute hook while the real
 * analytics plugin registers on a fresh fastify instance, so every route and every querystring and
 * params schema comes from the code itself, never from a hand-kept list. (The sidecar's own instance
 * offers no way to read a route's schema back; `assertServedBy` checks it serves the same routes.)
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { analyticsPlugin } from '../../src/analytics/plugin';
import { loadConfig } from '../../src/config';
import type { Services } from '../../src/services';
import { Tap } from '../../src/tap/tap';
import { Upstream } from '../../src/upstream/upstream';

/** The JSON-schema subset the analytics schemas use. */
export interface PropSchema {
  type?: string | string[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  maxItems?: number;
  enum?: readonly unknown[];
  items?: PropSchema;
}

export interface ObjectSchema {
  properties?: Record<string, PropSchema>;
  required?: string[];
}

export interface RouteSpec {
  method: string;
  url: string;
  querystring: ObjectSchema;
  params: ObjectSchema;
}

export async function analyticsRoutes(): Promise<RouteSpec[]> {
  const config = loadConfig(['--store', 'false', '--log-level', 'silent'], {});
  const upstream = new Upstream(config);
  const services: Services = {
    config,
    tap: new Tap(),
    upstream,
    registry: new Registry(),
    readiness: [],
    startedAt: Date.now(),
    store: null,
  };
  const app = Fastify({ logger: false });
  const routes: RouteSpec[] = [];
  app.addHook('onRoute', (r) => {
    const schema = (r.schema ?? {}) as { querystring?: ObjectSchema; params?: ObjectSchema };
    for (const method of [r.method].flat()) {
      routes.push({ method, url: r.url, querystring: schema.querystring ?? {}, params: schema.params ?? {} });
    }
  });
  await app.register(analyticsPlugin, services);
  await app.ready();
  await app.close();
  await upstream.close();
  return routes;
}

/** Fails unless the sidecar's admin instance serves every catalogued route. */
export function assertServedBy(admin: FastifyInstance, routes: readonly RouteSpec[]): void {
  const missing = routes.filter((r) => !admin.hasRoute({ method: r.method as 'GET', url: r.url }));
  if (missing.length > 0)
    throw new Error(`the sidecar does not serve ${missing.map((r) => `${r.method} ${r.url}`).join(', ')}`);
}

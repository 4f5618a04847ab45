/**
 * @ollama-lens/contracts: what the sidecar and the Grafana plugin must agree on. Types, constants and
 * schemas only, no behaviour.
 *
 * This entry point is free of TypeBox at run time: it exports the constants and, as types only, the API
 * shapes. The schemas themselves (run-time objects, for the sidecar's fastify routes) come from
 * `@ollama-lens/contracts/schemas`.
 */
export * from './filters';
export * from './metrics';
export * from './plugin';
export * from './record';
export type * from './schemas';
export * from './events';
export * from './status';
export * from './origin';
export * from './models';

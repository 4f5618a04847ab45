/**
 * Requests the product itself sends through the sidecar carry their origin in a header, so the store
 * can tell them from applications' traffic: the playground's exchanges are shown and tagged, the status
 * line's own requests are kept out of the Explorer's default view.
 */
export const ORIGIN_HEADER = 'x-ollama-lens-origin';
export const ORIGINS = ['playground', 'status'] as const;
export type Origin = (typeof ORIGINS)[number];

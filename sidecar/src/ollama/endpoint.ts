import type { ApiFlavor, Endpoint } from '../tap/record';
import { ENDPOINTS } from '../tap/record';
import { INFERENCE_ENDPOINTS as INFERENCE_ENDPOINT_LIST } from '@ollama-lens/contracts';

const KNOWN = new Set<string>(ENDPOINTS);

/** Maps a request path to the bounded endpoint label and the wire format of its body. */
export function classifyEndpoint(path: string): { endpoint: Endpoint; flavor: ApiFlavor } {
  const p = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  if (KNOWN.has(p) && p !== 'other') {
    return { endpoint: p as Endpoint, flavor: p.startsWith('/v1/') ? 'openai' : 'ollama' };
  }
  if (p.startsWith('/v1/models/')) return { endpoint: '/v1/models', flavor: 'openai' };
  if (p.startsWith('/v1/')) return { endpoint: 'other', flavor: 'openai' };
  if (p.startsWith('/api/')) return { endpoint: 'other', flavor: 'ollama' };
  return { endpoint: 'other', flavor: 'none' };
}

/** Endpoints whose answers are model output (the contract's list, as a set for lookups). */
export const INFERENCE_ENDPOINTS: ReadonlySet<Endpoint> = new Set<Endpoint>(INFERENCE_ENDPOINT_LIST);

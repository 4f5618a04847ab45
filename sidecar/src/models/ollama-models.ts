/**
 * What the Models page reads from Ollama: the installed models (/api/tags, with what /api/show adds),
 * the loaded ones (/api/ps) and one model's /api/show for the detail drawer, in the contract's shapes.
 *
 * These reads go straight to Ollama over the upstream pool, like the pollers: they are the page looking
 * at Ollama, not traffic to measure, and sending them through the proxy would put a /api/tags and a
 * /api/show per model into the Explorer on every refresh. (The actions, which change Ollama, do go
 * through the proxy: actions.ts.)
 */
import type { InstalledModel, LoadedModel, ModelDetail, ModelInfoValue } from '@ollama-lens/contracts';
import { HttpError } from '../analytics/params';
import { placement } from '../events/detect';
import type { Upstream } from '../upstream/upstream';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const count = (v: unknown): number | null =>
  typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.round(v) : null;
const epochMs = (v: unknown): number | null => {
  const t = typeof v === 'string' ? Date.parse(v) : NaN;
  return Number.isFinite(t) && t >= 0 ? t : null;
};
const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [];

/** How long one read of Ollama may take before the page gets a 504 instead of a spinner. */
const READ_TIMEOUT_MS = 10_000;
/** /api/show calls at once while listing (a server with many models is not flooded). */
const SHOW_CONCURRENCY = 4;
/** Show answers kept (by name and digest); past it the cache starts over. */
const SHOW_CACHE_MAX = 1000;

/** Ollama's error text from an error body (`{"error": "..."}`), or the body itself, shortened. */
export function ollamaErrorText(status: number, body: string): string {
  try {
    const parsed: unknown = JSON.parse(body);
    if (isObject(parsed) && typeof parsed.error === 'string' && parsed.error) return parsed.error;
  } catch {
    // not JSON: the text itself
  }
  const t = body.trim();
  return t ? t.slice(0, 500) : `Ollama answered HTTP ${status} with an empty body`;
}

/** The details block /api/tags and /api/show share. */
function detailsOf(v: unknown): ModelDetail['details'] {
  const d = isObject(v) ? v : {};
  return {
    parent_model: text(d.parent_model),
    format: text(d.format),
    family: text(d.family),
    families: strings(d.families),
    parameter_size: text(d.parameter_size),
    quantization_level: text(d.quantization_level),
  };
}

function modelInfoOf(v: unknown): Record<string, ModelInfoValue> {
  // Values are JSON as Ollama decoded them (numbers, strings, booleans, arrays, null): passed on as they are.
  return isObject(v) ? (v as Record<string, ModelInfoValue>) : {};
}

/** The trained context length: model_info's `<general.architecture>.context_length`. */
export function contextLengthOf(info: Record<string, ModelInfoValue>): number | null {
  const arch = info['general.architecture'];
  return typeof arch === 'string' ? count(info[`${arch}.context_length`]) : null;
}

export function parseShow(name: string, body: unknown): ModelDetail {
  const b = isObject(body) ? body : {};
  return {
    name,
    license: text(b.license),
    modelfile: text(b.modelfile),
    parameters: text(b.parameters),
    template: text(b.template),
    system: text(b.system),
    details: detailsOf(b.details),
    model_info: modelInfoOf(b.model_info),
    capabilities: strings(b.capabilities),
    modified_at: epochMs(b.modified_at),
  };
}

function modelsOf(body: unknown, what: string): Json[] {
  if (!isObject(body) || !Array.isArray(body.models))
    throw new HttpError(502, `Ollama's ${what} answer is not {"models": [...]}`);
  return body.models.filter(isObject);
}

/** /api/ps, as the page shows it. */
export function parsePs(body: unknown): LoadedModel[] {
  const out: LoadedModel[] = [];
  for (const m of modelsOf(body, '/api/ps')) {
    const name = text(m.name) ?? text(m.model);
    if (!name) continue;
    const size = count(m.size) ?? 0;
    const vram = Math.min(count(m.size_vram) ?? 0, size);
    out.push({
      name,
      digest: text(m.digest),
      size_bytes: size,
      vram_bytes: vram,
      ram_bytes: size - vram,
      placement: placement({ size, sizeVram: vram }),
      offloaded: vram < size,
      context_length: count(m.context_length) || null,
      expires_at: epochMs(m.expires_at),
    });
  }
  return out;
}

/** One /api/tags entry, before /api/show and the preferences fill in the rest. */
export interface TaggedModel {
  name: string;
  digest: string | null;
  size_bytes: number;
  modified_at: number | null;
  details: ModelDetail['details'];
}

export function parseTags(body: unknown): TaggedModel[] {
  const out: TaggedModel[] = [];
  for (const m of modelsOf(body, '/api/tags')) {
    const name = text(m.name) ?? text(m.model);
    if (!name) continue;
    out.push({
      name,
      digest: text(m.digest),
      size_bytes: count(m.size) ?? 0,
      modified_at: epochMs(m.modified_at),
      details: detailsOf(m.details),
    });
  }
  return out;
}

/** Runs `fn` over `items`, at most `limit` at once, keeping the order. */
async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Reads Ollama's model state for the Models page. */
export class OllamaModels {
  /** /api/show answers by `name@digest`: a digest's show never changes, so a listing asks once per build. */
  private readonly shows = new Map<string, ModelDetail>();

  constructor(private readonly upstream: Upstream) {}

  private async call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
    let res;
    try {
      res = await this.upstream.pool.request({
        method,
        path: this.upstream.path(path),
        headers: {
          host: this.upstream.host,
          accept: 'application/json',
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        body: body !== undefined ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(READ_TIMEOUT_MS),
      });
    } catch (err) {
      const e = err as Error & { code?: string };
      if (e.name === 'TimeoutError' || e.name === 'AbortError')
        throw new HttpError(
          504,
          `Ollama at ${this.upstream.origin} did not answer ${path} within ${READ_TIMEOUT_MS} ms`
        );
      throw new HttpError(502, `cannot reach Ollama at ${this.upstream.origin}: ${e.code ?? e.message}`);
    }
    const raw = await res.body.text();
    if (res.statusCode < 200 || res.statusCode >= 300) {
      // Ollama's own client errors (404 model not found, 400 invalid name) keep their status; anything
      // else is Ollama failing, which this API reports as a bad gateway.
      const status = res.statusCode === 404 || res.statusCode === 400 ? res.statusCode : 502;
      throw new HttpError(status, ollamaErrorText(res.statusCode, raw));
    }
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      throw new HttpError(502, `Ollama's ${path} answer is not JSON`);
    }
  }

  async loaded(): Promise<LoadedModel[]> {
    return parsePs(await this.call('GET', '/api/ps'));
  }

  async tags(): Promise<TaggedModel[]> {
    return parseTags(await this.call('GET', '/api/tags'));
  }

  /** One model's /api/show (404 when Ollama does not have it). */
  async show(name: string): Promise<ModelDetail> {
    return parseShow(name, await this.call('POST', '/api/show', { model: name }));
  }

  /** /api/show of a listed model, from the cache when its digest was seen; null when the show failed. */
  private async cachedShow(m: TaggedModel): Promise<ModelDetail | null> {
    const key = `${m.name}@${m.digest ?? ''}`;
    const hit = this.shows.get(key);
    if (hit) return hit;
    try {
      const show = await this.show(m.name);
      if (this.shows.size >= SHOW_CACHE_MAX) this.shows.clear();
      if (m.digest) this.shows.set(key, show);
      return show;
    } catch {
      // A model deleted between /api/tags and /api/show, or one Ollama cannot read: listed without
      // the show's extras rather than failing the whole page.
      return null;
    }
  }

  /**
   * The installed models with /api/show's capabilities and context length; `favourite`, `is_default`
   * and `loaded` are the caller's (they need the preferences and /api/ps).
   */
  async installed(): Promise<Omit<InstalledModel, 'favourite' | 'is_default' | 'loaded'>[]> {
    const tagged = await this.tags();
    const shows = await mapLimited(tagged, SHOW_CONCURRENCY, (m) => this.cachedShow(m));
    const models = tagged.map((m, i) => {
      const show = shows[i];
      return {
        name: m.name,
        digest: m.digest,
        size_bytes: m.size_bytes,
        modified_at: m.modified_at,
        format: m.details.format,
        family: m.details.family,
        families: m.details.families,
        parameter_size: m.details.parameter_size,
        quantization_level: m.details.quantization_level,
        parent_model: m.details.parent_model,
        capabilities: show?.capabilities ?? [],
        context_length: show ? contextLengthOf(show.model_info) : null,
      };
    });
    // Newest first, as Ollama lists them, but Ollama orders models modified in the same second at random
    // (a map walk): the name breaks ties, so the page and its default pick keep one order.
    return models.sort(
      (a, b) =>
        (b.modified_at ?? 0) - (a.modified_at ?? 0) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
    );
  }
}

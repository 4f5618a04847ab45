/**
 * Polls Ollama's own state (/api/version, /api/ps, /api/tags) on a timer; the gauges read the latest
 * snapshot when scraped, so a scrape never waits on Ollama.
 */
import { Pool } from 'undici';
import { clearGauge, type CollectHooks } from './metrics';

export interface RunningModel {
  name: string;
  /** Bytes in memory, VRAM included. */
  size: number;
  sizeVram: number;
  contextLength?: number;
  /** The model's manifest digest (which build of the name is in memory). */
  digest?: string;
  /** When Ollama will unload it unless used again, epoch ms (far future for keep_alive -1). */
  expiresAt?: number;
}

export interface InstalledModel {
  name: string;
  /** The manifest digest: changes when the name is re-pulled or re-created with other content. */
  digest?: string;
}

export interface OllamaSnapshot {
  up: boolean;
  version?: string;
  /** Undefined when /api/ps could not be read (then nothing is said about loaded models). */
  running?: RunningModel[];
  /** Undefined when /api/tags could not be read. */
  installed?: InstalledModel[];
}

export class OllamaFormatError extends Error {}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function modelsArray(body: unknown, what: string): Record<string, unknown>[] {
  if (!isObject(body) || !Array.isArray(body.models))
    throw new OllamaFormatError(`${what}: expected {"models": [...]}`);
  return body.models.filter(isObject);
}

function nameOf(m: Record<string, unknown>): string | undefined {
  const n = typeof m.name === 'string' && m.name ? m.name : typeof m.model === 'string' ? m.model : undefined;
  return n || undefined;
}

function text(v: unknown): string | undefined {
  return typeof v === 'string' && v ? v : undefined;
}

function epochMs(v: unknown): number | undefined {
  const t = typeof v === 'string' ? Date.parse(v) : NaN;
  return Number.isFinite(t) ? t : undefined;
}

function count(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined;
}

export function parseVersion(body: unknown): string {
  if (!isObject(body) || typeof body.version !== 'string')
    throw new OllamaFormatError('/api/version: expected {"version": "x.y.z"}');
  return body.version;
}

export function parsePs(body: unknown): RunningModel[] {
  const out: RunningModel[] = [];
  for (const m of modelsArray(body, '/api/ps')) {
    const name = nameOf(m);
    if (!name) continue;
    const size = count(m.size) ?? 0;
    const contextLength = count(m.context_length);
    const digest = text(m.digest);
    const expiresAt = epochMs(m.expires_at);
    out.push({
      name,
      size,
      sizeVram: Math.min(count(m.size_vram) ?? 0, size),
      ...(contextLength ? { contextLength } : {}),
      ...(digest ? { digest } : {}),
      ...(expiresAt !== undefined ? { expiresAt } : {}),
    });
  }
  return out;
}

export function parseTags(body: unknown): InstalledModel[] {
  const out: InstalledModel[] = [];
  for (const m of modelsArray(body, '/api/tags')) {
    const name = nameOf(m);
    if (!name) continue;
    const digest = text(m.digest);
    out.push(digest ? { name, digest } : { name });
  }
  return out;
}

type OllamaHooks = Required<
  Pick<
    CollectHooks,
    'up' | 'modelsLoaded' | 'modelLoaded' | 'modelMemory' | 'modelContextLength' | 'buildInfo'
  >
>;

export interface OllamaCollectorOptions {
  upstream: URL;
  timeoutMs: number;
}

/** Called after each poll with its snapshot (the model label pins the names; the event log diffs them). */
export type SnapshotListener = (snapshot: OllamaSnapshot, at: number) => void;

export class OllamaCollector {
  private readonly pool: Pool;
  private readonly basePath: string;
  snapshot: OllamaSnapshot | undefined;
  private readonly listeners: SnapshotListener[] = [];

  constructor(opts: OllamaCollectorOptions) {
    this.pool = new Pool(opts.upstream.origin, {
      connections: 2,
      headersTimeout: opts.timeoutMs,
      bodyTimeout: opts.timeoutMs,
    });
    this.basePath = opts.upstream.pathname.replace(/\/+$/, '');
  }

  private async getJson(path: string): Promise<unknown> {
    const res = await this.pool.request({
      method: 'GET',
      path: this.basePath + path,
      headers: { accept: 'application/json' },
    });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`${path}: HTTP ${res.statusCode}`);
    return JSON.parse(text) as unknown;
  }

  /** One poll; never rejects (a failed part is simply unknown in the snapshot). */
  async poll(): Promise<OllamaSnapshot> {
    const [version, running, installed] = await Promise.allSettled([
      this.getJson('/api/version').then(parseVersion),
      this.getJson('/api/ps').then(parsePs),
      this.getJson('/api/tags').then(parseTags),
    ]);
    const snapshot: OllamaSnapshot = { up: version.status === 'fulfilled' };
    if (version.status === 'fulfilled') {
      snapshot.version = version.value;
      if (running.status === 'fulfilled') snapshot.running = running.value;
      if (installed.status === 'fulfilled') snapshot.installed = installed.value;
    }
    this.snapshot = snapshot;
    const at = Date.now();
    for (const listener of this.listeners) listener(snapshot, at);
    return snapshot;
  }

  onSnapshot(listener: SnapshotListener): void {
    this.listeners.push(listener);
  }

  /** The names Ollama knows in a snapshot: installed and running. */
  static modelNames(snapshot: OllamaSnapshot): string[] {
    return [...(snapshot.installed ?? []), ...(snapshot.running ?? [])].map((m) => m.name);
  }

  hooks(): OllamaHooks {
    return {
      up: (g) => {
        clearGauge(g);
        if (this.snapshot) g.set(this.snapshot.up ? 1 : 0);
      },
      buildInfo: (g) => {
        clearGauge(g);
        if (this.snapshot?.version !== undefined) g.set({ version: this.snapshot.version }, 1);
      },
      modelsLoaded: (g) => {
        clearGauge(g);
        if (this.snapshot?.running) g.set(this.snapshot.running.length);
      },
      modelLoaded: (g) => {
        clearGauge(g);
        const s = this.snapshot;
        if (!s?.running) return;
        for (const m of s.installed ?? []) g.set({ model: m.name }, 0);
        for (const m of s.running) g.set({ model: m.name }, 1);
      },
      modelMemory: (g) => {
        clearGauge(g);
        for (const m of this.snapshot?.running ?? []) {
          g.set({ model: m.name, location: 'vram' }, m.sizeVram);
          g.set({ model: m.name, location: 'ram' }, m.size - m.sizeVram);
        }
      },
      modelContextLength: (g) => {
        clearGauge(g);
        for (const m of this.snapshot?.running ?? []) {
          if (m.contextLength !== undefined) g.set({ model: m.name }, m.contextLength);
        }
      },
    };
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}

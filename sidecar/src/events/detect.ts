/**
 * Turns what the sidecar sees into events: successive polls of Ollama's state (/api/version, /api/ps,
 * /api/tags) and the records of forwarded requests. Pure apart from the detector's memory of the last
 * state; the caller stamps the time, so tests replay recorded states at chosen instants.
 */
import type { EventDetail, EventType, LensEvent } from '@ollama-lens/contracts';
import type { InstalledModel, OllamaSnapshot, RunningModel } from '../metrics/ollama-collector';
import { COLD_START_MIN_LOAD_MS } from '../metrics/recorder';
import type { MeasurementRecord } from '../tap/record';

function event(
  at: number,
  type: EventType,
  model: string | null,
  details: Record<string, EventDetail> = {}
): LensEvent {
  return { at, type, model, details };
}

/** Where a loaded model lives: all in VRAM, all in RAM, or split (offloaded layers run on the CPU). */
export function placement(m: Pick<RunningModel, 'size' | 'sizeVram'>): 'gpu' | 'cpu' | 'split' {
  if (m.sizeVram <= 0) return 'cpu';
  return m.sizeVram >= m.size ? 'gpu' : 'split';
}

function loaded(at: number, m: RunningModel): LensEvent {
  return event(at, 'model_loaded', m.name, {
    size_bytes: m.size,
    vram_bytes: m.sizeVram,
    placement: placement(m),
    context_length: m.contextLength ?? null,
    digest: m.digest ?? null,
  });
}

/**
 * A model that left memory before its keep-alive ran out was evicted (another model needed the room,
 * or a request asked for `keep_alive: 0`); one whose expiry has passed simply expired.
 */
function unloaded(at: number, m: RunningModel): LensEvent {
  const reason = m.expiresAt !== undefined && m.expiresAt > at ? 'evicted' : 'expired';
  return event(at, 'model_unloaded', m.name, { reason, digest: m.digest ?? null });
}

export function runningChanges(
  at: number,
  before: readonly RunningModel[],
  after: readonly RunningModel[]
): LensEvent[] {
  const out: LensEvent[] = [];
  const was = new Map(before.map((m) => [m.name, m]));
  const now = new Map(after.map((m) => [m.name, m]));
  for (const [name, m] of was) {
    const next = now.get(name);
    // A different digest under the same name is another build of the model: the old one left memory.
    if (!next || (m.digest && next.digest && m.digest !== next.digest)) out.push(unloaded(at, m));
  }
  for (const [name, m] of now) {
    const prev = was.get(name);
    if (!prev || (prev.digest && m.digest && prev.digest !== m.digest)) out.push(loaded(at, m));
  }
  return out;
}

export function installedChanges(
  at: number,
  before: readonly InstalledModel[],
  after: readonly InstalledModel[]
): LensEvent[] {
  const out: LensEvent[] = [];
  const was = new Map(before.map((m) => [m.name, m.digest]));
  const now = new Map(after.map((m) => [m.name, m.digest]));
  for (const [name, digest] of now) {
    if (!was.has(name)) out.push(event(at, 'model_added', name, { digest: digest ?? null }));
    else if (digest && was.get(name) && was.get(name) !== digest) {
      out.push(event(at, 'model_digest_changed', name, { from: was.get(name) ?? null, to: digest }));
    }
  }
  for (const [name, digest] of was) {
    if (!now.has(name)) out.push(event(at, 'model_removed', name, { digest: digest ?? null }));
  }
  return out;
}

/** Model management requests that succeeded through the proxy, by endpoint. */
const MANAGEMENT_EVENTS: Partial<Record<MeasurementRecord['endpoint'], EventType>> = {
  '/api/create': 'model_created',
  '/api/pull': 'model_pulled',
  '/api/push': 'model_pushed',
  '/api/delete': 'model_deleted',
  '/api/copy': 'model_copied',
};

/** Events one forwarded request tells by itself: a cold start, or a model created, pulled, deleted… */
export function recordEvents(r: MeasurementRecord): LensEvent[] {
  const out: LensEvent[] = [];
  const model = r.model ?? null;
  const management = MANAGEMENT_EVENTS[r.endpoint];
  if (management && r.status === 'success') {
    out.push(event(r.ended_at, management, model, { request_id: r.id, user: r.user ?? null }));
  }
  const loadMs = (r.timings?.load_duration_ns ?? 0) / 1e6;
  if (loadMs >= COLD_START_MIN_LOAD_MS) {
    out.push(event(r.started_at, 'cold_start', model, { load_ms: Math.round(loadMs), request_id: r.id }));
  }
  return out;
}

interface Known {
  up: boolean;
  version?: string;
  running?: RunningModel[];
  installed?: InstalledModel[];
  /** When Ollama was last seen down (epoch ms), while it is down. */
  downSince?: number;
}

/**
 * Remembers the last state seen and says what changed. A restart is seen as down then up, when a poll
 * or a forwarded request finds Ollama unreachable; a restart quicker than the poll interval with no
 * traffic in between shows only as a version change (an upgrade) or as models gone from memory.
 */
export class OllamaEventDetector {
  private known: Known | undefined;

  /** The events since the previous poll; the first poll only sets the baseline (or says Ollama is down). */
  observe(snapshot: OllamaSnapshot, at: number): LensEvent[] {
    const prev = this.known;
    if (!snapshot.up) {
      if (prev?.up === false) return [];
      this.known = { ...prev, up: false, downSince: at };
      return [event(at, 'ollama_down', null, { version: prev?.version ?? null, source: 'poll' })];
    }
    const out: LensEvent[] = [];
    if (prev && !prev.up) {
      out.push(
        event(at, 'ollama_up', null, {
          version: snapshot.version ?? null,
          down_ms: prev.downSince !== undefined ? at - prev.downSince : null,
        })
      );
    }
    if (prev?.version && snapshot.version && prev.version !== snapshot.version) {
      out.push(event(at, 'ollama_version_changed', null, { from: prev.version, to: snapshot.version }));
    }
    // After a restart nothing from before is in memory: only what loaded since is news.
    const runningBefore = prev && !prev.up ? [] : prev?.running;
    if (runningBefore && snapshot.running) out.push(...runningChanges(at, runningBefore, snapshot.running));
    if (prev?.installed && snapshot.installed)
      out.push(...installedChanges(at, prev.installed, snapshot.installed));
    this.known = {
      up: true,
      version: snapshot.version ?? prev?.version,
      running: snapshot.running ?? (prev?.up ? prev.running : undefined),
      installed: snapshot.installed ?? prev?.installed,
    };
    return out;
  }

  /** A forwarded request could not reach Ollama: it is down now, even if the last poll found it up. */
  unreachable(at: number): LensEvent[] {
    if (this.known?.up === false) return [];
    this.known = { ...this.known, up: false, downSince: at };
    return [event(at, 'ollama_down', null, { version: this.known.version ?? null, source: 'traffic' })];
  }
}

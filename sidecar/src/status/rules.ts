/**
 * The status line's rule engine: turns the current signals into facts with a level, and the facts into
 * one line. Pure (the caller gathers the signals), so it is always available, whatever a model says.
 */
import type { LensEvent, StatusFact, StatusLevel } from '@ollama-lens/contracts';
import { placement } from '../events/detect';
import type { GpuReading } from '../metrics/gpu';
import type { HostSnapshot } from '../metrics/host';
import type { RunningModel } from '../metrics/ollama-collector';

/** Counts over a window of finished requests. */
export interface WindowStats {
  requests: number;
  errors: number;
  /** The most frequent error type in the window, when there were errors. */
  topErrorType?: string;
  p95Ms?: number;
  /** Output tokens per second of the window's generations. */
  tokensPerSecond?: number;
}

export interface StatusSignals {
  at: number;
  /** Length of the recent window, minutes. */
  windowMinutes: number;
  recent: WindowStats;
  /** The hour before the recent window: what "usual" means for latency and speed. */
  baseline?: WindowStats;
  /** Requests in flight beyond the parallel slots Ollama runs. */
  queue?: { waiting: number; slots: number };
  /** Undefined when Ollama's state is unknown (not polled yet, or metrics off). */
  ollama?: { up: boolean; version?: string; running?: RunningModel[] };
  gpus: readonly GpuReading[];
  host?: HostSnapshot;
  store?: { droppedRecently: number; failing: boolean };
  /** Recent events, newest first. */
  events: readonly LensEvent[];
}

// Thresholds. Latency and speed are judged against the signal's own recent past, not absolute values:
// a 70B model on a CPU is slow every day, and that is not news.
export const ERROR_RATE_WARNING = 0.05;
export const ERROR_RATE_CRITICAL = 0.2;
export const LATENCY_WARNING_RATIO = 2;
export const LATENCY_CRITICAL_RATIO = 4;
export const SPEED_WARNING_RATIO = 0.5;
/** A baseline of fewer requests says nothing about what is usual. */
export const BASELINE_MIN_REQUESTS = 20;
export const TEMPERATURE_WARNING_C = 85;
export const TEMPERATURE_CRITICAL_C = 95;
export const LOAD_WARNING_RATIO = 0.95;
/** Events this recent are mentioned. */
export const RECENT_EVENT_MS = 15 * 60_000;
/** The longest line: one glance, as on a dashboard banner. */
export const MAX_LINE_CHARS = 120;

const RANK: Record<StatusLevel, number> = { ok: 0, warning: 1, critical: 2 };

export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

const percent = (ratio: number): string => `${Math.round(ratio * 100)} %`;

function ago(at: number, then: number): string {
  const minutes = Math.round((at - then) / 60_000);
  return minutes < 1 ? 'just now' : `${minutes} min ago`;
}

type Rule = (s: StatusSignals) => StatusFact[];

const ollamaUp: Rule = (s) => {
  if (s.ollama?.up !== false) return [];
  const down = s.events.find((e) => e.type === 'ollama_down');
  return [
    {
      id: 'ollama',
      level: 'critical',
      text: `Ollama is down${down ? ` (since ${ago(s.at, down.at)})` : ''}`,
    },
  ];
};

const errors: Rule = ({ recent }) => {
  if (recent.requests === 0 || recent.errors === 0) return [];
  const rate = recent.errors / recent.requests;
  const level: StatusLevel =
    rate >= ERROR_RATE_CRITICAL ? 'critical' : rate >= ERROR_RATE_WARNING ? 'warning' : 'ok';
  const type = recent.topErrorType ? `, mostly ${recent.topErrorType}` : '';
  return [{ id: 'errors', level, text: `${percent(rate)} of requests failing${type}` }];
};

const latency: Rule = ({ recent, baseline }) => {
  if (recent.p95Ms === undefined || !baseline?.p95Ms || baseline.requests < BASELINE_MIN_REQUESTS) return [];
  const ratio = recent.p95Ms / baseline.p95Ms;
  if (ratio < LATENCY_WARNING_RATIO) return [];
  const level: StatusLevel = ratio >= LATENCY_CRITICAL_RATIO ? 'critical' : 'warning';
  return [
    {
      id: 'latency',
      level,
      text: `p95 latency ${formatMs(recent.p95Ms)}, ${ratio.toFixed(1)}× the last hour`,
    },
  ];
};

const speed: Rule = ({ recent, baseline }) => {
  if (!recent.tokensPerSecond || !baseline?.tokensPerSecond || baseline.requests < BASELINE_MIN_REQUESTS)
    return [];
  if (recent.tokensPerSecond >= baseline.tokensPerSecond * SPEED_WARNING_RATIO) return [];
  return [
    {
      id: 'speed',
      level: 'warning',
      text: `Generation at ${recent.tokensPerSecond.toFixed(0)} tok/s, down from ${baseline.tokensPerSecond.toFixed(0)}`,
    },
  ];
};

const queue: Rule = ({ queue: q }) => {
  if (!q || q.waiting <= 0) return [];
  const level: StatusLevel = q.waiting >= q.slots ? 'warning' : 'ok';
  return [
    { id: 'queue', level, text: `${q.waiting} request${q.waiting === 1 ? '' : 's'} waiting for a slot` },
  ];
};

const models: Rule = ({ ollama }) => {
  const running = ollama?.up ? ollama.running : undefined;
  if (!running) return [];
  const out: StatusFact[] = [];
  for (const m of running) {
    if (placement(m) !== 'split') continue;
    const cpuShare = 1 - m.sizeVram / m.size;
    out.push({ id: 'offload', level: 'warning', text: `${m.name} ${percent(cpuShare)} on CPU (offloaded)` });
  }
  return out;
};

function temperatureFact(id: string, what: string, celsius: number | undefined): StatusFact[] {
  if (celsius === undefined || celsius < TEMPERATURE_WARNING_C) return [];
  const level: StatusLevel = celsius >= TEMPERATURE_CRITICAL_C ? 'critical' : 'warning';
  return [{ id, level, text: `${what} at ${Math.round(celsius)} °C` }];
}

const hardware: Rule = ({ gpus, host }) => {
  const out: StatusFact[] = [];
  for (const g of gpus) {
    const what = `GPU ${g.index}${g.name ? ` (${g.name})` : ''}`;
    out.push(...temperatureFact('gpu_temperature', what, g.temperatureCelsius));
    if (
      g.memoryUsedBytes !== undefined &&
      g.memoryTotalBytes &&
      g.memoryUsedBytes / g.memoryTotalBytes >= LOAD_WARNING_RATIO
    ) {
      out.push({
        id: 'gpu_memory',
        level: 'warning',
        text: `${what} memory ${percent(g.memoryUsedBytes / g.memoryTotalBytes)} full`,
      });
    }
  }
  const hottest = Math.max(-Infinity, ...(host?.temperatures ?? []).map((t) => t.celsius));
  out.push(...temperatureFact('host_temperature', 'Host', Number.isFinite(hottest) ? hottest : undefined));
  if (host?.cpuUtilization !== undefined && host.cpuUtilization >= LOAD_WARNING_RATIO) {
    out.push({ id: 'host_cpu', level: 'warning', text: `Host CPU ${percent(host.cpuUtilization)} busy` });
  }
  return out;
};

const store: Rule = ({ store: st }) => {
  if (!st) return [];
  if (st.failing)
    return [{ id: 'store', level: 'critical', text: 'Message store failing: messages are not kept' }];
  if (st.droppedRecently > 0) {
    return [{ id: 'store', level: 'warning', text: `Message store dropped ${st.droppedRecently} records` }];
  }
  return [];
};

const EVENT_WORDS: Partial<Record<LensEvent['type'], string>> = {
  model_loaded: 'loaded',
  model_unloaded: 'unloaded',
  model_digest_changed: 'changed (new digest)',
  model_created: 'created',
  model_pulled: 'pulled',
  model_deleted: 'deleted',
  ollama_up: 'Ollama restarted',
  ollama_version_changed: 'Ollama upgraded',
};

const latestEvent: Rule = ({ at, events }) => {
  const e = events.find((x) => at - x.at <= RECENT_EVENT_MS && EVENT_WORDS[x.type]);
  if (!e) return [];
  const words = EVENT_WORDS[e.type] ?? e.type;
  const text = e.model ? `${e.model} ${words} ${ago(at, e.at)}` : `${words} ${ago(at, e.at)}`;
  return [{ id: 'event', level: 'ok', text }];
};

const activity: Rule = ({ recent, windowMinutes }) => {
  if (recent.requests === 0)
    return [{ id: 'activity', level: 'ok', text: `Idle: no requests in ${windowMinutes} min` }];
  const p95 = recent.p95Ms !== undefined ? `, p95 ${formatMs(recent.p95Ms)}` : '';
  const tps = recent.tokensPerSecond ? `, ${recent.tokensPerSecond.toFixed(0)} tok/s` : '';
  return [
    {
      id: 'activity',
      level: 'ok',
      text: `${recent.requests} request${recent.requests === 1 ? '' : 's'} in ${windowMinutes} min${p95}${tps}`,
    },
  ];
};

/** In order of importance among facts of the same level. */
const RULES: readonly Rule[] = [
  ollamaUp,
  errors,
  store,
  latency,
  queue,
  speed,
  models,
  hardware,
  activity,
  latestEvent,
];

export function statusFacts(signals: StatusSignals): StatusFact[] {
  return RULES.flatMap((rule) => rule(signals));
}

export function overallLevel(facts: readonly StatusFact[]): StatusLevel {
  return facts.reduce<StatusLevel>((worst, f) => (RANK[f.level] > RANK[worst] ? f.level : worst), 'ok');
}

/** The facts, the most severe first, joined until the line is full; the first always fits (cut if need be). */
export function rulesLine(facts: readonly StatusFact[]): string {
  const sorted = [...facts].sort((a, b) => RANK[b.level] - RANK[a.level]);
  let line = '';
  for (const f of sorted) {
    const text = f.text;
    const next = line ? `${line} · ${text}` : text;
    if (next.length > MAX_LINE_CHARS) {
      if (!line) line = `${text.slice(0, MAX_LINE_CHARS - 1)}…`;
      break;
    }
    line = next;
  }
  return line;
}

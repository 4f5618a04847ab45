/**
 * Events: what happened around Ollama that explains a change on a chart (a model loaded, Ollama
 * restarted, the store started dropping). The sidecar notices and stores them; Grafana shows them as
 * annotations, one toggleable layer per group.
 */
export const EVENT_GROUPS = ['models', 'ollama', 'sidecar'] as const;
export type EventGroup = (typeof EVENT_GROUPS)[number];

/** Every event type, with the annotation layer it belongs to. */
export const EVENT_TYPE_GROUPS = {
  // From the /api/ps poll: a model came into memory or left it (reason: expired keep-alive or evicted).
  model_loaded: 'models',
  model_unloaded: 'models',
  // From forwarded traffic: a request paid for loading its model.
  cold_start: 'models',
  // From the /api/tags poll: a model appeared, disappeared, or its manifest digest changed (re-pulled or re-created).
  model_added: 'models',
  model_removed: 'models',
  model_digest_changed: 'models',
  // From forwarded traffic: a successful model management request.
  model_created: 'models',
  model_pulled: 'models',
  model_pushed: 'models',
  model_deleted: 'models',
  model_copied: 'models',
  // From the /api/version poll and forwarded traffic.
  ollama_down: 'ollama',
  ollama_up: 'ollama',
  ollama_version_changed: 'ollama',
  // The sidecar itself.
  sidecar_started: 'sidecar',
  store_dropping: 'sidecar',
  thread_restarted: 'sidecar',
} as const satisfies Record<string, EventGroup>;

export type EventType = keyof typeof EVENT_TYPE_GROUPS;
export const EVENT_TYPES = Object.keys(EVENT_TYPE_GROUPS) as EventType[];

/** The most events one read returns (an annotation layer of a month of a busy server stays far below). */
export const EVENTS_LIMIT = 5000;

/** A detail value: events carry small flat facts (a digest, a version, a size), never nested objects. */
export type EventDetail = string | number | boolean | null;

export interface LensEvent {
  /** Epoch milliseconds. */
  at: number;
  type: EventType;
  /** The model the event is about, canonical name (`tiny:latest`), or null. */
  model: string | null;
  details: Record<string, EventDetail>;
}

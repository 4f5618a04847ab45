/**
 * The Models page and the Playground (issue 15): the sidecar's routes for Ollama's installed and loaded
 * models, their usage, the favourites, the model actions and the playground chat. Plain constants and
 * line types (no schema builder), so the plugin's bundle carries them without TypeBox; schemas.ts builds
 * the route schemas from the same values.
 */

/** Every route of the Models page and the Playground (paths on the sidecar's admin listener). */
export const MODELS_API = {
  /** GET: installed models (/api/tags + /api/show), loaded models (/api/ps), preferences, actions_enabled. */
  installed: '/analytics/models/installed',
  /** GET ?from&to: per-model figures from the store (requests, tokens, tokens/s, p50/p95, error rate). */
  usage: '/analytics/models/usage',
  /** GET ?name=: one model's /api/show (template, parameters, license, Modelfile, model_info). */
  detail: '/analytics/models/detail',
  /** PUT (actions token): favourites and the default model. */
  preferences: '/analytics/models/preferences',
  /** POST (actions token): each goes through the sidecar's own proxy, so it is measured and becomes an event. */
  actions: {
    load: '/analytics/models/actions/load',
    unload: '/analytics/models/actions/unload',
    copy: '/analytics/models/actions/copy',
    delete: '/analytics/models/actions/delete',
    /** Streams Ollama's NDJSON progress lines (PullProgressLine); closing the request cancels the pull. */
    pull: '/analytics/models/actions/pull',
  },
  /** POST (read token): streams Ollama's /api/chat NDJSON lines (ChatStreamLine); closing it stops the generation. */
  playgroundChat: '/analytics/playground/chat',
} as const;

export const MODEL_ACTIONS = ['load', 'unload', 'copy', 'delete', 'pull'] as const;
export type ModelAction = (typeof MODEL_ACTIONS)[number];

/**
 * The second secret the write routes (actions, preferences) need, beside the read token in
 * Authorization: the sidecar's --actions-token. Grafana adds it only on the admin-only plugin route
 * (ACTIONS_PROXY_ROUTE in plugin.ts), so a Viewer's request never carries it.
 */
export const ACTIONS_TOKEN_HEADER = 'x-ollama-lens-actions-token';

/**
 * The stored message's id, on every response of the proxy, and on the playground's and the actions'
 * responses (set before the stream starts): the Explorer's message page opens it.
 */
export const MESSAGE_ID_HEADER = 'x-ollama-lens-id';

/**
 * A model name as Ollama takes it: `[host[:port]/][namespace/]model[:tag]` (e.g. `tiny`, `llama3.2:1b`,
 * `hf.co/user/repo:Q4_K_M`). Each part starts with a letter or digit, so `..`, spaces, quotes and
 * control characters never reach Ollama or a log line.
 */
export const MODEL_NAME_PATTERN =
  '^(?:[A-Za-z0-9][A-Za-z0-9._-]*(?::[0-9]{1,5})?/)?(?:[A-Za-z0-9][A-Za-z0-9._-]*/)?[A-Za-z0-9][A-Za-z0-9._-]*(?::[A-Za-z0-9_][A-Za-z0-9._-]{0,127})?$';
export const MODEL_NAME_MAX_LENGTH = 350;

/** At most this many favourites are kept (a bound on what one PUT may store). */
export const FAVOURITES_MAX = 500;

/** Roles a playground message may have. */
export const PLAYGROUND_ROLES = ['system', 'user', 'assistant'] as const;
export type PlaygroundRole = (typeof PLAYGROUND_ROLES)[number];

/** Bounds of the playground's request: one conversation, not a bulk API. */
export const PLAYGROUND_LIMITS = {
  messages: 200,
  /** Characters of one message's content, and of the system prompt. */
  contentChars: 100_000,
} as const;

/**
 * A model Ollama can only embed with (/api/show's capabilities hold "embedding" and not "completion",
 * as for nomic-embed-text): Ollama refuses /api/generate and /api/chat for it. The sidecar loads such a
 * model with an empty /api/embed, and the Playground does not offer it. A model whose capabilities are
 * unknown (an empty list: /api/show failed) is not one.
 */
export function isEmbeddingOnly(capabilities: readonly string[]): boolean {
  return capabilities.includes('embedding') && !capabilities.includes('completion');
}

/** Where a loaded model lives: all in VRAM, all in RAM, or split between them (some layers on the CPU). */
export const PLACEMENTS = ['gpu', 'cpu', 'split'] as const;
export type Placement = (typeof PLACEMENTS)[number];

/**
 * One line of a pull's progress stream, as Ollama sends it: `{status}` lines (`pulling manifest`,
 * `verifying sha256 digest`, `writing manifest`, `success`), per-layer lines with `digest`, `total` and
 * `completed` (bytes), and on failure one `{error}` line (the stream then ends).
 */
export interface PullProgressLine {
  status?: string;
  digest?: string;
  total?: number;
  completed?: number;
  error?: string;
}

/**
 * One line of the playground's stream: Ollama's /api/chat chunk as it sent it. The last has `done: true`
 * with Ollama's counters (durations in nanoseconds); a failure mid-stream is one `{error}` line.
 */
export interface ChatStreamLine {
  model?: string;
  created_at?: string;
  message?: { role: string; content: string; thinking?: string };
  done?: boolean;
  done_reason?: string;
  total_duration?: number;
  load_duration?: number;
  prompt_eval_count?: number;
  prompt_eval_duration?: number;
  eval_count?: number;
  eval_duration?: number;
  error?: string;
}

/**
 * The AI status line: one human line about the state of Ollama, from facts a rule engine derives from
 * the current signals, optionally phrased by a model (`GET /analytics/status`).
 */
export const STATUS_LEVELS = ['ok', 'warning', 'critical'] as const;
export type StatusLevel = (typeof STATUS_LEVELS)[number];

/** What produced the line: the rules alone, or a model phrasing the rules' facts. */
export const STATUS_SOURCES = ['rules', 'model'] as const;
export type StatusSource = (typeof STATUS_SOURCES)[number];

export interface StatusFact {
  /** Which rule said it (stable: `errors`, `latency`, `queue`, `gpu_temperature`, …). */
  id: string;
  level: StatusLevel;
  /** The fact in a few words, e.g. "12 % of requests failing (model_not_found)". */
  text: string;
}

export interface StatusLine {
  line: string;
  level: StatusLevel;
  facts: StatusFact[];
  source: StatusSource;
  /** Epoch milliseconds the facts were taken at. */
  at: number;
}

/**
 * Label values: how model and user names become bounded label values. Every label stays bounded so a
 * misbehaving client cannot blow up the number of series (Prometheus' advice: investigate beyond ~100
 * values per label).
 */

/** Value for a missing model or user. */
export const UNKNOWN = 'unknown';
/** Value for names beyond a cap. */
export const OTHER = 'other';

/** Distinct model names not installed in Ollama that still get their own label value. */
export const UNINSTALLED_MODEL_LIMIT = 50;

/**
 * The canonical model name, as Ollama lists it in /api/tags and /api/ps: a name without a tag gets
 * `:latest`, so `llama3.2` and `llama3.2:latest` are one model everywhere (metric labels, the store,
 * the Explorer's filter, links between them) and join with the polled model gauges. The tag is looked
 * for in the last path segment only (`registry:5000/ns/model` has no tag); a digest (`@sha256:…`)
 * counts as a tag. Undefined when there is no name.
 */
export function canonicalModelName(name: string | undefined): string | undefined {
  const trimmed = (name ?? '').trim();
  if (!trimmed) return undefined;
  const lastSegment = trimmed.slice(trimmed.lastIndexOf('/') + 1);
  return lastSegment.includes(':') || lastSegment.includes('@') ? trimmed : `${trimmed}:latest`;
}

/** The `model` label value of a name: its canonical form, `unknown` without one. */
export function normalizeModelName(name: string | undefined): string {
  return canonicalModelName(name) ?? UNKNOWN;
}

/**
 * Admits label values first come, first served, up to a limit; later values become `other`. Pinned
 * values (models Ollama reports as installed) are always admitted and do not use up the limit.
 */
export class BoundedLabel {
  private readonly admitted = new Set<string>();
  private readonly pinned = new Set<string>();

  constructor(readonly limit: number) {}

  value(raw: string): string {
    if (raw === UNKNOWN || this.pinned.has(raw) || this.admitted.has(raw)) return raw;
    if (this.admitted.size >= this.limit) return OTHER;
    this.admitted.add(raw);
    return raw;
  }

  pin(raw: string): void {
    this.pinned.add(raw);
  }

  get size(): number {
    return this.admitted.size;
  }
}

/**
 * PromQL building blocks shared by panels and alerts, so a label rule (which endpoints count as inference,
 * which statuses are failures) is written once.
 */
import { INFERENCE_ENDPOINTS, METRIC_NAMES, type RequestStatus } from '@ollama-lens/contracts';

/** Endpoints that run a model (the contract's list): latency and speed panels select them. */
export { INFERENCE_ENDPOINTS };

/** Statuses counted as failures in error rates (cancelled is the client's choice, not a failure). */
export const FAILURE_STATUSES = ['error', 'timeout'] as const satisfies readonly RequestStatus[];

export const INFERENCE = `endpoint=~"${INFERENCE_ENDPOINTS.join('|')}"`;
export const FAILED = `status=~"${FAILURE_STATUSES.join('|')}"`;

/** Dashboard filters. `user` exists only on ollama_requests_total (and only with --user-label). */
export const MODEL = 'model=~"$model"';
export const USER = 'user=~"$user"';

/** Joins label matchers into a selector body (`{a="b", c=~"d"}`), skipping empty ones; no matchers → ''. */
export function sel(...matchers: string[]): string {
  const body = matchers.filter(Boolean).join(', ');
  return body ? `{${body}}` : '';
}

/** `sum by (...) (rate(metric{...}[window]))`; `by` empty → plain sum. */
export function sumRate(metric: string, matchers: string[], window: string, by: string[] = []): string {
  return `${sumBy(by)}(rate(${metric}${sel(...matchers)}[${window}]))`;
}

export function sumIncrease(metric: string, matchers: string[], window: string, by: string[] = []): string {
  return `${sumBy(by)}(increase(${metric}${sel(...matchers)}[${window}]))`;
}

function sumBy(by: string[]): string {
  return by.length ? `sum by (${by.join(', ')}) ` : 'sum';
}

/** Quantile of a classic histogram, keeping `by` labels. */
export function quantile(q: number, histogram: string, matchers: string[], window: string, by: string[] = []): string {
  return `histogram_quantile(${q}, sum by (${[...by, 'le'].join(', ')}) (rate(${histogram}_bucket${sel(...matchers)}[${window}])))`;
}

/** Mean of a histogram's observations in the window (sum of values / number of observations). */
export function mean(histogram: string, matchers: string[], window: string, by: string[] = []): string {
  return `${sumRate(`${histogram}_sum`, matchers, window, by)} / ${sumRate(`${histogram}_count`, matchers, window, by)}`;
}

/** Failed share of requests; 0 (not empty) when there was traffic but no failure. */
export function failureRatio(matchers: string[], window: string): string {
  return `(${sumRate(METRIC_NAMES.requests, [...matchers, FAILED], window)} or vector(0)) / ${sumRate(METRIC_NAMES.requests, matchers, window)}`;
}

/** Mean output tokens per second per request (Ollama's eval count / eval duration), by model when asked. */
export function generationSpeed(matchers: string[], window: string, by: string[] = []): string {
  return mean(METRIC_NAMES.outputTokensPerSecond, matchers, window, by);
}

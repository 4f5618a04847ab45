/**
 * The sidecar's test harness (Ollama, Prometheus), loaded with require(): it is typed for Node without the DOM library,
 * and this suite's TypeScript program includes the DOM (page.evaluate bodies run in Chromium), whose
 * `fetch` types reject the harness's Buffer bodies. The shape used here is declared instead.
 */
export interface OllamaServer {
  url: string;
  models: string[];
  logs(): string;
  stop(): Promise<void>;
}

export interface PrometheusServer {
  url: string;
  logs(): string;
  stop(): Promise<void>;
}

interface OllamaHarness {
  startOllama(): Promise<OllamaServer>;
  warmModel(url: string, model: string): Promise<void>;
}

interface PrometheusHarness {
  startPrometheus(opts: { target: string; scrapeIntervalSeconds?: number }): Promise<PrometheusServer>;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const ollama = require('../../../sidecar/test/harness/ollama') as OllamaHarness;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const prometheus = require('../../../sidecar/test/metrics/prometheus-server') as PrometheusHarness;

export const startOllama = ollama.startOllama;
export const warmModel = ollama.warmModel;
export const startPrometheus = prometheus.startPrometheus;

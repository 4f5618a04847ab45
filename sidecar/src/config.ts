/**
 * The sidecar's configuration: one table of options, read from environment variables and CLI flags
 * (flags win), validated at start. The same table prints `--help` and the README's config table.
 */
import os from 'node:os';

export type PriceTable = Record<string, { input: number; output: number }>;

export interface Config {
  host: string;
  port: number;
  upstream: URL;
  adminHost: string;
  /** 0 = the admin endpoints (/metrics, /healthz, /analytics/…) share the proxy port. */
  adminPort: number;
  adminToken?: string;
  /**
   * Second secret for the model actions and the preferences (header x-ollama-lens-actions-token, beside
   * the read token); empty = those routes answer 403.
   */
  actionsToken: string;
  /** The favourites and default model's file; empty = beside the SQLite --db (or ./data with PostgreSQL). */
  preferencesFile: string;
  corsOrigins: string[];
  userHeader: string;
  sessionHeader: string;
  noCaptureHeader: string;
  bodyLimitBytes: number;
  captureLimitBytes: number;
  connectTimeoutMs: number;
  idleTimeoutMs: number;
  /** 0 = no limit before Ollama's response headers on inference endpoints (Ollama's own queue decides). */
  headerTimeoutMs: number;
  /** Longest a SIGTERM drain waits for in-flight requests before cutting them. */
  drainTimeoutMs: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  logRecords: boolean;
  // metrics
  metricsEnabled: boolean;
  pollIntervalMs: number;
  userLabel: boolean;
  userLabelLimit: number;
  prices: PriceTable;
  nvidiaSmi: string;
  rocmSmi: string;
  ioreg: string;
  /** OLLAMA_NUM_PARALLEL of the Ollama behind the proxy: requests beyond it per model count as queued. */
  ollamaNumParallel: number;
  // store
  dbPath: string;
  /** This sidecar's name in the store's `host` field (default: the hostname). */
  instance: string;
  storeEnabled: boolean;
  captureContent: boolean;
  redact: boolean;
  redactPatterns: string[];
  retentionDays: number;
  maxDbMb: number;
  queueSize: number;
  batchMs: number;
  // analytics
  /** Reader threads serving /analytics queries. */
  queryWorkers: number;
  /** Time budget of one analytics query; past it the query is stopped and answered with an error. */
  queryTimeoutMs: number;
  /** JS heap limit of each store thread, in MiB (a runaway query costs its thread, never the process). */
  workerMemoryMb: number;
  // OpenTelemetry
  /** Base URL of an OTLP/HTTP receiver; empty = no export (and no trace headers touched). */
  otlpEndpoint: string;
  /** `name=value` headers sent with each export. */
  otlpHeaders: string[];
  otlpServiceName: string;
  /** Attach prompt and response text to spans (the conventions' opt-in attributes). */
  otlpCaptureContent: boolean;
  /** Spans waiting for export before new ones are dropped. */
  otlpQueueSize: number;
  /** Also send the GenAI metrics (…/v1/metrics). */
  otlpMetrics: boolean;
  otlpMetricsIntervalMs: number;
  // status line
  /** Model that phrases the status line; empty = the rules' line only. */
  statusModel: string;
  statusRefreshMs: number;
}

type Kind = 'string' | 'int' | 'bool' | 'url' | 'list' | 'json' | 'level';

interface OptionSpec<K extends keyof Config = keyof Config> {
  key: K;
  env: string;
  flag: string;
  kind: Kind;
  default: string;
  help: string;
  min?: number;
}

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

// One line per option: the table reads like the README's.
// prettier-ignore
export const OPTIONS: readonly OptionSpec[] = [
  { key: 'host', env: 'OLLAMA_LENS_HOST', flag: '--host', kind: 'string', default: '127.0.0.1', help: 'Address the proxy listens on (apps connect here instead of Ollama).' },
  { key: 'port', env: 'OLLAMA_LENS_PORT', flag: '--port', kind: 'int', default: '11435', help: 'Port the proxy listens on.', min: 0 },
  { key: 'upstream', env: 'OLLAMA_LENS_UPSTREAM', flag: '--upstream', kind: 'url', default: 'http://127.0.0.1:11434', help: 'Base URL of the Ollama server to forward to.' },
  { key: 'adminHost', env: 'OLLAMA_LENS_ADMIN_HOST', flag: '--admin-host', kind: 'string', default: '', help: 'Address of the separate admin listener (default: same as --host).' },
  { key: 'adminPort', env: 'OLLAMA_LENS_ADMIN_PORT', flag: '--admin-port', kind: 'int', default: '0', help: 'Separate port for /metrics, /healthz, /readyz and /analytics; 0 serves them on the proxy port.', min: 0 },
  { key: 'adminToken', env: 'OLLAMA_LENS_ADMIN_TOKEN', flag: '--admin-token', kind: 'string', default: '', help: 'Bearer token for the admin endpoints; required when they listen beyond loopback.' },
  { key: 'actionsToken', env: 'OLLAMA_LENS_ACTIONS_TOKEN', flag: '--actions-token', kind: 'string', default: '', help: 'Token for the model actions (load, unload, copy, delete, pull) and the favourites, sent in the x-ollama-lens-actions-token header beside the read token; Grafana adds it only for Admins. Empty: actions disabled (403).' },
  { key: 'corsOrigins', env: 'OLLAMA_LENS_CORS_ORIGINS', flag: '--cors-origins', kind: 'list', default: '', help: 'Comma-separated origins allowed to call the analytics API from a browser (off by default).' },
  { key: 'userHeader', env: 'OLLAMA_LENS_USER_HEADER', flag: '--user-header', kind: 'string', default: 'x-user-id', help: 'Request header that names the user.' },
  { key: 'sessionHeader', env: 'OLLAMA_LENS_SESSION_HEADER', flag: '--session-header', kind: 'string', default: 'x-session-id', help: 'Request header that names the session.' },
  { key: 'noCaptureHeader', env: 'OLLAMA_LENS_NO_CAPTURE_HEADER', flag: '--no-capture-header', kind: 'string', default: 'x-ollama-lens-no-capture', help: 'Request header that, when present (any value but "false"), keeps this request\'s text out of the store.' },
  { key: 'bodyLimitBytes', env: 'OLLAMA_LENS_BODY_LIMIT', flag: '--body-limit', kind: 'int', default: String(256 * 1024 * 1024), help: 'Largest request body accepted, in bytes (413 above).', min: 1 },
  { key: 'captureLimitBytes', env: 'OLLAMA_LENS_CAPTURE_LIMIT', flag: '--capture-limit', kind: 'int', default: String(16 * 1024 * 1024), help: 'Bytes of each request and response body kept for parsing; beyond it the record is marked truncated (forwarding is never affected).', min: 0 },
  { key: 'connectTimeoutMs', env: 'OLLAMA_LENS_CONNECT_TIMEOUT_MS', flag: '--connect-timeout-ms', kind: 'int', default: '10000', help: 'Timeout for connecting to Ollama, in ms.', min: 1 },
  { key: 'idleTimeoutMs', env: 'OLLAMA_LENS_IDLE_TIMEOUT_MS', flag: '--idle-timeout-ms', kind: 'int', default: '300000', help: 'Longest silence from Ollama between chunks once a response has started (and before the headers on non-inference endpoints), in ms. A stream\'s total length is never capped.', min: 1 },
  { key: 'headerTimeoutMs', env: 'OLLAMA_LENS_HEADER_TIMEOUT_MS', flag: '--header-timeout-ms', kind: 'int', default: '0', help: 'Longest wait for Ollama\'s response headers on inference endpoints, in ms (0 = no limit: a request waiting in Ollama\'s own queue is not silence; Ollama answers 503 when its queue is full).', min: 0 },
  { key: 'drainTimeoutMs', env: 'OLLAMA_LENS_DRAIN_TIMEOUT_MS', flag: '--drain-timeout-ms', kind: 'int', default: '120000', help: 'On SIGTERM, how long in-flight requests (streams included) may finish before they are cut and recorded as ended by shutdown, in ms.', min: 0 },
  { key: 'logLevel', env: 'OLLAMA_LENS_LOG_LEVEL', flag: '--log-level', kind: 'level', default: 'info', help: `Log level: ${LEVELS.join(', ')}.` },
  { key: 'logRecords', env: 'OLLAMA_LENS_LOG_RECORDS', flag: '--log-records', kind: 'bool', default: 'false', help: 'Also write each measurement record as a structured log line.' },
  { key: 'metricsEnabled', env: 'OLLAMA_LENS_METRICS', flag: '--metrics', kind: 'bool', default: 'true', help: 'Serve Prometheus metrics at /metrics (false: no measuring beyond the store).' },
  { key: 'pollIntervalMs', env: 'OLLAMA_LENS_POLL_INTERVAL_MS', flag: '--poll-interval-ms', kind: 'int', default: '10000', help: 'How often to poll Ollama (/api/ps, /api/tags, /api/version) and the host for gauges, in ms.', min: 100 },
  { key: 'userLabel', env: 'OLLAMA_LENS_USER_LABEL', flag: '--user-label', kind: 'bool', default: 'false', help: 'Add a bounded `user` label to ollama_requests_total.' },
  { key: 'userLabelLimit', env: 'OLLAMA_LENS_USER_LABEL_LIMIT', flag: '--user-label-limit', kind: 'int', default: '20', help: 'Distinct users that get their own label value; the rest are `other`.', min: 1 },
  { key: 'prices', env: 'OLLAMA_LENS_PRICES', flag: '--prices', kind: 'json', default: '{}', help: 'Shadow price table, USD per million tokens: {"llama3.2":{"input":0.1,"output":0.4},"*":{...}}, or @path/to/file.json.' },
  { key: 'nvidiaSmi', env: 'OLLAMA_LENS_NVIDIA_SMI', flag: '--nvidia-smi', kind: 'string', default: 'nvidia-smi', help: 'nvidia-smi command used for GPU metrics (skipped when absent).' },
  { key: 'rocmSmi', env: 'OLLAMA_LENS_ROCM_SMI', flag: '--rocm-smi', kind: 'string', default: 'rocm-smi', help: 'rocm-smi command used for AMD GPU metrics (skipped when absent; empty turns it off).' },
  { key: 'ioreg', env: 'OLLAMA_LENS_IOREG', flag: '--ioreg', kind: 'string', default: 'ioreg', help: 'ioreg command used for Apple Silicon GPU metrics on macOS (skipped when absent; empty turns it off).' },
  { key: 'ollamaNumParallel', env: 'OLLAMA_LENS_OLLAMA_NUM_PARALLEL', flag: '--ollama-num-parallel', kind: 'int', default: '1', help: 'OLLAMA_NUM_PARALLEL of the Ollama behind the proxy (requests it runs at once per model); in-flight requests beyond it count in ollama_request_queue_depth.', min: 1 },
  { key: 'dbPath', env: 'OLLAMA_LENS_DB', flag: '--db', kind: 'string', default: './data/ollama-lens.db', help: 'The message store: a SQLite file, or a PostgreSQL URL (postgres://user:password@host:5432/database) that several sidecars share.' },
  { key: 'preferencesFile', env: 'OLLAMA_LENS_PREFERENCES_FILE', flag: '--preferences-file', kind: 'string', default: '', help: 'JSON file keeping the Models page\'s favourites and default model (default: beside the SQLite --db as <db>.preferences.json; with a PostgreSQL --db, ./data/model-preferences.json).' },
  { key: 'instance', env: 'OLLAMA_LENS_INSTANCE', flag: '--instance', kind: 'string', default: '', help: 'This sidecar\'s name in each stored message (`host`), so several sidecars sharing one store can be told apart (default: the machine\'s hostname).' },
  { key: 'storeEnabled', env: 'OLLAMA_LENS_STORE', flag: '--store', kind: 'bool', default: 'true', help: 'Keep messages in the SQLite store (false: metrics only).' },
  { key: 'captureContent', env: 'OLLAMA_LENS_CAPTURE_CONTENT', flag: '--capture-content', kind: 'bool', default: 'true', help: 'Store prompt and response text (false: metadata only).' },
  { key: 'redact', env: 'OLLAMA_LENS_REDACT', flag: '--redact', kind: 'bool', default: 'false', help: 'Redact API keys, emails and card numbers before anything is stored.' },
  { key: 'redactPatterns', env: 'OLLAMA_LENS_REDACT_PATTERNS', flag: '--redact-patterns', kind: 'list', default: '', help: 'Extra comma-separated regular expressions to redact (implies --redact).' },
  { key: 'retentionDays', env: 'OLLAMA_LENS_RETENTION_DAYS', flag: '--retention-days', kind: 'int', default: '30', help: 'Delete messages older than this many days (0 = keep forever).', min: 0 },
  { key: 'maxDbMb', env: 'OLLAMA_LENS_MAX_DB_MB', flag: '--max-db-mb', kind: 'int', default: '0', help: 'Delete the oldest messages when the store grows beyond this size in MiB (0 = no limit).', min: 0 },
  { key: 'queueSize', env: 'OLLAMA_LENS_QUEUE_SIZE', flag: '--queue-size', kind: 'int', default: '10000', help: 'Records waiting to be written before new ones are dropped (and counted).', min: 1 },
  { key: 'batchMs', env: 'OLLAMA_LENS_BATCH_MS', flag: '--batch-ms', kind: 'int', default: '200', help: 'Longest a record waits before its batch is written, in ms.', min: 1 },
  { key: 'queryWorkers', env: 'OLLAMA_LENS_QUERY_WORKERS', flag: '--query-workers', kind: 'int', default: '2', help: 'Threads that serve analytics queries (the proxy\'s thread never runs one): each runs one query at a time on SQLite, and up to 4 at once on PostgreSQL, a connection each.', min: 1 },
  { key: 'queryTimeoutMs', env: 'OLLAMA_LENS_QUERY_TIMEOUT_MS', flag: '--query-timeout-ms', kind: 'int', default: '15000', help: 'Time budget of one analytics query, in ms; past it the query is stopped and answered with a JSON error.', min: 100 },
  { key: 'workerMemoryMb', env: 'OLLAMA_LENS_WORKER_MEMORY_MB', flag: '--worker-memory-mb', kind: 'int', default: '256', help: 'JavaScript heap limit of each store and query thread, in MiB (at least 8 × --capture-limit, so the largest message fits); a query that needs more fails alone.', min: 32 },
  { key: 'otlpEndpoint', env: 'OLLAMA_LENS_OTLP_ENDPOINT', flag: '--otlp-endpoint', kind: 'string', default: '', help: 'Base URL of an OpenTelemetry collector\'s OTLP/HTTP receiver (e.g. http://127.0.0.1:4318): one span per request (GenAI semantic conventions), sent to its /v1/traces path; incoming traceparent headers are continued. Off when empty.' },
  { key: 'otlpHeaders', env: 'OLLAMA_LENS_OTLP_HEADERS', flag: '--otlp-headers', kind: 'list', default: '', help: 'Comma-separated name=value headers sent with each OTLP export (e.g. a collector\'s API key).' },
  { key: 'otlpServiceName', env: 'OLLAMA_LENS_OTLP_SERVICE_NAME', flag: '--otlp-service-name', kind: 'string', default: 'ollama-lens', help: 'service.name of the exported spans.' },
  { key: 'otlpCaptureContent', env: 'OLLAMA_LENS_OTLP_CAPTURE_CONTENT', flag: '--otlp-capture-content', kind: 'bool', default: 'false', help: 'Attach prompt and response text to spans (gen_ai.input.messages, gen_ai.output.messages, gen_ai.system_instructions); the no-capture header and --redact apply.' },
  { key: 'otlpQueueSize', env: 'OLLAMA_LENS_OTLP_QUEUE_SIZE', flag: '--otlp-queue-size', kind: 'int', default: '2048', help: 'Spans waiting for export before new ones are dropped (and counted); exporting never delays a request.', min: 1 },
  { key: 'otlpMetrics', env: 'OLLAMA_LENS_OTLP_METRICS', flag: '--otlp-metrics', kind: 'bool', default: 'false', help: 'Also send the GenAI metrics (gen_ai.client.token.usage, gen_ai.client.operation.duration, gen_ai.server.time_to_first_token, gen_ai.server.time_per_output_token) to the endpoint\'s /v1/metrics path.' },
  { key: 'otlpMetricsIntervalMs', env: 'OLLAMA_LENS_OTLP_METRICS_INTERVAL_MS', flag: '--otlp-metrics-interval-ms', kind: 'int', default: '60000', help: 'How often the GenAI metrics are sent, in ms.', min: 100 },
  { key: 'statusModel', env: 'OLLAMA_LENS_STATUS_MODEL', flag: '--status-model', kind: 'string', default: '', help: 'Model that phrases the status line from the rules\' facts, asked through the sidecar\'s own proxy (marked as the status line\'s, kept out of the Explorer\'s default view). Empty: the rules\' line only.' },
  { key: 'statusRefreshMs', env: 'OLLAMA_LENS_STATUS_REFRESH_MS', flag: '--status-refresh-ms', kind: 'int', default: '30000', help: 'How often the status line is rebuilt in the background, in ms (a request only reads the latest).', min: 1000 },
];

export class ConfigError extends Error {}

function parseValue(spec: OptionSpec, raw: string): unknown {
  const where = `${spec.flag} / ${spec.env}`;
  switch (spec.kind) {
    case 'string':
      return raw;
    case 'int': {
      if (!/^\d+$/.test(raw.trim())) throw new ConfigError(`${where}: expected a whole number, got "${raw}"`);
      const n = Number(raw);
      if (spec.min !== undefined && n < spec.min)
        throw new ConfigError(`${where}: must be at least ${spec.min}, got ${n}`);
      if (spec.key.toLowerCase().includes('port') && n > 65535)
        throw new ConfigError(`${where}: not a port: ${n}`);
      return n;
    }
    case 'bool': {
      const v = raw.trim().toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(v)) return true;
      if (['0', 'false', 'no', 'off', ''].includes(v)) return false;
      throw new ConfigError(`${where}: expected true or false, got "${raw}"`);
    }
    case 'url': {
      let u: URL;
      try {
        u = new URL(raw);
      } catch {
        throw new ConfigError(`${where}: not a URL: "${raw}" (e.g. http://127.0.0.1:11434)`);
      }
      if (u.protocol !== 'http:' && u.protocol !== 'https:')
        throw new ConfigError(`${where}: only http and https are supported, got ${u.protocol}`);
      return u;
    }
    case 'list':
      return raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    case 'level':
      if (!(LEVELS as readonly string[]).includes(raw))
        throw new ConfigError(`${where}: expected one of ${LEVELS.join(', ')}, got "${raw}"`);
      return raw;
    case 'json': {
      return parsePrices(where, raw);
    }
  }
}

function parsePrices(where: string, raw: string): PriceTable {
  let text = raw;
  if (raw.startsWith('@')) {
    // Read lazily so the module stays free of I/O unless a file is named.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const fs = require('node:fs') as typeof import('node:fs');
    try {
      text = fs.readFileSync(raw.slice(1), 'utf8');
    } catch (e) {
      throw new ConfigError(`${where}: cannot read ${raw.slice(1)}: ${(e as Error).message}`);
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`${where}: not valid JSON: ${(e as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new ConfigError(`${where}: expected an object of model → {input, output}`);
  const out: PriceTable = {};
  for (const [model, p] of Object.entries(parsed as Record<string, unknown>)) {
    const price = p as { input?: unknown; output?: unknown };
    if (
      typeof price !== 'object' ||
      price === null ||
      typeof price.input !== 'number' ||
      typeof price.output !== 'number' ||
      price.input < 0 ||
      price.output < 0
    ) {
      throw new ConfigError(
        `${where}: price of "${model}" must be {"input": <USD per 1M tokens>, "output": <USD per 1M tokens>}`
      );
    }
    out[model] = { input: price.input, output: price.output };
  }
  return out;
}

/** Parses argv flags (`--name value` or `--name=value`) into raw strings keyed by flag. */
function parseFlags(argv: readonly string[]): Map<string, string> {
  const byFlag = new Map(OPTIONS.map((o) => [o.flag, o]));
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const spec = byFlag.get(name);
    if (!spec) throw new ConfigError(`unknown option ${name} (see --help)`);
    let value: string | undefined;
    if (eq > 0) value = arg.slice(eq + 1);
    else if (spec.kind === 'bool' && (i + 1 >= argv.length || argv[i + 1].startsWith('--'))) value = 'true';
    else value = argv[++i];
    if (value === undefined) throw new ConfigError(`${name} needs a value`);
    out.set(name, value);
  }
  return out;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);
export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host) || host.startsWith('127.');
}

export function loadConfig(argv: readonly string[] = [], env: NodeJS.ProcessEnv = {}): Config {
  const flags = parseFlags(argv);
  const values: Record<string, unknown> = {};
  for (const spec of OPTIONS) {
    const raw = flags.get(spec.flag) ?? env[spec.env] ?? spec.default;
    values[spec.key] = parseValue(spec, raw);
  }
  const config = values as unknown as Config;
  if (!config.adminHost) config.adminHost = config.host;
  if (!config.instance) config.instance = os.hostname();
  if (!config.adminToken) delete config.adminToken;
  config.userHeader = config.userHeader.toLowerCase();
  config.sessionHeader = config.sessionHeader.toLowerCase();
  config.noCaptureHeader = config.noCaptureHeader.toLowerCase();
  if (config.redactPatterns.length > 0) config.redact = true;
  // A store thread must hold the largest captured message as text and as objects. Node stops a thread
  // at its heap limit only when the limit is reached by many small allocations: one single allocation
  // far past it (a huge string) aborts the whole process instead, so the limit must leave that room.
  const minWorkerMb = Math.ceil((8 * config.captureLimitBytes) / (1024 * 1024));
  if (config.workerMemoryMb < minWorkerMb) {
    throw new ConfigError(
      `--worker-memory-mb / OLLAMA_LENS_WORKER_MEMORY_MB: ${config.workerMemoryMb} MiB cannot hold a message of --capture-limit ${config.captureLimitBytes} bytes; use at least ${minWorkerMb} (8 × the capture limit) or lower the capture limit`
    );
  }
  for (const p of config.redactPatterns) {
    try {
      new RegExp(p);
    } catch (e) {
      throw new ConfigError(`--redact-patterns: not a regular expression: ${p} (${(e as Error).message})`);
    }
  }
  if (config.otlpEndpoint) {
    let u: URL | undefined;
    try {
      u = new URL(config.otlpEndpoint);
    } catch {
      // reported below
    }
    if (!u || (u.protocol !== 'http:' && u.protocol !== 'https:'))
      throw new ConfigError(
        `--otlp-endpoint: not an http(s) URL: "${config.otlpEndpoint}" (e.g. http://127.0.0.1:4318)`
      );
  }
  for (const h of config.otlpHeaders)
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+=/.test(h))
      throw new ConfigError(`--otlp-headers: expected name=value, got "${h}"`);
  const adminExposed = config.adminPort === 0 ? !isLoopback(config.host) : !isLoopback(config.adminHost);
  if (adminExposed && !config.adminToken) {
    throw new ConfigError(
      'the admin endpoints (/metrics, /analytics, …) would listen beyond loopback without a token: ' +
        'set OLLAMA_LENS_ADMIN_TOKEN (or --admin-token), or bind them to 127.0.0.1 with --admin-host/--admin-port'
    );
  }
  // The actions token is what separates acting from looking: equal to the read token, it would separate nothing.
  if (config.actionsToken && config.actionsToken === config.adminToken)
    throw new ConfigError(
      '--actions-token must differ from --admin-token (the read token would then allow every action)'
    );
  return config;
}

export function helpText(): string {
  const lines = [
    'ollama-lens-sidecar: a transparent, measuring proxy in front of Ollama',
    '',
    'Usage: ollama-lens-sidecar [options]   (every option also reads its environment variable)',
    '',
  ];
  for (const o of OPTIONS) {
    lines.push(
      `  ${o.flag.padEnd(22)} ${o.env.padEnd(32)} default: ${o.default === '' ? '(none)' : o.default}`
    );
    lines.push(`      ${o.help}`);
  }
  return lines.join('\n');
}

/** The README's config table, generated from the same options. */
export function markdownTable(): string {
  const rows = OPTIONS.map(
    (o) =>
      `| \`${o.env}\` | \`${o.flag}\` | ${o.default === '' ? '—' : `\`${o.default}\``} | ${o.help.replace(/\|/g, '\\|')} |`
  );
  return ['| variable | flag | default | meaning |', '|---|---|---|---|', ...rows].join('\n');
}

/**
 * otel-collector/config.yaml, the collector of the compose profile `otel`, judged three ways. The collector has
 * no official JSON schema of its whole file; what is authoritative is each component's own config, published
 * with its Go module:
 *
 * 1. Wiring, with no tool: every pipeline names defined components, every defined one is used, and the
 *    endpoints are the compose services' names and ports (ClickHouse, Jaeger, the sidecar's OTLP endpoint).
 * 2. Keys: every key the file sets is documented in the component's `config.schema.yaml` (generated from its
 *    config struct), followed through `$ref`s into the config packages it embeds, read from the Go module
 *    cache at exactly the versions of sidecar/test/stack/otelcol/go.mod (= the pinned image's release).
 * 3. The real decoder: otelcol-validate (scripts/install-otelcol.sh builds it from those modules) runs
 *    `validate`, which unmarshals strictly and runs every component's Validate(), as the image would at start.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { OTELCOL_INSTALL as INSTALL, otelcolModuleDirs } from './go-modules';
import { PATHS, readText, repoPath, run } from './repo';

const CONFIG = 'otel-collector/config.yaml';
const VALIDATOR = join(
  process.env.OLLAMA_LENS_TOOLS ?? join(homedir(), '.cache/ollama-lens'),
  'bin/otelcol-validate'
);

type Kind = 'receivers' | 'processors' | 'exporters' | 'extensions';
type Yaml = Record<string, unknown>;
interface CollectorConfig {
  receivers: Record<string, Yaml>;
  processors: Record<string, Yaml>;
  exporters: Record<string, Yaml>;
  extensions: Record<string, Yaml>;
  service: {
    extensions: string[];
    pipelines: Record<string, { receivers: string[]; processors?: string[]; exporters: string[] }>;
  };
}
interface ComposeService {
  image?: string;
  command?: string[];
  volumes?: string[];
  environment?: Record<string, string | null>;
  ports?: string[];
  profiles?: string[];
}

const configText = readText(CONFIG);
const config = parse(configText) as CollectorConfig;
const compose = parse(readText(PATHS.compose)) as { services: Record<string, ComposeService> };
const collector = compose.services['otel-collector'];

/** Component type → the Go package that implements it, as imported by otelcol/main.go. */
const COMPONENT_PACKAGES: Record<Kind, Record<string, string>> = {
  receivers: { otlp: 'go.opentelemetry.io/collector/receiver/otlpreceiver' },
  processors: { memory_limiter: 'go.opentelemetry.io/collector/processor/memorylimiterprocessor' },
  exporters: {
    clickhouse: 'github.com/open-telemetry/opentelemetry-collector-contrib/exporter/clickhouseexporter',
    otlp_grpc: 'go.opentelemetry.io/collector/exporter/otlpexporter',
  },
  extensions: {
    health_check: 'github.com/open-telemetry/opentelemetry-collector-contrib/extension/healthcheckextension',
  },
};
/** `type/name` → `type`. */
const typeOf = (id: string): string => id.split('/')[0];
const port = (hostPort: string): number => Number(/:(\d+)$/.exec(hostPort)?.[1]);

describe('collector config wiring', () => {
  const kinds = ['receivers', 'processors', 'exporters'] as const;

  it('every pipeline names defined components, and every defined component is in a pipeline', () => {
    const used: Record<Kind, Set<string>> = {
      receivers: new Set(),
      processors: new Set(),
      exporters: new Set(),
      extensions: new Set(config.service.extensions),
    };
    for (const [name, p] of Object.entries(config.service.pipelines)) {
      expect({ name, signal: ['traces', 'metrics', 'logs'].includes(typeOf(name)) }).toEqual({
        name,
        signal: true,
      });
      for (const kind of kinds) for (const id of p[kind] ?? []) used[kind].add(id);
      expect(p.receivers.length).toBeGreaterThan(0);
      expect(p.exporters.length).toBeGreaterThan(0);
    }
    for (const kind of [...kinds, 'extensions'] as Kind[]) {
      expect({ kind, ids: [...used[kind]].sort() }).toEqual({ kind, ids: Object.keys(config[kind]).sort() });
    }
  });

  it('spans reach ClickHouse and Jaeger, and the GenAI metrics reach ClickHouse', () => {
    const { traces, metrics } = config.service.pipelines;
    expect(traces.receivers).toEqual(['otlp']);
    expect(traces.exporters.map(typeOf).sort()).toEqual(['clickhouse', 'otlp_grpc']);
    expect(metrics.receivers).toEqual(['otlp']);
    expect(metrics.exporters).toEqual(['clickhouse']);
    // A memory limiter must run first in a pipeline to protect the collector.
    for (const p of [traces, metrics]) expect(p.processors?.[0]).toBe('memory_limiter');
  });

  it('uses only component types built into the validator (and the contrib image)', () => {
    const mainGo = readText('sidecar/test/stack/otelcol/main.go');
    for (const kind of [...kinds, 'extensions'] as Kind[]) {
      for (const id of Object.keys(config[kind])) {
        const pkg = COMPONENT_PACKAGES[kind][typeOf(id)];
        expect({ kind, id, pkg }).toEqual({ kind, id, pkg: expect.any(String) });
        expect(mainGo).toContain(`"${pkg}"`);
      }
    }
  });

  it("the exporters' endpoints are the profile's services on their container ports", () => {
    const clickhouse = new URL(String(config.exporters.clickhouse.endpoint));
    expect(clickhouse.protocol).toBe('tcp:'); // ClickHouse's native protocol, port 9000 in its image
    expect(clickhouse.hostname).toBe('clickhouse');
    expect(clickhouse.port).toBe('9000');
    expect(compose.services.clickhouse.image).toMatch(/^clickhouse\/clickhouse-server:/);

    const jaeger = config.exporters['otlp_grpc/jaeger'];
    expect(jaeger.endpoint).toBe('jaeger:4317'); // Jaeger's OTLP gRPC receiver
    expect(jaeger.tls).toEqual({ insecure: true });
    expect(compose.services.jaeger.image).toMatch(/^jaegertracing\/jaeger:/);
    // Both are started before the collector, so its first exports find them.
    expect(
      Object.keys((compose.services['otel-collector'] as { depends_on?: object }).depends_on ?? {}).sort()
    ).toEqual(['clickhouse', 'jaeger']);
  });

  it('the receiver listens where compose publishes it and where the sidecar is told to send', () => {
    const protocols = config.receivers.otlp.protocols as Record<string, { endpoint: string }>;
    const published = (collector.ports ?? []).map(port).sort();
    expect(published).toEqual([port(protocols.grpc.endpoint), port(protocols.http.endpoint)].sort());
    for (const p of Object.values(protocols)) expect(p.endpoint).toMatch(/^0\.0\.0\.0:/); // reachable in the network
    // The sidecar exports OTLP/HTTP: the value .env.example gives to turn the profile on.
    const endpoint = /^# OLLAMA_LENS_OTLP_ENDPOINT=(\S+)$/m.exec(readText(PATHS.envExample))?.[1] ?? '';
    const url = new URL(endpoint);
    expect(url.hostname).toBe('otel-collector');
    expect(compose.services[url.hostname]).toBeDefined();
    expect(Number(url.port)).toBe(port(protocols.http.endpoint));
  });

  it('is the file compose mounts where --config points, with the credentials from the environment only', () => {
    const flag = collector.command?.find((c) => c.startsWith('--config='))?.slice('--config='.length);
    expect(collector.volumes).toContain(`./${CONFIG}:${flag}:ro`);
    const refs = [...configText.matchAll(/\$\{env:(\w+)\}/g)].map((m) => m[1]).sort();
    expect(refs).toEqual(['CLICKHOUSE_PASSWORD', 'CLICKHOUSE_USER']);
    for (const name of refs) expect(Object.keys(collector.environment ?? {})).toContain(name);
    // The collector logs in as the user the ClickHouse image creates from the same variables.
    for (const name of refs)
      expect(collector.environment?.[name]).toBe(compose.services.clickhouse.environment?.[name]);
    expect(config.exporters.clickhouse.password).toBe('${env:CLICKHOUSE_PASSWORD}');
  });
});

// ── 2. Keys against the components' published config schemas ──────────────────────────────────────────────

interface SchemaNode {
  $ref?: string;
  $defs?: Record<string, SchemaNode>;
  properties?: Record<string, SchemaNode>;
  allOf?: SchemaNode[];
  additionalProperties?: SchemaNode | boolean;
}
/** A schema node with the package it came from (its `$ref`s are relative to that package). */
interface Located {
  node: SchemaNode;
  pkg: string;
  root: SchemaNode;
}

class Schemas {
  private cache = new Map<string, SchemaNode | null>();
  constructor(private dirs: Map<string, string>) {}

  /** The package's config.schema.yaml, or null when it publishes none. */
  load(pkg: string): SchemaNode | null {
    if (!this.cache.has(pkg)) {
      const mod = [...this.dirs.keys()]
        .filter((m) => pkg === m || pkg.startsWith(`${m}/`))
        .sort((a, b) => b.length - a.length)[0];
      let node: SchemaNode | null = null;
      if (mod) {
        try {
          const file = join(this.dirs.get(mod) as string, pkg.slice(mod.length), 'config.schema.yaml');
          node = parse(readFileSync(file, 'utf8')) as SchemaNode;
        } catch {
          node = null;
        }
      }
      this.cache.set(pkg, node);
    }
    return this.cache.get(pkg) ?? null;
  }

  /**
   * Follows a `$ref` as the collector's schema generator writes them: `name` (a $def of the same file),
   * `./sub/pkg.name` (relative package), `/config/pkg.name` (from the repository's module root) or a full Go
   * package path `go.opentelemetry.io/collector/config/pkg.name`.
   */
  resolve(ref: string, from: Located): Located {
    const slash = ref.lastIndexOf('/');
    const dot = ref.indexOf('.', slash + 1);
    if (slash < 0 && !ref.startsWith('go.')) {
      const node = from.root.$defs?.[ref];
      if (!node) throw new Error(`$ref ${ref} not in the $defs of ${from.pkg}`);
      return { node, pkg: from.pkg, root: from.root };
    }
    let pkg = ref.slice(0, dot);
    const name = ref.slice(dot + 1);
    if (pkg.startsWith('./')) pkg = `${from.pkg}/${pkg.slice(2)}`;
    else if (pkg.startsWith('/')) {
      const repoRoot = from.pkg.startsWith('github.com/open-telemetry/opentelemetry-collector-contrib/')
        ? 'github.com/open-telemetry/opentelemetry-collector-contrib'
        : 'go.opentelemetry.io/collector';
      pkg = repoRoot + pkg;
    }
    const root = this.load(pkg);
    const node = root?.$defs?.[name];
    if (!root || !node)
      throw new Error(`$ref ${ref} (from ${from.pkg}): no ${name} in ${pkg}/config.schema.yaml`);
    return { node, pkg, root };
  }

  /** The keys an object node accepts (its properties and those of the structs it embeds), and a map's value. */
  fields(at: Located): { keys: Map<string, Located>; mapValue?: Located } {
    const keys = new Map<string, Located>();
    let mapValue: Located | undefined;
    const visit = (l: Located): void => {
      if (l.node.$ref) visit(this.resolve(l.node.$ref, l));
      for (const [k, v] of Object.entries(l.node.properties ?? {})) keys.set(k, { ...l, node: v });
      for (const part of l.node.allOf ?? []) visit({ ...l, node: part });
      if (typeof l.node.additionalProperties === 'object')
        mapValue = { ...l, node: l.node.additionalProperties };
    };
    visit(at);
    return { keys, mapValue };
  }

  /** Paths of the keys in `value` that the schema does not document. */
  unknownKeys(value: unknown, at: Located, path: string): string[] {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return [];
    const { keys, mapValue } = this.fields(at);
    const out: string[] = [];
    for (const [k, v] of Object.entries(value as Yaml)) {
      const next = keys.get(k) ?? mapValue;
      if (next) out.push(...this.unknownKeys(v, next, `${path}.${k}`));
      else out.push(`${path}.${k}`);
    }
    return out;
  }
}

describe('collector config keys against the components’ config.schema.yaml (Go module cache)', () => {
  const dirs = otelcolModuleDirs();
  const installed = typeof dirs !== 'string';
  const schemas = installed ? new Schemas(dirs) : undefined;
  // The contrib health_check extension embeds internal/healthcheck, which publishes no schema at 0.161.0:
  // its keys are judged by the validator (part 3) alone.
  const NO_SCHEMA = new Set([
    'github.com/open-telemetry/opentelemetry-collector-contrib/internal/healthcheck',
  ]);

  it('the validator module resolves offline (scripts/install-otelcol.sh downloaded it)', () => {
    expect({ installed, hint: installed ? '' : `${String(dirs)} — run ${INSTALL}` }).toEqual({
      installed: true,
      hint: '',
    });
  });

  /** Every key of one component's config, or where the schema chain ends in a package without one. */
  function check(kind: Kind, id: string, body: unknown): string[] {
    if (!schemas) throw new Error(`run ${INSTALL}`);
    const pkg = COMPONENT_PACKAGES[kind][typeOf(id)];
    const root = schemas.load(pkg);
    if (!root) throw new Error(`${pkg} publishes no config.schema.yaml`);
    try {
      return schemas.unknownKeys(body, { node: root, pkg, root }, `${kind}.${id}`);
    } catch (e) {
      const missing = [...NO_SCHEMA].find((p) => String(e).includes(`${p}/config.schema.yaml`));
      if (missing) return [];
      throw e;
    }
  }

  it('each component type is the one its module declares (metadata.yaml type or deprecated alias)', () => {
    if (!installed) throw new Error(`run ${INSTALL}`);
    for (const kind of ['receivers', 'processors', 'exporters', 'extensions'] as Kind[]) {
      for (const id of Object.keys(config[kind])) {
        const pkg = COMPONENT_PACKAGES[kind][typeOf(id)];
        const mod = [...dirs.keys()].find((m) => m === pkg) as string;
        const meta = parse(readFileSync(join(dirs.get(mod) as string, 'metadata.yaml'), 'utf8')) as {
          type: string;
        };
        // Ours must be the current type: a deprecated alias works today and goes away in a later release.
        expect({ id, type: meta.type }).toEqual({ id, type: typeOf(id) });
      }
    }
  });

  it('every key the file sets is documented by its component', () => {
    const unknown: string[] = [];
    for (const kind of ['receivers', 'processors', 'exporters', 'extensions'] as Kind[]) {
      for (const [id, body] of Object.entries(config[kind])) unknown.push(...check(kind, id, body));
    }
    expect(unknown).toEqual([]);
  });

  it('the key check is live: an undocumented key, also one nested in an embedded struct, is found', () => {
    const exporter = structuredClone(config.exporters.clickhouse) as Yaml;
    exporter.tables_ttl = '5h';
    (exporter.sending_queue as Yaml).batch = {
      ...((exporter.sending_queue as Yaml).batch as Yaml),
      min_rows: 1,
    };
    const receiver = structuredClone(config.receivers.otlp) as Yaml;
    ((receiver.protocols as Yaml).http as Yaml).endpoint_port = 1;
    expect(
      [...check('exporters', 'clickhouse', exporter), ...check('receivers', 'otlp', receiver)].sort()
    ).toEqual([
      'exporters.clickhouse.sending_queue.batch.min_rows',
      'exporters.clickhouse.tables_ttl',
      'receivers.otlp.protocols.http.endpoint_port',
    ]);
  });
});

// ── 3. The collector's own decoding and validation ─────────────────────────────────────────────────────────

describe('otelcol-validate (contrib 0.161.0 components) validate --config', () => {
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    CLICKHOUSE_USER: 'u',
    CLICKHOUSE_PASSWORD: 'p',
  };
  const validate = (file: string) =>
    run(VALIDATOR, ['validate', `--config=${file}`], { env, timeoutMs: 30000 });
  const variant = (edit: (c: CollectorConfig) => void): string => {
    const copy = structuredClone(config);
    edit(copy);
    const file = join(mkdtempSync(join(tmpdir(), 'ollama-lens-otelcol-')), 'config.yaml');
    writeFileSync(file, stringify(copy));
    return file;
  };

  it(`is installed (${INSTALL})`, () => {
    const r = run(VALIDATOR, ['--version'], { env });
    expect({ status: r.status, version: r.stdout.trim() }).toEqual({
      status: 0,
      version: expect.stringContaining('0.161.0'),
    });
  });

  it('accepts otel-collector/config.yaml', () => {
    const r = validate(repoPath(CONFIG));
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
  });

  it('rejects an unknown key, a pipeline naming an undefined exporter, and a DSN the driver cannot parse', () => {
    const unknownKey = validate(
      variant((c) => {
        c.exporters.clickhouse.tables_ttl = '5h';
      })
    );
    expect(unknownKey.status).not.toBe(0);
    expect(unknownKey.stderr).toContain('invalid keys: tables_ttl');

    const undefinedExporter = validate(
      variant((c) => {
        c.service.pipelines.traces.exporters.push('otlp_grpc/tempo');
      })
    );
    expect(undefinedExporter.status).not.toBe(0);
    expect(undefinedExporter.stderr).toContain(
      'references exporter "otlp_grpc/tempo" which is not configured'
    );

    const badDsn = validate(
      variant((c) => {
        c.exporters.clickhouse.endpoint = 'tcp://clickhouse:9000?dial_timeout=ten';
      })
    );
    expect(badDsn.status).not.toBe(0);
    expect(badDsn.stderr).toContain('invalid duration "ten"');
  });
});

/**
 * docker-compose.yaml validated without a container engine: against the Compose Specification JSON schema
 * (vendored unmodified in ./schema) and by Debian's docker-compose (v1) `config`, plus the wiring the stack
 * relies on (the sidecar in front of Ollama on the port apps use, our two unsigned plugin ids, every variable
 * documented in .env.example, every sidecar option reachable from .env), and the optional profile `otel`
 * (collector, ClickHouse, Jaeger, PostgreSQL) kept out of the default stack. The collector's own config file
 * is judged in otel-collector.test.ts.
 */
import Ajv from 'ajv';
import draft7 from 'ajv/dist/refs/json-schema-draft-07.json';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { OPTIONS } from '../../src/config';
import { PATHS, readText, repoPath, run } from './repo';

const DOCKER_COMPOSE = process.env.DOCKER_COMPOSE ?? '/usr/bin/docker-compose';

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  ports?: string[];
  volumes?: string[];
  environment?: Record<string, string | null>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test?: string[]; disable?: boolean };
  networks?: string[];
  command?: string[];
  profiles?: string[];
}
interface ComposeFile {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
  networks: Record<string, unknown>;
}

/** The stack `docker compose up` starts, and the optional profile's services with their profiles. */
const DEFAULT_SERVICES = ['grafana', 'ollama', 'prometheus', 'sidecar'];
const PROFILE_SERVICES: Record<string, string[]> = {
  'otel-collector': ['otel'],
  clickhouse: ['otel'],
  jaeger: ['otel'],
  postgres: ['otel', 'postgres'],
};
/** Read by Compose itself from .env, not by the file: selects the profiles. */
const COMPOSE_OWN_VARIABLES = new Set(['COMPOSE_PROFILES']);

const composeText = readText(PATHS.compose);
const compose = parse(composeText) as ComposeFile;
const env = readText(PATHS.envExample);

/** Environment for docker-compose without the caller's settings leaking in (a developer's token, say). */
function cleanEnv(): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
  return out;
}

describe('Compose Specification schema', () => {
  const schema = JSON.parse(readFileSync(join(__dirname, 'schema', 'compose-spec.schema.json'), 'utf8')) as {
    $schema: string;
  };
  // strictTypes/strictTuples judge how the schema is written, not what it accepts; unknown keywords still fail.
  const ajv = new Ajv({
    allErrors: true,
    strict: true,
    strictTypes: false,
    strictTuples: false,
    allowUnionTypes: true,
  });
  // The spec names draft-07 by its https URL; register ajv's copy of the draft-07 meta-schema under that name.
  ajv.addMetaSchema({ ...draft7, $id: schema.$schema });
  const validate = ajv.compile(schema);

  it('the vendored schema is the shared reference copy, unmodified', () => {
    const shared = repoPath('..', 'shared', 'reference', 'compose-spec.schema.json');
    let reference: string | undefined;
    try {
      reference = readFileSync(shared, 'utf8');
    } catch {
      // CI without ../shared beside the clone: the vendored copy stands alone.
    }
    if (reference !== undefined)
      expect(readFileSync(join(__dirname, 'schema', 'compose-spec.schema.json'), 'utf8')).toBe(reference);
  });

  it('docker-compose.yaml is valid', () => {
    const ok = validate(compose);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('rejects what the spec forbids (the validator is live)', () => {
    const broken = parse(composeText) as { services: Record<string, Record<string, unknown>> };
    broken.services.sidecar.restart_policy = 'always';
    broken.services.grafana.ports = 3000;
    expect(validate(broken)).toBe(false);
    expect(validate.errors?.map((e) => e.instancePath).sort()).toEqual([
      '/services/grafana/ports',
      '/services/sidecar',
    ]);
  });
});

describe('docker-compose config (Debian docker-compose v1)', () => {
  // --project-directory: a developer's own .env beside the compose file must not change the outcome.
  const base = () => [
    '-f',
    repoPath(PATHS.compose),
    '--project-directory',
    mkdtempSync(join(tmpdir(), 'ollama-lens-compose-')),
  ];

  it('accepts the file with the variables of .env.example', () => {
    const r = run(DOCKER_COMPOSE, [...base(), '--env-file', repoPath(PATHS.envExample), 'config', '-q'], {
      env: cleanEnv(),
    });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
  });

  it('refuses to start without the admin token, saying where to set it', () => {
    const r = run(DOCKER_COMPOSE, [...base(), 'config', '-q'], { env: cleanEnv() });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('set OLLAMA_LENS_ADMIN_TOKEN in .env (see .env.example)');
  });

  it('resolves to the services, volumes and network of the stack', () => {
    const r = run(DOCKER_COMPOSE, [...base(), '--env-file', repoPath(PATHS.envExample), 'config'], {
      env: cleanEnv(),
    });
    expect(r.status).toBe(0);
    const resolved = parse(r.stdout) as ComposeFile;
    // v1's `config` lists every service whatever the profiles; which ones start is the `profiles` key's job.
    expect(Object.keys(resolved.services).sort()).toEqual(
      [...DEFAULT_SERVICES, ...Object.keys(PROFILE_SERVICES)].sort()
    );
    expect(Object.keys(resolved.volumes).sort()).toEqual([
      'clickhouse-data',
      'grafana-data',
      'ollama-models',
      'postgres-data',
      'prometheus-data',
      'sidecar-data',
    ]);
    expect(resolved.services.sidecar.environment).toMatchObject({
      OLLAMA_LENS_ADMIN_TOKEN: 'change-me-to-a-long-random-string',
      OLLAMA_LENS_UPSTREAM: 'http://ollama:11434',
    });
    expect(resolved.services.grafana.image).toMatch(/^grafana\/grafana:(\d+)\.(\d+)/);
  });

  /** Resolves the file with only these variables (and no .env of the developer's). */
  function resolveWith(vars: Record<string, string>): {
    status: number | null;
    stderr: string;
    file?: ComposeFile;
  } {
    const dir = mkdtempSync(join(tmpdir(), 'ollama-lens-compose-env-'));
    const envFile = join(dir, '.env');
    writeFileSync(
      envFile,
      Object.entries(vars)
        .map(([k, v]) => `${k}=${v}\n`)
        .join('')
    );
    const r = run(DOCKER_COMPOSE, [...base(), '--env-file', envFile, 'config'], { env: cleanEnv() });
    return {
      status: r.status,
      stderr: r.stderr,
      file: r.status === 0 ? (parse(r.stdout) as ComposeFile) : undefined,
    };
  }

  it('an .env from before the profile (the token alone) still gives the same default stack, exporting nothing', () => {
    const r = resolveWith({ OLLAMA_LENS_ADMIN_TOKEN: 't' });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    const services = r.file?.services ?? {};
    for (const name of DEFAULT_SERVICES)
      expect({ name, profiles: services[name].profiles }).toEqual({ name, profiles: undefined });
    // Listed without a value (null): passed through only when set, and it is not, so export stays off.
    expect(services.sidecar.environment?.OLLAMA_LENS_OTLP_ENDPOINT).toBeNull();
  });

  it('the profile turned on the way .env.example says points the sidecar at the collector', () => {
    // The two lines .env.example tells a person to uncomment.
    const lines = [...env.matchAll(/^# (COMPOSE_PROFILES|OLLAMA_LENS_OTLP_ENDPOINT)=(\S+)$/gm)];
    const vars = Object.fromEntries(lines.map((m) => [m[1], m[2]]));
    expect(vars).toEqual({
      COMPOSE_PROFILES: 'otel',
      OLLAMA_LENS_OTLP_ENDPOINT: 'http://otel-collector:4318',
    });
    const r = resolveWith({ OLLAMA_LENS_ADMIN_TOKEN: 't', ...vars });
    expect(r.status).toBe(0);
    expect(r.file?.services.sidecar.environment?.OLLAMA_LENS_OTLP_ENDPOINT).toBe(
      'http://otel-collector:4318'
    );
    expect(Object.keys(r.file?.services ?? {})).toEqual(
      expect.arrayContaining(Object.keys(PROFILE_SERVICES))
    );
  });
});

describe('stack wiring', () => {
  const { ollama, sidecar, prometheus, grafana } = compose.services;

  it('every service has a health check and joins the network; data lives in named volumes', () => {
    for (const [name, s] of Object.entries(compose.services)) {
      // The collector's image is FROM scratch: nothing in it can probe (see the comment in the compose file).
      const expected = name === 'otel-collector' ? { disable: true } : { test: expect.any(Array) };
      expect({ name, healthcheck: s.healthcheck }).toEqual({
        name,
        healthcheck: expect.objectContaining(expected),
      });
      if (name !== 'otel-collector') expect(s.healthcheck?.test?.length).toBeGreaterThan(1);
      expect(s.networks).toEqual(Object.keys(compose.networks));
    }
    expect(ollama.volumes).toContain('ollama-models:/root/.ollama');
    expect(sidecar.volumes).toContain('sidecar-data:/data');
    expect(prometheus.volumes).toContain('prometheus-data:/prometheus');
    expect(grafana.volumes).toContain('grafana-data:/var/lib/grafana');
    expect(compose.services.clickhouse.volumes).toContain('clickhouse-data:/var/lib/clickhouse');
    expect(compose.services.postgres.volumes).toContain('postgres-data:/var/lib/postgresql/data');
  });

  it('the sidecar is built from sidecar/Dockerfile, forwards to ollama and takes the port apps use', () => {
    expect(sidecar.build).toEqual({ context: '.', dockerfile: 'sidecar/Dockerfile' });
    expect(ollama.image).toMatch(/^ollama\/ollama:/);
    expect(ollama.ports).toBeUndefined();
    expect(sidecar.environment).toMatchObject({
      OLLAMA_LENS_HOST: '0.0.0.0',
      OLLAMA_LENS_PORT: '11435',
      OLLAMA_LENS_UPSTREAM: 'http://ollama:11434',
    });
    expect(sidecar.ports).toEqual([
      '${OLLAMA_LENS_BIND_ADDRESS:-127.0.0.1}:${OLLAMA_LENS_PUBLISHED_PORT:-11434}:11435',
    ]);
    expect(sidecar.depends_on).toEqual({ ollama: { condition: 'service_healthy' } });
  });

  it('Grafana ≥ 12.4 loads the built plugin, allows exactly our two unsigned ids and reads provisioning/', () => {
    const [, major, minor] = /:\$\{GRAFANA_VERSION:-(\d+)\.(\d+)\.\d+\}$/.exec(grafana.image ?? '') ?? [];
    expect(Number(major) * 100 + Number(minor)).toBeGreaterThanOrEqual(1204);
    expect(grafana.environment?.GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS?.split(',').sort()).toEqual([
      'ollamalens-explorer-app',
      'ollamalens-messages-datasource',
    ]);
    expect(grafana.volumes).toEqual(
      expect.arrayContaining([
        './plugin/dist:/var/lib/grafana/plugins/ollamalens-explorer-app:ro',
        './provisioning:/etc/grafana/provisioning:ro',
      ])
    );
    expect(grafana.environment?.GF_AUTH_ANONYMOUS_ENABLED).toBe('${GRAFANA_ANONYMOUS_ENABLED:-false}');
    // The datasource and contact point provisioning read these from Grafana's environment.
    expect(Object.keys(grafana.environment ?? {})).toEqual(
      expect.arrayContaining(['OLLAMA_LENS_ADMIN_TOKEN', 'OLLAMA_LENS_ALERT_EMAIL'])
    );
  });

  it('Prometheus gets prometheus.yml, the rules and exemplar storage', () => {
    expect(prometheus.volumes).toEqual(
      expect.arrayContaining([
        './prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro',
        './prometheus/rules:/etc/prometheus/rules:ro',
      ])
    );
    expect(prometheus.command).toContain('--enable-feature=exemplar-storage');
  });

  it('.env.example documents every variable docker-compose.yaml reads', () => {
    const used = new Set([...composeText.matchAll(/\$\{(\w+)/g)].map((m) => m[1]));
    for (const s of Object.values(compose.services)) {
      for (const [name, value] of Object.entries(s.environment ?? {})) if (value === null) used.add(name);
    }
    const documented = new Set([...env.matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]));
    expect([...used].filter((v) => !documented.has(v))).toEqual([]);
    expect([...documented].filter((v) => !used.has(v) && !COMPOSE_OWN_VARIABLES.has(v))).toEqual([]);
  });

  it('.env.example sets no optional variable to an empty value (the services would read "" instead of their default)', () => {
    const empty = [...env.matchAll(/^([A-Z][A-Z0-9_]*)=\s*$/gm)].map((m) => m[1]);
    expect(empty).toEqual([]);
  });

  it('every sidecar option can be set from .env', () => {
    // Admin endpoints share the proxy port in the stack, so a separate admin address has no meaning there.
    const notInStack = new Set(['OLLAMA_LENS_ADMIN_HOST']);
    const reachable = new Set(Object.keys(sidecar.environment ?? {}));
    const missing = OPTIONS.map((o) => o.env).filter((name) => !reachable.has(name) && !notInStack.has(name));
    expect(missing).toEqual([]);
  });
});

describe('profile otel', () => {
  it('its services exist and run only with their profile; the default services have none', () => {
    const profiles = Object.fromEntries(Object.entries(compose.services).map(([n, s]) => [n, s.profiles]));
    expect(profiles).toEqual({
      ...Object.fromEntries(DEFAULT_SERVICES.map((n) => [n, undefined])),
      ...PROFILE_SERVICES,
    });
    // A default service depending on a profile service would drag it into `docker compose up`.
    for (const name of DEFAULT_SERVICES) {
      const deps = Object.keys(compose.services[name].depends_on ?? {});
      expect({ name, deps: deps.filter((d) => d in PROFILE_SERVICES) }).toEqual({ name, deps: [] });
    }
  });

  it('images are pinned to a release (a variable with a versioned default); PostgreSQL is 15', () => {
    const pinned = /^[\w./-]+:\$\{[A-Z_]+:-(\d+(?:\.\d+)+)\}$/;
    const versions = Object.fromEntries(
      Object.keys(PROFILE_SERVICES).map((n) => [n, pinned.exec(compose.services[n].image ?? '')?.[1]])
    );
    for (const [name, version] of Object.entries(versions))
      expect({ name, version }).toEqual({ name, version: expect.any(String) });
    expect(versions.postgres).toMatch(/^15\./);
    expect(compose.services['otel-collector'].image).toMatch(/^otel\/opentelemetry-collector-contrib:/);
    // The validator of otel-collector/config.yaml is built from the same release.
    expect(readText('sidecar/test/stack/otelcol/go.mod')).toContain(
      `opentelemetry-collector-contrib/exporter/clickhouseexporter v${versions['otel-collector']}`
    );
  });

  it("the collector's config file is mounted read-only and exists", () => {
    const mounts = (compose.services['otel-collector'].volumes ?? []).map((v) => v.split(':'));
    expect(mounts).toEqual([['./otel-collector/config.yaml', '/etc/otelcol-contrib/config.yaml', 'ro']]);
    expect(existsSync(repoPath('otel-collector/config.yaml'))).toBe(true);
  });

  it('no secret is written in the file: credentials come from .env', () => {
    for (const name of ['clickhouse', 'postgres', 'otel-collector']) {
      for (const [key, value] of Object.entries(compose.services[name].environment ?? {})) {
        if (/PASSWORD|TOKEN|SECRET/.test(key))
          expect({ key, value }).toEqual({ key, value: expect.stringMatching(/^\$\{\w+:-\}$/) });
      }
    }
    expect(env).toMatch(/^CLICKHOUSE_PASSWORD=change-me-/m);
    expect(env).toMatch(/^POSTGRES_PASSWORD=change-me-/m);
  });

  it('published ports bind to loopback unless .env says otherwise', () => {
    for (const name of Object.keys(PROFILE_SERVICES)) {
      for (const p of compose.services[name].ports ?? [])
        expect(p).toMatch(/^\$\{OTEL_BIND_ADDRESS:-127\.0\.0\.1\}:/);
    }
    expect(env).toMatch(/^OTEL_BIND_ADDRESS=127\.0\.0\.1$/m);
  });
});

describe('sidecar/Dockerfile', () => {
  const dockerfile = readText(PATHS.dockerfile);
  const stages = [...dockerfile.matchAll(/^FROM (\S+)(?: AS (\S+))?$/gm)].map((m) => ({
    image: m[1],
    name: m[2],
  }));

  it('builds in a stage with the native toolchain and runs from a slim Node image as a non-root user', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(stages[0]).toMatchObject({
      name: 'build',
      image: expect.stringMatching(/^node:\$\{NODE_VERSION\}/),
    });
    expect(dockerfile).toMatch(/ARG NODE_VERSION=(20|22)\b/);
    const buildStage = dockerfile.slice(dockerfile.indexOf('AS build'), dockerfile.indexOf('AS prod-deps'));
    for (const tool of ['python3', 'make', 'g++']) expect(buildStage).toContain(tool);
    expect(stages[stages.length - 1].name).toBeUndefined();
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^CMD \["node", "sidecar\/dist\/main.js"\]$/m);
  });

  it('copies what npm ci needs for the workspace and what the runtime runs', () => {
    for (const path of [
      'package.json',
      'package-lock.json',
      'tsconfig.json',
      'sidecar/package.json',
      'plugin/package.json',
      'sidecar/tsconfig.build.json',
      'sidecar/src/main.ts',
    ]) {
      expect({ path, exists: readText(path).length > 0 }).toEqual({ path, exists: true });
    }
    const buildOut = parse(readText('sidecar/tsconfig.build.json')) as {
      compilerOptions: { outDir: string; rootDir: string };
    };
    expect(buildOut.compilerOptions).toMatchObject({ outDir: 'dist', rootDir: 'src' });
  });
});

/**
 * docker-compose.yaml validated without a container engine: against the Compose Specification JSON schema
 * (vendored unmodified in ./schema) and by Debian's docker-compose (v1) `config`, plus the wiring the stack
 * relies on (the sidecar in front of Ollama on the port apps use, our two unsigned plugin ids, every variable
 * documented in .env.example, every sidecar option reachable from .env).
 */
import Ajv from 'ajv';
import draft7 from 'ajv/dist/refs/json-schema-draft-07.json';
import { mkdtempSync, readFileSync } from 'node:fs';
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
  healthcheck?: { test: string[] };
  networks?: string[];
  command?: string[];
}
interface ComposeFile {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
  networks: Record<string, unknown>;
}

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
    expect(Object.keys(resolved.services).sort()).toEqual(['grafana', 'ollama', 'prometheus', 'sidecar']);
    expect(Object.keys(resolved.volumes).sort()).toEqual([
      'grafana-data',
      'ollama-models',
      'prometheus-data',
      'sidecar-data',
    ]);
    expect(resolved.services.sidecar.environment).toMatchObject({
      OLLAMA_LENS_ADMIN_TOKEN: 'change-me-to-a-long-random-string',
      OLLAMA_LENS_UPSTREAM: 'http://ollama:11434',
    });
    expect(resolved.services.grafana.image).toMatch(/^grafana\/grafana:(\d+)\.(\d+)/);
  });
});

describe('stack wiring', () => {
  const { ollama, sidecar, prometheus, grafana } = compose.services;

  it('every service has a health check and joins the network; data lives in named volumes', () => {
    for (const [name, s] of Object.entries(compose.services)) {
      expect({ name, healthcheck: Boolean(s.healthcheck?.test?.length) }).toEqual({
        name,
        healthcheck: true,
      });
      expect(s.networks).toEqual(Object.keys(compose.networks));
    }
    expect(ollama.volumes).toContain('ollama-models:/root/.ollama');
    expect(sidecar.volumes).toContain('sidecar-data:/data');
    expect(prometheus.volumes).toContain('prometheus-data:/prometheus');
    expect(grafana.volumes).toContain('grafana-data:/var/lib/grafana');
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
    expect([...documented].filter((v) => !used.has(v))).toEqual([]);
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

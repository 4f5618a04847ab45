/**
 * The Prometheus side checked by Prometheus' own tool (Debian's promtool): the rules parse, the rule unit
 * tests (each alert pends, fires with its annotations, and resolves on synthetic series) pass, and
 * prometheus/prometheus.yml is a valid config whose rule_files resolve.
 */
import { copyFileSync, cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PATHS, readYaml, repoPath, run, type PrometheusRulesFile } from './repo';

const PROMTOOL = process.env.PROMTOOL ?? '/usr/bin/promtool';

it('promtool check rules: the generated rules parse', () => {
  const r = run(PROMTOOL, ['check', 'rules', repoPath(PATHS.prometheusRules)]);
  expect(r.stdout + r.stderr).toContain('SUCCESS: 8 rules found');
  expect(r.status).toBe(0);
});

it('promtool test rules: every alert fires and resolves on synthetic series', () => {
  const r = run(PROMTOOL, ['test', 'rules', repoPath(PATHS.prometheusRuleTests)]);
  expect({ status: r.status, output: r.stdout + r.stderr }).toEqual({
    status: 0,
    output: expect.stringContaining('SUCCESS'),
  });
});

it('the rule unit tests cover every alert', () => {
  const tests = readFileSync(repoPath(PATHS.prometheusRuleTests), 'utf8');
  const alerts = readYaml<PrometheusRulesFile>(PATHS.prometheusRules).groups.flatMap((g) =>
    g.rules.map((r) => r.alert)
  );
  expect(alerts).toHaveLength(8);
  for (const alert of alerts) {
    // Each alert has a check where it fires (exp_labels) and one where it does not (exp_alerts: []).
    const checks = [...tests.matchAll(new RegExp(`alertname: ${alert}\\n\\s+exp_alerts:( \\[\\])?`, 'g'))];
    expect({ alert, fires: checks.some((c) => !c[1]), quiet: checks.some((c) => c[1]) }).toEqual({
      alert,
      fires: true,
      quiet: true,
    });
  }
});

it('the rule unit tests catch a changed threshold', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ollama-lens-promtool-'));
  copyFileSync(repoPath(PATHS.prometheusRuleTests), join(dir, 'ollama-lens.rules.test.yml'));
  const rules = readFileSync(repoPath(PATHS.prometheusRules), 'utf8');
  const mutated = rules.replace(/\) > 85$/m, ') > 95');
  expect(mutated).not.toBe(rules);
  writeFileSync(join(dir, 'ollama-lens.rules.yml'), mutated);
  const r = run(PROMTOOL, ['test', 'rules', join(dir, 'ollama-lens.rules.test.yml')]);
  expect(r.status).not.toBe(0);
  expect(r.stdout + r.stderr).toContain('alertname: GPUTemperatureHigh');
});

it('promtool check config: prometheus/prometheus.yml is valid and its rule files resolve', () => {
  // promtool insists the admin-token file exists, and that file is only written in the container: check a
  // copy beside the rules, with a token file of its own.
  const dir = mkdtempSync(join(tmpdir(), 'ollama-lens-promcfg-'));
  const shipped = readFileSync(repoPath(PATHS.prometheusConfig), 'utf8');
  const tokenPath = '/prometheus/ollama-lens-admin-token';
  expect(shipped).toContain(`credentials_file: ${tokenPath}`);
  writeFileSync(join(dir, 'admin-token'), 'token');
  writeFileSync(join(dir, 'prometheus.yml'), shipped.replace(tokenPath, join(dir, 'admin-token')));
  cpSync(repoPath('prometheus', 'rules'), join(dir, 'rules'), { recursive: true });
  const r = run(PROMTOOL, ['check', 'config', join(dir, 'prometheus.yml')]);
  expect(r.stdout + r.stderr).toContain('SUCCESS: 1 rule files found');
  expect(r.status).toBe(0);
});

it('prometheus.yml scrapes the sidecar as job ollama-lens, and itself', () => {
  const config = readYaml<{
    scrape_configs: { job_name: string; metrics_path?: string; static_configs: { targets: string[] }[] }[];
  }>(PATHS.prometheusConfig);
  const jobs = Object.fromEntries(config.scrape_configs.map((j) => [j.job_name, j]));
  expect(jobs['ollama-lens']).toMatchObject({
    metrics_path: '/metrics',
    // The sidecar's /metrics needs the admin token beyond loopback, as in the compose stack.
    authorization: { type: 'Bearer', credentials_file: '/prometheus/ollama-lens-admin-token' },
    static_configs: [{ targets: ['sidecar:11435'] }],
  });
  expect(jobs.prometheus).toMatchObject({ static_configs: [{ targets: ['localhost:9090'] }] });
});

#!/usr/bin/env node
import { buildApp } from './app';
import { ConfigError, helpText, loadConfig } from './config';

/** CLI entry: config → app → listen; SIGTERM/SIGINT drain in-flight requests (bounded) and flush the store. */
async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(helpText() + '\n');
    return;
  }
  let config;
  try {
    config = loadConfig(argv, process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`ollama-lens-sidecar: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const sidecar = await buildApp(config);
  const { proxyUrl, adminUrl } = await sidecar.listen();
  sidecar.proxy.log.info({ proxyUrl, adminUrl, upstream: config.upstream.href }, 'ollama-lens sidecar ready');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    // The drain is bounded: requests still in flight after --drain-timeout-ms are cut (the proxy plugin
    // does it), so a long stream cannot hold the exit back.
    sidecar.proxy.log.info(
      { signal, drainTimeoutMs: config.drainTimeoutMs },
      'draining in-flight requests (cut at the drain timeout) and flushing the store'
    );
    sidecar.close().then(
      () => process.exit(0),
      (err: unknown) => {
        sidecar.proxy.log.error({ err }, 'shutdown failed');
        process.exit(1);
      }
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`ollama-lens-sidecar: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});

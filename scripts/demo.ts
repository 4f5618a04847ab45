/**
 * Try Ollama Lens on a machine with no Ollama running and no model downloaded: starts the Ollama built by
 * scripts/setup.sh with the project's tiny generated model, and the sidecar in front of it on
 * OLLAMA_LENS_PORT (default 11435). Ctrl-C stops both.
 *
 *   npm run demo
 */
import { buildApp } from '../sidecar/src/app';
import { loadConfig } from '../sidecar/src/config';
import { startOllama } from '@ollama-lens/testkit/ollama';

async function main(): Promise<void> {
  const ollama = await startOllama();
  const config = loadConfig(process.argv.slice(2), { ...process.env, OLLAMA_LENS_UPSTREAM: ollama.url });
  const sidecar = await buildApp(config);
  const { proxyUrl, adminUrl } = await sidecar.listen();
  console.log(`Ollama (tiny demo models: ${ollama.models.join(', ')}) at ${ollama.url}`);
  console.log(
    `Ollama Lens sidecar at ${proxyUrl}  (metrics ${adminUrl}/metrics, messages ${adminUrl}/analytics/messages)`
  );
  console.log(`Try: curl ${proxyUrl}/api/generate -d '{"model":"tiny","prompt":"Why is the sky blue?"}'`);
  const stop = async () => {
    await sidecar.close();
    await ollama.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

/**
 * Starts the browser suite's stack and keeps it running, for looking at the pages by hand or with a
 * script: `npx tsx browser/serve.ts` prints the URL to open.
 */
import { join } from 'node:path';
import { buildHost } from './host/build';
import { startStack } from './stack/stack';
import { ensureFreshBundle } from '../jest/bundle';

async function main() {
  ensureFreshBundle();
  const hostDir = await buildHost();
  const stack = await startStack({ pluginDist: join(__dirname, '..', 'dist'), hostDir, db: process.env.BENCH_DB });
  console.log(JSON.stringify({ baseUrl: stack.baseUrl, sidecar: stack.sidecarUrl, ids: stack.seed.ids }));
  const stop = () => void stack.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: Error) => {
  console.error(err);
  process.exit(1);
});

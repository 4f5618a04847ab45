/**
 * Page timings in Chromium over a 1M-message store (issue 12, targets from issue "Forwarding never waits"):
 * the built plugin in the browser suite's host page, in front of the real sidecar reading the store.
 *
 *   - navigation to the first table row of the Explorer (cold page, new browser context)   ≤ 1.5 s
 *   - a search, a filter change, opening a message: action → updated table / page          ≤ 300 ms
 *
 *   npm run bench:browser
 *   BENCH_MESSAGES=200000 BENCH_RUNS=3 npx tsx bench/browser.ts
 *
 * Environment: BENCH_MESSAGES (1M), BENCH_RUNS (5), BENCH_DB (directory of the generated stores; this
 * benchmark's own file there is `browser-day-<n>.db`, reused when it holds the asked-for count — it never
 * opens or removes bench/store.ts's files, which may be in use).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Page } from 'playwright-core';
import { percentile, table } from './lib';
import { ensureFreshBundle } from '../plugin/jest/bundle';
import { buildHost } from '../plugin/browser/host/build';
import { launchChromium, openPage, settle, type SuitePage } from '../plugin/browser/lib/chromium';
import { startStack } from '../plugin/browser/stack/stack';
import { dataSummary, DAY_MS } from '../sidecar/src/store/aggregate';
import { prepareRow, type RowOptions } from '../sidecar/src/store/row';
import { MessageStore } from '../sidecar/src/store/store';
import { RecordFactory } from '@ollama-lens/testkit/records';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const DB_DIR = process.env.BENCH_DB ?? path.join(os.tmpdir(), 'ollama-lens-bench');
const ROW_OPTS: RowOptions = { captureContent: true };
/** The records' cost is derived with these prices (--prices), as the tap does. */
const PRICES = { '*': { input: 0.15, output: 0.6 } };
const EXPLORER = '/a/ollamalens-explorer-app/explorer';
const ROW = '[data-testid="message-row"]';

/** bench/store.ts's "day" shape in a file of this benchmark's own: reused when it holds the right count. */
function dayStore(): { file: string; note: string } {
  fs.mkdirSync(DB_DIR, { recursive: true });
  const file = path.join(DB_DIR, `browser-day-${MESSAGES}.db`);
  if (fs.existsSync(file)) {
    const s = new MessageStore(file);
    const d = dataSummary(s);
    s.close();
    if (d.messages === MESSAGES && d.newest !== null) {
      const age = (Date.now() - d.newest) / 3_600_000;
      return { file, note: `reused ${file} (newest message ${age.toFixed(1)} h old)` };
    }
    throw new Error(`${file} holds ${d.messages} messages, not ${MESSAGES}: remove it to build it again`);
  }
  const store = new MessageStore(file);
  const end = Date.now();
  const f = new RecordFactory({
    prices: PRICES,
    seed: 2024,
    from: end - DAY_MS,
    to: end,
    users: 500,
    longPrompts: 0.3,
    ordered: { count: MESSAGES },
  });
  const t0 = performance.now();
  for (let done = 0; done < MESSAGES;) {
    const n = Math.min(10_000, MESSAGES - done);
    const rows = Array.from({ length: n }, () => prepareRow(f.next(), ROW_OPTS));
    for (let i = 0; i < rows.length; i += 1000) store.insert(rows.slice(i, i + 1000));
    done += n;
    if (done % 250_000 === 0) process.stderr.write(`  generated ${done.toLocaleString('en-US')} messages\n`);
  }
  store.db.pragma('optimize');
  store.close();
  return { file, note: `built ${file} in ${((performance.now() - t0) / 1000).toFixed(0)} s` };
}

async function firstRowId(page: Page): Promise<string | null> {
  const first = page.locator(ROW).first();
  return (await first.count()) > 0 ? first.getAttribute('data-message-id') : null;
}

/** Resolves when the table shows something other than `before` (new first row, or no rows). */
async function tableChanged(page: Page, before: string | null): Promise<void> {
  // Page-side source text: this file is type-checked without the DOM library.
  const changed = `(() => {
    const first = document.querySelector(${JSON.stringify(ROW)})?.getAttribute('data-message-id') ?? null;
    return first !== ${JSON.stringify(before)} || document.body.innerText.includes('No messages match these filters');
  })()`;
  await page.waitForFunction(changed, undefined, { timeout: 30_000, polling: 'raf' });
}

async function time(fn: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

async function main() {
  const { file, note } = dayStore();
  console.log(note);
  ensureFreshBundle();
  const hostDir = await buildHost();
  const stack = await startStack({
    pluginDist: path.join(__dirname, '..', 'plugin', 'dist'),
    hostDir,
    db: file,
  });
  const chromium = await launchChromium();
  const samples: Record<string, number[]> = { first: [], search: [], filter: [], open: [] };
  try {
    for (let run = 0; run < RUNS; run++) {
      const p: SuitePage = await openPage(chromium, stack.baseUrl, 'dark');
      // Navigation: a cold page (new context, empty cache) to the first row of the Explorer.
      samples.first.push(
        await time(async () => {
          await p.page.goto(EXPLORER);
          await p.page.waitForSelector(ROW, { timeout: 60_000 });
        })
      );
      await settle(p);

      const words = ['fox', 'summarize', 'python', 'translate', 'error'];
      const box = p.page.getByRole('textbox', { name: 'Search prompts and responses' });
      await box.fill(words[run % words.length]);
      let before = await firstRowId(p.page);
      samples.search.push(await time(() => box.press('Enter').then(() => tableChanged(p.page, before))));
      await settle(p);

      const status = p.page.getByRole('combobox', { name: 'Status' });
      await status.focus();
      await p.page.keyboard.type('error');
      await p.page.getByRole('option', { name: 'error', exact: true }).waitFor();
      await p.page.keyboard.press('ArrowDown');
      before = await firstRowId(p.page);
      samples.filter.push(
        await time(() => p.page.keyboard.press('Enter').then(() => tableChanged(p.page, before)))
      );
      await p.page.keyboard.press('Escape');
      await settle(p);

      const link = p.page.locator(`${ROW} a`).first();
      if ((await link.count()) > 0) {
        samples.open.push(
          await time(async () => {
            await link.click();
            await p.page.waitForSelector('dl[aria-label="Message header"]', { timeout: 30_000 });
          })
        );
      }
      await p.context.close();
    }
  } finally {
    await chromium.close();
    await stack.stop();
  }
  const row = (name: string, key: string, target: number): (string | number)[] => {
    const sorted = [...samples[key]].sort((a, b) => a - b);
    if (sorted.length === 0) {
      return [name, '—', '—', `${target} ms`, 'no sample'];
    }
    const p50 = percentile(sorted, 50);
    const max = sorted[sorted.length - 1];
    return [
      name,
      `${p50.toFixed(0)} ms`,
      `${max.toFixed(0)} ms`,
      `${target} ms`,
      p50 <= target ? 'pass' : 'FAIL',
    ];
  };
  console.log(
    `\nChromium over ${MESSAGES.toLocaleString('en-US')} messages, ${RUNS} runs (${os.cpus().length} cores)\n`
  );
  console.log(
    table(
      ['step', 'p50', 'max', 'target', ''],
      [
        row('navigation → first table row (cold)', 'first', 1500),
        row('search → updated table', 'search', 300),
        row('filter change (status) → updated table', 'filter', 300),
        row('open a message → detail shown', 'open', 300),
      ]
    )
  );
}

main().catch((err: Error) => {
  console.error(err);
  process.exit(1);
});

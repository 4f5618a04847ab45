/** Reading and driving the Explorer in Chromium. */
import type { Page } from 'playwright-core';
import { settle, type SuitePage } from './browser';
import { APP, navigate } from './suite';

export interface Row {
  id: string;
  text: string;
}

export async function rows(page: Page): Promise<Row[]> {
  return page.$$eval('[data-testid="message-row"]', (trs) =>
    trs.map((tr) => ({ id: tr.getAttribute('data-message-id') ?? '', text: (tr as HTMLElement).innerText }))
  );
}

export function search(page: Page): URLSearchParams {
  return new URL(page.url()).searchParams;
}

/** Waits until the URL satisfies `ok` and the table has reloaded for it. */
export async function untilUrl(p: SuitePage, ok: (q: URLSearchParams) => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!ok(search(p.page))) {
    if (Date.now() > deadline) {
      throw new Error(`the URL never got ${what}: ${p.page.url()}`);
    }
    await p.page.waitForTimeout(50);
  }
  await settle(p);
}

/** The Explorer with no filters (a fresh in-app navigation). */
export async function openExplorer(p: SuitePage, query = ''): Promise<void> {
  await navigate(p, `${APP}/explorer${query}`, '[data-testid="message-row"]');
}

/** Picks an option in one of the filter bar's multi-select comboboxes, with the keyboard only. */
export async function pickOption(p: SuitePage, label: string, option: string): Promise<void> {
  const input = p.page.getByRole('combobox', { name: label });
  await input.focus();
  await p.page.keyboard.type(option);
  // Typing filters the list; the option itself is clicked (the highlight can move while counts load).
  await p.page.getByRole('option', { name: option, exact: true }).click();
  await p.page.keyboard.press('Escape');
}

/** Presses Tab until `predicate` holds for the focused element (at most `limit` times). */
export async function tabTo(page: Page, predicate: string, limit = 60): Promise<void> {
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    // eslint-disable-next-line no-new-func
    const hit = await page.evaluate(
      (src) => new Function('el', `return (${src})(el)`)(document.activeElement),
      predicate
    );
    if (hit) {
      return;
    }
  }
  throw new Error(`Tab never reached an element where ${predicate}`);
}

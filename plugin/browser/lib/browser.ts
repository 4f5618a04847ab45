/**
 * The checks every page of the suite gets, run inside the page: the XSS trap, layout overflow, axe-core.
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { PWNED_TRAP } from '@ollama-lens/testkit/hostile';

export * from './chromium';

declare global {
  interface Window {
    __hostReady?: boolean;
    __hostError?: string;
    __hostNavigate?: (url: string) => void;
  }
}

export async function pwned(page: Page): Promise<unknown> {
  return page.evaluate((trap) => (window as unknown as Record<string, unknown>)[trap], PWNED_TRAP);
}

export interface Overflow {
  element: string;
  container: string;
  by: number;
}

/**
 * Elements whose box sticks out of the panel that holds them (sections, chart frames, Grafana panels,
 * cards), by more than a pixel, and elements wider than the window. Scrollable and clipping containers
 * are respected: what they clip is not an overflow.
 */
export async function findOverflows(page: Page): Promise<Overflow[]> {
  return page.evaluate(() => {
    const describe = (el: Element) => {
      const label =
        el.getAttribute('aria-label') || el.getAttribute('data-testid') || (el.textContent ?? '').trim().slice(0, 40);
      return `${el.tagName.toLowerCase()}${el.className && typeof el.className === 'string' ? '.' + el.className.split(' ')[0] : ''} "${label}"`;
    };
    const panels = Array.from(
      document.querySelectorAll(
        'main section, main [data-viz-panel-key], main [data-testid="data-testid panel content"], main dl > div, main header'
      )
    );
    const out: Array<{ element: string; container: string; by: number }> = [];
    const viewport = document.documentElement.clientWidth;
    for (const el of Array.from(document.querySelectorAll('main *'))) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) {
        continue;
      }
      if (r.right > viewport + 1) {
        // Inside a horizontally scrollable ancestor this is fine.
        let clipped = false;
        for (let a = el.parentElement; a; a = a.parentElement) {
          const s = getComputedStyle(a);
          if (s.overflowX !== 'visible' && a.getBoundingClientRect().right <= viewport + 1) {
            clipped = true;
            break;
          }
        }
        if (!clipped) {
          out.push({ element: describe(el), container: 'window', by: Math.round(r.right - viewport) });
        }
      }
    }
    for (const panel of panels) {
      const box = panel.getBoundingClientRect();
      if (box.width === 0) {
        continue;
      }
      for (const el of Array.from(panel.querySelectorAll('*'))) {
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.height === 0) {
          continue;
        }
        let clipped = false;
        for (let a = el.parentElement; a && a !== panel; a = a.parentElement) {
          const s = getComputedStyle(a);
          if (s.overflowX !== 'visible' || s.overflowY !== 'visible') {
            clipped = true;
            break;
          }
        }
        if (clipped) {
          continue;
        }
        const by = Math.max(r.right - box.right, box.left - r.left);
        if (by > 1) {
          out.push({ element: describe(el), container: describe(panel), by: Math.round(by) });
        }
      }
    }
    return out;
  });
}

/** Overlapping siblings in the definition lists (the message header's label/value grid). */
export async function findOverlaps(page: Page, selector: string): Promise<string[]> {
  return page.evaluate((sel) => {
    const out: string[] = [];
    for (const list of Array.from(document.querySelectorAll(sel))) {
      const items = Array.from(list.children).map((c) => ({ el: c, r: c.getBoundingClientRect() }));
      for (const item of items) {
        for (const inner of Array.from(item.el.querySelectorAll('*'))) {
          const r = inner.getBoundingClientRect();
          for (const other of items) {
            if (other === item || r.width === 0) {
              continue;
            }
            const o = other.r;
            const overlap = Math.min(r.right, o.right) - Math.max(r.left, o.left);
            const vertical = Math.min(r.bottom, o.bottom) - Math.max(r.top, o.top);
            if (overlap > 1 && vertical > 1) {
              out.push(
                `${(item.el.textContent ?? '').slice(0, 30)} runs into ${(other.el.textContent ?? '').slice(0, 30)}`
              );
            }
          }
        }
      }
    }
    return out;
  }, selector);
}

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/** axe-core run inside the page; only serious and critical violations are returned. */
export async function seriousAxeViolations(
  page: Page,
  excludes: Array<{ rule: string; selector: string }> = []
): Promise<AxeViolation[]> {
  if (!(await page.evaluate(() => 'axe' in window))) {
    await page.addScriptTag({ content: AXE_SOURCE });
  }
  return page.evaluate(async (excluded) => {
    const axe = (
      window as unknown as {
        axe: {
          run: (
            ctx: unknown,
            opts: unknown
          ) => Promise<{
            violations: Array<{
              id: string;
              impact: string | null;
              help: string;
              nodes: Array<{ target: string[]; failureSummary?: string }>;
            }>;
          }>;
        };
      }
    ).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    const upstream = (rule: string, target: string[]) =>
      excluded.some((e) => e.rule === rule && document.querySelector(target.join(' '))?.closest(e.selector));
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ ...v, nodes: v.nodes.filter((n) => !upstream(v.id, n.target)) }))
      .filter((v) => v.nodes.length > 0)
      .map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(' ')}: ${n.failureSummary ?? ''}`.slice(0, 300)),
      }));
  }, excludes);
}

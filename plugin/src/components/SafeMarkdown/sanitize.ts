import { renderMarkdown } from '@grafana/data';
import React, { type ReactNode } from 'react';

/**
 * Untrusted text (model answers, prompts) → React elements. Two layers:
 * 1. Grafana's `renderMarkdown`, which sanitises its HTML output;
 * 2. that HTML is parsed in an inert document (DOMParser: no scripts run, nothing loads) and rebuilt
 *    as React elements from an allow-list of the tags markdown itself produces, with no attributes
 *    except checked link targets and a code language. No HTML string ever reaches the live DOM.
 * Raw HTML written in the text therefore shows up as its plain text content, images as links.
 */

const BLOCK_AND_INLINE = new Set([
  'p',
  'br',
  'hr',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'em',
  'strong',
  'del',
  's',
  'code',
  'pre',
  'blockquote',
  'ul',
  'ol',
  'li',
  'table',
  'thead',
  'tbody',
  'tr',
  'th',
  'td',
]);
const STRUCTURAL = new Set(['table', 'thead', 'tbody', 'tr', 'ul', 'ol']);
/** Elements whose content must not show at all. */
const DROP_WITH_CONTENT = new Set([
  'script',
  'style',
  'template',
  'noscript',
  'iframe',
  'object',
  'embed',
  'svg',
  'math',
  'head',
  'title',
]);
const SAFE_URL = /^(https?:|mailto:)/i;

export function safeHref(raw: string | null): string | undefined {
  if (!raw) {
    return undefined;
  }
  // Control characters and spaces inside the scheme are how `java\tscript:` slips past naive checks.
  const cleaned = raw.replace(/[\u0000-\u0020\u007f-\u009f]/g, '');
  return SAFE_URL.test(cleaned) ? cleaned : undefined;
}

function convert(node: Node, key: string): ReactNode {
  if (node.nodeType === Node.TEXT_NODE) {
    return node.textContent;
  }
  if (node.nodeType !== Node.ELEMENT_NODE) {
    return null;
  }
  const el = node as Element;
  const tag = el.tagName.toLowerCase();
  if (DROP_WITH_CONTENT.has(tag)) {
    return null;
  }
  const children = (): ReactNode[] =>
    Array.from(el.childNodes)
      // Whitespace between table rows or list items is not valid content there (React warns).
      .filter((child) => !(STRUCTURAL.has(tag) && child.nodeType === Node.TEXT_NODE && !child.textContent?.trim()))
      .map((child, i) => convert(child, `${key}.${i}`));

  if (tag === 'a') {
    const href = safeHref(el.getAttribute('href'));
    if (!href) {
      return React.createElement(React.Fragment, { key }, ...children());
    }
    return React.createElement(
      'a',
      { key, href, target: '_blank', rel: 'noopener noreferrer nofollow' },
      ...children()
    );
  }
  if (tag === 'img') {
    // Remote images in untrusted text are tracking beacons at best: show a link instead of loading it.
    const src = safeHref(el.getAttribute('src'));
    const alt = el.getAttribute('alt') || 'image';
    return src
      ? React.createElement(
          'a',
          { key, href: src, target: '_blank', rel: 'noopener noreferrer nofollow' },
          `[image: ${alt}]`
        )
      : `[image: ${alt}]`;
  }
  if (tag === 'input') {
    // Task-list checkboxes from GFM.
    const checked = el.hasAttribute('checked');
    return React.createElement('input', { key, type: 'checkbox', checked, disabled: true, readOnly: true });
  }
  if (BLOCK_AND_INLINE.has(tag)) {
    const props: Record<string, string | number> = { key };
    if (tag === 'code') {
      const lang = /(?:^|\s)language-([\w+#.-]{1,30})(?:\s|$)/.exec(el.getAttribute('class') ?? '');
      if (lang) {
        props.className = `language-${lang[1]}`;
      }
    }
    if (tag === 'ol') {
      const start = Number(el.getAttribute('start'));
      if (Number.isInteger(start) && start > 1) {
        props.start = start;
      }
    }
    if (tag === 'br' || tag === 'hr') {
      return React.createElement(tag, props);
    }
    return React.createElement(tag, props, ...children());
  }
  // Anything else (div, span, b, font, details, …) contributes only its text.
  return React.createElement(React.Fragment, { key }, ...children());
}

/** Markdown → safe React nodes. */
export function markdownToReact(markdown: string): ReactNode[] {
  const html = renderMarkdown(markdown);
  const doc = new DOMParser().parseFromString(`<!doctype html><body>${html}</body>`, 'text/html');
  return Array.from(doc.body.childNodes).map((node, i) => convert(node, String(i)));
}

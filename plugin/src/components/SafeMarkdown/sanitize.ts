import { Marked, type Tokens } from 'marked';
import React, { type ReactNode } from 'react';
import { plainText } from '../../utils/text';

/**
 * Untrusted text (model answers, prompts) → React elements. Three layers:
 * 1. markdown is rendered with raw HTML escaped: HTML written in the text (even an unclosed `<a href>`)
 *    shows as the text it is, it never becomes an element;
 * 2. that HTML is parsed in an inert document (DOMParser: no scripts run, nothing loads) and rebuilt
 *    as React elements from an allow-list of the tags markdown itself produces, with no attributes
 *    except a code language;
 * 3. links and images are not live: their text is followed by the target (http, https and mailto
 *    only) as plain text, so a reader sees where a link would go and nothing loads or opens by a click.
 * Bidirectional control characters are removed from every text node. No HTML string reaches the live DOM.
 */

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const markdown = new Marked({
  gfm: true,
  breaks: false,
  async: false,
  renderer: {
    html: (token: Tokens.HTML | Tokens.Tag) => escapeHtml(token.text),
  },
});

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
    return plainText(node.textContent);
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
    const text = el.textContent ?? '';
    // An autolink's text is its target already; otherwise the target follows the text.
    const target = href && href !== text && `mailto:${text}` !== href ? href : undefined;
    return React.createElement(
      'span',
      { key, 'data-link': 'inert' },
      ...children(),
      target
        ? React.createElement('span', { key: 'target', className: 'link-target' }, ` (${plainText(target)})`)
        : null
    );
  }
  if (tag === 'img') {
    // Remote images in untrusted text are tracking beacons at best: never loaded, the address is shown.
    const src = safeHref(el.getAttribute('src'));
    const alt = plainText(el.getAttribute('alt')) || 'image';
    return React.createElement(
      'span',
      { key, 'data-link': 'inert' },
      `[image: ${alt}]${src ? ` (${plainText(src)})` : ''}`
    );
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
    if (tag === 'pre') {
      props.tabIndex = 0; // scrolls sideways: reachable with the keyboard
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
export function markdownToReact(text: string): ReactNode[] {
  const html = markdown.parse(text) as string;
  const doc = new DOMParser().parseFromString(`<!doctype html><body>${html}</body>`, 'text/html');
  return Array.from(doc.body.childNodes).map((node, i) => convert(node, String(i)));
}

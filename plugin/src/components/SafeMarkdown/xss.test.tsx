import React from 'react';
import { render, screen, waitFor, within } from '@testing-library/react';
import { sidecarMessage } from '../../testing/sidecarApi';
import { HOSTILE_MARKDOWN, HOSTILE_PROMPT } from '@ollama-lens/testkit/hostile';
import { renderAppAt, startTestGrafana, type TestGrafana } from '../../testing/testGrafana';
import { safeHref } from './sanitize';
import { SafeMarkdown } from './SafeMarkdown';

declare global {
  interface Window {
    __ollamaLensXss?: string;
  }
}

const EXPLORER = '/a/ollamalens-explorer-app/explorer';
const LIVE_CONTENT =
  'script, iframe, object, embed, form, input:not([type="checkbox"]), img, svg, style, link, meta, details';

/** Nothing from untrusted text may be live: no handlers, no script URLs, no active elements. */
function expectNothingLive(root: HTMLElement) {
  expect(window.__ollamaLensXss).toBeUndefined();
  for (const el of Array.from(root.querySelectorAll('*'))) {
    for (const attr of Array.from(el.attributes)) {
      expect(`${el.tagName} ${attr.name}`).not.toMatch(/ on/i);
      if (['href', 'src', 'action', 'formaction', 'xlink:href'].includes(attr.name)) {
        expect(attr.value.replace(/[\s\u0000-\u001f]/g, '').toLowerCase()).not.toMatch(/^(javascript|data|vbscript):/);
      }
    }
  }
}

function expectMarkdownInert(markdown: HTMLElement) {
  expect(markdown.querySelectorAll(LIVE_CONTENT)).toHaveLength(0);
  // Nothing from the text is a link: raw HTML shows as the text it is, markdown links as text + target.
  expect(markdown.querySelectorAll('a, div, b')).toHaveLength(0);
  // Markdown still renders: the heading, the code block with its script as visible text.
  expect(within(markdown).getByRole('heading', { name: 'Hostile answer' })).toBeInTheDocument();
  expect(markdown.querySelector('pre code')?.textContent).toContain('<script>alert("inside a code block")</script>');
  // A markdown link keeps its words, followed by where it would go.
  expect(within(markdown).getByText('safe link').closest('[data-link="inert"]')).toHaveTextContent(
    'safe link (https://example.com/docs)'
  );
  // Raw HTML is shown as written, not interpreted.
  expect(markdown).toHaveTextContent('<img src="x" onerror="window.__ollamaLensXss = \'img\'">');
  // Script links keep their words but no target.
  expect(
    within(markdown)
      .getByText(/click me/)
      .closest('[data-link="inert"]')
  ).toHaveTextContent(/^click me$/);
  expect(
    within(markdown)
      .getByText(/mixed case/)
      .closest('[data-link="inert"]')
  ).toHaveTextContent(/^mixed case$/);
  // An image is never loaded: its address is shown instead.
  expect(within(markdown).getByText('[image: tracking pixel] (https://evil.example/pixel.png)')).toBeInTheDocument();
}

afterEach(() => {
  delete window.__ollamaLensXss;
});

describe('SafeMarkdown', () => {
  it('renders markdown but nothing live from hostile text', () => {
    const { container } = render(<SafeMarkdown markdown={HOSTILE_MARKDOWN} />);
    expectMarkdownInert(screen.getByTestId('safe-markdown'));
    expectNothingLive(container);
  });

  it('accepts only http(s) and mailto link targets, however they are disguised', () => {
    expect(safeHref('https://example.com/a?b=c')).toBe('https://example.com/a?b=c');
    expect(safeHref('mailto:someone@example.com')).toBe('mailto:someone@example.com');
    for (const bad of [
      'javascript:alert(1)',
      ' JAVASCRIPT:alert(1)',
      'java\tscript:alert(1)',
      'java\nscript:alert(1)',
      'data:text/html,x',
      'vbscript:x',
      '//evil.example',
      '/relative',
      null,
    ]) {
      expect(safeHref(bad)).toBeUndefined();
    }
  });
});

describe('hostile messages from the real sidecar', () => {
  let grafana: TestGrafana;
  beforeAll(async () => {
    grafana = await startTestGrafana();
  });
  afterAll(() => grafana.stop());

  it('a hostile answer, thinking, tool call and stream show as text on the detail page', async () => {
    const id = grafana.sidecar.seed.ids.hostileAnswer;
    const { message } = await sidecarMessage(id);
    expect(message.response?.content).toBe(HOSTILE_MARKDOWN); // the store kept it verbatim
    const { container } = renderAppAt(`${EXPLORER}/message/${id}`);
    const answer = await screen.findByLabelText('Response');
    expectMarkdownInert(answer);
    // The prompt (system + user) is shown verbatim as text.
    const prompt = screen.getByLabelText(/^Prompt/);
    const blocks = Array.from(prompt.querySelectorAll('pre')).map((pre) => pre.textContent);
    expect(blocks).toEqual([HOSTILE_MARKDOWN, HOSTILE_PROMPT]);
    expect(screen.getByText('<script>window.__ollamaLensXss = "thinking"</script>')).toBeInTheDocument();
    expect(screen.getByText('tool call: lookup<img src=x onerror=alert(1)>')).toBeInTheDocument();
    expectNothingLive(container);
  });

  it('a hostile prompt sent through the proxy shows as text in the table and on the detail page', async () => {
    const id = grafana.sidecar.seed.ids.hostilePrompt;
    const list = renderAppAt(`${EXPLORER}?user=mallory`);
    await waitFor(() =>
      expect(screen.getAllByTestId('message-row').map((r) => r.getAttribute('data-message-id'))).toContain(id)
    );
    const row = screen.getAllByTestId('message-row').find((r) => r.getAttribute('data-message-id') === id)!;
    expect(row).toHaveTextContent(HOSTILE_PROMPT.slice(0, 60));
    expectNothingLive(list.container);
    list.unmount();

    const detail = renderAppAt(`${EXPLORER}/message/${id}`);
    const prompt = await screen.findByLabelText(/^Prompt/);
    expect(within(prompt).getByText(HOSTILE_PROMPT)).toBeInTheDocument();
    expectNothingLive(detail.container);
  });
});

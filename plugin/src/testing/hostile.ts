/**
 * Untrusted text for the XSS suite, stored in the real sidecar by the jest globalSetup and rendered by
 * the pages. If any construct ran, it would set window.__ollamaLensXss.
 */

export const HOSTILE_MARKDOWN = [
  '# Hostile answer',
  '<script>window.__ollamaLensXss = "script"</script>',
  '<img src="x" onerror="window.__ollamaLensXss = \'img\'">',
  "[click me](javascript:window.__ollamaLensXss='link')",
  '[<img src=x onerror="window.__ollamaLensXss=\'markdown-html\'">](https://example.com/x)',
  '<a href="javascript:window.__ollamaLensXss=\'anchor\'">raw anchor</a>',
  '<iframe src="javascript:window.__ollamaLensXss=\'iframe\'"></iframe>',
  '<svg onload="window.__ollamaLensXss=\'svg\'"><circle r="5"/></svg>',
  '<div style="background:url(javascript:alert(1))" onclick="window.__ollamaLensXss=\'div\'">styled div</div>',
  '<form action="https://evil.example/steal"><input name="pw"></form>',
  "[mixed case](JaVaScRiPt:window.__ollamaLensXss='case')",
  '[data url](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
  '![tracking pixel](https://evil.example/pixel.png)',
  '<details open ontoggle="window.__ollamaLensXss=\'details\'"><summary>more</summary>hidden</details>',
  '[safe link](https://example.com/docs)',
  '```html\n<script>alert("inside a code block")</script>\n```',
].join('\n\n');

export const HOSTILE_PROMPT =
  '<script>window.__ollamaLensXss = "prompt"</script> Explain <img src=x onerror="window.__ollamaLensXss=\'prompt-img\'"> please';

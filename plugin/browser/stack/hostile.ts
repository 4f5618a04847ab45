/**
 * The browser suite's hostile content: stored through the real sidecar as prompts (sent to the real
 * Ollama) and as answers (from the scripted upstream). Every construct that could run would set
 * `window.__pwned`; every link would point at evil.example.
 */

/** Right-to-left override: "invoice‮fdp.exe" reads as "invoiceexe.pdf". */
export const RLO = '\u202e';

export const PWNED_TRAP = '__pwned';

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

export const HOSTILE_ANSWER = ['# Hostile answer', ...HOSTILE_PAYLOADS, '```html\n<script>alert(1)</script>\n```'].join(
  '\n\n'
);

/** Bidi controls that must never reach rendered text. */
export const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

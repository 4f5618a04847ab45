/**
 * Redaction of secrets and personal data before anything reaches the store. Each rule finds spans in
 * the original text (all rules on the same input, overlaps resolved longest-first), so the same spans
 * can also be applied to the streamed chunks: a secret split across two chunks is still removed.
 */

export interface Span {
  start: number;
  end: number;
  label: string;
}

interface Rule {
  label: string;
  re: RegExp;
  /** Extra check on the matched secret (e.g. Luhn for card numbers). */
  accept?: (secret: string) => boolean;
}

/** Luhn checksum over the digits of a candidate card number. */
export function luhnValid(candidate: string): boolean {
  const digits = candidate.replace(/[^0-9]/g, '');
  if (digits.length < 13 || digits.length > 19) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/**
 * Built-in rules. A named group `secret` marks the part to remove when the match also carries
 * context worth keeping (the word "Bearer", the variable name of an assignment).
 */
const BUILTIN: readonly Rule[] = [
  { label: 'private_key', re: /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g },
  { label: 'token', re: /\bBearer\s+(?<secret>[A-Za-z0-9\-._~+/]{8,}=*)/gi },
  { label: 'jwt', re: /\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}/g },
  // OpenAI / Anthropic style (sk-…, sk-proj-…, sk-ant-…), Stripe, GitHub, Slack, Google, Hugging Face, GitLab.
  { label: 'api_key', re: /\bsk-[A-Za-z0-9_-]{16,}/g },
  { label: 'api_key', re: /\b[rsp]k_(?:live|test)_[A-Za-z0-9]{16,}/g },
  { label: 'api_key', re: /\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{40,})/g },
  { label: 'api_key', re: /\bxox[abposr]-[A-Za-z0-9-]{10,}/g },
  { label: 'api_key', re: /\bAIza[0-9A-Za-z_-]{35}/g },
  { label: 'api_key', re: /\bhf_[A-Za-z0-9]{30,}/g },
  { label: 'api_key', re: /\bglpat-[A-Za-z0-9_-]{20,}/g },
  { label: 'aws_key', re: /\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b/g },
  {
    label: 'aws_secret',
    re: /\b(?:aws_?secret_?access_?key|aws_?secret|secret_?access_?key)\b["']?\s*[:=]\s*["']?(?<secret>[A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])/gi,
  },
  {
    label: 'secret',
    re: /\b(?:password|passwd|pwd|client_?secret|api_?key|apikey|access_?token|auth_?token|secret_?key)\b["']?\s*[:=]\s*["']?(?<secret>[^\s"',;]{4,})/gi,
  },
  {
    label: 'email',
    re: /[A-Za-z0-9._%+-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}/g,
  },
  // 13–19 digits, optionally grouped by spaces or dashes; the Luhn check keeps phone numbers and ids.
  { label: 'card', re: /(?<![0-9])[0-9](?:[ -]?[0-9]){12,18}(?![0-9])/g, accept: luhnValid },
];

export function placeholder(label: string): string {
  return `[REDACTED:${label}]`;
}

export class Redactor {
  private readonly rules: Rule[];

  /** `extraPatterns`: user regular expressions (config.redactPatterns), redacted as `[REDACTED:custom]`. */
  constructor(extraPatterns: readonly string[] = []) {
    const all = [...BUILTIN, ...extraPatterns.map((p) => ({ label: 'custom', re: new RegExp(p, 'g') }))];
    // The `d` flag gives the exact position of the `secret` group.
    this.rules = all.map((r) => ({
      ...r,
      re: new RegExp(r.re.source, r.re.flags.includes('d') ? r.re.flags : r.re.flags + 'd'),
    }));
  }

  /** Non-overlapping spans to remove, in order. */
  spans(text: string): Span[] {
    if (text.length === 0) return [];
    const found: Span[] = [];
    for (const rule of this.rules) {
      rule.re.lastIndex = 0;
      for (let m = rule.re.exec(text); m !== null; m = rule.re.exec(text)) {
        if (m[0].length === 0) {
          // A user pattern that can match the empty string would loop forever.
          rule.re.lastIndex++;
          continue;
        }
        const secret = m.indices?.groups?.secret;
        const [start, end] = secret ?? [m.index, m.index + m[0].length];
        if (rule.accept && !rule.accept(text.slice(start, end))) continue;
        found.push({ start, end, label: rule.label });
      }
    }
    if (found.length <= 1) return found;
    found.sort((a, b) => a.start - b.start || b.end - a.end);
    const merged: Span[] = [];
    for (const s of found) {
      const last = merged[merged.length - 1];
      if (last && s.start < last.end) {
        if (s.end > last.end) last.end = s.end;
        continue;
      }
      merged.push({ ...s });
    }
    return merged;
  }

  /** The text with every span replaced by its placeholder, and how many spans there were. */
  redact(text: string): { text: string; count: number } {
    const spans = this.spans(text);
    return { text: applySpans(text, spans), count: spans.length };
  }

  /**
   * Redacts a text that arrived in pieces (the streamed chunks): the pieces are joined, redacted as one
   * text, and cut again at the matching places, so a secret split across pieces is still removed.
   */
  redactPieces(pieces: readonly string[]): { pieces: string[]; count: number } {
    const joined = pieces.join('');
    const spans = this.spans(joined);
    if (spans.length === 0) return { pieces: [...pieces], count: 0 };
    const redacted = applySpans(joined, spans);
    const out: string[] = [];
    let from = 0;
    let offset = 0;
    for (const piece of pieces) {
      offset += piece.length;
      const to = mapOffset(offset, spans);
      out.push(redacted.slice(from, to));
      from = to;
    }
    return { pieces: out, count: spans.length };
  }
}

function applySpans(text: string, spans: readonly Span[]): string {
  if (spans.length === 0) return text;
  let out = '';
  let at = 0;
  for (const s of spans) {
    out += text.slice(at, s.start) + placeholder(s.label);
    at = s.end;
  }
  return out + text.slice(at);
}

/** Where an offset of the original text lands in the redacted text (inside a span: after its placeholder). */
function mapOffset(offset: number, spans: readonly Span[]): number {
  let delta = 0;
  for (const s of spans) {
    if (offset <= s.start) break;
    const replacement = placeholder(s.label).length;
    if (offset < s.end) return s.start + delta + replacement;
    delta += replacement - (s.end - s.start);
  }
  return offset + delta;
}

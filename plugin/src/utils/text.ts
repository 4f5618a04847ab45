/**
 * Untrusted text as it may be shown: Unicode bidirectional controls (U+202A–U+202E, U+2066–U+2069, the
 * LRM/RLM/ALM marks) are removed, so a stored prompt or answer cannot reorder what the reader sees
 * ("invoice‮fdp.exe" shown as "invoiceexe.pdf").
 */
const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function plainText<T extends string | null | undefined>(text: T): T {
  return (typeof text === 'string' ? text.replace(BIDI_CONTROLS, '') : text) as T;
}

/** For JSON shown as text: bidi controls become visible `\u202e` escapes (still valid JSON). */
export function escapeBidi(json: string): string {
  return json.replace(BIDI_CONTROLS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

// What a client sent, as it may appear in a log line: never verbatim. One line (JSON
// string escaping: no newline, no control character, no terminal escape survives), at most
// `max` characters of it, and how long it was when cut.

/** `value` (client-supplied) as a short, escaped, single-line text. */
export function clientText(value: unknown, max = 200): string {
  const text = typeof value === 'string' ? value : value instanceof Error ? `${value.name}: ${value.message}` : typeof value;
  const cut = text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;
  // JSON.stringify escapes quotes, backslashes, C0 controls and lone surrogates; DEL, the
  // C1 controls (a terminal's CSI among them) and the Unicode line separators are escaped here.
  return JSON.stringify(cut).replace(/[\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

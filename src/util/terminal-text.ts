/**
 * Text from files a user may have edited (run.json names, reasons, notes) must not drive the terminal:
 * an ANSI escape could rewrite earlier lines, hide a failure or set the window title. One sanitizer
 * for every renderer that prints such text.
 */

/**
 * C0 controls (except newline when kept), DEL, C1 controls (U+0080–U+009F, e.g. the 8-bit CSI) and the
 * bidirectional overrides that reorder what is shown (U+202A–U+202E, U+2066–U+2069).
 */
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
const CONTROL_WITH_NEWLINE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

function visible(char: string): string {
  const code = char.codePointAt(0)!;
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * Replaces every control character with a visible escape (ESC → `\x1b`), so the text prints as
 * written and cannot act on the terminal. Newlines are escaped too unless `keepNewlines`.
 */
export function escapeControlChars(text: string, options: { keepNewlines?: boolean } = {}): string {
  return text.replace(options.keepNewlines ? CONTROL : CONTROL_WITH_NEWLINE, visible);
}

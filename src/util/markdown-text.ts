/**
 * The one escaping rule for each place Markdown is written (report.md, compare's summary): text from a
 * run.json or a scenario may carry HTML, Markdown, backticks or terminal escapes, and must read as
 * the characters it is, never as markup, a closed code fence or an extra shell command.
 *
 * - mdInline: any inline position (table cells, list items, headings, quotes, paragraphs).
 * - mdCodeSpan: inline code (a path, a commit) that no backtick inside can close.
 * - mdCodeBlock: a fenced block whose fence no line can close.
 * - shellWord: one word of a copy-paste `sh` line, quoted when it is not plainly safe.
 *
 * Control characters are made visible (`\x1b`) by the terminal rule's own function, so the two
 * outputs show a hostile byte the same way.
 */
import { escapeControlChars } from './terminal-text.ts';

/**
 * Text safe in any inline Markdown position: control characters shown as `\xNN`, no line breaks,
 * Markdown punctuation that opens a construct (emphasis, code, links, strike-through, table pipes)
 * backslash-escaped, and any "<" that could open an HTML tag or comment, or "&" that could open an
 * entity, written as an entity (a "< 50 ms" stays readable).
 */
export function mdInline(text: string): string {
  return escapeControlChars(text.replace(/[\r\n]+/g, ' '))
    .replace(/[\\`*_[\]~|]/g, '\\$&')
    .replace(/&(?=#?\w+;)/g, '&amp;')
    .replace(/<(?=[A-Za-z!/?])/g, '&lt;');
}

/** Longest run of backticks in `text` (0 when none). */
function longestBacktickRun(text: string): number {
  return Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
}

/**
 * Inline code: delimited by one backtick more than the longest run inside (CommonMark), padded with
 * a space when the text starts or ends with one; control characters shown as `\xNN`, no line breaks.
 * Outside tables only: GFM splits a table cell at `|` even inside code.
 */
export function mdCodeSpan(text: string): string {
  const body = escapeControlChars(text.replace(/[\r\n]+/g, ' '));
  const ticks = '`'.repeat(longestBacktickRun(body) + 1);
  const pad = body.startsWith('`') || body.endsWith('`') ? ' ' : '';
  return `${ticks}${pad}${body}${pad}${ticks}`;
}

/**
 * A fenced code block around `lines`: the fence is one backtick longer than the longest run of
 * backticks in them (CommonMark: a fence closes only on a run at least as long), control characters
 * shown as `\xNN`.
 */
export function mdCodeBlock(lines: readonly string[], lang = ''): string {
  const body = lines.map((l) => escapeControlChars(l));
  const longest = Math.max(0, ...body.map(longestBacktickRun));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return [`${fence}${lang}`, ...body, fence].join('\n');
}

/**
 * One shell word, as `sh` reads it: left as it is when it has only characters no shell treats
 * specially, else single-quoted (a `'` inside written as `'\''`), so `; rm -rf ~` stays part of the
 * word and never becomes a second command.
 */
export function shellWord(word: string): string {
  if (/^[A-Za-z0-9_./:@%+=,-]+$/.test(word)) return word;
  return `'${word.replaceAll("'", "'\\''")}'`;
}

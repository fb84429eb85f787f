/**
 * Counts a handler's non-blank, non-comment source lines, for the article's "30–40 % fewer lines"
 * claim. A line counts when anything but whitespace and comments is left on it (the usual SLOC rule,
 * as in cloc). Pure on a string; the orchestrator reads the files.
 *
 * Comment syntax: Python `#` to end of line; the C family (Go, JavaScript, TypeScript) `//` to end of
 * line and `/* … *\/` blocks. String literals are honoured so a `#` or `//` inside quotes is code;
 * backquoted strings (Go raw strings, JavaScript template literals) may span lines and are followed
 * across them, other quotes end at the line's end. Not followed: JavaScript regular-expression
 * literals (a `/\/*\/` in one would be misread; handlers keep such patterns out of the way). Python
 * docstrings are code to a parser but documentation to a reader; cloc counts them as comments, and
 * so do we when a triple-quoted string is the only thing on its lines (a bare expression statement).
 *
 * A language without a counter here is "not counted" (the caller records why), never a silent zero.
 */
export type SourceLanguage = 'python' | 'go' | 'javascript' | 'typescript';

export const COUNTED_LANGUAGES: readonly SourceLanguage[] = ['python', 'go', 'javascript', 'typescript'];

const EXTENSIONS: Readonly<Record<string, SourceLanguage>> = {
  '.py': 'python',
  '.go': 'go',
  '.js': 'javascript',
  '.mjs': 'javascript',
  '.cjs': 'javascript',
  '.jsx': 'javascript',
  '.ts': 'typescript',
  '.mts': 'typescript',
  '.cts': 'typescript',
  '.tsx': 'typescript',
};

export function languageOfPath(path: string): SourceLanguage | null {
  const dot = path.lastIndexOf('.');
  return dot === -1 ? null : (EXTENSIONS[path.slice(dot).toLowerCase()] ?? null);
}

/** The counter for a language name as written in a target manifest, or null when there is none. */
export function countedLanguage(name: string): SourceLanguage | null {
  return (COUNTED_LANGUAGES as readonly string[]).includes(name) ? (name as SourceLanguage) : null;
}

export function countCodeLines(source: string, language: SourceLanguage): number {
  return language === 'python' ? countPython(source) : countCFamily(source, language === 'go');
}

function countPython(source: string): number {
  const lines = source.split(/\r?\n/);
  let count = 0;
  /** Set while inside a docstring that started on its own line: its quote kind. */
  let docstring: string | null = null;
  for (const raw of lines) {
    const line = raw.trim();
    if (docstring !== null) {
      if (line.includes(docstring)) docstring = null;
      continue;
    }
    if (line === '') continue;
    const triple = line.startsWith('"""') ? '"""' : line.startsWith("'''") ? "'''" : null;
    if (triple !== null) {
      const rest = line.slice(3);
      const end = rest.indexOf(triple);
      if (end === -1) {
        docstring = triple;
        continue;
      }
      // One-line docstring: a comment only if nothing but a comment follows it.
      const after = rest.slice(end + 3).trim();
      if (after === '' || after.startsWith('#')) continue;
    }
    if (stripPythonComment(line).trim() !== '') count++;
  }
  return count;
}

/** Removes a trailing `#` comment, ignoring `#` inside '…' or "…" literals. */
function stripPythonComment(line: string): string {
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote !== null) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#') return line.slice(0, i);
  }
  return line;
}

/** Go, JavaScript, TypeScript: `//` and `/* *\/` comments; "…", '…' and multi-line `…` strings. */
function countCFamily(source: string, rawBackquote: boolean): number {
  let count = 0;
  let inBlock = false;
  /** A backquoted string open at the end of the previous line. */
  let openQuote: string | null = null;
  for (const line of source.split(/\r?\n/)) {
    let code = '';
    let quote: string | null = openQuote;
    for (let i = 0; i < line.length; i++) {
      const c = line[i]!;
      const next = line[i + 1];
      if (inBlock) {
        if (c === '*' && next === '/') {
          inBlock = false;
          i++;
        }
        continue;
      }
      if (quote !== null) {
        code += c;
        // Go raw strings have no escapes; template literals and the other quotes do.
        if (c === '\\' && !(quote === '`' && rawBackquote)) {
          code += next ?? '';
          i++;
        } else if (c === quote) quote = null;
        continue;
      }
      if (c === '/' && next === '/') break;
      if (c === '/' && next === '*') {
        inBlock = true;
        i++;
        continue;
      }
      if (c === '"' || c === "'" || c === '`') quote = c;
      code += c;
    }
    openQuote = quote === '`' ? quote : null;
    if (code.trim() !== '') count++;
  }
  return count;
}

/**
 * A request path is written into the request line as is (`GET <path> HTTP/1.1`): CR/LF would end the
 * line and smuggle headers or a second request, a space or other control character would corrupt it.
 */
import { ConfigError } from '../errors.ts';
import { escapeControlChars } from '../util/terminal-text.ts';

/** Control characters (C0, DEL, C1) and spaces: never valid unescaped in a request target. */
const FORBIDDEN = /[\u0000-\u0020\u007f-\u009f]/;

/** Throws ConfigError (exit 2) naming `what` when `path` holds a character that would reach the socket raw. */
export function checkRequestPath(path: string, what: string): void {
  const bad = FORBIDDEN.exec(path);
  if (bad) {
    const code = `U+${bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
    throw new ConfigError(`${what} contains a control character or space (${code}): "${escapeControlChars(path)}"`, {
      hint: 'percent-encode it (e.g. %20 for a space); CR/LF in a path would inject headers into the request',
    });
  }
}

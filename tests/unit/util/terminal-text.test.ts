import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.ts';
import { checkRequestPath } from '../../../src/load/request-path.ts';
import { escapeControlChars } from '../../../src/util/terminal-text.ts';

describe('escapeControlChars', () => {
  it('makes ANSI escapes, C1 controls and bidi overrides visible', () => {
    expect(escapeControlChars('\u001b[2J\u001b]0;pwned\u0007ok')).toBe('\\x1b[2J\\x1b]0;pwned\\x07ok');
    expect(escapeControlChars('a\u009b31mb\u007f')).toBe('a\\x9b31mb\\x7f');
    expect(escapeControlChars('x\u202ey')).toBe('x\\u202ey');
    expect(escapeControlChars('over\rwrite')).toBe('over\\x0dwrite');
  });
  it('escapes newlines unless kept, and leaves ordinary text alone', () => {
    expect(escapeControlChars('a\nb')).toBe('a\\x0ab');
    expect(escapeControlChars('a\nb\tc', { keepNewlines: true })).toBe('a\nb\\x09c');
    expect(escapeControlChars('go-chi/1-worker ≥ 12.5 µs — ok')).toBe('go-chi/1-worker ≥ 12.5 µs — ok');
  });
});

describe('checkRequestPath', () => {
  it('accepts ordinary and percent-encoded paths', () => {
    expect(() => checkRequestPath('/users/{id}?x=%20%0d', '--path-template')).not.toThrow();
  });
  it.each([
    ['/users/1\r\nX-Injected: 1', 'U+000D'],
    ['/a\nb', 'U+000A'],
    ['/a b', 'U+0020'],
    ['/a\u0000', 'U+0000'],
    ['/a\u0085', 'U+0085'],
  ])('refuses %j (%s) with exit 2', (path, code) => {
    let caught: unknown;
    try {
      checkRequestPath(path, '--path-template');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).message).toContain(`--path-template contains a control character or space (${code})`);
    expect((caught as ConfigError).message).not.toMatch(/[\r\n\u0000]/);
  });
});

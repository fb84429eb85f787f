import { describe, expect, it } from 'vitest';
import { mdCodeBlock, mdCodeSpan, mdInline, shellWord } from '../../../src/util/markdown-text.ts';

describe('the Markdown rules (#23)', () => {
  it('mdInline: markup, HTML, entities and control bytes read as text', () => {
    expect(mdInline('a | *b* _c_ `d` [e](f) ~g~ \\ <i> &amp; < 50\n\u001b[2J')).toBe('a \\| \\*b\\* \\_c\\_ \\`d\\` \\[e\\](f) \\~g\\~ \\\\ &lt;i> &amp;amp; < 50 \\\\x1b\\[2J');
  });
  it('mdCodeSpan: no backtick inside closes it', () => {
    expect(mdCodeSpan('a``b')).toBe('```a``b```');
    expect(mdCodeSpan('`x')).toBe('`` `x ``');
    expect(mdCodeSpan('p\u0007')).toBe('`p\\x07`');
  });
  it('mdCodeBlock: the fence outlasts any run of backticks in the lines', () => {
    expect(mdCodeBlock(['echo ````', 'ok'], 'sh')).toBe('`````sh\necho ````\nok\n`````');
    expect(mdCodeBlock(['plain'])).toBe('```\nplain\n```');
  });
  it('shellWord: safe words unchanged, anything else single-quoted', () => {
    expect(shellWord('scenarios/article.yaml')).toBe('scenarios/article.yaml');
    expect(shellWord("a b; rm -rf ~ 'x'")).toBe("'a b; rm -rf ~ '\\''x'\\'''");
    expect(shellWord('$(id)')).toBe("'$(id)'");
  });
});

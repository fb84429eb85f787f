import { describe, expect, it } from 'vitest';
import { escapeXml } from '../../../src/util/xml.ts';

describe('escapeXml (report.html, its SVG charts, the JUnit report)', () => {
  it('escapes the five markup characters, quotes as entities HTML and XML both read', () => {
    expect(escapeXml(`"'<>&`)).toBe('&quot;&#39;&lt;&gt;&amp;');
    expect(escapeXml('a & b < c')).toBe('a &amp; b &lt; c');
  });

  it('drops characters XML 1.0 forbids and keeps tab, newline and carriage return', () => {
    expect(escapeXml('a\u0001b\u001Fc\uFFFEd')).toBe('abcd');
    expect(escapeXml('a\tb\nc\rd')).toBe('a\tb\nc\rd');
  });

  it('escapes an entity once, not twice', () => {
    expect(escapeXml('&amp;')).toBe('&amp;amp;');
  });
});

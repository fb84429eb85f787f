/**
 * Text safe inside XML and HTML (element content and quoted attribute values): the one escape for
 * report.html, its SVG charts and the JUnit report. Characters XML 1.0 forbids are dropped (a JUnit
 * parser rejects the whole file for one); `'` becomes `&#39;`, which HTML and XML both read.
 */
export function escapeXml(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&#39;')
  );
}

import { describe, expect, it } from 'vitest';
import { renderHtml } from '../../../src/report/html.ts';
import { makeDoc, makeStep, makeTarget, sampleRun, articleClaims } from '../../helpers/sample-run.ts';
import { buildReportModel } from '../../../src/report/model.ts';

describe('renderHtml', () => {
  it('is self-contained: no scripts, no external URLs', () => {
    const html = renderHtml(buildReportModel(sampleRun()), { renderedAt: '2026-05-01T11:00:00.000Z' });
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/(src|href)=["']?https?:/i);
    // "The article vs this run", the latency small multiples, and four line charts.
    expect(html.match(/<svg /g)?.length).toBe(6);
    expect(html).toContain('<table class="claims">');
  });

  it('cites the claims source, escaped, right under the claims heading', () => {
    const html = renderHtml(buildReportModel({ ...sampleRun(), claimsSource: 'A. <Author>, A Title (2026)' }), { renderedAt: '2026-05-01T11:00:00.000Z' });
    expect(html).toContain('<h2 id="claims">Claims</h2>\n<p>Claims quoted from A. &lt;Author&gt;, A Title (2026).</p>');
  });

  it('escapes every text taken from the document', () => {
    const claims = articleClaims().slice(0, 1).map((c) => ({ ...c, quote: '<script>alert(1)</script>', articleFigure: '"><img src=x onerror=alert(1)>' }));
    const t = makeTarget({ name: 'go-chi', configuration: 'all-cores', steps: [makeStep({ kind: 'max', achievedRps: 1000, notes: ['<b>note</b>'] })] });
    const d = makeDoc([t], { claims });
    d.environment.cpuModel = '<iframe src="javascript:alert(1)">';
    const html = renderHtml(buildReportModel(d), { renderedAt: '<now>' });
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('<iframe');
    expect(html).not.toContain('<b>note</b>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });
});

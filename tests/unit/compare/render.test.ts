import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { compareRuns } from '../../../src/compare/compare.ts';
import { renderCompareBmf } from '../../../src/compare/render-bmf.ts';
import { renderCompareJunit } from '../../../src/compare/render-junit.ts';
import { renderCompareMarkdown } from '../../../src/compare/render-markdown.ts';
import { renderCompareTerminal } from '../../../src/compare/render-terminal.ts';
import { resolveThresholds } from '../../../src/compare/thresholds.ts';
import { BMF_JSON_SCHEMA, buildRunDocument, checkJunitStructure, FIXTURE_THRESHOLDS_PERCENT, parseXmlStrict } from '../../helpers/compare-fixtures.ts';

const thresholdsPercent = resolveThresholds(FIXTURE_THRESHOLDS_PERCENT);

// Fixed seeds: the fixtures and so the rendered text are deterministic (no clock in them).
const slower = compareRuns(
  buildRunDocument({ seed: 1, repetitions: 5 }),
  buildRunDocument({ seed: 2, repetitions: 5, throughputFactor: 0.7, latencyFactor: 1.3, generatorBoundRates: [500] }),
  { thresholdsPercent, baselineLabel: 'runs/base<&"line>', candidateLabel: 'runs/candidate' },
);
const lowConfidence = compareRuns(buildRunDocument({ seed: 3, repetitions: 3 }), buildRunDocument({ seed: 4, repetitions: 3 }), { thresholdsPercent });
const envMismatch = compareRuns(
  buildRunDocument({ seed: 3, repetitions: 1 }),
  buildRunDocument({ seed: 4, repetitions: 1, environment: { cpuCount: 2 } }),
  { thresholdsPercent, allowEnvMismatch: true },
);

describe('terminal and Markdown renderers', () => {
  it('match their snapshot files', async () => {
    await expect(renderCompareTerminal(slower)).toMatchFileSnapshot('__snapshots__/compare-slower.txt');
    await expect(renderCompareMarkdown(slower)).toMatchFileSnapshot('__snapshots__/compare-slower.md');
  });

  it('say which method judged each metric and flag low confidence', () => {
    const md = renderCompareMarkdown(lowConfidence);
    expect(md).toContain('threshold + ranges (low confidence)');
    expect(md).toContain('smallest possible p = 0.10');
    expect(renderCompareTerminal(slower)).toContain('U test');
    expect(renderCompareTerminal(slower)).toContain('generator-bound, not comparable');
  });

  it('flag an environment mismatch loudly', () => {
    expect(renderCompareTerminal(envMismatch)).toMatch(/WARNING: THE RUNS WERE MEASURED ON DIFFERENT ENVIRONMENTS[\s\S]*cpuCount: 4 vs 2/);
    expect(renderCompareMarkdown(envMismatch)).toMatch(/\[!CAUTION\][\s\S]*different environments[\s\S]*cpuCount: 4 vs 2/);
    expect(renderCompareTerminal(envMismatch)).toContain('threshold + ranges (no repetitions)');
  });

  it('Markdown escapes table-breaking characters', () => {
    const md = renderCompareMarkdown(slower);
    // The label is a path: shown as inline code, where HTML is never rendered.
    expect(md).toContain('- baseline: `runs/base<&"line>` — scenario');
    const headerCells = md.split('\n').find((l) => l.startsWith('| metric'))!.split(' | ').length;
    for (const row of md.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| ---'))) {
      expect(row.replace(/\\\|/g, '').split(' | ').length).toBe(headerCells);
    }
  });
});

describe('an incomplete comparison is loud in every renderer', () => {
  const base = buildRunDocument({ seed: 5, repetitions: 2 });
  const incomplete = compareRuns(base, { ...base, status: 'interrupted' }, { thresholdsPercent });

  it('terminal, Markdown and JUnit say the gate cannot pass', () => {
    expect(renderCompareTerminal(incomplete)).toContain('!!! GATE INCOMPLETE — this comparison cannot pass a CI gate (exit 4):\n!!!   candidate run status is "interrupted", not "completed"');
    expect(renderCompareTerminal(incomplete)).toMatch(/^INCOMPLETE \(1 problem\): 0 regressed/m);
    expect(renderCompareMarkdown(incomplete)).toContain('## httpbench compare: ⛔ incomplete');
    const xml = renderCompareJunit(incomplete);
    const j = checkJunitStructure(xml);
    expect(j.suites).toBe(3);
    expect(j.testcases).toBe(incomplete.groups.reduce((a, g) => a + g.metrics.length, 0) + 1);
    expect(xml).toContain('<error type="incomplete" message="comparison incomplete: candidate run status is &quot;interrupted&quot;, not &quot;completed&quot;">');
  });

  it('too-noisy metrics are a warning and a skipped JUnit case, not a failure', () => {
    const noisy = buildRunDocument({ seed: 6, repetitions: 5, noise: 0.2 });
    const c = compareRuns(noisy, noisy, { thresholdsPercent });
    expect(c.counts.tooNoisy).toBeGreaterThan(0);
    expect(renderCompareTerminal(c)).toContain('~ too noisy');
    expect(renderCompareTerminal(c)).toMatch(/WARNING: \d+ metric\(s\) too noisy to judge at their thresholds.*smallest change each could detect: fastapi\/1-worker /);
    const j = checkJunitStructure(renderCompareJunit(c));
    expect(j.failures).toEqual([]);
    expect(j.skipped).toBe(c.counts.tooNoisy + c.counts.notComparable);
  });
});

describe('JUnit renderer', () => {
  it('is well-formed: a suite per target/config, a testcase per metric, regressions as failures', () => {
    const xml = renderCompareJunit(slower);
    const j = checkJunitStructure(xml);
    expect(j.suites).toBe(2);
    expect(j.testcases).toBe(slower.groups.reduce((a, g) => a + g.metrics.length, 0));
    expect(j.failures).toContain('fastapi/1-worker :: p99 @ 200 rps');
    expect(j.failures).toContain('go-chi/default :: max throughput');
    expect(j.failures).not.toContain('fastapi/1-worker :: p99 @ 500 rps');
    expect(j.failures).toHaveLength(slower.counts.regressed);
    expect(j.skipped).toBe(slower.counts.notComparable + slower.counts.tooNoisy);
    // The label with <&" survived as text.
    expect(parseXmlStrict(xml).children[0]!.children.at(-1)!.text).toContain('runs/base&lt;&amp;&quot;line&gt;');
  });

  it('the checker itself rejects broken XML', () => {
    expect(() => parseXmlStrict('<a><b></a></b>')).toThrow();
    expect(() => parseXmlStrict('<a x="1 & 2"/>')).toThrow();
    expect(() => parseXmlStrict('<a>1 < 2</a>')).toThrow();
    expect(() => parseXmlStrict('<a/><b/>')).toThrow();
    expect(() => checkJunitStructure('<testsuites tests="1" failures="0"><testsuite name="x" tests="2" failures="0"><testcase classname="c" name="n"/></testsuite></testsuites>')).toThrow(/tests="2"/);
  });
});

describe('BMF renderer', () => {
  const validate = new Ajv({ strict: true }).compile(BMF_JSON_SCHEMA);

  it("validates against Bencher's documented BMF shape", () => {
    const bmf = renderCompareBmf(slower);
    expect(validate(bmf), JSON.stringify(validate.errors)).toBe(true);
    expect(validate(renderCompareBmf(envMismatch))).toBe(true);
    expect(validate({ x: { latency: { lower_value: 1 } } })).toBe(false);
  });

  it('uses Bencher units: latency in ns, throughput in ops/s, median with min/max bounds from the candidate', () => {
    const bmf = renderCompareBmf(slower);
    const p99 = slower.groups[0]!.metrics.find((m) => m.id === 'rate-200rps/p99Us')!;
    expect(bmf['ci/fastapi/1-worker/rate-200rps/p99']!.latency).toEqual({
      value: p99.candidate.median! * 1000,
      lower_value: p99.candidate.min! * 1000,
      upper_value: p99.candidate.max! * 1000,
    });
    const max = slower.groups[1]!.metrics.find((m) => m.id === 'maxThroughputRps')!;
    expect(bmf['ci/go-chi/default/max']!.throughput!.value).toBe(max.candidate.median);
    expect(Object.keys(bmf['ci/go-chi/default']!).sort()).toEqual(['cold-start', 'file-size', 'memory-peak']);
    // generator-bound steps are left out; single runs have no bounds
    expect(Object.keys(bmf).some((k) => k.includes('rate-500rps'))).toBe(false);
    expect(renderCompareBmf(envMismatch)['ci/go-chi/default/max']!.throughput).not.toHaveProperty('lower_value');
  });
});

describe('#23 defect 2: text from run.json never reaches the terminal or Markdown raw', () => {
  const ESC = '\u001b]0;pwned\u0007\u001b[2J\u009b31m<b>x</b>`';
  const base = buildRunDocument({ seed: 5, repetitions: 1 });
  const cand = buildRunDocument({ seed: 6, repetitions: 1 });
  for (const d of [base, cand]) {
    d.startedAt = `2026 ${ESC}`;
    d.environment.gitCommit = `${ESC}abcdef`;
    d.environment.cpuModel = `cpu ${ESC}`;
    for (const t of d.targets) t.name = `${t.name}${ESC}`;
  }
  cand.environment.kernel = `6.1 ${ESC}`;
  const c = compareRuns(base, cand, { thresholdsPercent, allowEnvMismatch: true, baselineLabel: `base${ESC}`, candidateLabel: 'cand' });

  it('terminal: every control character is shown escaped', () => {
    const text = renderCompareTerminal(c);
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(text).toContain('\\x1b]0;pwned\\x07\\x1b[2J\\x9b31m');
  });

  it('Markdown: no raw HTML or control byte, and code spans stay closed', () => {
    const md = renderCompareMarkdown(c);
    expect(md).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    // Outside code spans, HTML is written as text.
    expect(md.replace(/``[^`]*(`[^`]+)*``|`[^`]*`/g, '')).not.toContain('<b>');
    expect(md).toContain('started 2026 \\\\x1b\\]0;pwned\\\\x07\\\\x1b\\[2J\\\\x9b31m&lt;b>x&lt;/b>\\`');
    expect(md).toContain('- baseline: `` base\\x1b]0;pwned\\x07\\x1b[2J\\x9b31m<b>x</b>` `` — scenario');
  });
});

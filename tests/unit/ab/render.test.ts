import { describe, expect, it } from 'vitest';
import { judgeAb } from '../../../src/ab/judge.ts';
import { renderAbBmf, renderAbJunit, renderAbMarkdown, renderAbTerminal } from '../../../src/ab/render.ts';
import type { AbDocument, AbSettings, Trial } from '../../../src/ab/schema.ts';
import { buildRunDocument, checkJunitStructure } from '../../helpers/compare-fixtures.ts';

// 2,000 responses per rate step: every percentile rests on enough of them to be compared.
const steps = buildRunDocument({ seed: 2, repetitions: 1, noise: 0 })
  .targets[0]!.steps.filter((s) => s.kind === 'max' || s.offeredRps === 200)
  .map((s) => ({ ...s, latencyUs: { corrected: s.latencyUs.corrected && { ...s.latencyUs.corrected, count: 2000 }, uncorrected: s.latencyUs.uncorrected && { ...s.latencyUs.uncorrected, count: 2000 } } }));
const slower = steps.map((s) => ({
  ...s,
  latencyUs: { corrected: s.latencyUs.corrected && { ...s.latencyUs.corrected, p50: s.latencyUs.corrected.p50 * 1.2, p95: s.latencyUs.corrected.p95 * 1.2, p99: s.latencyUs.corrected.p99 * 1.2 }, uncorrected: s.latencyUs.uncorrected },
}));
const settings: AbSettings = { pairs: 8, design: 'duet', ratesRps: [200], stepS: 2, maxStepS: 2, warmupS: 3, confidence: 0.95, thresholdsPercent: { p50: 5, p95: 5, p99: 5, maxThroughput: 3, throughput2xx: 2 }, errorRate: 0.01, p99Ms: 200 };

function doc(candidate: typeof steps, pairs = 8): AbDocument {
  const trials: Trial[] = Array.from({ length: pairs }, (_, i) => ({
    target: 'go-chi',
    configuration: 'g<1>',
    pair: i,
    order: i % 2 ? ['candidate', 'baseline'] : ['baseline', 'candidate'],
    baseline: { steps, error: null },
    candidate: { steps: candidate.map((s) => structuredClone(s)), error: null },
  }));
  return {
    schemaVersion: 1, tool: { name: 'httpbench', version: 't' }, status: 'completed', startedAt: 'x', finishedAt: 'y', scenarioName: 'ci', scenarioFile: 'scenarios/ci.yaml', settings, environment: null,
    baseline: { given: 'main', commit: 'a'.repeat(40), images: {}, env: {} },
    candidate: { given: 'HEAD', commit: 'b'.repeat(40), images: {}, env: { EXTRA_WAIT_US: '500' } },
    trials, result: judgeAb(trials, settings), durationS: 1,
  };
}

describe('ab renderers', () => {
  it('a +20 % latency candidate: REGRESSION headline, the change with its interval, a JUnit failure per regressed metric', () => {
    const d = doc(slower);
    const term = renderAbTerminal(d);
    expect(term).toContain('httpbench ab — REGRESSION');
    // The design is named: a reader must know whether the sides ran at once or one after the other.
    expect(term).toContain('8 pairs (duet: both sides at once, first phase alternating ABBA)');
    expect(renderAbTerminal({ ...d, settings: { ...d.settings, design: 'alternating' } })).toContain('8 pairs (alternating, ABBA order)');
    expect(term).toContain('candidate (B): HEAD (bbbbbbbbbbbb), env EXTRA_WAIT_US=500');
    expect(term).toMatch(/p50 at 200 req\/s .* \+20\.0 % \[\+20\.0 %, \+20\.0 %\] .* regression/);
    const junit = checkJunitStructure(renderAbJunit(d));
    expect(junit.failures).toHaveLength(3);
    const md = renderAbMarkdown(d);
    expect(md).toContain('## httpbench ab: REGRESSION');
    // One table row per metric, its cells escaped like the rest of the project's Markdown (mdInline).
    expect(md).toContain('| p50 at 200 req/s | 1.800 ms | 2.160 ms | +20.0 % \\[+20.0 %, +20.0 %\\] | 5 % | 8 | regression |');
  });
  it('too few pairs: GATE INCOMPLETE, a JUnit gate error, inconclusive rows skipped', () => {
    const d = doc(slower, 4);
    expect(d.result!.outcome).toBe('incomplete');
    expect(renderAbTerminal(d)).toContain('GATE INCOMPLETE');
    // Each open metric says why, under its table: here the pairs are too few for any interval.
    expect(renderAbTerminal(d)).toContain('  inconclusive:\n    max throughput (2xx, closed loop): +0.0 % (no 95 % interval from 4 pair(s) (it needs ≥ 6)): cannot rule a 3 % change in or out\n    p50 at 200 req/s: +20.0 % (no 95 % interval from 4 pair(s) (it needs ≥ 6)): cannot rule a 5 % change in or out\n');
    expect(renderAbMarkdown(d)).toContain('<details><summary>Why inconclusive</summary>\n\n- max throughput (2xx, closed loop): +0.0 % (no 95 % interval from 4 pair(s) (it needs ≥ 6)): cannot rule a 3 % change in or out\n- p50 at 200 req/s: +20.0 % (no 95 % interval from 4 pair(s) (it needs ≥ 6)): cannot rule a 5 % change in or out\n');
    expect(renderAbTerminal(doc(slower))).not.toContain('inconclusive:');
    const junit = renderAbJunit(d);
    expect(junit).toContain('<error type="incomplete"');
    expect(junit).toContain('<skipped message=');
  });
  it('BMF: candidate medians in ns and req/s, bounds from the baseline and the interval', () => {
    const bmf = renderAbBmf(doc(slower));
    const p50 = bmf['ab/go-chi/g<1>/rate-200/p50']!.latency!;
    const base = steps.find((s) => s.offeredRps === 200)!.latencyUs.corrected!.p50;
    expect(p50.value).toBeCloseTo(base * 1.2 * 1000, 6);
    expect(p50.lower_value).toBeCloseTo(base * 1.2 * 1000, 6);
    expect(bmf['ab/go-chi/g<1>/max/throughput2xx']!.throughput!.value).toBeGreaterThan(0);
  });
});

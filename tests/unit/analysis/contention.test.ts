/**
 * The contention rule and every reader of it: the reason text at the threshold, claims (a verdict
 * resting on a contended step is inconclusive, ratios too), thresholds (not measured), the step
 * flags and the headline's one line. Hand-made documents with exact figures.
 */
import { describe, expect, it } from 'vitest';
import { evaluateClaim } from '../../../src/analysis/claims.ts';
import { CONTENDED_PERCENT, STEAL_CONTENDED_PERCENT, contentionHeadline, contentionReason, runContention } from '../../../src/analysis/contention.ts';
import { summariseGroup } from '../../../src/analysis/summary.ts';
import { evaluateThreshold } from '../../../src/analysis/thresholds.ts';
import { buildReportModel } from '../../../src/report/model.ts';
import { stepFlags } from '../../../src/report/common.ts';
import { ClaimSchema, type Claim } from '../../../src/schema/claims.ts';
import { RunDocumentSchema, type Contention, type Step } from '../../../src/schema/run.ts';
import { ThresholdSchema } from '../../../src/scenario/schema.ts';
import { makeDoc, makeStep, makeTarget, percentiles } from '../../helpers/sample-run.ts';

const claim = (c: object): Claim => ClaimSchema.parse({ id: 'c', quote: 'q', articleFigure: 'f', ...c });

function figures(generatorOther: number, targetOther: number | null = 0, steal = 0): Contention {
  return {
    intervalMs: 10_000,
    generatorCpus: '0',
    generatorCpusOtherPercent: generatorOther,
    generatorCpusStealPercent: steal,
    targetCpus: '1',
    targetCpusOtherPercent: targetOther,
    targetCpusStealPercent: 0,
  };
}

const withContention = (step: Step, c: Contention | undefined): Step => (c === undefined ? step : { ...step, contention: c });

/** go-chi with a max step and a step at 10,000 req/s (p95 0.2 ms), each with the given contention. */
function go(o: { max?: Contention; at10k?: Contention; repetition?: number; maxRps?: number } = {}) {
  return makeTarget({
    name: 'go-chi',
    configuration: 'all-cores',
    repetition: o.repetition ?? 0,
    steps: [
      withContention(makeStep({ kind: 'max', achievedRps: o.maxRps ?? 30000 }), o.max),
      withContention(makeStep({ offeredRps: 10000, achievedRps: 10000, corrected: percentiles(100, 200, 300) }), o.at10k),
    ],
  });
}

function py(o: { max?: Contention } = {}) {
  return makeTarget({ name: 'fastapi', configuration: '1-worker', steps: [withContention(makeStep({ kind: 'max', achievedRps: 10000 }), o.max)] });
}

describe('contentionReason', () => {
  it('marks a step only above the stated shares: other processes over 10 %, steal over its own 25 %', () => {
    expect(contentionReason(undefined)).toBeNull();
    expect(contentionReason(figures(CONTENDED_PERCENT))).toBeNull();
    expect(contentionReason(figures(CONTENDED_PERCENT - 1, 0, 1))).toBeNull();
    expect(contentionReason(figures(42))).toBe("other processes took 42 % of the generator's CPU 0");
    // A quiet VM's own wake-ups read as up to 15 % steal (STEAL_CONTENDED_PERCENT's comment): not a mark.
    expect(contentionReason(figures(6, 0, 15))).toBeNull();
    expect(contentionReason(figures(0, 0, STEAL_CONTENDED_PERCENT))).toBeNull();
    expect(contentionReason(figures(11, 0, 6))).toBe("other processes took 11 % and the hypervisor 6.0 % (steal) of the generator's CPU 0");
    expect(contentionReason(figures(0, 0, 26))).toBe("the hypervisor took 26 % of the generator's CPU 0 (steal)");
    expect(contentionReason(figures(0, 30))).toBe("other processes took 30 % of the targets' CPU 1");
    expect(contentionReason(figures(50, 30))).toBe("other processes took 50 % of the generator's CPU 0; other processes took 30 % of the targets' CPU 1");
    // Unknown on the targets' side (url: targets) is not a mark.
    expect(contentionReason(figures(0, null))).toBeNull();
  });

  it('is valid run.json and older steps without it stay valid', () => {
    const doc = makeDoc([go({ at10k: figures(42) }), go({ repetition: 1 })], { claims: [] });
    expect(() => RunDocumentSchema.parse(doc)).not.toThrow();
    expect(() => RunDocumentSchema.parse({ ...doc, targets: [{ ...doc.targets[0], steps: [{ ...doc.targets[0]!.steps[1], contention: { ...figures(1), extra: 1 } }] }] })).toThrow();
    expect(() => RunDocumentSchema.parse({ ...doc, targets: [{ ...doc.targets[0], steps: [{ ...doc.targets[0]!.steps[1], contention: figures(101) }] }] })).toThrow();
  });

  it('names the busiest other processes of a contended step, and only of a contended one', () => {
    const named: Contention = {
      ...figures(19.5),
      containers: [{ role: 'target', source: 'cgroup', cpuPercent: 40 }],
      busiest: [
        { pid: 4242, command: 'esbuild', cpuPercent: 18.4, child: true },
        { pid: 7, command: 'dockerd', cpuPercent: 2 },
      ],
    };
    expect(contentionReason(named)).toBe(
      "other processes took 20 % of the generator's CPU 0 (busiest other processes: esbuild (started by this run) 18 %, dockerd 2.0 % of a CPU)",
    );
    expect(contentionReason({ ...named, generatorCpusOtherPercent: 3 })).toBeNull();
    // A name in a hand-edited run.json cannot drive a terminal either.
    expect(contentionReason({ ...named, busiest: [{ pid: 1, command: 'a\x1b[2J', cpuPercent: 50 }] })).toContain('(busiest other processes: a?[2J 50 % of a CPU)');
  });

  it('keeps the new fields optional and refuses names that are not printable ASCII', () => {
    const doc = makeDoc([go({ at10k: { ...figures(42), containers: [{ role: 'database', source: 'stats', cpuPercent: 12.5 }], busiest: [{ pid: 9, command: 'cc1', cpuPercent: 40 }] } })], { claims: [] });
    expect(() => RunDocumentSchema.parse(doc)).not.toThrow();
    const withStep = (c: object) => ({ ...doc, targets: [{ ...doc.targets[0], steps: [{ ...doc.targets[0]!.steps[1], contention: { ...figures(42), ...c } }] }] });
    expect(() => RunDocumentSchema.parse(withStep({ busiest: [{ pid: 9, command: 'x\x1b]0;t\x07', cpuPercent: 1 }] }))).toThrow();
    expect(() => RunDocumentSchema.parse(withStep({ containers: [{ role: 'target', source: 'guess', cpuPercent: 1 }] }))).toThrow();
  });
});

describe('claims on contended steps', () => {
  const p95 = claim({ metric: { kind: 'latencyAtRateMs', target: 'go-chi', percentile: 'p95', rateRps: 10000 }, rule: { op: 'lt', value: 50 } });
  const max = claim({ metric: { kind: 'maxThroughputRps', target: 'go-chi' }, rule: { op: 'gt', value: 10000 } });
  const ratio = claim({ metric: { kind: 'throughputRatio', numerator: 'go-chi', denominator: 'fastapi' }, rule: { op: 'gt', value: 2 } });

  it('a latency verdict resting on a contended step is inconclusive, naming the figure', () => {
    expect(evaluateClaim(p95, makeDoc([go()], { claims: [] })).verdict).toBe('confirmed');
    const v = evaluateClaim(p95, makeDoc([go({ at10k: figures(42) })], { claims: [] }));
    expect(v.verdict).toBe('inconclusive');
    expect(v.reason).toContain("the step at 10,000 req/s was contended: other processes took 42 % of the generator's CPU 0");
    expect(v.settle).toContain('quiet machine');
    // A quiet step's figures (below the share) decide as before.
    expect(evaluateClaim(p95, makeDoc([go({ at10k: figures(3, 4, 1) })], { claims: [] })).verdict).toBe('confirmed');
  });

  it('one contended repetition is enough to make the configuration inconclusive', () => {
    const v = evaluateClaim(p95, makeDoc([go(), go({ repetition: 1, at10k: figures(0, 35) })], { claims: [] }));
    expect(v.verdict).toBe('inconclusive');
    expect(v.reason).toContain("other processes took 35 % of the targets' CPU 1");
  });

  it('the maximum throughput and ratios over it are inconclusive when a closed-loop step was contended', () => {
    expect(evaluateClaim(max, makeDoc([go({ max: figures(60) })], { claims: [] })).verdict).toBe('inconclusive');
    expect(evaluateClaim(ratio, makeDoc([go(), py()], { claims: [] })).verdict).toBe('confirmed');
    const r = evaluateClaim(ratio, makeDoc([go(), py({ max: figures(0, 0, 30) })], { claims: [] }));
    expect(r.verdict).toBe('inconclusive');
    expect(r.reason).toContain('the closed-loop step was contended: the hypervisor took 30 %');
  });
});

describe('thresholds on contended steps', () => {
  it('a figure resting on a contended step is not measured', () => {
    const p99 = ThresholdSchema.parse({ target: 'go-chi', metric: 'p99Ms', atRps: 10000, op: '<', value: 2 });
    const maxRps = ThresholdSchema.parse({ target: 'go-chi', metric: 'maxRps', op: '>', value: 1000 });
    const memory = ThresholdSchema.parse({ target: 'go-chi', metric: 'memoryPeakMiB', op: '<', value: 100 });
    expect(evaluateThreshold(p99, makeDoc([go()], { claims: [] })).status).toBe('pass');
    const contended = makeDoc([go({ at10k: figures(42) })], { claims: [] });
    const r = evaluateThreshold(p99, contended);
    expect(r.status).toBe('not-measured');
    expect(r.byConfiguration[0]!.reason).toContain('repetition 0: the step at 10,000 req/s was contended (other processes took 42 %');
    // The closed-loop step was quiet: maxRps still passes; memory does not rest on one step.
    expect(evaluateThreshold(maxRps, contended).status).toBe('pass');
    expect(evaluateThreshold(maxRps, makeDoc([go({ max: figures(42) })], { claims: [] })).status).toBe('not-measured');
    expect(evaluateThreshold(memory, contended).status).toBe('pass');
  });
});

describe('the step flags and the headline', () => {
  it('flags contended steps with how many repetitions', () => {
    const g = summariseGroup('go-chi', 'all-cores', [go({ at10k: figures(42) }), go({ repetition: 1 })]);
    expect(g.rates[0]!.contended).toBe(1);
    expect(stepFlags(g.rates[0]!, 2)).toBe('contended 1/2');
    expect(g.maxStep!.contended).toBe(0);
  });

  it('says in one line when the machine was not quiet, naming the worst step', () => {
    const doc = makeDoc([go({ at10k: figures(42), max: figures(12) }), py({ max: figures(1) })], { claims: [] });
    expect(runContention(doc)).toMatchObject({ measured: 3, contended: 2, worst: { label: 'go-chi/all-cores #1 10,000 req/s', percent: 42 } });
    const line = contentionHeadline(doc)!;
    expect(line).toBe(
      `2 of 3 steps contended — other processes took over ${CONTENDED_PERCENT} % (or steal over ${STEAL_CONTENDED_PERCENT} %) of their CPUs (worst go-chi/all-cores #1 10,000 req/s: other processes took 42 % of the generator's CPU 0); verdicts resting on them are inconclusive`,
    );
    expect(buildReportModel(doc).headline.contention).toBe(line);
  });

  it('counts the load-side ceiling as a step, and says in the load-side line when it was contended', () => {
    const doc = makeDoc([go(), py()], { claims: [] });
    const ceiling = {
      achievedRps: 40_000, engine: 'openloop' as const, connections: 64, workers: 1, durationS: 3,
      limitedBy: 'generator' as const, generatorWorkCpuPercent: 95, serverCpuPercent: 60, marginFraction: 0.1,
    };
    doc.calibration = { server: 's', cpuset: '1', connections: 50, workers: 1, pacing: 'spin', durationS: 2, steps: [], error: null, ceiling: { ...ceiling, contention: figures(30) } };
    expect(runContention(doc)).toMatchObject({ measured: 1, contended: 1, worst: { label: 'the load-side ceiling', percent: 30 } });
    const model = buildReportModel(doc);
    expect(model.headline.loadSide).toContain("; measured while contended (other processes took 30 % of the generator's CPU 0): it may be low");
    doc.calibration.ceiling = { ...ceiling, contention: figures(3) };
    expect(runContention(doc)).toMatchObject({ measured: 1, contended: 0 });
    expect(buildReportModel(doc).headline.loadSide).not.toContain('contended');
  });

  it('says nothing for a quiet run or one recorded before contention was measured', () => {
    expect(contentionHeadline(makeDoc([go({ at10k: figures(2), max: figures(9) })], { claims: [] }))).toBeNull();
    expect(contentionHeadline(makeDoc([go()], { claims: [] }))).toBeNull();
    expect(runContention(makeDoc([go()], { claims: [] })).measured).toBe(0);
  });
});

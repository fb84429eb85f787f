/**
 * #23 part 3, property-based (fast-check): run.json documents built from random latency samples —
 * percentiles taken from their own histograms, counts drawn so they agree — are read and judged
 * (verdicts.json valid, every figure finite); the same documents with one contradiction added
 * (percentiles that fall, figures outside the histogram's values, counts that cannot add up, a
 * stored claim the claims file would refuse, a max throughput that is not the closed-loop step's)
 * are refused on read with exit 2, so no report or verdict is ever built from them.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.ts';
import { buildReportModel } from '../../../src/report/model.ts';
import { verdictsJson } from '../../../src/report/index.ts';
import { createHistogram, decodeHistogram, encodeHistogram, percentilesUs, recordUs } from '../../../src/samples/histogram.ts';
import { parseRunDocument } from '../../../src/schema/io.ts';
import { RunDocumentSchema, type PercentilesUs, type RunDocument, type Step } from '../../../src/schema/run.ts';
import { makeDoc, makeStep, makeTarget } from '../../helpers/sample-run.ts';

const RUNS = { seed: 20261203, numRuns: 80 } as const;

/** A step's latency: samples in µs (10 µs – 60 s, log-uniform-ish), their histogram and percentiles. */
const latency = fc
  .array(fc.tuple(fc.integer({ min: 1, max: 6 }), fc.double({ min: 1, max: 9.99, noNaN: true })), { minLength: 1, maxLength: 100 })
  .map((pairs) => {
    const h = createHistogram();
    for (const [exp, mant] of pairs) recordUs(h, Math.min(60_000_000, mant * 10 ** exp));
    return { encoded: encodeHistogram(h), p: percentilesUs(h) };
  });

/** Counts that agree with `count` recorded latencies: completed ≥ count, sent ≥ completed + timeouts, … */
const counts = (count: number) =>
  fc.record({ extraCompleted: fc.nat({ max: 50 }), timeouts: fc.nat({ max: 50 }), unsent: fc.nat({ max: 50 }), non2xxShare: fc.double({ min: 0, max: 1, noNaN: true }), errors: fc.nat({ max: 50 }) }).map((c) => {
    const completed = count + c.extraCompleted;
    const sent = completed + c.timeouts;
    return { sent, completed, errors: c.errors, timeouts: c.timeouts, non2xx: Math.floor(completed * c.non2xxShare), errorsByKind: (c.errors ? { ECONNRESET: c.errors } : {}) as Record<string, number>, late: Math.floor(sent / 2), dropped: c.unsent, intended: sent + c.unsent };
  });

function step(kind: Step['kind'], rate: number, l: { encoded: string; p: PercentilesUs }, c: Step['counts']): Step {
  const s = makeStep({ kind, offeredRps: kind === 'max' ? null : rate, achievedRps: c.completed / 5, uncorrected: l.p, corrected: kind === 'max' ? null : l.p });
  s.counts = c;
  s.histograms = { uncorrected: l.encoded, corrected: kind === 'max' ? null : l.encoded, lateness: null, intervalLog: null };
  return s;
}

/** A consistent document: go-chi and fastapi, each a closed-loop step and an open-loop step at 10,000 req/s. */
const consistentDoc: fc.Arbitrary<RunDocument> = fc
  .tuple(latency, latency, latency, latency)
  .chain((ls) => fc.tuple(fc.constant(ls), ...ls.map((l) => counts(l.p.count))))
  .map(([ls, ...cs]) => {
    const target = (name: string, i: number) => makeTarget({ name, configuration: 'default', steps: [step('max', 0, ls[i]!, cs[i]!), step('rate', 10_000, ls[i + 1]!, cs[i + 1]!)] });
    return RunDocumentSchema.parse(makeDoc([target('go-chi', 0), target('fastapi', 2)]));
  });

/** One contradiction, applied to a copy; each is a figure a run written by httpbench never has. */
type Contradiction = (doc: RunDocument, pick: number) => void;
const firstRate = (d: RunDocument) => d.targets[0]!.steps[1]!;
const CONTRADICTIONS: Record<string, Contradiction> = {
  'p99 below p50': (d) => {
    const p = firstRate(d).latencyUs.corrected!;
    p.p99 = p.p50 / 2 - 1;
  },
  'p50 500 ms, p99 0.001 ms': (d) => {
    const p = firstRate(d).latencyUs.corrected!;
    Object.assign(p, { p50: 500_000, p99: 1 });
  },
  'mean above max': (d) => {
    const p = firstRate(d).latencyUs.uncorrected!;
    p.mean = p.max * 2 + 10;
  },
  'every figure ×10 above its histogram': (d) => {
    const p = firstRate(d).latencyUs.uncorrected!;
    for (const k of ['p50', 'p90', 'p95', 'p99', 'p999', 'max', 'mean'] as const) p[k] = p[k] * 10 + 10;
  },
  'every figure below its histogram': (d) => {
    const s = firstRate(d);
    const below = Math.floor(decodeHistogram(s.histograms.uncorrected).minNonZeroValue / 2) - 1;
    for (const k of ['p50', 'p90', 'p95', 'p99', 'p999', 'max', 'mean'] as const) s.latencyUs.uncorrected![k] = Math.max(0, below);
  },
  'percentile count ≠ histogram count': (d, pick) => void (firstRate(d).latencyUs.uncorrected!.count += 1 + pick),
  'completed above sent': (d, pick) => void (firstRate(d).counts.completed = firstRate(d).counts.sent + 1 + pick),
  'completed + timeouts above sent': (d) => void (firstRate(d).counts.timeouts = firstRate(d).counts.sent - firstRate(d).counts.completed + 1),
  'non-2xx above completed': (d) => void (firstRate(d).counts.non2xx = firstRate(d).counts.completed + 1),
  'sent above intended': (d) => void (firstRate(d).counts.intended = firstRate(d).counts.sent - 1),
  'histogram holds more than completed': (d) => {
    const s = firstRate(d);
    s.counts.completed = s.latencyUs.uncorrected!.count - 1;
    s.counts.non2xx = 0;
  },
  'max throughput not the closed-loop step': (d, pick) => void (d.targets[1]!.maxThroughputRps = d.targets[1]!.steps[0]!.achievedRps + 1 + pick),
  'stored claim with an empty range': (d, pick) => void (d.claims![pick % d.claims!.length]!.rule = { op: 'between', min: 1e9, max: -1e9 }),
  'duplicate stored claim id': (d, pick) => void (d.claims![1 + (pick % (d.claims!.length - 1))]!.id = d.claims![0]!.id),
};

/** What `report` does with run.json text: exit 2 on a ConfigError, else the verdicts it would write. */
function report(text: string): { exit: 2 } | { exit: 0; verdicts: string } {
  let doc: RunDocument;
  try {
    doc = parseRunDocument(text, 'run.json');
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    expect(error.exitCode).toBe(2);
    return { exit: 2 };
  }
  return { exit: 0, verdicts: verdictsJson(buildReportModel(doc).verdicts) };
}

describe('run.json invariants (property-based)', () => {
  it('a consistent document is read and judged: every verdict figure finite', () => {
    fc.assert(
      fc.property(consistentDoc, (doc) => {
        const r = report(JSON.stringify(doc));
        expect(r.exit).toBe(0);
        if (r.exit === 0) expect(r.verdicts).not.toMatch(/Infinity|NaN/);
      }),
      { ...RUNS, numRuns: 30 },
    );
  });

  it('the same document with any one contradiction is exit 2, never a verdict', () => {
    fc.assert(
      fc.property(consistentDoc, fc.constantFrom(...Object.keys(CONTRADICTIONS)), fc.nat({ max: 20 }), (doc, name, pick) => {
        const bad = structuredClone(doc);
        CONTRADICTIONS[name]!(bad, pick);
        expect(report(JSON.stringify(bad)), name).toEqual({ exit: 2 });
      }),
      RUNS,
    );
  });
});

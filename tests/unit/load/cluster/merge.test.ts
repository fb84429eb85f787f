import { describe, expect, it } from 'vitest';
import { InternalError } from '../../../../src/errors.ts';
import { assertExact, mergeNodes, type NodeOutcome } from '../../../../src/load/cluster/merge.ts';
import { Recorder } from '../../../../src/load/openloop/recorder.ts';
import type { ShareResult } from '../../../../src/load/openloop/share.ts';
import type { StepSpec } from '../../../../src/load/types.ts';
import { decodeHistogram } from '../../../../src/samples/histogram.ts';

/** A thread's result with `latenciesUs` completed (intended = sent = written at 0, no lateness). */
function threadResult(latenciesUs: number[], errors = 0): ShareResult {
  const r = new Recorder(1_000_000, true);
  for (const l of latenciesUs) {
    r.sent(0);
    r.completed(200, 0, 0, 0, l, 1, false);
  }
  r.counts.intended = latenciesUs.length + errors;
  r.error('ECONNRESET', errors);
  return { ...r.encode(), droppedByGenerator: 0, eventLoopDelayP99Us: 10, sleepDelay: null, workUs: 100_000, idleUs: 900_000, wallUs: 1_000_000, aborted: false };
}

function outcome(id: string, indices: number[], threads: ShareResult[]): NodeOutcome {
  return {
    node: { id, hostname: 'same-host', address: `198.18.0.${indices[0]! + 1}` },
    connectionIndices: indices,
    clock: { offsetUs: 12.4, errorUs: 80.6, rounds: 16 },
    result: { results: threads, cpuPercent: 10, threads: threads.length, cpuCount: 2, startSlipUs: 0, notes: [] },
  };
}

const spec: StepSpec = {
  baseUrl: 'http://198.18.0.9:8000',
  pathTemplate: '/users/{id}',
  ids: { distribution: 'uniform', min: 1, max: 10, zipfS: 1.1, seed: 1 },
  rateRps: 40,
  durationS: 1,
  connections: 4,
  workers: 1,
  timeoutMs: 1000,
  generatorCpuset: null,
};

describe('merging generator nodes (merge.ts)', () => {
  const a = outcome('node-a', [0, 2], [threadResult([100, 200, 300]), threadResult([400])]);
  const b = outcome('node-b', [1, 3], [threadResult([1000, 2000, 3000, 4000, 5000], 2)]);
  const step = mergeNodes(spec, 'spin', [a, b], 0);

  it('sums counts and adds histograms exactly: merged total = sum of the shares', () => {
    expect(step.counts.completed).toBe(9);
    expect(step.counts.errors).toBe(2);
    expect(step.counts.intended).toBe(11);
    expect(decodeHistogram(step.histograms.uncorrected).totalCount).toBe(9);
    expect(decodeHistogram(step.histograms.corrected!).totalCount).toBe(9);
    expect(step.shares!.map((s) => s.counts.completed)).toEqual([4, 5]);
    // Percentiles come from the merged buckets, not from the shares' percentiles.
    expect(step.latencyUs.corrected!.max).toBeGreaterThanOrEqual(4999);
    expect(step.latencyUs.corrected!.p50).toBeGreaterThanOrEqual(999);
    expect(step.latencyUs.corrected!.p50).toBeLessThanOrEqual(1001);
  });

  it('says which node measured what, with its part of the rate, its clock and its own figures', () => {
    expect(step.shares!.map((s) => [s.node.id, s.connections, s.offeredRps, s.achievedRps])).toEqual([
      ['node-a', 2, 20, 4],
      ['node-b', 2, 20, 5],
    ]);
    expect(step.shares![0]!.clock).toEqual({ offsetUs: 12, errorUs: 81, rounds: 16 });
    expect(step.shares![1]!.latencyUs.uncorrected!.count).toBe(5);
    expect(step.generator.workers).toBe(3);
    expect(step.notes.some((n) => n.includes('2 generator nodes (node-a, node-b)') && n.includes('±81 µs'))).toBe(true);
  });

  it('is generator-bound when any one node is, and names the node', () => {
    // Node b achieved 5 of 20 req/s with its thread 95 % busy: bound on its own.
    const busy = outcome('node-b', [1, 3], [{ ...threadResult([1000, 2000, 3000, 4000, 5000]), workUs: 950_000, idleUs: 50_000 }]);
    busy.result.cpuCount = 1;
    const merged = mergeNodes(spec, 'spin', [a, busy], 0);
    expect(merged.shares![1]!.generator.bound).toBe(true);
    expect(merged.generator.bound).toBe(true);
    expect(merged.generator.boundReasons.some((r) => r.startsWith('node node-b: '))).toBe(true);
  });

  it('refuses a merge whose totals differ from the shares (a bug, never a figure)', () => {
    const broken = { ...step, counts: { ...step.counts, completed: 8 } };
    expect(() => assertExact(broken, step.shares!)).toThrow(InternalError);
    expect(() => assertExact(broken, step.shares!)).toThrow('completed 8 ≠ sum of shares 9');
  });
});

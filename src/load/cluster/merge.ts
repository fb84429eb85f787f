/**
 * One step from the shares of several generator nodes: every thread's encoded histograms merged
 * exactly (HDR buckets add; no percentile of percentiles) and counts summed, plus each node's own
 * figures (its step as if it ran alone at its part of the rate) so run.json says which node measured
 * what. A merged histogram whose total is not the sum of the shares' is a bug, never a figure.
 */
import { InternalError } from '../../errors.ts';
import { decodeHistogram } from '../../samples/histogram.ts';
import type { GeneratorShare, PercentilesUs } from '../../schema/run.ts';
import { buildStep } from '../openloop/engine.ts';
import type { Pacing } from '../openloop/share.ts';
import type { EngineStep, StepSpec } from '../types.ts';
import type { ClockOffset } from './clock-offset.ts';
import type { AgentRunResult } from './protocol.ts';
import { shareRateRps } from './segments.ts';

export interface NodeOutcome {
  node: GeneratorShare['node'];
  /** Global connection indices this node drove. */
  connectionIndices: number[];
  clock: ClockOffset;
  result: AgentRunResult;
}

const absent = (p: PercentilesUs | null): PercentilesUs | null => (p && p.count > 0 ? p : null);

export function mergeNodes(spec: StepSpec, pacing: Pacing, outcomes: NodeOutcome[], startEpochMs: number): EngineStep {
  if (outcomes.length === 0) throw new InternalError('no generator node returned a share');
  const shares: GeneratorShare[] = outcomes.map((o) => {
    const n = o.connectionIndices.length;
    const offeredRps = shareRateRps(spec.rateRps, spec.connections, n);
    const own = buildStep(
      { ...spec, rateRps: offeredRps, connections: n, generatorCpuset: null },
      o.result.threads,
      pacing,
      o.result.results,
      o.result.cpuPercent,
      [...o.result.notes],
      startEpochMs,
      Math.min(o.result.threads, o.result.cpuCount),
    );
    return {
      node: o.node,
      connections: n,
      offeredRps,
      achievedRps: own.achievedRps,
      counts: own.counts,
      latencyUs: { uncorrected: absent(own.latencyUs.uncorrected), corrected: absent(own.latencyUs.corrected) },
      generator: own.generator,
      clock: { offsetUs: Math.round(o.clock.offsetUs), errorUs: Math.round(o.clock.errorUs), rounds: o.clock.rounds },
      startSlipUs: Math.round(o.result.startSlipUs),
      histograms: { uncorrected: own.histograms.uncorrected, corrected: own.histograms.corrected },
    };
  });

  const all = outcomes.flatMap((o) => o.result.results);
  const threads = outcomes.reduce((s, o) => s + o.result.threads, 0);
  const busy = outcomes.reduce((s, o) => s + Math.min(o.result.threads, o.result.cpuCount), 0);
  const cpuPercent = outcomes.reduce((s, o) => s + o.result.cpuPercent, 0);
  const notes = outcomes.flatMap((o) => o.result.notes.map((n) => `node ${o.node.id}: ${n}`));
  const step = buildStep(spec, threads, pacing, all, cpuPercent, notes, startEpochMs, busy);
  assertExact(step, shares);

  // Summed CPU over summed threads would hide one saturated node behind an idle one: the step is
  // generator-bound when the whole is, or when any node is on its own.
  const boundNodes = shares.filter((s) => s.generator.bound);
  const reasons = [...step.generator.boundReasons, ...boundNodes.flatMap((s) => s.generator.boundReasons.map((r) => `node ${s.node.id}: ${r}`))];
  const worstError = Math.max(...shares.map((s) => s.clock.errorUs));
  step.notes.push(
    `${shares.length} generator nodes (${shares.map((s) => s.node.id).join(', ')}), ${shares.map((s) => s.connections).join(' + ')} connections, ` +
      `started together within ±${worstError} µs (clock offsets measured by round trips; half the best round trip is the bound)`,
  );
  return { ...step, generator: { ...step.generator, bound: step.generator.bound || boundNodes.length > 0, boundReasons: reasons }, shares };
}

/** The merged counts and histograms are the sums of the shares' (exactly), or the merge is broken. */
export function assertExact(step: EngineStep, shares: GeneratorShare[]): void {
  const sum = (f: (s: GeneratorShare) => number) => shares.reduce((t, s) => t + f(s), 0);
  const merged = decodeHistogram(step.histograms.uncorrected).totalCount;
  const parts = sum((s) => decodeHistogram(s.histograms.uncorrected).totalCount);
  const problems: string[] = [];
  if (merged !== parts) problems.push(`uncorrected histogram total ${merged} ≠ sum of shares ${parts}`);
  if (step.counts.completed !== sum((s) => s.counts.completed)) problems.push(`completed ${step.counts.completed} ≠ sum of shares ${sum((s) => s.counts.completed)}`);
  if (step.counts.sent !== sum((s) => s.counts.sent)) problems.push(`sent ${step.counts.sent} ≠ sum of shares ${sum((s) => s.counts.sent)}`);
  if (step.histograms.corrected !== null) {
    const c = decodeHistogram(step.histograms.corrected).totalCount;
    const cp = sum((s) => (s.histograms.corrected ? decodeHistogram(s.histograms.corrected).totalCount : 0));
    if (c !== cp) problems.push(`corrected histogram total ${c} ≠ sum of shares ${cp}`);
  }
  if (problems.length > 0) throw new InternalError(`generator shares did not merge exactly: ${problems.join('; ')}`);
}

/**
 * How a latency percentile is read from one open-loop step, with every caveat the instrument owes
 * the reader: claims (latencyAtRateMs, latencyAtCapacityMs) and thresholds (p50Ms … p999Ms) read it
 * here, so a step gets one answer whoever asks. Which step is asked about (a rate, "at scale") and
 * what a generator-bound step means for the question stay with the asker.
 *
 * In order (the first that applies decides):
 * - no request completed → no reading;
 * - a contended step (analysis/contention.ts) → caveat: its figures are the machine's neighbours' too;
 * - only uncorrected latency → [v, ∞): it leaves out the wait of requests the generator held back
 *   (coordinated omission), so it is a lower bound;
 * - more requests failed or were never sent than the percentile's tail (5 % for p95) → [v, ∞):
 *   percentiles are of the completed requests, and counting the missing ones as the slowest can only
 *   raise a percentile;
 * - corrected and uncorrected on different sides of the rule while the generator paused at least
 *   their gap → caveat (claims rule 9);
 * - the instrument's own share (floor at the rate, generator read delay after stalls: floor.ts) →
 *   the target's figure lies in [v − own, v] (claims rule 10).
 * A bound or floor decides nothing only when it straddles the rule: then it becomes the caveat.
 */
import type { RunDocument, Step } from '../schema/run.ts';
import { TAIL_FRACTION, type Percentile } from '../schema/percentiles.ts';
import { formatMs, formatNumber, formatPercent } from '../util/format.ts';
import { contentionCaveat } from './contention.ts';
import { instrumentShare } from './floor.ts';
import { caveatIfUndecided, exact, judgeInterval, type Caveat, type Reading, type Rule } from './judge.ts';
import { settleForGenerator, TWO_MACHINES_COMMAND } from './settle.ts';
import { intendedRequests, stepLatency, unservedRequests } from './step-rules.ts';

/** The latency percentile of `step` in ms, as an interval with its caveats; `where` names the step ("1,000 req/s"). */
export function readStepLatency(step: Step, percentile: Percentile, rule: Rule, where: string, doc: RunDocument): Reading {
  const lat = stepLatency(step);
  const tail = TAIL_FRACTION[percentile];
  // Scheduled sends never made (dropped) are the most delayed requests of all: they count as failed.
  const failed = unservedRequests(step);
  const intended = intendedRequests(step);
  const fraction = intended === 0 ? 0 : failed / intended;
  if (lat === null) {
    if (fraction > tail) return { ok: false, ...failuresCaveat(step, percentile, fraction, failed, where, doc) };
    return {
      ok: false,
      reason: `at ${where} no request completed, so there is no latency to judge`,
      settle: `set load.timeoutMs: ${formatNumber(doc.scenario.load.timeoutMs * 2)} (this run: ${formatNumber(doc.scenario.load.timeoutMs)}), or find why the target stops answering at this rate`,
      brief: `no request completed at ${where}`,
    };
  }
  const value = lat.us[percentile] / 1000;
  const base = { latencySource: lat.source, ...(step.offeredRps !== null ? { offeredRps: step.offeredRps } : {}) };
  const failedTail = fraction > tail;
  const iv = exact(value);
  const judged = lat.source === 'uncorrected' || failedTail ? { lo: value, hi: Infinity } : iv;
  const note =
    lat.source === 'uncorrected' ? 'uncorrected only (no coordinated-omission correction): a lower bound'
    : failedTail ? `${formatPercent(fraction)} of requests failed or were never sent, more than the ${percentile} tail: a lower bound`
    : undefined;
  const reading = { ok: true as const, iv, ...(judged !== iv ? { judged } : {}), ...base, ...(note ? { note } : {}) };
  const caveat =
    (failedTail ? caveatIfUndecided(rule, judged, () => failuresCaveat(step, percentile, fraction, failed, where, doc)) : undefined) ??
    contentionCaveat(step, `the step at ${where}`) ??
    (lat.source === 'uncorrected'
      ? caveatIfUndecided(rule, judged, () => uncorrectedOnlyCaveat(where))
      : (generatorPauseCaveat(step, percentile, rule, where, doc) ?? instrumentCaveat(step, percentile, rule, where, doc)));
  return caveat ? { ...reading, caveat } : reading;
}

/** More failed or unsent than the tail, and the lower bound does not decide the rule. */
function failuresCaveat(step: Step, percentile: Percentile, fraction: number, failed: number, where: string, doc: RunDocument): Caveat {
  const tail = TAIL_FRACTION[percentile];
  return {
    reason: `at ${where} ${formatPercent(fraction)} of requests failed, timed out or were never sent — more than the ${percentile} tail (${formatPercent(tail)}); percentiles of the completed requests cannot stand for all of them`,
    // Sends the generator never made are its own limit; failures and timeouts are the target's (or the timeout's).
    settle:
      step.counts.dropped >= failed - step.counts.dropped
        ? settleForGenerator(doc, step.offeredRps ?? step.achievedRps)
        : `set load.timeoutMs: ${formatNumber(doc.scenario.load.timeoutMs * 2)} (this run: ${formatNumber(doc.scenario.load.timeoutMs)}) if they timed out, else see the failures by kind in the step table`,
    brief: `${formatPercent(fraction)} failed or unsent at ${where}, more than the ${percentile} tail`,
  };
}

/**
 * The target's own latency lies in [v − own, v], where `own` is the larger of the instrument's floor
 * at this rate and — when stalls reached this percentile's tail — the generator's read delay at it.
 */
function instrumentCaveat(step: Step, percentile: Percentile, rule: Rule, where: string, doc: RunDocument): Caveat | undefined {
  const valueUs = step.latencyUs.corrected?.[percentile];
  if (valueUs === undefined || step.offeredRps === null) return undefined;
  const { ownUs, floorUs, floor, stallUs, stallReason } = instrumentShare(step, percentile, doc);
  if (ownUs <= 0) return undefined;
  if (judgeInterval(rule, { lo: Math.max(0, valueUs - ownUs) / 1000, hi: valueUs / 1000 }) !== 'straddles') return undefined;
  const parts: string[] = [];
  if (floorUs > 0) parts.push(`the instrument's own floor at this rate is ${formatMs(floorUs / 1000)} ms (${percentile} against the calibration server${floor?.network ? ', across the network' : ''})`);
  if (stallUs > 0 && stallReason) parts.push(`the generator's read delay at ${percentile} is ${formatMs(stallUs / 1000)} ms (${stallReason})`);
  return {
    reason: `at ${where} the ${percentile} of ${formatMs(valueUs / 1000)} ms is within the instrument's resolution of the rule: ${parts.join('; ')}, so the target's own figure could be on either side`,
    settle: `a threshold this close to the floor needs a lower floor: the generator on a machine of its own (${TWO_MACHINES_COMMAND}), then compare floor and figure`,
    brief: `within the instrument's floor (${formatMs(ownUs / 1000)} ms) of the rule`,
  };
}

/** Uncorrected latency can refute an upper bound or confirm a lower one; what would need its other side stays open. */
function uncorrectedOnlyCaveat(where: string): Caveat {
  return {
    reason: `at ${where} only uncorrected latency was measured (no coordinated-omission correction, e.g. engine: autocannon); it can understate the latency, so it cannot decide this rule`,
    settle: 'measure the rate steps with the open-loop engine (load.steps.engine: openloop)',
    brief: `only uncorrected latency at ${where}`,
  };
}

/**
 * Claims rule 9: corrected latency charges the wait behind a busy connection to the target. The
 * generator learns a connection is free only when its event loop reads the response, so its own
 * pauses can create such waits too. When the corrected and uncorrected figures fall on different
 * sides of the rule and the generator paused (lateness max) at least as long as their gap, the
 * difference may be the generator's, not the target's.
 */
function generatorPauseCaveat(step: Step, percentile: Percentile, rule: Rule, where: string, doc: RunDocument): Caveat | undefined {
  const corrected = step.latencyUs.corrected?.[percentile];
  const uncorrected = step.latencyUs.uncorrected?.[percentile];
  const pauseUs = step.generator.latenessUs?.max;
  if (corrected === undefined || uncorrected === undefined || pauseUs === undefined) return undefined;
  if (judgeInterval(rule, exact(corrected / 1000)) === judgeInterval(rule, exact(uncorrected / 1000))) return undefined;
  if (pauseUs < corrected - uncorrected) return undefined;
  return {
    reason:
      `at ${where} the corrected ${percentile} (${formatMs(corrected / 1000)} ms) and the uncorrected one (${formatMs(uncorrected / 1000)} ms) fall on different sides of the rule, ` +
      `and the generator itself paused up to ${formatMs(pauseUs / 1000)} ms — enough to cause that difference, so it cannot be charged to the target`,
    settle: settleForGenerator(doc, step.offeredRps ?? step.achievedRps),
    brief: `generator pauses (${formatMs(pauseUs / 1000)} ms) could explain the ${percentile}`,
  };
}

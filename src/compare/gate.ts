/**
 * What the gate judges besides relative changes: failures and capacity (issue 22). A percentage
 * change cannot see them — a failure rate going from 0 to 100 % has no percentage, and a candidate
 * whose every response is an HTTP 500 answers fast — so they are judged against the scenario's own
 * budget instead:
 * - failure rate at a step (non-2xx, errors, timeouts, sends never made; analysis/metrics.ts): the
 *   candidate regressed when most of its runs failed more than the error budget (slo.errorRate) at a
 *   rate where no baseline run did;
 * - saturation at a step: the candidate regressed when most of its runs saturated (analysis/
 *   saturation.ts: achieved < 95 % of offered, failures over budget, or p99 over the SLO) at a rate
 *   every baseline run held.
 * Improvements are the mirror image. A step either side measured while generator-bound says nothing
 * of the target and is not judged. And a comparison with no open-loop step judged on both sides has
 * nothing to gate on: `nothingComparable` names why, and the gate fails closed (exit 4).
 */
import { FAILURE_RATE, GENERATOR_BOUND_NOTE, unservedRate } from '../analysis/metrics.ts';
import type { Step } from '../schema/run.ts';
import { formatPercent } from '../util/format.ts';
import { summarize } from './decide.ts';
import type { ChangeVerdict, GroupComparison, MetricComparison } from './types.ts';

/** A side "did" something at a rate when more than half of its runs did (one run: that run). */
function most(flags: readonly boolean[]): boolean {
  return flags.filter(Boolean).length * 2 > flags.length;
}

function gateRow(
  id: string,
  label: string,
  rate: number | null,
  unit: MetricComparison['unit'],
  base: number[],
  cand: number[],
  verdict: ChangeVerdict,
  notes: string[],
  comparable: boolean,
  budgetPercent = 0,
): MetricComparison {
  const baseline = summarize(base);
  const candidate = summarize(cand);
  const changePercent = baseline.median !== null && candidate.median !== null && baseline.median !== 0 ? ((candidate.median - baseline.median) / Math.abs(baseline.median)) * 100 : null;
  return {
    id,
    label,
    family: FAILURE_RATE.family,
    unit,
    direction: 'lower-is-better',
    offeredRps: rate,
    latency: null,
    baseline,
    candidate,
    changePercent,
    thresholdPercent: budgetPercent,
    noisePercent: null,
    detectablePercent: null,
    rangesOverlap: null,
    pValue: null,
    method: comparable ? 'failure-gate' : 'not-comparable',
    verdict,
    notes,
  };
}

/** Share of a step's responses that were not 2xx: the target's own answers, whoever limited the load. */
function non2xxShare(step: Step): number {
  return step.counts.completed === 0 ? 0 : step.counts.non2xx / step.counts.completed;
}

const runs = (n: number, of: number) => `${n} of ${of} run${of === 1 ? '' : 's'}`;

/** Failures over the budget in most candidate runs where no baseline run had them: regressed (and the mirror image). */
function failureVerdict(bRates: number[], cRates: number[], errorBudget: number, what: string): { verdict: ChangeVerdict; notes: string[] } {
  const budget = formatPercent(errorBudget, 2);
  const bOver = bRates.map((r) => r > errorBudget);
  const cOver = cRates.map((r) => r > errorBudget);
  if (!bOver.some(Boolean) && most(cOver)) {
    return { verdict: 'regressed', notes: [`the candidate ${what} more than the error budget (${budget}) in ${runs(cOver.filter(Boolean).length, cOver.length)}, up to ${formatPercent(Math.max(...cRates), 1)} of requests; no baseline run did`] };
  }
  if (!cOver.some(Boolean) && most(bOver)) {
    return { verdict: 'improved', notes: [`the baseline ${what} more than the error budget (${budget}) in ${runs(bOver.filter(Boolean).length, bOver.length)}; no candidate run does`] };
  }
  return { verdict: 'unchanged', notes: [] };
}

/** Only non-2xx answers are the target's for sure when the generator was the limit (timeouts and unsent sends may be its own). */
const BOUND_FAILURES_NOTE = 'generator-bound: only non-2xx responses judged (timeouts and unsent requests may be the generator\'s)';

/**
 * The closed-loop step's non-2xx share: a service answering 500s fast keeps its max throughput (it
 * counts completed responses), so the gate reads its answers too.
 */
export function closedLoopFailureRow(bSteps: readonly Step[], cSteps: readonly Step[], errorBudget: number): MetricComparison {
  const bRates = bSteps.map(non2xxShare);
  const cRates = cSteps.map(non2xxShare);
  const { verdict, notes } = failureVerdict(bRates, cRates, errorBudget, 'answered non-2xx to');
  const row = gateRow('max/non2xxRate', 'non-2xx share, closed loop', null, 'fraction', bRates, cRates, verdict, notes, true, errorBudget * 100);
  return row;
}

/**
 * The failure-rate and saturation rows for one rate, from the steps of each side at it.
 * `errorBudget` is the candidate scenario's slo.errorRate (a fraction).
 */
export function failureRows(slug: string, rate: number, bSteps: readonly Step[], cSteps: readonly Step[], errorBudget: number): MetricComparison[] {
  const bound = [...bSteps, ...cSteps].some((s) => s.generator.bound);
  const label = (what: string) => `${what} @ ${rate} rps`;
  const bSat = bSteps.map((s) => s.saturated);
  const cSat = cSteps.map((s) => s.saturated);
  if (bound) {
    const bRates = bSteps.map(non2xxShare);
    const cRates = cSteps.map(non2xxShare);
    const failed = failureVerdict(bRates, cRates, errorBudget, 'answered non-2xx to');
    return [
      gateRow(`${slug}/failureRate`, label('failure rate'), rate, 'fraction', bRates, cRates, failed.verdict, [BOUND_FAILURES_NOTE, ...failed.notes], true, errorBudget * 100),
      gateRow(`${slug}/saturated`, label('saturated'), rate, 'fraction', bSat.map(Number), cSat.map(Number), 'unchanged', [GENERATOR_BOUND_NOTE], false),
    ];
  }
  const bRates = bSteps.map(unservedRate);
  const cRates = cSteps.map(unservedRate);
  const failed = failureVerdict(bRates, cRates, errorBudget, 'failed');
  let satVerdict: ChangeVerdict = 'unchanged';
  const satNotes: string[] = [];
  if (!bSat.some(Boolean) && most(cSat)) {
    satVerdict = 'regressed';
    const why = [...new Set(cSteps.filter((s) => s.saturated).flatMap((s) => s.saturationReasons))].slice(0, 2).join('; ');
    satNotes.push(`the candidate saturated at a rate every baseline run held (${runs(cSat.filter(Boolean).length, cSat.length)}${why ? `: ${why}` : ''})`);
  } else if (!cSat.some(Boolean) && most(bSat)) {
    satVerdict = 'improved';
    satNotes.push(`the candidate holds a rate the baseline saturated at (${runs(bSat.filter(Boolean).length, bSat.length)})`);
  }
  return [
    gateRow(`${slug}/failureRate`, label('failure rate'), rate, 'fraction', bRates, cRates, failed.verdict, failed.notes, true, errorBudget * 100),
    gateRow(`${slug}/saturated`, label('saturated'), rate, 'fraction', bSat.map(Number), cSat.map(Number), satVerdict, satNotes, true),
  ];
}

/**
 * Why the gate has nothing to judge the load on, or null: the candidate has no open-loop step where
 * the baseline has some, or no load figure (closed-loop maximum, any open-loop step) was judged on
 * both sides — memory and image size alone never pass a gate. One line: the reason for exit 4.
 */
export function nothingComparable(groups: readonly GroupComparison[], openLoopSteps: { baseline: number; candidate: number }): string | null {
  if (openLoopSteps.candidate === 0 && openLoopSteps.baseline > 0) {
    return 'nothing comparable: the candidate has no open-loop steps, so its failures and capacity were never measured at a rate';
  }
  const load = groups.flatMap((g) => g.metrics.filter((m) => m.id === 'maxThroughputRps' || (m.offeredRps !== null && m.method !== 'failure-gate')));
  if (load.some((m) => m.method !== 'not-comparable')) return null;
  const rates = new Set(load.filter((m) => m.offeredRps !== null).map((m) => `${m.offeredRps}`)).size;
  if (load.length > 0 && load.every((m) => m.notes.includes(GENERATOR_BOUND_NOTE))) {
    return `nothing comparable: every load step measured on both sides was generator-bound (the closed loop and ${rates} open-loop rate${rates === 1 ? '' : 's'}), so the figures are the generator's, not the target's`;
  }
  // Measured on both sides but not the target's (a contended machine, failures past a tail…): say which.
  const why = [...new Set(load.map((m) => m.notes[0]).filter((n): n is string => n !== undefined && !n.startsWith('not measured')))];
  if (why.length > 0) return `nothing comparable: no load figure could be judged on both sides (${why.slice(0, 2).join('; ')}${why.length > 2 ? `; ${why.length - 2} more` : ''})`;
  return 'nothing comparable: no load figure (closed-loop maximum or open-loop step) was measured by both runs and judged';
}

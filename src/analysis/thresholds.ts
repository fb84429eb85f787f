/**
 * Absolute thresholds (the scenario's `thresholds:`) judged from run.json alone. Pure.
 *
 * Rules (each so that a threshold never passes on a figure that was not measured):
 * 1. Per repetition a figure is an interval: exact [v, v]; a lower bound [v, ∞) when the load side
 *    was the limit (generator-bound closed-loop step, sustainable rate found while generator-bound);
 *    uncorrected-only latency, or latency of the completed requests when more failed than the
 *    percentile's tail, is a lower bound too (the missing requests are the slow ones).
 * 2. Across repetitions the median decides, as every figure in the reports is a median: its interval
 *    is [median of the lower ends, median of the upper ends] (the median is monotone in each value).
 * 3. pass when every value of that interval satisfies the rule, fail when none does, otherwise
 *    not-measured ("only ≥ X is known"): the one judge, judge.ts. Figures are read through the metric
 *    registry (metrics.ts ABSOLUTE_METRICS) by the readers claims use (read-run.ts, read-latency.ts), so their caveats are the same: an image on a
 *    stand-in base, a latency within the instrument's floor of the threshold, generator pauses that
 *    could explain it → not-measured. A step never offered, a generator-bound step (its figures are
 *    the generator's), a failed repetition or a figure the run did not record → not-measured, with why.
 *    So is a figure resting on a contended step (analysis/contention.ts: others took the CPUs).
 * 4. A threshold without `configuration` applies to every configuration of its target; those the plan
 *    skipped by design are "not-run" and do not count, unless none ran. Naming a skipped
 *    configuration explicitly makes it not-measured.
 * 5. The overall status: fail if any configuration fails, else not-measured if any is, else pass.
 *    The gate (verdicts.ts) fails on anything but pass: fail closed.
 */
import type { RunDocument, Step, TargetResult } from '../schema/run.ts';
import type { Threshold, ThresholdMetric } from '../scenario/schema.ts';
import type { ThresholdConfigurationResult, ThresholdFigure, ThresholdResult, ThresholdStatus } from '../schema/verdicts.ts';
import { stepContention } from './contention.ts';
import { groupTargets } from './groups.ts';
import { judgedOf, judgeInterval, medianInterval, type GoodReading, type Interval, type Reading } from './judge.ts';
import { ABSOLUTE_METRICS } from './metrics.ts';
import { openStepAt } from './read-run.ts';
import { isUsable, notRunByDesign } from './step-rules.ts';
import { median } from '../util/stats.ts';
import { formatRps, formatWithUnit } from '../util/format.ts';

type Unit = ThresholdFigure['unit'];

export const formatThresholdValue = (value: number, unit: Unit): string => formatWithUnit(value, unit);

export function unitOfMetric(metric: ThresholdMetric): Unit {
  return ABSOLUTE_METRICS[metric].unit;
}

/** "go-chi/all-cores p99 at 10,000 req/s < 2 ms". */
export function thresholdText(t: Threshold): string {
  const who = t.configuration ? `${t.target}/${t.configuration}` : t.target;
  const at = t.atRps !== undefined ? ` at ${formatRps(t.atRps)} req/s` : '';
  return `${who} ${ABSOLUTE_METRICS[t.metric].label}${at} ${t.op} ${ABSOLUTE_METRICS[t.metric].format(t.value)}`;
}

/** Rule 3 on an interval, in the threshold's words: the one judge (judge.ts) decides. */
export function judge(op: Threshold['op'], limit: number, iv: Interval): 'pass' | 'fail' | 'undecided' {
  const j = judgeInterval({ op, value: limit }, iv);
  return j === 'holds' ? 'pass' : j === 'fails' ? 'fail' : 'undecided';
}

/** One repetition's reading of the threshold's metric; a contended step reads nothing. */
function readingOf(t: Threshold, r: TargetResult, doc: RunDocument): Reading {
  const contended = contendedStepsOf(t, r);
  if (contended !== null) return { ok: false, reason: `repetition ${r.repetition}: ${contended}`, brief: 'contended' };
  return ABSOLUTE_METRICS[t.metric].read(r, { ...(t.atRps !== undefined ? { atRps: t.atRps } : {}), rule: { op: t.op, value: t.value }, doc });
}

/** Rule 3: why the figure rests on a step the machine's neighbours shared, or null. */
function contendedStepsOf(t: Threshold, r: TargetResult): string | null {
  const open = r.steps.filter((s) => s.kind !== 'max');
  const steps =
    t.metric === 'maxRps' ? r.steps.filter((s) => s.kind === 'max')
    : t.metric === 'sustainableRps' ? open
    : t.atRps !== undefined ? [openStepAt(r, t.atRps)].filter((s): s is Step => s !== undefined)
    : [];
  for (const s of steps) {
    const reason = stepContention(s);
    if (reason !== null) return `the step ${s.offeredRps === null ? 'closed loop' : `at ${formatRps(s.offeredRps)} req/s`} was contended (${reason}), so its figures are not the target's alone`;
  }
  return null;
}

function figureText(f: ThresholdFigure): string {
  const mark = f.bound === 'lower' ? '≥ ' : f.bound === 'upper' ? '≤ ' : '';
  const range = f.n <= 1 ? '' : f.min !== f.max ? ` (median of ${f.n}: ${formatThresholdValue(f.min, f.unit)} – ${formatThresholdValue(f.max, f.unit)})` : ` (all ${f.n} repetitions)`;
  return `${mark}${formatThresholdValue(f.value, f.unit)}${range}`;
}

function judgeGroup(t: Threshold, label: string, results: TargetResult[], explicit: boolean, doc: RunDocument): ThresholdConfigurationResult {
  const unit = unitOfMetric(t.metric);
  const none = (status: ThresholdConfigurationResult['status'], reason: string, measuredText = 'not measured'): ThresholdConfigurationResult => ({ configuration: label, status, measured: null, measuredText, reason });
  if (notRunByDesign(results)) {
    const reason = `not run — ${results[0]!.reason ?? 'skipped by the plan'}`;
    return explicit ? none('not-measured', reason, 'not run') : none('not-run', reason, 'not run');
  }
  const failed = results.filter((r) => !isUsable(r));
  if (failed.length > 0) return none('not-measured', failed.map((r) => `repetition ${r.repetition} ${r.status}${r.reason ? `: ${r.reason}` : ''}`).join('; '));
  const readings = results.map((r) => readingOf(t, r, doc));
  const bad = readings.find((s) => !s.ok);
  if (bad !== undefined && !bad.ok) return none('not-measured', bad.reason);
  const oks = readings as GoodReading[];
  // The median of the repetitions decides (rule 2), on the interval each is judged on.
  const iv = medianInterval(oks);
  const points = oks.map(judgedOf).map((j) => (Number.isFinite(j.hi) && j.lo === 0 && j.hi > 0 ? j.hi : j.lo));
  const bound: ThresholdFigure['bound'] = iv.hi === Infinity ? 'lower' : iv.lo !== iv.hi ? 'upper' : 'exact';
  const figure: ThresholdFigure = { value: median(points)!, unit, min: Math.min(...points), max: Math.max(...points), n: points.length, bound };
  const notes = [...new Set(oks.map((s) => s.note).filter((n): n is string => n !== undefined))];
  const measuredText = `${figureText(figure)}${notes.length > 0 ? ` [${notes.join('; ')}]` : ''}`;
  const rule = `${t.op} ${formatThresholdValue(t.value, unit)}`;
  // Measured, but out of the instrument's reach (stand-in base, floor, generator pauses…): decides nothing.
  const caveated = oks.find((s) => s.caveat !== undefined);
  if (caveated?.caveat) {
    const rep = results[oks.indexOf(caveated)]!.repetition;
    return { configuration: label, status: 'not-measured', measured: figure, measuredText, reason: `repetition ${rep}: ${caveated.caveat.reason}` };
  }
  const verdict = judge(t.op, t.value, iv);
  if (verdict === 'pass') return { configuration: label, status: 'pass', measured: figure, measuredText, reason: `${figureText(figure)} satisfies ${rule}` };
  if (verdict === 'fail') return { configuration: label, status: 'fail', measured: figure, measuredText, reason: `${figureText(figure)} fails ${rule}` };
  return {
    configuration: label,
    status: 'not-measured',
    measured: figure,
    measuredText,
    reason: `only ${figureText(figure)} is known (${notes.join('; ') || 'a bound'}), which does not decide ${rule}`,
  };
}

export function evaluateThreshold(t: Threshold, doc: RunDocument): ThresholdResult {
  const groups = groupTargets(doc).filter((g) => g.name === t.target && (t.configuration === undefined || g.configuration === t.configuration));
  const text = thresholdText(t);
  const byConfiguration: ThresholdConfigurationResult[] =
    groups.length === 0
      ? [{ configuration: t.configuration ? `${t.target}/${t.configuration}` : t.target, status: 'not-measured', measured: null, measuredText: 'not measured', reason: 'no results for it in this run (not selected with --targets, or not in the scenario)' }]
      : groups.map((g) => judgeGroup(t, `${g.name}/${g.configuration}`, g.results, t.configuration !== undefined, doc));
  const counted = byConfiguration.filter((c) => c.status !== 'not-run');
  let status: ThresholdStatus;
  if (counted.some((c) => c.status === 'fail')) status = 'fail';
  else if (counted.length === 0 || counted.some((c) => c.status === 'not-measured')) status = 'not-measured';
  else status = 'pass';
  return { id: t.name ?? text, text, threshold: t, status, byConfiguration };
}

/** Results for every threshold of the run's scenario, in scenario order. */
export function evaluateThresholds(doc: RunDocument): ThresholdResult[] {
  return (doc.scenario.thresholds ?? []).map((t) => evaluateThreshold(t, doc));
}

/** One line per configuration that decided the status, for tables and the exit message. */
export function thresholdReason(r: ThresholdResult): string {
  const shown = r.byConfiguration.filter((c) => c.status === r.status);
  return (shown.length > 0 ? shown : r.byConfiguration).map((c) => `${c.configuration}: ${c.reason}`).join('; ');
}


/**
 * Turns the claims registry embedded in run.json into verdicts. Pure: RunDocument in, verdicts out.
 *
 * The rules, in order (each is why a verdict is never more certain than the measurement):
 *
 * 1. Every measured quantity is an interval per repetition, not a point. An exact measurement is
 *    [v, v]. When the load generator, not the target, limited the closed-loop step, the target's
 *    throughput is only known to be ≥ v: [v, ∞). A ratio of intervals is the interval of ratios.
 * 2. A rule holds for an interval when it holds for every value in it (confirmed), fails for every
 *    value (refuted), otherwise the interval straddles the threshold (inconclusive). `approx v ± t`
 *    is `between v(1−t) and v(1+t)`.
 * 3. Repetitions must agree: all confirmed → confirmed, all refuted → refuted; repetitions on both
 *    sides of the threshold → inconclusive ("repetitions straddle the threshold"). A failed or
 *    skipped repetition makes its configuration inconclusive: judging from the others would hide it.
 * 4. A latency "at R req/s" needs an open-loop step offered at R (±1 %), or for `orAbove` the lowest
 *    step offered at ≥ R. A step the generator could not drive (generator.bound) says nothing about
 *    the target → inconclusive. A rate never offered → inconclusive, with why (the target saturated
 *    earlier and stepping stopped, or the scenario never asked for it). Percentiles are of completed
 *    requests only, so when more requests failed than the percentile's tail (e.g. > 5 % for p95) an
 *    upper-bound rule (lt, between) cannot be judged → inconclusive.
 * 5. "At scale" = the highest offered rate that was neither saturated nor generator-bound, and only
 *    when it is at least AT_SCALE_MIN_FRACTION of the measured sustainable rate (step-rules.ts says
 *    why); a lower step, or a capacity never reached, is inconclusive naming the fraction reached.
 * 6. Hardware-dependent absolute figures on fewer target CPUs than the claim needs
 *    (minTargetCpus) → inconclusive: "measured on N CPUs; the article's figure needs ≥ M"; the
 *    measured figure is still shown, with the Go/Python ratio and the machine beside it.
 * 7. A claim's overall verdict is the configurations' verdict when they all agree; when they differ
 *    ("confirmed for 1-worker, refuted for n-workers") it is inconclusive as a general statement and
 *    the reason names each configuration's verdict — that difference is itself the finding.
 * 9. When corrected and uncorrected latency disagree about the rule and the generator's own pauses
 *    could explain the gap, the latency verdict is inconclusive (see generatorPauseCaveat).
 * 10. The instrument's own share: a corrected latency includes the instrument's floor at that rate
 *    (run.json `calibration`: the same engine and schedule against the smallest Go server on the
 *    targets' CPUs) and, for a percentile whose tail was read after generator stalls
 *    (generator.latencyCaveats), up to the generator's read delay there. The target's own figure
 *    is only known to lie in [v − that, v]; when the rule judges that interval differently from v
 *    (a threshold within the floor of the figure) → inconclusive, with the floor named.
 * 11. A step whose CPUs were not the run's alone (analysis/contention.ts: other processes or steal
 *    took more than the stated share of the generator's or the targets' CPUs) measured the machine's
 *    neighbours as much as the target: a verdict resting on it is inconclusive, naming the figure.
 * 12. The article's wording is read as the claim's `reading` says (schema/claims.ts): approximate
 *    figures get the file's one tolerance on every figure of the rule, "as small as" is judged on the
 *    smallest configuration measured, bounds and fixed thresholds are read exactly (effectiveRule).
 * 8. A configuration the plan never ran (skipped: identical to another on this CPU budget) is listed
 *    as "not run" and left out of the overall verdict, whose reason then says it holds only for the
 *    configurations that ran. A configuration that was run and failed still makes it inconclusive.
 *
 * Latency is judged on the corrected histogram (wrk2: from the intended send time) when the step has
 * one, else the uncorrected one, and every measured text says which.
 */
import type { Claim, ClaimMetric, ClaimRule } from '../schema/claims.ts';
import { settleForCpus, settleForGenerator, settleForScale, settleForSpread, TWO_MACHINES_COMMAND } from './settle.ts';
import type { RunDocument, Step, TargetResult } from '../schema/run.ts';
import { TAIL_FRACTION, type Percentile } from '../schema/percentiles.ts';
import type { ClaimVerdictSchema, ConfigurationVerdictSchema, MeasuredFigureSchema } from '../schema/verdicts.ts';
import type { z } from 'zod';
import { contentionCaveat } from './contention.ts';
import { instrumentShare } from './floor.ts';
import { groupTargets, type ResultGroup } from './groups.ts';
import { spreadOf } from './summary.ts';
import { AT_SCALE_MIN_FRACTION, atScaleStep, capacityReference, intendedRequests, isUsable, matchesRate, notRunByDesign, openLoopSteps, stepLatency, unservedRequests } from './step-rules.ts';
import { median } from '../util/stats.ts';
import { formatNumber, formatMs, formatRps, formatRatio, formatPercent, formatWithUnit } from '../util/format.ts';

export type Verdict = 'confirmed' | 'refuted' | 'inconclusive';

/** One measured figure summarised across repetitions. */
export interface MeasuredFigure {
  /** Median over repetitions of the point estimate (the measured figure; for a bound, the bound). */
  value: number;
  unit: 'req/s' | 'ms' | 'MB' | 'ratio' | 'fraction';
  min: number;
  max: number;
  /** (max − min) / median. */
  relativeSpread: number;
  n: number;
  /**
   * 'lower': the true value is ≥ value (generator-bound); 'upper': ≤ value (a ratio over a lower
   * bound); 'unknown': both sides of a ratio were bounds, so value is only the ratio of the bounds.
   */
  bound: 'exact' | 'lower' | 'upper' | 'unknown';
  /** For latencies: which histogram the figure comes from. */
  latencySource?: 'corrected' | 'uncorrected' | 'mixed';
  /** For latencies: the offered rate(s) of the step judged, req/s. */
  atOfferedRps?: number[];
}

export interface ConfigurationVerdict {
  /** "target/configuration" entries the figure comes from (two for ratios). */
  configurations: string[];
  /** Short label for tables: "all-cores" or "all-cores vs n-workers". */
  label: string;
  /** Target CPUs of the configuration(s). */
  cpus: number | null;
  measured: MeasuredFigure | null;
  /** Human text of the measured figure, e.g. "≥ 41,200 req/s (generator-bound)". */
  measuredText: string;
  verdict: Verdict;
  reason: string;
  /** What would settle an inconclusive verdict. */
  settle?: string;
  /** True when the configuration was not run at all (skipped by the plan, e.g. identical to another). */
  notRun?: boolean;
  /** The figure and what decided it, in a few words: "0.218 ms @ 10,000 req/s: < 50 ms". */
  brief: string;
}

/** An open side of a range is null: "< 50 ms" has no lower end. */
export interface Range {
  min: number | null;
  max: number | null;
}

/** What the "article vs this run" chart draws for a claim (marks: byConfiguration[].measured). */
export interface ClaimBand {
  unit: MeasuredFigure['unit'];
  /** The article's figure as written: a point (min = max), a range, or a bound. */
  article: Range;
  /** What the verdict accepts once the wording is read (tolerance applied). */
  accepted: Range;
}

export interface ClaimVerdict {
  id: string;
  quote: string;
  articleFigure: string;
  /** The rule as judged, e.g. "< 50 ms" or "150,000 – 250,000 req/s (200,000 req/s ± 25 %)". */
  ruleText: string;
  /** How the article's wording was read, e.g. "approximate: every figure ± 25 %". */
  reading: string;
  verdict: Verdict;
  /** One sentence, at most SUMMARY_MAX_CHARS: the figure(s) and what decided the verdict. */
  summary: string;
  band: ClaimBand;
  byConfiguration: ConfigurationVerdict[];
  /** Human summary of what was measured, per configuration. */
  measured: string;
  /** For absolute throughput: the target's best configuration ÷ each other target's best. */
  ratio?: string;
  /** For hardware-dependent claims: the machine the figure was measured on. */
  hardwareNote?: string;
  reason: string;
  settle?: string;
}

// ---------------------------------------------------------------------------------------------
// Intervals and rules

interface Interval {
  lo: number;
  hi: number;
}

type Judgement = 'confirmed' | 'refuted' | 'straddles';

/** Rule 2: the rule over every value of the interval. */
export function judgeInterval(rule: ClaimRule, iv: Interval): Judgement {
  const [min, max] = ruleRange(rule);
  // Open bounds for lt/gt: "< 50" is refuted by exactly 50.
  const inside = (v: number) => (rule.op === 'lt' ? v < max : rule.op === 'gt' ? v > min : v >= min && v <= max);
  const loIn = inside(iv.lo);
  const hiIn = inside(iv.hi);
  if (loIn && hiIn) return 'confirmed';
  // The interval misses the accepted range entirely.
  if (rule.op === 'lt' && iv.lo >= max) return 'refuted';
  if (rule.op === 'gt' && iv.hi <= min) return 'refuted';
  if (rule.op !== 'lt' && rule.op !== 'gt' && (iv.hi < min || iv.lo > max)) return 'refuted';
  return 'straddles';
}

function ruleRange(rule: ClaimRule): [number, number] {
  switch (rule.op) {
    case 'lt':
      return [-Infinity, rule.value];
    case 'gt':
      return [rule.value, Infinity];
    case 'between':
      return [rule.min, rule.max];
    case 'approx': {
      const t = rule.tolerance ?? 0;
      return [rule.value * (1 - t), rule.value * (1 + t)];
    }
  }
}

/**
 * Rule 11: the rule a claim is judged by, once its wording is read. Approximate: every figure of the
 * rule widened by the tolerance (a range's ends outwards, a bound on its open side); as small as:
 * at most the top of the range + tolerance; bounds and thresholds: as written. A claim without a
 * reading (run.json written before readings existed) keeps its rule as written.
 */
export function effectiveRule(claim: Pick<Claim, 'rule' | 'reading'>): ClaimRule {
  const { rule, reading } = claim;
  if (reading === undefined) return rule;
  const t = reading.tolerance ?? 0;
  if (reading.wording === 'as-small-as') {
    const top = rule.op === 'between' ? rule.max : rule.op === 'lt' || rule.op === 'approx' ? rule.value : null;
    return top === null ? rule : { op: 'lt', value: top * (1 + t) };
  }
  if (reading.wording !== 'approximate') return rule.op === 'approx' ? { op: 'between', min: rule.value, max: rule.value } : rule;
  switch (rule.op) {
    case 'approx':
      return { op: 'between', min: rule.value * (1 - t), max: rule.value * (1 + t) };
    case 'between':
      return { op: 'between', min: rule.min * (1 - t), max: rule.max * (1 + t) };
    case 'lt':
      return { op: 'lt', value: rule.value * (1 + t) };
    case 'gt':
      return { op: 'gt', value: rule.value * (1 - t) };
  }
}

/** How a claim's wording was read, in words the report prints beside the verdict. */
export function readingText(claim: Pick<Claim, 'reading'>): string {
  const r = claim.reading;
  if (r === undefined) return 'as written (no reading recorded)';
  const pct = `${formatNumber((r.tolerance ?? 0) * 100, 0)} %`;
  switch (r.wording) {
    case 'approximate':
      return `approximate: ± ${pct} on every figure`;
    case 'as-small-as':
      return `as small as: the smallest configuration, top of the range + ${pct}`;
    case 'bound':
      return 'exact: an explicit limit';
    case 'threshold':
      return 'exact: a threshold the claims file fixes for a word';
  }
}

function rangeOf(rule: ClaimRule): Range {
  const [min, max] = ruleRange(rule);
  return { min: Number.isFinite(min) ? min : null, max: Number.isFinite(max) ? max : null };
}

/** The article's figure and the accepted range, for the "article vs this run" chart. */
function bandOf(claim: Claim, unit: MeasuredFigure['unit']): ClaimBand {
  const literal: ClaimRule = claim.rule.op === 'approx' ? { op: 'between', min: claim.rule.value, max: claim.rule.value } : claim.rule;
  return { unit, article: rangeOf(literal), accepted: rangeOf(effectiveRule(claim)) };
}

function unitSuffix(unit: MeasuredFigure['unit']): string {
  return unit === 'ratio' ? '×' : unit === 'fraction' ? '' : ` ${unit}`;
}


/** A rule's figure: integers as such, others with up to three decimals ("0.375", "2.5"). */
function ruleNumber(v: number): string {
  if (Number.isInteger(v)) return formatNumber(v, 0);
  const decimals = Math.abs(v) >= 100 ? 0 : 3;
  return formatNumber(v, decimals).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
}

export function ruleText(rule: ClaimRule, unit: MeasuredFigure['unit']): string {
  const f = (v: number) =>
    unit === 'fraction' ? `${ruleNumber(Math.round(v * 1000) / 10)} %` : unit === 'ratio' ? `${ruleNumber(Math.round(v * 100) / 100)}×` : `${ruleNumber(v)}${unitSuffix(unit)}`;
  switch (rule.op) {
    case 'lt':
      return `< ${f(rule.value)}`;
    case 'gt':
      return `> ${f(rule.value)}`;
    case 'between':
      return `${f(rule.min)} – ${f(rule.max)}`;
    case 'approx': {
      const [lo, hi] = ruleRange(rule);
      return `≈ ${f(rule.value)} (±${formatNumber((rule.tolerance ?? 0) * 100, 0)} %: ${f(lo)} – ${f(hi)})`;
    }
  }
}

/**
 * The rule a claim is judged by, with the article's figure beside it when the reading changed it:
 * "150,000 – 250,000 req/s (200,000 req/s ± 25 %)", "< 12.5 MB (smallest; 10 MB + 25 %)".
 */
export function claimRuleText(claim: Claim): string {
  const unit = unitOf(claim.metric);
  const judged = ruleText(effectiveRule(claim), unit);
  const r = claim.reading;
  if (r === undefined || r.wording === 'bound' || r.wording === 'threshold' || !r.tolerance) return judged;
  const pct = `${formatNumber(r.tolerance * 100, 0)} %`;
  const literal = claim.rule.op === 'approx' ? ruleText({ op: 'between', min: claim.rule.value, max: claim.rule.value }, unit).replace(/^(.*) – \1$/, '$1') : ruleText(claim.rule, unit);
  if (r.wording === 'as-small-as') return `${judged} (smallest; ${literal.replace(/^< /, '')} + ${pct})`;
  return `${judged} (${literal} ± ${pct})`;
}

function unitOf(metric: ClaimMetric): MeasuredFigure['unit'] {
  switch (metric.kind) {
    case 'maxThroughputRps':
      return 'req/s';
    case 'throughputRatio':
    case 'memoryPeakRatio':
      return 'ratio';
    case 'latencyAtRateMs':
    case 'latencyAtCapacityMs':
    case 'coldStartMs':
      return 'ms';
    case 'imageSizeMB':
      return 'MB';
    case 'handlerLinesReduction':
      return 'fraction';
  }
}

// ---------------------------------------------------------------------------------------------
// Per-repetition samples

/** One repetition's measurement, or why there is none. */
type Sample =
  | {
      ok: true;
      iv: Interval;
      /** The measured figure itself when the interval's ends do not show it (a ratio of bounds). */
      point?: number;
      note?: string;
      latencySource?: 'corrected' | 'uncorrected';
      offeredRps?: number;
      boundReason?: string;
      /** Measured, but not the thing the claim is about (e.g. an image on a stand-in base): inconclusive. */
      caveat?: Caveat;
    }
  | { ok: false; reason: string; settle?: string; /** What decided it, in a few words (the summary's). */ brief: string };

/** Measured, but what decides the rule is out of reach: inconclusive, with why, briefly and in full. */
interface Caveat {
  reason: string;
  settle: string;
  brief: string;
}

type Group = ResultGroup;

function exact(v: number): Interval {
  return { lo: v, hi: v };
}

function maxThroughputSample(r: TargetResult): Sample {
  if (r.maxThroughputRps === null) return { ok: false, reason: `repetition ${r.repetition}: the closed-loop step did not run`, brief: 'closed-loop step did not run' };
  const step = r.steps.find((s) => s.kind === 'max');
  // Rule 11: the same sample, made inconclusive when the machine was not quiet.
  const caveat = step ? contentionCaveat(step, 'the closed-loop step') : undefined;
  if (step?.generator.bound) {
    return {
      ok: true,
      iv: { lo: r.maxThroughputRps, hi: Infinity },
      boundReason: step.generator.boundReasons.join('; ') || 'generator-bound',
      ...(caveat ? { caveat } : {}),
    };
  }
  return { ok: true, iv: exact(r.maxThroughputRps), ...(caveat ? { caveat } : {}) };
}

/** Rule 4: the step a latency-at-rate claim is judged on, or why there is none. */
function latencyAtRateSample(r: TargetResult, metric: Extract<ClaimMetric, { kind: 'latencyAtRateMs' }>, rule: ClaimRule, doc: RunDocument): Sample {
  const rate = metric.rateRps;
  const offered = openLoopSteps(r.steps);
  const matches = offered.filter((s) => matchesRate(s.offeredRps!, rate, metric.orAbove));
  const step = matches[0];
  if (step === undefined) return neverOffered(r, metric, rule, doc);
  return latencyOfStep(step, metric.percentile, rule, `${formatRps(step.offeredRps!)} req/s`, doc);
}

function latencyOfStep(step: Step, percentile: Percentile, rule: ClaimRule, where: string, doc: RunDocument): Sample {
  if (step.generator.bound) {
    return {
      ok: false,
      reason: `the step at ${where} was generator-bound (${step.generator.boundReasons.join('; ') || 'generator limit'}): the generator could not offer that rate, so its latency is not the target's`,
      settle: settleForGenerator(doc, step.offeredRps ?? step.achievedRps),
      brief: `generator-bound at ${where}`,
    };
  }
  const tail = TAIL_FRACTION[percentile];
  // Scheduled sends never made (dropped) are the most delayed requests of all: they count as failed.
  const failed = unservedRequests(step);
  const scheduled = intendedRequests(step);
  const fraction = scheduled === 0 ? 0 : failed / scheduled;
  if (rule.op !== 'gt' && fraction > tail) {
    return {
      ok: false,
      reason: `at ${where} ${formatPercent(fraction)} of requests failed, timed out or were never sent — more than the ${percentile} tail (${formatPercent(tail)}); percentiles of the completed requests cannot stand for all of them`,
      // Sends the generator never made are its own limit; failures and timeouts are the target's (or the timeout's).
      settle:
        step.counts.dropped >= failed - step.counts.dropped
          ? settleForGenerator(doc, step.offeredRps ?? step.achievedRps)
          : `set load.timeoutMs: ${formatNumber(doc.scenario.load.timeoutMs * 2)} (this run: ${formatNumber(doc.scenario.load.timeoutMs)}) if they timed out, else see the failures by kind in the step table`,
      brief: `${formatPercent(fraction)} failed or unsent at ${where}, more than the ${percentile} tail`,
    };
  }
  const lat = stepLatency(step);
  if (lat === null) {
    return {
      ok: false,
      reason: `at ${where} no request completed, so there is no latency to judge`,
      settle: `set load.timeoutMs: ${formatNumber(doc.scenario.load.timeoutMs * 2)} (this run: ${formatNumber(doc.scenario.load.timeoutMs)}), or find why the target stops answering at this rate`,
      brief: `no request completed at ${where}`,
    };
  }
  const value = lat.us[percentile] / 1000;
  const sample: Sample = { ok: true, iv: exact(value), latencySource: lat.source, offeredRps: step.offeredRps ?? undefined };
  const caveat =
    contentionCaveat(step, `the step at ${where}`) ??
    (lat.source === 'uncorrected'
      ? uncorrectedOnlyCaveat(value, rule, where)
      : (generatorPauseCaveat(step, percentile, rule, where, doc) ?? instrumentCaveat(step, percentile, rule, where, doc)));
  if (caveat) sample.caveat = caveat;
  return sample;
}

/**
 * Rule 10: the target's own latency lies in [v − own, v], where `own` is the larger of the
 * instrument's floor at this rate and — when stalls reached this percentile's tail — the generator's
 * read delay at it. A rule that judges that interval differently from v cannot be decided here.
 */
function instrumentCaveat(step: Step, percentile: Percentile, rule: ClaimRule, where: string, doc: RunDocument): Caveat | undefined {
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

/**
 * Uncorrected latency (from the actual write) leaves out the wait of requests the load generator
 * held back, so it is a lower bound of the latency (coordinated omission). It can refute an upper
 * bound or confirm a lower one, but what it would need an upper bound for stays open.
 */
function uncorrectedOnlyCaveat(valueMs: number, rule: ClaimRule, where: string): Caveat | undefined {
  if (judgeInterval(rule, { lo: valueMs, hi: Number.POSITIVE_INFINITY }) !== 'straddles') return undefined;
  return {
    reason: `at ${where} only uncorrected latency was measured (no coordinated-omission correction, e.g. engine: autocannon); it can understate the latency, so it cannot decide this rule`,
    settle: 'measure the rate steps with the open-loop engine (load.steps.engine: openloop)',
    brief: `only uncorrected latency at ${where}`,
  };
}

/**
 * Rule 9: corrected latency charges the wait behind a busy connection to the target. The generator
 * learns a connection is free only when its event loop reads the response, so its own pauses can
 * create such waits too. When the corrected and uncorrected figures fall on different sides of the
 * rule and the generator paused (lateness max) at least as long as their gap, the difference may be
 * the generator's, not the target's → inconclusive.
 */
function generatorPauseCaveat(step: Step, percentile: Percentile, rule: ClaimRule, where: string, doc: RunDocument): Caveat | undefined {
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

/** Rule 4: explains a rate that was never offered, and says honestly what that implies. */
function neverOffered(r: TargetResult, metric: Extract<ClaimMetric, { kind: 'latencyAtRateMs' }>, rule: ClaimRule, doc: RunDocument): Sample {
  const rate = metric.rateRps;
  const want = `${metric.orAbove ? '≥ ' : ''}${formatRps(rate)} req/s`;
  const offered = openLoopSteps(r.steps);
  const highest = offered[offered.length - 1];
  const saturated = offered.find((s) => s.saturated);
  const genBound = offered.find((s) => s.generator.bound);
  // The rates this run planned: the scenario's list, or (rates: auto) the ladder built from its maximum.
  const listed = doc.scenario.load.steps.rates;
  const planned = r.plannedRatesRps ?? (listed === 'auto' ? [] : listed);
  const scenarioMax = Math.max(...planned);
  if (saturated !== undefined) {
    const lat = stepLatency(saturated);
    const p = lat ? lat.us[metric.percentile] / 1000 : null;
    let reason =
      `${want} was never offered: the target saturated at ${formatRps(saturated.offeredRps!)} req/s ` +
      `(${saturated.saturationReasons.join('; ') || 'past capacity'}) and stepping stopped` +
      (r.sustainableRps !== null ? `; highest sustainable rate ${formatRps(r.sustainableRps)} req/s on ${r.cpus} CPU(s)` : '');
    if (rule.op === 'gt') {
      // Above capacity an open-loop queue grows for as long as the step lasts: latency there is set
      // by the step length and the timeout, not the server. That makes "> X ms" plausible but it is
      // an inference, not a measurement, so it stays inconclusive.
      reason +=
        `. Above its capacity an open-loop queue grows without bound, so latency there depends on the step length and timeout, not on the server — ` +
        `the article's figure likely understates it, but it was not measured (at the saturated step ${formatRps(saturated.offeredRps!)} req/s, ${p === null || lat === null ? 'no request completed' : `${metric.percentile} was already ${formatMs(p)} ms, ${lat.source}`})`;
    } else {
      reason += `; the target cannot sustain ${formatRps(rate)} req/s on this CPU budget, so its latency there was not measured`;
    }
    const per = r.sustainableRps !== null && r.sustainableRps > 0 ? r.sustainableRps / r.cpus : null;
    const cpus = per === null ? null : Math.ceil(rate / per);
    return {
      ok: false,
      reason,
      settle:
        `offer ${formatRps(rate)} req/s anyway: load.steps.stopAtSaturation: false` +
        (cpus !== null && cpus > r.cpus ? `; or resources.cpus: ${cpus} (estimate: ${formatRps(per!)} req/s sustained per CPU in this run)` : ''),
      brief: `${want} never offered: saturated at ${formatRps(saturated.offeredRps!)} req/s`,
    };
  }
  if (genBound !== undefined) {
    return {
      ok: false,
      reason: `${want} was never offered: the generator became the limit at ${formatRps(genBound.offeredRps!)} req/s (${genBound.generator.boundReasons.join('; ') || 'generator-bound'}); target capacity ≥ ${formatRps(genBound.achievedRps)} req/s`,
      settle: settleForGenerator(doc, Math.max(rate, genBound.offeredRps!)),
      brief: `${want} never offered: generator limit at ${formatRps(genBound.offeredRps!)} req/s`,
    };
  }
  if (!matchesRate(scenarioMax, rate, true) || !planned.some((x) => matchesRate(x, rate, metric.orAbove))) {
    return {
      ok: false,
      reason: `${want} was never offered: the planned rates (${planned.map(formatRps).join(', ')} req/s) do not include it`,
      settle: `add ${formatRps(rate)} to load.steps.rates`,
      brief: `${want} not in the scenario's rates`,
    };
  }
  return {
    ok: false,
    reason: `${want} was never offered${highest ? `: the last step run was ${formatRps(highest.offeredRps!)} req/s` : ''} (run ${r.status})`,
    settle: `complete the run: httpbench run --scenario ${doc.scenarioFile ?? `scenarios/${doc.scenario.name}.yaml`}`,
    brief: `${want} never offered (run ${r.status})`,
  };
}

/** Rule 5: latency at the highest sustained step. */
function latencyAtCapacitySample(r: TargetResult, metric: Extract<ClaimMetric, { kind: 'latencyAtCapacityMs' }>, rule: ClaimRule, doc: RunDocument): Sample {
  const offered = openLoopSteps(r.steps);
  const step = atScaleStep(r.steps);
  if (step === undefined) {
    return {
      ok: false,
      reason: 'no open-loop step was both unsaturated and driven by an unconstrained generator',
      settle: `offer lower rates: load.steps.rates starting at ${formatRps(Math.max(100, Math.round((offered[0]?.offeredRps ?? 1000) / 4)))} req/s`,
      brief: 'no step below saturation',
    };
  }
  const scale = atScaleCheck(r, step, doc);
  if (scale !== null) return scale;
  const sample = latencyOfStep(step, metric.percentile, rule, `${formatRps(step.offeredRps!)} req/s`, doc);
  const higherBound = offered.some((s) => s.offeredRps! > step.offeredRps! && s.generator.bound && !s.saturated);
  if (sample.ok && higherBound) sample.note = `higher rates were generator-bound, so "at scale" here means ${formatRps(step.offeredRps!)} req/s`;
  return sample;
}

/**
 * Rule 5: "at scale" only when the step is within AT_SCALE_MIN_FRACTION of a measured capacity;
 * null when it is, else the inconclusive sample naming the fraction reached.
 */
function atScaleCheck(r: TargetResult, step: Step, doc: RunDocument): Sample | null {
  const ref = capacityReference(r);
  const at = step.offeredRps!;
  const need = formatPercent(AT_SCALE_MIN_FRACTION, 0);
  if (ref === null) {
    return {
      ok: false,
      reason: `no capacity was measured (no sustainable rate, no closed-loop maximum), so no step can be called "at scale" (≥ ${need} of it)`,
      settle: 'run the closed-loop step (load.max) and rates up to the target\'s capacity (load.steps.rates)',
      brief: 'capacity not measured',
    };
  }
  const fraction = at / ref.rps;
  const what = ref.source === 'sustainable' ? 'sustainable rate' : 'closed-loop maximum';
  if (ref.lowerBound) {
    const closedBound = r.steps.some((s) => s.kind === 'max' && s.generator.bound);
    return {
      ok: false,
      reason:
        `the target's capacity was never reached: its ${what} is only known to be ≥ ${formatRps(ref.rps)} req/s ` +
        `(${closedBound ? 'the generator was the limit' : 'no step failed'}), so the highest sustained step, ${formatRps(at)} req/s, is at most ${formatPercent(Math.min(1, fraction), 0)} of it; ` +
        `"at scale" is judged only on a step at ≥ ${need} of a measured capacity`,
      settle: closedBound ? settleForGenerator(doc, ref.rps) : settleForScale(doc, 2 * ref.rps),
      brief: `capacity never reached (≥ ${formatRps(ref.rps)} req/s), so ${formatRps(at)} req/s is not known to be at scale`,
    };
  }
  if (fraction >= AT_SCALE_MIN_FRACTION) return null;
  return {
    ok: false,
    reason:
      `the highest step neither saturated nor generator-bound, ${formatRps(at)} req/s, is ${formatPercent(fraction, 0)} of the measured ${what} ` +
      `(${formatRps(ref.rps)} req/s); "at scale" is judged only on a step at ≥ ${need} of it`,
    settle: settleForScale(doc, ref.rps),
    brief: `highest sustained step ${formatRps(at)} req/s is ${formatPercent(fraction, 0)} of capacity (needs ≥ ${need})`,
  };
}

function scalarSample(v: number | null | undefined, what: string, r: TargetResult): Sample {
  return v === null || v === undefined ? { ok: false, reason: `repetition ${r.repetition}: ${what} was not measured`, brief: `${what} not measured` } : { ok: true, iv: exact(v) };
}

/**
 * Image size in MB. An image built on a stand-in base (air-gapped route) is measured and shown, but
 * it is not an image on the official base the article's figure is about, so it decides nothing.
 */
function imageSizeSample(r: TargetResult): Sample {
  const sample = scalarSample(r.image === null ? null : r.image.sizeBytes / 1_000_000, 'the image size', r);
  const standIns = (r.image?.bases ?? []).filter((b) => b.inFinalImage && b.source !== 'official' && b.source !== 'pull');
  if (!sample.ok || standIns.length === 0) return sample;
  return {
    ...sample,
    caveat: {
      reason: `built on ${standIns.map((b) => `${b.used} instead of the official ${b.official}`).join(', ')}, so the size is not that of the image the article describes`,
      settle: `build on the official bases (docker pull ${standIns.map((b) => b.official).join(' ')}; then httpbench build)`,
      brief: 'built on a stand-in base, not the official one',
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Combining repetitions (rule 3)

interface Judged {
  verdict: Verdict;
  reason: string;
  brief: string;
  settle?: string;
  measured: MeasuredFigure | null;
  measuredText: string;
}

function unusable(results: TargetResult[]): TargetResult[] {
  return results.filter((r) => !isUsable(r));
}

function judgeSamples(samples: Sample[], rule: ClaimRule, unit: MeasuredFigure['unit'], doc: RunDocument): Judged {
  const oks = samples.filter((s): s is Extract<Sample, { ok: true }> => s.ok);
  const measured = figureOf(oks, unit);
  const measuredText = measured ? describeFigure(measured) : 'not measured';
  const bad = samples.find((s): s is Extract<Sample, { ok: false }> => !s.ok);
  const range = ruleText(rule, unit);
  const short = measured ? shortFigure(measured) : 'nothing';
  const brief = measured ? briefFigure(measured) : null;
  const withFigure = (why: string) => (brief ? `${brief}: ${why}` : why);
  if (bad !== undefined) {
    const partial = oks.length > 0 ? ` (${oks.length} of ${samples.length} repetitions measured ${measuredText})` : '';
    const out: Judged = { verdict: 'inconclusive', reason: bad.reason + partial, brief: withFigure(bad.brief), measured, measuredText };
    if (bad.settle) out.settle = bad.settle;
    return out;
  }
  const caveat = oks.find((s) => s.caveat !== undefined)?.caveat;
  if (caveat) return { verdict: 'inconclusive', reason: `${caveat.reason} (measured ${measuredText})`, brief: withFigure(caveat.brief), settle: caveat.settle, measured, measuredText };
  const judgements = oks.map((s) => judgeInterval(rule, s.iv));
  const notes = [...new Set(oks.map((s) => s.note).filter((n): n is string => n !== undefined))];
  const noteText = notes.length > 0 ? `; ${notes.join('; ')}` : '';
  const boundReason = oks.find((s) => s.boundReason !== undefined)?.boundReason;
  const asBound = boundReason ? ` even as ${measured?.bound === 'upper' ? 'an upper' : 'a lower'} bound` : '';
  if (judgements.every((j) => j === 'confirmed')) {
    return { verdict: 'confirmed', reason: `${short} satisfies ${range}${asBound}${noteText}`, brief: `${brief ?? short} meets ${range}`, measured, measuredText };
  }
  if (judgements.every((j) => j === 'refuted')) {
    return { verdict: 'refuted', reason: `${short} fails ${range}${asBound}${noteText}`, brief: `${brief ?? short} fails ${range}`, measured, measuredText };
  }
  if (judgements.includes('straddles')) {
    // Only bounded (not exact) intervals straddle on their own: the generator was the limit.
    // The rate the generator reached, when the figure is one (a ratio's is not: the run's own then).
    const top = unit === 'req/s' ? Math.max(...oks.map((s) => (Number.isFinite(s.iv.lo) ? s.iv.lo : 0))) : undefined;
    return {
      verdict: 'inconclusive',
      reason: `the generator was the limit (${boundReason ?? 'generator-bound'}), so only ${short} is known — that does not decide ${range}${noteText}`,
      brief: withFigure(`only a bound (the generator was the limit), undecided against ${range}`),
      settle: settleForGenerator(doc, top),
      measured,
      measuredText,
    };
  }
  return {
    verdict: 'inconclusive',
    reason: `repetitions straddle the threshold: ${measuredText} spans ${range} (${judgements.filter((j) => j === 'confirmed').length} of ${judgements.length} repetitions satisfy it)${noteText}`,
    brief: withFigure(`repetitions fall on both sides of ${range}`),
    settle: settleForSpread(doc),
    measured,
    measuredText,
  };
}

const BOUND_PREFIX: Record<MeasuredFigure['bound'], string> = { exact: '', lower: '≥ ', upper: '≤ ', unknown: '~ ' };

/** The figure for a reason sentence: bound mark, median, and the rate/histogram it comes from. */
function shortFigure(f: MeasuredFigure): string {
  const prefix = BOUND_PREFIX[f.bound];
  const extras: string[] = [];
  if (f.n > 1) extras.push(`median of ${f.n}`);
  if (f.atOfferedRps) extras.push(`at ${f.atOfferedRps.map(formatRps).join('/')} req/s`);
  if (f.latencySource) extras.push(f.latencySource);
  return `${prefix}${formatWithUnit(f.value, f.unit)}${extras.length > 0 ? ` (${extras.join(', ')})` : ''}`;
}

function figureOf(oks: Array<Extract<Sample, { ok: true }>>, unit: MeasuredFigure['unit']): MeasuredFigure | null {
  if (oks.length === 0) return null;
  // A lower bound [v, ∞) is shown as v even when v is 0 (a closed-loop step that completed nothing):
  // its other end is not a figure, and an Infinity would reach verdicts.json.
  const values = oks.map((s) => s.point ?? (Number.isFinite(s.iv.lo) && (s.iv.lo > 0 || s.iv.hi === s.iv.lo || s.iv.hi === Infinity) ? s.iv.lo : s.iv.hi));
  const sp = spreadOf(values)!;
  const unknown = oks.some((s) => s.iv.hi === Infinity && s.iv.lo === 0 && s.point !== undefined);
  const lower = oks.some((s) => s.iv.hi === Infinity);
  const upper = oks.some((s) => s.iv.lo !== s.iv.hi && s.iv.hi !== Infinity);
  const sources = new Set(oks.map((s) => s.latencySource).filter((x) => x !== undefined));
  const rates = [...new Set(oks.map((s) => s.offeredRps).filter((x): x is number => x !== undefined))].sort((a, b) => a - b);
  const figure: MeasuredFigure = {
    value: sp.median,
    unit,
    min: sp.min,
    max: sp.max,
    relativeSpread: sp.relativeSpread,
    n: sp.n,
    bound: unknown || (lower && upper) ? 'unknown' : lower ? 'lower' : upper ? 'upper' : 'exact',
  };
  if (sources.size > 0) figure.latencySource = sources.size > 1 ? 'mixed' : [...sources][0]!;
  if (rates.length > 0) figure.atOfferedRps = rates;
  return figure;
}

/** The figure for a one-sentence summary: bound mark, median, unit, and the rate it was read at. */
export function briefFigure(f: MeasuredFigure): string {
  const at = f.atOfferedRps ? ` @ ${f.atOfferedRps.length === 1 ? formatRps(f.atOfferedRps[0]!) : `${formatRps(f.atOfferedRps[0]!)}–${formatRps(f.atOfferedRps.at(-1)!)}`} req/s` : '';
  return `${BOUND_PREFIX[f.bound]}${briefValue(f.value, f.unit)}${at}`;
}

/** A value with its unit and at most four significant digits (the summary is not the place for 1,887.23 ms). */
export function briefValue(v: number, unit: MeasuredFigure['unit']): string {
  if (unit === 'ms') return `${formatNumber(v, v >= 100 ? 0 : v >= 10 ? 1 : v >= 1 ? 2 : 3)} ms`;
  return formatWithUnit(v, unit);
}

/** The figure for a summary cell: bound mark, median, range when repetitions differ, rate/histogram. */
function compactFigure(c: ConfigurationVerdict): string {
  const f = c.measured;
  if (f === null) return c.measuredText;
  const prefix = BOUND_PREFIX[f.bound];
  let text = `${prefix}${formatWithUnit(f.value, f.unit)}`;
  if (f.n > 1 && f.min !== f.max) text += ` (${formatWithUnit(f.min, f.unit)} – ${formatWithUnit(f.max, f.unit)}, n=${f.n})`;
  const extras: string[] = [];
  if (f.atOfferedRps) extras.push(`@ ${f.atOfferedRps.map(formatRps).join('/')} req/s`);
  if (f.latencySource) extras.push(f.latencySource);
  if (extras.length > 0) text += ` ${extras.join(', ')}`;
  if (f.unit === 'fraction') text = c.measuredText;
  return text;
}

export function describeFigure(f: MeasuredFigure): string {
  const prefix = BOUND_PREFIX[f.bound];
  let text = `${prefix}${formatWithUnit(f.value, f.unit)}`;
  if (f.n > 1) text += ` (median of ${f.n}, range ${formatWithUnit(f.min, f.unit)} – ${formatWithUnit(f.max, f.unit)}, spread ${formatPercent(f.relativeSpread)})`;
  const extras: string[] = [];
  if (f.atOfferedRps) extras.push(`at ${f.atOfferedRps.map(formatRps).join('/')} req/s offered`);
  if (f.latencySource) extras.push(f.latencySource);
  if (f.bound === 'lower') extras.push('generator-bound: a lower bound');
  if (f.bound === 'upper') extras.push('an upper bound: the denominator was generator-bound');
  if (f.bound === 'unknown') extras.push('both figures were generator-bound: their ratio is not bounded either way');
  if (extras.length > 0) text += ` [${extras.join(', ')}]`;
  return text;
}

// ---------------------------------------------------------------------------------------------
// Per-claim evaluation

function groupsOf(doc: RunDocument, target: string): Group[] {
  return groupTargets(doc).filter((g) => g.name === target);
}

function configurationVerdict(claim: Claim, doc: RunDocument, groups: Group[], label: string, samples: () => Sample[]): ConfigurationVerdict {
  const unit = unitOf(claim.metric);
  const configurations = groups.map((g) => `${g.name}/${g.configuration}`);
  const cpus = groups.length > 0 ? Math.min(...groups.flatMap((g) => g.results.map((r) => r.cpus))) : null;
  const all = groups.flatMap((g) => g.results);
  if (notRunByDesign(all)) {
    // Rule 8: never run (e.g. identical to another configuration on this CPU budget) — not a failure.
    const reasons = [...new Set(groups.flatMap((g) => g.results.map((r) => `${g.name}/${g.configuration}: ${r.reason ?? 'skipped'}`)))];
    return { configurations, label, cpus, measured: null, measuredText: 'not run', verdict: 'inconclusive', reason: `not run — ${reasons.join('; ')}`, notRun: true, brief: 'not run' };
  }
  const failed = groups.flatMap((g) => unusable(g.results).map((r) => `${g.name}/${g.configuration} repetition ${r.repetition} ${r.status}${r.reason ? `: ${r.reason}` : ''}`));
  if (failed.length > 0) {
    return {
      configurations,
      label,
      cpus,
      measured: null,
      measuredText: 'not measured',
      verdict: 'inconclusive',
      reason: failed.join('; '),
      settle: `fix the failure named in the reason, then run again: httpbench run --scenario ${doc.scenarioFile ?? `scenarios/${doc.scenario.name}.yaml`}`,
      brief: 'a repetition failed or was interrupted',
    };
  }
  const judged = judgeSamples(samples(), effectiveRule(claim), unit, doc);
  const out: ConfigurationVerdict = { configurations, label, cpus, measured: judged.measured, measuredText: judged.measuredText, verdict: judged.verdict, reason: judged.reason, brief: judged.brief };
  if (judged.settle) out.settle = judged.settle;
  // Rule 6: an absolute figure from a smaller machine than the claim needs says nothing about it.
  if (claim.hardwareDependent && cpus !== null && cpus < claim.minTargetCpus) {
    const target = groups[0]?.name ?? '';
    const figure = judged.measured ? briefFigure(judged.measured) : 'nothing measured';
    if (judged.verdict !== 'inconclusive') out.reason = `measured on ${cpus} CPU(s); the article's figure needs ≥ ${claim.minTargetCpus} (on this budget: ${judged.reason})`;
    out.verdict = 'inconclusive';
    out.brief = `${figure}: on ${cpus} CPU${cpus === 1 ? '' : 's'}, the article's figure needs ≥ ${claim.minTargetCpus} target CPUs${judged.verdict === 'inconclusive' && judged.measured?.bound === 'lower' ? ' (and the generator was the limit)' : ''}`;
    out.settle = settleForCpus(doc, target, claim.minTargetCpus, unit === 'req/s' ? articleValue(claim.rule) : null);
  }
  return out;
}

/** The article's figure a rule is built on (the top of a range): what hardware estimates aim at. */
function articleValue(rule: ClaimRule): number {
  return rule.op === 'between' ? rule.max : rule.value;
}

/** An inconclusive verdict for something that was not measured at all. */
function notMeasured(label: string, configurations: string[], reason: string, settle: string): ConfigurationVerdict {
  return { configurations, label, cpus: null, measured: null, measuredText: 'not measured', verdict: 'inconclusive', reason, settle, brief: 'not measured' };
}

function missing(label: string, configurations: string[], what: string): ConfigurationVerdict {
  return notMeasured(label, configurations, `no results for ${what}`, `include ${what} in the scenario and run it`);
}

/** Repetitions paired by index (A B B A ordering keeps a pair close in time). */
function pairedSamples(num: Group, den: Group, value: (r: TargetResult) => Sample): Sample[] {
  const out: Sample[] = [];
  for (const a of num.results) {
    const b = den.results.find((x) => x.repetition === a.repetition);
    if (b === undefined) {
      out.push({ ok: false, reason: `repetition ${a.repetition} of ${den.name}/${den.configuration} is missing`, brief: 'a repetition is missing' });
      continue;
    }
    const sa = value(a);
    const sb = value(b);
    if (!sa.ok) out.push(sa);
    else if (!sb.ok) out.push(sb);
    else if (sb.iv.lo <= 0) out.push({ ok: false, reason: `${den.name}/${den.configuration} measured 0; a ratio is undefined`, brief: 'denominator measured 0' });
    else {
      // Interval division: [a.lo / b.hi, a.hi / b.lo]; the point is the ratio of the measured figures.
      const s: Sample = { ok: true, iv: { lo: sa.iv.lo / sb.iv.hi, hi: sa.iv.hi / sb.iv.lo }, point: sa.iv.lo / sb.iv.lo };
      const bound = sa.boundReason ?? sb.boundReason;
      if (bound !== undefined) s.boundReason = bound;
      // A caveat on either side (a contended step, say) holds for their ratio too.
      const caveat = sa.caveat ?? sb.caveat;
      if (caveat !== undefined) s.caveat = caveat;
      out.push(s);
    }
  }
  return out;
}

function ratioVerdicts(claim: Claim, doc: RunDocument, numerator: string, denominator: string, pairs: Array<{ numerator: string; denominator: string }> | undefined, value: (r: TargetResult) => Sample): ConfigurationVerdict[] {
  const nums = groupsOf(doc, numerator);
  const dens = groupsOf(doc, denominator);
  const all = pairs ?? nums.flatMap((n) => dens.map((d) => ({ numerator: n.configuration, denominator: d.configuration })));
  // A registry pairs configurations of several scenarios (e.g. both stores); a pair neither side of
  // which this run's scenario defines (or measured) belongs to another scenario and is left out,
  // unless nothing else remains. A defined but unmeasured side still counts as missing.
  const defined = (target: string, groups: Group[], id: string) =>
    groups.some((g) => g.configuration === id) || doc.scenario.targets.some((t) => t.name === target && t.configurations.some((c) => c.id === id));
  const present = all.filter((p) => defined(numerator, nums, p.numerator) || defined(denominator, dens, p.denominator));
  const list = present.length > 0 ? present : all;
  if (list.length === 0) return [missing(`${numerator} vs ${denominator}`, [numerator, denominator], nums.length === 0 ? `target '${numerator}'` : `target '${denominator}'`)];
  return list.map((p) => {
    const n = nums.find((g) => g.configuration === p.numerator);
    const d = dens.find((g) => g.configuration === p.denominator);
    const label = `${p.numerator} vs ${p.denominator}`;
    const names = [`${numerator}/${p.numerator}`, `${denominator}/${p.denominator}`];
    if (n === undefined) return missing(label, names, names[0]!);
    if (d === undefined) return missing(label, names, names[1]!);
    return configurationVerdict(claim, doc, [n, d], label, () => pairedSamples(n, d, value));
  });
}

function singleVerdicts(claim: Claim, doc: RunDocument, target: string, value: (r: TargetResult) => Sample): ConfigurationVerdict[] {
  const groups = groupsOf(doc, target);
  if (groups.length === 0) return [missing(target, [target], `target '${target}'`)];
  return groups.map((g) => configurationVerdict(claim, doc, [g], g.configuration, () => g.results.map(value)));
}

function byConfiguration(claim: Claim, doc: RunDocument): ConfigurationVerdict[] {
  const m = claim.metric;
  switch (m.kind) {
    case 'maxThroughputRps':
      return singleVerdicts(claim, doc, m.target, maxThroughputSample);
    case 'throughputRatio':
      return ratioVerdicts(claim, doc, m.numerator, m.denominator, m.pairs, maxThroughputSample);
    case 'latencyAtRateMs':
      return singleVerdicts(claim, doc, m.target, (r) => latencyAtRateSample(r, m, effectiveRule(claim), doc));
    case 'latencyAtCapacityMs':
      return singleVerdicts(claim, doc, m.target, (r) => latencyAtCapacitySample(r, m, effectiveRule(claim), doc));
    case 'imageSizeMB':
      return singleVerdicts(claim, doc, m.target, imageSizeSample);
    case 'coldStartMs':
      return singleVerdicts(claim, doc, m.target, (r) => scalarSample(r.coldStartMs, 'the cold start', r));
    case 'memoryPeakRatio':
      return ratioVerdicts(claim, doc, m.numerator, m.denominator, m.pairs, (r) => scalarSample(r.memory?.peakBytes, 'peak memory', r));
    case 'handlerLinesReduction':
      return [linesVerdict(claim, doc, m.fewer, m.more)];
  }
}

function linesVerdict(claim: Claim, doc: RunDocument, fewer: string, more: string): ConfigurationVerdict {
  const lines = doc.source?.handlerLines ?? {};
  const f = lines[fewer];
  const m = lines[more];
  const label = `${fewer} vs ${more} handler`;
  const configurations = [`${fewer} (handler source)`, `${more} (handler source)`];
  if (f === undefined || m === undefined || m === 0) {
    const which = [f === undefined ? fewer : null, m === undefined || m === 0 ? more : null].filter(Boolean).join(' and ');
    const why = [fewer, more].flatMap((n) => (doc.source?.notCounted?.[n] ? [`${n}: ${doc.source.notCounted[n]}`] : []));
    return notMeasured(
      label,
      configurations,
      `handler line counts were not recorded for ${which}${why.length ? ` (${why.join('; ')})` : ''}`,
      'list the handler files in each target\'s targets/<name>/target.yaml, or set `handler:` in the scenario',
    );
  }
  const judged = judgeSamples([{ ok: true, iv: exact(1 - f / m) }], effectiveRule(claim), 'fraction', doc);
  return {
    brief: `${f} vs ${m} lines, ${judged.brief.replace(/^(\S+ %)/, '$1 fewer')}`,
    configurations,
    label,
    cpus: null,
    measured: judged.measured,
    measuredText: `${judged.measuredText} (${f} vs ${m} non-blank, non-comment lines)`,
    verdict: judged.verdict,
    reason: `${fewer} has ${f} lines, ${more} ${m}: ${judged.reason.replace(/^(\S+ %)/, '$1 fewer')}`,
  };
}

/**
 * Rule 7: configurations agree → their verdict; otherwise inconclusive, naming each. The reason
 * repeats measurements only where they explain an inconclusive verdict; the figures are in `measured`.
 */
function overall(list: ConfigurationVerdict[], rule: string): { verdict: Verdict; reason: string; settle?: string } {
  // Configurations that disagree (one confirmed, one refuted) are the finding; a run of one setup judges it alone.
  const disagree = list.some((c) => c.verdict === 'confirmed') && list.some((c) => c.verdict === 'refuted');
  const settle =
    list.find((c) => c.verdict === 'inconclusive' && c.settle)?.settle ??
    (disagree ? `the configurations disagree and the article names none: judge one setup alone, e.g. memory only: npx httpbench run --scenario scenarios/three.yaml` : undefined);
  const withSettle = (o: { verdict: Verdict; reason: string }) => (settle ? { ...o, settle } : o);
  const kinds = new Set(list.map((c) => c.verdict));
  const labels = (v: Verdict) => list.filter((c) => c.verdict === v).map((c) => c.label);
  const inconclusiveReasons = list.filter((c) => c.verdict === 'inconclusive').map((c) => (list.length === 1 ? c.reason : `${c.label}: ${c.reason}`));
  if (list.length === 1) return withSettle({ verdict: list[0]!.verdict, reason: list[0]!.reason });
  if (kinds.size === 1) {
    const verdict = list[0]!.verdict;
    if (verdict === 'inconclusive') return withSettle({ verdict, reason: inconclusiveReasons.join('; ') });
    return withSettle({ verdict, reason: `every configuration (${labels(verdict).join(', ')}) ${verdict === 'confirmed' ? 'satisfies' : 'fails'} ${rule}` });
  }
  const parts = (['confirmed', 'refuted', 'inconclusive'] as const).filter((v) => labels(v).length > 0).map((v) => `${v} for ${labels(v).join(', ')}`);
  const conclusive = list.filter((c) => c.verdict !== 'inconclusive').map((c) => `${c.label} ${c.verdict === 'confirmed' ? 'satisfies' : 'fails'} ${rule}`);
  const detail = [...conclusive, ...inconclusiveReasons].join('; ');
  return withSettle({ verdict: 'inconclusive', reason: `depends on the configuration — ${parts.join('; ')}. ${detail}` });
}

/** The longest one-sentence summary a claim gets (the full reasoning is one click away). */
export const SUMMARY_MAX_CHARS = 200;

/** Cuts at a word boundary and marks the cut; the full reason is in `reason`. */
function clip(text: string, max = SUMMARY_MAX_CHARS): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[;,:—\s]+$/, '')}…`;
}

/**
 * One sentence for the claims table: the figure(s) and what decided the verdict, at most
 * SUMMARY_MAX_CHARS. Configurations that agree share one clause; configurations that differ each
 * get theirs (label: brief), longest first dropped to a count when they do not fit.
 */
function summaryOf(list: ConfigurationVerdict[], verdict: Verdict, rule: string, smallest?: ConfigurationVerdict): string {
  const ran = list.filter((c) => !c.notRun);
  const notRun = list.filter((c) => c.notRun).map((c) => c.label);
  const tail = notRun.length > 0 ? ` (${notRun.join(', ')} not run)` : '';
  if (ran.length === 0) return clip(`nothing measured${tail}`);
  if (smallest !== undefined) return clip(`smallest: ${smallest.label} ${smallest.brief}`);
  if (ran.length === 1) return clip(`${list.length > 1 ? `${ran[0]!.label}: ` : ''}${ran[0]!.brief}${tail}`);
  const figures = ran.map((c) => `${c.label} ${c.measured ? briefFigure(c.measured) : c.measuredText}`).join(', ');
  const conclusive = ran.every((c) => c.verdict === verdict && verdict !== 'inconclusive');
  if (conclusive) {
    const all = `${figures}: all ${verdict === 'confirmed' ? 'meet' : 'fail'} ${rule}${tail}`;
    return all.length <= SUMMARY_MAX_CHARS ? all : clip(`all ${ran.length} configurations ${verdict === 'confirmed' ? 'meet' : 'fail'} ${rule}${tail}`);
  }
  // Open for the same cause everywhere: the figures, then the cause once.
  const causes = new Set(ran.map((c) => (c.measured && c.brief.startsWith(`${briefFigure(c.measured)}: `) ? c.brief.slice(briefFigure(c.measured).length + 2) : null)));
  const [cause] = causes;
  if (causes.size === 1 && cause) {
    const shared = `${figures}: ${cause}${tail}`;
    if (shared.length <= SUMMARY_MAX_CHARS) return shared;
  }
  const each = ran.map((c) => `${c.label}: ${c.brief}`).join('; ');
  if (each.length <= SUMMARY_MAX_CHARS) return each;
  // Too long for one sentence: the verdict per configuration, with the first open one's cause.
  const by = (['confirmed', 'refuted', 'inconclusive'] as const)
    .map((v) => ({ v, labels: ran.filter((c) => c.verdict === v).map((c) => c.label) }))
    .filter((x) => x.labels.length > 0)
    .map((x) => `${x.v} for ${x.labels.join(', ')}`);
  const open = ran.find((c) => c.verdict === 'inconclusive');
  return clip(`${by.join('; ')}${open ? ` — ${open.label}: ${open.brief}` : ''}`);
}

/** "As small as": the claim is about the smallest configuration measured. */
function smallestMeasured(list: ConfigurationVerdict[]): ConfigurationVerdict | undefined {
  const measured = list.filter((c) => !c.notRun && c.measured !== null);
  if (measured.length === 0) return undefined;
  return measured.reduce((a, b) => (b.measured!.value < a.measured!.value ? b : a));
}

function withNotRun(o: { verdict: Verdict; reason: string; settle?: string }, list: ConfigurationVerdict[]) {
  const notRun = list.filter((c) => c.notRun).map((c) => c.label);
  return { ...o, reason: `${o.reason} (holds only for the configurations that ran; ${notRun.join(', ')} not run — see its reason)` };
}

function hardwareNote(doc: RunDocument, list: ConfigurationVerdict[]): string {
  const e = doc.environment;
  const cpus = [...new Set(list.map((c) => c.cpus).filter((c): c is number => c !== null))].sort((a, b) => a - b);
  return (
    `measured on ${e.cpuModel} (${e.cpuCount} logical CPUs, ${e.arch}, ${e.os}); ` +
    `target CPUs per configuration: ${cpus.length > 0 ? cpus.join('/') : 'unknown'}; ` +
    `cpusets target ${e.cpusets.target ?? 'unpinned'}, generator ${e.cpusets.generator ?? 'unpinned'}`
  );
}

/** For an absolute throughput claim: this target's best configuration ÷ every other target's best. */
function throughputRatioNote(doc: RunDocument, target: string): string | undefined {
  const best = new Map<string, { configuration: string; rps: number; lower: boolean }>();
  for (const g of groupTargets(doc)) {
    const values = g.results.filter(isUsable).map((r) => r.maxThroughputRps).filter((v): v is number => v !== null);
    if (values.length === 0) continue;
    const rps = median(values)!;
    const lower = g.results.some((r) => r.steps.some((s) => s.kind === 'max' && s.generator.bound));
    const cur = best.get(g.name);
    if (cur === undefined || rps > cur.rps) best.set(g.name, { configuration: g.configuration, rps, lower });
  }
  const mine = best.get(target);
  if (mine === undefined) return undefined;
  // A target that completed nothing has no ratio to stand beside (x ÷ 0 is no figure).
  const others = [...best.entries()].filter(([name, o]) => name !== target && o.rps > 0).sort((a, b) => a[0].localeCompare(b[0], 'en'));
  if (others.length === 0) return undefined;
  return others
    .map(([name, o]) => {
      const ratio = mine.rps / o.rps;
      // A lower-bounded numerator makes the ratio a lower bound; a lower-bounded denominator, an upper bound.
      const mark = mine.lower && !o.lower ? '≥ ' : o.lower && !mine.lower ? '≤ ' : mine.lower && o.lower ? '~ ' : '';
      return `${target}/${name} best-to-best: ${mark}${formatRatio(ratio)} (${mine.configuration} ${formatRps(mine.rps)} req/s ÷ ${o.configuration} ${formatRps(o.rps)} req/s)`;
    })
    .join('; ');
}

export function evaluateClaim(claim: Claim, doc: RunDocument): ClaimVerdict {
  const unit = unitOf(claim.metric);
  const list = byConfiguration(claim, doc);
  const rule = ruleText(effectiveRule(claim), unit);
  // Rule 8: the verdict is about the configurations that ran; those never run are named, not counted.
  const ran = list.filter((c) => !c.notRun);
  let o = ran.length > 0 && ran.length < list.length ? withNotRun(overall(ran, rule), list) : overall(list, rule);
  // Rule 11, "as small as": judged on the smallest configuration measured; the others are listed.
  const smallest = claim.reading?.wording === 'as-small-as' ? smallestMeasured(list) : undefined;
  if (smallest !== undefined) {
    const others = list.filter((c) => c !== smallest).map((c) => `${c.label}: ${c.verdict} (${c.brief})`);
    o = {
      verdict: smallest.verdict,
      reason: `"as small as" is about the smallest configuration measured, ${smallest.label}: ${smallest.reason}${others.length > 0 ? `; the others: ${others.join('; ')}` : ''}`,
      ...(smallest.settle ? { settle: smallest.settle } : {}),
    };
  }
  const verdict: ClaimVerdict = {
    id: claim.id,
    quote: claim.quote,
    articleFigure: claim.articleFigure,
    ruleText: claimRuleText(claim),
    reading: readingText(claim),
    verdict: o.verdict,
    summary: summaryOf(list, o.verdict, rule, smallest),
    band: bandOf(claim, unit),
    byConfiguration: list,
    measured: list.map((c) => (list.length === 1 ? compactFigure(c) : `${c.label}: ${compactFigure(c)}`)).join('; '),
    reason: o.reason,
  };
  if (o.settle) verdict.settle = o.settle;
  if (claim.hardwareDependent) verdict.hardwareNote = hardwareNote(doc, list);
  if (claim.metric.kind === 'maxThroughputRps') {
    const ratio = throughputRatioNote(doc, claim.metric.target);
    if (ratio) verdict.ratio = ratio;
  }
  return verdict;
}

/** Verdicts for every claim embedded in the run document, in registry order. */
export function evaluateClaims(doc: RunDocument): ClaimVerdict[] {
  return (doc.claims ?? []).map((claim) => evaluateClaim(claim, doc));
}

// Compile-time: these interfaces and verdicts.json's zod schema (src/schema/verdicts.ts) are the same
// shape. A field added here without adding it there (or the other way round) fails `tsc`. The check
// lives here, not in the schema, so the schema layer never imports analysis.
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const sameFigure: Same<MeasuredFigure, z.infer<typeof MeasuredFigureSchema>> = true;
const sameConfiguration: Same<ConfigurationVerdict, z.infer<typeof ConfigurationVerdictSchema>> = true;
const sameClaim: Same<ClaimVerdict, z.infer<typeof ClaimVerdictSchema>> = true;
void [sameFigure, sameConfiguration, sameClaim];

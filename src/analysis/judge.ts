/**
 * Where a figure is JUDGED: here, the one place (where it is READ: metrics.ts). Claims (claims.ts), the scenario's thresholds
 * (thresholds.ts) and compare's gate read their figures through the metric registry (metrics.ts and
 * the readers it names) and decide them here, so the same measurement can never get two answers.
 *
 * A figure is an interval, not a point (claims rule 1): an exact measurement is [v, v]; a figure the
 * instrument can only bound is [v, ∞) (the generator was the limit, only uncorrected latency, more
 * failures than the percentile's tail) or [v − floor, v] (the instrument's own share of a latency).
 * A rule holds for an interval when it holds for every value in it, fails when it fails for every
 * value, and otherwise the interval straddles it: the measurement cannot decide.
 */
import type { ClaimRule } from '../schema/claims.ts';
import type { Threshold } from '../scenario/schema.ts';
import { median } from '../util/stats.ts';

/** Every value the true figure may take, in the metric's unit; `hi` may be Infinity. */
export interface Interval {
  lo: number;
  hi: number;
}

export function exact(v: number): Interval {
  return { lo: v, hi: v };
}

/**
 * A rule over one figure: a claim's (`lt` and `gt` open, `between` closed, `approx` = between
 * v(1 − t) and v(1 + t)) or a threshold's comparison (`<`, `<=`, `>`, `>=` against `value`).
 */
export type Rule = ClaimRule | { op: Threshold['op']; value: number };

/** What an interval says about a rule. */
export type Judgement = 'holds' | 'fails' | 'straddles';

/** The accepted range of a rule, with open ends as ±Infinity. */
export function ruleRange(rule: Rule): [number, number] {
  switch (rule.op) {
    case 'lt':
    case '<':
    case '<=':
      return [-Infinity, rule.value];
    case 'gt':
    case '>':
    case '>=':
      return [rule.value, Infinity];
    case 'between':
      return [rule.min, rule.max];
    case 'approx': {
      const t = rule.tolerance ?? 0;
      return [rule.value * (1 - t), rule.value * (1 + t)];
    }
  }
}

/** True when one value satisfies the rule ("< 50" is refuted by exactly 50; "<= 50" is not). */
export function satisfies(rule: Rule, v: number): boolean {
  const [min, max] = ruleRange(rule);
  switch (rule.op) {
    case 'lt':
    case '<':
      return v < max;
    case 'gt':
    case '>':
      return v > min;
    case '<=':
      return v <= max;
    case '>=':
      return v >= min;
    default:
      return v >= min && v <= max;
  }
}

/** The rule over every value of the interval: holds for all, fails for all, or straddles it. */
export function judgeInterval(rule: Rule, iv: Interval): Judgement {
  const loIn = satisfies(rule, iv.lo);
  const hiIn = satisfies(rule, iv.hi);
  if (loIn && hiIn) return 'holds';
  const [min, max] = ruleRange(rule);
  // One-sided rules are monotone: both ends outside means every value is.
  if (!Number.isFinite(min) || !Number.isFinite(max)) return !loIn && !hiIn ? 'fails' : 'straddles';
  // A range: the interval misses it entirely, or covers some of it.
  return iv.hi < min || iv.lo > max ? 'fails' : 'straddles';
}

/**
 * Measured, but what would decide the rule is out of the instrument's reach (a stand-in base image,
 * a contended step, the instrument's floor, generator pauses…): no verdict, with why, briefly and in
 * full, and what would settle it.
 */
export interface Caveat {
  reason: string;
  settle: string;
  brief: string;
}

/**
 * One repetition's reading of a metric: the interval the true figure lies in, or why there is none.
 * Claims and thresholds read every repetition into one of these, through the same readers.
 */
export type Reading =
  | {
      ok: true;
      /** The figure as measured: what reports show. */
      iv: Interval;
      /**
       * What the rule is judged on when wider than `iv`: latency of the completed requests when more
       * failed than the tail, or uncorrected latency, is only a lower bound [v, ∞) of the target's.
       */
      judged?: Interval;
      /** The measured figure itself when the interval's ends do not show it (a ratio of bounds). */
      point?: number;
      /** Why the interval is wider than the point, in a few words ("generator-bound: a lower bound"). */
      note?: string;
      latencySource?: 'corrected' | 'uncorrected';
      offeredRps?: number;
      /** Set when the figure is a bound because the generator was the limit: why it was. */
      boundReason?: string;
      /** Measured, but not the thing the rule is about: no verdict. */
      caveat?: Caveat;
    }
  | { ok: false; reason: string; settle?: string; /** What decided it, in a few words. */ brief: string };

export type GoodReading = Extract<Reading, { ok: true }>;
export type MissingReading = Extract<Reading, { ok: false }>;

/**
 * A caveat that matters only when it changes the answer: the wider interval `iv` straddles the rule
 * where the point `v` alone would not have. Returns the caveat to attach, or undefined.
 */
export function caveatIfUndecided(rule: Rule, iv: Interval, caveat: () => Caveat): Caveat | undefined {
  return judgeInterval(rule, iv) === 'straddles' ? caveat() : undefined;
}

/**
 * Repetitions combined by their median (thresholds: every figure in the reports is a median): the
 * interval [median of the lower ends, median of the upper ends], the median being monotone in each
 * value. Claims ask more (every repetition on the same side, rule 3) and judge each reading.
 */
export function medianInterval(readings: readonly GoodReading[]): Interval {
  return { lo: median(readings.map((s) => judgedOf(s).lo))!, hi: median(readings.map((s) => judgedOf(s).hi))! };
}

/** The interval a reading is judged on. */
export function judgedOf(reading: GoodReading): Interval {
  return reading.judged ?? reading.iv;
}

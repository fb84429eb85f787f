/**
 * A claim's rule as judged and as printed: the wording read (rule 12: effectiveRule), the rule's text,
 * the band the "article vs this run" chart draws, and the unit of each claim metric.
 */
import type { Claim, ClaimMetric, ClaimRule } from '../schema/claims.ts';
import { formatNumber } from '../util/format.ts';
import type { ClaimBand, MeasuredFigure, Range } from './claims-types.ts';
import { judgeInterval as judge, ruleRange, type Interval } from './judge.ts';

/** Rule 2, in a claim's words: the one judge (judge.ts) over every value of the interval. */
export function judgeInterval(rule: ClaimRule, iv: Interval): 'confirmed' | 'refuted' | 'straddles' {
  const j = judge(rule, iv);
  return j === 'holds' ? 'confirmed' : j === 'fails' ? 'refuted' : 'straddles';
}

/**
 * Rule 12: the rule a claim is judged by, once its wording is read. Approximate: every figure of the
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
export function bandOf(claim: Claim, unit: MeasuredFigure['unit']): ClaimBand {
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

export function unitOf(metric: ClaimMetric): MeasuredFigure['unit'] {
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

/**
 * Rule 3: a claim's repetitions combined into one verdict (all on the same side of the rule, or
 * inconclusive, saying why), and the measured figure in the words each report uses.
 */
import type { ClaimRule } from '../schema/claims.ts';
import type { RunDocument, TargetResult } from '../schema/run.ts';
import { formatNumber, formatPercent, formatRps, formatWithUnit } from '../util/format.ts';
import type { ConfigurationVerdict, MeasuredFigure, Verdict } from './claims-types.ts';
import { judgeInterval, ruleText } from './claims-rules.ts';
import { judgedOf, type GoodReading, type MissingReading, type Reading } from './judge.ts';
import { settleForGenerator, settleForSpread } from './settle.ts';
import { isUsable } from './step-rules.ts';
import { spreadOf } from './summary.ts';

export interface Judged {
  verdict: Verdict;
  reason: string;
  brief: string;
  settle?: string;
  measured: MeasuredFigure | null;
  measuredText: string;
}

export function unusable(results: TargetResult[]): TargetResult[] {
  return results.filter((r) => !isUsable(r));
}

export function judgeReadings(samples: Reading[], rule: ClaimRule, unit: MeasuredFigure['unit'], doc: RunDocument): Judged {
  const oks = samples.filter((s): s is GoodReading => s.ok);
  const measured = figureOf(oks, unit);
  const measuredText = measured ? describeFigure(measured) : 'not measured';
  const bad = samples.find((s): s is MissingReading => !s.ok);
  const range = ruleText(rule, unit);
  const short = measured ? shortFigure(measured) : 'nothing';
  const brief = measured ? briefFigure(measured) : null;
  const withFigure = (why: string) => (brief ? `${brief}: ${why}` : why);
  if (bad !== undefined) {
    // Some repetitions measured it and some did not: say which is which, so a figure never sits
    // beside a reason ("never offered") that holds only for the other repetitions.
    const missing = samples.length - oks.length;
    const out: Judged =
      oks.length > 0
        ? {
            verdict: 'inconclusive',
            reason: `${missing} of ${samples.length} repetitions: ${bad.reason}; ${oks.length} of ${samples.length} measured ${measuredText}`,
            brief: `${brief ?? short} in ${oks.length} of ${samples.length} repetitions; the others: ${bad.brief}`,
            measured,
            measuredText,
          }
        : { verdict: 'inconclusive', reason: bad.reason, brief: bad.brief, measured, measuredText };
    if (bad.settle) out.settle = bad.settle;
    return out;
  }
  const caveat = oks.find((s) => s.caveat !== undefined)?.caveat;
  if (caveat) return { verdict: 'inconclusive', reason: `${caveat.reason} (measured ${measuredText})`, brief: withFigure(caveat.brief), settle: caveat.settle, measured, measuredText };
  // Each repetition on the interval it is judged on (a bound when failures or the histogram make it one).
  const judgements = oks.map((s) => judgeInterval(rule, judgedOf(s)));
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

function figureOf(oks: GoodReading[], unit: MeasuredFigure['unit']): MeasuredFigure | null {
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
export function compactFigure(c: ConfigurationVerdict): string {
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

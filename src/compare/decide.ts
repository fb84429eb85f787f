/**
 * compare's decision for one metric, from the values of each side (the rule at the top of
 * compare.ts): beyond the threshold, beyond the repetitions' own spread, and confirmed by the
 * Mann–Whitney U test or, with too few runs for it, by non-overlapping ranges.
 */
import { spreadOf } from '../analysis/summary.ts';
import { mannWhitneyU, minimumPValue } from './mannwhitney.ts';
import type { ThresholdsPercent } from './thresholds.ts';
import type { ChangeVerdict, ComparisonMethod, MetricComparison, SideSummary } from './types.ts';

/** What a metric is (as in MetricComparison) plus the raw values of each side. */
export interface MetricInput extends Pick<MetricComparison, 'id' | 'label' | 'family' | 'unit' | 'direction' | 'offeredRps' | 'latency'> {
  baseline: number[];
  candidate: number[];
  /** Reason the metric must not be judged, or null. */
  notComparable: string | null;
  extraNotes?: string[];
}

/** One side's values: median, range and spread (analysis/summary.ts spreadOf, as percent). */
export function summarize(values: number[]): SideSummary {
  const sp = spreadOf(values);
  if (sp === null) return { values, median: null, min: null, max: null, spreadPercent: null };
  const spreadPercent = values.length >= 2 && sp.median !== 0 ? Math.abs(sp.relativeSpread) * 100 : null;
  return { values, median: sp.median, min: sp.min, max: sp.max, spreadPercent };
}

/** Applies the decision rule described at the top of this file to one metric. */
export function judge(ctx: { thresholds: ThresholdsPercent; alpha: number }, m: MetricInput): MetricComparison {
  const thresholdPercent = ctx.thresholds[m.family];
  const baseline = summarize(m.baseline);
  const candidate = summarize(m.candidate);
  const notes = [...(m.extraNotes ?? [])];
  const spreads = [baseline.spreadPercent, candidate.spreadPercent].filter((x): x is number => x !== null);
  const noisePercent = spreads.length ? Math.max(...spreads) : null;
  const result = (
    method: ComparisonMethod,
    verdict: ChangeVerdict,
    changePercent: number | null,
    pValue: number | null,
    judged: { detectablePercent: number; rangesOverlap: boolean } | null,
  ): MetricComparison => ({
    id: m.id,
    label: m.label,
    family: m.family,
    unit: m.unit,
    direction: m.direction,
    offeredRps: m.offeredRps,
    latency: m.latency,
    baseline,
    candidate,
    changePercent,
    thresholdPercent,
    noisePercent,
    detectablePercent: judged?.detectablePercent ?? null,
    rangesOverlap: judged?.rangesOverlap ?? null,
    pValue,
    method,
    verdict,
    notes,
  });

  const nB = m.baseline.length;
  const nC = m.candidate.length;
  const pValue = nB >= 2 && nC >= 2 ? mannWhitneyU(m.candidate, m.baseline).pValue : null;
  let changePercent: number | null = null;
  if (baseline.median !== null && candidate.median !== null) {
    if (baseline.median !== 0) changePercent = ((candidate.median - baseline.median) / Math.abs(baseline.median)) * 100;
    else if (candidate.median === 0) changePercent = 0;
  }

  if (m.notComparable) {
    notes.unshift(m.notComparable);
    return result('not-comparable', 'unchanged', changePercent, pValue, null);
  }
  if (nB === 0 || nC === 0) {
    notes.unshift(`not measured in the ${nB === 0 ? 'baseline' : 'candidate'}`);
    return result('not-comparable', 'unchanged', changePercent, pValue, null);
  }
  if (changePercent === null) {
    notes.unshift('baseline median is 0: relative change undefined');
    return result('not-comparable', 'unchanged', changePercent, pValue, null);
  }

  const size = Math.abs(changePercent);
  const beyondThreshold = size > thresholdPercent;
  const beyondNoise = noisePercent === null || size > noisePercent;
  const rangesOverlap = !(candidate.min! > baseline.max! || candidate.max! < baseline.min!);
  const tooNoisy = noisePercent !== null && noisePercent > thresholdPercent;
  // The smallest change that could clear both bars, rounded up so "±38 %" never promises more.
  const detectablePercent = Math.ceil(Math.max(thresholdPercent, noisePercent ?? 0));
  const testable = pValue !== null && minimumPValue(nB, nC) <= ctx.alpha;
  const method: ComparisonMethod = testable ? 'mann-whitney' : pValue !== null ? 'threshold-low-confidence' : 'threshold-only';
  // Too few runs for the test: the method column and a run-level warning say so (not repeated per row).
  const confirmed = testable ? pValue! < ctx.alpha : !rangesOverlap;
  const judged = { detectablePercent, rangesOverlap };

  if (beyondThreshold && beyondNoise && confirmed) {
    const better = m.direction === 'higher-is-better' ? changePercent > 0 : changePercent < 0;
    if (tooNoisy) notes.push(`spread ${noisePercent!.toFixed(1)} % is above the threshold, but the change clears it`);
    return result(method, better ? 'improved' : 'regressed', changePercent, pValue, judged);
  }
  if (beyondThreshold) {
    const moved = `median moved ${formatSigned(changePercent)} %`;
    if (!beyondNoise) notes.push(`${moved}, less than the repetitions' spread (${noisePercent!.toFixed(1)} %): within the noise`);
    else if (testable) notes.push(`${moved} but p = ${pValue!.toPrecision(2)} ≥ α = ${ctx.alpha}: within the noise`);
    else notes.push(`${moved} but the two sides' ranges overlap: within the noise`);
  }
  if (tooNoisy) {
    notes.push(`too noisy for the ${thresholdPercent} % threshold: smallest detectable change ±${detectablePercent} %`);
    return result(method, 'too-noisy', changePercent, pValue, judged);
  }
  return result(method, 'unchanged', changePercent, pValue, judged);
}

function formatSigned(n: number): string {
  return `${n >= 0 ? '+' : ''}${n.toFixed(1)}`;
}

/**
 * The judgement of an A/B run: per target/configuration, every metric of src/ab/metrics.ts judged on
 * the paired ratios candidate ÷ baseline (src/ab/paired.ts), plus the failure and capacity gate,
 * and the outcome the exit code follows. Pure.
 *
 * Verdict of a ratio metric, with the interval [lo, hi] of the median ratio and the threshold t
 * (percent, in the worse direction):
 * - regression: the whole interval is on the worse side of 1 AND the estimate is at least t worse;
 * - improvement: the same on the better side;
 * - unchanged: the interval lies within 1 ± t (a change of the threshold's size is ruled out);
 * - inconclusive: otherwise (the interval is too wide to rule a change of size t in or out), or too
 *   few comparable pairs for an interval at all.
 * Two bars for a regression, as in compare: a significant change smaller than the machine's A/A
 * wobble is never one.
 *
 * The gate, whatever the latency says: a candidate whose failures (non-2xx, timeouts, errors) pass
 * the scenario's budget where the baseline's did not, that saturates at a rate in more pairs than the
 * baseline beyond chance (exact sign test on the pairs where only one side saturated), or whose container failed during a trial
 * the baseline passed, is a regression. A group where no latency or throughput metric could be
 * decided (all generator-bound, too few pairs, nothing measured) is incomplete: exit 4, never 0.
 */
import { median } from '../util/stats.ts';
import { MAX_AB_TRIALS } from './args.ts';
import { metricDefs, readGate, readMetric, type MetricDef, type ThresholdKey } from './metrics.ts';
import { pairedRatioInterval, pairsToNarrow, type RatioInterval } from './paired.ts';
import type { AbResult, AbSettings, GroupResult, MetricResult, Trial, Verdict } from './schema.ts';

/**
 * Default thresholds, percent in the worse direction. Measured against (bench/README.md "A/B in one
 * job", duet, go-chi, 20 A/A runs on the quiet 2-vCPU VM): no false regression on any metric, and five
 * A/A readings whose intervals cleared 0 (p50 at 500 req/s +3.1 % and +1.6 %, max throughput +0.9 %,
 * +1.2 %, −1.3 %) were kept from being regressions by these bars alone; a +10 % p50 change was still
 * caught in 10 of 10 runs. Later series (same machine, 2026-12-03 18:59–20:41 UTC): 5 more go-chi and
 * 10 FastAPI A/A runs gave one false regression each (p95 at 500 req/s +6.6 % [+3.2, +12.9]; p99 at 500
 * req/s +17.0 % [+1.0, +39.2]) and 10 more FastAPI runs none; 10 FastAPI runs with the start-order coin
 * (2026-12-04) one more on p95 at 500 req/s (+8.6 % [+1.3, +16.8]), and 2 go-chi runs of 50 pairs one
 * on p99 at 500 req/s (+13.5 % [+0.2, +30.8]), and 5 more go-chi runs none: 4 in 62, two each on p95
 * and p99 at 500 req/s — within ≤ 1 in 20 per metric, but FastAPI's per-run noise component of p95
 * (3.4 %) leaves that bar little room. A −5 % max throughput was caught in 10 of 10 on FastAPI and on
 * go-chi; a +10 % p99 in 2 of 5 (the rest inconclusive: a p99 of 2 s steps swings ±10–40 % here, and 50
 * pairs still ±9–16 %). A tail bar above 5 % would not buy p99 power, only fewer of its rare false
 * alarms.
 */
export const DEFAULT_AB_THRESHOLDS: Record<ThresholdKey, number> = { p50: 5, p95: 5, p99: 5, maxThroughput: 3, throughput2xx: 2 };
export const AB_THRESHOLD_KEYS = Object.keys(DEFAULT_AB_THRESHOLDS) as ThresholdKey[];
export const DEFAULT_AB_CONFIDENCE = 0.95;

/** The verdict of a ratio interval (see the module comment). */
export function ratioVerdict(
  r: { ratio: number; ratioLow: number | null; ratioHigh: number | null },
  worse: 'higher' | 'lower',
  thresholdPercent: number,
): Verdict {
  const { ratio, ratioLow: lo, ratioHigh: hi } = r;
  if (lo === null || hi === null) return 'inconclusive';
  const t = thresholdPercent / 100;
  const up = lo > 1 && ratio >= 1 + t;
  const down = hi < 1 && ratio <= 1 - t;
  if (up) return worse === 'higher' ? 'regression' : 'improvement';
  if (down) return worse === 'higher' ? 'improvement' : 'regression';
  if (lo >= 1 - t && hi <= 1 + t) return 'unchanged';
  return 'inconclusive';
}

const pct = (ratio: number | null): number | null => (ratio === null ? null : (ratio - 1) * 100);
const fmtPct = (v: number | null): string => (v === null ? '?' : `${v >= 0 ? '+' : ''}${v.toFixed(1)} %`);

/**
 * The pairs a ratio metric is judged on: both sides' figures of every trial where both are
 * comparable and positive, and why the others were left out (phrase → count). One home for the rule,
 * shared by the verdict and bench:ab's noise analysis.
 */
export function pairedReadings(def: MetricDef, trials: readonly Trial[]): { baseline: number[]; candidate: number[]; notComparable: Map<string, number> } {
  const a: number[] = [];
  const b: number[] = [];
  const notComparable = new Map<string, number>();
  for (const t of trials) {
    const ra = readMetric(def, t.baseline.steps);
    const rb = readMetric(def, t.candidate.steps);
    if (!ra.comparable || !rb.comparable) {
      const why = !ra.comparable ? `baseline ${ra.reason}` : `candidate ${rb.reason}`;
      notComparable.set(why, (notComparable.get(why) ?? 0) + 1);
      continue;
    }
    // A ratio needs two positive figures; a side with no figure (nothing completed, nothing 2xx) is
    // the gate's business (failures, saturation), not a ratio's.
    if (ra.value !== null && rb.value !== null && ra.value > 0 && rb.value > 0) {
      a.push(ra.value);
      b.push(rb.value);
    } else {
      const why = ra.value === null || ra.value <= 0 ? 'baseline had no figure' : 'candidate had no figure';
      notComparable.set(why, (notComparable.get(why) ?? 0) + 1);
    }
  }
  return { baseline: a, candidate: b, notComparable };
}

/** One ratio metric over the trials of a group. */
export function judgeMetric(def: MetricDef, trials: readonly Trial[], settings: Pick<AbSettings, 'confidence' | 'thresholdsPercent'>): MetricResult {
  const threshold = settings.thresholdsPercent[def.threshold] ?? DEFAULT_AB_THRESHOLDS[def.threshold];
  const { baseline: a, candidate: b, notComparable } = pairedReadings(def, trials);
  const base = { id: def.id, label: def.label, rateRps: def.rateRps, kind: def.kind, thresholdPercent: threshold, pairs: a.length, baselineMedian: median(a), candidateMedian: median(b) };
  const skipped = [...notComparable].map(([why, n]) => `${n} pair(s) not comparable (${why})`).join('; ');
  if (a.length === 0) {
    return { ...base, verdict: 'inconclusive', changePercent: null, changeLowPercent: null, changeHighPercent: null, achievedConfidence: null, reason: skipped || 'no pair measured' };
  }
  const r = pairedRatioInterval(a, b, settings.confidence);
  const verdict = ratioVerdict(r, def.worse, threshold);
  const interval = r.ratioLow === null ? `no ${settings.confidence * 100} % interval from ${r.n} pair(s) (it needs ≥ 6)` : `${fmtPct(pct(r.ratioLow))} … ${fmtPct(pct(r.ratioHigh))}`;
  const why: Record<Verdict, string> = {
    regression: `${fmtPct(pct(r.ratio))} (${interval}), worse beyond the ${threshold} % threshold`,
    improvement: `${fmtPct(pct(r.ratio))} (${interval}), better beyond the ${threshold} % threshold`,
    unchanged: `${fmtPct(pct(r.ratio))} (${interval}), within ±${threshold} %`,
    inconclusive: `${fmtPct(pct(r.ratio))} (${interval}): cannot rule a ${threshold} % change in or out${narrowHint(r, threshold)}`,
  };
  return {
    ...base,
    verdict,
    changePercent: pct(r.ratio),
    changeLowPercent: pct(r.ratioLow),
    changeHighPercent: pct(r.ratioHigh),
    achievedConfidence: r.achievedConfidence,
    reason: why[verdict] + (skipped ? `; ${skipped}` : ''),
  };
}

/**
 * What would decide an inconclusive metric: more pairs, if its interval is too wide (a p99 of short
 * steps here: its noise is sampling, bench/README.md "A/B in one job"); nothing to say without an
 * interval or when the interval is already narrow enough.
 */
function narrowHint(r: RatioInterval, threshold: number): string {
  if (r.ratioLow === null || r.ratioHigh === null) return '';
  const pairs = pairsToNarrow(r.n, r.ratioLow, r.ratioHigh, threshold);
  if (pairs === null) return '';
  const rerun = pairs <= MAX_AB_TRIALS ? `(--trials ${pairs})` : `(more than one run takes: --trials ≤ ${MAX_AB_TRIALS})`;
  return `; ≈ ${pairs} pairs ${rerun} would narrow it to ±${threshold} % if its spread is sampling alone`;
}

/** P(X ≥ k) for X ~ Binomial(n, ½): the exact one-sided sign test. */
export function signTestP(k: number, n: number): number {
  let tail = 0;
  let c = 1; // C(n, 0)
  for (let i = 0; i <= n; i++) {
    if (i >= k) tail += c;
    c = (c * (n - i)) / (i + 1);
  }
  return n === 0 ? 1 : tail / 2 ** n;
}

/** The failure and capacity gate at one rate (null: the closed-loop step, failures only). */
export function judgeGate(rateRps: number | null, trials: readonly Trial[], settings: Pick<AbSettings, 'errorRate'> & Partial<Pick<AbSettings, 'confidence'>>): MetricResult[] {
  const where = rateRps === null ? 'in the closed-loop step' : `at ${rateRps} req/s`;
  const measured = trials.map((t) => ({ a: readGate(t.baseline.steps, rateRps), b: readGate(t.candidate.steps, rateRps) })).filter((p) => p.a.measured && p.b.measured);
  const common = { rateRps, thresholdPercent: null, changePercent: null, changeLowPercent: null, changeHighPercent: null, achievedConfidence: null, pairs: measured.length };
  const id = rateRps === null ? 'max' : `rate-${rateRps}`;
  if (measured.length === 0) {
    return [{ ...common, id: `${id}/failures`, label: `failures ${where}`, kind: 'failures', verdict: 'inconclusive', baselineMedian: null, candidateMedian: null, reason: 'no trial measured both sides' }];
  }
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const fa = mean(measured.map((p) => p.a.failureRate));
  const fb = mean(measured.map((p) => p.b.failureRate));
  const budget = settings.errorRate;
  const f = (x: number) => `${(x * 100).toFixed(2)} %`;
  let failures: Verdict;
  if (fb > budget && (fa <= budget || fb - fa > budget)) failures = 'regression';
  else if (fa > budget && (fb <= budget || fa - fb > budget)) failures = 'improvement';
  else failures = 'unchanged';
  const out: MetricResult[] = [
    {
      ...common,
      id: `${id}/failures`,
      label: `failures ${where}`,
      kind: 'failures',
      verdict: failures,
      baselineMedian: fa,
      candidateMedian: fb,
      reason: `failed requests ${f(fb)} vs baseline ${f(fa)} (mean over ${measured.length} trial(s); budget ${f(budget)})`,
    },
  ];
  if (rateRps !== null) {
    const sa = measured.filter((p) => p.a.saturated).length;
    const sb = measured.filter((p) => p.b.saturated).length;
    // Paired, as everything else here: only pairs where exactly one side saturated say anything, and
    // their split must be beyond chance (exact one-sided sign test, McNemar's on discordant pairs).
    // "Saturated in 4 of 8 trials vs 3" on a busy machine is not a regression (bench:ab, A/A).
    const onlyB = measured.filter((p) => p.b.saturated && !p.a.saturated).length;
    const onlyA = measured.filter((p) => p.a.saturated && !p.b.saturated).length;
    const alpha = 1 - (settings.confidence ?? 0.95);
    const saturation: Verdict =
      onlyB > onlyA && signTestP(onlyB, onlyA + onlyB) < alpha ? 'regression' : onlyA > onlyB && signTestP(onlyA, onlyA + onlyB) < alpha ? 'improvement' : 'unchanged';
    out.push({
      ...common,
      id: `${id}/saturation`,
      label: `saturation ${where}`,
      kind: 'saturation',
      verdict: saturation,
      baselineMedian: sa / measured.length,
      candidateMedian: sb / measured.length,
      reason: `saturated in ${sb} of ${measured.length} trial(s) vs baseline ${sa} (candidate alone in ${onlyB} pair(s), baseline alone in ${onlyA}; sign test at ${(alpha * 100).toFixed(0)} %)`,
    });
  }
  return out;
}

/** Trials where the candidate's side failed (its container died, a step threw) but the baseline's did not. */
function candidateCrashes(trials: readonly Trial[]): MetricResult | null {
  const crashed = trials.filter((t) => t.candidate.error !== null && t.baseline.error === null);
  if (crashed.length === 0) return null;
  return {
    id: 'trials/errors',
    label: 'trials that failed',
    rateRps: null,
    kind: 'failures',
    verdict: 'regression',
    pairs: trials.length,
    changePercent: null,
    changeLowPercent: null,
    changeHighPercent: null,
    achievedConfidence: null,
    thresholdPercent: null,
    baselineMedian: 0,
    candidateMedian: crashed.length,
    reason: `the candidate failed in ${crashed.length} trial(s) the baseline completed: ${crashed[0]!.candidate.error}`,
  };
}

export function judgeGroup(target: string, configuration: string, trials: readonly Trial[], settings: AbSettings): GroupResult {
  const metrics: MetricResult[] = [];
  const crash = candidateCrashes(trials);
  if (crash) metrics.push(crash);
  for (const rate of [null, ...settings.ratesRps]) metrics.push(...judgeGate(rate, trials, settings));
  for (const def of metricDefs(settings.ratesRps)) metrics.push(judgeMetric(def, trials, settings));
  const decided = metrics.some((m) => (m.kind === 'latency' || m.kind === 'throughput') && m.verdict !== 'inconclusive');
  const failedGate = metrics.some((m) => (m.kind === 'failures' || m.kind === 'saturation') && m.verdict === 'regression');
  // A failing candidate is a regression even when nothing else could be judged (all its steps empty).
  const incomplete = decided || failedGate ? null : `no latency or throughput metric of ${target}/${configuration} could be judged (${summariseInconclusive(metrics)})`;
  return { target, configuration, metrics, incomplete };
}

function summariseInconclusive(metrics: readonly MetricResult[]): string {
  const first = metrics.find((m) => m.kind === 'latency' || m.kind === 'throughput');
  return first ? `e.g. ${first.label}: ${first.reason}` : 'nothing measured';
}

/** Groups in trial order, each judged; the outcome: incomplete wins over regression (redo first), as in compare. */
export function judgeAb(trials: readonly Trial[], settings: AbSettings): AbResult {
  const keys: string[] = [];
  for (const t of trials) {
    const k = `${t.target}/${t.configuration}`;
    if (!keys.includes(k)) keys.push(k);
  }
  const groups = keys.map((k) => {
    const members = trials.filter((t) => `${t.target}/${t.configuration}` === k);
    return judgeGroup(members[0]!.target, members[0]!.configuration, members, settings);
  });
  const reasons: string[] = [];
  for (const g of groups) {
    if (g.incomplete) reasons.push(g.incomplete);
    for (const m of g.metrics) if (m.verdict === 'regression') reasons.push(`${g.target}/${g.configuration} ${m.label}: ${m.reason}`);
  }
  if (groups.length === 0) reasons.push('no trial was measured');
  const outcome = groups.length === 0 || groups.some((g) => g.incomplete) ? 'incomplete' : reasons.length > 0 ? 'regression' : 'pass';
  return { outcome, reasons, groups };
}

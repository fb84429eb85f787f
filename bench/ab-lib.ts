/**
 * The noise of `httpbench ab`'s A/A runs, per metric, and what it would take to decide a change
 * (bench/ab.ts's report). Pure.
 *
 * Each A/A run gives one log(B ÷ A) per pair. Two sources can spread them: sampling within a run
 * (shrinks as 1/√pairs) and a component per run — per container instance, per host mood — that more
 * pairs in one run never average away. A one-way random-effects analysis of variance separates them:
 * F = (mean square between runs) ÷ (mean square within runs) is ≈ 1 when runs differ by sampling
 * alone. The projection then says how many pairs one run needs for a given power, or that no number
 * of pairs reaches it (the per-run component alone is too wide). Normal approximation on the mean of
 * the log-ratios: the judge's signed-rank interval is ~2 % wider for normal data and narrower for
 * heavy tails, so the projection is a guide to the order of magnitude, not a promise.
 */

export interface NoiseComponents {
  runs: number;
  pairs: number;
  /** Pooled sd of log(B ÷ A) between pairs of one run, × 100 (≈ percent for small values). */
  withinSdPercent: number;
  /** sd of the per-run component (random-effects estimate, 0 when the runs differ no more than sampling explains), × 100. */
  betweenSdPercent: number;
  /** Mean square between runs ÷ mean square within; null with fewer than 2 runs. */
  f: number | null;
}

/**
 * Components from log-ratios grouped by run. Runs with no pair are ignored; null when fewer than two
 * pairs in some run leave no within-run degree of freedom at all.
 */
export function noiseComponents(logRatiosPerRun: ReadonlyArray<readonly number[]>): NoiseComponents | null {
  const runs = logRatiosPerRun.filter((r) => r.length > 0);
  const n = runs.reduce((s, r) => s + r.length, 0);
  const k = runs.length;
  if (n - k < 1) return null;
  const meanOf = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const grand = meanOf(runs.flat());
  let ssWithin = 0;
  let ssBetween = 0;
  for (const r of runs) {
    const m = meanOf(r);
    for (const x of r) ssWithin += (x - m) ** 2;
    ssBetween += r.length * (m - grand) ** 2;
  }
  const msWithin = ssWithin / (n - k);
  if (k < 2) return { runs: k, pairs: n, withinSdPercent: 100 * Math.sqrt(msWithin), betweenSdPercent: 0, f: null };
  const msBetween = ssBetween / (k - 1);
  // The effective pairs per run when runs hold different counts (the textbook n0).
  const n0 = (n - runs.reduce((s, r) => s + r.length ** 2, 0) / n) / (k - 1);
  const betweenVar = Math.max(0, (msBetween - msWithin) / n0);
  return {
    runs: k,
    pairs: n,
    withinSdPercent: 100 * Math.sqrt(msWithin),
    betweenSdPercent: 100 * Math.sqrt(betweenVar),
    f: msWithin > 0 ? msBetween / msWithin : null,
  };
}

/** Two-sided 95 % and one-sided 90 % normal quantiles. */
export const Z_95_TWO_SIDED = 1.959964;
export const Z_90_ONE_SIDED = 1.281552;

/**
 * Pairs one run needs so that a true change of changePercent (+10: ten percent higher, −5: five
 * percent lower; the worse direction is the metric's) has its whole
 * 95 % interval on the worse side of 0 in 90 % of runs: the judge's first bar for a regression (the
 * second, the estimate beyond a threshold of half the change, is the looser one then). That asks the
 * standard error of the run's mean log-ratio, √(within²/n + between²), to be at most
 * |ln(1 + change)| ÷ (z95 + z90). Null when the per-run component alone is too wide: no number of
 * pairs in one run decides it.
 */
export function pairsForPower(c: Pick<NoiseComponents, 'withinSdPercent' | 'betweenSdPercent'>, changePercent: number): number | null {
  if (!(changePercent > -100) || changePercent === 0) throw new RangeError(`changePercent must be a change, > −100 and ≠ 0, not ${changePercent}`);
  const se = Math.abs(Math.log(1 + changePercent / 100)) / (Z_95_TWO_SIDED + Z_90_ONE_SIDED);
  const within = c.withinSdPercent / 100;
  const between = c.betweenSdPercent / 100;
  const room = se ** 2 - between ** 2;
  if (room <= 0) return null;
  return Math.max(1, Math.ceil(within ** 2 / room));
}

/**
 * Mann–Whitney U test (Wilcoxon rank-sum), two-sided, as benchstat uses it to compare two sets of
 * repeated measurements without assuming normality.
 *
 * - Small samples (both ≤ EXACT_LIMIT_PER_SIDE): the exact permutation distribution of U, computed
 *   by dynamic programming over tied groups of the pooled sample, i.e. the distribution *conditional
 *   on the observed ties* (the approach of go-moremath's UDist used by benchstat; Mann & Whitney 1947
 *   for the untied case, Klotz 1966 for ties).
 * - Larger samples: the normal approximation with tie correction and continuity correction
 *   (σ² = n₁n₂/12 · ((N+1) − Σ(t³−t)/(N(N−1))), Lehmann 1975; same as scipy's 'asymptotic').
 *
 * The two-sided p-value is 2·min(P(U ≤ u), P(U ≥ u)), capped at 1.
 */

/** Samples up to this size per side use the exact distribution. */
export const EXACT_LIMIT_PER_SIDE = 50;

export interface MannWhitneyResult {
  /** U statistic of the first sample: pairs with x > y, plus ½ per tie. */
  u: number;
  n1: number;
  n2: number;
  /** Two-sided p-value. */
  pValue: number;
  method: 'exact' | 'normal';
  /** True when the pooled sample had tied values. */
  ties: boolean;
}

/** Two-sided Mann–Whitney U test of x against y. Both samples need at least one value. */
export function mannWhitneyU(x: readonly number[], y: readonly number[]): MannWhitneyResult {
  const n1 = x.length;
  const n2 = y.length;
  if (n1 === 0 || n2 === 0) throw new RangeError('mannWhitneyU needs at least one value per sample');
  for (const v of [...x, ...y]) if (!Number.isFinite(v)) throw new RangeError(`mannWhitneyU: non-finite value ${v}`);

  const { groups, rankSumX2 } = rankGroups(x, y);
  const ties = groups.some((g) => g.size > 1);
  // U₁ = R₁ − n₁(n₁+1)/2; kept doubled (integers) so ½-ranks compare exactly.
  const u2 = rankSumX2 - n1 * (n1 + 1);
  const u = u2 / 2;

  if (n1 <= EXACT_LIMIT_PER_SIDE && n2 <= EXACT_LIMIT_PER_SIDE) {
    return { u, n1, n2, pValue: exactPValue(groups, n1, rankSumX2), method: 'exact', ties };
  }
  return { u, n1, n2, pValue: normalPValue(groups, n1, n2, u), method: 'normal', ties };
}

/**
 * Smallest two-sided p-value the exact test can produce for these sample sizes (no ties):
 * 2 / C(n₁+n₂, n₁). With 3 runs per side it is 0.1, so p < 0.05 is impossible (benchstat's caveat).
 */
export function minimumPValue(n1: number, n2: number): number {
  return Math.min(1, 2 / binomial(n1 + n2, n1));
}

interface TieGroup {
  /** Number of pooled values equal to this one. */
  size: number;
  /** Twice the mid-rank shared by the group (an integer). */
  midRankX2: number;
}

/** Pooled ranking: tie groups in ascending order and twice the rank sum of x. */
function rankGroups(x: readonly number[], y: readonly number[]): { groups: TieGroup[]; rankSumX2: number } {
  const pooled = [...x.map((v) => ({ v, fromX: true })), ...y.map((v) => ({ v, fromX: false }))].sort((a, b) => a.v - b.v);
  const groups: TieGroup[] = [];
  let rankSumX2 = 0;
  let i = 0;
  while (i < pooled.length) {
    let j = i;
    while (j + 1 < pooled.length && pooled[j + 1]!.v === pooled[i]!.v) j++;
    // Ranks i+1 … j+1 share the mid-rank (i+1 + j+1)/2.
    const midRankX2 = i + j + 2;
    let inX = 0;
    for (let k = i; k <= j; k++) if (pooled[k]!.fromX) inX++;
    rankSumX2 += inX * midRankX2;
    groups.push({ size: j - i + 1, midRankX2 });
    i = j + 1;
  }
  return { groups, rankSumX2 };
}

/**
 * Exact permutation distribution of (twice) the rank sum of n₁ values drawn from the pooled
 * sample, tie structure held fixed: ways[k][s] = number of ways to pick k values with doubled rank
 * sum s, adding one tie group at a time (choosing c of its t members has C(t, c) ways).
 */
function exactPValue(groups: readonly TieGroup[], n1: number, observedX2: number): number {
  const n = groups.reduce((a, g) => a + g.size, 0);
  const maxSum = n * (n + 1); // doubled sum of all ranks bounds any subset's
  let ways: Float64Array[] = Array.from({ length: n1 + 1 }, () => new Float64Array(maxSum + 1));
  ways[0]![0] = 1;
  for (const g of groups) {
    const next = Array.from({ length: n1 + 1 }, () => new Float64Array(maxSum + 1));
    const choose = Array.from({ length: g.size + 1 }, (_, c) => binomial(g.size, c));
    for (let k = 0; k <= n1; k++) {
      const row = ways[k]!;
      for (let s = 0; s <= maxSum; s++) {
        const w = row[s]!;
        if (w === 0) continue;
        for (let c = 0; c <= g.size && k + c <= n1; c++) {
          next[k + c]![s + c * g.midRankX2]! += w * choose[c]!;
        }
      }
    }
    ways = next;
  }
  const dist = ways[n1]!;
  let total = 0;
  let atOrBelow = 0;
  let atOrAbove = 0;
  for (let s = 0; s <= maxSum; s++) {
    const w = dist[s]!;
    if (w === 0) continue;
    total += w;
    if (s <= observedX2) atOrBelow += w;
    if (s >= observedX2) atOrAbove += w;
  }
  return Math.min(1, (2 * Math.min(atOrBelow, atOrAbove)) / total);
}

/** Normal approximation with tie and continuity correction. */
function normalPValue(groups: readonly TieGroup[], n1: number, n2: number, u: number): number {
  const n = n1 + n2;
  const mean = (n1 * n2) / 2;
  const tieTerm = groups.reduce((a, g) => a + (g.size ** 3 - g.size), 0);
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  if (variance <= 0) return 1; // every value tied: no evidence of any difference
  const z = (Math.abs(u - mean) - 0.5) / Math.sqrt(variance);
  if (z <= 0) return 1;
  return Math.min(1, 2 * normalSurvival(z));
}

/** P(Z > z) for standard normal Z, via erfc. */
export function normalSurvival(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2);
}

/**
 * Complementary error function: the Chebyshev fit of Numerical Recipes (2nd ed., §6.2, `erfcc`),
 * fractional error < 1.2e-7 everywhere — ample for p-values compared against α = 0.05.
 */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** C(n, k) as a double (exact for the sizes used here). */
export function binomial(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  const kk = Math.min(k, n - k);
  let r = 1;
  for (let i = 1; i <= kk; i++) r = (r * (n - kk + i)) / i;
  return r > 2 ** 53 ? r : Math.round(r);
}

/**
 * The order of the trials. Trial pair i runs baseline then candidate when i is even, candidate then
 * baseline when i is odd: A B, B A, A B, B A … (ABBA). Why not a random order: with 6–12 pairs a
 * random order is often unbalanced (P(all of 8 pairs in one order) = 1/128, and 6–2 splits are common), and
 * a drift of the machine during the job (a warming CPU, a neighbour starting) then biases one side;
 * ABBA cancels any linear drift within every two pairs and spreads a "who goes first after the
 * other's load" effect evenly over both variants. A drift periodic at exactly two trials would
 * defeat it; none is known on this machine kind (bench/README.md, bench:ab). Pure.
 */
export type Side = 'baseline' | 'candidate';

export function trialOrder(pairs: number): Array<readonly [Side, Side]> {
  if (!Number.isInteger(pairs) || pairs < 0) throw new RangeError(`trialOrder: pairs must be a whole number ≥ 0 (got ${pairs})`);
  return Array.from({ length: pairs }, (_, i) => (i % 2 === 0 ? (['baseline', 'candidate'] as const) : (['candidate', 'baseline'] as const)));
}

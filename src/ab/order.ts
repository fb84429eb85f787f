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

/**
 * The order both containers of a target/configuration are started and warmed up in, from a coin
 * (`random` uniform in [0, 1)). Why a coin and not always the baseline first: in FastAPI A/A runs the
 * container started second was faster for its whole life — max throughput +0.7 % and p50 at 200 req/s
 * −2 % (candidate faster in 8–10 of 10 runs, flat over the 12 pairs, either pair order); started the
 * other way round, the lean flipped (candidate slower in 5 and 6 of 6), and swapping only the
 * warm-ups did not; 10 more runs in which the coin happened to start the candidate first flipped it
 * again, 8 of 10 on p50 (bench/README.md "A/B in one job"). No pairing can cancel a property a container
 * keeps from start to end; a coin makes it the same for both variants on average instead of always
 * favouring the candidate. Pure.
 */
export function startOrder(random: number): readonly [Side, Side] {
  if (!(random >= 0 && random < 1)) throw new RangeError(`startOrder: random must be in [0, 1) (got ${random})`);
  return random < 0.5 ? (['baseline', 'candidate'] as const) : (['candidate', 'baseline'] as const);
}

/**
 * bench:capacity's arithmetic, pure so it is tested with exact numbers: per target and generator the
 * median of the rounds with its range, and the median (range) of each round's ratio to wrk.
 */
export type GeneratorId = 'wrk' | 'autocannon' | 'ours-1' | 'ours-1-stats' | 'ours-all' | 'oha' | 'run-max';

export interface CapacityRound {
  target: string;
  round: number;
  /** Achieved closed-loop throughput per generator, req/s. */
  figures: Partial<Record<GeneratorId, number>>;
  /** The machine's speed probe after the round, ms (a fixed loop on the generator CPU). */
  probeMs?: number;
}

const LABELS: Record<GeneratorId, string> = {
  wrk: 'wrk',
  autocannon: 'autocannon (CLI)',
  'ours-1': 'ours, 1 thread',
  'ours-1-stats': 'ours, 1 thread, container stats read meanwhile',
  'ours-all': 'ours, 1 thread per load CPU',
  oha: 'oha',
  'run-max': "httpbench run's max step",
};

export interface Spread {
  median: number;
  min: number;
  max: number;
}

/** Median (mean of the middle two for an even count), min and max; null for no values. */
export function spread(values: readonly number[]): Spread | null {
  const xs = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (xs.length === 0) return null;
  const mid = Math.floor(xs.length / 2);
  const median = xs.length % 2 === 1 ? xs[mid]! : (xs[mid - 1]! + xs[mid]!) / 2;
  return { median, min: xs[0]!, max: xs.at(-1)! };
}

const rps = (s: Spread) => `${Math.round(s.median).toLocaleString('en-US')} (${Math.round(s.min).toLocaleString('en-US')}–${Math.round(s.max).toLocaleString('en-US')})`;
const ratio = (s: Spread) => `${s.median.toFixed(2)}× (${s.min.toFixed(2)}–${s.max.toFixed(2)})`;

/** Markdown table: one row per (target, generator), req/s and the per-round ratio to wrk. */
export function capacityTable(rounds: readonly CapacityRound[], generators: readonly GeneratorId[]): string[] {
  const lines = ['| target | generator | req/s, median (range) | ÷ wrk, median (range) |', '| --- | --- | ---: | ---: |'];
  for (const target of [...new Set(rounds.map((r) => r.target))]) {
    const mine = rounds.filter((r) => r.target === target);
    for (const g of generators) {
      const s = spread(mine.map((r) => r.figures[g] ?? NaN));
      if (!s) continue;
      const ratios = spread(mine.map((r) => (r.figures[g] ?? NaN) / (r.figures.wrk ?? NaN)));
      lines.push(`| ${target} | ${LABELS[g]} | ${rps(s)} | ${g === 'wrk' || !ratios ? '1' : ratio(ratios)} |`);
    }
  }
  return lines;
}

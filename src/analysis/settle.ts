/**
 * What would settle an open claim, as a change a reader can make: a scenario field with its value or
 * a command, with the hardware it needs estimated from this run's own per-core figures (and said to
 * be an estimate: throughput does not scale perfectly with cores). Pure: RunDocument in, text out.
 */
import type { RunDocument, TargetResult } from '../schema/run.ts';
import { groupTargets } from './groups.ts';
import { isUsable } from './step-rules.ts';
import { median } from '../util/stats.ts';
import { formatRps } from '../util/format.ts';

/** The command that gives the generator a machine of its own (README "Two machines"). */
export const TWO_MACHINES_COMMAND = 'npx httpbench run --target-host ssh://USER@HOST --target-address IP';

export interface PerCore {
  /** Requests/s per CPU, median over repetitions of the configuration it comes from. */
  rps: number;
  /** The figure is a lower bound (the load side was the limit where it was measured). */
  lowerBound: boolean;
  /** "go-chi/gomaxprocs-1 on 1 CPU". */
  from: string;
}

/**
 * A target's closed-loop throughput per target CPU, from its configuration with the highest figure
 * (median over repetitions); null when it never completed a closed-loop step.
 */
export function targetPerCore(doc: RunDocument, target: string): PerCore | null {
  let best: PerCore | null = null;
  for (const g of groupTargets(doc).filter((x) => x.name === target)) {
    const usable = g.results.filter((r) => isUsable(r) && r.maxThroughputRps !== null);
    if (usable.length === 0) continue;
    const cpus = usable[0]!.cpus;
    const rps = median(usable.map((r) => r.maxThroughputRps!))! / cpus;
    const lowerBound = usable.some((r) => r.steps.some((s) => s.kind === 'max' && s.generator.bound));
    if (best === null || rps > best.rps) best = { rps, lowerBound, from: `${g.name}/${g.configuration}` };
  }
  return best;
}

/**
 * Requests/s the load generator managed per CPU of its own: the best over the steps where it was
 * the limit (its ceiling), else over every step (then only a lower bound of what it can do).
 */
export function generatorPerCore(doc: RunDocument): PerCore | null {
  const steps = doc.targets.filter(isUsable).flatMap((r: TargetResult) => r.steps).filter((s) => s.generator.cpuPercent > 0 && s.achievedRps > 0);
  const bound = steps.filter((s) => s.generator.bound);
  const pool = bound.length > 0 ? bound : steps;
  if (pool.length === 0) return null;
  const rps = Math.max(...pool.map((s) => s.achievedRps / (s.generator.cpuPercent / 100)));
  return { rps, lowerBound: bound.length === 0, from: bound.length > 0 ? 'where it was the limit' : 'at its busiest step' };
}

const cores = (rps: number, perCore: number) => Math.max(1, Math.ceil(rps / perCore));

/** "≤ 6 target CPUs (≥ 33,434 req/s per CPU on go-chi/gomaxprocs-1)": a lower-bounded rate per CPU bounds the count from above. */
function targetCoresText(rps: number, per: PerCore): string {
  const n = cores(rps, per.rps);
  return `${per.lowerBound ? '≤ ' : '≈ '}${n} target CPU${n === 1 ? '' : 's'} (${per.lowerBound ? '≥ ' : ''}${formatRps(per.rps)} req/s per CPU on ${per.from})`;
}

/** "≈ 6 generator CPUs (37,255 req/s each)". */
function generatorCoresText(rps: number, per: PerCore): string {
  const n = cores(rps, per.rps);
  return `${per.lowerBound ? '≤ ' : '≈ '}${n} generator CPU${n === 1 ? '' : 's'} (${per.lowerBound ? '≥ ' : ''}${formatRps(per.rps)} req/s each)`;
}

/**
 * Hardware to reach `rps` for `target`: target and generator CPUs from this run's per-core figures.
 * Null when neither figure exists.
 */
export function hardwareEstimate(doc: RunDocument, target: string, rps: number): string | null {
  // A per-CPU figure of 0 (nothing completed) estimates nothing.
  const usable = (p: PerCore | null) => (p !== null && p.rps > 0 ? p : null);
  const t = usable(targetPerCore(doc, target));
  const g = usable(generatorPerCore(doc));
  const parts = [t ? targetCoresText(rps, t) : null, g ? generatorCoresText(rps, g) : null].filter((x): x is string => x !== null);
  if (parts.length === 0) return null;
  return `estimate from this run (throughput assumed to grow with CPUs): ${formatRps(rps)} req/s needs ${parts.join(' and ')}`;
}

/** An absolute throughput figure needs a bigger target budget and a generator that keeps up. */
export function settleForCpus(doc: RunDocument, target: string, minCpus: number, articleRps: number | null): string {
  const estimate = articleRps === null ? null : hardwareEstimate(doc, target, articleRps);
  return `resources.cpus: ${minCpus}, the generator on a machine of its own (${TWO_MACHINES_COMMAND})${estimate ? `. ${estimate[0]!.toUpperCase()}${estimate.slice(1)}` : ''}`;
}

/**
 * The generator was the limit at `rps`: it needs more CPUs than it had. Twice the figure it reached
 * is the smallest headroom that can show whether the target goes higher (an estimate, said so).
 */
export function settleForGenerator(doc: RunDocument, rps?: number): string {
  const g = generatorPerCore(doc);
  // Without a rate of its own (a ratio), the highest rate any generator-bound step of the run reached.
  const reached = rps ?? Math.max(0, ...doc.targets.flatMap((r) => r.steps).filter((s) => s.generator.bound).map((s) => s.achievedRps));
  const want = 2 * reached;
  const n = g && g.rps > 0 ? cores(want, g.rps) : null;
  const how = n !== null ? `resources.generatorCpuset with ≥ ${n} CPUs (estimate: ${formatRps(g!.rps)} req/s per generator CPU, twice the ${formatRps(reached)} req/s reached)` : 'resources.generatorCpuset with more CPUs';
  return `give the generator more CPUs: ${how}, or a machine of its own (${TWO_MACHINES_COMMAND})`;
}

/** More repetitions: twice this run's, at least 5. */
export function settleForSpread(doc: RunDocument): string {
  const repeat = doc.scenario.repeat;
  return `set repeat: ${Math.max(5, repeat * 2)} (this run: ${repeat}) and run on a quiet machine, to narrow the spread`;
}

/**
 * Rates near the target's capacity for an "at scale" claim: 50 %, 75 % and 100 % of it, rounded to
 * 100 req/s, added to the scenario's rates.
 */
export function settleForScale(doc: RunDocument, capacityRps: number): string {
  const rates = [0.5, 0.75, 1].map((f) => Math.max(100, Math.round((capacityRps * f) / 100) * 100));
  const listed = doc.scenario.load.steps.rates;
  // rates: auto already places its ladder at 0.6–1.1 of the measured maximum: name the rates to include.
  if (listed === 'auto') return `offer rates near capacity: load.steps.include: [${rates.join(', ')}] (this run's capacity ≈ ${formatRps(capacityRps)} req/s)`;
  const all = [...new Set([...listed, ...rates])].sort((a, b) => a - b);
  return `offer rates near capacity: load.steps.rates: [${all.join(', ')}] (this run's capacity ≈ ${formatRps(capacityRps)} req/s; the default scenario scenarios/article.yaml reaches it)`;
}

/**
 * Pure parts of bench/fidelity.ts: flags, round order, spreads, paired ratios, the result table and
 * vegeta's CSV lines. No I/O, no clock, so each is tested with exact numbers
 * (tests/unit/bench/fidelity.test.ts).
 */
import { ConfigError } from '../src/errors.ts';

export const GENERATORS = ['reference', 'ours', 'ours-sleep', 'vegeta'] as const;
export type GeneratorName = (typeof GENERATORS)[number];
export const TARGETS = ['server', 'go-chi'] as const;
export type TargetName = (typeof TARGETS)[number];

export interface FidelityOptions {
  /** Measured seconds per run (external generators run `warmupS` more, not recorded). */
  durationS: number;
  warmupS: number;
  rounds: number;
  ratesRps: number[];
  connections: number;
  targets: TargetName[];
  generators: GeneratorName[];
  /** Pacing of the `ours` generator when set; null = the engine's default (spin). */
  pacing: 'spin' | 'sleep' | null;
  /** Where to write every round's figures as JSON; null = nowhere. */
  outFile: string | null;
}

export const DEFAULTS: FidelityOptions = {
  durationS: 10,
  warmupS: 1,
  rounds: 3,
  ratesRps: [1000, 10_000, 40_000],
  connections: 32,
  targets: ['server', 'go-chi'],
  generators: ['reference', 'ours', 'ours-sleep', 'vegeta'],
  pacing: null,
  outFile: null,
};

const FLAGS = ['duration', 'warmup', 'rounds', 'rates', 'connections', 'targets', 'generators', 'pacing', 'out'];

/** Parses `--flag value` pairs; every problem is reported at once (ConfigError, exit 2). */
export function parseFidelityArgs(argv: readonly string[]): FidelityOptions {
  const opts: FidelityOptions = { ...DEFAULTS };
  const problems: string[] = [];
  const positive = (flag: string, v: string, integer: boolean): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) problems.push(`--${flag} must be a positive ${integer ? 'integer' : 'number'}, got '${v}'`);
    return n;
  };
  const list = <T extends string>(flag: string, v: string, allowed: readonly T[]): T[] => {
    const items = v.split(',').filter((s) => s !== '');
    for (const item of items) if (!allowed.includes(item as T)) problems.push(`--${flag}: unknown '${item}' (one of ${allowed.join(', ')})`);
    if (items.length === 0) problems.push(`--${flag} needs at least one of ${allowed.join(', ')}`);
    return items as T[];
  };
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i]!.replace(/^--/, '');
    const value = argv[i + 1];
    if (!argv[i]!.startsWith('--') || !FLAGS.includes(flag)) {
      problems.push(`unknown argument '${argv[i]}' (flags: ${FLAGS.map((f) => `--${f}`).join(' ')})`);
      i -= 1; // re-read the next token as a flag
      continue;
    }
    if (value === undefined || value.startsWith('--')) {
      problems.push(`--${flag} needs a value`);
      i -= 1;
      continue;
    }
    if (flag === 'duration') opts.durationS = positive(flag, value, false);
    else if (flag === 'warmup') opts.warmupS = value === '0' ? 0 : positive(flag, value, false);
    else if (flag === 'rounds') opts.rounds = positive(flag, value, true);
    else if (flag === 'connections') opts.connections = positive(flag, value, true);
    else if (flag === 'rates') opts.ratesRps = value.split(',').map((r) => positive(flag, r, true));
    else if (flag === 'targets') opts.targets = list(flag, value, TARGETS);
    else if (flag === 'generators') opts.generators = list(flag, value, GENERATORS);
    else if (flag === 'pacing') {
      if (value === 'spin' || value === 'sleep') opts.pacing = value;
      else problems.push(`--pacing must be spin or sleep, got '${value}'`);
    }
    else opts.outFile = value;
  }
  if (problems.length > 0) {
    throw new ConfigError(`bad flags for bench:fidelity: ${problems.join('; ')}`, {
      problems,
      hint: 'e.g. npm run bench:fidelity -- --duration 10 --rounds 3 --rates 1000,10000,40000',
    });
  }
  return opts;
}

/** Round r runs the generators forward when r is even and backward when odd (ABC, CBA, ABC…). */
export function alternatedOrder<T>(items: readonly T[], round: number): T[] {
  return round % 2 === 0 ? [...items] : [...items].reverse();
}

export interface Spread {
  median: number;
  min: number;
  max: number;
}

/** Median (mean of the middle two for an even count) with the min and max. */
export function spread(values: readonly number[]): Spread {
  if (values.length === 0) throw new RangeError('spread of no values');
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { median, min: s[0]!, max: s.at(-1)! };
}

export const PERCENTILES = ['p50Us', 'p95Us', 'p99Us', 'p999Us'] as const;
export type PercentileKey = (typeof PERCENTILES)[number];

/** One run of one generator: corrected latency percentiles (µs) and what it achieved. */
export interface Measurement {
  p50Us: number;
  p95Us: number;
  p99Us: number;
  p999Us: number;
  offeredRps: number;
  /** Successful responses to requests sent in the measured window, per second of it. */
  achievedRps: number;
  /** CPU of the generator's process over its run, percent of one core. */
  cpuPercent: number;
  /** Connection errors, timeouts and non-2xx answers. */
  failures: number;
  /** Latencies recorded in the measured window; 0 = the percentiles say nothing (shown as "no data"). */
  recorded: number;
  /** The generator's own verdict on the run (ours: why the step is generator-bound), null when none. */
  flag: string | null;
  /** p99 of how late sends left after their intended time, µs; null where the generator does not say (vegeta). */
  latenessP99Us: number | null;
}

export interface Row {
  generator: string;
  /** null when no round recorded a latency. */
  latency: Record<PercentileKey, Spread> | null;
  /** Per-round ratio to the reference of the same round (null for the reference, or without one). */
  ratio: Record<PercentileKey, Spread> | null;
  /** achieved / offered, percent. */
  achievedPercent: Spread;
  cpuPercent: Spread;
  failures: number;
  rounds: number;
}

/**
 * Rows of one target × rate: each generator's spread over the rounds, and its ratios to the reference
 * paired by round (a slow round slows every generator in it; pairing cancels part of that).
 */
export function summarize(rounds: ReadonlyArray<Partial<Record<string, Measurement>>>, generators: readonly string[], reference: string): Row[] {
  const rows: Row[] = [];
  for (const generator of generators) {
    const own = rounds.map((r) => r[generator]).filter((m): m is Measurement => m !== undefined);
    if (own.length === 0) continue;
    // Runs that recorded nothing count for the achieved rate, not for latency or ratios.
    const measured = own.filter((m) => m.recorded > 0);
    const paired = rounds
      .map((r) => [r[generator], r[reference]] as const)
      .filter((pair): pair is readonly [Measurement, Measurement] => (pair[0]?.recorded ?? 0) > 0 && (pair[1]?.recorded ?? 0) > 0);
    const latency = {} as Record<PercentileKey, Spread>;
    const ratio = {} as Record<PercentileKey, Spread>;
    for (const p of PERCENTILES) {
      if (measured.length > 0) latency[p] = spread(measured.map((m) => m[p]));
      if (paired.length > 0) ratio[p] = spread(paired.map(([m, ref]) => m[p] / Math.max(1, ref[p])));
    }
    rows.push({
      generator,
      latency: measured.length > 0 ? latency : null,
      ratio: generator === reference || paired.length === 0 ? null : ratio,
      achievedPercent: spread(own.map((m) => (m.achievedRps / m.offeredRps) * 100)),
      cpuPercent: spread(own.map((m) => m.cpuPercent)),
      failures: own.reduce((s, m) => s + m.failures, 0),
      rounds: own.length,
    });
  }
  return rows;
}

/** One line per run that carries a flag, for under the table: "- ours, round 2: generator-bound: …". */
export function flagLines(rounds: ReadonlyArray<Partial<Record<string, Measurement>>>, generators: readonly string[]): string[] {
  const lines: string[] = [];
  rounds.forEach((r, i) => {
    for (const g of generators) if (r[g]?.flag) lines.push(`- ${g}, round ${i + 1}: ${r[g]!.flag}`);
  });
  return lines;
}

const int = (x: number) => String(Math.round(x));
const fixed = (x: number, d: number) => x.toFixed(d);
/** "median [min–max]", or the median alone when min and max print the same. */
const cell = (s: Spread, f: (x: number) => string) => (f(s.min) === f(s.max) ? f(s.median) : `${f(s.median)} [${f(s.min)}–${f(s.max)}]`);

/** A Markdown table: latency cells "median [min–max] µs (ratio×)", then achieved rate and CPU. */
export function renderTable(rows: readonly Row[]): string {
  const header = ['generator', 'p50 µs', 'p95 µs', 'p99 µs', 'p999 µs', 'achieved / offered', 'CPU %', 'failures'];
  const lines = [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`];
  for (const r of rows) {
    const latency = PERCENTILES.map((p) => (r.latency ? `${cell(r.latency[p], int)}${r.ratio ? ` (${cell(r.ratio[p], (x) => fixed(x, 2))}×)` : ''}` : 'no data'));
    lines.push(`| ${[r.generator, ...latency, `${cell(r.achievedPercent, (x) => fixed(x, 1))} %`, cell(r.cpuPercent, int), String(r.failures)].join(' | ')} |`);
  }
  return `${lines.join('\n')}\n`;
}

/** One result of `vegeta encode --to csv`: start of the hit (ns since epoch), status, latency (ns). */
export interface VegetaResult {
  timestampNs: bigint;
  code: number;
  latencyNs: number;
}

/**
 * Reads the first three CSV fields (timestamp, code, latency: digits only, never quoted). Later fields
 * (error text, body, headers) may be quoted or span lines; lines that do not start with the three
 * numbers are such continuations and give null.
 */
export function parseVegetaCsvLine(line: string): VegetaResult | null {
  const m = /^(\d+),(\d+),(\d+),/.exec(line);
  if (!m) return null;
  return { timestampNs: BigInt(m[1]!), code: Number(m[2]), latencyNs: Number(m[3]) };
}

/** vegeta's JSON targets, one a line: the same path template and ids as the other generators. */
export function vegetaTargets(baseUrl: string, pathTemplate: string, ids: readonly number[]): string {
  return ids.map((id) => JSON.stringify({ method: 'GET', url: `${baseUrl}${pathTemplate.replace('{id}', String(id))}` })).join('\n') + '\n';
}

/** One vegeta hit: start (ns from any fixed origin), status, latency (ns). */
export interface VegetaHit {
  atNs: number;
  code: number;
  latencyNs: number;
}

/**
 * The hits that started in the measured window [warmup, warmup + duration) after the attack's first
 * hit. vegeta writes results as they complete, not as they start, so the start is the smallest
 * timestamp, not the first line's. Latencies (µs) of 2xx hits; everything else is a failure.
 */
export function vegetaWindow(hits: readonly VegetaHit[], warmupS: number, durationS: number): { latenciesUs: number[]; ok: number; failures: number } {
  let startNs = Infinity;
  for (const h of hits) startNs = Math.min(startNs, h.atNs);
  const fromNs = startNs + warmupS * 1e9;
  const toNs = fromNs + durationS * 1e9;
  const latenciesUs: number[] = [];
  let failures = 0;
  for (const h of hits) {
    if (h.atNs < fromNs || h.atNs >= toNs) continue;
    if (h.code >= 200 && h.code <= 299) latenciesUs.push(h.latencyNs / 1000);
    else failures++;
  }
  return { latenciesUs, ok: latenciesUs.length, failures };
}

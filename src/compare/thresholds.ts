/**
 * Per-metric thresholds for `httpbench compare`: the smallest relative change of the median, in
 * percent, that may count as a regression or an improvement. A change at or under the threshold is
 * noise by definition, however significant the test says it is (a 0.5 % shift in 50 runs is real but
 * nobody should fail a build over it).
 *
 * Sources, lowest to highest precedence: defaults, the scenario's `compare.thresholdsPercent`
 * (stored in run.json, so the candidate's scenario brings its own), a YAML file (`--thresholds FILE`),
 * flags (`--threshold p99=10`). Parsing is pure: the CLI reads the file and passes its text.
 */
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../errors.ts';

/** Metric families that carry a threshold. */
export const THRESHOLD_KEYS = ['throughput', 'achievedRps', 'p50', 'p95', 'p99', 'memory', 'coldStart', 'imageSize'] as const;
export type ThresholdKey = (typeof THRESHOLD_KEYS)[number];

/** Threshold per metric family, percent of the baseline median (always ≥ 0; direction comes from the metric). */
export type ThresholdsPercent = Record<ThresholdKey, number>;

/**
 * THE place for default thresholds, measured (bench/README.md, "A/A … Results"): `npm run bench:aa`
 * on a 2-vCPU AMD EPYC VM, 7 runs of scenarios/ci.yaml on one commit, 21 pairs. Each value is the
 * largest median change seen between two runs of the same code, rounded up, times 1.25 — the
 * smallest margin with which thresholds fitted on 10 pairs raised at most 1 false alarm in the 21
 * pairs they had not seen (×1: 4) — and never below the smallest change worth failing a build over
 * (5 % for rates and image size, 10 % memory, 25 % cold start):
 *
 *   kind         A/A largest change   ×1.25, rounded up   default
 *   throughput   1.5 %                3                   5 (floor)
 *   achievedRps  0 %                  0                   5 (floor)
 *   p50          89.4 %               113                 113
 *   p95          78.2 %               99                  99
 *   p99          79.4 %               100                 100
 *   memory       6.2 %                9                   10 (floor)
 *   coldStart    23.0 %               29                  29
 *   imageSize    0 %                  0                   5 (floor)
 *
 * Latency at the CI scenario's low rates drifts by up to ~90 % between runs on such a VM (the whole
 * machine's wake-up latency moves; repetitions inside one run do not see it), so across runs
 * `compare` only calls latency changes above ~+100 %; throughput is steady to 1.5 % and carries the
 * gate (an injected −22 % was caught in 13 of 14 comparisons). Re-measure on your own runners and set
 * a scenario's `compare:` section from its figures.
 */
export const DEFAULT_THRESHOLDS_PERCENT: Readonly<ThresholdsPercent> = Object.freeze({
  throughput: 5,
  achievedRps: 5,
  p50: 113,
  p95: 99,
  p99: 100,
  memory: 10,
  coldStart: 29,
  imageSize: 5,
});

/**
 * The scenario's `compare:` section (optional): thresholds for this scenario, e.g.
 * `compare: { thresholdsPercent: { p99: 30 } }`. Validated like the rest of the scenario: unknown
 * metric names are errors, values are percent ≥ 0.
 */
export const ScenarioCompareSchema = z.strictObject({
  thresholdsPercent: z
    .strictObject(
      Object.fromEntries(
        THRESHOLD_KEYS.map((k) => [
          k,
          z
            .number({ error: `compare.thresholdsPercent.${k} must be a number of percent` })
            .nonnegative({ error: `compare.thresholdsPercent.${k} must be ≥ 0 (the direction comes from the metric)` })
            .max(1000, { error: `compare.thresholdsPercent.${k} must be ≤ 1000` })
            .optional(),
        ]),
      ) as Record<ThresholdKey, z.ZodOptional<z.ZodNumber>>,
    )
    .default({}),
});
export type ScenarioCompare = z.infer<typeof ScenarioCompareSchema>;

/** Spellings accepted in files and flags, mapped to the canonical key. */
const ALIASES: Record<string, ThresholdKey> = {
  throughput: 'throughput',
  maxthroughput: 'throughput',
  maxthroughputrps: 'throughput',
  achievedrps: 'achievedRps',
  achieved: 'achievedRps',
  rate: 'achievedRps',
  p50: 'p50',
  p95: 'p95',
  p99: 'p99',
  memory: 'memory',
  memorypeak: 'memory',
  coldstart: 'coldStart',
  coldstartms: 'coldStart',
  imagesize: 'imageSize',
  image: 'imageSize',
};

function canonicalKey(raw: string): ThresholdKey | undefined {
  const key = raw.toLowerCase().replace(/[-_\s]/g, '');
  // Own keys only: "constructor" or "__proto__" are not metrics.
  return Object.hasOwn(ALIASES, key) ? ALIASES[key] : undefined;
}

/** Highest threshold, percent: the scenario's `compare.thresholdsPercent` allows the same. Above it no change could ever count. */
export const MAX_THRESHOLD_PERCENT = 1000;

const VALID_KEYS_HINT = `valid metrics: ${THRESHOLD_KEYS.join(', ')}`;

/**
 * A threshold value: a number of percent (sign ignored: "throughput=-5" and "throughput=5" both
 * mean "a 5 % drop"), optionally written with a trailing "%".
 */
function parsePercent(value: unknown, where: string, problems: string[]): number | undefined {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim().replace(/\s*%$/, '') : '';
  // Plain decimals only: Number() would also read "0x40" as 64, "1e3" as 1000 and "" as 0.
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(text)) {
    problems.push(`${where}: threshold must be a number of percent, got ${JSON.stringify(value)}`);
    return undefined;
  }
  const n = Math.abs(Number(text));
  if (n > MAX_THRESHOLD_PERCENT) {
    problems.push(`${where}: ${n} % is above the ${MAX_THRESHOLD_PERCENT} % limit (a threshold that high disables the gate)`);
    return undefined;
  }
  return n;
}

/** Parses the text of a thresholds YAML file: a flat map `metric: percent`, e.g. `p99: 20`. */
export function parseThresholdsFile(text: string, fileName: string): Partial<ThresholdsPercent> {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (error) {
    throw new ConfigError(`${fileName}: not valid YAML`, { cause: error, hint: 'write one `metric: percent` per line, e.g. `p99: 15`' });
  }
  const shape = z.record(z.string(), z.unknown()).safeParse(doc ?? {});
  if (!shape.success) {
    throw new ConfigError(`${fileName}: expected a map of metric → percent`, { hint: VALID_KEYS_HINT });
  }
  const problems: string[] = [];
  const out: Partial<ThresholdsPercent> = {};
  for (const [rawKey, value] of Object.entries(shape.data)) {
    const key = canonicalKey(rawKey);
    if (!key) {
      problems.push(`${fileName}: unknown metric "${rawKey}"`);
      continue;
    }
    const percent = parsePercent(value, `${fileName}: ${rawKey}`, problems);
    if (percent !== undefined) out[key] = percent;
  }
  if (problems.length > 0) throw new ConfigError(`invalid thresholds file ${fileName}`, { problems, hint: VALID_KEYS_HINT });
  return out;
}

/** Parses `--threshold metric=percent` flags (all problems reported at once). */
export function parseThresholdFlags(flags: readonly string[]): Partial<ThresholdsPercent> {
  const problems: string[] = [];
  const out: Partial<ThresholdsPercent> = {};
  for (const flag of flags) {
    const eq = flag.indexOf('=');
    if (eq <= 0) {
      problems.push(`--threshold ${flag}: expected metric=percent, e.g. p99=15`);
      continue;
    }
    const rawKey = flag.slice(0, eq).trim();
    const key = canonicalKey(rawKey);
    if (!key) {
      problems.push(`--threshold ${flag}: unknown metric "${rawKey}"`);
      continue;
    }
    const percent = parsePercent(flag.slice(eq + 1), `--threshold ${flag}`, problems);
    if (percent !== undefined) out[key] = percent;
  }
  if (problems.length > 0) throw new ConfigError('invalid --threshold flag', { problems, hint: VALID_KEYS_HINT });
  return out;
}

/** Defaults, overridden by each layer in turn (scenario, file, flags); undefined entries are skipped. */
export function resolveThresholds(...layers: Partial<Record<ThresholdKey, number | undefined>>[]): ThresholdsPercent {
  const out: ThresholdsPercent = { ...DEFAULT_THRESHOLDS_PERCENT };
  for (const layer of layers) for (const key of THRESHOLD_KEYS) if (layer[key] !== undefined) out[key] = layer[key];
  return out;
}

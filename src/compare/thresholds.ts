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

// The families, their defaults and the scenario's `compare:` section are configuration (the scenario
// file embeds them), so they live in scenario/compare.ts, below every layer that reads them.
import { DEFAULT_THRESHOLDS_PERCENT, MAX_THRESHOLD_PERCENT, THRESHOLD_KEYS, type ThresholdKey, type ThresholdsPercent } from '../scenario/compare.ts';

export { DEFAULT_THRESHOLDS_PERCENT, MAX_THRESHOLD_PERCENT, THRESHOLD_KEYS, type ThresholdKey, type ThresholdsPercent };

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
    // Every value as its text (the failsafe schema), so a file obeys the flags' rule: YAML's own
    // schema would read `p99: 0x40` as 64 and `p99: 1e3` as 1000 before parsePercent could refuse them.
    doc = parseYaml(text, { schema: 'failsafe' });
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

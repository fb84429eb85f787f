/**
 * The variant flags of `httpbench ab`, checked before anything runs (bad input → exit 2, one line
 * each): a variant is a git ref of this project or `image:NAME`, plus K=V environment overrides.
 * Pure: the git and Docker look-ups are the CLI's.
 */
import { ConfigError } from '../errors.ts';

export type VariantSource = { kind: 'ref'; ref: string } | { kind: 'image'; image: string };

/**
 * The most trial pairs one run takes. Not a statistical limit (above 50 pairs the interval uses the
 * normal approximation of the signed-rank statistic, src/ab/paired.ts): a bound on time and on ab.json,
 * which keeps every step's histogram. 50 pairs of scenarios/ci.yaml took 332–335 s on one target on
 * 2 vCPUs (bench/README.md, 2026-12-04), so 200 take ≈ 22 minutes. bench:ab's noise table says how many
 * pairs a change needs (a +10 % p99 here: 42 one morning, about 200 that afternoon).
 */
export const MAX_AB_TRIALS = 200;

/** Set by the harness on every target: an override would be ignored or break the bind. */
export const HARNESS_ENV = new Set(['HOST', 'PORT']);

export function parseVariantSource(given: string, flag: string): VariantSource {
  if (given.startsWith('image:')) {
    const image = given.slice('image:'.length);
    // A Docker reference: name[:tag][@digest], no spaces or control characters.
    if (!/^[a-z0-9][a-z0-9._\/:@-]{0,254}$/i.test(image)) {
      throw new ConfigError(`${flag} ${JSON.stringify(given)}: '${image}' is not a Docker image reference`, { hint: `e.g. ${flag} image:httpbench/go-chi:latest` });
    }
    return { kind: 'image', image };
  }
  // A ref goes to `git rev-parse` as one argument: never an option, never whitespace.
  if (!/^[A-Za-z0-9_.\/@^~{}+-]{1,255}$/.test(given) || given.startsWith('-')) {
    throw new ConfigError(`${flag} ${JSON.stringify(given)} is not a git ref or image:NAME`, { hint: `e.g. ${flag} HEAD, ${flag} origin/main, ${flag} v1.2 or ${flag} image:NAME` });
  }
  return { kind: 'ref', ref: given };
}

/** K=V pairs (repeatable flag) → an env map; later repeats of a key win. */
export function parseEnvOverrides(values: readonly string[], flag: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const raw of values) {
    const eq = raw.indexOf('=');
    const key = eq > 0 ? raw.slice(0, eq) : '';
    const value = eq > 0 ? raw.slice(eq + 1) : '';
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
      throw new ConfigError(`${flag} ${JSON.stringify(raw)} is not K=V with K a variable name`, { hint: `e.g. ${flag} EXTRA_WAIT_US=500` });
    }
    // eslint-disable-next-line no-control-regex
    if (/[\x00-\x1f\x7f]/.test(value)) throw new ConfigError(`${flag} ${key}: the value has a control character`, { hint: 'pass a plain one-line value' });
    if (HARNESS_ENV.has(key)) throw new ConfigError(`${flag} ${key}: the harness sets ${key} itself`, { hint: 'leave it out: every target binds to 127.0.0.1 on a free port' });
    env[key] = value;
  }
  return env;
}

/** Env keys a target's manifest does not list (it would silently ignore them): one problem each. */
export function unknownEnvProblems(env: Record<string, string>, flag: string, targets: ReadonlyArray<{ name: string; env: readonly string[] | null }>): string[] {
  const problems: string[] = [];
  for (const key of Object.keys(env)) {
    for (const t of targets) {
      if (t.env && !t.env.includes(key)) problems.push(`${flag} ${key}: ${t.name} does not read ${key} (its target.yaml lists ${t.env.join(', ')})`);
    }
  }
  return problems;
}

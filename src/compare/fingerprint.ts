/**
 * What makes two runs "the same scenario" for `compare`: the scenario name plus a hash of the parts
 * of the resolved scenario (as stored in run.json) that decide how a target is measured — the load
 * shape (warm-up, connections, timeouts, max step, rates, step length, knee search, id
 * distribution), the container limits (memory, pids, explicit cpusets) and the SLO that decides
 * saturation. Pure.
 *
 * Left out on purpose:
 * - what is measured: targets' build context, Dockerfile, handler, url and configuration env — a
 *   candidate changes exactly these (a new image, or `EXTRA_WORK_US` in bench/aa.ts), and targets
 *   present on one side only are reported per target/configuration;
 * - values resolved from the machine (`resources.cpus` from "half", `load.workers` from "auto"):
 *   `environmentDiff` reports those as machine differences, with their own flag;
 * - `repeat` (more repetitions measure the same thing, the test accounts for the counts),
 *   `startupTimeoutS`, `description`, `claims` and `compare` (how to judge, not what was measured).
 */
import { createHash } from 'node:crypto';
import type { Scenario } from '../scenario/schema.ts';

/** The measurement-relevant parts, as a plain object (keys as in the scenario file). */
export function measurementParts(scenario: Scenario): Record<string, unknown> {
  const { cpus: _cpus, ...resources } = scenario.resources;
  const { workers: _workers, ...load } = scenario.load;
  return { resources, load, slo: scenario.slo };
}

/** JSON with object keys sorted at every level, so the hash does not depend on key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** First 12 hex digits of the SHA-256 of the measurement-relevant parts. */
export function scenarioFingerprint(scenario: Scenario): string {
  return createHash('sha256').update(canonicalJson(measurementParts(scenario))).digest('hex').slice(0, 12);
}

/** Leaf paths whose values differ, e.g. `load.steps.rates: [200,500] vs [200,400]`. */
export function measurementDifferences(baseline: Scenario, candidate: Scenario): string[] {
  const out: string[] = [];
  const walk = (a: unknown, b: unknown, at: string): void => {
    const isObj = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v);
    if (isObj(a) && isObj(b)) {
      const keys = [...new Set([...Object.keys(a as object), ...Object.keys(b as object)])].sort();
      for (const k of keys) walk((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], at ? `${at}.${k}` : k);
      return;
    }
    const ja = canonicalJson(a ?? null);
    const jb = canonicalJson(b ?? null);
    if (ja !== jb) out.push(`${at}: ${ja} vs ${jb}`);
  };
  walk(measurementParts(baseline), measurementParts(candidate), '');
  return out;
}

/**
 * RunPlan: which (target, configuration) to run in which order, pure. Repetitions alternate the
 * order (A B, B A, A B …) so drift over time (thermal, page cache) does not favour one target.
 */
import { substituteCpus, type ResolvedScenario } from '../scenario/resolve.ts';
import type { Configuration, Scenario, TargetSpec } from '../scenario/schema.ts';

export interface PlannedRun {
  spec: TargetSpec;
  configuration: Configuration;
  /**
   * Environment with ${cpus} replaced; for `store: postgres` also STORE, DB_POOL_SIZE and USERS
   * (DATABASE_URL is added when the database is up: its port is only known then).
   */
  env: Record<string, string>;
  store: NonNullable<Configuration['store']>;
  repetition: number;
  /** Set when this configuration would be identical to another on this CPU budget. */
  skipReason: string | null;
}

function sameEnv(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a[k] === b[k]);
}

/** What a store adds to a target's env (targets/CONTRACT.md); the memory store adds nothing. */
export function storeEnv(scenario: Scenario, store: Configuration['store']): Record<string, string> {
  if (store !== 'postgres') return {};
  // The seeded table holds exactly ids 1..USERS; the load asks for ids up to load.ids.max.
  return { STORE: 'postgres', DB_POOL_SIZE: String(scenario.database.poolSize), USERS: String(scenario.load.ids.max) };
}

/** The CPU budget is the resolved scenario's; `only` filters target names (--targets). */
export function planRuns(scenario: ResolvedScenario, only?: readonly string[]): PlannedRun[] {
  const { cpus } = scenario.resources;
  const targets = scenario.targets.filter((t) => !only || only.includes(t.name));
  const perTarget = targets.map((spec) => {
    const seen: Array<{ id: string; env: Record<string, string> }> = [];
    return spec.configurations.map((configuration) => {
      const env = { ...substituteCpus(configuration.env, cpus), ...storeEnv(scenario, configuration.store) };
      const twin = seen.find((s) => sameEnv(s.env, env));
      seen.push({ id: configuration.id, env });
      const skipReason = twin
        ? `identical to configuration '${twin.id}' on a ${cpus}-CPU budget (${Object.entries(env).map(([k, v]) => `${k}=${v}`).join(' ') || 'no env'}); give targets more CPUs (resources.cpus) to tell them apart`
        : null;
      return { spec, configuration, env, store: configuration.store ?? 'memory', skipReason };
    });
  });
  const runs: PlannedRun[] = [];
  for (let repetition = 0; repetition < scenario.repeat; repetition++) {
    const order = repetition % 2 === 0 ? perTarget : [...perTarget].reverse();
    for (const configs of order) for (const c of configs) runs.push({ ...c, repetition });
  }
  return runs;
}

/**
 * The one step from a validated scenario to the values a run uses: "half" CPUs and "auto" workers
 * become plain numbers from the facts of the machines (the targets' host, the generator's CPUs), so
 * later code reads `scenario.resources.cpus` and `scenario.load.workers` without casting or guessing.
 * Pure; the caller gathers the facts (src/run/prepare.ts). run.json stores the resolved scenario.
 */
import { formatCpuset, splitCpus, type CpuSplit } from './cpuset.ts';
import type { Scenario } from './schema.ts';

/** A scenario whose machine-dependent values are resolved to numbers (a subtype of Scenario). */
export type ResolvedScenario = Omit<Scenario, 'resources' | 'load'> & {
  resources: Omit<Scenario['resources'], 'cpus'> & {
    /** CPUs each target may use. */
    cpus: number;
  };
  load: Omit<Scenario['load'], 'workers'> & {
    /** Generator worker threads of the open-loop steps. */
    workers: number;
  };
};

/** The CPU budget per target: a number as given, or "half" of the host (at least 1). */
export function resolveCpus(cpus: number | 'half', cpuCount: number): number {
  return cpus === 'half' ? Math.max(1, Math.floor(cpuCount / 2)) : cpus;
}

export interface ResolveFacts {
  /** Logical CPUs of the machine the targets run on (this one, or the targets' host). */
  targetHostCpuCount: number;
  /**
   * CPUs the generator may use: its pinned cpuset's size, or every CPU of this machine when it runs
   * unpinned. "auto" workers are one per such CPU.
   */
  generatorCpuCount: number;
}

export function resolveScenario(scenario: Scenario, facts: ResolveFacts): ResolvedScenario {
  const { workers } = scenario.load;
  return {
    ...scenario,
    resources: { ...scenario.resources, cpus: resolveCpus(scenario.resources.cpus, facts.targetHostCpuCount) },
    load: { ...scenario.load, workers: workers === 'auto' ? Math.max(1, facts.generatorCpuCount) : workers },
  };
}

/**
 * Where the targets and the generator run. One machine: the targets get the scenario's cpuset (default:
 * the last `cpus` CPUs), the generator the rest (splitCpus). Two machines: the targets' cpuset is on
 * their host; the generator gets every CPU of this one unless the scenario names its cpuset — except
 * when the target host shares this machine's kernel (same boot id), where the CPUs are the same ones.
 */
export function placeCpus(
  scenario: Scenario,
  facts: { targetHostCpuCount: number; loadCpuCount: number; twoHost: boolean; targetHostSharesThisKernel?: boolean },
): Pick<CpuSplit, 'target' | 'generator'> {
  const { resources } = scenario;
  const cpus = resolveCpus(resources.cpus, facts.targetHostCpuCount);
  // A target "host" on this machine's kernel (a namespace, a second engine) has this machine's CPUs:
  // split them as on one machine, or the generator would poll on the targets' cores.
  if (!facts.twoHost || facts.targetHostSharesThisKernel) return splitCpus(facts.targetHostCpuCount, cpus, resources.targetCpuset, resources.generatorCpuset);
  return {
    target: splitCpus(facts.targetHostCpuCount, cpus, resources.targetCpuset).target,
    generator: resources.generatorCpuset ?? formatCpuset(Array.from({ length: facts.loadCpuCount }, (_, i) => i)),
  };
}

/**
 * `${cpus}` in configuration env values becomes the per-target CPU budget: the one place the
 * scenario's env template is expanded (the plan for targets, the calibration server's start).
 */
export function substituteCpus(env: Readonly<Record<string, string>>, cpus: number): Record<string, string> {
  return Object.fromEntries(Object.entries(env).map(([key, value]) => [key, value.replaceAll('${cpus}', String(cpus))]));
}

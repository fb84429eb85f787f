/**
 * What makes two runs comparable at all: the same scenario (name and measurement fingerprint) and the
 * same kind of machine. Differences that refuse a comparison, and those only worth a warning.
 */
import type { RunDocument } from '../schema/run.ts';
import { measurementDifferences, scenarioFingerprint } from './fingerprint.ts';
import type { RunSummary, ScenarioMismatch } from './types.ts';

/** Null when both runs come from the same scenario: same name and same measurement fingerprint. */
export function scenarioDiff(baseline: RunDocument, candidate: RunDocument): ScenarioMismatch | null {
  const baselineFingerprint = scenarioFingerprint(baseline.scenario);
  const candidateFingerprint = scenarioFingerprint(candidate.scenario);
  if (baseline.scenario.name === candidate.scenario.name && baselineFingerprint === candidateFingerprint) return null;
  return {
    baseline: baseline.scenario.name,
    candidate: candidate.scenario.name,
    baselineFingerprint,
    candidateFingerprint,
    differences: measurementDifferences(baseline.scenario, candidate.scenario),
  };
}

export function summarizeRun(doc: RunDocument, label: string): RunSummary {
  return {
    label,
    scenario: doc.scenario.name,
    scenarioFingerprint: scenarioFingerprint(doc.scenario),
    status: doc.status,
    startedAt: doc.startedAt,
    toolVersion: doc.tool.version,
    gitCommit: doc.environment.gitCommit,
    cpuModel: doc.environment.cpuModel,
    cpuCount: doc.environment.cpuCount,
    kernel: doc.environment.kernel,
    targetCpuset: doc.environment.cpusets.target,
    cpus: doc.scenario.resources.cpus,
  };
}

/**
 * Differences that make two machines' figures incomparable (refused unless allowed): CPU model, CPU
 * count, target CPUs, generator worker threads.
 */
export function environmentDiff(baseline: RunDocument, candidate: RunDocument): string[] {
  const b = baseline.environment;
  const c = candidate.environment;
  const out: string[] = [];
  if (b.cpuModel !== c.cpuModel) out.push(`cpuModel: "${b.cpuModel}" vs "${c.cpuModel}"`);
  if (b.cpuCount !== c.cpuCount) out.push(`cpuCount: ${b.cpuCount} vs ${c.cpuCount}`);
  if (b.cpusets.target !== c.cpusets.target) out.push(`target cpuset: ${b.cpusets.target ?? 'none'} vs ${c.cpusets.target ?? 'none'}`);
  if (baseline.scenario.resources.cpus !== candidate.scenario.resources.cpus) {
    out.push(`target CPUs (resources.cpus): ${baseline.scenario.resources.cpus} vs ${candidate.scenario.resources.cpus}`);
  }
  if (baseline.scenario.load.workers !== candidate.scenario.load.workers) {
    out.push(`generator workers (load.workers): ${baseline.scenario.load.workers} vs ${candidate.scenario.load.workers}`);
  }
  // The instrument of the closed-loop maximum (autocannon's one thread before, our engine on every load
  // CPU now) moves the figure by itself: runs measured with different ones are not comparable.
  const maxEngines = (doc: RunDocument) => [...new Set(doc.targets.flatMap((t) => t.steps.filter((st) => st.kind === 'max').map((st) => st.engine)))].sort().join('+');
  const [bm, cm] = [maxEngines(baseline), maxEngines(candidate)];
  if (bm !== '' && cm !== '' && bm !== cm) out.push(`closed-loop max step engine: ${bm} vs ${cm}`);
  out.push(...targetHostDiff(baseline, candidate));
  return out;
}

/** Two-host runs: the targets' machine must match as the load machine must (one host vs two too). */
function targetHostDiff(baseline: RunDocument, candidate: RunDocument): string[] {
  const b = baseline.hosts?.find((h) => h.role === 'targets');
  const c = candidate.hosts?.find((h) => h.role === 'targets');
  if (!b && !c) return [];
  if (!b || !c) return [`targets host: ${b ? 'a separate machine' : 'this machine'} vs ${c ? 'a separate machine' : 'this machine'}`];
  const out: string[] = [];
  if (b.cpuModel !== c.cpuModel) out.push(`targets host cpuModel: "${b.cpuModel}" vs "${c.cpuModel}"`);
  if (b.cpuCount !== c.cpuCount) out.push(`targets host cpuCount: ${b.cpuCount} vs ${c.cpuCount}`);
  if (b.memoryBytes !== c.memoryBytes) out.push(`targets host memory: ${b.memoryBytes} vs ${c.memoryBytes} bytes`);
  return out;
}

/**
 * Differences worth a loud warning but not a refusal: the kernel (CI runner images update it often,
 * and a refusal on every update would make the gate useless; the A/A figures say how much it matters).
 */
export function environmentAdvisories(baseline: RunDocument, candidate: RunDocument): string[] {
  const b = baseline.environment;
  const c = candidate.environment;
  const out = b.kernel === c.kernel ? [] : [`kernel: "${b.kernel}" vs "${c.kernel}"`];
  const bt = baseline.hosts?.find((h) => h.role === 'targets');
  const ct = candidate.hosts?.find((h) => h.role === 'targets');
  if (bt && ct && bt.kernel !== ct.kernel) out.push(`targets host kernel: "${bt.kernel}" vs "${ct.kernel}"`);
  if (bt && ct && bt.dockerVersion !== ct.dockerVersion) out.push(`targets host Docker: ${bt.dockerVersion ?? '—'} vs ${ct.dockerVersion ?? '—'}`);
  return out;
}

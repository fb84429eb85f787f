/**
 * Repetitions grouped by (target name, configuration): the unit every summary, claim, threshold and
 * comparison reads. One definition of the key and of the order within a group. Pure.
 */
import type { RunDocument, TargetResult } from '../schema/run.ts';

export interface ResultGroup {
  name: string;
  configuration: string;
  /** Repetitions of the pair, by repetition number. */
  results: TargetResult[];
}

/** Groups in first-appearance order of their (target, configuration), each sorted by repetition. */
export function groupResults(results: readonly TargetResult[]): ResultGroup[] {
  const byKey = new Map<string, ResultGroup>();
  for (const r of results) {
    const key = `${r.name}\u0000${r.configuration}`;
    const group = byKey.get(key) ?? { name: r.name, configuration: r.configuration, results: [] };
    group.results.push(r);
    byKey.set(key, group);
  }
  const groups = [...byKey.values()];
  for (const g of groups) g.results.sort((a, b) => a.repetition - b.repetition);
  return groups;
}

/** A run's groups in scenario order (targets, then configurations), then any others sorted by name. */
export function groupTargets(doc: Pick<RunDocument, 'scenario' | 'targets'>): ResultGroup[] {
  const rank = new Map<string, number>();
  for (const t of doc.scenario.targets) for (const c of t.configurations) {
    const key = `${t.name}\u0000${c.id}`;
    if (!rank.has(key)) rank.set(key, rank.size);
  }
  const key = (g: ResultGroup) => `${g.name}\u0000${g.configuration}`;
  const all = groupResults(doc.targets);
  const inScenario = all.filter((g) => rank.has(key(g)));
  const others = all.filter((g) => !rank.has(key(g)));
  return [
    ...inScenario.sort((a, b) => rank.get(key(a))! - rank.get(key(b))!),
    ...others.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0)),
  ];
}

/**
 * cpuset strings as Docker and taskset take them: "0", "1-3", "0,2-3". The notation of run.json's
 * `environment.cpusets` as much as of the scenario's, so it lives below both.
 */

import { ConfigError } from '../errors.ts';

/**
 * Highest CPU number a cpuset may name: Linux's own ceiling (CONFIG_NR_CPUS is at most 8192). A
 * range is expanded CPU by CPU, so "0-99999999" must be refused before, not after, 100 million entries.
 */
export const MAX_CPU_ID = 8191;

/** Why `spec` is not a cpuset ("0", "1-3", "0,2-3"), or null when it is one. */
export function cpusetProblem(spec: string): string | null {
  if (!/^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(spec)) return `"${spec.slice(0, 40)}${spec.length > 40 ? '…' : ''}" is not a cpuset like "1", "2-3" or "0,2"`;
  for (const part of spec.split(',')) {
    const [a, b = a] = part.split('-').map(Number) as [number, number?];
    if (a > MAX_CPU_ID || b > MAX_CPU_ID) return `CPU ${Math.max(a, b)} is above ${MAX_CPU_ID}, the highest CPU number Linux supports`;
    if (b < a) return `range ${part} runs backwards`;
  }
  return null;
}

/** The CPUs of a cpuset, sorted; ConfigError (exit 2) when it is not a valid one (see cpusetProblem). */
export function parseCpuset(spec: string): number[] {
  const problem = cpusetProblem(spec);
  if (problem) throw new ConfigError(`cpuset ${problem}`, { hint: 'write CPUs as "0", "1-3" or "0,2-3"' });
  const cpus = new Set<number>();
  for (const part of spec.split(',')) {
    const [a, b = a] = part.split('-').map(Number) as [number, number?];
    for (let c = a; c <= b; c++) cpus.add(c);
  }
  return [...cpus].sort((x, y) => x - y);
}

export function formatCpuset(cpus: readonly number[]): string {
  const sorted = [...new Set(cpus)].sort((x, y) => x - y);
  const parts: string[] = [];
  let i = 0;
  while (i < sorted.length) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** True when two cpuset lists ("0-3", "2,4-5") share a CPU. */
export function cpusetsOverlap(a: string, b: string): boolean {
  const sa = new Set(parseCpuset(a));
  return parseCpuset(b).some((c) => sa.has(c));
}

/** cpuset strings as Docker and taskset take them: "0", "1-3", "0,2-3" (notation: src/util/cpuset.ts). */
import { formatCpuset, parseCpuset } from '../util/cpuset.ts';

export { formatCpuset, parseCpuset };

export interface CpuSplit {
  target: string;
  /** Null when no CPU is left for the generator (then it shares, and the report says so). */
  generator: string | null;
  /** True when generator and target share CPUs. */
  shared: boolean;
}

/**
 * Default split: the target gets the last `cpus` CPUs, the generator the rest, so the two never
 * compete for a core. On a machine too small for that the generator shares and the split says so.
 */
export function splitCpus(cpuCount: number, cpus: number, targetCpuset?: string, generatorCpuset?: string): CpuSplit {
  const all = Array.from({ length: cpuCount }, (_, i) => i);
  const target = targetCpuset ? parseCpuset(targetCpuset) : all.slice(Math.max(0, cpuCount - cpus));
  const rest = all.filter((c) => !target.includes(c));
  const generator = generatorCpuset ? parseCpuset(generatorCpuset) : rest;
  if (generator.length === 0) return { target: formatCpuset(target), generator: null, shared: true };
  return { target: formatCpuset(target), generator: formatCpuset(generator), shared: generator.some((c) => target.includes(c)) };
}

/**
 * cpuset strings as Docker and taskset take them: "0", "1-3", "0,2-3". The notation of run.json's
 * `environment.cpusets` as much as of the scenario's, so it lives below both.
 */

export function parseCpuset(spec: string): number[] {
  const cpus = new Set<number>();
  for (const part of spec.split(',')) {
    const [a, b] = part.split('-').map((s) => Number.parseInt(s, 10));
    if (a === undefined || Number.isNaN(a)) continue;
    const end = b === undefined || Number.isNaN(b) ? a : b;
    for (let c = a; c <= end; c++) cpus.add(c);
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

/**
 * Pins this process (every thread, so later worker threads too) to a cpuset with taskset, so the
 * generator never competes with the target for a core. Returns a reason string when it could not.
 */
import { execa } from 'execa';
import os from 'node:os';

export async function pinProcess(cpuset: string, pid: number = process.pid): Promise<string | null> {
  const result = await execa('taskset', ['-a', '-p', '-c', cpuset, String(pid)], { reject: false });
  if (result.exitCode === 0) return null;
  return `could not pin the generator to CPUs ${cpuset} (${result.stderr.trim() || (result as { shortMessage?: string }).shortMessage || 'taskset failed'}); install util-linux's taskset`;
}

/**
 * CPUs this process may run on now (sched_getaffinity through libuv, so a later `taskset -p` counts).
 */
export function affinityCpuCount(): number {
  return os.availableParallelism();
}

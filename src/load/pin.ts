/**
 * Pins this process (every thread, so later worker threads too) to a cpuset with taskset, so the
 * generator never competes with the target for a core. Returns a reason string when it could not.
 */
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { execa } from 'execa';
import { formatCpuset, parseCpuset } from '../scenario/cpuset.ts';

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

/**
 * The cpuset this process may run on when it is narrower than the machine (e.g. under `taskset -c 0`),
 * from the `Cpus_allowed_list:` line of /proc/<pid>/status; null when every CPU is allowed (not
 * pinned, as run.json's `generator.cpuset` means) or the line is missing (not Linux). Pure.
 */
export function pinnedCpusetFromStatus(statusText: string, cpuCount: number): string | null {
  const match = /^Cpus_allowed_list:\s*(\S+)\s*$/m.exec(statusText);
  if (!match) return null;
  const allowed = parseCpuset(match[1]!).filter((c) => c < cpuCount);
  if (allowed.length === 0 || allowed.length >= cpuCount) return null;
  return formatCpuset(allowed);
}

/** The affinity of this process (see pinnedCpusetFromStatus); null off Linux or when unpinned. */
export async function currentPinnedCpuset(cpuCount: number = os.cpus().length): Promise<string | null> {
  const text = await readFile('/proc/self/status', 'utf8').catch(() => '');
  return pinnedCpusetFromStatus(text, cpuCount);
}

/** CPUs this process may run on (Cpus_allowed_list of /proc/self/status); null off Linux. */
export async function allowedCpus(): Promise<number[] | null> {
  const text = await readFile('/proc/self/status', 'utf8').catch(() => '');
  const match = /^Cpus_allowed_list:\s*(\S+)\s*$/m.exec(text);
  return match ? parseCpuset(match[1]!) : null;
}

/**
 * Pins one thread (a Linux thread id) to one CPU. Spinning measuring threads each keep a CPU of their
 * own, so two never share one while another CPU idles (a migration costs a stall of the thread).
 * Returns a reason when it could not.
 */
export async function pinThread(tid: number, cpu: number): Promise<string | null> {
  const result = await execa('taskset', ['-p', '-c', String(cpu), String(tid)], { reject: false });
  return result.exitCode === 0 ? null : `could not pin a measuring thread to CPU ${cpu} (${result.stderr.trim() || 'taskset failed'})`;
}

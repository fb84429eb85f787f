/**
 * Who the other processes were: per-process CPU time from /proc/<pid>/stat at both ends of a window,
 * to name the busiest ones next to a contention figure (a mark that names its cause can be acted
 * on). Pure: the listings are taken by contention-probe.ts. Per process, not per CPU: /proc says
 * which CPU a process ran on last, not where it spent the window, so the names are machine-wide.
 */

/** /proc's unit: USER_HZ ticks per second (see cpu-accounting.ts). */
const NS_PER_TICK = 1e7;

/** One process's cumulative CPU time from /proc/<pid>/stat. */
export interface ProcessTicks {
  pid: number;
  /** The parent's pid (0 when unknown): tells the run's own child processes apart. */
  ppid?: number;
  /** The command name (`comm`, at most 15 bytes, chosen by the process: untrusted text). */
  command: string;
  /** utime + stime, ticks. */
  ticks: number;
  /** cutime + cstime: the process's children that ended and were waited for, ticks (0 when unknown). */
  childTicks?: number;
}

/**
 * Parses /proc/<pid>/stat. `comm` sits in parentheses and may itself hold spaces and ')', so the
 * fields are counted from the last ')'. Null when the text is not that.
 */
export function parsePidStat(text: string): ProcessTicks | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const pid = Number(text.slice(0, open).trim());
  // After ')': state(3) ppid(4) pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime(14)
  // stime(15) cutime(16) cstime(17).
  const rest = text.slice(close + 1).trim().split(/\s+/);
  const ppid = Number(rest[1]);
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  const children = Number(rest[13]) + Number(rest[14]);
  if (!Number.isInteger(pid) || !Number.isFinite(utime) || !Number.isFinite(stime)) return null;
  return { pid, ppid: Number.isInteger(ppid) ? ppid : 0, command: text.slice(open + 1, close), ticks: utime + stime, childTicks: Number.isFinite(children) ? children : 0 };
}

/** A process's name as chosen by the process: only printable ASCII, at most 64 characters, is kept. */
export function printableCommand(command: string): string {
  return command.replace(/[^\x20-\x7e]/g, '?').slice(0, 64);
}

/** `root` and every process under it in `processes` (by parent pid), `root` included. */
export function descendantsOf(processes: readonly ProcessTicks[], root: number): Set<number> {
  const children = new Map<number, number[]>();
  for (const p of processes) {
    if (p.ppid === undefined || p.ppid === p.pid) continue;
    children.set(p.ppid, [...(children.get(p.ppid) ?? []), p.pid]);
  }
  const out = new Set<number>([root]);
  const queue = [root];
  while (queue.length > 0) {
    for (const child of children.get(queue.pop()!) ?? []) {
      if (out.has(child)) continue;
      out.add(child);
      queue.push(child);
    }
  }
  return out;
}

/** A process named next to a contention figure. */
export interface BusyProcess {
  pid: number;
  /** Printable ASCII only (printableCommand). */
  command: string;
  /** CPU time over the window, percent of one CPU (a process with threads on several CPUs can exceed 100). */
  cpuPercent: number;
  /** A process started by this run (a descendant of `children`'s root). */
  child?: true;
}

/**
 * The processes that used the most CPU between two listings, percent of one CPU over `intervalNs`,
 * busiest first, leaving out `exclude` (this process, the run's containers) and marking `children`
 * (processes this run started). A process that started
 * in between counts from 0; one that ended is not seen. At most `limit`, each at least `minPercent`;
 * percentages rounded to 0.1.
 */
export function busiestProcesses(
  before: readonly ProcessTicks[],
  after: readonly ProcessTicks[],
  intervalNs: number,
  exclude: ReadonlySet<number>,
  limit = 3,
  minPercent = 1,
  children: ReadonlySet<number> = new Set(),
): BusyProcess[] {
  if (intervalNs <= 0) return [];
  // Own time only: a parent's children time jumps by a child's whole life when it is waited for
  // (measured: a shell at "1,213 %" over a 2.2-s window), which is no rate of this window.
  const total = (p: ProcessTicks) => p.ticks;
  const earlier = new Map(before.map((p) => [p.pid, total(p)]));
  return after
    .filter((p) => !exclude.has(p.pid))
    .map((p): BusyProcess => ({
      pid: p.pid,
      command: printableCommand(p.command),
      cpuPercent: Math.round(((total(p) - (earlier.get(p.pid) ?? 0)) * NS_PER_TICK * 1000) / intervalNs) / 10,
      ...(children.has(p.pid) ? { child: true as const } : {}),
    }))
    .filter((p) => p.cpuPercent >= minPercent)
    .sort((a, b) => b.cpuPercent - a.cpuPercent || a.command.localeCompare(b.command, 'en') || a.pid - b.pid)
    .slice(0, limit);
}

/**
 * CPU time of every process but the run's over a window, machine-wide, ticks: each listed process's
 * own time plus that of its children that ended (cutime, cstime: a `make` that runs short-lived
 * compilers is charged with them). `self`'s own time is the run's (its children's is not: getrusage
 * does not count them); the containers' processes are the run's, children and all (their cgroup
 * has them). A process that ended in between is seen through its parent's children time, which then
 * holds its whole life: the part it had already run when the window opened (its time, and its own
 * ended children's, in the first listing) is taken back from that parent, so only the window's part
 * counts. Without that, a child that had run for a while before the window and ended in it read as
 * 20 % of a CPU of "other processes" with no process busy (a quiet default run, 2026-12-03). A
 * process that was never waited for (its parent ended first, it was re-parented) is still counted
 * through whoever reaped it, which can only overstate. Null when a listing is empty (unreadable /proc).
 */
export function othersTicks(before: readonly ProcessTicks[], after: readonly ProcessTicks[], self: number, containerPids: ReadonlySet<number>): number | null {
  if (before.length === 0 || after.length === 0) return null;
  const earlier = new Map(before.map((p) => [p.pid, p]));
  const later = new Set(after.map((p) => p.pid));
  // What the processes gone by the second listing had run before the window, by parent pid.
  const endedEarlierTicks = new Map<number, number>();
  for (const p of before) {
    if (later.has(p.pid) || p.ppid === undefined) continue;
    endedEarlierTicks.set(p.ppid, (endedEarlierTicks.get(p.ppid) ?? 0) + p.ticks + (p.childTicks ?? 0));
  }
  let sum = 0;
  for (const p of after) {
    if (containerPids.has(p.pid)) continue;
    const e = earlier.get(p.pid);
    const own = p.pid === self ? 0 : p.ticks - (e?.ticks ?? 0);
    const children = (p.childTicks ?? 0) - (e?.childTicks ?? 0) - (e ? (endedEarlierTicks.get(p.pid) ?? 0) : 0);
    sum += Math.max(0, own) + Math.max(0, children);
  }
  return sum;
}

/**
 * Whether a listing can hold every process of the machine: only in the initial PID namespace, with
 * no `hidepid` on /proc, are the kernel's own threads visible (kthreadd is pid 2 there). Inside a
 * container /proc lists the container's processes while /proc/stat counts the whole machine's, so a
 * sum over the listing would hide a neighbour: there it must not bound anything.
 */
export function seesEveryProcess(processes: readonly ProcessTicks[]): boolean {
  return processes.some((p) => p.pid === 2 && p.command === 'kthreadd');
}

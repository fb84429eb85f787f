/**
 * Who owns a run's resources (a lock file, a container): host, pid and the pid's start time, so a
 * lock or a container left by a killed run can be told apart from one of a run that is still going.
 * The start time guards against pid reuse: a new process with the old pid has another start time.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';

export interface Owner {
  host: string;
  pid: number;
  /** Start time of the pid in clock ticks since boot (/proc/PID/stat field 22); null where unknown. */
  pidStart: string | null;
}

/** Start time of `pid` from /proc (Linux); null elsewhere or when the process is gone. */
export function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null;
  } catch {
    // No /proc (macOS) or no such process: callers fall back to the pid alone.
    return null;
  }
}

export function currentOwner(): Owner {
  return { host: os.hostname(), pid: process.pid, pidStart: processStartTime(process.pid) };
}

/**
 * Whether the owner's process still runs. An owner on another host is taken as alive: this host
 * cannot see its processes, and removing a live run's resources is the worse mistake.
 */
export function ownerAlive(owner: Owner): boolean {
  if (owner.host !== os.hostname()) return true;
  if (!Number.isInteger(owner.pid) || owner.pid <= 0) return false;
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (owner.pidStart === null) return true;
  const start = processStartTime(owner.pid);
  return start === null || start === owner.pidStart;
}

/** The current parent pid, read afresh (Node's process.ppid is fixed at first read); null off Linux. */
export function currentParentPid(): number | null {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return Number.isInteger(ppid) ? ppid : null;
  } catch {
    return null;
  }
}

/**
 * Naming the other processes of a window on tiny /proc listings: parsing /proc/<pid>/stat, the
 * busiest over a window (without the run's own, its children marked), the run's process tree.
 */
import { describe, expect, it } from 'vitest';
import { busiestProcesses, descendantsOf, othersTicks, parsePidStat, printableCommand, seesEveryProcess } from '../../../src/run/process-accounting.ts';

describe('parsePidStat', () => {
  it('reads /proc/<pid>/stat, with a command name holding spaces and parentheses', () => {
    const stat = '4242 (my (odd) cmd) R 17 4242 4242 0 -1 4194304 100 0 0 0 170 30 0 0 20 0 1 0 5000 1000 100';
    expect(parsePidStat(stat)).toEqual({ pid: 4242, ppid: 17, command: 'my (odd) cmd', ticks: 200, childTicks: 0 });
    const waited = '9 (make) S 1 9 9 0 -1 0 0 0 0 0 5 5 120 30 20 0 1 0 10 0 0';
    expect(parsePidStat(waited)).toMatchObject({ pid: 9, ticks: 10, childTicks: 150 });
    expect(parsePidStat('garbage')).toBeNull();
  });
});

describe('busiestProcesses', () => {
  it('names the busiest processes over a window, without the excluded ones and the idle', () => {
    const before = [{ pid: 1, command: 'a', ticks: 10 }, { pid: 2, command: 'b', ticks: 0 }, { pid: 3, command: 'me', ticks: 0 }];
    const after = [{ pid: 1, command: 'a', ticks: 60 }, { pid: 2, command: 'b', ticks: 120 }, { pid: 3, command: 'me', ticks: 500 }, { pid: 4, command: 'new', ticks: 20 }, { pid: 5, command: 'idle', ticks: 0 }];
    // 1 s window: b 120 ticks = 120 % (two threads), a 50 %, new 20 % (started within the window).
    expect(busiestProcesses(before, after, 1e9, new Set([3]))).toEqual([
      { pid: 2, command: 'b', cpuPercent: 120 },
      { pid: 1, command: 'a', cpuPercent: 50 },
      { pid: 4, command: 'new', cpuPercent: 20 },
    ]);
    expect(busiestProcesses(before, after, 1e9, new Set([3]), 1)).toEqual([{ pid: 2, command: 'b', cpuPercent: 120 }]);
    expect(busiestProcesses(before, after, 0, new Set())).toEqual([]);
  });

  it('marks the run\'s own children, rounds to 0.1 and keeps only printable names', () => {
    const before = [{ pid: 7, command: 'esbuild', ticks: 0 }, { pid: 8, command: 'x\x1b[2Jy', ticks: 0 }];
    const after = [{ pid: 7, command: 'esbuild', ticks: 41 }, { pid: 8, command: 'x\x1b[2Jy', ticks: 7 }];
    // 2.1 s window: 41 ticks = 19.52… % → 19.5; 7 ticks = 3.33… % → 3.3.
    expect(busiestProcesses(before, after, 2.1e9, new Set(), 3, 1, new Set([7]))).toEqual([
      { pid: 7, command: 'esbuild', cpuPercent: 19.5, child: true },
      { pid: 8, command: 'x?[2Jy', cpuPercent: 3.3 },
    ]);
    expect(printableCommand('é'.repeat(100))).toBe('?'.repeat(64));
  });

  it('names a process for its own time in the window, not for a child\'s whole life waited for in it', () => {
    // A shell waited for a node that had run 26 s: its children time jumps by 2,600 ticks in a 2-s window.
    const before = [{ pid: 9, command: 'bash', ticks: 50, childTicks: 0 }];
    const after = [{ pid: 9, command: 'bash', ticks: 52, childTicks: 2600 }];
    expect(busiestProcesses(before, after, 2e9, new Set())).toEqual([{ pid: 9, command: 'bash', cpuPercent: 1 }]);
  });
});

describe('descendantsOf', () => {
  it('follows parent pids down from the root, and stops at loops', () => {
    const procs = [
      { pid: 10, ppid: 1, command: 'node', ticks: 0 },
      { pid: 11, ppid: 10, command: 'esbuild', ticks: 0 },
      { pid: 12, ppid: 11, command: 'sh', ticks: 0 },
      { pid: 13, ppid: 1, command: 'dockerd', ticks: 0 },
      { pid: 14, ppid: 14, command: 'odd', ticks: 0 },
    ];
    expect([...descendantsOf(procs, 10)].sort()).toEqual([10, 11, 12]);
    expect([...descendantsOf(procs, 99)]).toEqual([99]);
  });
});

describe('othersTicks', () => {
  const SELF = 100;
  it('sums every other process\'s time and its ended children\'s; this process\'s own and the containers\' are left out', () => {
    const before = [
      { pid: SELF, command: 'node', ticks: 1000, childTicks: 5 },
      { pid: 50, command: 'server', ticks: 300, childTicks: 0 },
      { pid: 60, command: 'make', ticks: 10, childTicks: 100 },
      { pid: 70, command: 'idle', ticks: 7 },
    ];
    const after = [
      { pid: SELF, command: 'node', ticks: 1200, childTicks: 9 },
      { pid: 50, command: 'server', ticks: 400, childTicks: 40 },
      { pid: 60, command: 'make', ticks: 12, childTicks: 130 },
      { pid: 70, command: 'idle', ticks: 7 },
      { pid: 80, command: 'new', ticks: 6 },
    ];
    // This process's children (taskset, 4 ticks) are not in getrusage: they count. make 2 + its
    // compilers 30; a process started in the window 6. The container's server is the run's.
    expect(othersTicks(before, after, SELF, new Set([50]))).toBe(4 + 2 + 30 + 6);
  });

  it('counts a child that ended in the window for its time in the window only, not its whole life', () => {
    const before = [
      { pid: SELF, command: 'node', ticks: 1000, childTicks: 0 },
      { pid: 2, command: 'kthreadd', ticks: 0 },
      { pid: 200, ppid: SELF, command: 'docker', ticks: 48, childTicks: 2 },
      { pid: 300, ppid: 1, command: 'bash', ticks: 5, childTicks: 0 },
      { pid: 301, ppid: 300, command: 'sleep', ticks: 1, childTicks: 0 },
    ];
    const after = [
      { pid: SELF, command: 'node', ticks: 1010, childTicks: 53 },
      { pid: 2, command: 'kthreadd', ticks: 0 },
      { pid: 300, ppid: 1, command: 'bash', ticks: 5, childTicks: 1 },
    ];
    // docker had run 48 + 2 ticks before the window; its life of 53 adds 3 in it. sleep: 1 before,
    // 1 at the end: 0 in the window.
    expect(othersTicks(before, after, SELF, new Set())).toBe(3 + 0);
  });

  it('is unknown when /proc could not be listed', () => {
    expect(othersTicks([], [{ pid: 1, command: 'x', ticks: 1 }], SELF, new Set())).toBeNull();
    expect(othersTicks([{ pid: 1, command: 'x', ticks: 1 }], [], SELF, new Set())).toBeNull();
  });
});

describe('seesEveryProcess', () => {
  it('is true only when the kernel\'s own threads are listed (the initial PID namespace, no hidepid)', () => {
    expect(seesEveryProcess([{ pid: 1, command: 'systemd', ticks: 0 }, { pid: 2, command: 'kthreadd', ticks: 0 }])).toBe(true);
    expect(seesEveryProcess([{ pid: 1, command: 'tini', ticks: 0 }, { pid: 2, command: 'node', ticks: 0 }])).toBe(false);
    expect(seesEveryProcess([])).toBe(false);
  });
});

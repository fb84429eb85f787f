/** Runs the real CLI (bin/httpbench.js) as a child process, as users and CI do. */
import os from 'node:os';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const BIN = path.join(ROOT, 'bin', 'httpbench.js');

export function httpbench(args: string[], opts: { timeoutMs?: number; env?: Record<string, string> } = {}): ResultPromise<{ reject: false; all: true }> {
  return execa('node', [BIN, ...args], {
    cwd: ROOT,
    reject: false,
    all: true,
    timeout: opts.timeoutMs ?? 120_000,
    // A test's kill() is a SIGTERM the CLI must handle (cleanup, exit 143); execa's default SIGKILL
    // after 5 s would cut that short on a slow machine and hide the real exit code.
    forceKillAfterDelay: 30_000,
    // CPU locks per test process: test files run in parallel (and other checkouts' tests too), and
    // their runs must not refuse each other; runs started by one test file do share them.
    env: { HTTPBENCH_DEBUG: '', HTTPBENCH_LOCK_DIR: path.join(os.tmpdir(), `httpbench-locks-test-${process.pid}`), ...opts.env },
  }) as unknown as ResultPromise<{ reject: false; all: true }>;
}

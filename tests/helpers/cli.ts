/** Runs the real CLI (bin/httpbench.js) as a child process, as users and CI do. */
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
    env: { HTTPBENCH_DEBUG: '', ...opts.env },
  }) as unknown as ResultPromise<{ reject: false; all: true }>;
}

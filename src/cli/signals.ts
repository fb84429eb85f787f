/**
 * SIGINT/SIGTERM → one callback (the run aborts, cleans up, writes what it has). A second signal
 * means the user will not wait: `onForcedExit` gets a last synchronous word (a final run.json), then
 * the process exits at once with the conventional code, pointing at `httpbench clean`.
 *
 * Under `npx`/`npm exec` the process tree is npm → sh → node, and `kill -TERM <npm pid>` ends npm and
 * its shell but never reaches node. So when npm launched us, a parent that goes away counts as
 * SIGTERM: the run is interrupted (cleanup, interrupted run.json) instead of running on orphaned.
 */
import { currentParentPid } from '../util/owner.ts';

/** How often the parent is checked when npm launched the process. */
export const PARENT_POLL_MS = 200;

export interface InterruptOptions {
  /** Called synchronously just before a forced exit (second signal). */
  onForcedExit?: (signal: NodeJS.Signals) => void;
  env?: NodeJS.ProcessEnv;
}

/** npm sets these in every process it starts (`npx`, `npm exec`, `npm run`). */
export function launchedByNpm(env: NodeJS.ProcessEnv): boolean {
  return env.npm_command !== undefined || env.npm_lifecycle_event !== undefined;
}

export function onInterrupt(callback: (signal: NodeJS.Signals) => void, options: InterruptOptions = {}): () => void {
  let received = false;
  const handler = (signal: NodeJS.Signals) => {
    if (received) {
      options.onForcedExit?.(signal);
      process.stderr.write(`${signal} again: exiting now; remove leftover containers with 'httpbench clean'\n`);
      process.exit(signal === 'SIGINT' ? 130 : 143);
    }
    received = true;
    callback(signal);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  let watchdog: NodeJS.Timeout | null = null;
  const parent = launchedByNpm(options.env ?? process.env) ? currentParentPid() : null;
  if (parent !== null) {
    watchdog = setInterval(() => {
      const now = currentParentPid();
      if (now === null || now === parent || received) return;
      process.stderr.write(`\nthe parent process (npm, pid ${parent}) has exited: treating it as SIGTERM\n`);
      if (watchdog) clearInterval(watchdog);
      handler('SIGTERM');
    }, PARENT_POLL_MS);
    watchdog.unref();
  }
  return () => {
    if (watchdog) clearInterval(watchdog);
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}

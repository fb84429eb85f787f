/**
 * Connections need file descriptors: past the process's soft limit every socket fails with EMFILE,
 * and a step would "measure" thousands of errors the target never saw. Checked before a step.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors.ts';

/** Descriptors kept free for everything else the process has open (stdio, Docker socket, files). */
export const FD_HEADROOM = 64;

/** Soft "Max open files" of this process from /proc/self/limits; null where it cannot be read. */
export function openFilesSoftLimit(limitsText?: string): number | null {
  let text = limitsText;
  if (text === undefined) {
    try {
      text = readFileSync('/proc/self/limits', 'utf8');
    } catch {
      return null; // not Linux: nothing to check against, the OS reports EMFILE as errors
    }
  }
  const line = text.split('\n').find((l) => l.startsWith('Max open files'));
  const soft = line?.slice('Max open files'.length).trim().split(/\s+/)[0];
  if (soft === undefined) return null;
  if (soft === 'unlimited') return Infinity;
  const n = Number(soft);
  return Number.isFinite(n) ? n : null;
}

export function assertConnectionsFit(connections: number, softLimit: number | null = openFilesSoftLimit()): void {
  if (softLimit === null || connections + FD_HEADROOM <= softLimit) return;
  throw new ConfigError(`${connections} connections need more file descriptors than this process may open (soft limit ${softLimit}, ${FD_HEADROOM} kept free)`, {
    hint: `lower the connections, or raise the limit first (e.g. \`ulimit -n ${connections + 1024}\`)`,
  });
}

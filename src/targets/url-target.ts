/**
 * A `url:` target: a service the user already runs. The harness neither starts nor stops it, and has no
 * container to measure, so every container figure is null.
 */
import type { UrlTargetSpec } from '../scenario/schema.ts';
import type { RunningTarget } from './types.ts';

/** `connectHost`: the address the URL guard checked for spec.url; load and checks connect there. */
export function startUrlTarget(spec: UrlTargetSpec, connectHost?: string): RunningTarget {
  return {
    baseUrl: spec.url.replace(/\/+$/, ''),
    ...(connectHost !== undefined ? { connectHost } : {}),
    image: null,
    coldStartMs: null,
    limits: null,
    idleMemoryBytes: null,
    sampleResources: () => null,
    // Not observable from here; a dead service shows up as connection errors in the step counts.
    state: async () => ({ running: true, exitCode: null, oomKilled: false }),
    logsTail: async () => '',
    stop: async () => {},
  };
}

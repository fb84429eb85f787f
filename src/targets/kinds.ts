/**
 * Target kinds: what each kind of scenario target needs from the run. The kind itself is told from
 * the entry's fields in one place, src/scenario/schema.ts (`targetKind`, re-exported here), so the
 * CLI and the orchestrator ask "does this kind build an image?" instead of checking object shapes.
 * A new kind (a remote host, say) adds its schema and its name to scenario/schema.ts and an entry
 * here; the `satisfies` makes a missing entry a compile error.
 */
import { targetKind, type TargetKind, type TargetSpec } from '../scenario/schema.ts';

export { isDockerTarget, isUrlTarget, targetKind, type TargetKind } from '../scenario/schema.ts';

export interface TargetKindInfo {
  /** Needs the local Docker engine (the run connects only when a selected target does). */
  needsDocker: boolean;
}

export const TARGET_KINDS = {
  // Built into an image (once per target, run/run.ts) and started as a hardened container.
  docker: { needsDocker: true },
  // A service the user already runs, on the loopback address the URL guard checked.
  url: { needsDocker: false },
} as const satisfies Record<TargetKind, TargetKindInfo>;

export function kindInfo(spec: TargetSpec): TargetKindInfo {
  return TARGET_KINDS[targetKind(spec)];
}

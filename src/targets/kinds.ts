/**
 * Target kinds: what kind of target a scenario entry is, and what each kind needs from the run. The
 * one place that tells the kinds apart (by the fields the scenario schema requires of each), so the
 * CLI and the orchestrator ask "does this kind build an image?" instead of checking object shapes.
 * A new kind (a remote host, say) adds its schema to scenario/schema.ts and an entry here; the
 * `satisfies` makes a missing entry a compile error.
 */
import type { DockerTargetSpec, TargetSpec, UrlTargetSpec } from '../scenario/schema.ts';

export type TargetKind = 'docker' | 'url';

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

export function targetKind(spec: TargetSpec): TargetKind {
  return 'url' in spec ? 'url' : 'docker';
}

export function isDockerTarget(spec: TargetSpec): spec is DockerTargetSpec {
  return targetKind(spec) === 'docker';
}

export function isUrlTarget(spec: TargetSpec): spec is UrlTargetSpec {
  return targetKind(spec) === 'url';
}

export function kindInfo(spec: TargetSpec): TargetKindInfo {
  return TARGET_KINDS[targetKind(spec)];
}

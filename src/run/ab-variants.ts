/**
 * The variants of `httpbench ab` made real: a git ref resolved to its commit and checked out in a
 * throwaway `git worktree` (never the user's checkout), whose target images are built and tagged
 * httpbench/<target>:ab-<commit 12> — never :latest, which other runs measure; or an existing image
 * (`image:NAME`), checked to exist. Worktrees are removed by `cleanup()` on every way out.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import type { VariantSource } from '../ab/args.ts';
import type { Variant } from '../ab/schema.ts';
import { ConfigError, InfrastructureError } from '../errors.ts';
import type { DockerTargetSpec } from '../scenario/schema.ts';
import { imageInfo, type DockerClient } from '../targets/docker.ts';
import type { BuiltImage } from './deps.ts';

/** Resolves a ref of the project's repository to a full commit id; an unknown ref is exit 2. */
export async function resolveCommit(projectRoot: string, ref: string, flag: string): Promise<string> {
  const r = await execa('git', ['-C', projectRoot, 'rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`], { reject: false });
  if (r.exitCode !== 0 || !/^[0-9a-f]{40}$/.test(r.stdout.trim())) {
    throw new ConfigError(`${flag} ${ref}: not a commit of this repository (${projectRoot})`, { hint: 'give a branch, tag or commit id that `git rev-parse` knows (fetch it first in CI: actions/checkout with fetch-depth: 0)' });
  }
  return r.stdout.trim();
}

/** The tag ab builds a commit's image under. */
export function abImageTag(target: string, commit: string): string {
  return `httpbench/${target}:ab-${commit.slice(0, 12)}`;
}

export interface Worktrees {
  /** A checkout of `commit` (created once per commit). */
  checkout(commit: string): Promise<string>;
  /** Removes every worktree made; safe to call twice. */
  cleanup(): Promise<void>;
}

export function worktrees(projectRoot: string): Worktrees {
  const made = new Map<string, string>();
  return {
    async checkout(commit) {
      const existing = made.get(commit);
      if (existing) return existing;
      const parent = await mkdtemp(path.join(os.tmpdir(), 'httpbench-ab-'));
      const dir = path.join(parent, commit.slice(0, 12));
      made.set(commit, dir);
      const r = await execa('git', ['-C', projectRoot, 'worktree', 'add', '--detach', '--quiet', dir, commit], { reject: false });
      if (r.exitCode !== 0) throw new InfrastructureError(`git worktree add for ${commit.slice(0, 12)} failed: ${r.stderr.trim().split('\n')[0]}`, { hint: 'check the repository is writable and `git worktree list` for stale entries (git worktree prune)' });
      return dir;
    },
    async cleanup() {
      for (const dir of made.values()) {
        await execa('git', ['-C', projectRoot, 'worktree', 'remove', '--force', dir], { reject: false });
        await rm(path.dirname(dir), { recursive: true, force: true });
      }
      made.clear();
      await execa('git', ['-C', projectRoot, 'worktree', 'prune'], { reject: false });
    },
  };
}

export interface PreparedVariant {
  record: Variant;
  /** Image tag per target name. */
  tags: Map<string, string>;
}

/**
 * Makes a variant's images for the selected Docker targets: built from the ref's worktree (once per
 * commit, shared by both sides when they resolve to the same commit), or the named image checked.
 */
export async function prepareVariant(
  source: VariantSource & { given: string; commit: string | null },
  env: Record<string, string>,
  specs: readonly DockerTargetSpec[],
  io: { docker: DockerClient; worktrees: Worktrees; build(spec: DockerTargetSpec, projectRoot: string, tag: string): Promise<BuiltImage>; built: Map<string, BuiltImage> },
  flag: string,
): Promise<PreparedVariant> {
  const tags = new Map<string, string>();
  const images: Variant['images'] = {};
  if (source.kind === 'image') {
    const info = await imageInfo(io.docker, source.image);
    if (!info) throw new ConfigError(`${flag} ${source.given}: no image ${source.image} on this Docker engine`, { hint: `pull or build it first (docker image ls ${source.image.split(':')[0]})` });
    for (const s of specs) {
      tags.set(s.name, source.image);
      images[s.name] = { tag: source.image, id: info.id };
    }
    return { record: { given: source.given, commit: null, images, env }, tags };
  }
  const commit = source.commit!;
  for (const s of specs) {
    const tag = abImageTag(s.name, commit);
    let built = io.built.get(tag);
    if (!built) {
      const dir = await io.worktrees.checkout(commit);
      built = await io.build(s, dir, tag);
      io.built.set(tag, built);
    }
    tags.set(s.name, built.tag);
    images[s.name] = { tag: built.tag, id: built.id };
  }
  return { record: { given: source.given, commit, images, env }, tags };
}

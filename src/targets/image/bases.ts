/**
 * Where each official base image of the Dockerfiles would come from on this machine: already local,
 * the local stand-in of scripts/build-bases.sh, the registry, or nowhere. Used by `run`/`build` before
 * any build (so a machine without any base fails once, with "run httpbench setup", instead of a DNS
 * error per build) and by `httpbench setup` (which builds the stand-ins when nothing can be pulled).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describeError, InfrastructureError } from '../../errors.ts';
import type { DockerTargetSpec } from '../../scenario/schema.ts';
import type { DockerClient } from '../engine/client.ts';
import { imageInfo } from './build.ts';
import { baseImageArgs } from './dockerfile.ts';

/** A registry that does not answer within this is treated as unreachable (air-gapped hosts). */
export const PULL_PROBE_TIMEOUT_MS = 10_000;

export type BaseSource =
  | { kind: 'official' }
  | { kind: 'stand-in'; image: string }
  | { kind: 'pullable' }
  | { kind: 'missing'; standIn: string | null; why: string };

export interface BaseAvailability {
  official: string;
  source: BaseSource;
}

/** Asks the registry for the image's manifest (no layers are downloaded); the reason when it cannot. */
export async function registryProblem(docker: DockerClient, image: string, timeoutMs = PULL_PROBE_TIMEOUT_MS): Promise<string | null> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      docker.getImage(image).distribution(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`the registry did not answer within ${timeoutMs / 1000} s`)), timeoutMs);
      }),
    ]);
    return null;
  } catch (error) {
    // The daemon wraps the resolver's error in an HTTP 500 envelope; the inner text is what helps.
    return describeError(error).replace(/^\(HTTP code \d+\)\s*server error\s*-\s*/, '').trim();
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Same order as the build's choice (image-build.ts): official local → stand-in → registry.
 * `standIns` maps official → stand-in (the target manifests' bases: manifest.ts standInBases).
 */
export async function probeBase(docker: DockerClient, official: string, standIns: Readonly<Record<string, string>>, timeoutMs = PULL_PROBE_TIMEOUT_MS): Promise<BaseAvailability> {
  if (await imageInfo(docker, official)) return { official, source: { kind: 'official' } };
  const standIn = standIns[official] ?? null;
  if (standIn && (await imageInfo(docker, standIn))) return { official, source: { kind: 'stand-in', image: standIn } };
  const problem = await registryProblem(docker, official, timeoutMs);
  if (problem === null) return { official, source: { kind: 'pullable' } };
  return { official, source: { kind: 'missing', standIn, why: problem } };
}

/** The official bases the targets' Dockerfiles name (unique, in order). */
export async function officialBasesOf(projectRoot: string, specs: readonly DockerTargetSpec[]): Promise<string[]> {
  const bases: string[] = [];
  for (const spec of specs) {
    // An unreadable Dockerfile is reported by the build itself, with its own hint.
    const text = await readFile(path.resolve(projectRoot, spec.dockerfile), 'utf8').catch(() => '');
    for (const { official } of baseImageArgs(text)) if (!bases.includes(official)) bases.push(official);
  }
  return bases;
}

/**
 * One line per base that is not the official local image: a notice for a stand-in fallback; for
 * bases that exist nowhere an InfrastructureError naming them and `httpbench setup`.
 */
export function baseNotices(bases: readonly BaseAvailability[]): string[] {
  const missing = bases.filter((b) => b.source.kind === 'missing');
  if (missing.length > 0) {
    const why = missing[0]!.source.kind === 'missing' ? missing[0]!.source.why : '';
    throw new InfrastructureError(
      `base image${missing.length > 1 ? 's' : ''} ${missing.map((b) => b.official).join(', ')} ${missing.length > 1 ? 'are' : 'is'} neither on this machine nor pullable (${why})`,
      { hint: 'run `npx httpbench setup`: it builds local stand-ins of the bases (scripts/build-bases.sh) when no registry is reachable' },
    );
  }
  return bases.flatMap((b) =>
    b.source.kind === 'stand-in'
      ? [`notice: ${b.official} is not on this machine; building on the local stand-in ${b.source.image} (the report marks sizes measured on it)`]
      : [],
  );
}

/**
 * Before any build of `specs`: where each official base comes from, as notices (a stand-in
 * fallback); throws when a base exists nowhere (baseNotices). `standIns`: the manifests' (standInBases).
 */
export async function baseImageNotices(
  docker: DockerClient,
  projectRoot: string,
  specs: readonly DockerTargetSpec[],
  standIns: Readonly<Record<string, string>>,
): Promise<string[]> {
  const bases = await Promise.all((await officialBasesOf(projectRoot, specs)).map(async (b) => probeBase(docker, b, standIns)));
  return baseNotices(bases);
}

/**
 * Images from one engine to another over the Docker API (`docker save` streamed into `docker load`):
 * the base images a target host lacks and cannot pull (air-gapped), copied from this machine's engine.
 */
import type { DockerClient } from '../engine/client.ts';
import { imageInfo } from './build.ts';
import { baseImageArgs } from './dockerfile.ts';

/** The first of `names` that the engine has, or null. */
export async function anyImage(docker: DockerClient, names: readonly string[]): Promise<string | null> {
  for (const name of names) if (await imageInfo(docker, name)) return name;
  return null;
}

/** `docker save` on one engine streamed into `docker load` on the other, over the API. */
export async function copyImage(local: DockerClient, remote: DockerClient, name: string, log: (line: string) => void): Promise<void> {
  log(`target host lacks ${name}: copying it from the local engine (save → load over the Docker API)`);
  const tar = await local.getImage(name).get();
  const stream = await remote.loadImage(tar);
  await new Promise<void>((resolve, reject) => remote.modem.followProgress(stream, (error) => (error ? reject(error) : resolve())));
  if (!(await imageInfo(remote, name))) throw new Error(`loading ${name} into the target host reported success but the image is not there`);
}

/** Bases a helper container may use: anything with /bin/sh that the harness builds on (stand-ins first). */
export function helperCandidates(standIns: Readonly<Record<string, string>>): string[] {
  return [...Object.values(standIns), ...Object.keys(standIns)];
}

/**
 * Gives the target host the base images a Dockerfile needs when it has neither the official image
 * nor its stand-in but the local engine has one (air-gapped hosts cannot pull): `docker save` on
 * the local engine streamed into `docker load` on the remote one, all over the API. Returns the
 * images copied.
 */
export async function transferBases(
  local: DockerClient | null,
  remote: DockerClient,
  dockerfile: string,
  standIns: Readonly<Record<string, string>>,
  log: (line: string) => void,
): Promise<string[]> {
  const copied: string[] = [];
  if (!local) return copied;
  for (const { official } of baseImageArgs(dockerfile)) {
    const standIn = standIns[official];
    const names = [official, ...(standIn ? [standIn] : [])];
    if (await anyImage(remote, names)) continue;
    const source = await anyImage(local, names);
    if (!source) continue;
    await copyImage(local, remote, source, log);
    copied.push(source);
  }
  return copied;
}

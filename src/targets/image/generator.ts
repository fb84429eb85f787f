/**
 * The generator agent image (`httpbench/generator`, docker/generator.Dockerfile): built from this
 * repository through the same path as the targets (buildImage: our own context tar, stand-in bases
 * when the official node image is absent), on every engine that runs a generator node. A cluster has
 * no shared registry here, so each node needs the image in its own engine (README "Several load
 * machines": build it there, or save → load).
 */
import type { DockerTargetSpec } from '../../scenario/schema.ts';
import type { DockerClient } from '../engine/client.ts';
import { buildImage, type BuildOptions, type BuildResult } from './build.ts';

export const GENERATOR_IMAGE = 'httpbench/generator';

/** The image as a build spec (it is not a target: it never appears in a scenario). */
export const GENERATOR_BUILD: DockerTargetSpec = {
  name: 'generator',
  context: '.',
  dockerfile: 'docker/generator.Dockerfile',
  configurations: [{ id: 'default', description: '', env: {} }],
};

export function generatorImageTag(tag = 'latest'): string {
  return `${GENERATOR_IMAGE}:${tag}`;
}

export function buildGeneratorImage(docker: DockerClient, opts: BuildOptions & { imageTag?: string }): Promise<BuildResult> {
  return buildImage(docker, GENERATOR_BUILD, { ...opts, tag: opts.tag ?? generatorImageTag(opts.imageTag) });
}

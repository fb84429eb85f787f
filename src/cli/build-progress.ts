/** A Docker build with a condensed, live log (src/progress/build-log.ts) for `run` and `build`. */
import { formatMB, formatSeconds } from '../util/format.ts';
import { BuildLogCondenser, formatBuildLine } from '../progress/build-log.ts';
import type { BuiltImage } from '../run/deps.ts';
import type { DockerTargetSpec } from '../scenario/schema.ts';
import { buildImage, defaultTag, type DockerClient } from '../targets/docker.ts';
import { PROJECT_ROOT } from '../util/project.ts';
import type { Display } from './progress-display.ts';

/**
 * Builds one image with its log condensed to a live "step N/M" line and errors (the whole log with
 * --verbose, and after a failed build); the last line says what was built and how long it took.
 */
export async function buildWithProgress(
  docker: DockerClient,
  spec: DockerTargetSpec,
  display: Display,
  opts: { verbose: boolean; extraCaFile: string | null; standIns: Readonly<Record<string, string>>; signal?: AbortSignal; tag?: string; buildArgs?: Record<string, string> },
): Promise<BuiltImage> {
  const condenser = new BuildLogCondenser();
  const started = performance.now();
  display.setLive(() => formatBuildLine(spec.name, condenser.progress, (performance.now() - started) / 1000));
  try {
    const built = await buildImage(docker, spec, {
      projectRoot: PROJECT_ROOT,
      tag: opts.tag ?? defaultTag(spec.name),
      ...(opts.buildArgs ? { buildArgs: opts.buildArgs } : {}),
      extraCaFile: opts.extraCaFile,
      standIns: opts.standIns,
      onProgress: (line) => {
        const urgent = condenser.push(line);
        if (opts.verbose) display.log(`  ${line}`);
        else if (urgent) display.log(`  ${urgent}`);
      },
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    display.setLive(null);
    display.log(`[${spec.name}] built ${built.tag} (${formatMB(built.sizeBytes)} MB) in ${formatSeconds((performance.now() - started) / 1000)} s`);
    return { tag: built.tag, id: built.id, sizeBytes: built.sizeBytes, bases: built.baseImages };
  } catch (error) {
    display.setLive(null);
    if (!opts.verbose && condenser.lines.length > 0) {
      display.log(`[${spec.name}] build failed; its full log:`);
      for (const line of condenser.lines) display.log(`  ${line}`);
    }
    throw error;
  }
}

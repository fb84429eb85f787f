/** `httpbench build [targets…]`: builds (or rebuilds) the Docker targets' images of a scenario. */
import os from 'node:os';
import path from 'node:path';
import type { CommandModule } from 'yargs';
import { ConfigError } from '../../errors.ts';
import { loadScenario } from '../../scenario/load.ts';
import { CALIBRATION_SPEC } from '../../targets/calibration.ts';
import { baseImageNotices } from '../../targets/image/bases.ts';
import { connectDocker } from '../../targets/docker.ts';
import { isDockerTarget } from '../../targets/kinds.ts';
import { loadTargetManifests, standInBases } from '../../targets/manifest.ts';
import { buildWithProgress } from '../build-progress.ts';
import { createDisplay } from '../progress-display.ts';
import { PROJECT_ROOT } from '../../util/project.ts';
import { formatMB, formatSeconds } from '../../util/format.ts';

interface BuildArgs {
  targets: string[];
  scenario?: string;
  'ca-cert'?: string;
  verbose: boolean;
}

export const buildCommand: CommandModule<object, BuildArgs> = {
  command: 'build [targets..]',
  describe: 'build the Docker images of the targets (default: all Docker targets of the scenario, and the calibration server)',
  builder: (y) =>
    y
      .positional('targets', { type: 'string', array: true, default: [] })
      .option('scenario', { type: 'string', describe: 'scenario file (default scenarios/article.yaml)' })
      .option('ca-cert', { type: 'string', describe: 'extra CA certificate (PEM) for package downloads inside the build' })
      .option('verbose', { type: 'boolean', default: false, describe: 'print the full build log (default: its step counter and errors)' }) as never,
  handler: async (args) => {
    const scenarioPath = path.resolve(args.scenario ?? path.join(PROJECT_ROOT, 'scenarios', 'article.yaml'));
    const scenario = await loadScenario(scenarioPath, { cpuCount: os.cpus().length, memoryBytes: os.totalmem() });
    // The calibration server is built with the targets (run measures the instrument's floor with it).
    const docker = [...scenario.targets.filter(isDockerTarget), CALIBRATION_SPEC];
    const unknown = args.targets.filter((n) => !docker.some((t) => t.name === n));
    if (unknown.length) {
      throw new ConfigError(`unknown Docker target(s): ${unknown.join(', ')}`, { hint: `choose from: ${docker.map((t) => t.name).join(', ')}` });
    }
    const client = await connectDocker();
    const chosen = docker.filter((t) => args.targets.length === 0 || args.targets.includes(t.name));
    // The manifests are read once: every build and the base check below use the same stand-ins.
    const standIns = standInBases(await loadTargetManifests(PROJECT_ROOT));
    for (const line of await baseImageNotices(client, PROJECT_ROOT, chosen, standIns)) process.stderr.write(`${line}\n`);
    const display = createDisplay(process.stderr);
    try {
      for (const spec of chosen) {
        display.log(`building httpbench/${spec.name}:latest from ${spec.dockerfile}`);
        const started = performance.now();
        const built = await buildWithProgress(client, spec, display, { verbose: args.verbose, extraCaFile: args['ca-cert'] ?? null, standIns });
        const seconds = (performance.now() - started) / 1000;
        process.stdout.write(`${built.tag}  ${built.id.slice(0, 19)}  ${formatMB(built.sizeBytes)} MB  (${formatSeconds(seconds)} s)\n`);
      }
    } finally {
      display.close();
    }
  },
};

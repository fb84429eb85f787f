/**
 * `httpbench run`: the main job. Maps the flags to a session (src/run/session.ts owns the run from
 * prepare to the gate), gives it the terminal (live display, summary) and the signal handlers; the
 * exit code is what the session throws, or 0.
 */
import path from 'node:path';
import type { CommandModule } from 'yargs';
import { ConfigError } from '../../errors.ts';
import { lockDirFrom } from '../../run/reservation.ts';
import { runSession, type SessionIo } from '../../run/session.ts';
import { PROJECT_ROOT } from '../../util/project.ts';
import { buildWithProgress } from '../build-progress.ts';
import { parseFailOn, withFailOn } from '../gate.ts';
import { createDisplay, runProgress } from '../progress-display.ts';
import { onInterrupt } from '../signals.ts';

interface RunArgs {
  scenario?: string;
  out?: string;
  targets?: string;
  quick: boolean;
  'ca-cert'?: string;
  'allow-remote': boolean;
  'fail-on'?: string;
  verbose: boolean;
  'image-tag': string;
  'target-host'?: string;
  'target-address'?: string;
  'build-proxy'?: string;
  generators?: string;
  'generator-nodes'?: number;
  'generator-image'?: string;
}

export const runCommand: CommandModule<object, RunArgs> = {
  command: 'run',
  describe: 'build, start, verify and benchmark the targets; write run.json and reports',
  builder: (y) =>
    withFailOn(y)
      .option('scenario', { type: 'string', describe: 'scenario file (default scenarios/article.yaml; --quick: scenarios/smoke.yaml)' })
      .option('out', { type: 'string', describe: 'results directory (default results/<timestamp>-<scenario>)' })
      .option('targets', { type: 'string', describe: 'comma-separated target names to run (default: all)' })
      .option('quick', { type: 'boolean', default: false, describe: 'run scenarios/smoke.yaml: both targets, short steps' })
      .option('ca-cert', { type: 'string', describe: 'extra CA certificate (PEM) for package downloads inside image builds' })
      .option('allow-remote', { type: 'boolean', default: false, describe: 'allow url: targets that are not on loopback' })
      .option('verbose', { type: 'boolean', default: false, describe: 'print the full Docker build log (default: its step counter and errors)' })
      .option('image-tag', { type: 'string', default: 'latest', describe: 'tag of the built target images (httpbench/<target>:TAG), so a test build never replaces the images another run measures' })
      .option('target-host', { type: 'string', describe: 'run the targets on this Docker engine (tcp://…, ssh://…, or a context name); see README "Two machines"' })
      .option('build-proxy', { type: 'string', describe: 'HTTP proxy for package downloads in image builds (an engine without direct registry access)' })
      .option('target-address', { type: 'string', describe: "the targets' IP address on --target-host (default: the engine URL's IP)" })
      .option('generators', { type: 'string', describe: 'run the load from generator agents on a Docker swarm: its manager\'s engine; see README "Several load machines"' })
      .option('generator-nodes', { type: 'number', describe: 'how many swarm nodes run a generator (one share of every step each)' })
      .option('generator-image', { type: 'string', describe: 'the agent image on every node (default httpbench/generator:latest)' }) as never,
  handler: async (args) => {
    // Checked before anything runs: a typo in --fail-on is bad input, not a surprise at the end.
    const failOn = parseFailOn(args['fail-on']);
    if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(args['image-tag'])) {
      throw new ConfigError(`--image-tag '${args['image-tag']}' is not a Docker tag`, { hint: 'letters, digits, _ . - (at most 128), e.g. --image-tag ci' });
    }
    const warn = (line: string): void => void process.stderr.write(`${line}\n`);
    const io: SessionIo = {
      warn,
      lockDir: lockDirFrom(process.env),
      print: (text) => void process.stdout.write(text),
      onInterrupt: (interrupt, forcedExit) => void onInterrupt(interrupt, { onForcedExit: forcedExit }),
      openDisplay: () => {
        const display = createDisplay(process.stderr);
        return {
          build: (docker, spec, opts) => buildWithProgress(docker, spec, display, { verbose: args.verbose, extraCaFile: args['ca-cert'] ?? null, ...opts }),
          log: (line) => display.log(line),
          progress: runProgress(display),
          close: () => display.close(),
        };
      },
    };
    await runSession(
      {
        scenarioPath: path.resolve(args.scenario ?? path.join(PROJECT_ROOT, 'scenarios', args.quick ? 'smoke.yaml' : 'article.yaml')),
        out: args.out,
        targets: args.targets,
        allowRemote: args['allow-remote'],
        targetHost: args['target-host'],
        targetAddress: args['target-address'],
        buildProxy: args['build-proxy'],
        imageTag: args['image-tag'],
        failOn,
        generators: { flag: args.generators, nodes: args['generator-nodes'], image: args['generator-image'] },
      },
      io,
    );
  },
};

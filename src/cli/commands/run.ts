/**
 * `httpbench run`: the main job. Parses the flags, sets the run up through src/run/setup.ts (scenario,
 * results directory, CPUs, Docker), installs the signal handlers, drives the orchestrator with the
 * live display, and prints the summary; the exit code follows run.json's status.
 */
import path from 'node:path';
import type { CommandModule } from 'yargs';
import { buildVerdicts } from '../../analysis/verdicts.ts';
import { ConfigError, describeError, InfrastructureError, InterruptedError } from '../../errors.ts';
import { renderTerminal } from '../../report/terminal.ts';
import { buildReportModel } from '../../report/model.ts';
import { writeReports } from '../../report/index.ts';
import { lockDirFrom } from '../../run/reservation.ts';
import { runBenchmark } from '../../run/run.ts';
import { failedTargetsError, placeRun, prepareRun, runDeps, runInput, type PlacedRun, type RunRequest, type SetupIo } from '../../run/setup.ts';
import { RunDocumentStore } from '../../schema/io.ts';
import { lostEngineError, redactEngine } from '../../targets/target-host.ts';
import { chooseGenerators, openSwarmGenerators, type GeneratorsRequest } from '../../run/generators.ts';
import { readScenarioHosts } from '../../scenario/hosts.ts';
import { PROJECT_ROOT } from '../../util/project.ts';
import { buildWithProgress } from '../build-progress.ts';
import { enforceGate, parseFailOn, withFailOn } from '../gate.ts';
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
    parseFailOn(args['fail-on']);
    if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(args['image-tag'])) {
      throw new ConfigError(`--image-tag '${args['image-tag']}' is not a Docker tag`, { hint: 'letters, digits, _ . - (at most 128), e.g. --image-tag ci' });
    }
    const req: RunRequest = {
      scenarioPath: path.resolve(args.scenario ?? path.join(PROJECT_ROOT, 'scenarios', args.quick ? 'smoke.yaml' : 'article.yaml')),
      out: args.out,
      targets: args.targets,
      allowRemote: args['allow-remote'],
      targetHost: args['target-host'],
      targetAddress: args['target-address'],
      buildProxy: args['build-proxy'],
      imageTag: args['image-tag'],
    };
    const io: SetupIo = { warn: (line) => process.stderr.write(`${line}\n`), lockDir: lockDirFrom(process.env) };
    // Several load machines: checked before anything runs, opened once the signal handlers are in place.
    const generators = chooseGenerators({ flag: args.generators, nodes: args['generator-nodes'], image: args['generator-image'], scenario: (await readScenarioHosts(req.scenarioPath))?.generators });
    const prepared = await prepareRun(req, io);
    // run.json keeps the manager without credentials.
    if (prepared.scenario.hosts?.generators) prepared.scenario.hosts.generators.swarm = redactEngine(prepared.scenario.hosts.generators.swarm);
    try {
      await measureAndReport(args, req, await placeRun(prepared, io), generators);
    } finally {
      for (const r of prepared.owned.reverse()) await r.release();
    }
  },
};

async function measureAndReport(args: RunArgs, req: RunRequest, placed: PlacedRun, generatorsRequest: GeneratorsRequest | null = null): Promise<void> {
  const { outDir, runId } = placed;
  const shownDir = path.relative(process.cwd(), outDir) || '.';
  process.stderr.write(`run ${runId} (pid ${process.pid}): results in ${shownDir}/\n`);
  const store = new RunDocumentStore(outDir);
  const controller = new AbortController();
  // Once measuring is over, a signal no longer changes the outcome: the reports (a few ms of local
  // writes) are finished and the exit code follows run.json's status. The handlers stay until the
  // process exits, so a late signal cannot kill it with 143 while run.json says `completed`.
  let measuring = true;
  onInterrupt(
    (signal) => {
      if (!measuring) {
        process.stderr.write(`\n${signal}: the run has finished measuring; writing its reports, then exiting with its status\n`);
        return;
      }
      process.stderr.write(`\n${signal}: stopping after cleanup; completed steps are kept in ${outDir}/run.json\n`);
      controller.abort(new InterruptedError(signal));
    },
    {
      onForcedExit: () => {
        const ok = store.salvageSync('interrupted', new Date().toISOString());
        process.stderr.write(
          ok
            ? `run.json marked interrupted; render its reports with 'httpbench report ${shownDir}'\n`
            : `run.json could not be finalised and may still say 'running'\n`,
        );
      },
    },
  );

  // Generator agents on other machines: the run calls their engine instead of a local one; their
  // services are removed on every way out (an interrupt while they start included).
  const generators = generatorsRequest ? await openSwarmGenerators(generatorsRequest, runId, (line) => process.stderr.write(`${line}\n`), controller.signal) : null;
  const display = createDisplay(process.stderr);
  const localDeps = runDeps(placed, req, {
    build: (docker, spec, opts) => buildWithProgress(docker, spec, display, { verbose: args.verbose, extraCaFile: args['ca-cert'] ?? null, ...opts }),
    save: (doc) => store.save(doc),
    log: (line) => display.log(line),
    progress: runProgress(display),
  });
  const deps = generators ? { ...localDeps, engine: () => generators.engine } : localDeps;

  let failure: unknown = null;
  try {
    await runBenchmark(await runInput(placed, controller.signal), deps);
  } catch (error) {
    failure = error;
  } finally {
    display.close();
    await generators?.close().catch((error: unknown) => process.stderr.write(`warning: generator services of run ${runId} could not all be removed (${describeError(error)}); remove them with 'docker service rm' on the manager\n`));
  }
  // A lost generator node is why the run failed: say so in one line, whatever noticed it first.
  if (generators?.lost() && !(failure instanceof InterruptedError)) failure = generators.lost();
  measuring = false;
  // A save that failed (disk full) left run.json behind the run: give it a final status.
  if (store.behind) await finalise(store, failure instanceof InterruptedError ? 'interrupted' : 'failed');
  // Reports are written for interrupted and failed runs too: partial results are never lost.
  const measured = store.current();
  if (measured) {
    let reportProblem: unknown = null;
    // The analysis runs once; every renderer lays out the same model.
    const model = buildReportModel(measured);
    try {
      await writeReports(outDir, measured, new Date().toISOString(), model);
    } catch (error) {
      reportProblem = error;
    }
    process.stdout.write(renderTerminal(model));
    if (reportProblem === null) {
      process.stdout.write(`\nresults: ${shownDir}/ (run.json, report.md, report.html, verdicts.json)\n`);
    } else {
      // Exit code and run.json must agree: a run without its reports did not end well.
      if (measured.status === 'completed') await finalise(store, 'failed');
      process.stdout.write(`\nresults: ${shownDir}/run.json (reports not written)\n`);
      failure ??= new InfrastructureError(`${describeError(reportProblem)}; run.json is kept`, {
        cause: reportProblem,
        hint: `free space or fix permissions, then render the reports with 'httpbench report ${shownDir}'`,
      });
    }
  }
  // A target host whose engine went away: say so in one line, not the first call that noticed.
  if (placed.twoHost && (failure !== null || store.current()?.status === 'failed')) failure = await lostEngineError(placed.twoHost.remote, failure);
  if (failure) throw failure;
  const final = store.current();
  const failedTargets = final ? failedTargetsError(final) : null;
  if (failedTargets) throw failedTargets;
  // Gates last: a broken run (exit 3) or an interruption outranks a threshold (exit 1).
  if (final) enforceGate(buildVerdicts(final), parseFailOn(args['fail-on']));
}

/** Gives run.json a final status after a failed write, and says what could be kept. */
async function finalise(store: RunDocumentStore, status: 'failed' | 'interrupted'): Promise<void> {
  const how = await store.salvage(status, new Date().toISOString());
  process.stderr.write(
    how === 'not written'
      ? `warning: run.json could not be finalised (disk full or not writable); it may still say 'running'\n`
      : `run.json finalised with status ${status}${how === 'previous in place' ? ' (without the last step, which did not fit on the disk)' : ''}\n`,
  );
}

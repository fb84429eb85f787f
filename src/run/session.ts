/**
 * One run of `httpbench run`, from the flags' meaning to the error its exit code comes from:
 * prepare (scenario, claims, results directory) → place (CPUs, Docker) → measure (run.ts, with the
 * generators of a swarm when asked) → finalise (a run.json a failed save left behind) → report →
 * gate. Signals, salvage, a lost engine or generator node and failed targets are all decided here,
 * in that order, so the exit code always agrees with run.json's status.
 *
 * No argv and no process: the CLI (src/cli/commands/run.ts) maps flags to a SessionRequest, gives
 * its terminal and signal handlers as SessionIo, and exits with what this throws (or 0).
 */
import path from 'node:path';
import type { FailOn } from '../analysis/verdicts.ts';
import { describeError, InfrastructureError, InterruptedError, TargetError } from '../errors.ts';
import { writeReports } from '../report/index.ts';
import { buildReportModel } from '../report/model.ts';
import { renderTerminal } from '../report/terminal.ts';
import { readScenarioHosts } from '../scenario/hosts.ts';
import { RunDocumentStore } from '../schema/io.ts';
import type { RunDocument } from '../schema/run.ts';
import { redactEngine } from '../targets/engine/endpoint.ts';
import { lostEngineError } from '../targets/target-host.ts';
import { enforceGate } from './gate.ts';
import { chooseGenerators, openSwarmGenerators } from './generators.ts';
import { placeRun, prepareRun, runDeps, runInput, type PlacedRun, type RunHooks, type RunRequest, type SetupIo } from './prepare.ts';
import { runBenchmark } from './run.ts';

/** What the user asked for: the run itself, the gate, and generator agents on a swarm. */
export interface SessionRequest extends RunRequest {
  /** Claim verdicts that also fail the gate (--fail-on, parsed). */
  failOn: readonly FailOn[];
  /** --generators, --generator-nodes, --generator-image as given (the scenario's hosts.generators otherwise). */
  generators: { flag?: string | undefined; nodes?: number | undefined; image?: string | undefined };
}

/** The live display of a run: builds, log lines and step progress, until `close`. */
export interface SessionDisplay extends Omit<RunHooks, 'save'> {
  close(): void;
}

/** How the session reaches people and the process; the CLI gives the terminal's. */
export interface SessionIo extends SetupIo {
  /** The summary for stdout. */
  print(text: string): void;
  /**
   * Installs the handlers of SIGINT/SIGTERM: `interrupt` on the first signal, `forcedExit`
   * synchronously before the process exits on a second one.
   */
  onInterrupt(interrupt: (signal: NodeJS.Signals) => void, forcedExit: () => void): void;
  /** Opens the live display once the run is placed. */
  openDisplay(): SessionDisplay;
}

/** Runs the whole session; resolves when the exit code is 0, else throws the error it comes from. */
export async function runSession(req: SessionRequest, io: SessionIo): Promise<void> {
  // Several load machines: checked before anything runs, opened once the signal handlers are in place.
  const generators = chooseGenerators({ ...req.generators, scenario: (await readScenarioHosts(req.scenarioPath))?.generators });
  const prepared = await prepareRun(req, io);
  // run.json keeps the manager without credentials.
  if (prepared.scenario.hosts?.generators) prepared.scenario.hosts.generators.swarm = redactEngine(prepared.scenario.hosts.generators.swarm);
  try {
    await measureAndReport(req, io, await placeRun(prepared, io), generators);
  } finally {
    for (const r of prepared.owned.reverse()) await r.release();
  }
}

async function measureAndReport(req: SessionRequest, io: SessionIo, placed: PlacedRun, generatorsRequest: ReturnType<typeof chooseGenerators>): Promise<void> {
  const { outDir, runId } = placed;
  const shownDir = path.relative(process.cwd(), outDir) || '.';
  io.warn(`run ${runId} (pid ${process.pid}): results in ${shownDir}/`);
  const store = new RunDocumentStore(outDir);
  const controller = new AbortController();
  // Once measuring is over, a signal no longer changes the outcome: the reports (a few ms of local
  // writes) are finished and the exit code follows run.json's status. The handlers stay until the
  // process exits, so a late signal cannot kill it with 143 while run.json says `completed`.
  let measuring = true;
  io.onInterrupt(
    (signal) => {
      if (!measuring) {
        io.warn(`\n${signal}: the run has finished measuring; writing its reports, then exiting with its status`);
        return;
      }
      io.warn(`\n${signal}: stopping after cleanup; completed steps are kept in ${outDir}/run.json`);
      controller.abort(new InterruptedError(signal));
    },
    () => {
      const ok = store.salvageSync('interrupted', new Date().toISOString());
      io.warn(ok ? `run.json marked interrupted; render its reports with 'httpbench report ${shownDir}'` : `run.json could not be finalised and may still say 'running'`);
    },
  );

  // Generator agents on other machines: the run calls their engine instead of a local one; their
  // services are removed on every way out (an interrupt while they start included).
  const generators = generatorsRequest ? await openSwarmGenerators(generatorsRequest, runId, io.warn, controller.signal) : null;
  const display = io.openDisplay();
  const localDeps = runDeps(placed, req, {
    build: (docker, spec, opts) => display.build(docker, spec, opts),
    save: (doc) => store.save(doc),
    log: (line) => display.log(line),
    ...(display.progress ? { progress: display.progress } : {}),
  });
  const deps = generators ? { ...localDeps, engine: () => generators.engine } : localDeps;

  let failure: unknown = null;
  try {
    await runBenchmark(await runInput(placed, controller.signal), deps);
  } catch (error) {
    failure = error;
  } finally {
    display.close();
    await generators?.close().catch((error: unknown) => io.warn(`warning: generator services of run ${runId} could not all be removed (${describeError(error)}); remove them with 'docker service rm' on the manager`));
  }
  // A lost generator node is why the run failed: say so in one line, whatever noticed it first.
  if (generators?.lost() && !(failure instanceof InterruptedError)) failure = generators.lost();
  measuring = false;
  // A save that failed (disk full) left run.json behind the run: give it a final status.
  if (store.behind) await finalise(store, failure instanceof InterruptedError ? 'interrupted' : 'failed', io);
  // Reports are written for interrupted and failed runs too: partial results are never lost.
  const measured = store.current();
  // The analysis runs once: every renderer lays out this model, and the gate reads its verdicts.
  const model = measured ? buildReportModel(measured) : null;
  if (measured && model) {
    let reportProblem: unknown = null;
    try {
      await writeReports(outDir, measured, new Date().toISOString(), model);
    } catch (error) {
      reportProblem = error;
    }
    io.print(renderTerminal(model));
    if (reportProblem === null) {
      io.print(`\nresults: ${shownDir}/ (run.json, report.md, report.html, verdicts.json)\n`);
    } else {
      // Exit code and run.json must agree: a run without its reports did not end well.
      if (measured.status === 'completed') await finalise(store, 'failed', io);
      io.print(`\nresults: ${shownDir}/run.json (reports not written)\n`);
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
  // Gates last: a broken run (exit 3) or an interruption outranks a threshold (exit 1). Reaching
  // here, run.json is the document the model was built from (any later change threw above).
  if (model) enforceGate(model.verdicts, req.failOn);
}

/** Gives run.json a final status after a failed write, and says what could be kept. */
async function finalise(store: RunDocumentStore, status: 'failed' | 'interrupted', io: Pick<SessionIo, 'warn'>): Promise<void> {
  const how = await store.salvage(status, new Date().toISOString());
  io.warn(
    how === 'not written'
      ? `warning: run.json could not be finalised (disk full or not writable); it may still say 'running'`
      : `run.json finalised with status ${status}${how === 'previous in place' ? ' (without the last step, which did not fit on the disk)' : ''}`,
  );
}

/** A run whose document says `failed` because target runs failed: exit 3, naming each. Null otherwise. */
export function failedTargetsError(doc: RunDocument): TargetError | null {
  if (doc.status !== 'failed') return null;
  const failed = doc.targets.filter((t) => t.status === 'failed');
  const measured = doc.targets.filter((t) => t.status === 'completed').length;
  return new TargetError(`${failed.length} target run(s) failed: ${failed.map((t) => `${t.name}/${t.configuration}: ${t.reason}`).join('; ')}`, {
    hint: measured > 0 ? `the other ${measured} target run(s) were measured; see run.json for each failure` : 'no target run was measured; see run.json for each failure',
  });
}

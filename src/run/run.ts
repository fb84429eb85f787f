/**
 * The run: plan → build → for each (target, configuration, repetition): start, pre-flight contract,
 * warm-up, closed-loop max step, open-loop rate steps until saturation, knee refinement → run.json.
 *
 * run.json is rewritten atomically after every step, so a crash, a dead target or Ctrl-C never loses
 * a completed measurement. Containers are stopped in `finally`. Collaborators (Docker, engines, the
 * contract check) come in through RunDeps so the orchestration is testable against fake servers.
 */
import { ConfigError, describeError, InterruptedError, TargetError } from '../errors.ts';
import { requiredRates } from '../plan/ladder.ts';
import { planRuns, type PlannedRun } from '../plan/plan.ts';
import type { DockerTargetSpec } from '../scenario/schema.ts';
import { SCHEMA_VERSION, type RunDocument, type TargetResult } from '../schema/run.ts';
import { isDockerTarget } from '../targets/kinds.ts';
import { calibrate, ceilingFigure } from './calibrate.ts';
import { throwIfAborted, type BuiltImage, type RunDatabase, type RunDeps, type RunInput } from './deps.ts';
import { measureTarget, plannedRunS } from './executor.ts';
import { measureNetworkFloor } from './network-floor.ts';
import { formatWholeMs } from '../util/format.ts';

// The types callers build a run from live in deps.ts; re-exported so `run.ts` is the one entry point.
export type { BuiltImage, RunDatabase, RunDeps, RunInput, RunProgress } from './deps.ts';

function emptyTarget(run: PlannedRun, cpus: number, status: TargetResult['status'], reason: string | null, withStore: boolean): TargetResult {
  return {
    name: run.spec.name,
    configuration: run.configuration.id,
    cpus,
    // Recorded once the scenario mixes stores, so older single-store runs read as before.
    ...(withStore ? { store: run.store } : {}),
    repetition: run.repetition,
    status,
    reason,
    image: null,
    coldStartMs: null,
    memory: null,
    maxThroughputRps: null,
    sustainableRps: null,
    sustainableIsLowerBound: false,
    limits: null,
    steps: [],
  };
}

export async function runBenchmark(input: RunInput, deps: RunDeps): Promise<RunDocument> {
  const { scenario, signal } = input;
  const doc: RunDocument = {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'httpbench', version: input.toolVersion },
    status: 'running',
    startedAt: deps.now().toISOString(),
    finishedAt: null,
    scenario,
    ...(input.scenarioFile ? { scenarioFile: input.scenarioFile } : {}),
    claims: input.claims,
    ...(input.claimsSource ? { claimsSource: input.claimsSource } : {}),
    environment: input.environment,
    source: input.source,
    ...(input.hosts ? { hosts: input.hosts } : {}),
    targets: [],
  };
  await deps.save(doc);

  const plan = planRuns(scenario, input.only);
  const required = requiredRates(scenario, input.claims);
  deps.progress?.planned(plan.filter((r) => !r.skipReason).length, plannedRunS(scenario, required));
  const images = new Map<string, BuiltImage | Error>();
  const withStore = plan.some((r) => r.store !== 'memory');
  const imageFor = async (spec: DockerTargetSpec): Promise<BuiltImage | Error> => {
    let built = images.get(spec.name);
    if (!built) {
      deps.log(`[${spec.name}] building image from ${spec.dockerfile}`);
      try {
        built = await deps.buildImage(spec, signal);
      } catch (error) {
        throwIfAborted(signal);
        // Bad input (an unreadable --ca-cert, say) is the user's to fix: exit 2, not a target failure.
        if (error instanceof ConfigError) throw error;
        built = error instanceof Error ? error : new Error(String(error));
      }
      images.set(spec.name, built);
    }
    return built;
  };
  // Started at the first postgres configuration, kept for the rest of the run, stopped in finally.
  let database: RunDatabase | null = null;
  // The entry being measured, so an interrupt or a fatal error is recorded on the right one.
  let inProgress: TargetResult | null = null;
  try {
    if (input.targetAddress && plan.some((r) => !r.skipReason)) {
      doc.network = await measureNetworkFloor(input, deps, input.targetAddress);
      await deps.save(doc);
    }
    if (scenario.load.calibration.enabled && scenario.load.steps.engine === 'openloop' && deps.startCalibration && plan.some((r) => !r.skipReason)) {
      doc.calibration = await calibrate(input, deps, required);
      await deps.save(doc);
    }
    for (const run of plan) {
      throwIfAborted(signal);
      const label = `${run.spec.name}/${run.configuration.id}#${run.repetition + 1}`;
      if (run.skipReason) {
        deps.log(`[${label}] skipped: ${run.skipReason}`);
        doc.targets.push(emptyTarget(run, input.scenario.resources.cpus, 'skipped', run.skipReason, withStore));
        await deps.save(doc);
        continue;
      }
      let image: BuiltImage | null = null;
      if (isDockerTarget(run.spec)) {
        const built = await imageFor(run.spec);
        if (built instanceof Error) {
          const entry = emptyTarget(run, input.scenario.resources.cpus, 'failed', `image build failed: ${describeError(built)}`, withStore);
          doc.targets.push(entry);
          await deps.save(doc);
          continue;
        }
        image = built;
      }
      const entry = emptyTarget(run, input.scenario.resources.cpus, 'completed', null, withStore);
      entry.image = image ? { id: image.id, sizeBytes: image.sizeBytes, bases: image.bases } : null;
      if (run.store === 'postgres') {
        database ??= await startDatabase(input, deps, imageFor, doc);
        const state = await database.state();
        if (!state.running) {
          entry.status = 'failed';
          entry.reason = `the database is not running (${database.info.error ?? `exit code ${state.exitCode ?? 'unknown'}`}); this configuration was not measured`;
          deps.log(`[${label}] ${entry.reason}`);
          doc.targets.push(entry);
          await deps.save(doc);
          continue;
        }
      }
      doc.targets.push(entry);
      inProgress = entry;
      const ceiling = ceilingFigure(doc.calibration?.ceiling);
      await measureTarget(run, entry, image, input, deps, label, () => deps.save(doc), { database: run.store === 'postgres' ? database : null, ceiling, required });
      inProgress = null;
      await deps.save(doc);
    }
    doc.status = doc.targets.some((t) => t.status === 'failed') ? 'failed' : 'completed';
  } catch (error) {
    const interrupted = error instanceof InterruptedError;
    doc.status = interrupted ? 'interrupted' : 'failed';
    if (inProgress) {
      inProgress.status = interrupted ? 'interrupted' : 'failed';
      inProgress.reason = interrupted ? 'run interrupted during this target; completed steps are kept' : describeError(error);
    }
    throw error;
  } finally {
    doc.finishedAt = deps.now().toISOString();
    try {
      await database?.stop();
    } finally {
      await deps.save(doc);
    }
  }
  return doc;
}

/** A duration the engine may not have reported: whole ms, or '?'. */
function orUnknown(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? '?' : formatWholeMs(ms);
}

/** Starts and seeds the run's database, building the seed target's image if needed; records it. */
async function startDatabase(
  input: RunInput,
  deps: RunDeps,
  imageFor: (spec: DockerTargetSpec) => Promise<BuiltImage | Error>,
  doc: RunDocument,
): Promise<RunDatabase> {
  const { scenario } = input;
  if (!deps.startDatabase) {
    throw new ConfigError('store: postgres needs a Docker engine for the database', { hint: 'use store: memory, or run where Docker is available' });
  }
  const seedSpec = scenario.targets.find((t) => t.name === scenario.database.seed.target);
  if (!seedSpec || !isDockerTarget(seedSpec)) {
    throw new ConfigError(`database.seed.target '${scenario.database.seed.target}' is not a Docker target of the scenario`, {
      hint: 'name the target whose image seeds the table (go-chi or fastapi)',
    });
  }
  const seedImage = await imageFor(seedSpec);
  if (seedImage instanceof Error) {
    throw new TargetError(`the database cannot be seeded: building ${seedSpec.name} failed: ${describeError(seedImage)}`, {
      hint: 'fix the build (its log is above), or set database.seed.target to another target',
    });
  }
  const cpuset = scenario.database.cpuset ?? input.targetCpuset;
  deps.log(`[database] starting PostgreSQL on cpuset ${cpuset} (${scenario.database.memoryMiB} MiB), seeding ${scenario.load.ids.max} users`);
  const database = await deps.startDatabase({ seedImage, users: scenario.load.ids.max, cpuset, runId: input.runId, signal: input.signal });
  doc.database = database.info;
  deps.log(
    `[database] ${database.info.image} ready after ${orUnknown(database.info.startMs)} ms, seeded in ${orUnknown(database.info.seedMs)} ms` +
      (database.info.sharesTargetCpus ? ` (shares the targets' CPUs ${cpuset})` : ''),
  );
  await deps.save(doc);
  return database;
}

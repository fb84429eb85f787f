/**
 * What a run is given — its input, its collaborators (Docker, engines, saving, logging) as RunDeps so
 * the orchestration is testable against fake servers — and what every step of it shares. Types and
 * small helpers only: run.ts, executor.ts, calibrate.ts and network-floor.ts all import this file, and
 * it imports none of them, so no import cycle runs through run/.
 */
import type { ContentionProbe } from './contention-probe.ts';
import type { Claim } from '../schema/claims.ts';
import { InterruptedError } from '../errors.ts';
import type { LoadEngine, StepObserver, StepSpec } from '../load/types.ts';
import type { ProgressStepKind } from '../progress/format.ts';
import type { ResolvedScenario } from '../scenario/resolve.ts';
import type { DockerTargetSpec } from '../scenario/schema.ts';
import type { DatabaseInfo, Environment, HostEnvironment, RunDocument, Step, TargetResult } from '../schema/run.ts';
import type { ResourceSampler, RunningTarget, StartOptions, TargetState } from '../targets/types.ts';


export const PATH_TEMPLATE = '/users/{id}';

export interface BuiltImage {
  tag: string;
  id: string;
  sizeBytes: number;
  bases?: NonNullable<TargetResult['image']>['bases'];
}

/** The run's PostgreSQL service, started and seeded (src/targets/postgres.ts behind the CLI). */
export interface RunDatabase {
  /** DATABASE_URL for the targets (holds the password: never logged, never in run.json). */
  url: string;
  info: DatabaseInfo;
  sampleResources(): ResourceSampler | null;
  state(): Promise<TargetState>;
  stop(): Promise<void>;
}

export interface RunDeps {
  /** Builds (or reuses) a Docker target's image. Throws TargetError with the build log tail. */
  buildImage(spec: DockerTargetSpec, signal: AbortSignal): Promise<BuiltImage>;
  /** Starts a target; for Docker targets `image` is the built image. */
  startTarget(opts: StartOptions, image: BuiltImage | null): Promise<RunningTarget>;
  /**
   * Builds and starts the calibration server (bench/server) on the targets' CPUs; its description
   * for run.json. Absent where no calibration server can run (no Docker engine): no floor then.
   */
  startCalibration?(opts: { cpus: number; cpuset: string; runId: string; signal: AbortSignal }): Promise<{ target: RunningTarget; server: string }>;
  /**
   * Starts the database on `cpuset` and seeds it with `users` rows using `seedImage` (a built target
   * image). Throws InfrastructureError when it cannot (exit 3). Absent without Docker.
   */
  startDatabase?(opts: { seedImage: BuiltImage; users: number; cpuset: string; runId: string; signal: AbortSignal }): Promise<RunDatabase>;
  /** `maxId`: the target's USERS when the plan set it (postgres store), else the contract's default. */
  verifyContract(baseUrl: string, connectHost?: string, maxId?: number): Promise<{ ok: boolean; failures: string[] }>;
  engine(name: Step['engine']): LoadEngine;
  /** Persists the document (validate + atomic write). Called after every step. */
  save(doc: RunDocument): Promise<void>;
  /** Progress for people; never parsed. */
  log(line: string): void;
  now(): Date;
  /** Live progress for people (optional); its observer goes to the engine for each step. */
  progress?: RunProgress;
  /** Who else used the CPUs around each step (src/run/contention-probe.ts); absent: not recorded. */
  contention?: ContentionProbe | null;
}

/** Events for a live progress display (src/cli/progress-display.ts). */
export interface RunProgress {
  /** Once: target runs that will measure, and an upper bound of each one's measuring time (s). */
  planned(runs: number, perRunS: number): void;
  /** A (target, configuration, repetition) starts. */
  runStarted(label: string): void;
  /** A load step starts; the returned observer is handed to the engine. */
  stepStarted(step: { label: string; kind: ProgressStepKind; rateRps: number | null; durationS: number }): StepObserver;
  stepEnded(): void;
}

export interface RunInput {
  /** CPUs and workers already numbers (src/scenario/resolve.ts); stored as run.json's scenario. */
  scenario: ResolvedScenario;
  /** Where the scenario came from, for the reproduce command. */
  scenarioFile?: string;
  claims: Claim[] | null;
  /** The claims file's `source` (title, author, year), cited in the reports. */
  claimsSource?: string;
  environment: Environment;
  toolVersion: string;
  runId: string;
  /** Where the targets and the generator run (the CPU budget is scenario.resources.cpus). */
  targetCpuset: string;
  generatorCpuset: string | null;
  only?: readonly string[];
  /** Handler line counts, computed by the caller (I/O). */
  source: RunDocument['source'];
  signal: AbortSignal;
  /** Two-host runs: both machines (load first) and the targets' address, for the network floor. */
  hosts?: HostEnvironment[];
  targetAddress?: string;
}

export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw signal.reason instanceof InterruptedError ? signal.reason : new InterruptedError('SIGINT');
}

/** What every open-loop step of the run shares, whatever it is aimed at. */
export function stepBase(input: RunInput): Omit<StepSpec, 'rateRps' | 'durationS' | 'connections' | 'baseUrl'> {
  const load = input.scenario.load;
  return {
    pathTemplate: PATH_TEMPLATE,
    ids: load.ids,
    workers: load.workers,
    timeoutMs: load.timeoutMs,
    generatorCpuset: input.generatorCpuset,
    pacing: load.pacing,
  };
}


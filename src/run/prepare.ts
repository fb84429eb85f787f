/**
 * Everything `httpbench run` does before and around the orchestrator (run.ts), for run/session.ts: the scenario checked
 * against the machine that runs the targets, the target selection, the results directory, the CPU
 * split and pinning, the resolved scenario (src/scenario/resolve.ts), the Docker engine and its base
 * images, and the real collaborators (RunDeps). No argv and no printing: one-line warnings go to
 * `warn`, and run/session.ts calls these in order.
 */
import os from 'node:os';
import path from 'node:path';
import { loadClaimsFile } from '../analysis/claims-file.ts';
import { detectEnvironment } from '../environment.ts';
import { ConfigError } from '../errors.ts';
import { engineFor } from '../load/index.ts';
import { pinProcess } from '../load/pin.ts';
import { guardLoadUrl } from '../load/url-guard.ts';
import { parseCpuset } from '../scenario/cpuset.ts';
import { loadScenario } from '../scenario/load.ts';
import { placeCpus, resolveScenario, type ResolvedScenario } from '../scenario/resolve.ts';
import { isDockerTarget, isUrlTarget, type DockerTargetSpec, type Scenario } from '../scenario/schema.ts';
import type { Environment, RunDocument } from '../schema/run.ts';
import { baseImageNotices } from '../targets/image/bases.ts';
import { CALIBRATION_SPEC } from '../targets/calibration.ts';
import { verifyContract } from '../targets/contract.ts';
import { connectDocker, listHarnessContainers, startDockerTarget, startUrlTarget, type DockerClient } from '../targets/docker.ts';
import { kindInfo } from '../targets/kinds.ts';
import { configurationEnvProblems, loadTargetManifests, standInBases, type TargetManifest } from '../targets/manifest.ts';
import { DATABASE_ROLE, resolveDatabaseImage, seedDatabase, startPostgres } from '../targets/postgres.ts';
import { ensureWritableDir } from '../util/fs.ts';
import { PROJECT_ROOT, TOOL_VERSION } from '../util/project.ts';
import { contentionProbe, placementOf, quietCheck, SYSTEM_SOURCES } from './contention-probe.ts';
import { claimResultDir, createRunDir, makeRunId, reserveCpus, type Reservation } from './reservation.ts';
import type { BuiltImage, RunDeps, RunInput, RunProgress } from './deps.ts';
import { countHandlerLines } from './source-lines.ts';
import { loadHostEnvironment, openTwoHost, type TwoHost } from './two-host.ts';

/** What the user asked for, from the flags. */
export interface RunRequest {
  scenarioPath: string;
  /** --out; absent: a new directory results/<run id>-<scenario>. */
  out?: string | undefined;
  /** --targets as given (comma-separated names); absent: all. */
  targets?: string | undefined;
  allowRemote: boolean;
  targetHost?: string | undefined;
  targetAddress?: string | undefined;
  /** --build-proxy: an HTTP proxy for package downloads in image builds. */
  buildProxy?: string | undefined;
  /** Tag of the built target images (httpbench/<target>:TAG). */
  imageTag: string;
}

export interface SetupIo {
  /** One line for people (warnings, notices); never parsed. */
  warn(line: string): void;
  /** Directory of the host-wide CPU locks (run/reservation.ts lockDirFrom). */
  lockDir: string;
}

/** Checked input and the results directory, before anything is pinned or built. */
export interface PreparedRun {
  /** As validated; resolved in placeRun, once the generator's CPUs are known. */
  scenario: Scenario;
  scenarioPath: string;
  claims: Awaited<ReturnType<typeof loadClaimsFile>>['claims'] | null;
  claimsSource: string | undefined;
  /** url: targets' guard-checked addresses, by target name. */
  urlAddresses: Map<string, string>;
  only: string[] | undefined;
  /** CPUs of the machine the targets run on. */
  cpuCount: number;
  outDir: string;
  runId: string;
  startedAt: Date;
  /** Reservations held by the run (results directory, CPUs); the caller releases them, last first. */
  owned: Reservation[];
  /** The targets' host of a two-host run; null when the targets run here. */
  twoHost: TwoHost | null;
  /** Every target manifest, read once for the whole run (env lists, handler lines). */
  manifests: TargetManifest[];
  /** Official base → local stand-in, from the manifests: every build, probe and transfer of the run uses these. */
  standIns: Readonly<Record<string, string>>;
}

/**
 * The scenario (checked against the targets' machine), --targets, url: targets' addresses, claims,
 * the manifests' env lists, and the results directory (claimed, so no other run writes into it).
 * Throws ConfigError (exit 2) for bad input, before anything runs.
 */
export async function prepareRun(req: RunRequest, io: SetupIo): Promise<PreparedRun> {
  const { scenarioPath } = req;
  // Read once here and passed down: the run never reads a manifest again.
  const manifests = await loadTargetManifests(PROJECT_ROOT);
  const standIns = standInBases(manifests);
  // Two machines: the scenario is checked against the targets' host, the generator gets all of this one.
  const twoHost = await openTwoHost(req, io.warn, standIns);
  const cpuCount = twoHost ? twoHost.remote.environment.cpuCount : os.cpus().length;
  const loaded = await loadScenario(scenarioPath, { cpuCount, memoryBytes: twoHost ? twoHost.remote.environment.memoryBytes : os.totalmem() });
  // run.json keeps the engine without credentials, and the address the flags chose.
  const scenario: Scenario = twoHost ? { ...loaded, hosts: { targets: { docker: twoHost.remote.endpoint.display, address: twoHost.remote.address } } } : loaded;
  const only = selectTargets(scenario, req.targets);
  // url: targets are resolved once here; load and contract checks connect to the checked address.
  const urlAddresses = new Map<string, string>();
  for (const t of scenario.targets) {
    if (isUrlTarget(t)) urlAddresses.set(t.name, (await guardLoadUrl(t.url, { allowRemote: req.allowRemote })).address);
  }
  const claimsFile = scenario.claims ? await loadClaimsFile(path.resolve(path.dirname(scenarioPath), scenario.claims)) : null;
  checkTargetEnv(scenario, scenarioPath, manifests);

  const startedAt = new Date();
  // Fail before building anything if results cannot be written. Without --out, the directory is
  // new and named by the run id (created exclusively: concurrent runs never share one).
  let outDir: string;
  let runId: string;
  if (req.out !== undefined) {
    outDir = path.resolve(req.out);
    await ensureWritableDir(outDir);
    runId = makeRunId(startedAt);
  } else {
    const parent = path.join(PROJECT_ROOT, 'results');
    await ensureWritableDir(parent);
    ({ dir: outDir, runId } = await createRunDir(parent, scenario.name, startedAt));
  }
  const owned: Reservation[] = [await claimResultDir(outDir, runId)];
  return { scenario, scenarioPath, claims: claimsFile?.claims ?? null, claimsSource: claimsFile?.source, urlAddresses, only, cpuCount, outDir, runId, startedAt, owned, twoHost, manifests, standIns };
}

/** --targets as a list of known names; undefined for all. */
export function selectTargets(scenario: Scenario, targets: string | undefined): string[] | undefined {
  const only = targets?.split(',').map((s) => s.trim()).filter(Boolean);
  // `--targets ,` used to run nothing and report success: a CI gate then passed on no measurement.
  if (only && only.length === 0) {
    throw new ConfigError(`--targets ${JSON.stringify(targets)} selects no target`, {
      hint: `name at least one of: ${scenario.targets.map((t) => t.name).join(', ')} (or leave --targets out for all)`,
    });
  }
  if (only) {
    const unknown = only.filter((n) => !scenario.targets.some((t) => t.name === n));
    if (unknown.length) {
      throw new ConfigError(`--targets names unknown target(s): ${unknown.join(', ')}`, {
        hint: `the scenario defines: ${scenario.targets.map((t) => t.name).join(', ')}`,
      });
    }
  }
  return only;
}

/**
 * The target manifests say which env variables each target reads: a configuration setting another
 * (a typo, GOMAXPROCS for Python) is exit 2, not a silently different measurement.
 */
function checkTargetEnv(scenario: Scenario, scenarioPath: string, manifests: readonly TargetManifest[]): void {
  const problems = configurationEnvProblems(scenario.targets, manifests);
  if (problems.length > 0) {
    throw new ConfigError(`${scenarioPath} has ${problems.length} problem(s)`, { problems, hint: "set only the variables the target's manifest lists under env" });
  }
}

/** The run placed on the machine: CPUs split and reserved, the generator pinned, the scenario resolved, Docker checked. */
export interface PlacedRun extends Omit<PreparedRun, 'scenario'> {
  scenario: ResolvedScenario;
  targetCpuset: string;
  /** What the generator really runs on: null (unpinned) unless pinning worked. */
  generatorCpuset: string | null;
  /** The engine that runs the targets (the targets' host's in a two-host run); null when no selected target needs one. */
  docker: DockerClient | null;
  environment: Environment;
}

/**
 * Splits the CPUs, pins this process (the generator) to its share, resolves the scenario ("half"
 * CPUs, "auto" workers) from what really happened, reserves the pinned CPUs host-wide, connects
 * Docker, checks base images (a stand-in is one notice, no base at all fails once, naming `setup`)
 * and the database image, and describes the environment for run.json.
 */
export async function placeRun(prepared: PreparedRun, io: SetupIo): Promise<PlacedRun> {
  const { scenario: validated, only, cpuCount, runId, owned, twoHost } = prepared;
  const sharesKernel = twoHost?.remote.sharesThisKernel ?? false;
  if (sharesKernel) {
    io.warn(
      `note: the target host runs on this machine's kernel (same boot id): its CPUs are this machine's, so the generator is kept off the targets' CPUs; ` +
        'its figures are those of one machine with a network hop, not of two machines',
    );
  }
  const split = placeCpus(validated, { targetHostCpuCount: cpuCount, loadCpuCount: os.cpus().length, twoHost: twoHost !== null, targetHostSharesThisKernel: sharesKernel });
  // What the generator really ran on: null (unpinned) unless pinning worked, so the report
  // never claims a CPU split that did not happen.
  let generatorCpuset: string | null = null;
  if (split.generator) {
    const problem = await pinProcess(split.generator);
    if (problem) io.warn(`warning: ${problem}; the generator runs unpinned and may share CPUs with the targets`);
    else generatorCpuset = split.generator;
  } else {
    io.warn(`warning: no CPU left for the generator: it shares CPUs ${split.target} with the target (the report says so)`);
  }
  // "auto" workers: one generator thread per CPU the generator may use (stored resolved in run.json).
  const scenario = resolveScenario(validated, {
    targetHostCpuCount: cpuCount,
    generatorCpuCount: generatorCpuset ? parseCpuset(generatorCpuset).length : os.cpus().length,
  });

  const selected = (name: string): boolean => !only || only.includes(name);
  const needsDocker = scenario.targets.some((t) => kindInfo(t).needsDocker && selected(t.name));
  // Host-wide: the CPUs this run pins on this machine (the targets' only if their containers run
  // here, the generator's if pinned). A two-host run's target CPUs are on the other machine.
  const pinned = [...(needsDocker && !twoHost ? parseCpuset(split.target) : []), ...(generatorCpuset ? parseCpuset(generatorCpuset) : [])];
  owned.push(await reserveCpus(pinned, runId, io.lockDir));
  const docker = twoHost ? twoHost.remote.docker : needsDocker ? await connectDocker() : null;
  if (docker) {
    const specs = scenario.targets.filter((t): t is DockerTargetSpec => isDockerTarget(t) && selected(t.name));
    // A target host that cannot pull gets the bases from this machine's engine first (save → load),
    // so the check below sees what its builds will use.
    if (twoHost) for (const spec of [...specs, CALIBRATION_SPEC]) await twoHost.transfer(spec);
    for (const line of await baseImageNotices(docker, PROJECT_ROOT, specs, prepared.standIns)) io.warn(line);
  }
  const leftovers = [...(docker ? await listHarnessContainers(docker) : []), ...(twoHost?.local ? await listHarnessContainers(twoHost.local) : [])];
  const stale = leftovers.filter((c) => !c.ownerAlive);
  if (stale.length > 0) io.warn(`warning: ${stale.length} container(s) of an earlier, ended httpbench run are still there; remove them with 'httpbench clean'`);
  const live = leftovers.length - stale.length;
  if (live > 0) io.warn(`note: ${live} container(s) of another httpbench run that is still going; they are left alone`);
  // store: postgres needs a database image: fail now, not after the memory configurations ran.
  const usesPostgres = scenario.targets.some((t) => selected(t.name) && t.configurations.some((c) => c.store === 'postgres'));
  if (docker && usesPostgres) await resolveDatabaseImage(docker, scenario.database.image);
  const localDocker = twoHost ? twoHost.local : docker;
  const dockerVersion = localDocker ? ((await localDocker.version()).Version ?? null) : null;
  const environment = await detectEnvironment({ projectRoot: PROJECT_ROOT, dockerVersion, cpusets: { target: split.target, generator: generatorCpuset } });
  // Before anything of the run loads the machine: is anyone else on its CPUs? One line if so.
  const notQuiet = await quietCheck(placementOf(generatorCpuset, twoHost ? null : split.target));
  if (notQuiet) io.warn(notQuiet);
  return { ...prepared, scenario, targetCpuset: split.target, generatorCpuset, docker, environment };
}


/** How the CLI takes part: it shows builds and progress, and owns the results file. */
export interface RunHooks {
  /** Builds one image, showing its progress; `buildArgs` carries the build proxy. */
  build(docker: DockerClient, spec: DockerTargetSpec, opts: { tag: string; signal: AbortSignal; standIns: Readonly<Record<string, string>>; buildArgs?: Record<string, string> }): Promise<BuiltImage>;
  save(doc: RunDocument): Promise<void>;
  log(line: string): void;
  progress?: RunProgress;
}

/** The real collaborators of the orchestrator: Docker (or the url: target), the engines, the contract check. */
export function runDeps(placed: PlacedRun, req: Pick<RunRequest, 'buildProxy' | 'imageTag'>, hooks: RunHooks): RunDeps {
  const { scenario, docker, twoHost, urlAddresses, targetCpuset, standIns } = placed;
  const bindAddress = twoHost ? { bindAddress: twoHost.remote.address } : {};
  return {
    buildImage: async (spec, signal) => {
      // A target host that cannot pull gets the bases from this machine's engine first.
      if (twoHost) await twoHost.transfer(spec);
      return hooks.build(docker!, spec, { signal, tag: `httpbench/${spec.name}:${req.imageTag}`, standIns, ...buildProxyArgs(req.buildProxy) });
    },
    startTarget: async (opts, image) =>
      isUrlTarget(opts.spec) ? startUrlTarget(opts.spec, urlAddresses.get(opts.spec.name)) : startDockerTarget(docker!, { ...opts, image: image!.tag, ...bindAddress }),
    // The floor needs a container on the targets' CPUs: only where Docker runs the targets.
    ...(docker
      ? {
          startCalibration: async ({ cpus, cpuset, runId, signal }) => {
            if (twoHost) await twoHost.transfer(CALIBRATION_SPEC);
            const built = await hooks.build(docker, CALIBRATION_SPEC, { signal, tag: `httpbench/${CALIBRATION_SPEC.name}:latest`, standIns, ...buildProxyArgs(req.buildProxy) });
            const configuration = CALIBRATION_SPEC.configurations[0]!;
            const target = await startDockerTarget(docker, {
              spec: CALIBRATION_SPEC,
              configuration,
              cpus,
              cpuset,
              memoryMiB: scenario.resources.memoryMiB,
              pids: scenario.resources.pids,
              startupTimeoutS: scenario.startupTimeoutS,
              runId,
              signal,
              image: built.tag,
              ...bindAddress,
            });
            return { target, server: `${built.tag} (bench/server: Go net/http, GOMAXPROCS=${cpus})` };
          },
          startDatabase: async ({ seedImage, users, cpuset, runId, signal }) => {
            const db = scenario.database;
            const pg = await startPostgres(docker, { image: db.image, cpuset, memoryMiB: db.memoryMiB, settings: db.settings, startupTimeoutS: db.startupTimeoutS, runId, signal });
            const seedStarted = performance.now();
            try {
              await seedDatabase(docker, { image: seedImage.tag, command: db.seed.command, url: pg.url, users, runId, timeoutS: db.startupTimeoutS });
            } catch (error) {
              await pg.stop();
              throw error;
            }
            const targetCpus = parseCpuset(targetCpuset);
            return {
              url: pg.url,
              sampleResources: () => pg.sampleResources(),
              state: () => pg.state(),
              stop: () => pg.stop(),
              info: {
                image: pg.image.tag,
                imageId: pg.image.id,
                source: pg.image.source,
                version: pg.version,
                cpuset,
                sharesTargetCpus: parseCpuset(cpuset).some((c) => targetCpus.includes(c)),
                memoryBytes: pg.memoryBytes,
                users,
                poolSize: db.poolSize,
                settings: db.settings,
                startMs: pg.startMs,
                seedMs: performance.now() - seedStarted,
                seedCommand: `${seedImage.tag} ${db.seed.command.join(' ')}`,
                error: null,
              },
            };
          },
        }
      : {}),
    verifyContract: (baseUrl, connectHost, maxId) => verifyContract(baseUrl, { connectHost, ...(maxId !== undefined && Number.isInteger(maxId) && maxId > 0 ? { maxId } : {}) }),
    engine: engineFor,
    save: hooks.save,
    log: hooks.log,
    now: () => new Date(),
    ...(hooks.progress ? { progress: hooks.progress } : {}),
    // The targets' CPUs are this machine's only when their containers run here.
    contention: contentionProbe(
      placementOf(placed.generatorCpuset, twoHost ? null : targetCpuset),
      SYSTEM_SOURCES,
      docker && !twoHost
        ? async () =>
            (await listHarnessContainers(docker, { runId: placed.runId }))
              .filter((c) => c.state === 'running')
              .map((c) => ({ id: c.id, role: c.target === DATABASE_ROLE ? ('database' as const) : ('target' as const) }))
        : null,
    ),
  };
}

/** The orchestrator's input; counts the handlers' lines (the "fewer lines" claim) from the manifests. */
export async function runInput(placed: PlacedRun, signal: AbortSignal): Promise<RunInput> {
  const { scenario, scenarioPath, claims, claimsSource, environment, twoHost } = placed;
  const relative = path.relative(PROJECT_ROOT, scenarioPath);
  return {
    scenario,
    scenarioFile: relative.startsWith('..') ? scenarioPath : relative,
    claims,
    ...(claimsSource ? { claimsSource } : {}),
    environment,
    toolVersion: TOOL_VERSION,
    runId: placed.runId,
    targetCpuset: placed.targetCpuset,
    generatorCpuset: placed.generatorCpuset,
    only: placed.only,
    source: await countHandlerLines(scenario, placed.manifests, PROJECT_ROOT),
    signal,
    ...(twoHost ? { hosts: [loadHostEnvironment(environment), twoHost.remote.environment], targetAddress: twoHost.remote.address } : {}),
  };
}

/** The standard proxy build args (Docker predefines them and keeps them out of the image history). */
export function buildProxyArgs(proxy: string | undefined): { buildArgs?: Record<string, string> } {
  if (!proxy) return {};
  let url: URL;
  try {
    url = new URL(proxy);
  } catch (error) {
    throw new ConfigError(`--build-proxy ${proxy} is not a URL`, { cause: error, hint: 'e.g. --build-proxy http://127.0.0.1:3128' });
  }
  // Build args reach build logs and error hints: a proxy password must not.
  if (url.username || url.password) throw new ConfigError('--build-proxy must not carry credentials', { hint: 'use a proxy that needs no password in the URL' });
  return { buildArgs: { HTTP_PROXY: proxy, HTTPS_PROXY: proxy, http_proxy: proxy, https_proxy: proxy } };
}

/**
 * `httpbench run`: the main job. Wires the real collaborators (Docker, engines, contract, files) into
 * the orchestrator, installs the signal handlers, prints progress and the summary.
 */
import os from 'node:os';
import path from 'node:path';
import type { CommandModule } from 'yargs';
import { loadClaimsFile } from '../../analysis/claims-file.ts';
import { detectEnvironment } from '../../environment.ts';
import { ConfigError, describeError, InfrastructureError, InterruptedError, TargetError } from '../../errors.ts';
import { engineFor } from '../../load/index.ts';
import { pinProcess } from '../../load/pin.ts';
import { renderTerminal } from '../../report/terminal.ts';
import { writeReports } from '../../report/index.ts';
import { runBenchmark, type RunDeps } from '../../run/run.ts';
import { countHandlerLines } from '../../run/source-lines.ts';
import { formatCpuset, parseCpuset, splitCpus } from '../../scenario/cpuset.ts';
import { readScenarioHosts } from '../../scenario/hosts.ts';
import { chooseTargetHost, lostEngineError, openTargetHost, transferBases, type TargetHost } from '../../targets/target-host.ts';
import type { DockerClient } from '../../targets/docker.ts';
import { readFile } from 'node:fs/promises';
import { loadScenario } from '../../scenario/load.ts';
import type { DockerTargetSpec, Scenario } from '../../scenario/schema.ts';
import { CALIBRATION_SPEC } from '../../targets/calibration.ts';
import type { Environment, HostEnvironment, RunDocument } from '../../schema/run.ts';
import { RunDocumentStore } from '../../schema/io.ts';
import { claimResultDir, createRunDir, lockDirFrom, makeRunId, reserveCpus, type Reservation } from '../../run/reservation.ts';
import { baseNotices, officialBasesOf, probeBase } from '../../targets/bases.ts';
import { verifyContract } from '../../targets/contract.ts';
import { isDockerTarget, isUrlTarget, kindInfo } from '../../targets/kinds.ts';
import { configurationEnvProblems, loadTargetManifests, standInBases } from '../../targets/manifest.ts';
import { connectDocker, listHarnessContainers, startDockerTarget, startUrlTarget } from '../../targets/docker.ts';
import { buildWithProgress } from '../build-progress.ts';
import { createDisplay, runProgress } from '../progress-display.ts';
import { guardLoadUrl } from '../../load/url-guard.ts';
import { resolveDatabaseImage, seedDatabase, startPostgres } from '../../targets/postgres.ts';
import { ensureWritableDir } from '../../util/fs.ts';
import { PROJECT_ROOT, TOOL_VERSION } from '../../util/project.ts';
import { onInterrupt } from '../signals.ts';
import { enforceGate, parseFailOn, withFailOn } from '../gate.ts';
import { buildVerdicts } from '../../analysis/verdicts.ts';

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
      .option('target-address', { type: 'string', describe: "the targets' IP address on --target-host (default: the engine URL's IP)" }) as never,
  handler: async (args) => {
    // Checked before anything runs: a typo in --fail-on is bad input, not a surprise at the end.
    parseFailOn(args['fail-on']);
    const scenarioPath = path.resolve(args.scenario ?? path.join(PROJECT_ROOT, 'scenarios', args.quick ? 'smoke.yaml' : 'article.yaml'));
    if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(args['image-tag'])) {
      throw new ConfigError(`--image-tag '${args['image-tag']}' is not a Docker tag`, { hint: 'letters, digits, _ . - (at most 128), e.g. --image-tag ci' });
    }
    // Two machines: the scenario is checked against the targets' host, the generator gets all of this one.
    const twoHost = await openTwoHost(args, scenarioPath);
    const cpuCount = twoHost ? twoHost.remote.environment.cpuCount : os.cpus().length;
    const scenario = await loadScenario(scenarioPath, { cpuCount, memoryBytes: twoHost ? twoHost.remote.environment.memoryBytes : os.totalmem() });
    // run.json keeps the engine without credentials, and the address the flags chose.
    if (twoHost) scenario.hosts = { targets: { docker: twoHost.remote.endpoint.display, address: twoHost.remote.address } };
    const only = args.targets?.split(',').map((s) => s.trim()).filter(Boolean);
    // `--targets ,` used to run nothing and report success: a CI gate then passed on no measurement.
    if (only && only.length === 0) {
      throw new ConfigError(`--targets ${JSON.stringify(args.targets)} selects no target`, {
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
    // url: targets are resolved once here; load and contract checks connect to the checked address.
    const urlAddresses = new Map<string, string>();
    for (const t of scenario.targets) {
      if (isUrlTarget(t)) urlAddresses.set(t.name, (await guardLoadUrl(t.url, { allowRemote: args['allow-remote'] })).address);
    }
    const claimsFile = scenario.claims ? await loadClaimsFile(path.resolve(path.dirname(scenarioPath), scenario.claims)) : null;
    const claims = claimsFile?.claims ?? null;
    await checkTargetEnv(scenario, scenarioPath);

    const startedAt = new Date();
    // Fail before building anything if results cannot be written. Without --out, the directory is
    // new and named by the run id (created exclusively: concurrent runs never share one).
    let outDir: string;
    let runId: string;
    if (args.out !== undefined) {
      outDir = path.resolve(args.out);
      await ensureWritableDir(outDir);
      runId = makeRunId(startedAt);
    } else {
      const parent = path.join(PROJECT_ROOT, 'results');
      await ensureWritableDir(parent);
      ({ dir: outDir, runId } = await createRunDir(parent, scenario.name, startedAt));
    }
    const owned: Reservation[] = [await claimResultDir(outDir, runId)];
    try {
      await runInDir(args, { scenario, scenarioPath, claims, claimsSource: claimsFile?.source, urlAddresses, only, cpuCount, outDir, runId, owned, twoHost });
    } finally {
      for (const r of owned.reverse()) await r.release();
    }
  },
};

interface Prepared {
  scenario: Scenario;
  scenarioPath: string;
  claims: Awaited<ReturnType<typeof loadClaimsFile>>['claims'] | null;
  claimsSource: string | undefined;
  /** url: targets' guard-checked addresses, by target name. */
  urlAddresses: Map<string, string>;
  only: string[] | undefined;
  cpuCount: number;
  outDir: string;
  runId: string;
  /** Reservations held by the run; released by the caller. */
  owned: Reservation[];
  /** The targets' host of a two-host run; null when the targets run here. */
  twoHost: TwoHost | null;
}

async function runInDir(args: RunArgs, prepared: Prepared): Promise<void> {
  const { scenario, scenarioPath, claims, claimsSource, urlAddresses, only, cpuCount, outDir, runId, owned, twoHost } = prepared;
  {

    const cpus = scenario.resources.cpus as number;
    const split = twoHost
      ? {
          target: splitCpus(cpuCount, cpus, scenario.resources.targetCpuset).target,
          generator: scenario.resources.generatorCpuset ?? formatCpuset(os.cpus().map((_, i) => i)),
        }
      : splitCpus(cpuCount, cpus, scenario.resources.targetCpuset, scenario.resources.generatorCpuset);
    // What the generator really ran on: null (unpinned) unless pinning worked, so the report
    // never claims a CPU split that did not happen.
    let generatorCpuset: string | null = null;
    if (split.generator) {
      const problem = await pinProcess(split.generator);
      if (problem) process.stderr.write(`warning: ${problem}; the generator runs unpinned and may share CPUs with the targets\n`);
      else generatorCpuset = split.generator;
    } else {
      process.stderr.write(`warning: no CPU left for the generator: it shares CPUs ${split.target} with the target (the report says so)\n`);
    }

    // "auto" workers: one generator thread per CPU the generator may use (stored resolved in run.json).
    if (scenario.load.workers === 'auto') scenario.load.workers = Math.max(1, generatorCpuset ? parseCpuset(generatorCpuset).length : os.cpus().length);

    const needsDocker = scenario.targets.some((t) => kindInfo(t).needsDocker && (!only || only.includes(t.name)));
    // Host-wide: the CPUs this run pins on this machine (the targets' only if their containers run
    // here, the generator's if pinned). A two-host run's target CPUs are on the other machine.
    const pinned = [...(needsDocker && !twoHost ? parseCpuset(split.target) : []), ...(generatorCpuset ? parseCpuset(generatorCpuset) : [])];
    owned.push(await reserveCpus(pinned, runId, lockDirFrom(process.env)));
    const docker = twoHost ? twoHost.remote.docker : needsDocker ? await connectDocker() : null;
    if (docker) {
      // Before any build: a stand-in fallback is one notice; no base at all fails once, naming `setup`.
      const specs = scenario.targets.filter((t): t is DockerTargetSpec => isDockerTarget(t) && (!only || only.includes(t.name)));
      // A target host that cannot pull gets the bases from this machine's engine first (save → load),
      // so the check below sees what its builds will use.
      if (twoHost) for (const spec of [...specs, CALIBRATION_SPEC]) await twoHost.transfer(spec);
      const standIns = standInBases(await loadTargetManifests(PROJECT_ROOT));
      const bases = await Promise.all((await officialBasesOf(PROJECT_ROOT, specs)).map(async (b) => probeBase(docker, b, standIns)));
      for (const line of baseNotices(bases)) process.stderr.write(`${line}\n`);
    }
    const leftovers = [...(docker ? await listHarnessContainers(docker) : []), ...(twoHost?.local ? await listHarnessContainers(twoHost.local) : [])];
    const stale = leftovers.filter((c) => !c.ownerAlive);
    if (stale.length > 0) {
      process.stderr.write(`warning: ${stale.length} container(s) of an earlier, ended httpbench run are still there; remove them with 'httpbench clean'\n`);
    }
    const live = leftovers.length - stale.length;
    if (live > 0) process.stderr.write(`note: ${live} container(s) of another httpbench run that is still going; they are left alone\n`);
    // store: postgres needs a database image: fail now, not after the memory configurations ran.
    const usesPostgres = scenario.targets.some((t) => (!only || only.includes(t.name)) && t.configurations.some((c) => c.store === 'postgres'));
    if (docker && usesPostgres) await resolveDatabaseImage(docker, scenario.database.image);
    const localDocker = twoHost ? twoHost.local : docker;
    const dockerVersion = localDocker ? ((await localDocker.version()).Version ?? null) : null;
    const environment = await detectEnvironment({
      projectRoot: PROJECT_ROOT,
      dockerVersion,
      cpusets: { target: split.target, generator: generatorCpuset },
    });

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

    const display = createDisplay(process.stderr);
    const deps: RunDeps = {
      buildImage: async (spec, signal) => {
        // A target host that cannot pull gets the bases from this machine's engine first.
        if (twoHost) await twoHost.transfer(spec);
        return buildWithProgress(docker!, spec, display, {
          verbose: args.verbose,
          extraCaFile: args['ca-cert'] ?? null,
          signal,
          tag: `httpbench/${spec.name}:${args['image-tag']}`,
          ...buildProxyArgs(args['build-proxy']),
        });
      },
      startTarget: async (opts, image) =>
        isUrlTarget(opts.spec) ? startUrlTarget(opts.spec, urlAddresses.get(opts.spec.name)) : startDockerTarget(docker!, { ...opts, image: image!.tag, ...(twoHost ? { bindAddress: twoHost.remote.address } : {}) }),
      // The floor needs a container on the targets' CPUs: only where Docker runs the targets.
      ...(docker
        ? {
            startCalibration: async ({ cpus, cpuset, runId, signal }) => {
              if (twoHost) await twoHost.transfer(CALIBRATION_SPEC);
              const built = await buildWithProgress(docker, CALIBRATION_SPEC, display, {
                verbose: args.verbose,
                extraCaFile: args['ca-cert'] ?? null,
                signal,
                tag: `httpbench/${CALIBRATION_SPEC.name}:latest`,
                ...buildProxyArgs(args['build-proxy']),
              });
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
                ...(twoHost ? { bindAddress: twoHost.remote.address } : {}),
              });
              return { target, server: `${built.tag} (bench/server: Go net/http, GOMAXPROCS=${cpus})` };
            },
          }
        : {}),
      ...(docker
        ? {
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
              const targetCpus = parseCpuset(split.target);
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
      save: (doc) => store.save(doc),
      log: (line) => display.log(line),
      now: () => new Date(),
      progress: runProgress(display),
    };

    let failure: unknown = null;
    try {
      await runBenchmark(
        {
          scenario,
          scenarioFile: path.relative(PROJECT_ROOT, scenarioPath).startsWith('..') ? scenarioPath : path.relative(PROJECT_ROOT, scenarioPath),
          claims,
          ...(claimsSource ? { claimsSource } : {}),
          environment,
          toolVersion: TOOL_VERSION,
          runId,
          cpus,
          targetCpuset: split.target,
          generatorCpuset,
          only,
          source: await handlerLines(scenario),
          signal: controller.signal,
          ...(twoHost ? { hosts: [loadHostEnvironment(environment), twoHost.remote.environment], targetAddress: twoHost.remote.address } : {}),
        },
        deps,
      );
    } catch (error) {
      failure = error;
    } finally {
      display.close();
    }
    measuring = false;
    // A save that failed (disk full) left run.json behind the run: give it a final status.
    if (store.behind) await finalise(store, failure instanceof InterruptedError ? 'interrupted' : 'failed');
    // Reports are written for interrupted and failed runs too: partial results are never lost.
    const measured = store.current();
    if (measured) {
      let reportProblem: unknown = null;
      try {
        await writeReports(outDir, measured, new Date().toISOString());
      } catch (error) {
        reportProblem = error;
      }
      process.stdout.write(renderTerminal(measured));
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
    if (twoHost && (failure !== null || store.current()?.status === 'failed')) failure = await lostEngineError(twoHost.remote, failure);
    if (failure) throw failure;
    const final = store.current();
    if (final?.status === 'failed') {
      const failed = final.targets.filter((t) => t.status === 'failed');
      const measured = final.targets.filter((t) => t.status === 'completed').length;
      throw new TargetError(`${failed.length} target run(s) failed: ${failed.map((t) => `${t.name}/${t.configuration}: ${t.reason}`).join('; ')}`, {
        hint: measured > 0 ? `the other ${measured} target run(s) were measured; see run.json for each failure` : 'no target run was measured; see run.json for each failure',
      });
    }
    // Gates last: a broken run (exit 3) or an interruption outranks a threshold (exit 1).
    if (final) enforceGate(buildVerdicts(final), parseFailOn(args['fail-on']));
  }
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

/**
 * The target manifests say which env variables each target reads: a configuration setting another
 * (a typo, GOMAXPROCS for Python) is exit 2, not a silently different measurement.
 */
async function checkTargetEnv(scenario: Scenario, scenarioPath: string): Promise<void> {
  const problems = configurationEnvProblems(scenario.targets, await loadTargetManifests(PROJECT_ROOT));
  if (problems.length > 0) {
    throw new ConfigError(`${scenarioPath} has ${problems.length} problem(s)`, { problems, hint: "set only the variables the target's manifest lists under env" });
  }
}

/** Non-blank, non-comment lines of each target's handler, for the "fewer lines" claim (files and language from the manifests). */
async function handlerLines(scenario: Scenario): Promise<RunDocument['source']> {
  return countHandlerLines(scenario, await loadTargetManifests(PROJECT_ROOT), PROJECT_ROOT);
}

interface TwoHost {
  remote: TargetHost;
  /** This machine's engine, if it has one: the source of base images the target host lacks. */
  local: DockerClient | null;
  transfer(spec: DockerTargetSpec): Promise<void>;
}

/**
 * The target host of --target-host / hosts.targets / a remote DOCKER_HOST, connected and checked
 * (exit 2 for an unreachable engine, a wrong address, or this machine by another name); null when
 * the targets run here. Its address is cleared with the load guard because the user named it.
 */
async function openTwoHost(args: RunArgs, scenarioPath: string): Promise<TwoHost | null> {
  const choice = chooseTargetHost({ flag: args['target-host'], flagAddress: args['target-address'], scenario: (await readScenarioHosts(scenarioPath))?.targets });
  if (!choice) return null;
  // DOCKER_HOST names the target host here, so the local engine is the default socket, if any.
  const local = choice.from === 'DOCKER_HOST' || choice.from === 'DOCKER_CONTEXT' ? null : await connectDocker({ timeoutMs: 2_000 }).catch(() => null);
  const remote = await openTargetHost(choice, local);
  await guardLoadUrl(`http://${remote.address.includes(':') ? `[${remote.address}]` : remote.address}/`, { allowAddresses: [remote.address] });
  process.stderr.write(`target host: ${remote.endpoint.display}, targets bind to ${remote.address} (${remote.environment.cpuCount} CPUs there)\n`);
  const done = new Set<string>();
  return {
    remote,
    local,
    transfer: async (spec) => {
      if (done.has(spec.dockerfile)) return;
      const dockerfile = await readFile(path.resolve(PROJECT_ROOT, spec.dockerfile), 'utf8').catch(() => null);
      if (dockerfile !== null) await transferBases(local, remote.docker, dockerfile, (line) => process.stderr.write(`${line}\n`));
      done.add(spec.dockerfile);
    },
  };
}

/** This machine as the load side of a two-host run. */
function loadHostEnvironment(e: Environment): HostEnvironment {
  return { role: 'load', engine: null, address: null, cpuModel: e.cpuModel, cpuCount: e.cpuCount, memoryBytes: e.memoryBytes, os: e.os, kernel: e.kernel, arch: e.arch, dockerVersion: e.dockerVersion };
}

/** The standard proxy build args (Docker predefines them and keeps them out of the image history). */
function buildProxyArgs(proxy: string | undefined): { buildArgs?: Record<string, string> } {
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

/**
 * `httpbench run`: the main job. Wires the real collaborators (Docker, engines, contract, files) into
 * the orchestrator, installs the signal handlers, prints progress and the summary.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import type { CommandModule } from 'yargs';
import { loadClaimsFile } from '../../analysis/claims-file.ts';
import { detectEnvironment } from '../../environment.ts';
import { ConfigError, InterruptedError, TargetError } from '../../errors.ts';
import { engineFor } from '../../load/index.ts';
import { pinProcess } from '../../load/pin.ts';
import { renderTerminal } from '../../report/terminal.ts';
import { writeReports } from '../../report/index.ts';
import { runBenchmark, type BuiltImage, type RunDeps } from '../../run/run.ts';
import { countHandlerLines } from '../../run/source-lines.ts';
import { parseCpuset, splitCpus } from '../../scenario/cpuset.ts';
import { loadScenario } from '../../scenario/load.ts';
import type { Scenario } from '../../scenario/schema.ts';
import { CALIBRATION_SPEC } from '../../targets/calibration.ts';
import type { RunDocument } from '../../schema/run.ts';
import { writeRunDocument } from '../../schema/io.ts';
import { verifyContract } from '../../targets/contract.ts';
import { isUrlTarget, kindInfo } from '../../targets/kinds.ts';
import { configurationEnvProblems, loadTargetManifests } from '../../targets/manifest.ts';
import { buildImage, connectDocker, listHarnessContainers, startDockerTarget, startUrlTarget } from '../../targets/docker.ts';
import { guardLoadUrl } from '../../load/url-guard.ts';
import { ensureWritableDir } from '../../util/fs.ts';
import { PROJECT_ROOT, TOOL_VERSION } from '../../util/project.ts';
import { onInterrupt } from '../signals.ts';

interface RunArgs {
  scenario?: string;
  out?: string;
  targets?: string;
  quick: boolean;
  'ca-cert'?: string;
  'allow-remote': boolean;
}

function timestamp(d: Date): string {
  return d.toISOString().replace(/[:]/g, '').replace(/\.\d+Z$/, 'Z');
}

export const runCommand: CommandModule<object, RunArgs> = {
  command: 'run',
  describe: 'build, start, verify and benchmark the targets; write run.json and reports',
  builder: (y) =>
    y
      .option('scenario', { type: 'string', describe: 'scenario file (default scenarios/article.yaml; --quick: scenarios/smoke.yaml)' })
      .option('out', { type: 'string', describe: 'results directory (default results/<timestamp>-<scenario>)' })
      .option('targets', { type: 'string', describe: 'comma-separated target names to run (default: all)' })
      .option('quick', { type: 'boolean', default: false, describe: 'run scenarios/smoke.yaml: both targets, short steps' })
      .option('ca-cert', { type: 'string', describe: 'extra CA certificate (PEM) for package downloads inside image builds' })
      .option('allow-remote', { type: 'boolean', default: false, describe: 'allow url: targets that are not on loopback' }) as never,
  handler: async (args) => {
    const scenarioPath = path.resolve(args.scenario ?? path.join(PROJECT_ROOT, 'scenarios', args.quick ? 'smoke.yaml' : 'article.yaml'));
    const cpuCount = os.cpus().length;
    const scenario = await loadScenario(scenarioPath, { cpuCount, memoryBytes: os.totalmem() });
    const only = args.targets?.split(',').map((s) => s.trim()).filter(Boolean);
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
    const claims = scenario.claims ? (await loadClaimsFile(path.resolve(path.dirname(scenarioPath), scenario.claims))).claims : null;
    await checkTargetEnv(scenario, scenarioPath);

    const startedAt = new Date();
    const outDir = path.resolve(args.out ?? path.join(PROJECT_ROOT, 'results', `${timestamp(startedAt)}-${scenario.name}`));
    // Fail before building anything if results cannot be written.
    await ensureWritableDir(outDir);

    const cpus = scenario.resources.cpus as number;
    const split = splitCpus(cpuCount, cpus, scenario.resources.targetCpuset, scenario.resources.generatorCpuset);
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
    if (scenario.load.workers === 'auto') scenario.load.workers = Math.max(1, generatorCpuset ? parseCpuset(generatorCpuset).length : cpuCount);

    const needsDocker = scenario.targets.some((t) => kindInfo(t).needsDocker && (!only || only.includes(t.name)));
    const docker = needsDocker ? await connectDocker() : null;
    const leftovers = docker ? await listHarnessContainers(docker) : [];
    if (leftovers.length > 0) {
      process.stderr.write(`warning: ${leftovers.length} container(s) of an earlier httpbench run are still there; remove them with 'httpbench clean'\n`);
    }
    const dockerVersion = docker ? ((await docker.version()).Version ?? null) : null;
    const environment = await detectEnvironment({
      projectRoot: PROJECT_ROOT,
      dockerVersion,
      cpusets: { target: split.target, generator: generatorCpuset },
    });

    const controller = new AbortController();
    const removeHandlers = onInterrupt((signal) => {
      process.stderr.write(`\n${signal}: stopping after cleanup; completed steps are kept in ${outDir}/run.json\n`);
      controller.abort(new InterruptedError(signal));
    });

    const deps: RunDeps = {
      buildImage: async (spec, signal): Promise<BuiltImage> => {
        const built = await buildImage(docker!, spec, {
          projectRoot: PROJECT_ROOT,
          tag: `httpbench/${spec.name}:latest`,
          extraCaFile: args['ca-cert'] ?? null,
          onProgress: (line) => process.stderr.write(`  ${line}\n`),
          signal,
        });
        return { tag: built.tag, id: built.id, sizeBytes: built.sizeBytes, bases: built.baseImages };
      },
      startTarget: async (opts, image) =>
        isUrlTarget(opts.spec) ? startUrlTarget(opts.spec, urlAddresses.get(opts.spec.name)) : startDockerTarget(docker!, { ...opts, image: image!.tag }),
      // The floor needs a container on the targets' CPUs: only where Docker runs the targets.
      ...(docker
        ? {
            startCalibration: async ({ cpus, cpuset, runId, signal }) => {
              const built = await buildImage(docker, CALIBRATION_SPEC, {
                projectRoot: PROJECT_ROOT,
                tag: `httpbench/${CALIBRATION_SPEC.name}:latest`,
                extraCaFile: args['ca-cert'] ?? null,
                onProgress: (line) => process.stderr.write(`  ${line}\n`),
                signal,
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
              });
              return { target, server: `${built.tag} (bench/server: Go net/http, GOMAXPROCS=${cpus}) on cpuset ${cpuset}` };
            },
          }
        : {}),
      verifyContract: (baseUrl, connectHost) => verifyContract(baseUrl, { connectHost }),
      engine: engineFor,
      save: async (doc) => void (await writeRunDocument(outDir, doc)),
      log: (line) => process.stderr.write(`${line}\n`),
      now: () => new Date(),
    };

    let doc: RunDocument | null = null;
    let failure: unknown = null;
    try {
      doc = await runBenchmark(
        {
          scenario,
          scenarioFile: path.relative(PROJECT_ROOT, scenarioPath).startsWith('..') ? scenarioPath : path.relative(PROJECT_ROOT, scenarioPath),
          claims,
          environment,
          toolVersion: TOOL_VERSION,
          runId: `${timestamp(startedAt)}-${randomBytes(3).toString('hex')}`,
          cpus,
          targetCpuset: split.target,
          generatorCpuset,
          only,
          source: await handlerLines(scenario),
          signal: controller.signal,
        },
        deps,
      );
    } catch (error) {
      failure = error;
    } finally {
      removeHandlers();
    }
    // Reports are written for interrupted and failed runs too: partial results are never lost.
    const { readRunDocument } = await import('../../schema/io.ts');
    const final = doc ?? (await readRunDocument(outDir).catch(() => null));
    if (final) {
      await writeReports(outDir, final, new Date().toISOString());
      process.stdout.write(renderTerminal(final));
      process.stdout.write(`\nresults: ${path.relative(process.cwd(), outDir) || '.'}/ (run.json, report.md, report.html)\n`);
    }
    if (failure) throw failure;
    if (final?.status === 'failed') {
      const failed = final.targets.filter((t) => t.status === 'failed');
      throw new TargetError(`${failed.length} target run(s) failed: ${failed.map((t) => `${t.name}/${t.configuration}: ${t.reason}`).join('; ')}`, {
        hint: 'the other targets were measured; see run.json for each failure',
      });
    }
  },
};

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

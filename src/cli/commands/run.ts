/**
 * `httpbench run`: the main job. Wires the real collaborators (Docker, engines, contract, files) into
 * the orchestrator, installs the signal handlers, prints progress and the summary.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import type { CommandModule } from 'yargs';
import { loadClaimsFile } from '../../analysis/claims-file.ts';
import { countCodeLines, languageOfPath } from '../../analysis/loc.ts';
import { detectEnvironment } from '../../environment.ts';
import { ConfigError, InterruptedError, TargetError } from '../../errors.ts';
import { engineFor } from '../../load/index.ts';
import { pinProcess } from '../../load/pin.ts';
import { renderTerminal } from '../../report/terminal.ts';
import { writeReports } from '../../report/index.ts';
import { runBenchmark, type BuiltImage, type RunDeps } from '../../run/run.ts';
import { parseCpuset, splitCpus } from '../../scenario/cpuset.ts';
import { loadScenario } from '../../scenario/load.ts';
import type { Scenario } from '../../scenario/schema.ts';
import { CALIBRATION_SPEC } from '../../targets/calibration.ts';
import type { RunDocument } from '../../schema/run.ts';
import { writeRunDocument } from '../../schema/io.ts';
import { verifyContract } from '../../targets/contract.ts';
import { buildImage, connectDocker, listHarnessContainers, startDockerTarget, startUrlTarget } from '../../targets/docker.ts';
import { guardLoadUrl } from '../../load/url-guard.ts';
import { resolveDatabaseImage, seedDatabase, startPostgres } from '../../targets/postgres.ts';
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
  'image-tag': string;
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
      .option('allow-remote', { type: 'boolean', default: false, describe: 'allow url: targets that are not on loopback' })
      .option('image-tag', { type: 'string', default: 'latest', describe: 'tag of the built target images (httpbench/<target>:TAG), so a test build never replaces the images another run measures' }) as never,
  handler: async (args) => {
    const scenarioPath = path.resolve(args.scenario ?? path.join(PROJECT_ROOT, 'scenarios', args.quick ? 'smoke.yaml' : 'article.yaml'));
    if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(args['image-tag'])) {
      throw new ConfigError(`--image-tag '${args['image-tag']}' is not a Docker tag`, { hint: 'letters, digits, _ . - (at most 128), e.g. --image-tag ci' });
    }
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
      if ('url' in t) urlAddresses.set(t.name, (await guardLoadUrl(t.url, { allowRemote: args['allow-remote'] })).address);
    }
    const claims = scenario.claims ? (await loadClaimsFile(path.resolve(path.dirname(scenarioPath), scenario.claims))).claims : null;

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

    const needsDocker = scenario.targets.some((t) => 'context' in t && (!only || only.includes(t.name)));
    const docker = needsDocker ? await connectDocker() : null;
    const leftovers = docker ? await listHarnessContainers(docker) : [];
    if (leftovers.length > 0) {
      process.stderr.write(`warning: ${leftovers.length} container(s) of an earlier httpbench run are still there; remove them with 'httpbench clean'\n`);
    }
    // store: postgres needs a database image: fail now, not after the memory configurations ran.
    const usesPostgres = scenario.targets.some((t) => (!only || only.includes(t.name)) && t.configurations.some((c) => c.store === 'postgres'));
    if (docker && usesPostgres) await resolveDatabaseImage(docker, scenario.database.image);
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
          tag: `httpbench/${spec.name}:${args['image-tag']}`,
          extraCaFile: args['ca-cert'] ?? null,
          onProgress: (line) => process.stderr.write(`  ${line}\n`),
          signal,
        });
        return { tag: built.tag, id: built.id, sizeBytes: built.sizeBytes, bases: built.baseImages };
      },
      startTarget: async (opts, image) =>
        'url' in opts.spec ? startUrlTarget(opts.spec, urlAddresses.get(opts.spec.name)) : startDockerTarget(docker!, { ...opts, image: image!.tag }),
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

/** Non-blank, non-comment lines of each target's handler, for the "fewer lines" claim. */
async function handlerLines(scenario: Scenario): Promise<RunDocument['source']> {
  const { readFile } = await import('node:fs/promises');
  const handlerLines: Record<string, number> = {};
  for (const t of scenario.targets) {
    if (!t.handler) continue;
    const language = languageOfPath(t.handler);
    if (!language) continue;
    const text = await readFile(path.resolve(PROJECT_ROOT, t.handler), 'utf8').catch(() => null);
    if (text !== null) handlerLines[t.name] = countCodeLines(text, language);
  }
  return Object.keys(handlerLines).length ? { handlerLines } : null;
}

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
import { formatCpuset, parseCpuset, splitCpus } from '../../scenario/cpuset.ts';
import { readScenarioHosts } from '../../scenario/hosts.ts';
import { chooseTargetHost, openTargetHost, transferBases, type TargetHost } from '../../targets/target-host.ts';
import type { DockerClient } from '../../targets/docker.ts';
import { readFile } from 'node:fs/promises';
import { loadScenario } from '../../scenario/load.ts';
import type { DockerTargetSpec, Scenario } from '../../scenario/schema.ts';
import { CALIBRATION_SPEC } from '../../targets/calibration.ts';
import type { Environment, HostEnvironment, RunDocument } from '../../schema/run.ts';
import { writeRunDocument } from '../../schema/io.ts';
import { verifyContract } from '../../targets/contract.ts';
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
  'target-host'?: string;
  'target-address'?: string;
  'build-proxy'?: string;
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
      .option('target-host', { type: 'string', describe: 'run the targets on this Docker engine (tcp://…, ssh://…, or a context name); see README "Two machines"' })
      .option('build-proxy', { type: 'string', describe: 'HTTP proxy for package downloads in image builds (an engine without direct registry access)' })
      .option('target-address', { type: 'string', describe: "the targets' IP address on --target-host (default: the engine URL's IP)" }) as never,
  handler: async (args) => {
    const scenarioPath = path.resolve(args.scenario ?? path.join(PROJECT_ROOT, 'scenarios', args.quick ? 'smoke.yaml' : 'article.yaml'));
    // Two machines: the scenario is checked against the targets' host, the generator gets all of this one.
    const twoHost = await openTwoHost(args, scenarioPath);
    const cpuCount = twoHost ? twoHost.remote.environment.cpuCount : os.cpus().length;
    const scenario = await loadScenario(scenarioPath, { cpuCount, memoryBytes: twoHost ? twoHost.remote.environment.memoryBytes : os.totalmem() });
    // run.json keeps the engine without credentials, and the address the flags chose.
    if (twoHost) scenario.hosts = { targets: { docker: twoHost.remote.endpoint.display, address: twoHost.remote.address } };
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

    const needsDocker = scenario.targets.some((t) => 'context' in t && (!only || only.includes(t.name)));
    const docker = twoHost ? twoHost.remote.docker : needsDocker ? await connectDocker() : null;
    const leftovers = [...(docker ? await listHarnessContainers(docker) : []), ...(twoHost?.local ? await listHarnessContainers(twoHost.local) : [])];
    if (leftovers.length > 0) {
      process.stderr.write(`warning: ${leftovers.length} container(s) of an earlier httpbench run are still there; remove them with 'httpbench clean'\n`);
    }
    const localDocker = twoHost ? twoHost.local : docker;
    const dockerVersion = localDocker ? ((await localDocker.version()).Version ?? null) : null;
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
        if (twoHost) await twoHost.transfer(spec);
        const built = await buildImage(docker!, spec, {
          projectRoot: PROJECT_ROOT,
          tag: `httpbench/${spec.name}:latest`,
          extraCaFile: args['ca-cert'] ?? null,
          ...buildProxyArgs(args['build-proxy']),
          onProgress: (line) => process.stderr.write(`  ${line}\n`),
          signal,
        });
        return { tag: built.tag, id: built.id, sizeBytes: built.sizeBytes, bases: built.baseImages };
      },
      startTarget: async (opts, image) =>
        'url' in opts.spec ? startUrlTarget(opts.spec, urlAddresses.get(opts.spec.name)) : startDockerTarget(docker!, { ...opts, image: image!.tag, ...(twoHost ? { bindAddress: twoHost.remote.address } : {}) }),
      // The floor needs a container on the targets' CPUs: only where Docker runs the targets.
      ...(docker
        ? {
            startCalibration: async ({ cpus, cpuset, runId, signal }) => {
              if (twoHost) await twoHost.transfer(CALIBRATION_SPEC);
              const built = await buildImage(docker, CALIBRATION_SPEC, {
                projectRoot: PROJECT_ROOT,
                tag: `httpbench/${CALIBRATION_SPEC.name}:latest`,
                extraCaFile: args['ca-cert'] ?? null,
          ...buildProxyArgs(args['build-proxy']),
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
                ...(twoHost ? { bindAddress: twoHost.remote.address } : {}),
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
          ...(twoHost ? { hosts: [loadHostEnvironment(environment), twoHost.remote.environment], targetAddress: twoHost.remote.address } : {}),
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

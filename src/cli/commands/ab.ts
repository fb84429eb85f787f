/**
 * `httpbench ab --baseline REF --candidate REF`: baseline and candidate measured in the same job,
 * in interleaved trial pairs, judged on the paired ratios (src/ab/). Sets up like `run` (scenario,
 * results directory, CPUs and pinning through src/run/setup.ts), builds each variant's images from a
 * throwaway git worktree (src/run/ab-variants.ts), runs the trials (src/run/ab.ts), writes ab.json
 * and the outputs compare writes, and sets the exit code: 0 pass, 1 regression, 2 bad input,
 * 3 infrastructure, 4 incomplete (nothing comparable, a baseline that could not be measured).
 */
import path from 'node:path';
import type { CommandModule } from 'yargs';
import { HARNESS_ENV, MAX_AB_TRIALS, parseEnvOverrides, parseVariantSource, unknownEnvProblems, type VariantSource } from '../../ab/args.ts';
import { AB_THRESHOLD_KEYS, DEFAULT_AB_CONFIDENCE, DEFAULT_AB_THRESHOLDS, judgeAb } from '../../ab/judge.ts';
import type { Side } from '../../ab/order.ts';
import { renderAbBmf, renderAbJunit, renderAbMarkdown, renderAbTerminal } from '../../ab/render.ts';
import { AB_SCHEMA_VERSION, AbDocumentSchema, type AbDocument, type AbSettings, type Outcome } from '../../ab/schema.ts';
import { ConfigError, InterruptedError } from '../../errors.ts';
import { planRuns } from '../../plan/plan.ts';
import { lockDirFrom } from '../../run/reservation.ts';
import { runAbTrials } from '../../run/ab.ts';
import { prepareVariant, resolveCommit, worktrees, type PreparedVariant } from '../../run/ab-variants.ts';
import { PATH_TEMPLATE, type BuiltImage } from '../../run/deps.ts';
import { placeRun, prepareRun, type RunRequest, type SetupIo } from '../../run/prepare.ts';
import { engineFor, runSideBySide } from '../../load/index.ts';
import { isDockerTarget, type DockerTargetSpec } from '../../scenario/schema.ts';
import { verifyContract } from '../../targets/contract.ts';
import { buildImage, startDockerTarget } from '../../targets/docker.ts';
import { manifestForDockerfile } from '../../targets/manifest.ts';
import { parseCpuset } from '../../util/cpuset.ts';
import { writeFileAtomic } from '../../util/fs.ts';
import { checkGateOutputs, gateOutputs, withGateOutputOptions, writeGateOutputs } from '../gate-outputs.ts';
import { PROJECT_ROOT, TOOL_VERSION } from '../../util/project.ts';
import { onInterrupt } from '../signals.ts';

export const AB_EXIT_CODES: Record<Outcome, number> = { pass: 0, regression: 1, incomplete: 4 };

/**
 * Defaults, from `npm run bench:duet` and `npm run bench:ab` (bench/README.md "A/B in one job").
 * Duet: at 500 req/s the paired log-ratios of two identical go-chi containers spread 4 % (p50) and
 * 13 % (p99) side by side against 13 % and 20 % one after the other, so the sides run at once. 12
 * pairs: with them a +10 % p50 change was caught in 10 of 10 runs and 20 A/A runs gave no false
 * regression; 6 pairs is the fewest with any 95 % interval. 2 s steps keep one target of
 * scenarios/ci.yaml near 1.5 minutes (89–96 s measured).
 */
export const AB_DEFAULTS = { pairs: 12, design: 'duet', stepS: 2, maxStepS: 2, warmupS: 3 } as const;

const repeatable = (v: string | string[] | undefined) => (v === undefined ? [] : [v].flat().map(String));

interface AbArgs {
  baseline: string;
  candidate: string;
  'baseline-env': string[];
  'candidate-env': string[];
  scenario?: string;
  targets?: string;
  trials: number;
  design: 'duet' | 'alternating';
  'step-s': number;
  'max-step-s': number;
  'warmup-s': number;
  confidence: number;
  threshold: string[];
  out?: string;
  junit?: string;
  bmf?: string;
  markdown?: string;
  json: boolean;
  'step-summary': boolean;
  'ca-cert'?: string;
}

export const abCommand: CommandModule<object, AbArgs> = {
  command: 'ab',
  describe: 'measure a baseline and a candidate in one job, interleaved, judged in pairs; exit 1 on a regression',
  builder: (y) =>
    withGateOutputOptions(y)
      .option('baseline', { type: 'string', demandOption: true, describe: 'git ref of this project, or image:NAME' })
      .option('candidate', { type: 'string', demandOption: true, describe: 'git ref of this project, or image:NAME' })
      .option('baseline-env', { type: 'string', requiresArg: true, coerce: repeatable, describe: 'K=V environment override for the baseline target (repeatable)' })
      .option('candidate-env', { type: 'string', requiresArg: true, coerce: repeatable, describe: 'K=V environment override for the candidate target (repeatable)' })
      .option('scenario', { type: 'string', describe: 'scenario file for targets, rates, connections, resources, SLO (default scenarios/ci.yaml)' })
      .option('targets', { type: 'string', describe: 'comma-separated target names (default: all of the scenario)' })
      .option('trials', { type: 'number', default: AB_DEFAULTS.pairs, describe: 'trial pairs per target (≥ 6: fewer give no 95 % interval)' })
      .option('design', {
        choices: ['duet', 'alternating'] as const,
        default: AB_DEFAULTS.design,
        describe: 'duet = both sides at once from one generator thread (cancels the machine\'s drift); alternating = one after the other, ABBA',
      })
      .option('step-s', { type: 'number', default: AB_DEFAULTS.stepS, describe: 'seconds per open-loop rate step in a trial' })
      .option('max-step-s', { type: 'number', default: AB_DEFAULTS.maxStepS, describe: 'seconds of the closed-loop (max throughput) step in a trial' })
      .option('warmup-s', { type: 'number', default: AB_DEFAULTS.warmupS, describe: 'closed-loop warm-up of each container before the first trial (discarded)' })
      .option('confidence', { type: 'number', default: DEFAULT_AB_CONFIDENCE, describe: 'confidence of the intervals (0.9, 0.95 or 0.99)' })
      .option('threshold', { type: 'string', requiresArg: true, coerce: repeatable, describe: `metric=percent (${AB_THRESHOLD_KEYS.join(', ')})` })
      .option('out', { type: 'string', describe: 'results directory for ab.json (default results/<run id>-<scenario>)' })
      .option('json', { type: 'boolean', default: false, describe: 'print ab.json instead of the table' })
      .option('ca-cert', { type: 'string', describe: 'extra CA certificate (PEM) for package downloads inside image builds' }) as never,
  handler: async (args) => {
    const startedMs = performance.now();
    // Everything the flags alone can get wrong, before anything runs.
    const sources: Record<Side, VariantSource & { given: string; commit: string | null }> = {
      baseline: { ...parseVariantSource(args.baseline, '--baseline'), given: args.baseline, commit: null },
      candidate: { ...parseVariantSource(args.candidate, '--candidate'), given: args.candidate, commit: null },
    };
    const env: Record<Side, Record<string, string>> = {
      baseline: parseEnvOverrides(args['baseline-env'] ?? [], '--baseline-env'),
      candidate: parseEnvOverrides(args['candidate-env'] ?? [], '--candidate-env'),
    };
    const settingsProblems = checkNumbers(args);
    if (settingsProblems.length) throw new ConfigError(settingsProblems[0]!, { problems: settingsProblems.slice(1), hint: 'see httpbench ab --help' });
    const thresholdsPercent: Record<string, number> = { ...DEFAULT_AB_THRESHOLDS, ...parseThresholds(args.threshold ?? []) };
    for (const side of ['baseline', 'candidate'] as const) {
      const s = sources[side];
      if (s.kind === 'ref') s.commit = await resolveCommit(PROJECT_ROOT, s.ref, `--${side}`);
    }
    const outputs = gateOutputs(args);
    await checkGateOutputs(outputs);

    const scenarioPath = path.resolve(args.scenario ?? path.join(PROJECT_ROOT, 'scenarios', 'ci.yaml'));
    const req: RunRequest = { scenarioPath, out: args.out, targets: args.targets, allowRemote: false, imageTag: 'unused-by-ab' };
    const io: SetupIo = { warn: (line) => process.stderr.write(`${line}\n`), lockDir: lockDirFrom(process.env) };
    // Before anything is claimed or started: an interrupt aborts, and `finally` removes what was made.
    const controller = new AbortController();
    onInterrupt((signal) => {
      process.stderr.write(`\n${signal}: stopping after cleanup (containers and worktrees are removed); ab.json keeps the trials so far\n`);
      controller.abort(new InterruptedError(signal));
    });
    const prepared = await prepareRun(req, io);
    const trees = worktrees(PROJECT_ROOT);
    try {
      const scenario0 = prepared.scenario;
      if (scenario0.load.steps.rates === 'auto') {
        throw new ConfigError(`${path.relative(process.cwd(), scenarioPath)}: ab needs fixed rates (load.steps.rates is auto)`, { hint: 'list the rates, e.g. load.steps.rates: [200, 500] as in scenarios/ci.yaml' });
      }
      const selected = scenario0.targets.filter((t) => !prepared.only || prepared.only.includes(t.name));
      const notDocker = selected.filter((t) => !isDockerTarget(t)).map((t) => t.name);
      if (notDocker.length) throw new ConfigError(`ab compares Docker targets; ${notDocker.join(', ')} is not one`, { hint: 'select Docker targets with --targets' });
      const specs = selected as DockerTargetSpec[];
      for (const side of ['baseline', 'candidate'] as const) {
        if (sources[side].kind === 'image' && specs.length !== 1) {
          throw new ConfigError(`--${side} ${sources[side].given}: an image is one target's; ${specs.length} targets are selected`, { hint: 'add --targets NAME' });
        }
      }
      const manifests = prepared.manifests;
      const withEnv = specs.map((s) => ({ name: s.name, env: manifestForDockerfile(manifests, s.dockerfile)?.env.filter((k) => !HARNESS_ENV.has(k)) ?? null }));
      const envProblems = [...unknownEnvProblems(env.baseline, '--baseline-env', withEnv), ...unknownEnvProblems(env.candidate, '--candidate-env', withEnv)];
      if (envProblems.length) throw new ConfigError(envProblems[0]!, { problems: envProblems.slice(1), hint: "set only variables the target's manifest lists under env" });

      const placed = await placeRun(prepared, io);
      const docker = placed.docker!;
      const log = (line: string) => process.stderr.write(`${line}\n`);
      const built = new Map<string, BuiltImage>();
      const build = async (spec: DockerTargetSpec, projectRoot: string, tag: string): Promise<BuiltImage> => {
        log(`[${spec.name}] building ${tag} from ${projectRoot}`);
        const b = await buildImage(docker, spec, { projectRoot, tag, extraCaFile: args['ca-cert'] ?? null, signal: controller.signal, standIns: prepared.standIns });
        return { tag: b.tag, id: b.id, sizeBytes: b.sizeBytes, bases: b.baseImages };
      };
      const variants: Partial<Record<Side, PreparedVariant>> = {};
      for (const side of ['baseline', 'candidate'] as const) {
        variants[side] = await prepareVariant(sources[side], env[side], specs, { docker, worktrees: trees, build, built }, `--${side}`);
      }
      // Builds are done: the worktrees are not needed for measuring.
      await trees.cleanup();

      const scenario = placed.scenario;
      const settings: AbSettings = {
        pairs: args.trials,
        design: args.design,
        ratesRps: [...scenario0.load.steps.rates],
        stepS: args['step-s'],
        maxStepS: args['max-step-s'],
        warmupS: args['warmup-s'],
        confidence: args.confidence,
        thresholdsPercent,
        errorRate: scenario.slo.errorRate,
        p99Ms: scenario.slo.p99Ms,
      };
      const doc: AbDocument = {
        schemaVersion: AB_SCHEMA_VERSION,
        tool: { name: 'httpbench', version: TOOL_VERSION },
        status: 'running',
        startedAt: new Date().toISOString(),
        finishedAt: null,
        scenarioName: scenario.name,
        scenarioFile: path.relative(PROJECT_ROOT, scenarioPath).startsWith('..') ? scenarioPath : path.relative(PROJECT_ROOT, scenarioPath),
        settings,
        environment: placed.environment,
        baseline: variants.baseline!.record,
        candidate: variants.candidate!.record,
        trials: [],
        result: null,
        durationS: null,
      };
      const abFile = path.join(placed.outDir, 'ab.json');
      const save = async (d: AbDocument) => writeFileAtomic(abFile, `${JSON.stringify(AbDocumentSchema.parse(d), null, 2)}\n`);
      const runs = planRuns(scenario, prepared.only).filter((r) => r.repetition === 0 && !r.skipReason);
      log(`ab ${placed.runId}: ${runs.length} target configuration(s) × ${settings.pairs} pairs; results in ${path.relative(process.cwd(), placed.outDir) || '.'}/ab.json`);
      let failure: unknown = null;
      try {
        await runAbTrials(
          doc,
          {
            scenario,
            settings,
            runs,
            stepBase: {
              pathTemplate: PATH_TEMPLATE,
              ids: scenario.load.ids,
              workers: scenario.load.workers,
              timeoutMs: scenario.load.timeoutMs,
              generatorCpuset: placed.generatorCpuset,
              pacing: scenario.load.pacing,
            },
            targetCpuCount: placed.targetCpuset ? parseCpuset(placed.targetCpuset).length : null,
            signal: controller.signal,
          },
          {
            start: (side, run) =>
              startDockerTarget(docker, {
                spec: run.spec,
                configuration: { ...run.configuration, env: { ...planEnv(runs, run), ...env[side] } },
                cpus: scenario.resources.cpus,
                cpuset: placed.targetCpuset,
                memoryMiB: scenario.resources.memoryMiB,
                pids: scenario.resources.pids,
                startupTimeoutS: scenario.startupTimeoutS,
                runId: placed.runId,
                signal: controller.signal,
                image: variants[side]!.tags.get(run.spec.name)!,
              }),
            verifyContract: (baseUrl, connectHost) => verifyContract(baseUrl, { connectHost }),
            engine: engineFor,
            sideBySide: runSideBySide,
            save,
            log,
            random: Math.random,
          },
        );
      } catch (error) {
        failure = error;
      }
      doc.status = failure === null ? 'completed' : failure instanceof InterruptedError ? 'interrupted' : 'failed';
      doc.finishedAt = new Date().toISOString();
      // Judged only when every trial ran: a cut-short run's verdicts would rest on fewer pairs than asked.
      if (failure === null) doc.result = judgeAb(doc.trials, settings);
      doc.durationS = (performance.now() - startedMs) / 1000;
      await save(doc);
      if (failure) throw failure;
      const result = doc.result!;
      await writeGateOutputs(args, outputs, { junit: () => renderAbJunit(doc), bmf: () => renderAbBmf(doc), markdown: renderAbMarkdown(doc) });
      process.stdout.write(args.json ? `${JSON.stringify(doc, null, 2)}\n` : renderAbTerminal(doc));
      process.stdout.write(`\nab.json: ${path.relative(process.cwd(), abFile)} (${doc.durationS.toFixed(0)} s)\n`);
      process.exitCode = AB_EXIT_CODES[result.outcome];
    } finally {
      await trees.cleanup();
      for (const r of prepared.owned.reverse()) await r.release();
    }
  },
};

/** The plan's env of this run (${cpus} substituted, store variables), which the overrides extend. */
function planEnv(runs: ReturnType<typeof planRuns>, run: { spec: { name: string }; configuration: { id: string } }): Record<string, string> {
  return runs.find((r) => r.spec.name === run.spec.name && r.configuration.id === run.configuration.id)?.env ?? {};
}

function checkNumbers(args: AbArgs): string[] {
  const problems: string[] = [];
  if (!Number.isInteger(args.trials) || args.trials < 6 || args.trials > MAX_AB_TRIALS) problems.push(`--trials ${args.trials}: give a whole number from 6 to ${MAX_AB_TRIALS} (fewer than 6 pairs give no 95 % interval)`);
  for (const [flag, v, min] of [['--step-s', args['step-s'], 0.5], ['--max-step-s', args['max-step-s'], 0.5], ['--warmup-s', args['warmup-s'], 0]] as const) {
    if (!Number.isFinite(v) || v < min || v > 60) problems.push(`${flag} ${v}: give seconds from ${min} to 60`);
  }
  if (![0.9, 0.95, 0.99].includes(args.confidence)) problems.push(`--confidence ${args.confidence}: give 0.9, 0.95 or 0.99`);
  return problems;
}

function parseThresholds(values: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const raw of values) {
    const m = /^([A-Za-z0-9]+)=(\d+(?:\.\d+)?)$/.exec(raw);
    if (!m || !(AB_THRESHOLD_KEYS as string[]).includes(m[1]!)) {
      throw new ConfigError(`--threshold ${JSON.stringify(raw)}: give metric=percent with metric one of ${AB_THRESHOLD_KEYS.join(', ')}`, { hint: 'e.g. --threshold p99=8' });
    }
    out[m[1]!] = Number(m[2]);
  }
  return out;
}

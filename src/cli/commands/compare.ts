/**
 * `httpbench compare BASELINE CANDIDATE`: judges every metric of two runs as improved, regressed or
 * unchanged (src/compare/compare.ts) and renders the result for people and CI.
 *
 * Exit codes: 0 no regression, 1 regression (a candidate that fails or saturates where the baseline
 * did not is one, whatever its latency: compare/gate.ts), 2 bad input (ConfigError, including runs of
 * different scenarios), 3 infrastructure (InfrastructureError, e.g. an output file that cannot be
 * written), 4 incomplete: a run is not `completed`, nothing comparable was judged (no open-loop step
 * in the candidate, or no load figure judged on both sides, e.g. every step generator-bound), or a
 * baseline target/configuration has no completed candidate runs — the gate fails closed (4 wins over
 * 1: the run must be redone before its verdicts mean anything). Never calls process.exit.
 */
import type { CommandModule } from 'yargs';
import { compareRuns, DEFAULT_ALPHA, gateOutcome, type GateOutcome } from '../../compare/compare.ts';
import { renderCompareBmf } from '../../compare/render-bmf.ts';
import { renderCompareJunit } from '../../compare/render-junit.ts';
import { renderCompareMarkdown } from '../../compare/render-markdown.ts';
import { renderCompareTerminal } from '../../compare/render-terminal.ts';
import { parseThresholdFlags, parseThresholdsFile, resolveThresholds } from '../../compare/thresholds.ts';
import { ConfigError } from '../../errors.ts';
import { locateRunFile, readRunDocument } from '../../schema/io.ts';
import { MAX_CONFIG_FILE_BYTES, readTextFileBounded } from '../../util/bounded-read.ts';
import { checkGateOutputs, gateOutputs, withGateOutputOptions, writeGateOutputs } from '../gate-outputs.ts';

/** Exit code when at least one metric regressed (0 otherwise; 2/3 come from the error classes). */
export const EXIT_REGRESSION = 1;
/** Exit code when the comparison cannot pass a gate whatever its verdicts (see Comparison.incomplete). */
export const EXIT_INCOMPLETE = 4;

export const GATE_EXIT_CODES: Record<GateOutcome, number> = { pass: 0, regression: EXIT_REGRESSION, incomplete: EXIT_INCOMPLETE };

interface CompareArgs {
  baseline: string;
  candidate: string;
  thresholds?: string;
  threshold: string[];
  alpha: number;
  json: boolean;
  junit?: string;
  bmf?: string;
  markdown?: string;
  'step-summary': boolean;
  'allow-different-scenarios': boolean;
  'allow-env-mismatch': boolean;
}

export const compareCommand: CommandModule<object, CompareArgs> = {
  command: 'compare <baseline> <candidate>',
  describe: 'compare two runs (run directories or run.json files); exit 1 on a regression',
  builder: (y) =>
    withGateOutputOptions(y)
      .positional('baseline', { type: 'string', demandOption: true, describe: 'baseline run directory or run.json' })
      .positional('candidate', { type: 'string', demandOption: true, describe: 'candidate run directory or run.json' })
      .option('thresholds', { type: 'string', describe: 'YAML file of per-metric thresholds in percent, e.g. "p99: 15"' })
      .option('threshold', {
        // Not `array: true`: an array option swallows the positionals after it (`--threshold p99=5 BASE CAND`).
        // Repeat the flag for several metrics; yargs collects the repeats.
        type: 'string',
        requiresArg: true,
        coerce: (v: string | string[] | undefined) => (v === undefined ? [] : [v].flat().map(String)),
        describe: 'metric=percent, overrides the file (throughput, achievedRps, p50, p95, p99, memory, coldStart, imageSize)',
      })
      .option('alpha', { type: 'number', default: DEFAULT_ALPHA, describe: 'significance level of the Mann–Whitney U test' })
      .option('json', { type: 'boolean', default: false, describe: 'print the comparison object as JSON instead of the table' })
      .option('allow-different-scenarios', { type: 'boolean', default: false, describe: 'compare runs of different scenarios' })
      .option('allow-env-mismatch', {
        type: 'boolean',
        default: false,
        describe: 'compare runs from different machines (CPU model/count, target CPUs); flagged in the output',
      }) as never,
  handler: async (args) => {
    const fileThresholds = args.thresholds ? parseThresholdsFile(await readText(args.thresholds, '--thresholds'), args.thresholds) : {};
    const flagThresholds = parseThresholdFlags(args.threshold ?? []);
    if (!(args.alpha > 0 && args.alpha < 1)) {
      throw new ConfigError(`--alpha must be a probability between 0 and 1 (got ${args.alpha})`, { hint: `the default is ${DEFAULT_ALPHA}` });
    }

    // Outputs are checked before anything is read or written: none may be an input (--junit BASE/run.json
    // would overwrite the baseline), on /proc, or an existing FIFO or directory.
    const outputs = gateOutputs(args);
    const inputs: Array<[string, string]> = [];
    for (const [what, given] of [['baseline', args.baseline], ['candidate', args.candidate]] as const) {
      const file = await locateRunFile(given).catch(() => null);
      if (file) inputs.push([what, file]);
    }
    if (args.thresholds) inputs.push(['--thresholds', args.thresholds]);
    await checkGateOutputs(outputs, inputs);

    // Read both before failing, so one message names every unreadable input.
    const [baseline, candidate] = await Promise.allSettled([readRunDocument(args.baseline), readRunDocument(args.candidate)]);
    const failures = [baseline, candidate].filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failures.length === 1) throw failures[0]!.reason;
    if (failures.length === 2) {
      const [b, c] = failures.map((f) => f.reason as Error);
      throw new ConfigError('neither run could be read', {
        problems: [`baseline: ${b!.message}`, `candidate: ${c!.message}`],
        cause: b,
      });
    }
    const baselineDoc = (baseline as PromiseFulfilledResult<Awaited<ReturnType<typeof readRunDocument>>>).value;
    const candidateDoc = (candidate as PromiseFulfilledResult<Awaited<ReturnType<typeof readRunDocument>>>).value;
    // The candidate's scenario brings its compare: thresholds (a change to them is reviewed with the code).
    const thresholdsPercent = resolveThresholds(candidateDoc.scenario.compare?.thresholdsPercent ?? {}, fileThresholds, flagThresholds);
    const comparison = compareRuns(
      baselineDoc,
      candidateDoc,
      {
        thresholdsPercent,
        alpha: args.alpha,
        allowDifferentScenarios: args['allow-different-scenarios'],
        allowEnvMismatch: args['allow-env-mismatch'],
        baselineLabel: args.baseline,
        candidateLabel: args.candidate,
      },
    );

    await writeGateOutputs(args, outputs, {
      junit: () => renderCompareJunit(comparison),
      bmf: () => renderCompareBmf(comparison),
      markdown: renderCompareMarkdown(comparison),
    });

    process.stdout.write(args.json ? `${JSON.stringify(comparison, null, 2)}\n` : renderCompareTerminal(comparison));
    process.exitCode = GATE_EXIT_CODES[gateOutcome(comparison)];
  },
};

async function readText(file: string, flag: string): Promise<string> {
  try {
    return await readTextFileBounded(file, MAX_CONFIG_FILE_BYTES, `${flag} file ${file}`);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`cannot read ${flag} file ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, {
      cause: error,
      hint: `check the path given to ${flag}`,
    });
  }
}

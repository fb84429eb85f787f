/**
 * The outputs a gate command (`compare`, `ab`) writes besides the terminal: JUnit, Bencher Metric
 * Format, Markdown and the GitHub step summary. One home for their flags, the check made before
 * anything runs (no output may be an input, a FIFO, a directory or on /proc), and the writing.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Argv } from 'yargs';
import { ConfigError } from '../errors.ts';
import { appendRegularFile, checkOutputFile, writeOutputFile } from '../util/fs.ts';

export interface GateOutputArgs {
  junit?: string | undefined;
  bmf?: string | undefined;
  markdown?: string | undefined;
  'step-summary': boolean;
}

/** The four output flags, as `compare` and `ab` both take them. */
export function withGateOutputOptions<T>(y: Argv<T>): Argv<T & GateOutputArgs> {
  return y
    .option('junit', { type: 'string', describe: 'write JUnit XML to this file' })
    .option('bmf', { type: 'string', describe: 'write Bencher Metric Format JSON to this file' })
    .option('markdown', { type: 'string', describe: 'write the Markdown summary to this file' })
    .option('step-summary', {
      type: 'boolean',
      default: true,
      describe: 'append the Markdown summary to $GITHUB_STEP_SUMMARY when set (--no-step-summary to skip)',
    }) as unknown as Argv<T & GateOutputArgs>;
}

/** The files to write, by flag, and the step summary file (null when off or not in GitHub Actions). */
export interface GateOutputs {
  files: Array<[string, string]>;
  stepSummary: string | null;
}

export function gateOutputs(args: GateOutputArgs, env: NodeJS.ProcessEnv = process.env): GateOutputs {
  const files: Array<[string, string]> = [];
  if (args.junit) files.push(['--junit', args.junit]);
  if (args.bmf) files.push(['--bmf', args.bmf]);
  if (args.markdown) files.push(['--markdown', args.markdown]);
  const stepSummary = args['step-summary'] && env.GITHUB_STEP_SUMMARY ? env.GITHUB_STEP_SUMMARY : null;
  if (stepSummary) files.push(['GITHUB_STEP_SUMMARY', stepSummary]);
  return { files, stepSummary };
}

/** Identity of an existing file (device + inode: a hard link or another spelling is the same file), null when absent. */
async function identity(file: string): Promise<string | null> {
  const st = await stat(file).catch(() => null);
  return st ? `${st.dev}:${st.ino}` : null;
}

/** Refuses an output that is an input or another output, then checks each (src/util/fs.ts checkOutputFile). */
export async function checkGateOutputs(outputs: GateOutputs, inputs: Array<[string, string]> = []): Promise<void> {
  const seen = new Map<string, string>();
  for (const [what, file] of inputs) {
    const id = await identity(file);
    if (id) seen.set(id, what);
    seen.set(path.resolve(file), what);
  }
  for (const [what, file] of outputs.files) {
    const id = await identity(file);
    const clash = (id && seen.get(id)) ?? seen.get(path.resolve(file));
    if (clash) {
      throw new ConfigError(`${what} ${file} is the same file as ${clash}; writing it would destroy that`, { hint: `give ${what} another path` });
    }
    if (id) seen.set(id, what);
    seen.set(path.resolve(file), what);
    await checkOutputFile(file, what);
  }
}

/** The rendered outputs of one gate result. */
export interface RenderedGate {
  junit: () => string;
  bmf: () => unknown;
  markdown: string;
}

export async function writeGateOutputs(args: GateOutputArgs, outputs: GateOutputs, rendered: RenderedGate): Promise<void> {
  if (args.junit) await writeOutputFile(args.junit, rendered.junit(), '--junit');
  if (args.bmf) await writeOutputFile(args.bmf, `${JSON.stringify(rendered.bmf(), null, 2)}\n`, '--bmf');
  if (args.markdown) await writeOutputFile(args.markdown, rendered.markdown, '--markdown');
  if (outputs.stepSummary) await appendRegularFile(outputs.stepSummary, `${rendered.markdown}\n`, 'GITHUB_STEP_SUMMARY');
}

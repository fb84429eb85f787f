/**
 * Entry point: parses argv with yargs, runs one command, maps errors to exit codes.
 * The only place that reads argv or calls process.exit.
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { HttpbenchError } from '../errors.ts';
import { commands } from './commands/index.ts';
import { TOOL_VERSION } from '../util/project.ts';
import { escapeControlChars } from '../util/terminal-text.ts';
import { capProblems } from '../util/issues.ts';

export async function main(argv: string[]): Promise<number> {
  let parser = yargs(argv)
    .scriptName('httpbench')
    .strict()
    .demandCommand(1, 'name a command: setup, run, load, build, clean, report, compare or ab')
    .help()
    .version(TOOL_VERSION)
    .fail((message, error) => {
      throw error ?? new UsageError(message);
    });
  for (const command of commands) parser = parser.command(command);
  try {
    await parser.parseAsync();
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    return reportError(error);
  }
}

class UsageError extends Error {}

/** Prints an error for a person: the message, each problem, the hint; a stack only for bugs. */
export function reportError(error: unknown): number {
  if (error instanceof UsageError) {
    // yargs quotes the offending argument: escaped like every other message.
    process.stderr.write(`httpbench: ${escapeControlChars(error.message, { keepNewlines: true })}\nRun 'httpbench --help' for usage.\n`);
    return 2;
  }
  if (error instanceof HttpbenchError) {
    // Messages quote input (file names, YAML values, flags): escape control characters before printing.
    const text = (s: string) => escapeControlChars(s, { keepNewlines: true });
    process.stderr.write(`httpbench: ${text(error.message)}\n`);
    // Capped here, where every problem list is printed (scenario, claims, run.json, flags, gate).
    const problems = capProblems((error as { problems?: string[] }).problems ?? []);
    for (const p of problems) process.stderr.write(`  - ${text(p)}\n`);
    if (error.hint) process.stderr.write(`hint: ${text(error.hint)}\n`);
    if (process.env.HTTPBENCH_DEBUG && error.cause) process.stderr.write(`cause: ${String((error.cause as Error).stack ?? error.cause)}\n`);
    return error.exitCode;
  }
  process.stderr.write(`httpbench: internal error (a bug — please report it):\n${(error as Error)?.stack ?? String(error)}\n`);
  return 70;
}

const code = await main(hideBin(process.argv));
// Exit once the output is flushed: an idle keep-alive socket or timer left by a library (fetch's
// connection pool, say) must not keep a finished run alive — a CI job's SIGTERM would then end
// in a SIGKILL instead of exit 143.
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));

/**
 * `httpbench report <dir>`: re-renders report.md and report.html from DIR/run.json alone (the run
 * stores the claims registry and raw histograms, so no re-measurement is needed), then prints the
 * terminal summary. A malformed run.json is a ConfigError (exit 2) naming the file and its problems.
 */
import path from 'node:path';
import type { CommandModule } from 'yargs';
import { readRunDocument } from '../../schema/io.ts';
import { writeReports } from '../../report/index.ts';
import { renderTerminal } from '../../report/terminal.ts';

interface ReportArgs {
  dir: string;
}

export const reportCommand: CommandModule<object, ReportArgs> = {
  command: 'report <dir>',
  describe: 're-render report.md and report.html from a results directory (its run.json)',
  builder: (y) => y.positional('dir', { type: 'string', demandOption: true, describe: 'results directory containing run.json (or the run.json itself)' }) as never,
  handler: async (args) => {
    const doc = await readRunDocument(args.dir);
    const dir = args.dir.endsWith('.json') ? path.dirname(args.dir) : args.dir;
    const written = await writeReports(dir, doc, new Date().toISOString());
    process.stdout.write(renderTerminal(doc));
    process.stdout.write(`\nwrote ${written.map((f) => (path.relative(process.cwd(), f).startsWith('..') ? f : path.relative(process.cwd(), f))).join(', ')}\n`);
  },
};

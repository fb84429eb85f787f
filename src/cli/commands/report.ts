/**
 * `httpbench report <dir>`: re-renders report.md, report.html and verdicts.json from DIR/run.json
 * alone (the run stores the claims registry, thresholds and raw histograms, so no re-measurement is
 * needed), then prints the terminal summary; `--json` prints verdicts.json's content instead and
 * writes nothing. Exit 1 when a threshold (or a claim verdict named by --fail-on) fails the gate.
 * A malformed run.json is a ConfigError (exit 2) naming the file and its problems.
 */
import path from 'node:path';
import type { CommandModule } from 'yargs';
import { readRunDocument } from '../../schema/io.ts';
import { verdictsJson, writeReports } from '../../report/index.ts';
import { renderTerminal } from '../../report/terminal.ts';
import { buildReportModel } from '../../report/model.ts';
import { escapeControlChars } from '../../util/terminal-text.ts';
import { enforceGate, parseFailOn, withFailOn } from '../gate.ts';

interface ReportArgs {
  dir: string;
  json: boolean;
  'fail-on'?: string;
}

export const reportCommand: CommandModule<object, ReportArgs> = {
  command: 'report <dir>',
  describe: 're-render report.md, report.html and verdicts.json from a results directory (its run.json)',
  builder: (y) =>
    withFailOn(
      y
        .positional('dir', { type: 'string', demandOption: true, describe: 'results directory containing run.json (or the run.json itself)' })
        .option('json', { type: 'boolean', default: false, describe: 'print the verdicts (verdicts.json) to stdout and write nothing' }),
    ) as never,
  handler: async (args) => {
    const failOn = parseFailOn(args['fail-on']);
    const doc = await readRunDocument(args.dir);
    const model = buildReportModel(doc);
    if (args.json) {
      process.stdout.write(verdictsJson(model.verdicts));
    } else {
      const dir = args.dir.endsWith('.json') ? path.dirname(args.dir) : args.dir;
      const written = await writeReports(dir, doc, new Date().toISOString(), model);
      process.stdout.write(renderTerminal(model));
      process.stdout.write(`\nwrote ${escapeControlChars(written.map((f) => (path.relative(process.cwd(), f).startsWith('..') ? f : path.relative(process.cwd(), f))).join(', '))}\n`);
    }
    enforceGate(model.verdicts, failOn);
  },
};

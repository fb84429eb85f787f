/**
 * `httpbench report <dir>`: re-renders report.md, report.html and verdicts.json from DIR/run.json
 * alone (the run stores the claims registry, thresholds and raw histograms, so no re-measurement is
 * needed), then prints the terminal summary; `--json` prints verdicts.json's content instead and
 * writes nothing. Exit 1 when a threshold (or a claim verdict named by --fail-on) fails the gate.
 * A malformed run.json is a ConfigError (exit 2) naming the file and its problems.
 */
import path from 'node:path';
import type { CommandModule } from 'yargs';
import { locateRunFile, readRunDocument } from '../../schema/io.ts';
import { ConfigError } from '../../errors.ts';
import { specialFileSystem } from '../../util/fs.ts';
import { verdictsJson, writeReports } from '../../report/index.ts';
import { renderTerminal } from '../../report/terminal.ts';
import { buildReportModel } from '../../report/model.ts';
import { escapeControlChars } from '../../util/terminal-text.ts';
import { enforceGate } from '../../run/gate.ts';
import { parseFailOn, withFailOn } from '../gate.ts';

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
    const file = await locateRunFile(args.dir);
    const doc = await readRunDocument(file);
    const model = buildReportModel(doc);
    if (args.json) {
      process.stdout.write(verdictsJson(model.verdicts));
    } else {
      // Beside the run.json that was read, whatever the argument was called (DIR, DIR/run.json.orig, X.json/).
      const dir = path.dirname(file);
      const special = await specialFileSystem(dir);
      if (special) {
        throw new ConfigError(`the reports of ${args.dir} would be written into ${dir}, on a special file system (${special})`, {
          hint: 'copy run.json into a results directory and run httpbench report on that directory (or use --json, which writes nothing)',
        });
      }
      const written = await writeReports(dir, doc, new Date().toISOString(), model);
      process.stdout.write(renderTerminal(model));
      process.stdout.write(`\nwrote ${escapeControlChars(written.map((f) => (path.relative(process.cwd(), f).startsWith('..') ? f : path.relative(process.cwd(), f))).join(', '))}\n`);
    }
    enforceGate(model.verdicts, failOn);
  },
};

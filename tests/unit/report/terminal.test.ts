/**
 * The terminal summary after `run`: the headline and one line per claim, within 40 lines for the
 * default scenario — checked on results/sample (a real run of it), with the claims file as it is
 * now, and on the synthetic sample. Reasons stay in report.md.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderTerminal } from '../../../src/report/terminal.ts';
import { buildReportModel } from '../../../src/report/model.ts';
import { RunDocumentSchema } from '../../../src/schema/run.ts';
import { VERDICT_LABEL } from '../../../src/report/common.ts';
import { articleClaims, sampleRun } from '../../helpers/sample-run.ts';

const SAMPLE = fileURLToPath(new URL('../../../results/sample/run.json', import.meta.url));

describe('renderTerminal', () => {
  const real = RunDocumentSchema.parse({ ...JSON.parse(readFileSync(SAMPLE, 'utf8')), claims: articleClaims() });

  for (const [name, doc] of [
    ['results/sample (the default scenario)', real],
    ['the synthetic sample', sampleRun()],
  ] as const) {
    it(`prints the headline and one line per claim, at most 40 lines: ${name}`, () => {
      const model = buildReportModel(doc);
      const text = renderTerminal(model);
      const lines = text.trimEnd().split('\n');
      expect(lines.length).toBeLessThanOrEqual(40);
      // The headline table first, every measured configuration in it.
      for (const row of model.headline.rows) expect(text).toContain(row[0]!);
      expect(text.indexOf('Target/configuration')).toBeLessThan(text.indexOf('Claims —'));
      // One line per claim: verdict, id, measured vs the article's figure.
      for (const v of model.claims) {
        const line = lines.filter((l) => l.startsWith(VERDICT_LABEL[v.verdict]) && l.includes(` ${v.id} `));
        expect(line, v.id).toHaveLength(1);
        expect(line[0]).toContain(` vs article ${v.articleFigure}`);
        // The reasoning is in report.md, not here.
        expect(text).not.toContain(v.reason);
      }
      expect(lines.at(-1)).toContain('report.md');
    });
  }
});

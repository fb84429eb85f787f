/** Comparison → text for a terminal: loud warnings, one table, a one-line verdict. Pure. */
import Table from 'cli-table3';
import type { Comparison } from './compare.ts';
import { metricCells, METHOD_LEGEND, VERDICT_LABELS } from './format.ts';
import { escapeControlChars } from '../util/terminal-text.ts';

export function renderCompareTerminal(c: Comparison): string {
  const lines: string[] = [];
  lines.push(`baseline:  ${describeRun(c.baseline)}`);
  lines.push(`candidate: ${describeRun(c.candidate)}`);
  lines.push(`α = ${c.alpha}; thresholds are on the median change between the two runs`);
  if (c.environmentDifferences.length > 0) {
    lines.push('', '!!! WARNING: THE RUNS WERE MEASURED ON DIFFERENT ENVIRONMENTS — differences may be the machine, not the code !!!');
    for (const d of c.environmentDifferences) lines.push(`!!!   ${d}`);
  }
  if (c.incomplete.length > 0) {
    lines.push('', '!!! GATE INCOMPLETE — this comparison cannot pass a CI gate (exit 4):');
    for (const d of c.incomplete) lines.push(`!!!   ${d}`);
  }
  for (const w of c.warnings.filter((w) => !w.startsWith('environment differs'))) lines.push(`WARNING: ${w}`);

  const table = new Table({
    head: ['target / config', 'metric', 'baseline', 'candidate', 'change', 'threshold', 'spread', 'p', 'runs', 'method', 'verdict', 'notes'],
    style: { head: [], border: [] },
  });
  for (const g of c.groups) {
    const name = `${g.target} / ${g.configuration}`;
    if (g.metrics.length === 0) table.push([name, '—', '', '', '', '', '', '', `${g.baselineRuns} vs ${g.candidateRuns}`, '', '', g.notes.join('; ')]);
    g.metrics.forEach((m, i) => {
      const notes = [...m.notes, ...(i === 0 ? g.notes : [])].join('; ');
      table.push([
        i === 0 ? name : '',
        m.label,
        ...metricCells(m),
        VERDICT_LABELS[m.verdict],
        notes,
      ]);
    });
  }
  lines.push('', table.toString(), METHOD_LEGEND, '', summaryLine(c));
  // Run labels, commits, kernels and target names come from files and argv: the one terminal rule, on everything.
  return `${escapeControlChars(lines.join('\n'), { keepNewlines: true })}\n`;
}

function describeRun(r: Comparison['baseline']): string {
  return `${r.label} (scenario ${r.scenario}, started ${r.startedAt}${r.gitCommit ? `, commit ${r.gitCommit.slice(0, 12)}` : ''}, ${r.cpuModel} ×${r.cpuCount})`;
}

export function summaryLine(c: Comparison): string {
  const { regressed, improved, unchanged, tooNoisy, notComparable, lowConfidence } = c.counts;
  const verdict = c.incomplete.length > 0 ? `INCOMPLETE (${c.incomplete.length} problem${c.incomplete.length === 1 ? '' : 's'})${c.hasRegression ? ' and REGRESSION' : ''}` : c.hasRegression ? 'REGRESSION' : 'no regression';
  const extras = [
    tooNoisy ? `${tooNoisy} too noisy` : '',
    notComparable ? `${notComparable} not comparable` : '',
    lowConfidence ? `${lowConfidence} low confidence` : '',
  ].filter(Boolean);
  return `${verdict}: ${regressed} regressed, ${improved} improved, ${unchanged} unchanged${extras.length ? ` (${extras.join(', ')})` : ''}`;
}

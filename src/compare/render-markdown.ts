/** Comparison → GitHub-flavoured Markdown (for $GITHUB_STEP_SUMMARY or a PR comment). Pure. */
import type { Comparison, MetricComparison } from './compare.ts';
import { metricCells, METHOD_LEGEND } from './format.ts';
import { summaryLine } from './render-terminal.ts';
import { mdCodeSpan, mdInline } from '../util/markdown-text.ts';

const VERDICT_MD: Record<MetricComparison['verdict'], string> = {
  regressed: '❌ regressed',
  improved: '✅ improved',
  unchanged: 'unchanged',
  'too-noisy': '〰️ too noisy',
};

/** Text from the two run.json files and the command line: the one Markdown rule (src/util/markdown-text.ts). */
const cell = mdInline;

export function renderCompareMarkdown(c: Comparison): string {
  const out: string[] = [];
  const headline = c.incomplete.length > 0 ? '⛔ incomplete' : c.hasRegression ? '❌ regression' : '✅ no regression';
  out.push(`## httpbench compare: ${headline}`, '');
  out.push(`**${cell(summaryLine(c))}**`, '');
  out.push(`- baseline: ${mdCodeSpan(c.baseline.label)} — scenario ${mdCodeSpan(c.baseline.scenario)}, started ${cell(c.baseline.startedAt)}${c.baseline.gitCommit ? `, commit ${mdCodeSpan(c.baseline.gitCommit.slice(0, 12))}` : ''}`);
  out.push(`- candidate: ${mdCodeSpan(c.candidate.label)} — scenario ${mdCodeSpan(c.candidate.scenario)}, started ${cell(c.candidate.startedAt)}${c.candidate.gitCommit ? `, commit ${mdCodeSpan(c.candidate.gitCommit.slice(0, 12))}` : ''}`);
  out.push(`- α = ${c.alpha}; machine: ${cell(c.candidate.cpuModel)} ×${c.candidate.cpuCount}`, '');
  if (c.environmentDifferences.length > 0) {
    out.push('> [!CAUTION]', '> **The runs were measured on different environments** — differences may be the machine, not the code:');
    for (const d of c.environmentDifferences) out.push(`> - ${cell(d)}`);
    out.push('');
  }
  if (c.incomplete.length > 0) {
    out.push('> [!CAUTION]', '> **This comparison cannot pass a CI gate** (exit 4):');
    for (const d of c.incomplete) out.push(`> - ${cell(d)}`);
    out.push('');
  }
  const warnings = c.warnings.filter((w) => !w.startsWith('environment differs'));
  if (warnings.length > 0) {
    out.push('> [!WARNING]');
    for (const w of warnings) out.push(`> - ${cell(w)}`);
    out.push('');
  }
  for (const g of c.groups) {
    out.push(`### ${cell(g.target)} / ${cell(g.configuration)} (${g.baselineRuns} vs ${g.candidateRuns} runs)`, '');
    for (const n of g.notes) out.push(`- ${cell(n)}`);
    if (g.notes.length) out.push('');
    if (g.metrics.length === 0) continue;
    out.push('| metric | baseline | candidate | change | threshold | spread | p | runs | method | verdict | notes |');
    out.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | --- |');
    for (const m of g.metrics) {
      const verdict = m.verdict === 'regressed' || m.verdict === 'improved' ? `**${VERDICT_MD[m.verdict]}**` : VERDICT_MD[m.verdict];
      out.push(
        `| ${[
          cell(m.label),
          ...metricCells(m),
          verdict,
          cell(m.notes.join('; ')),
        ].join(' | ')} |`,
      );
    }
    out.push('');
  }
  out.push(`<sub>${cell(METHOD_LEGEND)} Baseline and candidate columns are medians over repetitions.</sub>`, '');
  return out.join('\n');
}

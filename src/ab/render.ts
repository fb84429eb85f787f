/**
 * ab.json → terminal table, Markdown (step summary), JUnit XML and Bencher Metric Format. compare's
 * renderers take a Comparison (medians over repetitions, U test), not paired intervals, so these are
 * small ones of their own with the same layout rules: one suite/section per target/configuration,
 * one case/row per metric, a regression is a <failure>, an inconclusive metric <skipped>, an
 * incomplete run a "gate" <error>. Pure.
 */
import { escapeControlChars } from '../util/terminal-text.ts';
import { mdInline } from '../util/markdown-text.ts';
import { escapeXml } from '../util/xml.ts';
import type { AbDocument, GroupResult, MetricResult, Variant } from './schema.ts';

const HEADLINE: Record<string, string> = { pass: 'PASS', regression: 'REGRESSION', incomplete: 'GATE INCOMPLETE' };

function signed(v: number | null): string {
  return v === null ? '—' : `${v >= 0 ? '+' : ''}${v.toFixed(1)} %`;
}

/** A side's figure: µs → ms for latency, req/s, or a failure fraction / saturated share in percent. */
export function figure(m: MetricResult, v: number | null): string {
  if (v === null) return '—';
  if (m.kind === 'latency') return `${(v / 1000).toFixed(3)} ms`;
  if (m.kind === 'throughput') return `${v.toFixed(0)} req/s`;
  return `${(v * 100).toFixed(m.kind === 'failures' ? 2 : 0)} %`;
}

export function interval(m: MetricResult): string {
  if (m.changePercent === null) return '—';
  if (m.changeLowPercent === null) return `${signed(m.changePercent)} (no interval)`;
  return `${signed(m.changePercent)} [${signed(m.changeLowPercent)}, ${signed(m.changeHighPercent)}]`;
}

export function describeVariant(v: Variant): string {
  const env = Object.entries(v.env).map(([k, val]) => `${k}=${val}`);
  return [v.commit ? `${v.given} (${v.commit.slice(0, 12)})` : v.given, ...(env.length ? [`env ${env.join(' ')}`] : [])].join(', ');
}

function rows(g: GroupResult): string[][] {
  return g.metrics.map((m) => [m.label, figure(m, m.baselineMedian), figure(m, m.candidateMedian), interval(m), m.thresholdPercent === null ? 'gate' : `${m.thresholdPercent} %`, String(m.pairs), m.verdict]);
}

/**
 * Why each inconclusive metric is open, and what would close it (more pairs, a longer step): the
 * table's "inconclusive" alone does not tell a reader whether to rerun with --trials or give up.
 */
function openMetrics(g: GroupResult): string[] {
  return g.metrics.filter((m) => m.verdict === 'inconclusive').map((m) => `${m.label}: ${m.reason}`);
}

/** How the trials measured the sides, in a few words. */
function designText(design: AbDocument['settings']['design']): string {
  return design === 'duet' ? 'duet: both sides at once, first phase alternating ABBA' : 'alternating, ABBA order';
}

const HEADER = ['metric', 'baseline', 'candidate', 'change [95 % interval]', 'threshold', 'pairs', 'verdict'];

export function renderAbTerminal(doc: AbDocument): string {
  const out: string[] = [];
  const r = doc.result;
  out.push(`httpbench ab — ${HEADLINE[r?.outcome ?? 'incomplete']}`);
  out.push(`  baseline  (A): ${escapeControlChars(describeVariant(doc.baseline))}`);
  out.push(`  candidate (B): ${escapeControlChars(describeVariant(doc.candidate))}`);
  out.push(`  ${doc.settings.pairs} pairs (${designText(doc.settings.design)}), steps of ${doc.settings.stepS} s at ${doc.settings.ratesRps.join(', ')} req/s + ${doc.settings.maxStepS} s closed loop; paired ratio B/A, Hodges–Lehmann with the Wilcoxon signed-rank interval`);
  for (const g of r?.groups ?? []) {
    out.push('', `${g.target}/${g.configuration}${g.incomplete ? '  (incomplete)' : ''}`);
    const table = [HEADER, ...rows(g)];
    const widths = HEADER.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
    for (const row of table) out.push(`  ${row.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')}`);
    const open = openMetrics(g);
    if (open.length > 0) out.push('  inconclusive:', ...open.map((t) => `    ${escapeControlChars(t)}`));
  }
  if (r && r.reasons.length > 0) {
    out.push('');
    for (const reason of r.reasons) out.push(`  - ${escapeControlChars(reason)}`);
  }
  return `${out.join('\n')}\n`;
}

export function renderAbMarkdown(doc: AbDocument): string {
  const r = doc.result;
  const out: string[] = [`## httpbench ab: ${HEADLINE[r?.outcome ?? 'incomplete']}`, ''];
  out.push(`- baseline (A): ${mdInline(describeVariant(doc.baseline))}`, `- candidate (B): ${mdInline(describeVariant(doc.candidate))}`);
  out.push(`- ${doc.settings.pairs} trial pairs (${designText(doc.settings.design)}), ${doc.settings.stepS} s per rate step, ${doc.settings.maxStepS} s closed loop; change = Hodges–Lehmann median of B/A with its Wilcoxon signed-rank ${doc.settings.confidence * 100} % interval`);
  if (r && r.reasons.length > 0) {
    out.push('', '**Why not a pass:**', '');
    for (const reason of r.reasons) out.push(`- ${mdInline(reason)}`);
  }
  for (const g of r?.groups ?? []) {
    out.push('', `### ${mdInline(`${g.target}/${g.configuration}`)}`, '', `| ${HEADER.join(' | ')} |`, `|${HEADER.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`);
    for (const row of rows(g)) out.push(`| ${row.map((c) => mdInline(c)).join(' | ')} |`);
    const open = openMetrics(g);
    if (open.length > 0) out.push('', '<details><summary>Why inconclusive</summary>', '', ...open.map((t) => `- ${mdInline(t)}`), '', '</details>');
  }
  return `${out.join('\n')}\n`;
}

export function renderAbJunit(doc: AbDocument): string {
  const r = doc.result;
  const all = (r?.groups ?? []).flatMap((g) => g.metrics);
  const incomplete = r?.outcome === 'incomplete' ? 1 : 0;
  const failures = all.filter((m) => m.verdict === 'regression').length;
  const skipped = all.filter((m) => m.verdict === 'inconclusive').length;
  const out = ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites name="httpbench ab" tests="${all.length + incomplete}" failures="${failures}" errors="${incomplete}" skipped="${skipped}">`];
  if (incomplete) {
    const text = (r?.reasons ?? ['no result']).join('\n');
    out.push('  <testsuite name="gate" tests="1" failures="0" errors="1" skipped="0">', '    <testcase classname="httpbench.gate" name="both variants measured and comparable">');
    out.push(`      <error type="incomplete" message="${escapeXml(`ab incomplete: ${(r?.reasons ?? []).join('; ')}`)}">${escapeXml(text)}</error>`, '    </testcase>', '  </testsuite>');
  }
  for (const g of r?.groups ?? []) {
    const f = g.metrics.filter((m) => m.verdict === 'regression').length;
    const s = g.metrics.filter((m) => m.verdict === 'inconclusive').length;
    out.push(`  <testsuite name="${escapeXml(`${g.target}/${g.configuration}`)}" tests="${g.metrics.length}" failures="${f}" errors="0" skipped="${s}">`);
    for (const m of g.metrics) {
      const text = `${m.label}: ${figure(m, m.baselineMedian)} → ${figure(m, m.candidateMedian)}; ${m.reason}`;
      out.push(`    <testcase classname="${escapeXml(`httpbench.ab.${g.target}.${g.configuration}`)}" name="${escapeXml(m.label)}">`);
      if (m.verdict === 'regression') out.push(`      <failure type="regression" message="${escapeXml(text)}">${escapeXml(text)}</failure>`);
      else if (m.verdict === 'inconclusive') out.push(`      <skipped message="${escapeXml(text)}"/>`);
      else out.push(`      <system-out>${escapeXml(`${m.verdict}: ${text}`)}</system-out>`);
      out.push('    </testcase>');
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>', '');
  return out.join('\n');
}

/**
 * Bencher Metric Format, candidate's figures: value = median over trials, lower/upper = the
 * baseline-anchored interval (baseline median × interval ratio). Latency in ns, throughput req/s.
 * Benchmarks named ab/<target>/<configuration>/<metric id>. Gate metrics are left out (no unit).
 */
export function renderAbBmf(doc: AbDocument): Record<string, Record<string, { value: number; lower_value?: number; upper_value?: number }>> {
  const out: Record<string, Record<string, { value: number; lower_value?: number; upper_value?: number }>> = {};
  for (const g of doc.result?.groups ?? []) {
    for (const m of g.metrics) {
      if ((m.kind !== 'latency' && m.kind !== 'throughput') || m.candidateMedian === null) continue;
      const scale = m.kind === 'latency' ? 1000 : 1;
      const entry: { value: number; lower_value?: number; upper_value?: number } = { value: m.candidateMedian * scale };
      if (m.baselineMedian !== null && m.changeLowPercent !== null && m.changeHighPercent !== null) {
        entry.lower_value = m.baselineMedian * (1 + m.changeLowPercent / 100) * scale;
        entry.upper_value = m.baselineMedian * (1 + m.changeHighPercent / 100) * scale;
      }
      out[`ab/${g.target}/${g.configuration}/${m.id}`] = { [m.kind]: entry };
    }
  }
  return out;
}

/**
 * Comparison → JUnit XML: one <testsuite> per target/configuration, one <testcase> per metric;
 * a regression is a <failure>, a metric that cannot be compared is <skipped>. Pure.
 */
import type { Comparison, MetricComparison } from './compare.ts';
import { formatChange, formatPValue, formatThreshold, formatValue, METHOD_LABELS } from './format.ts';

/** Escapes XML text and attribute values; drops characters XML 1.0 forbids. */
export function escapeXml(text: string): string {
  return text
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function describe(m: MetricComparison): string {
  return (
    `${m.label}: ${formatValue(m.baseline.median, m.unit)} → ${formatValue(m.candidate.median, m.unit)} ` +
    `(${formatChange(m.changePercent)}, threshold ${formatThreshold(m)}, p = ${formatPValue(m.pValue)}, ${METHOD_LABELS[m.method]})`
  );
}

export function renderCompareJunit(c: Comparison): string {
  const all = c.groups.flatMap((g) => g.metrics);
  const total = {
    tests: all.length,
    failures: all.filter((m) => m.verdict === 'regressed').length,
    skipped: all.filter((m) => m.method === 'not-comparable').length,
  };
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  out.push(`<testsuites name="httpbench compare" tests="${total.tests}" failures="${total.failures}" errors="0" skipped="${total.skipped}">`);
  const runInfo = [
    `baseline: ${c.baseline.label} (scenario ${c.baseline.scenario}, ${c.baseline.startedAt})`,
    `candidate: ${c.candidate.label} (scenario ${c.candidate.scenario}, ${c.candidate.startedAt})`,
    ...c.warnings.map((w) => `WARNING: ${w}`),
  ];
  for (const g of c.groups) {
    const failures = g.metrics.filter((m) => m.verdict === 'regressed').length;
    const skipped = g.metrics.filter((m) => m.method === 'not-comparable').length;
    const suite = `${g.target}/${g.configuration}`;
    out.push(`  <testsuite name="${escapeXml(suite)}" tests="${g.metrics.length}" failures="${failures}" errors="0" skipped="${skipped}">`);
    for (const m of g.metrics) {
      const attrs = `classname="${escapeXml(`httpbench.${g.target}.${g.configuration}`)}" name="${escapeXml(m.label)}"`;
      if (m.verdict === 'regressed') {
        out.push(`    <testcase ${attrs}>`);
        out.push(`      <failure type="regression" message="${escapeXml(describe(m))}">${escapeXml([describe(m), ...m.notes].join('\n'))}</failure>`);
        out.push('    </testcase>');
      } else if (m.method === 'not-comparable') {
        out.push(`    <testcase ${attrs}>`);
        out.push(`      <skipped message="${escapeXml(m.notes[0] ?? 'not comparable')}"/>`);
        out.push('    </testcase>');
      } else {
        out.push(`    <testcase ${attrs}>`);
        out.push(`      <system-out>${escapeXml([`${m.verdict}: ${describe(m)}`, ...m.notes].join('\n'))}</system-out>`);
        out.push('    </testcase>');
      }
    }
    out.push(`    <system-out>${escapeXml([...runInfo, ...g.notes].join('\n'))}</system-out>`);
    out.push('  </testsuite>');
  }
  out.push('</testsuites>', '');
  return out.join('\n');
}

/**
 * Comparison → JUnit XML: one <testsuite> per target/configuration, one <testcase> per metric;
 * a regression is a <failure>, a metric that cannot be compared is <skipped>. Pure.
 */
import type { Comparison, MetricComparison } from './compare.ts';
import { formatChange, formatPValue, formatThreshold, formatValue, METHOD_LABELS } from './format.ts';
import { escapeXml } from '../util/xml.ts';

function describe(m: MetricComparison): string {
  return (
    `${m.label}: ${formatValue(m.baseline.median, m.unit)} → ${formatValue(m.candidate.median, m.unit)} ` +
    `(${formatChange(m.changePercent)}, threshold ${formatThreshold(m)}, p = ${formatPValue(m.pValue)}, ${METHOD_LABELS[m.method]})`
  );
}

/** Not judged: not comparable, or too noisy to judge at the threshold. */
function isSkipped(m: MetricComparison): boolean {
  return m.method === 'not-comparable' || m.verdict === 'too-noisy';
}

export function renderCompareJunit(c: Comparison): string {
  const all = c.groups.flatMap((g) => g.metrics);
  const total = {
    tests: all.length,
    failures: all.filter((m) => m.verdict === 'regressed').length,
    skipped: all.filter(isSkipped).length,
  };
  // Fail closed here too: an incomplete comparison adds a "gate" suite whose one test case errors,
  // so a JUnit-only consumer cannot read "0 failures" as a pass.
  const gateErrors = c.incomplete.length > 0 ? 1 : 0;
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  out.push(
    `<testsuites name="httpbench compare" tests="${total.tests + gateErrors}" failures="${total.failures}" errors="${gateErrors}" skipped="${total.skipped}">`,
  );
  if (gateErrors) {
    const message = `comparison incomplete: ${c.incomplete.join('; ')}`;
    out.push('  <testsuite name="gate" tests="1" failures="0" errors="1" skipped="0">');
    out.push('    <testcase classname="httpbench.gate" name="both runs completed and comparable">');
    out.push(`      <error type="incomplete" message="${escapeXml(message)}">${escapeXml(c.incomplete.join('\n'))}</error>`);
    out.push('    </testcase>');
    out.push('  </testsuite>');
  }
  const runInfo = [
    `baseline: ${c.baseline.label} (scenario ${c.baseline.scenario}, ${c.baseline.startedAt})`,
    `candidate: ${c.candidate.label} (scenario ${c.candidate.scenario}, ${c.candidate.startedAt})`,
    ...c.warnings.map((w) => `WARNING: ${w}`),
  ];
  for (const g of c.groups) {
    const failures = g.metrics.filter((m) => m.verdict === 'regressed').length;
    const skipped = g.metrics.filter(isSkipped).length;
    const suite = `${g.target}/${g.configuration}`;
    out.push(`  <testsuite name="${escapeXml(suite)}" tests="${g.metrics.length}" failures="${failures}" errors="0" skipped="${skipped}">`);
    for (const m of g.metrics) {
      const attrs = `classname="${escapeXml(`httpbench.${g.target}.${g.configuration}`)}" name="${escapeXml(m.label)}"`;
      if (m.verdict === 'regressed') {
        out.push(`    <testcase ${attrs}>`);
        out.push(`      <failure type="regression" message="${escapeXml(describe(m))}">${escapeXml([describe(m), ...m.notes].join('\n'))}</failure>`);
        out.push('    </testcase>');
      } else if (isSkipped(m)) {
        const message = m.verdict === 'too-noisy' ? m.notes.at(-1)! : (m.notes[0] ?? 'not comparable');
        out.push(`    <testcase ${attrs}>`);
        out.push(`      <skipped message="${escapeXml(message)}"/>`);
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

/**
 * Checks of the scenario's `thresholds:` that relate several fields (the shape is checked by zod in
 * schema.ts). Returns every problem with its path, never throws, so load.ts reports them all at once.
 */
import type { Scenario, ThresholdMetric } from './schema.ts';
// A step is "at" a rate within ±1 %, as every reader of a run matches it: the one rule.
import { matchesRate } from './rates.ts';

/** Metrics measured at one open-loop step, so they need the step's offered rate (atRps). */
export const AT_RATE_METRICS: ReadonlySet<ThresholdMetric> = new Set(['p50Ms', 'p90Ms', 'p95Ms', 'p99Ms', 'p999Ms', 'errorRate']);

export function checkThresholds(scenario: Scenario): string[] {
  const problems: string[] = [];
  // With `rates: auto` every threshold's atRps is offered (plan/ladder.ts requiredRates).
  const rates = scenario.load.steps.rates === 'auto' ? null : scenario.load.steps.rates;
  (scenario.thresholds ?? []).forEach((t, i) => {
    const at = `thresholds[${i}]`;
    const target = scenario.targets.find((x) => x.name === t.target);
    if (target === undefined) {
      problems.push(`${at}.target: unknown target '${t.target}' (the scenario defines: ${scenario.targets.map((x) => x.name).join(', ')})`);
    } else if (t.configuration !== undefined && !target.configurations.some((c) => c.id === t.configuration)) {
      problems.push(`${at}.configuration: '${t.target}' has no configuration '${t.configuration}' (it has: ${target.configurations.map((c) => c.id).join(', ')})`);
    }
    if (AT_RATE_METRICS.has(t.metric)) {
      if (t.atRps === undefined) {
        problems.push(`${at}.atRps: ${t.metric} is measured at an open-loop step; give its offered rate (atRps, one of load.steps.rates)`);
      } else if (rates !== null && !rates.some((r) => matchesRate(r, t.atRps!))) {
        problems.push(`${at}.atRps: ${t.atRps} req/s is not one of load.steps.rates (${rates.join(', ')}), so no step is planned at it`);
      }
    } else if (t.atRps !== undefined) {
      problems.push(`${at}.atRps: ${t.metric} is not measured at a rate; remove atRps`);
    }
    if (t.metric === 'errorRate' && t.value > 1) problems.push(`${at}.value: errorRate is a fraction from 0 to 1 (0.01 = 1 %), not ${t.value}`);
  });
  return problems;
}

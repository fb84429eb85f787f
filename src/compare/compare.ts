/**
 * Baseline vs candidate comparison: pure, (baseline, candidate, options) → Comparison.
 *
 * For each (target, configuration) and metric, the per-repetition values of each side are compared.
 * A verdict other than `unchanged` always needs the median change to exceed both
 * - the metric's threshold (run-to-run noise, set from the A/A measurement: see thresholds.ts), and
 * - the noise the runs themselves show: the larger of the two sides' repetition spreads
 *   ((max − min) / median), so a change smaller than what repetitions of one commit already vary by
 *   is never a regression;
 * and then a confirmation that depends on the repetitions:
 * - enough runs per side for the test to reach α: Mann–Whitney U (as benchstat), p < α;
 * - runs on both sides but too few for p < α ever (n = 2..3 per side, benchstat's caveat): the two
 *   sides' ranges must not overlap; marked low-confidence;
 * - one run on a side: the same range rule (a single value outside the other side's range), marked so.
 * A metric whose spread is above its threshold cannot show a change of the threshold's size: unless
 * the change clears the spread anyway, it is `too-noisy` (a warning naming the smallest change it
 * could detect), never a regression.
 * Generator-bound steps are never judged (a saturated generator measures itself, not the target).
 * Failures and saturation are judged against the scenario's budget, not by a change (gate.ts): a
 * candidate that fails or saturates where the baseline did not regressed, whatever its latency says;
 * a comparison with no open-loop step judged on both sides cannot pass the gate (exit 4).
 *
 * Files: the metrics and how each is read (analysis/metrics.ts), one group's rows (group.ts), the
 * decision per metric (decide.ts), failures and capacity (gate.ts), comparability of the runs
 * (environment.ts), the shapes (types.ts).
 */
import type { RunDocument, TargetResult } from '../schema/run.ts';
import { ConfigError } from '../errors.ts';
import { groupResults } from '../analysis/groups.ts';
import { GENERATOR_BOUND_NOTE } from '../analysis/metrics.ts';
import { isUsable, openLoopSteps } from '../analysis/step-rules.ts';
import { median } from '../util/stats.ts';
import { minimumPValue } from './mannwhitney.ts';
import { environmentAdvisories, environmentDiff, scenarioDiff, summarizeRun } from './environment.ts';
import { nothingComparable } from './gate.ts';
import { compareGroup } from './group.ts';
import { COMPARISON_VERSION, DEFAULT_ALPHA, type CompareOptions, type Comparison, type GateOutcome } from './types.ts';

export { median, GENERATOR_BOUND_NOTE };
export { judge } from './decide.ts';
export { environmentAdvisories, environmentDiff } from './environment.ts';
export * from './types.ts';

export function gateOutcome(c: Comparison): GateOutcome {
  if (c.incomplete.length > 0) return 'incomplete';
  return c.hasRegression ? 'regression' : 'pass';
}


/** Compares two runs. Throws ConfigError for a scenario or environment mismatch that was not allowed. */
export function compareRuns(baseline: RunDocument, candidate: RunDocument, options: CompareOptions): Comparison {
  const alpha = options.alpha ?? DEFAULT_ALPHA;
  if (!(alpha > 0 && alpha < 1)) throw new ConfigError(`alpha must be between 0 and 1, got ${alpha}`, { hint: 'use e.g. --alpha 0.05' });

  const scenarioMismatch = scenarioDiff(baseline, candidate);
  if (scenarioMismatch && !options.allowDifferentScenarios) {
    throw new ConfigError(
      `the runs come from different scenarios: baseline "${scenarioMismatch.baseline}" (measurement fingerprint ${scenarioMismatch.baselineFingerprint}), ` +
        `candidate "${scenarioMismatch.candidate}" (measurement fingerprint ${scenarioMismatch.candidateFingerprint})`,
      { problems: scenarioMismatch.differences, hint: 'compare runs of the same scenario file, or pass --allow-different-scenarios' },
    );
  }

  const refusing = environmentDiff(baseline, candidate);
  if (refusing.length > 0 && !options.allowEnvMismatch) {
    throw new ConfigError('the runs were measured on different environments', {
      problems: refusing,
      hint: 'compare runs from the same machine type, or pass --allow-env-mismatch (the output then flags it)',
    });
  }
  const environmentDifferences = [...refusing, ...environmentAdvisories(baseline, candidate)];

  const warnings: string[] = [];
  const incomplete: string[] = [];
  for (const [side, doc] of [['baseline', baseline], ['candidate', candidate]] as const) {
    if (doc.status !== 'completed') incomplete.push(`${side} run status is "${doc.status}", not "completed"`);
  }
  if (scenarioMismatch) {
    warnings.push(
      `different scenarios: "${scenarioMismatch.baseline}" (${scenarioMismatch.baselineFingerprint}) vs "${scenarioMismatch.candidate}" (${scenarioMismatch.candidateFingerprint})` +
        (scenarioMismatch.differences.length ? `: ${scenarioMismatch.differences.join('; ')}` : ''),
    );
  }
  for (const d of environmentDifferences) warnings.push(`environment differs: ${d}`);
  if (JSON.stringify(baseline.scenario.compare ?? null) !== JSON.stringify(candidate.scenario.compare ?? null)) {
    warnings.push("the scenarios' compare: sections differ between baseline and candidate (the candidate's applies unless --thresholds/--threshold override it)");
  }

  const ctx = { thresholds: options.thresholdsPercent, alpha, errorBudget: candidate.scenario.slo.errorRate };
  const groups = groupResults([...baseline.targets, ...candidate.targets]).map(({ name, configuration }) =>
    compareGroup(usableRuns(baseline, name, configuration), usableRuns(candidate, name, configuration), name, configuration, ctx),
  );

  for (const g of groups) {
    // A target the baseline measured and the candidate did not complete is the loudest regression
    // there is (or a broken run): the gate must not pass it.
    if (g.candidateRuns === 0 && g.baselineRuns > 0) incomplete.push(`${g.target}/${g.configuration}: no completed runs in the candidate (failed or skipped?) — nothing judged`);
    else if (g.candidateRuns === 0) warnings.push(`${g.target}/${g.configuration}: no completed runs on either side — nothing judged`);
    else if (g.baselineRuns === 0) warnings.push(`${g.target}/${g.configuration}: not in the baseline — nothing judged`);
  }
  const all = groups.flatMap((g) => g.metrics);
  const counts = {
    regressed: all.filter((m) => m.verdict === 'regressed').length,
    improved: all.filter((m) => m.verdict === 'improved').length,
    unchanged: all.filter((m) => m.verdict === 'unchanged').length,
    tooNoisy: all.filter((m) => m.verdict === 'too-noisy').length,
    notComparable: all.filter((m) => m.method === 'not-comparable').length,
    lowConfidence: all.filter((m) => m.method === 'threshold-low-confidence' || m.method === 'threshold-only').length,
  };
  const judged = all.length - counts.notComparable;
  if (judged === 0) incomplete.push('nothing comparable was judged (0 metrics measured on both sides and comparable)');
  else {
    // Failures and capacity are judged at open-loop steps: without one, a broken candidate could pass on memory alone.
    const steps = (doc: RunDocument) => doc.targets.filter(isUsable).reduce((n, t) => n + openLoopSteps(t.steps).length, 0);
    const nothing = nothingComparable(groups, { baseline: steps(baseline), candidate: steps(candidate) });
    if (nothing !== null) incomplete.push(nothing);
  }
  if (counts.tooNoisy > 0) {
    const noisy = groups.flatMap((g) => g.metrics.filter((m) => m.verdict === 'too-noisy').map((m) => `${g.target}/${g.configuration} ${m.label} ±${m.detectablePercent} %`));
    const shown = noisy.slice(0, 8).join(', ') + (noisy.length > 8 ? `, … ${noisy.length - 8} more` : '');
    warnings.push(
      `${counts.tooNoisy} metric(s) too noisy to judge at their thresholds — the repetitions spread more than the threshold; ` +
        `smallest change each could detect: ${shown}`,
    );
  }
  if (counts.lowConfidence > 0) {
    const runs = all.filter((m) => m.method === 'threshold-low-confidence' || m.method === 'threshold-only');
    const smallest = Math.min(...runs.map((m) => Math.min(m.baseline.values.length, m.candidate.values.length)));
    warnings.push(
      `${counts.lowConfidence} metric(s) judged by threshold and non-overlapping ranges (low confidence): with ${smallest} run(s) on a side the Mann–Whitney U test ` +
        `cannot reach p < ${alpha} (smallest possible p = ${minimumPValue(smallest, smallest).toPrecision(2)}); raise the scenario's repeat to ≥ 4, ideally 5+`,
    );
  }

  return {
    comparisonVersion: COMPARISON_VERSION,
    alpha,
    thresholdsPercent: { ...options.thresholdsPercent },
    baseline: summarizeRun(baseline, options.baselineLabel ?? 'baseline'),
    candidate: summarizeRun(candidate, options.candidateLabel ?? 'candidate'),
    scenarioMismatch,
    environmentDifferences,
    warnings,
    groups,
    counts,
    hasRegression: counts.regressed > 0,
    incomplete,
  };
}

/** Usable repetitions (completed, or interrupted with their finished steps) of one (target, configuration). */
function usableRuns(doc: RunDocument, target: string, configuration: string): TargetResult[] {
  const group = groupResults(doc.targets).find((g) => g.name === target && g.configuration === configuration);
  return (group?.results ?? []).filter(isUsable);
}

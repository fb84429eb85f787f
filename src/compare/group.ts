/**
 * One (target, configuration) of a comparison: every metric of the registry (analysis/metrics.ts)
 * read on each side's usable repetitions and decided by decide.ts, open-loop steps paired by rate
 * (±1 %), and the failure and saturation rows of gate.ts at each paired rate.
 */
import { latencyKindOf, readGroup, RUN_METRICS, scheduledRates, stepAt, STEP_METRICS, type Compared } from '../analysis/metrics.ts';
import type { Step, TargetResult } from '../schema/run.ts';
import { judge } from './decide.ts';
import { closedLoopFailureRow, failureRows } from './gate.ts';
import type { ThresholdsPercent } from './thresholds.ts';
import type { GroupComparison, MetricComparison } from './types.ts';

export interface GroupContext {
  thresholds: ThresholdsPercent;
  alpha: number;
  /** The candidate scenario's error budget (slo.errorRate), a fraction: gate.ts judges failures by it. */
  errorBudget: number;
}

/** The run-level rows of one metric: the registry's reading of each side, judged. */
function runRow(ctx: GroupContext, metric: Compared, base: TargetResult[], cand: TargetResult[]): MetricComparison {
  const b = readGroup(metric, base);
  const c = readGroup(metric, cand);
  return judge(ctx, {
    id: metric.id,
    label: metric.label,
    family: metric.family,
    unit: metric.unit,
    direction: metric.direction,
    offeredRps: null,
    latency: null,
    baseline: b.values,
    candidate: c.values,
    notComparable: [...b.caveats, ...c.caveats][0] ?? null,
  });
}

/** The rows of one paired rate: throughput, 2xx throughput, failures, saturation, latency percentiles. */
function rateRows(ctx: GroupContext, rate: number, base: TargetResult[], cand: TargetResult[], bSteps: Step[], cSteps: Step[]): MetricComparison[] {
  const slug = `rate-${rate}rps`;
  // Corrected latency (wrk2 model) when every step on both sides has it; else uncorrected for all.
  const kind = latencyKindOf([...bSteps, ...cSteps]);
  const rows = STEP_METRICS.map((metric) => {
    const b = readGroup(metric, base, rate, kind);
    const c = readGroup(metric, cand, rate, kind);
    const latency = metric.percentile !== undefined;
    return judge(ctx, {
      id: `${slug}/${metric.id}`,
      label: `${metric.label} @ ${rate} rps`,
      family: metric.family,
      unit: metric.unit,
      direction: metric.direction,
      offeredRps: rate,
      latency: latency ? kind : null,
      baseline: b.values,
      candidate: c.values,
      notComparable: [...b.caveats, ...c.caveats][0] ?? null,
      extraNotes: latency && kind === 'uncorrected' ? ['uncorrected latency (corrected not available on both sides)'] : [],
    });
  });
  // Failures and saturation go right after the throughput rows: they decide before latency does.
  return [...rows.slice(0, 2), ...failureRows(slug, rate, bSteps, cSteps, ctx.errorBudget), ...rows.slice(2)];
}

export function compareGroup(base: TargetResult[], cand: TargetResult[], target: string, configuration: string, ctx: GroupContext): GroupComparison {
  const notes: string[] = [];
  if (base.length === 0) notes.push('no completed runs in the baseline: nothing to compare against');
  if (cand.length === 0) notes.push('no completed runs in the candidate');
  const baseCpus = new Set(base.map((t) => t.cpus));
  const candCpus = new Set(cand.map((t) => t.cpus));
  if ([...baseCpus].some((c) => !candCpus.has(c)) || [...candCpus].some((c) => !baseCpus.has(c))) {
    notes.push(`CPU budget differs: ${[...baseCpus].join('/')} vs ${[...candCpus].join('/')} CPUs`);
  }
  const metrics: MetricComparison[] = [];
  if (base.length === 0 || cand.length === 0) return { target, configuration, baselineRuns: base.length, candidateRuns: cand.length, metrics, notes };

  const [closedLoop, ...others] = RUN_METRICS;
  metrics.push(runRow(ctx, closedLoop!, base, cand));
  const closedSteps = (runs: TargetResult[]) => runs.flatMap((r) => r.steps.filter((s) => s.kind === 'max'));
  const [bMax, cMax] = [closedSteps(base), closedSteps(cand)];
  if (bMax.length > 0 && cMax.length > 0) metrics.push(closedLoopFailureRow(bMax, cMax, ctx.errorBudget));
  for (const rate of scheduledRates([...base, ...cand])) {
    const bSteps = base.map((r) => stepAt(r, rate)).filter((s): s is Step => s !== undefined);
    const cSteps = cand.map((r) => stepAt(r, rate)).filter((s): s is Step => s !== undefined);
    if (bSteps.length === 0 || cSteps.length === 0) {
      notes.push(`step at ${rate} rps only in the ${bSteps.length === 0 ? 'candidate' : 'baseline'}: not compared`);
      continue;
    }
    metrics.push(...rateRows(ctx, rate, base, cand, bSteps, cSteps));
  }
  metrics.push(...others.map((metric) => runRow(ctx, metric, base, cand)));
  // Metrics that no run on either side measured (e.g. image size of url: targets) are left out.
  const present = metrics.filter((m) => m.baseline.values.length > 0 || m.candidate.values.length > 0);
  return { target, configuration, baselineRuns: base.length, candidateRuns: cand.length, metrics: present, notes };
}

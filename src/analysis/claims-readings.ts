/**
 * What a claim reads of each repetition (rules 4 and 5): latency at a rate or "at scale", why a rate
 * was never offered, and ratios of two configurations' readings. The figures themselves and their
 * caveats are read through the metric registry (metrics.ts), as thresholds read them.
 */
import type { ClaimMetric, ClaimRule } from '../schema/claims.ts';
import type { RunDocument, Step, TargetResult } from '../schema/run.ts';
import type { Percentile } from '../schema/percentiles.ts';
import { formatMs, formatPercent, formatRps } from '../util/format.ts';
import type { ResultGroup } from './groups.ts';
import type { Reading } from './judge.ts';
import { LATENCY_METRICS } from './metrics.ts';
import { settleForGenerator, settleForScale } from './settle.ts';
import { AT_SCALE_MIN_FRACTION, atScaleStep, capacityReference, matchesRate, openLoopSteps, stepLatency } from './step-rules.ts';

/** Rule 4: the step a latency-at-rate claim is judged on, or why there is none. */
export function latencyAtRateReading(r: TargetResult, metric: Extract<ClaimMetric, { kind: 'latencyAtRateMs' }>, rule: ClaimRule, doc: RunDocument): Reading {
  const rate = metric.rateRps;
  const offered = openLoopSteps(r.steps);
  const matches = offered.filter((s) => matchesRate(s.offeredRps!, rate, metric.orAbove));
  const step = matches[0];
  if (step === undefined) return neverOffered(r, metric, rule, doc);
  return latencyOfStep(step, metric.percentile, rule, `${formatRps(step.offeredRps!)} req/s`, doc);
}

/**
 * A step the generator could not drive says nothing about the target; any other is read by the
 * shared latency reader (read-latency.ts: failures above the tail, uncorrected only, contention,
 * generator pauses, the instrument's floor — rules 4, 9, 10 and 11).
 */
function latencyOfStep(step: Step, percentile: Percentile, rule: ClaimRule, where: string, doc: RunDocument): Reading {
  if (step.generator.bound) {
    return {
      ok: false,
      reason: `the step at ${where} was generator-bound (${step.generator.boundReasons.join('; ') || 'generator limit'}): the generator could not offer that rate, so its latency is not the target's`,
      settle: settleForGenerator(doc, step.offeredRps ?? step.achievedRps),
      brief: `generator-bound at ${where}`,
    };
  }
  return LATENCY_METRICS[percentile].interval.read(step, rule, where, doc);
}

/** Rule 4: explains a rate that was never offered, and says honestly what that implies. */
function neverOffered(r: TargetResult, metric: Extract<ClaimMetric, { kind: 'latencyAtRateMs' }>, rule: ClaimRule, doc: RunDocument): Reading {
  const rate = metric.rateRps;
  const want = `${metric.orAbove ? '≥ ' : ''}${formatRps(rate)} req/s`;
  const offered = openLoopSteps(r.steps);
  const highest = offered[offered.length - 1];
  const saturated = offered.find((s) => s.saturated);
  const genBound = offered.find((s) => s.generator.bound);
  // The rates this run planned: the scenario's list, or (rates: auto) the ladder built from its maximum.
  const listed = doc.scenario.load.steps.rates;
  const planned = r.plannedRatesRps ?? (listed === 'auto' ? [] : listed);
  const scenarioMax = Math.max(...planned);
  if (saturated !== undefined) {
    const lat = stepLatency(saturated);
    const p = lat ? lat.us[metric.percentile] / 1000 : null;
    let reason =
      `${want} was never offered: the target saturated at ${formatRps(saturated.offeredRps!)} req/s ` +
      `(${saturated.saturationReasons.join('; ') || 'past capacity'}) and stepping stopped` +
      (r.sustainableRps !== null ? `; highest sustainable rate ${formatRps(r.sustainableRps)} req/s on ${r.cpus} CPU(s)` : '');
    if (rule.op === 'gt') {
      // Above capacity an open-loop queue grows for as long as the step lasts: latency there is set
      // by the step length and the timeout, not the server. That makes "> X ms" plausible but it is
      // an inference, not a measurement, so it stays inconclusive.
      reason +=
        `. Above its capacity an open-loop queue grows without bound, so latency there depends on the step length and timeout, not on the server — ` +
        `the article's figure likely understates it, but it was not measured (at the saturated step ${formatRps(saturated.offeredRps!)} req/s, ${p === null || lat === null ? 'no request completed' : `${metric.percentile} was already ${formatMs(p)} ms, ${lat.source}`})`;
    } else {
      reason += `; the target cannot sustain ${formatRps(rate)} req/s on this CPU budget, so its latency there was not measured`;
    }
    const per = r.sustainableRps !== null && r.sustainableRps > 0 ? r.sustainableRps / r.cpus : null;
    const cpus = per === null ? null : Math.ceil(rate / per);
    return {
      ok: false,
      reason,
      settle:
        `offer ${formatRps(rate)} req/s anyway: load.steps.stopAtSaturation: false` +
        (cpus !== null && cpus > r.cpus ? `; or resources.cpus: ${cpus} (estimate: ${formatRps(per!)} req/s sustained per CPU in this run)` : ''),
      brief: `${want} never offered: saturated at ${formatRps(saturated.offeredRps!)} req/s`,
    };
  }
  if (genBound !== undefined) {
    return {
      ok: false,
      reason: `${want} was never offered: the generator became the limit at ${formatRps(genBound.offeredRps!)} req/s (${genBound.generator.boundReasons.join('; ') || 'generator-bound'}); target capacity ≥ ${formatRps(genBound.achievedRps)} req/s`,
      settle: settleForGenerator(doc, Math.max(rate, genBound.offeredRps!)),
      brief: `${want} never offered: generator limit at ${formatRps(genBound.offeredRps!)} req/s`,
    };
  }
  if (!matchesRate(scenarioMax, rate, true) || !planned.some((x) => matchesRate(x, rate, metric.orAbove))) {
    return {
      ok: false,
      reason: `${want} was never offered: the planned rates (${planned.map(formatRps).join(', ')} req/s) do not include it`,
      settle: `add ${formatRps(rate)} to load.steps.rates`,
      brief: `${want} not in the scenario's rates`,
    };
  }
  return {
    ok: false,
    reason: `${want} was never offered${highest ? `: the last step run was ${formatRps(highest.offeredRps!)} req/s` : ''} (run ${r.status})`,
    settle: `complete the run: httpbench run --scenario ${doc.scenarioFile ?? `scenarios/${doc.scenario.name}.yaml`}`,
    brief: `${want} never offered (run ${r.status})`,
  };
}

/** Rule 5: latency at the highest sustained step. */
export function latencyAtCapacityReading(r: TargetResult, metric: Extract<ClaimMetric, { kind: 'latencyAtCapacityMs' }>, rule: ClaimRule, doc: RunDocument): Reading {
  const offered = openLoopSteps(r.steps);
  const step = atScaleStep(r.steps);
  if (step === undefined) {
    return {
      ok: false,
      reason: 'no open-loop step was both unsaturated and driven by an unconstrained generator',
      settle: `offer lower rates: load.steps.rates starting at ${formatRps(Math.max(100, Math.round((offered[0]?.offeredRps ?? 1000) / 4)))} req/s`,
      brief: 'no step below saturation',
    };
  }
  const scale = atScaleCheck(r, step, doc);
  if (scale !== null) return scale;
  const sample = latencyOfStep(step, metric.percentile, rule, `${formatRps(step.offeredRps!)} req/s`, doc);
  const higherBound = offered.some((s) => s.offeredRps! > step.offeredRps! && s.generator.bound && !s.saturated);
  if (sample.ok && higherBound) sample.note = `higher rates were generator-bound, so "at scale" here means ${formatRps(step.offeredRps!)} req/s`;
  return sample;
}

/**
 * Rule 5: "at scale" only when the step is within AT_SCALE_MIN_FRACTION of a measured capacity;
 * null when it is, else the inconclusive sample naming the fraction reached.
 */
function atScaleCheck(r: TargetResult, step: Step, doc: RunDocument): Reading | null {
  const ref = capacityReference(r);
  const at = step.offeredRps!;
  const need = formatPercent(AT_SCALE_MIN_FRACTION, 0);
  if (ref === null) {
    return {
      ok: false,
      reason: `no capacity was measured (no sustainable rate, no closed-loop maximum), so no step can be called "at scale" (≥ ${need} of it)`,
      settle: 'run the closed-loop step (load.max) and rates up to the target\'s capacity (load.steps.rates)',
      brief: 'capacity not measured',
    };
  }
  const fraction = at / ref.rps;
  const what = ref.source === 'sustainable' ? 'sustainable rate' : 'closed-loop maximum';
  if (ref.lowerBound) {
    const closedBound = r.steps.some((s) => s.kind === 'max' && s.generator.bound);
    return {
      ok: false,
      reason:
        `the target's capacity was never reached: its ${what} is only known to be ≥ ${formatRps(ref.rps)} req/s ` +
        `(${closedBound ? 'the generator was the limit' : 'no step failed'}), so the highest sustained step, ${formatRps(at)} req/s, is at most ${formatPercent(Math.min(1, fraction), 0)} of it; ` +
        `"at scale" is judged only on a step at ≥ ${need} of a measured capacity`,
      settle: closedBound ? settleForGenerator(doc, ref.rps) : settleForScale(doc, 2 * ref.rps),
      brief: `capacity never reached (≥ ${formatRps(ref.rps)} req/s), so ${formatRps(at)} req/s is not known to be at scale`,
    };
  }
  if (fraction >= AT_SCALE_MIN_FRACTION) return null;
  return {
    ok: false,
    reason:
      `the highest step neither saturated nor generator-bound, ${formatRps(at)} req/s, is ${formatPercent(fraction, 0)} of the measured ${what} ` +
      `(${formatRps(ref.rps)} req/s); "at scale" is judged only on a step at ≥ ${need} of it`,
    settle: settleForScale(doc, ref.rps),
    brief: `highest sustained step ${formatRps(at)} req/s is ${formatPercent(fraction, 0)} of capacity (needs ≥ ${need})`,
  };
}

export function pairedReadings(num: ResultGroup, den: ResultGroup, value: (r: TargetResult) => Reading): Reading[] {
  const out: Reading[] = [];
  for (const a of num.results) {
    const b = den.results.find((x) => x.repetition === a.repetition);
    if (b === undefined) {
      out.push({ ok: false, reason: `repetition ${a.repetition} of ${den.name}/${den.configuration} is missing`, brief: 'a repetition is missing' });
      continue;
    }
    const sa = value(a);
    const sb = value(b);
    if (!sa.ok) out.push(sa);
    else if (!sb.ok) out.push(sb);
    else if (sb.iv.lo <= 0) out.push({ ok: false, reason: `${den.name}/${den.configuration} measured 0; a ratio is undefined`, brief: 'denominator measured 0' });
    else {
      // Interval division: [a.lo / b.hi, a.hi / b.lo]; the point is the ratio of the measured figures.
      const s: Reading = { ok: true, iv: { lo: sa.iv.lo / sb.iv.hi, hi: sa.iv.hi / sb.iv.lo }, point: sa.iv.lo / sb.iv.lo };
      const bound = sa.boundReason ?? sb.boundReason;
      if (bound !== undefined) s.boundReason = bound;
      // A caveat on either side (a contended step, say) holds for their ratio too.
      const caveat = sa.caveat ?? sb.caveat;
      if (caveat !== undefined) s.caveat = caveat;
      out.push(s);
    }
  }
  return out;
}

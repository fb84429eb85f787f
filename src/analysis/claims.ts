/**
 * Turns the claims registry embedded in run.json into verdicts. Pure: RunDocument in, verdicts out.
 *
 * The rules, in order (each is why a verdict is never more certain than the measurement):
 *
 * 1. Every measured quantity is an interval per repetition, not a point. An exact measurement is
 *    [v, v]. When the load generator, not the target, limited the closed-loop step, the target's
 *    throughput is only known to be ≥ v: [v, ∞). A ratio of intervals is the interval of ratios.
 * 2. A rule holds for an interval when it holds for every value in it (confirmed), fails for every
 *    value (refuted), otherwise the interval straddles the threshold (inconclusive). `approx v ± t`
 *    is `between v(1−t) and v(1+t)`.
 * 3. Repetitions must agree: all confirmed → confirmed, all refuted → refuted; repetitions on both
 *    sides of the threshold → inconclusive ("repetitions straddle the threshold"). A failed or
 *    skipped repetition makes its configuration inconclusive: judging from the others would hide it.
 * 4. A latency "at R req/s" needs an open-loop step offered at R (±1 %), or for `orAbove` the lowest
 *    step offered at ≥ R. A step the generator could not drive (generator.bound) says nothing about
 *    the target → inconclusive. A rate never offered → inconclusive, with why (the target saturated
 *    earlier and stepping stopped, or the scenario never asked for it). Percentiles are of completed
 *    requests only, so when more requests failed than the percentile's tail (e.g. > 5 % for p95) the
 *    figure is only a lower bound [v, ∞) of the target's (the missing requests could only raise it):
 *    it can refute an upper bound or confirm a lower one; where it straddles the rule → inconclusive.
 * 5. "At scale" = the highest offered rate that was neither saturated nor generator-bound, and only
 *    when it is at least AT_SCALE_MIN_FRACTION of the measured sustainable rate (step-rules.ts says
 *    why); a lower step, or a capacity never reached, is inconclusive naming the fraction reached.
 * 6. Hardware-dependent absolute figures on fewer target CPUs than the claim needs
 *    (minTargetCpus) → inconclusive: "measured on N CPUs; the article's figure needs ≥ M"; the
 *    measured figure is still shown, with the Go/Python ratio and the machine beside it.
 * 7. A claim's overall verdict is the configurations' verdict when they all agree; when they differ
 *    ("confirmed for 1-worker, refuted for n-workers") it is inconclusive as a general statement and
 *    the reason names each configuration's verdict — that difference is itself the finding.
 * 8. A configuration the plan never ran (skipped: identical to another on this CPU budget) is listed
 *    as "not run" and left out of the overall verdict, whose reason then says it holds only for the
 *    configurations that ran. A configuration that was run and failed still makes it inconclusive.
 * 9. When corrected and uncorrected latency disagree about the rule and the generator's own pauses
 *    could explain the gap, the latency verdict is inconclusive (see generatorPauseCaveat).
 * 10. The instrument's own share: a corrected latency includes the instrument's floor at that rate
 *    (run.json `calibration`: the same engine and schedule against the smallest Go server on the
 *    targets' CPUs) and, for a percentile whose tail was read after generator stalls
 *    (generator.latencyCaveats), up to the generator's read delay there. The target's own figure
 *    is only known to lie in [v − that, v]; when the rule judges that interval differently from v
 *    (a threshold within the floor of the figure) → inconclusive, with the floor named.
 * 11. A step whose CPUs were not the run's alone (analysis/contention.ts: other processes or steal
 *    took more than the stated share of the generator's or the targets' CPUs) measured the machine's
 *    neighbours as much as the target: a verdict resting on it is inconclusive, naming the figure.
 * 12. The article's wording is read as the claim's `reading` says (schema/claims.ts): approximate
 *    figures get the file's one tolerance on every figure of the rule, "as small as" is judged on the
 *    smallest configuration measured, bounds and fixed thresholds are read exactly (effectiveRule).
 *
 * Files: the rule as read and printed (claims-rules.ts), what is read of each repetition
 * (claims-readings.ts, over the readers thresholds share: read-run.ts, read-latency.ts), combining
 * repetitions and the figures' words (claims-figures.ts), the verdict shapes (claims-types.ts); every
 * interval is judged by judge.ts.
 *
 * Latency is judged on the corrected histogram (wrk2: from the intended send time) when the step has
 * one, else the uncorrected one, and every measured text says which.
 */
import type { Claim, ClaimRule } from '../schema/claims.ts';
import type { RunDocument, TargetResult } from '../schema/run.ts';
import { median } from '../util/stats.ts';
import { formatRatio, formatRps } from '../util/format.ts';
import type { ClaimVerdict, ConfigurationVerdict, Verdict } from './claims-types.ts';
import { bandOf, claimRuleText, effectiveRule, readingText, ruleText, unitOf } from './claims-rules.ts';
import { latencyAtCapacityReading, latencyAtRateReading, pairedReadings } from './claims-readings.ts';
import { briefFigure, compactFigure, judgeReadings, unusable } from './claims-figures.ts';
import { groupTargets, type ResultGroup } from './groups.ts';
import { exact, type Reading } from './judge.ts';
import { runInterval } from './metrics.ts';
import { settleForCpus } from './settle.ts';
import { isUsable, notRunByDesign } from './step-rules.ts';

export type { ClaimBand, ClaimVerdict, ConfigurationVerdict, MeasuredFigure, Range, Verdict } from './claims-types.ts';
export { claimRuleText, effectiveRule, judgeInterval, readingText, ruleText } from './claims-rules.ts';
export { briefFigure, briefValue, describeFigure } from './claims-figures.ts';

function groupsOf(doc: RunDocument, target: string): ResultGroup[] {
  return groupTargets(doc).filter((g) => g.name === target);
}

function configurationVerdict(claim: Claim, doc: RunDocument, groups: ResultGroup[], label: string, readings: () => Reading[]): ConfigurationVerdict {
  const unit = unitOf(claim.metric);
  const configurations = groups.map((g) => `${g.name}/${g.configuration}`);
  const cpus = groups.length > 0 ? Math.min(...groups.flatMap((g) => g.results.map((r) => r.cpus))) : null;
  const all = groups.flatMap((g) => g.results);
  if (notRunByDesign(all)) {
    // Rule 8: never run (e.g. identical to another configuration on this CPU budget) — not a failure.
    const reasons = [...new Set(groups.flatMap((g) => g.results.map((r) => `${g.name}/${g.configuration}: ${r.reason ?? 'skipped'}`)))];
    return { configurations, label, cpus, measured: null, measuredText: 'not run', verdict: 'inconclusive', reason: `not run — ${reasons.join('; ')}`, notRun: true, brief: 'not run' };
  }
  const failed = groups.flatMap((g) => unusable(g.results).map((r) => `${g.name}/${g.configuration} repetition ${r.repetition} ${r.status}${r.reason ? `: ${r.reason}` : ''}`));
  if (failed.length > 0) {
    return {
      configurations,
      label,
      cpus,
      measured: null,
      measuredText: 'not measured',
      verdict: 'inconclusive',
      reason: failed.join('; '),
      settle: `fix the failure named in the reason, then run again: httpbench run --scenario ${doc.scenarioFile ?? `scenarios/${doc.scenario.name}.yaml`}`,
      brief: 'a repetition failed or was interrupted',
    };
  }
  const judged = judgeReadings(readings(), effectiveRule(claim), unit, doc);
  const out: ConfigurationVerdict = { configurations, label, cpus, measured: judged.measured, measuredText: judged.measuredText, verdict: judged.verdict, reason: judged.reason, brief: judged.brief };
  if (judged.settle) out.settle = judged.settle;
  // Rule 6: an absolute figure from a smaller machine than the claim needs says nothing about it.
  if (claim.hardwareDependent && cpus !== null && cpus < claim.minTargetCpus) {
    const target = groups[0]?.name ?? '';
    const figure = judged.measured ? briefFigure(judged.measured) : 'nothing measured';
    if (judged.verdict !== 'inconclusive') out.reason = `measured on ${cpus} CPU(s); the article's figure needs ≥ ${claim.minTargetCpus} (on this budget: ${judged.reason})`;
    out.verdict = 'inconclusive';
    out.brief = `${figure}: on ${cpus} CPU${cpus === 1 ? '' : 's'}, the article's figure needs ≥ ${claim.minTargetCpus} target CPUs${judged.verdict === 'inconclusive' && judged.measured?.bound === 'lower' ? ' (and the generator was the limit)' : ''}`;
    out.settle = settleForCpus(doc, target, claim.minTargetCpus, unit === 'req/s' ? articleValue(claim.rule) : null);
  }
  return out;
}

/** The article's figure a rule is built on (the top of a range): what hardware estimates aim at. */
function articleValue(rule: ClaimRule): number {
  return rule.op === 'between' ? rule.max : rule.value;
}

/** An inconclusive verdict for something that was not measured at all. */
function notMeasured(label: string, configurations: string[], reason: string, settle: string): ConfigurationVerdict {
  return { configurations, label, cpus: null, measured: null, measuredText: 'not measured', verdict: 'inconclusive', reason, settle, brief: 'not measured' };
}

function missing(label: string, configurations: string[], what: string): ConfigurationVerdict {
  return notMeasured(label, configurations, `no results for ${what}`, `include ${what} in the scenario and run it`);
}

/** Repetitions paired by index (A B B A ordering keeps a pair close in time). */
function ratioVerdicts(claim: Claim, doc: RunDocument, numerator: string, denominator: string, pairs: Array<{ numerator: string; denominator: string }> | undefined, value: (r: TargetResult) => Reading): ConfigurationVerdict[] {
  const nums = groupsOf(doc, numerator);
  const dens = groupsOf(doc, denominator);
  const all = pairs ?? nums.flatMap((n) => dens.map((d) => ({ numerator: n.configuration, denominator: d.configuration })));
  // A registry pairs configurations of several scenarios (e.g. both stores); a pair neither side of
  // which this run's scenario defines (or measured) belongs to another scenario and is left out,
  // unless nothing else remains. A defined but unmeasured side still counts as missing.
  const defined = (target: string, groups: ResultGroup[], id: string) =>
    groups.some((g) => g.configuration === id) || doc.scenario.targets.some((t) => t.name === target && t.configurations.some((c) => c.id === id));
  const present = all.filter((p) => defined(numerator, nums, p.numerator) || defined(denominator, dens, p.denominator));
  const list = present.length > 0 ? present : all;
  if (list.length === 0) return [missing(`${numerator} vs ${denominator}`, [numerator, denominator], nums.length === 0 ? `target '${numerator}'` : `target '${denominator}'`)];
  return list.map((p) => {
    const n = nums.find((g) => g.configuration === p.numerator);
    const d = dens.find((g) => g.configuration === p.denominator);
    const label = `${p.numerator} vs ${p.denominator}`;
    const names = [`${numerator}/${p.numerator}`, `${denominator}/${p.denominator}`];
    if (n === undefined) return missing(label, names, names[0]!);
    if (d === undefined) return missing(label, names, names[1]!);
    return configurationVerdict(claim, doc, [n, d], label, () => pairedReadings(n, d, value));
  });
}

function singleVerdicts(claim: Claim, doc: RunDocument, target: string, value: (r: TargetResult) => Reading): ConfigurationVerdict[] {
  const groups = groupsOf(doc, target);
  if (groups.length === 0) return [missing(target, [target], `target '${target}'`)];
  return groups.map((g) => configurationVerdict(claim, doc, [g], g.configuration, () => g.results.map(value)));
}

function byConfiguration(claim: Claim, doc: RunDocument): ConfigurationVerdict[] {
  const m = claim.metric;
  switch (m.kind) {
    case 'maxThroughputRps':
      return singleVerdicts(claim, doc, m.target, (r) => runInterval('maxThroughputRps')(r));
    case 'throughputRatio':
      return ratioVerdicts(claim, doc, m.numerator, m.denominator, m.pairs, runInterval('maxThroughputRps'));
    case 'latencyAtRateMs':
      return singleVerdicts(claim, doc, m.target, (r) => latencyAtRateReading(r, m, effectiveRule(claim), doc));
    case 'latencyAtCapacityMs':
      return singleVerdicts(claim, doc, m.target, (r) => latencyAtCapacityReading(r, m, effectiveRule(claim), doc));
    case 'imageSizeMB':
      return singleVerdicts(claim, doc, m.target, (r) => runInterval('imageSizeBytes')(r));
    case 'coldStartMs':
      return singleVerdicts(claim, doc, m.target, (r) => runInterval('coldStartMs')(r, 'the cold start'));
    case 'memoryPeakRatio':
      return ratioVerdicts(claim, doc, m.numerator, m.denominator, m.pairs, (r) => runInterval('memoryPeakBytes')(r));
    case 'handlerLinesReduction':
      return [linesVerdict(claim, doc, m.fewer, m.more)];
  }
}

function linesVerdict(claim: Claim, doc: RunDocument, fewer: string, more: string): ConfigurationVerdict {
  const lines = doc.source?.handlerLines ?? {};
  const f = lines[fewer];
  const m = lines[more];
  const label = `${fewer} vs ${more} handler`;
  const configurations = [`${fewer} (handler source)`, `${more} (handler source)`];
  if (f === undefined || m === undefined || m === 0) {
    const which = [f === undefined ? fewer : null, m === undefined || m === 0 ? more : null].filter(Boolean).join(' and ');
    const why = [fewer, more].flatMap((n) => (doc.source?.notCounted?.[n] ? [`${n}: ${doc.source.notCounted[n]}`] : []));
    return notMeasured(
      label,
      configurations,
      `handler line counts were not recorded for ${which}${why.length ? ` (${why.join('; ')})` : ''}`,
      'list the handler files in each target\'s targets/<name>/target.yaml, or set `handler:` in the scenario',
    );
  }
  const judged = judgeReadings([{ ok: true, iv: exact(1 - f / m) }], effectiveRule(claim), 'fraction', doc);
  return {
    brief: `${f} vs ${m} lines, ${judged.brief.replace(/^(\S+ %)/, '$1 fewer')}`,
    configurations,
    label,
    cpus: null,
    measured: judged.measured,
    measuredText: `${judged.measuredText} (${f} vs ${m} non-blank, non-comment lines)`,
    verdict: judged.verdict,
    reason: `${fewer} has ${f} lines, ${more} ${m}: ${judged.reason.replace(/^(\S+ %)/, '$1 fewer')}`,
  };
}

/**
 * Rule 7: configurations agree → their verdict; otherwise inconclusive, naming each. The reason
 * repeats measurements only where they explain an inconclusive verdict; the figures are in `measured`.
 */
function overall(list: ConfigurationVerdict[], rule: string): { verdict: Verdict; reason: string; settle?: string } {
  // Configurations that disagree (one confirmed, one refuted) are the finding; a run of one setup judges it alone.
  const disagree = list.some((c) => c.verdict === 'confirmed') && list.some((c) => c.verdict === 'refuted');
  const settle =
    list.find((c) => c.verdict === 'inconclusive' && c.settle)?.settle ??
    (disagree ? `the configurations disagree and the article names none: judge one setup alone, e.g. memory only: npx httpbench run --scenario scenarios/three.yaml` : undefined);
  const withSettle = (o: { verdict: Verdict; reason: string }) => (settle ? { ...o, settle } : o);
  const kinds = new Set(list.map((c) => c.verdict));
  const labels = (v: Verdict) => list.filter((c) => c.verdict === v).map((c) => c.label);
  const inconclusiveReasons = list.filter((c) => c.verdict === 'inconclusive').map((c) => (list.length === 1 ? c.reason : `${c.label}: ${c.reason}`));
  if (list.length === 1) return withSettle({ verdict: list[0]!.verdict, reason: list[0]!.reason });
  if (kinds.size === 1) {
    const verdict = list[0]!.verdict;
    if (verdict === 'inconclusive') return withSettle({ verdict, reason: inconclusiveReasons.join('; ') });
    return withSettle({ verdict, reason: `every configuration (${labels(verdict).join(', ')}) ${verdict === 'confirmed' ? 'satisfies' : 'fails'} ${rule}` });
  }
  const parts = (['confirmed', 'refuted', 'inconclusive'] as const).filter((v) => labels(v).length > 0).map((v) => `${v} for ${labels(v).join(', ')}`);
  const conclusive = list.filter((c) => c.verdict !== 'inconclusive').map((c) => `${c.label} ${c.verdict === 'confirmed' ? 'satisfies' : 'fails'} ${rule}`);
  const detail = [...conclusive, ...inconclusiveReasons].join('; ');
  return withSettle({ verdict: 'inconclusive', reason: `depends on the configuration — ${parts.join('; ')}. ${detail}` });
}

/** The longest one-sentence summary a claim gets (the full reasoning is one click away). */
export const SUMMARY_MAX_CHARS = 200;

/** Cuts at a word boundary and marks the cut; the full reason is in `reason`. */
function clip(text: string, max = SUMMARY_MAX_CHARS): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[;,:—\s]+$/, '')}…`;
}

/**
 * One sentence for the claims table: the figure(s) and what decided the verdict, at most
 * SUMMARY_MAX_CHARS. Configurations that agree share one clause; configurations that differ each
 * get theirs (label: brief), longest first dropped to a count when they do not fit.
 */
function summaryOf(list: ConfigurationVerdict[], verdict: Verdict, rule: string, smallest?: ConfigurationVerdict): string {
  const ran = list.filter((c) => !c.notRun);
  const notRun = list.filter((c) => c.notRun).map((c) => c.label);
  const tail = notRun.length > 0 ? ` (${notRun.join(', ')} not run)` : '';
  if (ran.length === 0) return clip(`nothing measured${tail}`);
  if (smallest !== undefined) return clip(`smallest: ${smallest.label} ${smallest.brief}`);
  if (ran.length === 1) return clip(`${list.length > 1 ? `${ran[0]!.label}: ` : ''}${ran[0]!.brief}${tail}`);
  const figures = ran.map((c) => `${c.label} ${c.measured ? briefFigure(c.measured) : c.measuredText}`).join(', ');
  const conclusive = ran.every((c) => c.verdict === verdict && verdict !== 'inconclusive');
  if (conclusive) {
    const all = `${figures}: all ${verdict === 'confirmed' ? 'meet' : 'fail'} ${rule}${tail}`;
    return all.length <= SUMMARY_MAX_CHARS ? all : clip(`all ${ran.length} configurations ${verdict === 'confirmed' ? 'meet' : 'fail'} ${rule}${tail}`);
  }
  // Open for the same cause everywhere: the figures, then the cause once.
  const causes = new Set(ran.map((c) => (c.measured && c.brief.startsWith(`${briefFigure(c.measured)}: `) ? c.brief.slice(briefFigure(c.measured).length + 2) : null)));
  const [cause] = causes;
  if (causes.size === 1 && cause) {
    const shared = `${figures}: ${cause}${tail}`;
    if (shared.length <= SUMMARY_MAX_CHARS) return shared;
  }
  const each = ran.map((c) => `${c.label}: ${c.brief}`).join('; ');
  if (each.length <= SUMMARY_MAX_CHARS) return each;
  // Too long for one sentence: the verdict per configuration, with the first open one's cause.
  const by = (['confirmed', 'refuted', 'inconclusive'] as const)
    .map((v) => ({ v, labels: ran.filter((c) => c.verdict === v).map((c) => c.label) }))
    .filter((x) => x.labels.length > 0)
    .map((x) => `${x.v} for ${x.labels.join(', ')}`);
  const open = ran.find((c) => c.verdict === 'inconclusive');
  return clip(`${by.join('; ')}${open ? ` — ${open.label}: ${open.brief}` : ''}`);
}

/** "As small as": the claim is about the smallest configuration measured. */
function smallestMeasured(list: ConfigurationVerdict[]): ConfigurationVerdict | undefined {
  const measured = list.filter((c) => !c.notRun && c.measured !== null);
  if (measured.length === 0) return undefined;
  return measured.reduce((a, b) => (b.measured!.value < a.measured!.value ? b : a));
}

function withNotRun(o: { verdict: Verdict; reason: string; settle?: string }, list: ConfigurationVerdict[]) {
  const notRun = list.filter((c) => c.notRun).map((c) => c.label);
  return { ...o, reason: `${o.reason} (holds only for the configurations that ran; ${notRun.join(', ')} not run — see its reason)` };
}

function hardwareNote(doc: RunDocument, list: ConfigurationVerdict[]): string {
  const e = doc.environment;
  const cpus = [...new Set(list.map((c) => c.cpus).filter((c): c is number => c !== null))].sort((a, b) => a - b);
  return (
    `measured on ${e.cpuModel} (${e.cpuCount} logical CPUs, ${e.arch}, ${e.os}); ` +
    `target CPUs per configuration: ${cpus.length > 0 ? cpus.join('/') : 'unknown'}; ` +
    `cpusets target ${e.cpusets.target ?? 'unpinned'}, generator ${e.cpusets.generator ?? 'unpinned'}`
  );
}

/** For an absolute throughput claim: this target's best configuration ÷ every other target's best. */
function throughputRatioNote(doc: RunDocument, target: string): string | undefined {
  const best = new Map<string, { configuration: string; rps: number; lower: boolean }>();
  for (const g of groupTargets(doc)) {
    const values = g.results.filter(isUsable).map((r) => r.maxThroughputRps).filter((v): v is number => v !== null);
    if (values.length === 0) continue;
    const rps = median(values)!;
    const lower = g.results.some((r) => r.steps.some((s) => s.kind === 'max' && s.generator.bound));
    const cur = best.get(g.name);
    if (cur === undefined || rps > cur.rps) best.set(g.name, { configuration: g.configuration, rps, lower });
  }
  const mine = best.get(target);
  if (mine === undefined) return undefined;
  // A target that completed nothing has no ratio to stand beside (x ÷ 0 is no figure).
  const others = [...best.entries()].filter(([name, o]) => name !== target && o.rps > 0).sort((a, b) => a[0].localeCompare(b[0], 'en'));
  if (others.length === 0) return undefined;
  return others
    .map(([name, o]) => {
      const ratio = mine.rps / o.rps;
      // A lower-bounded numerator makes the ratio a lower bound; a lower-bounded denominator, an upper bound.
      const mark = mine.lower && !o.lower ? '≥ ' : o.lower && !mine.lower ? '≤ ' : mine.lower && o.lower ? '~ ' : '';
      return `${target}/${name} best-to-best: ${mark}${formatRatio(ratio)} (${mine.configuration} ${formatRps(mine.rps)} req/s ÷ ${o.configuration} ${formatRps(o.rps)} req/s)`;
    })
    .join('; ');
}

export function evaluateClaim(claim: Claim, doc: RunDocument): ClaimVerdict {
  const unit = unitOf(claim.metric);
  const list = byConfiguration(claim, doc);
  const rule = ruleText(effectiveRule(claim), unit);
  // Rule 8: the verdict is about the configurations that ran; those never run are named, not counted.
  const ran = list.filter((c) => !c.notRun);
  let o = ran.length > 0 && ran.length < list.length ? withNotRun(overall(ran, rule), list) : overall(list, rule);
  // Rule 12, "as small as": judged on the smallest configuration measured; the others are listed.
  const smallest = claim.reading?.wording === 'as-small-as' ? smallestMeasured(list) : undefined;
  if (smallest !== undefined) {
    const others = list.filter((c) => c !== smallest).map((c) => `${c.label}: ${c.verdict} (${c.brief})`);
    o = {
      verdict: smallest.verdict,
      reason: `"as small as" is about the smallest configuration measured, ${smallest.label}: ${smallest.reason}${others.length > 0 ? `; the others: ${others.join('; ')}` : ''}`,
      ...(smallest.settle ? { settle: smallest.settle } : {}),
    };
  }
  const verdict: ClaimVerdict = {
    id: claim.id,
    quote: claim.quote,
    articleFigure: claim.articleFigure,
    ruleText: claimRuleText(claim),
    reading: readingText(claim),
    verdict: o.verdict,
    summary: summaryOf(list, o.verdict, rule, smallest),
    band: bandOf(claim, unit),
    byConfiguration: list,
    measured: list.map((c) => (list.length === 1 ? compactFigure(c) : `${c.label}: ${compactFigure(c)}`)).join('; '),
    reason: o.reason,
  };
  if (o.settle) verdict.settle = o.settle;
  if (claim.hardwareDependent) verdict.hardwareNote = hardwareNote(doc, list);
  if (claim.metric.kind === 'maxThroughputRps') {
    const ratio = throughputRatioNote(doc, claim.metric.target);
    if (ratio) verdict.ratio = ratio;
  }
  return verdict;
}

/** Verdicts for every claim embedded in the run document, in registry order. */
export function evaluateClaims(doc: RunDocument): ClaimVerdict[] {
  return (doc.claims ?? []).map((claim) => evaluateClaim(claim, doc));
}

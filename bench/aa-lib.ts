/**
 * The pure half of `npm run bench:aa` (bench/aa.ts): which runs to compare, and what the comparisons
 * say — the false-regression rate per metric of an A/A series (same commit, same scenario), the
 * threshold per metric kind that series suggests, and which injected regressions are caught.
 * No I/O: aa.ts runs `httpbench run` and feeds the comparisons in.
 */
import { gateOutcome, type Comparison } from '../src/compare/compare.ts';
import { THRESHOLD_KEYS, type ThresholdKey } from '../src/compare/thresholds.ts';

/**
 * Every pair (i, j) with i < j: run i is the baseline, run j the candidate. One direction only:
 * the reverse pair is the same two samples with the sign flipped, so counting it would double every
 * false alarm of a symmetric rule without adding information. n runs → n(n − 1)/2 comparisons.
 */
export function aaPairs(n: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) out.push([i, j]);
  return out;
}

/** "fastapi/1-worker p99 @ 200 rps": one row of the per-metric tables. */
function metricKey(target: string, configuration: string, label: string): string {
  return `${target}/${configuration} ${label}`;
}

export interface MetricTally {
  key: string;
  family: ThresholdKey;
  /** Comparisons in which the metric was judged (not "not comparable"). */
  judged: number;
  regressed: number;
  improved: number;
  tooNoisy: number;
  /** Largest |median change| seen, percent; null when never judged. */
  maxAbsChangePercent: number | null;
  /** Largest repetition spread (noisePercent) seen, percent. */
  maxNoisePercent: number | null;
}

export interface AaSummary {
  comparisons: number;
  /** Comparisons whose gate outcome was `regression` (what a CI job would have failed on). */
  falseAlarms: number;
  /** Comparisons that could not pass the gate (a run not completed, nothing judged). */
  incomplete: number;
  /** falseAlarms / (comparisons − incomplete); null when nothing was judged. */
  falseAlarmRate: number | null;
  metrics: MetricTally[];
  /** Per metric kind: the largest |median change| seen between two runs of one commit, rounded up. */
  suggestedThresholdsPercent: Partial<Record<ThresholdKey, number>>;
}

const maxOrNull = (a: number | null, b: number | null): number | null => (a === null ? b : b === null ? a : Math.max(a, b));

/** Tallies an A/A series: every comparison is of the same code, so every regression is false. */
export function summarizeAa(comparisons: readonly Comparison[]): AaSummary {
  const tallies = new Map<string, MetricTally>();
  let falseAlarms = 0;
  let incomplete = 0;
  for (const c of comparisons) {
    const outcome = gateOutcome(c);
    if (outcome === 'incomplete') incomplete++;
    else if (outcome === 'regression') falseAlarms++;
    for (const g of c.groups) {
      for (const m of g.metrics) {
        if (m.method === 'not-comparable') continue;
        const key = metricKey(g.target, g.configuration, m.label);
        const t = tallies.get(key) ?? { key, family: m.family, judged: 0, regressed: 0, improved: 0, tooNoisy: 0, maxAbsChangePercent: null, maxNoisePercent: null };
        t.judged++;
        if (m.verdict === 'regressed') t.regressed++;
        else if (m.verdict === 'improved') t.improved++;
        else if (m.verdict === 'too-noisy') t.tooNoisy++;
        t.maxAbsChangePercent = maxOrNull(t.maxAbsChangePercent, m.changePercent === null ? null : Math.abs(m.changePercent));
        t.maxNoisePercent = maxOrNull(t.maxNoisePercent, m.noisePercent);
        tallies.set(key, t);
      }
    }
  }
  const metrics = [...tallies.values()];
  const suggestedThresholdsPercent: Partial<Record<ThresholdKey, number>> = {};
  for (const family of THRESHOLD_KEYS) {
    const seen = metrics.filter((t) => t.family === family && t.maxAbsChangePercent !== null).map((t) => t.maxAbsChangePercent!);
    // Rounded up to a whole percent, and above the largest change seen (a change equal to the
    // threshold is not beyond it, so this already passes every A/A pair seen).
    if (seen.length) suggestedThresholdsPercent[family] = Math.ceil(Math.max(...seen));
  }
  const judged = comparisons.length - incomplete;
  return {
    comparisons: comparisons.length,
    falseAlarms,
    incomplete,
    falseAlarmRate: judged > 0 ? falseAlarms / judged : null,
    metrics,
    suggestedThresholdsPercent,
  };
}

/**
 * The A/A pairs that share no run with (i, j): the runs other than i and j, paired as aaPairs does.
 *
 * Used for an out-of-sample check of "threshold = largest A/A change": fitted and judged on the same
 * pairs, that rule passes every pair by construction, so its false-alarm rate there says nothing.
 * Fitted on the pairs disjoint from (i, j) and then judging (i, j), it is tested on runs it never saw
 * (leave-pair-out), which is what a CI job with thresholds from an earlier A/A series faces.
 */
export function disjointPairs(n: number, i: number, j: number): Array<[number, number]> {
  return aaPairs(n).filter(([a, b]) => a !== i && a !== j && b !== i && b !== j);
}

/** Thresholds times a margin, rounded up to a whole percent (a margin of 1 leaves them as they are). */
export function scaleThresholds(t: Partial<Record<ThresholdKey, number>>, margin: number): Partial<Record<ThresholdKey, number>> {
  const out: Partial<Record<ThresholdKey, number>> = {};
  for (const [k, v] of Object.entries(t) as Array<[ThresholdKey, number]>) out[k] = Math.ceil(v * margin);
  return out;
}

/**
 * Metric kinds a per-request CPU burn can move. A regression elsewhere (cold start, memory, image
 * size) in an injected comparison is noise, not the injection caught, so it does not count as caught
 * (it still shows in the per-metric table).
 */
export const LOAD_FAMILIES: readonly ThresholdKey[] = ['throughput', 'achievedRps', 'p50', 'p95', 'p99'];

export interface InjectionSummary {
  /** EXTRA_WORK_US of the candidate runs, µs of CPU per request. */
  extraWorkUs: number;
  target: string;
  comparisons: number;
  /** Comparisons with a load-metric regression (LOAD_FAMILIES) in the injected target and a `regression` gate outcome. */
  caught: number;
  incomplete: number;
  /** Per metric of the injected target: how often it regressed. */
  regressedByMetric: Record<string, number>;
  /** Median over comparisons of the median change, percent, per metric of the injected target. */
  medianChangePercent: Record<string, number>;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** What the comparisons of A/A baselines against candidates with `extraWorkUs` injected into `target` caught. */
export function summarizeInjection(extraWorkUs: number, target: string, comparisons: readonly Comparison[]): InjectionSummary {
  let caught = 0;
  let incomplete = 0;
  const regressedByMetric: Record<string, number> = {};
  const changes = new Map<string, number[]>();
  for (const c of comparisons) {
    const outcome = gateOutcome(c);
    if (outcome === 'incomplete') {
      incomplete++;
      continue;
    }
    let hit = false;
    for (const g of c.groups.filter((x) => x.target === target)) {
      for (const m of g.metrics) {
        if (m.method === 'not-comparable') continue;
        const key = metricKey(g.target, g.configuration, m.label);
        regressedByMetric[key] ??= 0;
        if (m.verdict === 'regressed') {
          regressedByMetric[key]++;
          if (LOAD_FAMILIES.includes(m.family)) hit = true;
        }
        if (m.changePercent !== null) changes.set(key, [...(changes.get(key) ?? []), m.changePercent]);
      }
    }
    if (hit && outcome === 'regression') caught++;
  }
  const medianChangePercent: Record<string, number> = {};
  for (const [key, xs] of changes) medianChangePercent[key] = median(xs);
  return { extraWorkUs, target, comparisons: comparisons.length, caught, incomplete, regressedByMetric, medianChangePercent };
}

/** The targets' accepted range of EXTRA_WORK_US (targets/CONTRACT.md): a larger value stops them at start. */
export const MAX_EXTRA_WORK_US = 1_000_000;

/** Parses `--inject 0,25,50`: whole µs in 0..MAX_EXTRA_WORK_US, in order, duplicates dropped. */
export function parseInjectList(text: string): number[] {
  const parts = text.split(',').map((p) => p.trim()).filter((p) => p !== '');
  const out: number[] = [];
  for (const p of parts) {
    const n = Number(p);
    if (!Number.isInteger(n) || n < 0 || n > MAX_EXTRA_WORK_US) {
      throw new Error(`--inject: "${p}" is not a whole number of microseconds from 0 to ${MAX_EXTRA_WORK_US}`);
    }
    if (!out.includes(n)) out.push(n);
  }
  return out;
}

const pct = (x: number | null) => (x === null ? '—' : `${x.toFixed(1)} %`);

/** The A/A and injection results as Markdown, for the terminal and bench/README.md. */
export function renderAaMarkdown(aa: AaSummary, injections: readonly InjectionSummary[], context: { scenario: string; runs: number; machine: string }): string {
  const out: string[] = [];
  out.push(`### A/A: ${context.runs} runs of \`${context.scenario}\`, ${aa.comparisons} comparisons (${context.machine})`, '');
  out.push(
    `False alarms (gate outcome "regression"): **${aa.falseAlarms} of ${aa.comparisons - aa.incomplete}**` +
      (aa.falseAlarmRate === null ? '' : ` (${(aa.falseAlarmRate * 100).toFixed(1)} %)`) +
      (aa.incomplete ? `; ${aa.incomplete} incomplete (a run not completed)` : ''),
    '',
  );
  out.push('| metric | judged | regressed | improved | too noisy | max abs change | max spread |', '| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const t of aa.metrics) {
    out.push(`| ${t.key} | ${t.judged} | ${t.regressed} | ${t.improved} | ${t.tooNoisy} | ${pct(t.maxAbsChangePercent)} | ${pct(t.maxNoisePercent)} |`);
  }
  out.push('', 'Suggested thresholds (largest A/A median change per metric kind, rounded up):', '');
  out.push('| kind | suggested threshold |', '| --- | ---: |');
  for (const [k, v] of Object.entries(aa.suggestedThresholdsPercent)) out.push(`| ${k} | ${v} % |`);
  for (const inj of injections) {
    out.push('', `### Injected: EXTRA_WORK_US=${inj.extraWorkUs} in ${inj.target}`, '');
    out.push(`Caught in **${inj.caught} of ${inj.comparisons - inj.incomplete}** comparisons${inj.incomplete ? ` (${inj.incomplete} incomplete)` : ''}.`, '');
    out.push('| metric | median change | regressed |', '| --- | ---: | ---: |');
    for (const key of Object.keys(inj.regressedByMetric)) {
      out.push(`| ${key} | ${pct(inj.medianChangePercent[key] ?? null)} | ${inj.regressedByMetric[key]} |`);
    }
  }
  return `${out.join('\n')}\n`;
}

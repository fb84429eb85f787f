/**
 * The answer a reader came for, computed once and printed first by every renderer (terminal,
 * report.md, report.html): per target/configuration the max and sustainable throughput, latency at
 * the rates the claims name, memory and image size; the Go/Python-style ratios; the machine; the
 * verdict and threshold counts. Configurations the plan skipped by design go to a neutral note.
 * Pure: text cells only, so the three renderers say the same thing.
 */
import type { RunDocument } from '../schema/run.ts';
import type { Percentile } from '../schema/percentiles.ts';
import type { GroupSummary, RateSummary } from '../analysis/summary.ts';
import type { VerdictsDocument } from '../schema/verdicts.ts';
import { contentionHeadline, contentionReason } from '../analysis/contention.ts';
import { atScaleRate, matchesRate } from '../analysis/step-rules.ts';
import { bytesGiB, formatMsFromUs, formatRatio, formatRps } from '../util/format.ts';
import { fmt, skippedByDesign } from './common.ts';

export interface Headline {
  /** Table header: fixed columns, then one "pXX ms @ R req/s" column per rate the claims name. */
  header: string[];
  rows: string[][];
  /** "go-chi/fastapi max throughput: ≥ 3.89× (…)"; empty with fewer than two targets measured. */
  ratios: string[];
  machine: string;
  /**
   * The load side's measured throughput ceiling and what limited it, so a reader sees how far the
   * generator reaches beside the targets' figures; null when the run did not measure one.
   */
  loadSide: string | null;
  /** One line when other processes or steal took the run's CPUs during some steps (analysis/contention.ts); null when quiet. */
  contention: string | null;
  /** "12 claims: 5 confirmed, …" or null without a registry. */
  claims: string | null;
  /** "2 thresholds: 1 pass, 1 FAIL, …" or null without thresholds. */
  thresholds: string | null;
  /** One line per configuration skipped by design, with the plan's reason. */
  notRun: string[];
}

interface LatencyColumn {
  percentile: Percentile;
  rateRps: number;
  orAbove: boolean;
}

/** The (percentile, rate) pairs of the latency-at-rate claims, lowest rate first, deduplicated. */
function latencyColumns(doc: RunDocument): LatencyColumn[] {
  const out: LatencyColumn[] = [];
  for (const c of doc.claims ?? []) {
    const m = c.metric;
    if (m.kind !== 'latencyAtRateMs') continue;
    if (out.some((o) => o.percentile === m.percentile && o.rateRps === m.rateRps)) continue;
    out.push({ percentile: m.percentile, rateRps: m.rateRps, orAbove: m.orAbove ?? false });
  }
  return out.sort((a, b) => a.rateRps - b.rateRps || a.percentile.localeCompare(b.percentile));
}

function rateMatch(g: GroupSummary, col: LatencyColumn): RateSummary | undefined {
  return g.rates.find((r) => matchesRate(r.offeredRps, col.rateRps, col.orAbove));
}

function latencyCell(r: RateSummary | undefined, percentile: LatencyColumn['percentile']): string {
  if (r === undefined) return 'not offered';
  if (r.generatorBound > 0) return 'generator-bound';
  if (r.latencyUs === null) return 'no data';
  const at = `${fmt.msFromUs(r.latencyUs[percentile])}`;
  const flags = [r.saturated > 0 ? 'saturated' : '', r.latencySource !== 'corrected' ? r.latencySource : ''].filter(Boolean);
  return `${at}${flags.length > 0 ? ` (${flags.join(', ')})` : ''}`;
}

function measured(g: GroupSummary): boolean {
  return !skippedByDesign(g);
}

/** Each target's best configuration (highest median max throughput) among those measured. */
function bestByTarget(groups: GroupSummary[]): Map<string, GroupSummary> {
  const best = new Map<string, GroupSummary>();
  for (const g of groups) {
    if (g.maxThroughputRps === null) continue;
    const cur = best.get(g.name);
    if (cur === undefined || g.maxThroughputRps.median > cur.maxThroughputRps!.median) best.set(g.name, g);
  }
  return best;
}

/** A ratio of two medians with its bound mark: a lower-bounded numerator makes it a lower bound, and so on. */
function ratioText(num: number, den: number, numLower: boolean, denLower: boolean): string {
  const mark = numLower && !denLower ? '≥ ' : denLower && !numLower ? '≤ ' : numLower && denLower ? '~ ' : '';
  return `${mark}${formatRatio(num / den)}`;
}

/** The target pair to compare: the first throughput-ratio claim's, else the second target over the first. */
function ratioPair(doc: RunDocument, names: string[]): [string, string] | null {
  const claim = (doc.claims ?? []).find((c) => c.metric.kind === 'throughputRatio');
  if (claim?.metric.kind === 'throughputRatio' && names.includes(claim.metric.numerator) && names.includes(claim.metric.denominator)) {
    return [claim.metric.numerator, claim.metric.denominator];
  }
  return names.length >= 2 ? [names[1]!, names[0]!] : null;
}

function ratios(doc: RunDocument, groups: GroupSummary[]): string[] {
  const best = bestByTarget(groups);
  const pair = ratioPair(doc, [...best.keys()]);
  if (pair === null) return [];
  const a = best.get(pair[0])!;
  const b = best.get(pair[1])!;
  if (b.maxThroughputRps!.median <= 0) return [];
  const who = `${a.name}/${a.configuration} vs ${b.name}/${b.configuration}`;
  const out = [`max throughput ${a.name}/${b.name}: ${ratioText(a.maxThroughputRps!.median, b.maxThroughputRps!.median, a.maxThroughputIsLowerBound, b.maxThroughputIsLowerBound)} (${who}, each target's best configuration)`];
  if (a.sustainableRps && b.sustainableRps && b.sustainableRps.median > 0) {
    out.push(`sustainable throughput ${a.name}/${b.name}: ${ratioText(a.sustainableRps.median, b.sustainableRps.median, a.sustainableIsLowerBound, b.sustainableIsLowerBound)}`);
  }
  if (a.memoryPeakBytes && b.memoryPeakBytes && a.memoryPeakBytes.median > 0) {
    out.push(`memory peak ${b.name}/${a.name}: ${formatRatio(b.memoryPeakBytes.median / a.memoryPeakBytes.median)}`);
  }
  return out;
}

function loadSide(doc: RunDocument): string | null {
  const c = doc.calibration?.ceiling;
  if (!c) return null;
  const contended = contentionReason(c.contention);
  const limited = c.limitedBy === 'generator' ? "the generator's own limit" : c.limitedBy === 'calibration server' ? 'limited by the calibration server (the generator reaches at least this)' : 'limited by neither CPU';
  return (
    `ceiling ${formatRps(c.achievedRps)} req/s (${c.engine}, ${c.workers} thread${c.workers === 1 ? '' : 's'}, ${c.connections} connections, closed loop against the calibration server; ${limited}); ` +
    `a figure within ${Math.round(c.marginFraction * 100)} % of it is marked "≥"` +
    // A busy machine lowers the ceiling: more figures are then marked "≥" than need be, never fewer.
    (contended === null ? '' : `; measured while contended (${contended}): it may be low, and the "≥" marks generous`)
  );
}

function machine(doc: RunDocument, groups: GroupSummary[]): string {
  const e = doc.environment;
  const cpus = [...new Set(groups.map((g) => g.cpus))].sort((x, y) => x - y).join('/');
  return (
    `${e.cpuModel}, ${e.cpuCount} logical CPUs, ${bytesGiB(e.memoryBytes)}, ${e.os}; ` +
    `each target ${cpus || '?'} CPU(s) on cpuset ${e.cpusets.target ?? 'unpinned'}, generator on ${e.cpusets.generator ?? 'unpinned'}` +
    `${e.dockerVersion ? `; Docker ${e.dockerVersion}` : ''}`
  );
}

export function computeHeadline(doc: RunDocument, groups: GroupSummary[], verdicts: VerdictsDocument): Headline {
  const cols = latencyColumns(doc);
  const shown = groups.filter(measured);
  const header = ['Target/configuration', 'CPUs', 'Max req/s', 'Sustainable req/s', ...(cols.length > 0 ? cols.map((c) => `${c.percentile} ms @ ${c.orAbove ? '≥ ' : ''}${formatRps(c.rateRps)}`) : ['p99 ms at scale']), 'Memory peak MiB', 'Image MB'];
  const rows = shown.map((g) => {
    const top = atScaleRate(g.rates);
    const latency = cols.length > 0 ? cols.map((c) => latencyCell(rateMatch(g, c), c.percentile)) : [top?.latencyUs ? `${formatMsFromUs(top.latencyUs.p99.median)} @ ${formatRps(top.offeredRps)}` : '—'];
    return [
      `${g.name}/${g.configuration}`,
      String(g.cpus),
      `${g.maxThroughputIsLowerBound ? '≥ ' : ''}${fmt.rps(g.maxThroughputRps)}`,
      `${g.sustainableIsLowerBound ? '≥ ' : ''}${fmt.rps(g.sustainableRps)}`,
      ...latency,
      fmt.mib(g.memoryPeakBytes),
      fmt.mb(g.imageSizeBytes),
    ];
  });
  const notRun = groups
    .filter((g) => !measured(g))
    .map((g) => `${g.name}/${g.configuration}: ${g.problems[0]?.reason ?? 'skipped by the plan'}`);
  const s = verdicts.summary;
  const claimCount = s.claims.confirmed + s.claims.refuted + s.claims.inconclusive;
  const thresholdCount = s.thresholds.pass + s.thresholds.fail + s.thresholds.notMeasured;
  return {
    header,
    rows,
    ratios: ratios(doc, shown),
    machine: machine(doc, shown),
    loadSide: loadSide(doc),
    contention: contentionHeadline(doc),
    claims: claimCount === 0 ? null : `${claimCount} claims: ${s.claims.confirmed} confirmed, ${s.claims.refuted} refuted, ${s.claims.inconclusive} inconclusive`,
    thresholds:
      thresholdCount === 0 ? null : `${thresholdCount} threshold${thresholdCount === 1 ? '' : 's'}: ${s.thresholds.pass} pass, ${s.thresholds.fail} fail, ${s.thresholds.notMeasured} not measured`,
    notRun,
  };
}

/** The neutral note on configurations the plan did not run (not a failure: identical on this budget). */
export const NOT_RUN_INTRO = 'Not run by design (the verdicts hold for what ran):';

/** Real problems only: failed or interrupted repetitions; skipped ones are in the neutral note. */
export function failureLines(groups: GroupSummary[]): string[] {
  return groups.flatMap((g) =>
    g.problems.filter((p) => p.status !== 'skipped').map((p) => `${g.name}/${g.configuration} repetition ${p.repetition}: ${p.status.toUpperCase()}${p.reason ? ` — ${p.reason}` : ''}`),
  );
}

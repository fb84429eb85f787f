/**
 * The report model: everything the renderers print, computed once per run (hyperfine's exporters
 * are the model — one result set, several templates). The analysis (summaries, claims, verdicts,
 * thresholds, "at scale" steps, store pairs) and the shared text cells are made here; report.md,
 * report.html and the terminal summary only lay them out, so they cannot disagree. Pure.
 */
import type { RunDocument, Step, TargetResult } from '../schema/run.ts';
import type { VerdictsDocument } from '../schema/verdicts.ts';
import { groupTargets } from '../analysis/groups.ts';
import { summariseGroup, type GroupSummary } from '../analysis/summary.ts';
import { evaluateClaims, type ClaimVerdict } from '../analysis/claims.ts';
import { buildVerdicts } from '../analysis/verdicts.ts';
import { atScaleStep, isUsable, type LatencyKind } from '../analysis/step-rules.ts';
import { decodeHistogram, decodeIntervalLog } from '../samples/histogram.ts';
import { describeError } from '../errors.ts';
import { formatRps } from '../util/format.ts';
import { computeHeadline, failureLines, type Headline } from './headline.ts';
import { calibrationSection, cpusShared, environmentRows, limitRows, reproduceCommands, resourceRows, runStatusBanner, stepRows } from './common.ts';
import { databaseText, storeRows } from './stores.ts';
import { floorAt } from '../analysis/floor.ts';
import type { LatencyPanel } from './latency-panels.ts';

/** One target/configuration as the detailed sections show it. */
export interface GroupDetail {
  summary: GroupSummary;
  /** The step table's rows (STEP_HEADERS), plain text. */
  stepRows: string[][];
  /** Notes of its steps, each once. */
  notes: string[];
  /** The "at scale" step of its first usable repetition (percentile and timeline charts); null when none. */
  atScale: { result: TargetResult; step: Step } | null;
  /** That step's latency by percentile, from its stored histogram; a note when it cannot be read; null without a step. */
  spectrum: Spectrum | { note: string } | null;
  /** That step's p99 interval by interval, from its interval log; null without a step or a log. */
  timeline: Array<{ startS: number; endS: number; p99Us: number; responses: number }> | { note: string } | null;
}

export interface Spectrum {
  source: LatencyKind;
  /** Latency at percentiles spaced evenly on log10(1/(1−p)), up to what the sample resolves. */
  points: Array<{ percentile: number; us: number }>;
  /** Where the tail ends on that axis: log10 of the count, at most 5 (99.999 %). */
  maxX: number;
  maxUs: number;
}

export interface ReportModel {
  /** The run itself, for what renderers print verbatim (scenario name, times, status). */
  doc: RunDocument;
  /** Summaries per target/configuration, in scenario order. */
  groups: GroupSummary[];
  /** `groups` with their detailed sections, same order. */
  details: GroupDetail[];
  claims: ClaimVerdict[];
  /** verdicts.json's content: claims, thresholds and their counts. */
  verdicts: VerdictsDocument;
  headline: Headline;
  /** The loud line for a run that did not complete; null when it did. */
  banner: string | null;
  /** Failed or interrupted repetitions, one line each (skipped ones are in headline.notRun). */
  failures: string[];
  /** Memory vs PostgreSQL rows (STORE_HEADERS) and the database paragraph (null without one). */
  stores: { rows: string[][]; database: string | null };
  environment: { rows: string[][]; sharedCpus: boolean; limits: string[][] };
  /** The instrument floor section; null when the run has no calibration field. */
  calibration: { text: string; rows: string[][] } | null;
  /** Resources table rows (RESOURCES_HEADERS). */
  resources: string[][];
  /** Commands that reproduce and re-render the run. */
  reproduce: string[];
  /** Latency vs rate, one panel per measured target/configuration (report.html's small multiples). */
  latencyPanels: LatencyPanel[];
}

/** Each group's open-loop rates as panel points: medians, the instrument floor, and the step flags. */
function latencyPanelsOf(doc: RunDocument, groups: GroupSummary[]): LatencyPanel[] {
  const count = (k: number, of: number) => (of > 1 && k < of ? ` ${k}/${of}` : '');
  return groups.map((g) => ({
    label: `${g.name}/${g.configuration}`,
    points: g.rates.flatMap((r) => {
      // A step where no request completed has no latency: no point (never a 0 ms one).
      if (r.latencyUs === null) return [];
      const floor = floorAt(doc.calibration, r.offeredRps, doc.network);
      return [
        {
          offeredRps: r.offeredRps,
          p50Ms: r.latencyUs.p50.median / 1000,
          p95Ms: r.latencyUs.p95.median / 1000,
          p99Ms: r.latencyUs.p99.median / 1000,
          floorP99Ms: floor ? floor.latencyUs.p99 / 1000 : null,
          saturated: r.saturated > 0 ? `saturated${count(r.saturated, g.repetitions)}` : null,
          generatorBound: r.generatorBound > 0 ? `generator-bound${count(r.generatorBound, g.repetitions)}` : null,
          source: r.latencySource,
        },
      ];
    }),
  }));
}

/** The "at scale" step of a group's first usable repetition: highest rate neither saturated nor generator-bound. */
function firstAtScale(results: TargetResult[]): GroupDetail['atScale'] {
  const result = results.find(isUsable);
  const step = result === undefined ? undefined : atScaleStep(result.steps);
  return result === undefined || step === undefined ? null : { result, step };
}

/** Decodes the at-scale step's histogram (corrected when present), as HdrHistogram's percentile plot reads it. */
function spectrumOf(label: string, found: GroupDetail['atScale']): GroupDetail['spectrum'] {
  if (found === null) return null;
  const { step } = found;
  const source = step.histograms.corrected ? 'corrected' : 'uncorrected';
  let histogram;
  try {
    histogram = decodeHistogram(step.histograms.corrected ?? step.histograms.uncorrected);
  } catch (error) {
    return { note: `${label}: stored histogram could not be decoded (${describeError(error)})` };
  }
  const count = histogram.totalCount;
  if (count === 0) return { note: `${label}: empty histogram at ${formatRps(step.offeredRps!)} req/s` };
  // Up to the percentile the sample can resolve: 1/(1−p) ≤ count.
  const maxX = Math.min(Math.log10(count), 5);
  const points: Spectrum['points'] = [];
  for (let k = 0; k <= Math.round(maxX * 20); k++) {
    const percentile = 100 * (1 - 10 ** -(k / 20));
    points.push({ percentile, us: histogram.getValueAtPercentile(percentile) });
  }
  return { source, points, maxX, maxUs: histogram.maxValue };
}

/** The at-scale step's p99 per interval of its HdrHistogram interval log (empty intervals left out). */
function timelineOf(label: string, found: GroupDetail['atScale']): GroupDetail['timeline'] {
  if (found === null || found.step.histograms.intervalLog === null) return null;
  let intervals;
  try {
    intervals = decodeIntervalLog(found.step.histograms.intervalLog);
  } catch (error) {
    return { note: `${label}: interval log could not be decoded (${describeError(error)})` };
  }
  return intervals
    .filter((iv) => iv.histogram.totalCount > 0)
    .map((iv) => ({ startS: iv.startS, endS: iv.endS, p99Us: iv.histogram.getValueAtPercentile(99), responses: iv.histogram.totalCount }));
}

export function buildReportModel(doc: RunDocument): ReportModel {
  const raw = groupTargets(doc);
  const groups = raw.map((g) => summariseGroup(g.name, g.configuration, g.results));
  const details = groups.map((summary, i): GroupDetail => {
    const atScale = firstAtScale(raw[i]!.results);
    const label = `${summary.name}/${summary.configuration}`;
    return {
      summary,
      stepRows: stepRows(doc, summary),
      notes: [...new Set([...(summary.maxStep?.notes ?? []), ...summary.rates.flatMap((r) => r.notes)])],
      atScale,
      spectrum: spectrumOf(label, atScale),
      timeline: timelineOf(label, atScale),
    };
  });
  const claims = evaluateClaims(doc);
  const verdicts = buildVerdicts(doc, claims);
  return {
    doc,
    groups,
    details,
    claims,
    verdicts,
    headline: computeHeadline(doc, groups, verdicts),
    banner: runStatusBanner(doc),
    failures: failureLines(groups),
    stores: { rows: storeRows(doc, groups), database: databaseText(doc) },
    environment: { rows: environmentRows(doc), sharedCpus: cpusShared(doc), limits: limitRows(doc, groups) },
    calibration: calibrationSection(doc),
    resources: resourceRows(groups),
    reproduce: reproduceCommands(doc),
    latencyPanels: latencyPanelsOf(doc, groups),
  };
}

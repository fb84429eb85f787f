/**
 * Pieces every renderer shares, so the Markdown, HTML and terminal reports say the same thing in
 * the same words. Pure.
 */
import type { RunDocument } from '../schema/run.ts';
import { cpusetsOverlap } from '../util/cpuset.ts';
import { shellWord } from '../util/markdown-text.ts';
import type { Percentile } from '../schema/percentiles.ts';
import type { Verdict } from '../analysis/claims.ts';
import { CONTENDED_PERCENT, STEAL_CONTENDED_PERCENT } from '../analysis/contention.ts';
import { floorAt } from '../analysis/floor.ts';
import type { ThresholdResult, ThresholdStatus } from '../schema/verdicts.ts';
import type { GroupSummary, Spread, StepSummary } from '../analysis/summary.ts';
import { bytesGiB, formatMsFromUs, formatNumber, formatRps, formatMiB, formatMB, formatPercent, formatWholeMs } from '../util/format.ts';

export const VERDICT_LABEL: Record<Verdict, string> = {
  confirmed: 'CONFIRMED',
  refuted: 'REFUTED',
  inconclusive: 'INCONCLUSIVE',
};

/** A loud line for a run that did not complete, or null when it did. */
export function runStatusBanner(doc: RunDocument): string | null {
  switch (doc.status) {
    case 'completed':
      return null;
    case 'interrupted':
      return 'RUN INTERRUPTED — only the steps that finished are reported; missing figures were not measured.';
    case 'failed':
      return 'RUN FAILED — the figures below are partial; see the failed targets.';
    case 'running':
      return 'RUN STILL IN PROGRESS (or killed without finishing) — figures are partial.';
  }
}

export const THRESHOLD_LABEL: Record<ThresholdStatus, string> = {
  pass: 'PASS',
  fail: 'FAIL',
  'not-measured': 'NOT MEASURED',
};

/** What a reader must know to read the thresholds table. */
export const THRESHOLDS_NOTE =
  'Absolute gates from the scenario (`thresholds:`), judged on the median over repetitions. A figure that was not measured, or is only a bound that cannot decide the rule, is NOT MEASURED and fails the gate like FAIL: `run` and `report` exit 1 naming it.';

/** "go-chi/gomaxprocs-1: 0.198 ms; go-chi/all-cores: not run" — the measured figure per configuration. */
export function thresholdMeasured(r: ThresholdResult): string {
  return r.byConfiguration.map((c) => (r.byConfiguration.length === 1 ? c.measuredText : `${c.configuration}: ${c.measuredText}`)).join('; ');
}

/**
 * True when the plan skipped every repetition of the configuration by design (identical to another
 * on this CPU budget): a neutral "not run", never a problem. A failed repetition makes it measured.
 */
export function skippedByDesign(g: Pick<GroupSummary, 'problems' | 'repetitions'>): boolean {
  return g.problems.length === g.repetitions && g.problems.every((p) => p.status === 'skipped');
}

/** Median, with the range when repetitions differ: "12.35 (11.90–12.70)". */
export function withRange(s: Spread | null, format: (v: number) => string): string {
  if (s === null) return '—';
  if (s.n <= 1 || s.min === s.max) return format(s.median);
  return `${format(s.median)} (${format(s.min)}–${format(s.max)})`;
}

export const fmt = {
  rps: (s: Spread | null) => withRange(s, formatRps),
  msFromUs: (s: Spread | null) => withRange(s, formatMsFromUs),
  ms: (s: Spread | null) => withRange(s, formatWholeMs),
  mib: (s: Spread | null) => withRange(s, formatMiB),
  mb: (s: Spread | null) => withRange(s, formatMB),
  cpu: (s: Spread | null) => withRange(s, (v) => formatNumber(v, 0)),
  perCpuS: (s: Spread | null) => withRange(s, (v) => formatNumber(v, 0)),
};

/** Achieved rate with "≥" when the generator limited the step: the target could do at least this. */
export function achievedText(step: StepSummary): string {
  return `${step.generatorBound > 0 ? '≥ ' : ''}${fmt.rps(step.achievedRps)}`;
}

/** Short flags of a step: saturated and generator-bound, with how many repetitions when they differ. */
export function stepFlags(step: StepSummary, repetitions: number): string {
  const flags: string[] = [];
  const count = (k: number) => (repetitions > 1 && k < repetitions ? ` ${k}/${repetitions}` : '');
  if (step.saturated > 0) flags.push(`saturated${count(step.saturated)}`);
  if (step.generatorBound > 0) flags.push(`generator-bound${count(step.generatorBound)}`);
  if (step.tailsInDoubt.length > 0) flags.push(`${step.tailsInDoubt.join('/')} in doubt (generator stalls)`);
  if (step.contended > 0) flags.push(`contended${count(step.contended)}`);
  return flags.join(', ');
}

export const STEP_HEADERS = ['Step', 'Offered req/s', 'Achieved req/s', 'Flags', 'p50 ms', 'p95 ms', 'p99 ms', 'p99 floor ms', 'Latency', 'Failed', 'CPU %', 'Mem peak MiB'];
/** Right-aligned columns of STEP_HEADERS. */
export const STEP_ALIGN_RIGHT = [false, true, true, false, true, true, true, true, false, true, true, true];
export const STEP_TABLE_NOTE =
  `Latency in milliseconds. "corrected" = from the intended send time (wrk2 model, no coordinated omission); "uncorrected" = from the actual write (the closed-loop step has only this). "≥" marks a lower bound: the load generator, not the target, was the limit. "saturated" = past the target's capacity (SLO p99 or error rate exceeded). "p99 floor" = the instrument's own p99 at that rate against the calibration server (see "Instrument floor"): a figure within it of a threshold cannot decide it. "in doubt" = more responses were read after generator stalls than that percentile's tail. "contended" = other processes took more than ${CONTENDED_PERCENT} % (or the hypervisor, steal, more than ${STEAL_CONTENDED_PERCENT} %) of the generator's or the targets' CPUs during the step (run.json step.contention). Failed = errors + timeouts + non-2xx.`;

/** The step table of one target/configuration, for every renderer (cells are plain text). */
export function stepRows(doc: RunDocument, g: GroupSummary): string[][] {
  const row = (label: string, offeredRps: number | null, s: StepSummary) => {
    const floor = offeredRps === null ? null : floorAt(doc.calibration, offeredRps, doc.network);
    return [
      label,
      offeredRps === null ? '—' : formatRps(offeredRps),
      achievedText(s),
      stepFlags(s, g.repetitions) || '—',
      latencyText(s, 'p50'),
      latencyText(s, 'p95'),
      latencyText(s, 'p99'),
      floor ? formatMsFromUs(floor.latencyUs.p99) : '—',
      latencySourceText(s),
      failedText(s),
      fmt.cpu(s.targetCpuPercent),
      fmt.mib(s.memoryPeakBytes),
    ];
  };
  const rows: string[][] = [];
  if (g.maxStep) rows.push(row('max (closed loop)', null, g.maxStep));
  for (const r of g.rates) rows.push(row(r.kinds.includes('knee') ? 'knee' : 'rate', r.offeredRps, r));
  return rows;
}

export const CALIBRATION_HEADERS = ['Offered req/s', 'Achieved req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'p99.9 ms', 'Flags'];
export const CALIBRATION_ALIGN_RIGHT = [true, true, true, true, true, true, false];

/** What the instrument measures against the fastest server it has, per rate; null when not calibrated. */
export function calibrationSection(doc: RunDocument): { text: string; rows: string[][] } | null {
  const c = doc.calibration;
  if (c === undefined) return null;
  if (c === null) return { text: 'Not measured in this run.', rows: [] };
  const text =
    `The same engine and schedule (${c.connections} connections, ${c.workers} generator thread(s), ${c.pacing} pacing, ${c.durationS} s per rate) against ${c.server} on cpuset ${c.cpuset}: ` +
    'the latency the instrument itself adds at each rate (generator, kernel, loopback and the smallest possible server). A target\'s figure is only known to lie between itself minus this floor and itself.' +
    (c.ceiling
      ? ` Throughput ceiling of the load side: ${formatRps(c.ceiling.achievedRps)} req/s closed loop (${c.ceiling.engine}, ${c.ceiling.workers} thread(s), ${c.ceiling.connections} connections, ${c.ceiling.durationS} s), ` +
        `limited by ${c.ceiling.limitedBy} (generator work CPU ${Math.round(c.ceiling.generatorWorkCpuPercent)} %, server CPU ${c.ceiling.serverCpuPercent === null ? 'unknown' : `${Math.round(c.ceiling.serverCpuPercent)} %`}); ` +
        `a target figure within ${Math.round(c.ceiling.marginFraction * 100)} % of it is marked "≥".`
      : '') +
    (c.error ? ` Calibration did not complete: ${c.error}.` : '');
  const rows = c.steps.map((s) => [
    formatRps(s.offeredRps),
    formatRps(s.achievedRps),
    formatMsFromUs(s.latencyUs.p50),
    formatMsFromUs(s.latencyUs.p95),
    formatMsFromUs(s.latencyUs.p99),
    formatMsFromUs(s.latencyUs.p999),
    s.generatorBound ? 'generator-bound' : '—',
  ]);
  return { text, rows };
}

/** Failed requests (errors + timeouts + non-2xx) as "count (percent of the intended requests)". */
export function failedText(step: StepSummary): string {
  if (step.failed === 0) return '0';
  return `${formatNumber(step.failed)} (${formatPercent(step.intended === 0 ? 0 : step.failed / step.intended)})`;
}

/** What a step shows where no request completed: there is no latency, and 0 ms would read as instant. */
export const NO_DATA = 'no data';

/** A latency percentile of a step in ms, or "no data". */
export function latencyText(step: StepSummary, percentile: Percentile | 'max'): string {
  return step.latencyUs ? fmt.msFromUs(step.latencyUs[percentile]) : NO_DATA;
}

export function latencySourceText(step: StepSummary): string {
  if (!step.latencyUs) return '—';
  return step.latencySource === 'mixed' ? 'mixed (corrected where available)' : step.latencySource;
}

/** The command that reproduces the run, and the one that re-renders it. */
export function reproduceCommands(doc: RunDocument): string[] {
  const lines: string[] = [];
  // run.json text becomes shell words: quoted, so a `;` in a hand-edited file never adds a command.
  if (doc.environment.gitCommit) lines.push(`git checkout ${shellWord(doc.environment.gitCommit.replace(/-dirty$/, ''))}${doc.environment.gitCommit.endsWith('-dirty') ? '   # the run had uncommitted changes' : ''}`);
  lines.push(`httpbench run --scenario ${shellWord(doc.scenarioFile ?? `scenarios/${doc.scenario.name}.yaml`)}`);
  lines.push('httpbench report <results-dir>   # re-render report.md / report.html from run.json');
  return lines;
}

/** The resources table, the same in every report: headers, a row per group, and what the units mean. */
export const RESOURCES_NOTE =
  'Image size in MB (10^6 bytes); memory in MiB (2^20 bytes, usage minus inactive page cache, as docker stats; peak = highest of about one sample per second); CPU in percent of one core during the closed-loop step; requests per CPU-second = achieved req/s ÷ (target CPU % / 100); per core = max throughput ÷ CPUs of the budget.';
export const RESOURCES_HEADERS = ['Target/configuration', 'Image MB', 'Cold start ms', 'Memory idle MiB', 'Memory peak MiB', 'CPU % (max step)', 'Req per CPU-second', 'Max req/s per core'];

export function resourceRows(groups: GroupSummary[]): string[][] {
  return groups.map((g) => [
    `${g.name}/${g.configuration}`,
    fmt.mb(g.imageSizeBytes),
    fmt.ms(g.coldStartMs),
    fmt.mib(g.memoryIdleBytes),
    fmt.mib(g.memoryPeakBytes),
    fmt.cpu(g.maxStepCpuPercent),
    fmt.perCpuS(g.requestsPerCpuSecond),
    `${g.maxThroughputIsLowerBound ? '≥ ' : ''}${fmt.rps(g.throughputPerCoreRps)}`,
  ]);
}

/** Environment table rows (label, value), the same in every report. */
export function environmentRows(doc: RunDocument): string[][] {
  const e = doc.environment;
  return [
    ['CPU', `${e.cpuModel} (${e.cpuCount} logical CPUs)`],
    ['Memory', bytesGiB(e.memoryBytes)],
    ['OS / kernel / arch', `${e.os} / ${e.kernel} / ${e.arch}`],
    ['Node.js', e.nodeVersion],
    ['Docker', e.dockerVersion ?? '— (not used)'],
    ['httpbench', `${doc.tool.version}${e.gitCommit ? ` (git ${e.gitCommit})` : ''}`],
    ['Target cpuset', e.cpusets.target ?? 'not pinned'],
    ['Generator cpuset', e.cpusets.generator ?? 'not pinned'],
    ...twoHostRows(doc),
  ];
}

/** Two-host runs: a row per machine and the network floor (the CPU/Memory rows above are the load side's). */
function twoHostRows(doc: RunDocument): string[][] {
  const rows = (doc.hosts ?? []).map((h) => [
    h.role === 'targets' ? 'Targets host' : 'Load host',
    `${h.engine ? `${h.engine}, ${h.address ?? ''}: ` : ''}${h.cpuModel} (${h.cpuCount} logical CPUs), ${bytesGiB(h.memoryBytes)}, ${h.os} / ${h.kernel} / ${h.arch}, Docker ${h.dockerVersion ?? '—'}`,
  ]);
  const n = doc.network;
  if (n) {
    rows.push([
      'Network floor',
      n.floorUs
        ? `p50 ${formatMsFromUs(n.floorUs.p50)} ms, p99 ${formatMsFromUs(n.floorUs.p99)} ms to ${n.host} (idle round trips, ${n.rateRps} req/s for ${n.durationS} s; part of "p99 floor" beside every step)`
        : `not measured: ${n.error ?? 'unknown'}`,
    ]);
  }
  return rows;
}

/** True when generator and targets were not on disjoint CPUs (unpinned, or sets that overlap). */
export function cpusShared(doc: RunDocument): boolean {
  const { target, generator } = doc.environment.cpusets;
  // Two machines: the cpusets name CPUs of different hosts, which never compete.
  if (doc.hosts?.some((h) => h.role === 'targets')) return false;
  return target === null || generator === null || cpusetsOverlap(target, generator);
}

export const SHARED_CPUS_WARNING =
  'generator and targets did not have disjoint CPUs — the generator competed with the target, so throughput figures are lower bounds and latencies include that contention.';

export const LIMIT_HEADERS = ['Target/configuration', 'CPUs', 'cpuset', 'Memory MiB', 'PIDs', 'Read-only rootfs', 'User'];

/** Container limits per group (first repetition that has them), in group order. */
export function limitRows(doc: RunDocument, groups: GroupSummary[]): string[][] {
  const rows: string[][] = [];
  for (const g of groups) {
    const t = doc.targets.find((r) => r.name === g.name && r.configuration === g.configuration && r.limits !== null);
    if (!t?.limits) continue;
    rows.push([`${g.name}/${g.configuration}`, String(t.cpus), t.limits.cpuset, formatNumber(t.limits.memoryBytes / 1048576), String(t.limits.pids), t.limits.readOnlyRootfs ? 'yes' : 'no', t.limits.user]);
  }
  return rows;
}

/**
 * When a step was not alone on its CPUs: the one rule, read by claims, thresholds, summaries, the
 * reports and the run's own log line. Pure.
 *
 * A step is contended when, on the generator's CPUs or on the targets', other processes took more
 * than CONTENDED_PERCENT of the CPU time over the step, or the hypervisor (steal) more than
 * STEAL_CONTENDED_PERCENT (run.json `step.contention`, measured by src/run/contention-probe.ts). A
 * hog on the generator's core delays its sends and reads (corrected latency rises, achieved rate
 * falls), one on the targets' core takes the target's budget, and steal does either from outside the
 * machine.
 */
import type { Contention, RunDocument, Step } from '../schema/run.ts';
import { formatNumber } from '../util/format.ts';

/**
 * Percent of a CPU set's time others may take before a step is contended. What it rests on (the
 * 2-vCPU CI VM of README "Measured here", 2026-12-03): the idle machine (nothing of a run going) had
 * 1.4 % and 2.4 % of its two CPUs busy over 5 s, mostly dockerd; a CPU hog pinned to the generator's
 * CPU, with other test suites also running, left 74–76 % of it to others in every step
 * (tests/integration/run-contention.test.ts); other test suites alone took 50–71 % of the generator's
 * CPU and 68–98 % of the targets' in a `run --quick`. Quiet background, as now measured (busy time
 * from wall − idle, bounded by the other processes' own time; cpu-accounting.ts): calibration-like
 * steps against the calibration server with nothing else running gave 0–0.7 % others on the
 * generator's CPU and 0–4.3 % on the targets' (the first figure from the tick-sampled user/system
 * columns, used before, was 18–20 % on the generator's CPU at the first rate and 28–30 % on the
 * targets' at 1,000 and 5,000 req/s in the same windows, with 0–4 ticks of other threads: the false
 * marks of three quiet default runs, 5–7 of ~130 steps each). 10 % is above that background and far
 * below what one busy process takes. Three quiet default runs with this accounting (2026-12-03
 * 18:32–18:54 UTC, `npx httpbench run --out /tmp/quietN`, nothing else running) marked 0 of 132, 124
 * and 131 steps; other processes took at most 6.0 % of a CPU set in any step.
 */
export const CONTENDED_PERCENT = 10;

/**
 * Percent of a CPU set's time the hypervisor may take (steal) before a step is contended: its own bar,
 * because on a VM much of it is not a neighbour but the price of this run's own idle periods. Measured
 * in a quiet default run on the 2-vCPU Firecracker VM (2026-12-03 17:02 UTC, `npx httpbench run --out
 * /tmp/quietA`, nothing else running, other processes ≤ 2.6 % machine-wide in those steps): steal on
 * the targets' CPU was 5–15 % in the steps where it was 10–35 % busy (go-chi at 450–1,700 req/s,
 * Fastify at 990, the calibration server at 500–2,500) and 0–1 % wherever it was over 50 % busy —
 * it rises with how often the vCPU halts and must be woken (the host's wake-up delay is accounted as
 * steal), not with anyone's load. A bar of 10 % marked 5 of those 132 steps. 25 % is above that, and
 * what a host busy with other machines takes from a busy vCPU still counts. It is NOT above every
 * quiet step: the next quiet run (17:16 UTC, /tmp/quietB) had 7 of 82 rate steps over 10 % steal in the
 * same regime (targets' CPU 24–48 % busy), one of them at 29 % (go-chi, 1,600 req/s), marked. The
 * price of a wake-up is the host's and it moves: an hour later three quiet default runs read at most
 * 3.3 % steal in any step (bench/README.md "Contention"). /proc/stat cannot tell a slow wake-up from a
 * neighbour (this VM has no /proc/schedstat and no cpuidle counters); either way the step's latency
 * carries the host's delay, so a step over the bar is marked, not excused.
 */
export const STEAL_CONTENDED_PERCENT = 25;

function pct(v: number): string {
  return `${formatNumber(v, v < 10 ? 1 : 0)} %`;
}

function side(whose: string, cpus: string, other: number, steal: number): string | null {
  if (other <= CONTENDED_PERCENT && steal <= STEAL_CONTENDED_PERCENT) return null;
  const cpuText = `${whose} CPU${cpus.includes(',') || cpus.includes('-') ? 's' : ''} ${cpus}`;
  if (steal < 0.5) return `other processes took ${pct(other)} of ${cpuText}`;
  if (other < 0.5) return `the hypervisor took ${pct(steal)} of ${cpuText} (steal)`;
  return `other processes took ${pct(other)} and the hypervisor ${pct(steal)} (steal) of ${cpuText}`;
}

/** A process's name from run.json, as it may reach a terminal: printable ASCII only. */
function printable(command: string): string {
  return command.replace(/[^\x20-\x7e]/g, '?');
}

/**
 * Why the figures say the CPUs were not the run's alone, or null when they were (or are unknown).
 * The busiest other processes of the window, when recorded, follow: the likely cause, by name.
 */
export function contentionReason(c: Contention | undefined): string | null {
  if (c === undefined) return null;
  const parts = [
    side("the generator's", c.generatorCpus, c.generatorCpusOtherPercent, c.generatorCpusStealPercent),
    c.targetCpus === null ? null : side("the targets'", c.targetCpus, c.targetCpusOtherPercent ?? 0, c.targetCpusStealPercent ?? 0),
  ].filter((p): p is string => p !== null);
  if (parts.length === 0) return null;
  const busiest = (c.busiest ?? []).map((p) => `${printable(p.command)}${p.child ? ' (started by this run)' : ''} ${pct(p.cpuPercent)}`);
  return parts.join('; ') + (busiest.length > 0 ? ` (busiest other processes: ${busiest.join(', ')} of a CPU)` : '');
}

/** The step's contention reason (null when it was alone or measured before contention was recorded). */
export function stepContention(step: Pick<Step, 'contention'>): string | null {
  return contentionReason(step.contention);
}

/**
 * Claims rule 11: a verdict resting on a contended step cannot be charged to the target. `what`
 * names the step ("the step at 5,000 req/s").
 */
export function contentionCaveat(step: Pick<Step, 'contention'>, what: string): { reason: string; settle: string; brief: string } | undefined {
  const reason = stepContention(step);
  if (reason === null) return undefined;
  return {
    reason: `${what} was contended: ${reason} during it, so its figures are the machine's as much as the target's`,
    settle: 'repeat on a quiet machine (nothing else running on its CPUs; the run warns before its first step when it is not)',
    brief: `the machine was busy during ${what} (${reason})`,
  };
}

/** Largest share others took of any CPU set of the step (other + steal), percent; null when unmeasured. */
export function contentionPeakPercent(c: Contention | undefined): number | null {
  if (c === undefined) return null;
  return Math.max(c.generatorCpusOtherPercent + c.generatorCpusStealPercent, (c.targetCpusOtherPercent ?? 0) + (c.targetCpusStealPercent ?? 0));
}

/** How quiet the machine was over a run: counts of measured and contended steps, and the worst one. */
export interface RunContention {
  /** Steps (target steps, calibration steps and the ceiling) with contention figures. */
  measured: number;
  contended: number;
  /** The contended step with the largest share, described. */
  worst: { label: string; reason: string; percent: number } | null;
}

/** Every step of a run that can carry contention figures, labelled as the headline names them. */
export function contentionSteps(doc: RunDocument): Array<{ label: string; contention: Contention | undefined }> {
  const steps: Array<{ label: string; contention: Contention | undefined }> = [];
  const ceiling = doc.calibration?.ceiling;
  if (ceiling) steps.push({ label: 'the load-side ceiling', contention: ceiling.contention });
  for (const s of doc.calibration?.steps ?? []) steps.push({ label: `calibration at ${formatNumber(s.offeredRps)} req/s`, contention: s.contention });
  for (const t of doc.targets) {
    for (const s of t.steps) {
      const at = s.offeredRps === null ? 'closed loop' : `${formatNumber(s.offeredRps)} req/s`;
      steps.push({ label: `${t.name}/${t.configuration} #${t.repetition + 1} ${at}`, contention: s.contention });
    }
  }
  return steps;
}

export function runContention(doc: RunDocument): RunContention {
  const steps = contentionSteps(doc);
  let measured = 0;
  let contended = 0;
  let worst: RunContention['worst'] = null;
  for (const s of steps) {
    if (s.contention === undefined) continue;
    measured++;
    const reason = contentionReason(s.contention);
    if (reason === null) continue;
    contended++;
    const percent = contentionPeakPercent(s.contention)!;
    if (worst === null || percent > worst.percent) worst = { label: s.label, reason, percent };
  }
  return { measured, contended, worst };
}

/** The headline's line when the machine was not quiet; null when it was (or nothing was measured). */
export function contentionHeadline(doc: RunDocument): string | null {
  const c = runContention(doc);
  if (c.contended === 0 || c.worst === null) return null;
  return (
    `${c.contended} of ${c.measured} steps contended — other processes took over ${CONTENDED_PERCENT} % (or steal over ${STEAL_CONTENDED_PERCENT} %) of their CPUs ` +
    `(worst ${c.worst.label}: ${c.worst.reason}); verdicts resting on them are inconclusive`
  );
}

/** run.json's contention figures (per step, calibration rate and ceiling); re-exported by run.ts. */
import { z } from 'zod';

/**
 * Who else used the CPUs during a step (issue 23: "a run that knows when it was not alone"). From the
 * per-CPU times of /proc/stat read just before and just after the step, minus this process's own CPU
 * time (the generator: every thread of it is pinned to the generator's CPUs) and minus the target's
 * (and a database's on the same CPUs) container CPU. Interrupt time (irq, softirq) is left out of
 * "other": the kernel charges it to no process, and on loopback most of it is the benchmark's own
 * traffic. Steal is the hypervisor running another machine on these virtual CPUs. Percentages are of
 * the CPU set's whole time over the window (100 = every CPU of the set, all the time). Where the
 * generator shares CPUs with the targets, one figure covers all of them (generatorCpus) and the
 * target fields are null. The judgement (contended or not) is src/analysis/contention.ts's.
 */
export const ContentionSchema = z.strictObject({
  /** Wall time between the two readings, ms (the step plus the engine's set-up and tear-down). */
  intervalMs: z.number().nonnegative(),
  /** The CPUs the generator figures cover (the generator's cpuset, or every CPU when it is unpinned). */
  generatorCpus: z.string(),
  /** CPU time of processes other than the generator (and the targets' containers) on generatorCpus, percent of their time. */
  generatorCpusOtherPercent: z.number().min(0).max(100),
  /** Steal time on generatorCpus (the hypervisor gave them to another machine), percent of their time. */
  generatorCpusStealPercent: z.number().min(0).max(100),
  /** The targets' CPUs when they are apart from the generator's and on this machine; null otherwise. */
  targetCpus: z.string().nullable(),
  /**
   * CPU time of processes other than the target's and its database's containers on targetCpus, percent
   * of their time; null when the containers' CPU is unknown (url: targets) or targetCpus is null.
   */
  targetCpusOtherPercent: z.number().min(0).max(100).nullable(),
  /** Steal time on targetCpus, percent of their time; null when targetCpus is null. */
  targetCpusStealPercent: z.number().min(0).max(100).nullable(),
});
export type Contention = z.infer<typeof ContentionSchema>;

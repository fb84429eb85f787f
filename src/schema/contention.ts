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
  /**
   * Every process's CPU time over the window but this process's and the run's containers',
   * machine-wide, percent of one CPU, with the time of their children that ended (for the part of
   * their life inside the window; a process re-parented before it ended can still be overstated). The
   * "other" figures above are never more than it: busy time no process was charged with (waking an
   * idle CPU) is not another process's. Absent in older runs, where /proc could not be listed, and
   * where it does not list the whole machine (inside a container's PID namespace).
   */
  otherProcessesPercent: z.number().nonnegative().optional(),
  /**
   * The run's containers' CPU over the window, per role, and where each figure came from: `cgroup`
   * (read at both ends, exact), `stats` (the Docker stats sampler's mean: that container's cgroup
   * could not be read), `unknown`. cpuPercent: on this run's CPUs, percent of one core. Absent in
   * older runs and where no container of the run was known.
   */
  containers: z
    .array(z.strictObject({ role: z.enum(['target', 'database']), source: z.enum(['cgroup', 'stats', 'unknown']), cpuPercent: z.number().nonnegative().nullable() }))
    .max(2)
    .optional(),
  /**
   * The busiest processes over the window other than this process and the run's containers,
   * machine-wide (/proc says where a process ran last, not where it spent the window): who "other"
   * most likely was. cpuPercent: percent of one CPU; `child`: a process started by this run (its
   * time counts as "other" all the same). Absent in older runs.
   */
  busiest: z
    .array(z.strictObject({ pid: z.number().int().nonnegative(), command: z.string().max(64).regex(/^[\x20-\x7e]*$/), cpuPercent: z.number().nonnegative(), child: z.literal(true).optional() }))
    .max(5)
    .optional(),
});
export type Contention = z.infer<typeof ContentionSchema>;

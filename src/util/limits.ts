/**
 * Upper (and lower) bounds of every duration and count a scenario, a claims file or a flag can give,
 * to what each can mean. Node cannot hold a timer above 2^31 − 1 ms (~24.8 days): a longer one fires
 * after 1 ms, so a huge timeout would end a step or a start-up wait at once. Every bound here keeps
 * its timer far below that, and says why in one line. One table, used by the scenario and claims
 * schemas and by the `load` flags.
 */

/** Longest timer Node keeps, ms (setTimeout clamps anything above to 1 ms). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A measuring step, warm-up or calibration rate: a day. Longer is a soak test, which this tool is not. */
export const MAX_STEP_DURATION_S = 86_400;
/** Waiting for a target or the database to start: an hour (an image that needs longer is broken). */
export const MAX_STARTUP_TIMEOUT_S = 3_600;
/** Per-request timeout: latencies are recorded up to 60 s (src/samples/histogram.ts HIGHEST_US), so a longer one cannot be measured. */
export const MAX_REQUEST_TIMEOUT_MS = 60_000;
/** Offered rate, req/s: ten million (one generator thread sends a few hundred thousand). */
export const MAX_RATE_RPS = 10_000_000;
/** Lowest offered rate, req/s: below one request per 100 s no step sees a request. */
export const MIN_RATE_RPS = 0.01;
/** Connections per step: 65,535 (one port range of one source address). */
export const MAX_CONNECTIONS = 65_535;
/** Generator worker threads. */
export const MAX_WORKERS = 1_024;
/** Repetitions of a whole scenario (each a full set of targets and steps). */
export const MAX_REPEAT = 1_000;
/** Bisection steps of the knee search (each halves the interval; 30 reach below 1 req/s from 10 M). */
export const MAX_REFINE_STEPS = 30;
/** Largest user id: the targets and the seeded table use 32-bit integers. */
export const MAX_ID = 2_147_483_647;
/** Saturation SLO on p99, ms: up to the 60 s the histograms record. */
export const MAX_SLO_P99_MS = 60_000;
/** Container PIDs limit: Linux's pid_max ceiling (2^22). */
export const MAX_PIDS = 4_194_304;
/** CPUs a target or a claim may ask for: Linux's CPU numbers (src/util/cpuset.ts MAX_CPU_ID + 1). */
export const MAX_CPUS = 8_192;

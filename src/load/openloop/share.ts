/**
 * A share: the connections one thread drives, their common pacer, and the drain at the end.
 * The engine runs one share in-process (workers = 1) or one per worker thread.
 *
 * Schedule: the global rate R is split evenly over all C connections (of every share), so each
 * connection sends every C/R s; connection g (global index) is offset by g/R s, which staggers the
 * connections into one evenly spaced stream of R requests/s.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createIdSequence } from '../ids.ts';
import type { IdsSpec } from '../types.ts';
import type { Counts } from '../../schema/run.ts';
import { encodeHistogram } from '../../samples/histogram.ts';
import { nowUs } from './clock.ts';
import { Connection, type ConnectionContext } from './connection.ts';
import { Recorder } from './recorder.ts';

/**
 * Pacing. Three ways to wake for the next slot, cheapest first:
 *  1. every response: the connection that completes checks whether the next slot is due (free: the
 *     clock was read anyway), so at high rates sends ride on I/O events, not timers;
 *  2. setTimeout, aimed `spinWindowUs` early (libuv timers have 1 ms granularity, fire up to ~1 ms late);
 *  3. setImmediate spinning for the last `spinWindowUs`, which still polls sockets each turn.
 * Spinning is 100 % of a core while it lasts (~0.8 µs per turn, measured), so it costs up to
 * rate × window of CPU. Measured on the 2-core bench machine (Go server on CPU 1, generator on CPU 0,
 * 16 connections): a fixed 300 µs window kept p99 lateness < 1 ms but cost 96–240 µs of CPU per
 * request between 1 600 and 11 000 req/s (wrk: 10–15 µs) because gaps under 300 µs mean spinning all
 * the time. So the window is sized from a CPU budget: at most SPIN_BUDGET of one core, capped at
 * MAX_SPIN_WINDOW_US — 300 µs at ≤ 166 req/s per thread, 50 µs at 1 000, ~5 µs at 10 000 (where
 * responses arrive often enough to pace by). Lateness that remains is measured and subtracted from
 * corrected latency; see bench/README.md.
 */
export const MAX_SPIN_WINDOW_US = 300;
/** Fraction of one core the pacer may spend spinning. */
export const SPIN_BUDGET = 0.01;

/** Spin window for a thread sending `rateRps` requests/s. */
export function spinWindowFor(rateRps: number): number {
  return rateRps > 0 ? Math.min(MAX_SPIN_WINDOW_US, (SPIN_BUDGET * 1e6) / rateRps) : 0;
}

export interface ShareSpec {
  host: string;
  port: number;
  tls: boolean;
  /** Host header value. */
  hostHeader: string;
  pathTemplate: string;
  ids: IdsSpec;
  /** Stream of the id sequence (share index), so shares request different ids. */
  idsStream: number;
  /** Global offered rate, requests/s; null = closed loop. */
  rateRps: number | null;
  /** Connections of the whole step (all shares). */
  totalConnections: number;
  /** Global indices of this share's connections. */
  connectionIndices: number[];
  durationS: number;
  timeoutMs: number;
  intervalMs: number;
  /** Override of the budgeted spin window (bench only). */
  spinWindowUs?: number;
}

export interface ShareResult {
  counts: Counts;
  /** Scheduled sends dropped while their connection sat idle and connected: the generator's fault. */
  droppedByGenerator: number;
  histograms: { uncorrected: string; corrected: string; lateness: string };
  /** [interval index, encoded corrected histogram] for intervals with completions. */
  intervals: Array<[number, string]>;
  /** p99 event-loop delay of this thread, µs. */
  eventLoopDelayP99Us: number;
  /** True when the step was aborted before its schedule ended. */
  aborted: boolean;
}

const REQUEST_ID = '{id}';
/** Sampling interval of the event-loop delay monitor, ms. */
const ELD_RESOLUTION_MS = 10;

export class Share {
  private readonly ctx: ConnectionContext;
  private readonly connections: Connection[];
  private readonly recorder: Recorder;
  private readonly spinWindowUs: number;
  private cursor = 0; // next slot to visit: connection cursor % n, cycle ⌊cursor / n⌋
  private aborted = false;
  private finish: (() => void) | null = null;
  private pump: (() => void) | null = null;
  private nextSlotUs = Infinity; // intended time of the cursor's slot (Infinity when not pacing)

  constructor(private readonly spec: ShareSpec) {
    const open = spec.rateRps !== null;
    const periodUs = open ? (spec.totalConnections * 1e6) / spec.rateRps! : 0;
    this.recorder = new Recorder(spec.intervalMs * 1000, open);
    const threadRate = open ? (spec.rateRps! * spec.connectionIndices.length) / spec.totalConnections : 0;
    this.spinWindowUs = spec.spinWindowUs ?? spinWindowFor(threadRate);
    const nextRequest = requestBuilder(spec);
    const share = this;
    this.ctx = {
      host: spec.host,
      port: spec.port,
      tls: spec.tls,
      recorder: this.recorder,
      startUs: 0,
      endUs: 0,
      periodUs,
      timeoutUs: spec.timeoutMs * 1000,
      sending: true,
      nextRequest,
      onSettled: () => share.maybeFinishDrain(),
      onResponse: (nowUs: number) => share.pumpIfDue(nowUs),
    };
    const indices = [...spec.connectionIndices].sort((a, b) => a - b);
    this.connections = indices.map((g) => new Connection(open ? (g * 1e6) / spec.rateRps! : 0, this.ctx));
  }

  /** Opens every connection before the schedule starts, so connect time never lands in a latency. */
  async connect(): Promise<void> {
    // `sending` must be false so connect() callbacks don't send before the start.
    this.ctx.sending = false;
    await Promise.all(this.connections.map((c) => c.connect()));
  }

  /** Stops the schedule now; in-flight requests are abandoned (not counted as timeouts). */
  abort(): void {
    this.aborted = true;
    this.ctx.endUs = Math.min(this.ctx.endUs, nowUs());
    this.finish?.();
  }

  /** Runs the schedule from `startUs` (nowUs clock) for the step's duration, then drains. */
  run(startUs: number): Promise<ShareResult> {
    const ctx = this.ctx;
    ctx.startUs = startUs;
    ctx.endUs = startUs + this.spec.durationS * 1e6;
    this.recorder.startUs = startUs;
    const eld = monitorEventLoopDelay({ resolution: ELD_RESOLUTION_MS });
    eld.enable();

    return new Promise<ShareResult>((resolve) => {
      let pumpTimer: NodeJS.Timeout | null = null;
      let immediate: NodeJS.Immediate | null = null;
      let drainDeadline = Infinity;
      let droppedByGenerator = 0;
      let done = false;

      const sweepEveryMs = Math.max(5, Math.min(100, Math.floor(this.spec.timeoutMs / 4)));
      const sweep = setInterval(() => {
        const now = nowUs();
        for (const c of this.connections) c.checkTimeout(now);
        if (!ctx.sending && now >= drainDeadline) this.finish?.();
      }, sweepEveryMs);

      const endSchedule = () => {
        if (!ctx.sending && drainDeadline !== Infinity) return;
        ctx.sending = false;
        // Dropped: slots intended before the end that were never sent. If the connection sat idle
        // and connected, the generator (not the server) failed to send them.
        for (const c of this.connections) {
          const backlog = this.scheduledSlots(c) - c.sent;
          if (backlog <= 0) continue;
          this.recorder.counts.dropped += backlog;
          if (c.state === 'idle') droppedByGenerator += backlog;
        }
        drainDeadline = this.aborted ? nowUs() : ctx.endUs + ctx.timeoutUs;
        this.maybeFinishDrain();
      };

      const pump = () => {
        if (done) return;
        const now = nowUs();
        const conns = this.connections;
        const n = conns.length;
        if (ctx.periodUs > 0) {
          let slotUs = this.slotUs(this.cursor);
          while (slotUs <= now && slotUs < ctx.endUs) {
            conns[this.cursor % n]!.trySend(); // sends this connection's oldest unsent slot if free
            this.cursor++;
            slotUs = this.slotUs(this.cursor);
          }
          this.nextSlotUs = Math.min(slotUs, ctx.endUs);
          if (now >= ctx.endUs) return endSchedule();
          wake(this.nextSlotUs - now);
        } else {
          if (now >= ctx.endUs) return endSchedule();
          wake(ctx.endUs - now);
        }
      };

      // One pending wake at a time: slots only move forward, so a pending wake is never too late
      // for a slot found later; a pump run from I/O leaves it in place.
      const onTimer = () => {
        pumpTimer = null;
        pump();
      };
      const onImmediate = () => {
        immediate = null;
        pump();
      };
      const wake = (inUs: number) => {
        if (pumpTimer || immediate) return;
        if (inUs > this.spinWindowUs) pumpTimer = setTimeout(onTimer, Math.max(1, Math.floor((inUs - this.spinWindowUs) / 1000)));
        else immediate = setImmediate(onImmediate);
      };
      this.pump = pump;

      this.finish = () => {
        if (done) return;
        done = true;
        if (ctx.sending) endSchedule();
        clearInterval(sweep);
        if (pumpTimer) clearTimeout(pumpTimer);
        if (immediate) clearImmediate(immediate);
        // Requests still in flight after the drain waited timeoutMs got no answer in time.
        for (const c of this.connections) if (c.shutdown() && !this.aborted) this.recorder.timeout();
        eld.disable();
        resolve({
          counts: this.recorder.counts,
          droppedByGenerator,
          histograms: {
            uncorrected: encodeHistogram(this.recorder.uncorrected),
            corrected: encodeHistogram(this.recorder.corrected),
            lateness: encodeHistogram(this.recorder.lateness),
          },
          intervals: this.recorder.encodeIntervals(),
          // Node 20 records the whole timer interval, resolution included: subtract it to get the delay.
          eventLoopDelayP99Us: eld.count > 0 ? Math.max(0, eld.percentile(99) / 1000 - ELD_RESOLUTION_MS * 1000) : 0,
          aborted: this.aborted,
        });
      };

      const begin = () => {
        ctx.sending = true;
        // Connections that failed to open before the start try again now (the failure was counted).
        for (const c of this.connections) if (c.state === 'down') void c.connect();
        // Closed loop: every connection starts at once and resends on each response.
        if (ctx.periodUs === 0) for (const c of this.connections) c.trySend();
        pump();
      };
      const lead = startUs - nowUs();
      if (lead > 1000) setTimeout(begin, Math.floor(lead / 1000));
      else begin();
    });
  }

  /** A response just completed at `now`: send any slot that fell due (the cheapest precise wake-up). */
  pumpIfDue(now: number): void {
    if (now >= this.nextSlotUs && this.ctx.sending) this.pump?.();
  }

  /** Called when a request resolves after the schedule ended: finish as soon as nothing is in flight. */
  private maybeFinishDrain(): void {
    if (this.ctx.sending || !this.finish) return;
    if (this.connections.every((c) => c.state !== 'busy')) this.finish();
  }

  /** Intended time of slot k of this share (slots in time order: connections interleave). */
  private slotUs(k: number): number {
    const n = this.connections.length;
    const c = this.connections[k % n]!;
    return this.ctx.startUs + c.phaseUs + Math.floor(k / n) * this.ctx.periodUs;
  }

  /** Slots of a connection intended before the end of the schedule. */
  private scheduledSlots(c: Connection): number {
    if (this.ctx.periodUs === 0) return c.sent; // closed loop: nothing is scheduled ahead
    const span = this.ctx.endUs - this.ctx.startUs - c.phaseUs;
    return span > 0 ? Math.ceil(span / this.ctx.periodUs) : 0;
  }
}

/** Builds request bytes; the template is split once at `{id}` so each request is one string join. */
function requestBuilder(spec: ShareSpec): () => string {
  const tail = ` HTTP/1.1\r\nHost: ${spec.hostHeader}\r\nUser-Agent: httpbench\r\nAccept: */*\r\n\r\n`;
  const parts = spec.pathTemplate.split(REQUEST_ID);
  if (parts.length === 1) {
    const fixed = `GET ${spec.pathTemplate}${tail}`;
    return () => fixed;
  }
  const nextId = createIdSequence(spec.ids, spec.idsStream);
  return () => `GET ${parts.join(String(nextId()))}${tail}`;
}

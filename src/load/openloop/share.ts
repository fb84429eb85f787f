/**
 * A share: the connections one thread drives, their common pacer, and the drain at the end.
 * The engine runs one share in-process (workers = 1) or one per worker thread.
 *
 * Schedule: schedule.ts (connection g of C sends at g/R + k·C/R s), the same function for every share,
 * so shares on threads or machines together send the one-machine schedule.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { PercentilesUs } from '../../schema/run.ts';
import { createIdSequence } from '../ids.ts';
import type { IdsSpec } from '../types.ts';
import { nowUs } from './clock.ts';
import { Connection, type ConnectionContext } from './connection.ts';
import { Recorder, STALL_THRESHOLD_US, type EncodedRecorder } from './recorder.ts';
import { connectionPeriodUs, connectionPhaseUs, slotsWithin } from './schedule.ts';

/**
 * Pacing, two modes.
 *
 * `spin` (the default, and what `run` uses): the measuring thread never sleeps while the step runs.
 * Every turn of its event loop is a setImmediate callback, so libuv polls the sockets with a zero
 * timeout, handles whatever arrived, and comes straight back: a response is read within a loop turn
 * (a few µs when idle) of reaching the socket, and a send is never later than one turn. A sleeping
 * loop instead adds its own wake-up latency (epoll, timers with 1 ms granularity) to every response
 * — measured here as 1.7–2.7× the busy-polling reference at p50 (issue #10, bench/README.md). The
 * price is one core per generator thread, all the time: so the engine also times its own turns and
 * splits the thread's time into work (turns that handled I/O or sent requests, and any turn longer
 * than IDLE_TURN_MAX_US — a stall is not idleness) and idle polling. Work CPU, not process CPU,
 * feeds the generator-saturation rules.
 *
 * `sleep`: the low-power mode. Waits in timers (aimed `spinWindowUs` early, then a short setImmediate
 * spin) and on I/O, as before: precise enough for the send schedule (lateness is measured and
 * subtracted), but response times include the loop's wake-up latency. Marked as less precise.
 */
export type Pacing = 'spin' | 'sleep';

export const MAX_SPIN_WINDOW_US = 300;
/** Sleep pacing: fraction of one core the pacer may spend spinning before a due slot. */
export const SPIN_BUDGET = 0.01;
/** A loop turn whose gap is below this and that handled no I/O is idle polling (spin pacing). */
export const IDLE_TURN_MAX_US = 50;
/**
 * Spin pacing sleeps only when nothing is in flight and the next send is further away than this: it
 * then wakes SPIN_LEAD_US before the slot (libuv timers have 1 ms granularity and fire up to ~1 ms
 * late) and spins the rest. A thread that sleeps when it has nothing to time is also one the kernel
 * scheduler lets run promptly when it wakes; a thread that spins all the time is preempted for whole
 * time slices (milliseconds) whenever anything else wants its CPU.
 */
export const SPIN_LEAD_US = 2000;
export const SLEEP_MIN_US = 3000;

/** Sleep pacing: spin window for a thread sending `rateRps` requests/s (1 % of a core at most). */
export function spinWindowFor(rateRps: number): number {
  return rateRps > 0 ? Math.min(MAX_SPIN_WINDOW_US, (SPIN_BUDGET * 1e6) / rateRps) : 0;
}

export interface ShareSpec {
  host: string;
  port: number;
  tls: boolean;
  /** Host header value. */
  hostHeader: string;
  /** TLS server name (SNI), null for an IP literal. */
  serverName: string | null;
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
  pacing: Pacing;
  /** Override of the budgeted spin window of sleep pacing (bench only). */
  spinWindowUs?: number;
}

export interface ShareResult extends EncodedRecorder {
  /** Scheduled sends dropped while their connection sat idle and connected: the generator's fault. */
  droppedByGenerator: number;
  /** Event-loop delay of this thread, µs (sleep pacing: sampled by monitorEventLoopDelay). */
  eventLoopDelayP99Us: number;
  /**
   * Sleep pacing: the event-loop delay distribution (sampled every ELD_RESOLUTION_MS) and the share
   * of samples above the stall threshold — an estimate of how late a response arriving at a random
   * moment is read, since its exact read delay cannot be known when the thread sleeps. Null under
   * spin pacing, where each response's read delay is measured.
   */
  sleepDelay: { percentilesUs: PercentilesUs; stalledFraction: number } | null;
  /** Spin pacing: µs of the schedule spent working and idle-polling; null under sleep pacing. */
  workUs: number | null;
  idleUs: number | null;
  /** Wall time from the start of the schedule to the end of the drain, µs. */
  wallUs: number;
  /** True when the step was aborted before its schedule ended. */
  aborted: boolean;
}

const REQUEST_ID = '{id}';
/** Sampling interval of the event-loop delay monitor (sleep pacing), ms. */
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
  /** Spin pacing: ends a sleep of the spin loop (set while the schedule runs). */
  private wake: (() => void) | null = null;
  private nextSlotUs = Infinity; // intended time of the cursor's slot (Infinity when not pacing)

  constructor(private readonly spec: ShareSpec) {
    const open = spec.rateRps !== null;
    const periodUs = open ? connectionPeriodUs(spec.totalConnections, spec.rateRps!) : 0;
    this.recorder = new Recorder(spec.intervalMs * 1000, open);
    const threadRate = open ? (spec.rateRps! * spec.connectionIndices.length) / spec.totalConnections : 0;
    this.spinWindowUs = spec.spinWindowUs ?? spinWindowFor(threadRate);
    const nextRequest = requestBuilder(spec);
    const share = this;
    this.ctx = {
      host: spec.host,
      port: spec.port,
      tls: spec.tls,
      serverName: spec.serverName,
      recorder: this.recorder,
      startUs: 0,
      endUs: 0,
      periodUs,
      timeoutUs: spec.timeoutMs * 1000,
      sending: true,
      nextRequest,
      onSettled: () => share.maybeFinishDrain(),
      onResponse: (nowUs: number) => share.pumpIfDue(nowUs),
      pollMarkUs: NaN,
      ioEvents: 0,
      inFlight: 0,
      onBusy: () => share.wake?.(),
    };
    const indices = [...spec.connectionIndices].sort((a, b) => a - b);
    this.connections = indices.map((g) => new Connection(open ? connectionPhaseUs(g, spec.rateRps!) : 0, this.ctx));
  }

  /** Opens every connection before the schedule starts, so connect time never lands in a latency. */
  async connect(): Promise<void> {
    // `sending` must be false so connect() callbacks don't send before the start.
    this.ctx.sending = false;
    await Promise.all(this.connections.map((c) => c.connect()));
  }

  /** What the share has done so far, for a progress line (see Recorder.progress). */
  progress(): ReturnType<Recorder['progress']> {
    return this.recorder.progress();
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
    const spin = this.spec.pacing === 'spin';
    ctx.startUs = startUs;
    ctx.endUs = startUs + this.spec.durationS * 1e6;
    this.recorder.startUs = startUs;
    const eld = spin ? null : monitorEventLoopDelay({ resolution: ELD_RESOLUTION_MS });
    eld?.enable();

    return new Promise<ShareResult>((resolve) => {
      let pumpTimer: NodeJS.Timeout | null = null;
      let immediate: NodeJS.Immediate | null = null;
      let drainDeadline = Infinity;
      let droppedByGenerator = 0;
      let done = false;
      let scheduleStartedUs = NaN;

      // Spin pacing: the loop's accounting (one setImmediate per turn).
      let lastTurnStartUs = NaN;
      let lastTurnEndUs = NaN;
      let workUs = 0;
      let idleUs = 0;
      let slept = false;

      const sweepEveryMs = Math.max(5, Math.min(100, Math.floor(this.spec.timeoutMs / 4)));
      const sweep = setInterval(() => {
        const now = nowUs();
        for (const c of this.connections) c.checkTimeout(now);
        if (!ctx.sending && now >= drainDeadline) this.finish?.();
      }, sweepEveryMs);

      const endSchedule = () => {
        if (!ctx.sending && drainDeadline !== Infinity) return;
        ctx.sending = false;
        // Intended: every slot before the end. Slots never sent are either errors (their connection
        // could not be opened: attributed to the failure that prevented them, one error per intended
        // request), the generator's fault (the connection sat idle and connected), or dropped
        // because the connection was still busy with a slow response.
        for (const c of this.connections) {
          const scheduled = this.scheduledSlots(c);
          this.recorder.counts.intended = (this.recorder.counts.intended ?? 0) + scheduled;
          const backlog = scheduled - c.sent;
          if (backlog <= 0) continue;
          if ((c.state === 'down' || c.state === 'connecting') && c.lastConnectError !== null) {
            this.recorder.error(c.lastConnectError, backlog);
            continue;
          }
          this.recorder.counts.dropped += backlog;
          if (c.state === 'idle') droppedByGenerator += backlog;
        }
        drainDeadline = this.aborted ? nowUs() : ctx.endUs + ctx.timeoutUs;
        this.maybeFinishDrain();
      };

      const sendDue = (now: number): number => {
        const conns = this.connections;
        const n = conns.length;
        let sent = 0;
        let slotUs = this.slotUs(this.cursor);
        while (slotUs <= now && slotUs < ctx.endUs) {
          if (conns[this.cursor % n]!.trySend()) sent++; // sends this connection's oldest unsent slot if free
          this.cursor++;
          slotUs = this.slotUs(this.cursor);
        }
        this.nextSlotUs = Math.min(slotUs, ctx.endUs);
        return sent;
      };

      const pump = () => {
        if (done) return;
        const now = nowUs();
        if (ctx.periodUs > 0) sendDue(now);
        if (now >= ctx.endUs) endSchedule();
        if (spin) return; // the spin loop comes back by itself (onBusy ends a sleep)
        if (!ctx.sending) return;
        wake((ctx.periodUs > 0 ? this.nextSlotUs : ctx.endUs) - now);
      };

      // One turn of the spin loop: account for the time since the last turn, send what is due, and
      // come back on the next loop iteration (after libuv's zero-timeout poll of the sockets).
      const turn = () => {
        immediate = null;
        if (done) return;
        const now = nowUs();
        if (slept) {
          // Woken from a deliberate sleep (nothing in flight): the gap is idle time, not a loop turn.
          idleUs += now - lastTurnEndUs;
          slept = false;
        } else if (!Number.isNaN(lastTurnStartUs)) {
          this.recorder.loopTurned(now - lastTurnStartUs);
          const gap = now - lastTurnEndUs;
          if (ctx.ioEvents === 0 && gap < IDLE_TURN_MAX_US) idleUs += gap;
          else workUs += gap;
        }
        ctx.ioEvents = 0;
        // Bytes read before the next turn arrived after this turn's previous poll, which came after
        // the start of the previous turn: E minus that start bounds the generator's read delay.
        ctx.pollMarkUs = Number.isNaN(lastTurnStartUs) ? now : lastTurnStartUs;
        lastTurnStartUs = now;
        let sent = 0;
        if (ctx.periodUs > 0 && ctx.sending) sent = sendDue(now);
        if (ctx.sending && now >= ctx.endUs) endSchedule();
        const end = nowUs();
        if (sent > 0 || end - now >= IDLE_TURN_MAX_US) workUs += end - now;
        else idleUs += end - now;
        lastTurnEndUs = end;
        if (done) return;
        const untilNextUs = this.nextSlotUs - end;
        if (ctx.sending && ctx.periodUs > 0 && ctx.inFlight === 0 && untilNextUs > SLEEP_MIN_US) {
          pumpTimer = setTimeout(wakeFromSleep, Math.floor((untilNextUs - SPIN_LEAD_US) / 1000));
          return;
        }
        immediate = setImmediate(turn);
      };
      const wakeFromSleep = () => {
        pumpTimer = null;
        slept = true;
        turn();
      };
      // A request went in flight while the loop slept (a send from I/O, a reconnect): spin again.
      this.wake = () => {
        if (!spin || done || !pumpTimer || immediate) return;
        clearTimeout(pumpTimer);
        pumpTimer = null;
        slept = true;
        immediate = setImmediate(turn);
      };

      // Sleep pacing. One pending wake at a time: slots only move forward, so a pending wake is
      // never too late for a slot found later; a pump run from I/O leaves it in place.
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
        const finishedUs = nowUs();
        clearInterval(sweep);
        if (pumpTimer) clearTimeout(pumpTimer);
        if (immediate) clearImmediate(immediate);
        // Requests still in flight after the drain waited timeoutMs got no answer in time.
        for (const c of this.connections) if (c.shutdown() && !this.aborted) this.recorder.timeout();
        eld?.disable();
        const measuredStart = Number.isNaN(scheduleStartedUs) ? finishedUs : scheduleStartedUs;
        resolve({
          ...this.recorder.encode(),
          droppedByGenerator,
          // Node 20 records the whole timer interval, resolution included: subtract it to get the delay.
          eventLoopDelayP99Us: eld
            ? eld.count > 0
              ? Math.max(0, eld.percentile(99) / 1000 - ELD_RESOLUTION_MS * 1000)
              : 0
            : this.recorder.loopTurn.totalCount > 0
              ? this.recorder.loopTurn.getValueAtPercentile(99)
              : 0,
          sleepDelay: eld && eld.count > 0 ? sleepDelayOf(eld) : null,
          workUs: spin ? workUs : null,
          idleUs: spin ? idleUs : null,
          wallUs: Math.max(0, finishedUs - measuredStart),
          aborted: this.aborted,
        });
      };

      const begin = () => {
        ctx.sending = true;
        scheduleStartedUs = nowUs();
        // Connections that failed to open before the start try again now (the failure was counted).
        for (const c of this.connections) if (c.state === 'down') void c.connect();
        // Closed loop: every connection starts at once and resends on each response.
        if (ctx.periodUs === 0) for (const c of this.connections) c.trySend();
        if (!spin) pump();
      };
      if (spin) {
        // Spin from now on: the wait for the start is a few ms, and waking from a timer would make
        // the first slots late. The schedule begins in the first turn at or after startUs.
        const waitForStart = () => {
          immediate = null;
          if (done) return;
          if (nowUs() < startUs) {
            immediate = setImmediate(waitForStart);
            return;
          }
          begin();
          turn();
        };
        waitForStart();
      } else {
        const lead = startUs - nowUs();
        if (lead > 1000) setTimeout(begin, Math.floor(lead / 1000));
        else begin();
      }
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
    return slotsWithin(c.phaseUs, this.ctx.periodUs, this.ctx.endUs - this.ctx.startUs);
  }
}

/** monitorEventLoopDelay's histogram (ns, resolution included) as µs percentiles and a stall share. */
function sleepDelayOf(eld: IntervalHistogram): { percentilesUs: PercentilesUs; stalledFraction: number } {
  const us = (ns: number) => Math.max(0, ns / 1000 - ELD_RESOLUTION_MS * 1000);
  const percentilesUs: PercentilesUs = {
    p50: us(eld.percentile(50)),
    p90: us(eld.percentile(90)),
    p95: us(eld.percentile(95)),
    p99: us(eld.percentile(99)),
    p999: us(eld.percentile(99.9)),
    max: us(eld.max),
    mean: Math.max(0, us(eld.mean)),
    count: eld.count,
  };
  // The share of samples above the threshold: 100 − the lowest percentile whose value exceeds it.
  let above = 0;
  for (const [percentile, ns] of eld.percentiles) {
    if (us(ns) > STALL_THRESHOLD_US) {
      above = Math.max(0, (100 - percentile) / 100);
      break;
    }
  }
  return { percentilesUs, stalledFraction: above };
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

/**
 * One keep-alive HTTP/1.1 connection with its own send schedule: slot n is intended at
 * start + phase + n × period. One request in flight at a time (no pipelining); when a response
 * arrives late, the backlog of passed slots is sent back to back as the connection frees (wrk2's
 * model), so a server stall shows up in the corrected latency of every request it delayed.
 *
 * Failures are counts in the Recorder, never exceptions: the socket is dropped and a new one opened.
 */
import net from 'node:net';
import tls from 'node:tls';
import { nowUs } from './clock.ts';
import { DONE, ERROR, MORE, ResponseParser } from './response-parser.ts';
import { STALL_THRESHOLD_US, type Recorder } from './recorder.ts';

/** Wait before reconnecting after a failure, so a refusing server cannot drive a hot reconnect loop. */
export const RECONNECT_BACKOFF_MS = 10;

/** What a connection needs from its share (shared by all of the share's connections). */
export interface ConnectionContext {
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
  /** TLS server name (SNI), null for an IP literal. */
  readonly serverName: string | null;
  readonly recorder: Recorder;
  /** Absolute start of the schedule, µs on the nowUs() clock. */
  startUs: number;
  /** End of the schedule: no send is intended at or after it. */
  endUs: number;
  /** Slot spacing per connection, µs; 0 = closed loop (send whenever free). */
  readonly periodUs: number;
  readonly timeoutUs: number;
  /** False once the schedule ended or the share stops: no sends, no reconnects. */
  sending: boolean;
  /** The next request's bytes (path drawn from the id sequence). */
  nextRequest(): string;
  /** Called when an in-flight request resolved after the schedule ended (to finish the drain early). */
  onSettled(): void;
  /** Called after each completed response with its end time, so the pacer can send due slots. */
  onResponse(nowUs: number): void;
  /**
   * Spin pacing: the start of the loop turn before the latest one (nowUs clock). Bytes read now
   * arrived after the poll that followed it, so E minus this bounds how late the generator read
   * them. NaN under sleep pacing, where the thread blocks in epoll and the bound is unknown.
   */
  pollMarkUs: number;
  /** Socket events handled since the pacer last looked (spin pacing tells work from idle polling). */
  ioEvents: number;
  /** Requests in flight on the share's connections (spin pacing never sleeps while one is). */
  inFlight: number;
  /** A request just went in flight (spin pacing: stop sleeping, its response must be read promptly). */
  onBusy(): void;
}

type State = 'down' | 'connecting' | 'idle' | 'busy';

export class Connection {
  private current: State = 'down';
  get state(): State {
    return this.current;
  }
  /** Every state change goes through here, so the share's count of requests in flight stays exact. */
  private set state(next: State) {
    if (next === 'busy' && this.current !== 'busy') {
      this.ctx.inFlight++;
      this.ctx.onBusy();
    }
    else if (next !== 'busy' && this.current === 'busy') this.ctx.inFlight--;
    this.current = next;
  }
  /** Sends made = index of the next slot to send. */
  sent = 0;
  private socket: net.Socket | null = null;
  private readonly parser = new ResponseParser();
  private freeAtUs = 0; // F: when the connection last became free (response done or connected)
  private intendedUs = 0; // I of the request in flight
  private sentAtUs = 0; // S of the request in flight
  private latenessUs = 0; // S − max(I, F) of the request in flight
  private connectStartUs = 0;
  private errorCode: string | null = null; // last socket error, read by the close handler
  private timedOut = false;
  private retryTimer: NodeJS.Timeout | null = null;
  /** The last response on this connection was read after a generator stall. */
  private lastReadStalled = false;
  /** The request in flight waited for this connection while a stalled read held it. */
  private inheritsStall = false;
  /** Code of the last failed connection attempt, cleared once connected (attributes unsent slots). */
  lastConnectError: string | null = null;

  constructor(
    /** Offset of this connection's slots within the period, µs. */
    readonly phaseUs: number,
    private readonly ctx: ConnectionContext,
  ) {}

  /** Intended time of the next unsent slot. */
  get nextIntendedUs(): number {
    return this.ctx.startUs + this.phaseUs + this.sent * this.ctx.periodUs;
  }

  /** Opens the socket; resolves once connected or failed (a failure is counted, then retried). */
  connect(): Promise<void> {
    return new Promise((resolve) => {
      this.state = 'connecting';
      this.errorCode = null;
      this.timedOut = false;
      this.connectStartUs = nowUs();
      const socket = this.ctx.tls
        ? tls.connect({ host: this.ctx.host, port: this.ctx.port, ...(this.ctx.serverName ? { servername: this.ctx.serverName } : {}) })
        : net.connect({ host: this.ctx.host, port: this.ctx.port });
      socket.setNoDelay(true);
      this.socket = socket;
      // Bounded even before the step's timeout sweep runs (the first connect happens before the
      // schedule starts): a SYN nobody answers would otherwise wait for the kernel's ~2 min retries.
      const connectTimer = setTimeout(() => {
        if (this.socket === socket && this.state === 'connecting') {
          this.errorCode = 'connect-timeout';
          socket.destroy();
        }
      }, this.ctx.timeoutUs / 1000);
      socket.once('close', () => clearTimeout(connectTimer));
      socket.once(this.ctx.tls ? 'secureConnect' : 'connect', () => {
        clearTimeout(connectTimer);
        this.ctx.ioEvents++;
        this.lastConnectError = null;
        this.state = 'idle';
        this.freeAtUs = nowUs();
        resolve();
        this.trySend();
      });
      socket.on('data', (chunk: Buffer) => this.onData(socket, chunk));
      socket.on('error', (error: NodeJS.ErrnoException) => {
        this.errorCode = error.code ?? 'socket';
      });
      socket.on('close', () => {
        resolve();
        this.onClose(socket);
      });
    });
  }

  /**
   * Sends the next slot if the connection is free and the slot is due (closed loop: always).
   * Returns true when a request was written.
   */
  trySend(): boolean {
    if (this.state !== 'idle' || !this.ctx.sending) return false;
    const ctx = this.ctx;
    const now = nowUs();
    let intended: number;
    if (ctx.periodUs === 0) {
      if (now >= ctx.endUs) return false;
      intended = now;
    } else {
      intended = this.nextIntendedUs;
      if (intended > now || intended >= ctx.endUs) return false;
    }
    this.intendedUs = intended;
    this.sentAtUs = now;
    this.latenessUs = Math.max(0, now - Math.max(intended, this.freeAtUs));
    // A request that had to wait for this connection (I < F) inherits any stall that delayed the
    // previous read: its corrected latency includes that wait.
    this.inheritsStall = this.lastReadStalled && intended < this.freeAtUs;
    this.state = 'busy';
    this.parser.reset();
    this.sent++;
    ctx.recorder.sent(this.latenessUs);
    this.socket!.write(ctx.nextRequest(), 'latin1');
    return true;
  }

  /** Times out a request (or a connect) older than the timeout: counted, socket destroyed, reconnect. */
  checkTimeout(now: number): void {
    if (this.state === 'busy' && now - this.sentAtUs > this.ctx.timeoutUs) {
      this.timedOut = true;
      this.ctx.recorder.timeout();
      this.socket?.destroy();
    } else if (this.state === 'connecting' && now - this.connectStartUs > this.ctx.timeoutUs) {
      this.errorCode = 'connect-timeout';
      this.socket?.destroy();
    }
  }

  /** Closes without counting anything (end of step). Returns true if a request was still in flight. */
  shutdown(): boolean {
    const wasBusy = this.state === 'busy';
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.state = 'down';
    const s = this.socket;
    this.socket = null;
    s?.destroy();
    return wasBusy;
  }

  private onData(socket: net.Socket, chunk: Buffer): void {
    if (socket !== this.socket) return;
    const endUs = nowUs(); // E: taken before parsing, when the bytes reached us
    this.ctx.ioEvents++;
    if (this.state !== 'busy') {
      this.fail('parse'); // bytes nobody asked for
      return;
    }
    const r = this.parser.feed(chunk);
    if (r === MORE) return;
    if (r === ERROR) {
      this.fail('parse');
      return;
    }
    if (r === DONE) this.complete(endUs);
  }

  private complete(endUs: number): void {
    const mark = this.ctx.pollMarkUs;
    const readDelayUs = Number.isNaN(mark) ? null : Math.max(0, endUs - mark);
    const stalledRead = readDelayUs !== null && readDelayUs > STALL_THRESHOLD_US;
    this.ctx.recorder.completed(this.parser.status, this.intendedUs, this.sentAtUs, this.latenessUs, endUs, readDelayUs, stalledRead || this.inheritsStall);
    this.lastReadStalled = stalledRead;
    this.state = 'idle';
    this.freeAtUs = endUs;
    if (!this.ctx.sending) this.ctx.onSettled();
    if (!this.parser.keepAlive) {
      this.socket?.destroy(); // the close handler reconnects
      return;
    }
    this.trySend();
    this.ctx.onResponse(endUs);
  }

  /** A failure on this connection: counted once, socket dropped (close handler reconnects). */
  private fail(kind: string): void {
    this.errorCode = kind;
    this.socket?.destroy();
  }

  private onClose(socket: net.Socket): void {
    if (socket !== this.socket) return; // a socket we already gave up on
    this.ctx.ioEvents++;
    this.socket = null;
    const was = this.state;
    this.state = 'down';
    let clean = false;
    if (was === 'busy') {
      if (this.timedOut) {
        // counted as a timeout already
      } else if (this.errorCode === null && this.parser.readsUntilClose && this.parser.end() === DONE) {
        this.complete(nowUs());
        this.state = 'down';
        clean = true;
      } else {
        // 'closed': the server closed the connection before the response was complete.
        this.ctx.recorder.error(this.errorCode ?? 'closed');
      }
      if (!this.ctx.sending) this.ctx.onSettled();
    } else if (was === 'connecting') {
      // A failed attempt is not a request. Open loop: the slots it kept from being sent are counted
      // as errors of this kind when the schedule ends (Share.endSchedule), so a refusing server
      // gives one error per intended request, not one per reconnect. Closed loop has no schedule:
      // each attempt stands for the one request the connection would have sent.
      this.ctx.recorder.connectFailed();
      this.lastConnectError = this.errorCode ?? 'closed';
      if (this.ctx.periodUs === 0) this.ctx.recorder.error(this.lastConnectError);
    } else {
      clean = true; // an idle keep-alive connection closed (Connection: close, server idle timeout)
    }
    if (!this.ctx.sending) return;
    // Reconnect at once only after a finished exchange (Connection: close) or a timeout; a server
    // that closes idle or fresh connections gets the back-off, so it cannot drive a hot loop.
    if ((clean && was === 'busy') || this.timedOut) void this.connect();
    else {
      this.retryTimer = setTimeout(() => {
        this.retryTimer = null;
        if (this.ctx.sending && this.state === 'down') void this.connect();
      }, RECONNECT_BACKOFF_MS);
    }
  }
}

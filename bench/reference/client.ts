/**
 * The fidelity bench's reference client: small enough to check by eye. C keep-alive connections, one
 * request in flight each, the open-loop engine's schedule (schedule.ts), latency from the intended send
 * time (wrk2's correction, nothing subtracted), and an event loop that never sleeps: poll() re-queues
 * itself with setImmediate, so libuv polls sockets with a zero timeout and never blocks in epoll. That
 * costs a whole core by design. Slots intended in the first --warmup s are sent but not recorded.
 *
 *   node --import tsx bench/reference/client.ts --url http://127.0.0.1:PORT --path '/users/{id}' \
 *     --rate 10000 --connections 32 --duration 10 --warmup 1 [--timeout-ms 2000] [--ids-max 10000]
 * Prints one JSON line: percentiles (µs), counts, achievedRps, cpuPercent, latenessP99Us.
 */
import net from 'node:net';
import * as hdr from 'hdr-histogram-js';
import { createIdSequence } from '../../src/load/ids.ts';
import { HIGHEST_US, percentilesUs } from '../../src/samples/histogram.ts';
import { frameResponse } from './http.ts';
import { intendedSendUs } from './schedule.ts';

const arg = (name: string, fallback?: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? process.argv[i + 1] : fallback;
  if (v === undefined) throw new Error(`--${name} is required`);
  return v;
};
const url = new URL(arg('url'));
const pathTemplate = arg('path', '/');
const rateRps = Number(arg('rate'));
const connections = Number(arg('connections', '32'));
const durationS = Number(arg('duration', '10'));
const warmupS = Number(arg('warmup', '1'));
const timeoutUs = Number(arg('timeout-ms', '2000')) * 1000;

const nowUs = () => Number(process.hrtime.bigint()) / 1000;
const histogram = () => hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: HIGHEST_US, numberOfSignificantValueDigits: 3, bitBucketSize: 32, useWebAssembly: false });
const record = (h: hdr.Histogram, us: number) => h.recordValue(Math.min(HIGHEST_US, Math.max(0, Math.round(us))));
const corrected = histogram();
const lateness = histogram();
// The engine's id sequence (uniform, seed 1, stream 0): the same ids in the same order as `ours`.
const nextId = createIdSequence({ distribution: 'uniform', min: 1, max: Number(arg('ids-max', '10000')), zipfS: 1.1, seed: 1 }, 0);
const request = () => `GET ${pathTemplate.replace('{id}', String(nextId()))} HTTP/1.1\r\nHost: ${url.host}\r\nUser-Agent: httpbench-reference\r\nAccept: */*\r\n\r\n`;
const counts = { sent: 0, completed: 0, recorded: 0, recordedOk: 0, non2xx: 0, errors: 0, timeouts: 0, dropped: 0 };

interface Conn { g: number; socket: net.Socket; n: number; busy: boolean; dead: boolean; intendedUs: number; sentUs: number; chunks: Buffer[] }
let startUs = Infinity;
let measureFromUs = Infinity;
let endUs = Infinity;

function open(g: number): Promise<Conn> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: url.hostname, port: Number(url.port) }, () => resolve(c));
    const c: Conn = { g, socket, n: 0, busy: false, dead: false, intendedUs: 0, sentUs: 0, chunks: [] };
    socket.setNoDelay(true);
    socket.on('error', reject); // before connect: fails the run; after: a no-op, 'close' follows
    socket.on('data', (chunk: Buffer) => {
      const t = nowUs(); // before framing: when the bytes reached us
      c.chunks.push(chunk);
      const framed = frameResponse(c.chunks.length === 1 ? chunk : Buffer.concat(c.chunks));
      if (framed === 'more') return;
      if (framed === 'error' || !c.busy) return fail(c);
      c.busy = false;
      c.chunks = [];
      counts.completed++;
      if (framed.status < 200 || framed.status > 299) counts.non2xx++;
      if (c.intendedUs >= measureFromUs) {
        counts.recorded++;
        if (framed.status >= 200 && framed.status <= 299) counts.recordedOk++;
        record(corrected, t - c.intendedUs);
        record(lateness, c.sentUs - c.intendedUs);
      }
    });
    socket.on('close', () => c.dead || fail(c));
  });
}

function fail(c: Conn): void {
  if (c.dead) return;
  c.dead = true;
  counts.errors++;
  c.socket.destroy();
}

const conns = await Promise.all(Array.from({ length: connections }, (_, g) => open(g)));
const cpu0 = process.cpuUsage();
const wall0 = nowUs();
startUs = nowUs() + 20_000; // every connection is open: the first slot is on time
measureFromUs = startUs + warmupS * 1e6;
endUs = measureFromUs + durationS * 1e6;

function poll(): void {
  const now = nowUs();
  for (const c of conns) {
    if (c.busy || c.dead || now >= endUs) continue; // nothing is sent after the end (backlog = dropped)
    const due = intendedSendUs(startUs, c.g, c.n, rateRps, connections);
    if (due > now || due >= endUs) continue;
    // A late connection sends its backlog one slot per free moment, each timed from its own slot (wrk2).
    c.busy = true;
    c.n++;
    c.intendedUs = due;
    c.sentUs = now;
    counts.sent++;
    c.socket.write(request(), 'latin1');
  }
  const inFlight = conns.some((c) => c.busy && !c.dead);
  if (now < endUs || (inFlight && now < endUs + timeoutUs)) return void setImmediate(poll);
  for (const c of conns) {
    if (c.busy && !c.dead) counts.timeouts++;
    // Slots intended before the end but never sent (their connection was busy or dead): dropped.
    for (; intendedSendUs(startUs, c.g, c.n, rateRps, connections) < endUs; c.n++) counts.dropped++;
  }
  const cpu = process.cpuUsage(cpu0);
  for (const c of conns) {
    c.dead = true;
    c.socket.destroy();
  }
  const p = percentilesUs(corrected);
  const result = { p50Us: p.p50, p95Us: p.p95, p99Us: p.p99, p999Us: p.p999, maxUs: p.max, ...counts, achievedRps: counts.recordedOk / durationS, cpuPercent: ((cpu.user + cpu.system) / (now - wall0)) * 100, latenessP99Us: percentilesUs(lateness).p99 };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
setImmediate(poll);

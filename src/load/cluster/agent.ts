/**
 * The generator agent: an HTTP server (protocol.ts) that runs one share of a step at a wall-clock
 * instant with the project's own engine (runShares: one thread per CPU under spin pacing) and answers
 * with the encoded results. One step at a time. The entry point that reads flags and pins the
 * process is src/cli/generator-agent.ts; this module does no argv/env reading and never exits.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import net from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { assertConnectionsFit } from '../fd-limit.ts';
import { affinityCpuCount } from '../pin.ts';
import { nowUs } from '../openloop/clock.ts';
import { runShares } from '../openloop/engine.ts';
import type { ShareSpec } from '../openloop/share.ts';
import { epochNowUs, epochToEngineUs } from './clock-offset.ts';
import { MAX_REQUEST_BYTES, PROTOCOL_VERSION, TOKEN_HEADER, type AgentInfo, type AgentRunRequest, type AgentRunResult } from './protocol.ts';
import { interleave } from './segments.ts';

export interface AgentOptions {
  token: string;
  /** Facts about this agent's machine for /info. */
  info: Omit<AgentInfo, 'protocolVersion' | 'cpuCount'>;
  /** CPUs the engine may keep busy; default: this process's affinity. */
  cpuCount?: number;
}

export interface Agent {
  server: Server;
  /** Stops listening and aborts a step under way. */
  close(): Promise<void>;
}

/** Thread shares of a node share: its connections interleaved again, each thread its own id stream. */
export function threadShares(share: ShareSpec, threads: number): ShareSpec[] {
  return interleave(share.connectionIndices, threads).map((connectionIndices, t) => ({ ...share, connectionIndices, idsStream: share.idsStream * 64 + t }));
}

class BadRequest extends Error {}

export function createAgent(opts: AgentOptions): Agent {
  const token = Buffer.from(opts.token);
  let running: AbortController | null = null;
  const cpuCount = () => opts.cpuCount ?? affinityCpuCount();

  const authorised = (req: IncomingMessage): boolean => {
    const given = Buffer.from(String(req.headers[TOKEN_HEADER] ?? ''));
    return given.length === token.length && timingSafeEqual(given, token);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!authorised(req)) return reply(res, 401, { error: 'wrong or missing token' });
    const route = `${req.method} ${req.url}`;
    if (route === 'GET /clock') return reply(res, 200, { epochUs: epochNowUs() });
    if (route === 'GET /info') return reply(res, 200, { protocolVersion: PROTOCOL_VERSION, cpuCount: cpuCount(), ...opts.info } satisfies AgentInfo);
    if (route === 'POST /abort') {
      running?.abort();
      return reply(res, 204, null);
    }
    if (route !== 'POST /run') return reply(res, 404, { error: `no route ${route}` });
    if (running) return reply(res, 409, { error: 'a step is already running on this agent' });
    const controller = new AbortController();
    running = controller;
    // The orchestrator going away (its connection closed before the answer) ends the step too.
    res.on('close', () => {
      if (!res.writableFinished) controller.abort();
    });
    try {
      const request = parseRunRequest(await readBody(req));
      reply(res, 200, await runRequest(request, cpuCount(), controller.signal));
    } finally {
      running = null;
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      const status = error instanceof BadRequest ? 400 : 500;
      if (!res.headersSent) reply(res, status, { error: error instanceof Error ? error.message : String(error) });
      else res.destroy();
    });
  });
  return {
    server,
    close: async () => {
      running?.abort();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function runRequest(request: AgentRunRequest, cpus: number, signal: AbortSignal): Promise<AgentRunResult> {
  const { share } = request;
  assertConnectionsFit(share.connectionIndices.length);
  const notes: string[] = [];
  let threads = Math.max(1, Math.min(request.threads, share.connectionIndices.length));
  if (share.pacing === 'spin' && threads > cpus) {
    notes.push(`threads lowered from ${threads} to ${cpus}: spin pacing runs one busy-polling thread per CPU`);
    threads = cpus;
  }
  let startSlipUs = 0;
  const cpu0 = process.cpuUsage();
  const wall0 = nowUs();
  const measured = await runShares(threadShares(share, threads), {
    signal,
    // The common instant, even when it has passed: the sends owed since then leave at once and
    // their lateness is measured, so this node still offers its part of the one-machine schedule.
    startAt: () => {
      const startUs = epochToEngineUs(request.startEpochUs);
      startSlipUs = Math.max(0, nowUs() - startUs);
      return startUs;
    },
  });
  if (startSlipUs > 0) notes.push(`this node opened its connections ${Math.round(startSlipUs)} µs after the common start; the sends owed by then left late (counted as lateness)`);
  const cpu = process.cpuUsage(cpu0);
  const wallUs = nowUs() - wall0;
  return { results: measured.results, cpuPercent: wallUs > 0 ? ((cpu.user + cpu.system) / wallUs) * 100 : 0, threads, cpuCount: cpus, startSlipUs, notes };
}

/** Checks the shape a well-behaved orchestrator sends; the agent only connects to IP literals. */
export function parseRunRequest(body: unknown): AgentRunRequest {
  const r = body as Partial<AgentRunRequest> | null;
  const s = r?.share as Partial<ShareSpec> | undefined;
  if (!r || typeof r !== 'object' || !s || typeof s !== 'object') throw new BadRequest('body must be {share, threads, startEpochUs}');
  if (typeof r.startEpochUs !== 'number' || !Number.isFinite(r.startEpochUs)) throw new BadRequest('startEpochUs must be a number');
  if (!Number.isInteger(r.threads) || r.threads! < 1) throw new BadRequest('threads must be a positive integer');
  if (typeof s.host !== 'string' || net.isIP(s.host) === 0) throw new BadRequest('share.host must be an IP address (the orchestrator resolves and checks names)');
  if (!Array.isArray(s.connectionIndices) || s.connectionIndices.length === 0 || !s.connectionIndices.every((g) => Number.isInteger(g) && g >= 0 && g < (s.totalConnections ?? 0))) {
    throw new BadRequest('share.connectionIndices must be non-empty indices below share.totalConnections');
  }
  if (typeof s.durationS !== 'number' || !(s.durationS > 0) || s.durationS > 3600) throw new BadRequest('share.durationS must be in (0, 3600]');
  return r as AgentRunRequest;
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_REQUEST_BYTES) throw new BadRequest(`request body over ${MAX_REQUEST_BYTES} bytes`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (error) {
    throw new BadRequest(`body is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  if (body === null) {
    res.writeHead(status).end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
}

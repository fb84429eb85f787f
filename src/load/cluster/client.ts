/**
 * The orchestrator's side of the agent protocol (protocol.ts): small JSON requests over node:http
 * with a deadline each, errors that name the node.
 */
import http from 'node:http';
import { TOKEN_HEADER, type AgentInfo, type AgentRunRequest, type AgentRunResult } from './protocol.ts';

/** Where an agent listens and the run's token. */
export interface AgentEndpoint {
  address: string;
  port: number;
  token: string;
}

/** A request that failed: `lost` when the agent could not be reached or the connection broke (not an answer it gave). */
export class AgentRequestError extends Error {
  constructor(
    message: string,
    readonly lost: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const RESPONSE_LIMIT_BYTES = 256 * 1024 * 1024;

export function agentRequest<T>(ep: AgentEndpoint, method: 'GET' | 'POST', path: string, body: unknown, timeoutMs: number, signal?: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      {
        host: ep.address,
        port: ep.port,
        method,
        path,
        headers: { [TOKEN_HEADER]: ep.token, ...(payload !== undefined ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}) },
        agent: false,
        signal,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > RESPONSE_LIMIT_BYTES) req.destroy(new Error(`answer over ${RESPONSE_LIMIT_BYTES} bytes`));
          else chunks.push(c);
        });
        res.on('error', (error) => reject(new AgentRequestError(`connection broke: ${error.message}`, true, { cause: error })));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode === 204) return resolve(undefined as T);
          let parsed: unknown;
          try {
            parsed = text === '' ? null : JSON.parse(text);
          } catch (error) {
            return reject(new AgentRequestError(`answer to ${path} is not JSON (HTTP ${res.statusCode})`, false, { cause: error }));
          }
          if (res.statusCode !== 200) return reject(new AgentRequestError(`${path}: HTTP ${res.statusCode}: ${(parsed as { error?: string } | null)?.error ?? text.slice(0, 200)}`, false));
          resolve(parsed as T);
        });
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${Math.round(timeoutMs / 1000)} s`)));
    req.on('error', (error) => reject(new AgentRequestError(error.message, true, { cause: error })));
    req.end(payload);
  });
}

export const agentInfo = (ep: AgentEndpoint, timeoutMs = 2_000) => agentRequest<AgentInfo>(ep, 'GET', '/info', undefined, timeoutMs);
export const agentClock = (ep: AgentEndpoint, timeoutMs = 2_000) => agentRequest<{ epochUs: number }>(ep, 'GET', '/clock', undefined, timeoutMs).then((r) => r.epochUs);
export const agentRun = (ep: AgentEndpoint, request: AgentRunRequest, timeoutMs: number) => agentRequest<AgentRunResult>(ep, 'POST', '/run', request, timeoutMs);
export const agentAbort = (ep: AgentEndpoint) => agentRequest<void>(ep, 'POST', '/abort', {}, 2_000).catch(() => undefined);

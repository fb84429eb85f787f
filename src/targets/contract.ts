/**
 * Pre-flight check of targets/CONTRACT.md against a running target, before any load is sent: a target
 * that answers the wrong payload would win a benchmark for the wrong reason.
 * Every problem is collected (not thrown) so one run shows all of them; each failure names its check.
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';

/** Users a target serves by default (env USERS); ids 1..DEFAULT_USER_COUNT. */
export const DEFAULT_USER_COUNT = 10_000;
/** An id no default target knows; must answer 404. */
export const UNKNOWN_USER_ID = 10_000_001;

export interface ContractOptions {
  /** Per-request timeout, milliseconds. */
  timeoutMs?: number;
  /** Highest id the target serves (its USERS). */
  maxId?: number;
  /** IP address to connect to (the one the URL guard checked); the Host header stays the URL's. */
  connectHost?: string | undefined;
}

export interface ContractReport {
  ok: boolean;
  /** One line per failed check, e.g. "GET /users/42: body.id is 41, expected 42". */
  failures: string[];
  /** Parsed bodies (or text) per request path, for the report and for debugging. */
  samples: Record<string, unknown>;
}

export interface ExpectedUser {
  id: number;
  name: string;
  email: string;
}

/** The generation rule of targets/CONTRACT.md. */
export function expectedUser(id: number): ExpectedUser {
  return { id, name: `User ${id}`, email: `user${id}@example.com` };
}

const JSON_CONTENT_TYPE = /^application\/json\s*(;\s*charset=utf-8\s*)?$/i;

interface Fetched {
  status: number;
  contentType: string | null;
  text: string;
  json: unknown;
  /** Set when the body is not JSON. */
  jsonError: string | null;
}

/** Largest body the contract checks read: a user is ~60 bytes; more is a broken or hostile target. */
export const MAX_CONTRACT_BODY_BYTES = 1024 * 1024;

/** Where to send a contract request: the URL, and optionally the address the URL guard checked. */
interface Endpoint {
  baseUrl: string;
  /** IP address to connect to instead of resolving the URL's host again (Host header unchanged). */
  connectHost?: string | undefined;
}

function requestError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

/**
 * One GET with a deadline for the whole exchange (headers and body) and a capped body: an endless or
 * huge body fails the check instead of filling memory, a trickling one fails at the deadline.
 */
function get(endpoint: Endpoint, path: string, timeoutMs: number): Promise<Fetched> {
  const url = new URL(endpoint.baseUrl + path);
  const tls = url.protocol === 'https:';
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return new Promise<Fetched>((resolve, reject) => {
    const request = (tls ? https : http).request({
      host: endpoint.connectHost ?? hostname,
      port: url.port ? Number(url.port) : tls ? 443 : 80,
      path: url.pathname + url.search,
      method: 'GET',
      headers: { host: url.host, accept: 'application/json', connection: 'close' },
      agent: false,
      ...(tls && !net.isIP(hostname) ? { servername: hostname } : {}),
    });
    // Settles once: after a failure the socket is destroyed and later events are ignored.
    let settled = false;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.destroy();
      reject(error);
    };
    const timer = setTimeout(() => fail(requestError('TimeoutError', `no complete response within ${timeoutMs} ms`)), timeoutMs);
    request.on('error', fail);
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      let bytes = 0;
      response.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes > MAX_CONTRACT_BODY_BYTES) {
          fail(requestError('BodyTooLarge', `body larger than ${MAX_CONTRACT_BODY_BYTES} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      response.on('error', fail);
      response.on('aborted', () => fail(requestError('Aborted', 'connection closed before the body ended')));
      response.on('end', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown = null;
        let jsonError: string | null = null;
        try {
          json = JSON.parse(text);
        } catch (error) {
          jsonError = error instanceof Error ? error.message : String(error);
        }
        const contentType = response.headers['content-type'] ?? null;
        resolve({ status: response.statusCode ?? 0, contentType, text, json, jsonError });
      });
    });
    request.end();
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

/** Checks that apply to every JSON response; returns the failures, each prefixed with the request. */
function checkJson(label: string, res: Fetched, expectStatus: (status: number) => boolean, statusText: string): string[] {
  const failures: string[] = [];
  if (!expectStatus(res.status)) failures.push(`${label}: status ${res.status}, expected ${statusText}`);
  if (res.contentType === null || !JSON_CONTENT_TYPE.test(res.contentType)) {
    failures.push(`${label}: Content-Type is ${res.contentType ?? '(missing)'}, expected application/json`);
  }
  if (res.jsonError !== null) failures.push(`${label}: body is not JSON (${res.jsonError}): ${res.text.slice(0, 80)}`);
  else if (!isObject(res.json)) failures.push(`${label}: body is not a JSON object`);
  return failures;
}

function checkUser(label: string, body: unknown, id: number): string[] {
  if (!isObject(body)) return [];
  const want = expectedUser(id);
  const failures: string[] = [];
  for (const key of ['id', 'name', 'email'] as const) {
    if (body[key] !== want[key]) {
      failures.push(`${label}: body.${key} is ${JSON.stringify(body[key])}, expected ${JSON.stringify(want[key])}`);
    }
  }
  const extra = Object.keys(body).filter((key) => !(key in want));
  if (extra.length > 0) failures.push(`${label}: unexpected body fields ${extra.join(', ')}`);
  return failures;
}

export async function verifyContract(baseUrl: string, opts: ContractOptions = {}): Promise<ContractReport> {
  const timeoutMs = opts.timeoutMs ?? 2_000;
  const maxId = opts.maxId ?? DEFAULT_USER_COUNT;
  const base = trimSlash(baseUrl);
  const failures: string[] = [];
  const samples: Record<string, unknown> = {};

  // Each check runs even when an earlier one failed: the user sees every problem at once.
  const probe = async (path: string, check: (label: string, res: Fetched) => string[]): Promise<void> => {
    const label = `GET ${path}`;
    try {
      const res = await get({ baseUrl: base, connectHost: opts.connectHost }, path, timeoutMs);
      samples[path] = res.jsonError === null ? res.json : res.text;
      failures.push(...check(label, res));
    } catch (error) {
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      failures.push(`${label}: request failed (${reason})`);
    }
  };

  await probe('/healthz', (label, res) => checkJson(label, res, (s) => s === 200, '200'));
  for (const id of [...new Set([1, 42, maxId])]) {
    await probe(`/users/${id}`, (label, res) => [
      ...checkJson(label, res, (s) => s === 200, '200'),
      ...checkUser(label, res.json, id),
    ]);
  }
  await probe(`/users/${UNKNOWN_USER_ID}`, (label, res) => checkJson(label, res, (s) => s === 404, '404'));
  await probe('/users/not-a-number', (label, res) =>
    checkJson(label, res, (s) => s >= 400 && s < 500, '4xx (FastAPI 422, Go 400)'),
  );
  return { ok: failures.length === 0, failures, samples };
}

/**
 * Fetches the same ids from two targets and lists every difference in status or exact body bytes
 * (the contract asks for byte-identical 200 bodies). Empty list = identical.
 */
export async function compareBodies(
  baseUrlA: string,
  baseUrlB: string,
  ids: readonly number[],
  opts: { timeoutMs?: number } = {},
): Promise<string[]> {
  const timeoutMs = opts.timeoutMs ?? 2_000;
  const differences: string[] = [];
  for (const id of ids) {
    const path = `/users/${id}`;
    try {
      const [a, b] = await Promise.all([get({ baseUrl: trimSlash(baseUrlA) }, path, timeoutMs), get({ baseUrl: trimSlash(baseUrlB) }, path, timeoutMs)]);
      if (a.status !== b.status) differences.push(`GET ${path}: status ${a.status} vs ${b.status}`);
      else if (a.text !== b.text) differences.push(`GET ${path}: body ${JSON.stringify(a.text)} vs ${JSON.stringify(b.text)}`);
    } catch (error) {
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      differences.push(`GET ${path}: request failed (${reason})`);
    }
  }
  return differences;
}

/**
 * Pre-flight check of targets/CONTRACT.md against a running target, before any load is sent: a target
 * that answers the wrong payload would win a benchmark for the wrong reason.
 * Every problem is collected (not thrown) so one run shows all of them; each failure names its check.
 */

/** Users a target serves by default (env USERS); ids 1..DEFAULT_USER_COUNT. */
export const DEFAULT_USER_COUNT = 10_000;
/** An id no default target knows; must answer 404. */
export const UNKNOWN_USER_ID = 10_000_001;

export interface ContractOptions {
  /** Per-request timeout, milliseconds. */
  timeoutMs?: number;
  /** Highest id the target serves (its USERS). */
  maxId?: number;
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

async function get(baseUrl: string, path: string, timeoutMs: number): Promise<Fetched> {
  const response = await fetch(baseUrl + path, { signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
  const text = await response.text();
  let json: unknown = null;
  let jsonError: string | null = null;
  try {
    json = JSON.parse(text);
  } catch (error) {
    jsonError = error instanceof Error ? error.message : String(error);
  }
  return { status: response.status, contentType: response.headers.get('content-type'), text, json, jsonError };
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
      const res = await get(base, path, timeoutMs);
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
      const [a, b] = await Promise.all([get(trimSlash(baseUrlA), path, timeoutMs), get(trimSlash(baseUrlB), path, timeoutMs)]);
      if (a.status !== b.status) differences.push(`GET ${path}: status ${a.status} vs ${b.status}`);
      else if (a.text !== b.text) differences.push(`GET ${path}: body ${JSON.stringify(a.text)} vs ${JSON.stringify(b.text)}`);
    } catch (error) {
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      differences.push(`GET ${path}: request failed (${reason})`);
    }
  }
  return differences;
}

// The environment this target reads (targets/CONTRACT.md lists it), checked once at start. A bad value
// is a SettingsError whose message is the one line server.js prints before exiting 1.
import { availableCpus } from './cpus.js';

// The regression knob is bounded to one second per request, so a typo cannot wedge a run.
export const MAX_EXTRA_WORK_US = 1_000_000;

export class SettingsError extends Error {}

function positiveInt(env, name, fallback) {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  // Digits only: Number('1e3') or Number(' 7') would accept what Go's strconv.Atoi refuses.
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || !Number.isSafeInteger(Number(raw))) {
    throw new SettingsError(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  }
  return Number(raw);
}

/** One of the regression knobs (EXTRA_WORK_US, EXTRA_WAIT_US), bounded the same way. */
function extraWorkUs(env, name = 'EXTRA_WORK_US') {
  const raw = env[name];
  if (raw === undefined || raw === '') return 0;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value > MAX_EXTRA_WORK_US) {
    throw new SettingsError(`${name} must be an integer from 0 to ${MAX_EXTRA_WORK_US} (microseconds), got ${JSON.stringify(raw)}`);
  }
  return value;
}

/** `cpus` is only called when WORKERS is unset, so tests can pass a fixed count. */
export function loadSettings(env = process.env, cpus = availableCpus) {
  const store = env.STORE || 'memory';
  if (store === 'postgres') {
    // The postgres store is optional in the contract; this target implements the memory store only.
    throw new SettingsError('STORE=postgres is not supported by the fastify target (memory store only); unset STORE');
  }
  if (store !== 'memory') throw new SettingsError(`STORE must be memory, got ${JSON.stringify(store)}`);
  const port = positiveInt(env, 'PORT', 8000);
  if (port > 65535) throw new SettingsError(`PORT must be at most 65535, got ${JSON.stringify(env.PORT)}`);
  return {
    host: env.HOST || '0.0.0.0',
    port,
    users: positiveInt(env, 'USERS', 10000),
    extraWorkUs: extraWorkUs(env),
    extraWaitUs: extraWorkUs(env, 'EXTRA_WAIT_US'),
    workers: env.WORKERS === undefined || env.WORKERS === '' ? cpus() : positiveInt(env, 'WORKERS', 1),
  };
}

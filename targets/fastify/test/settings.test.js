import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadSettings, SettingsError } from '../src/settings.js';

const fourCpus = () => 4;

test('defaults: 0.0.0.0:8000, 10000 users, no busy-work, one worker per CPU of the budget', () => {
  assert.deepEqual(loadSettings({}, fourCpus), { host: '0.0.0.0', port: 8000, users: 10000, extraWorkUs: 0, extraWaitUs: 0, workers: 4 });
});

test('the environment overrides every default', () => {
  const env = { HOST: '127.0.0.1', PORT: '9001', USERS: '5', EXTRA_WORK_US: '250', WORKERS: '2', STORE: 'memory' };
  assert.deepEqual(loadSettings(env, fourCpus), { host: '127.0.0.1', port: 9001, users: 5, extraWorkUs: 250, extraWaitUs: 0, workers: 2 });
});

test('bad values are one line naming the variable', () => {
  const cases = [
    [{ PORT: '0' }, 'PORT must be a positive integer, got "0"'],
    [{ PORT: '70000' }, 'PORT must be at most 65535, got "70000"'],
    [{ USERS: 'ten' }, 'USERS must be a positive integer, got "ten"'],
    [{ USERS: '1e3' }, 'USERS must be a positive integer, got "1e3"'],
    [{ WORKERS: '-2' }, 'WORKERS must be a positive integer, got "-2"'],
    [{ EXTRA_WORK_US: '1000001' }, 'EXTRA_WORK_US must be an integer from 0 to 1000000 (microseconds), got "1000001"'],
    [{ EXTRA_WORK_US: '-1' }, 'EXTRA_WORK_US must be an integer from 0 to 1000000 (microseconds), got "-1"'],
    [{ STORE: 'redis' }, 'STORE must be memory, got "redis"'],
    [{ STORE: 'postgres', DATABASE_URL: 'postgresql://u:p@127.0.0.1/db' }, 'STORE=postgres is not supported by the fastify target (memory store only); unset STORE'],
  ];
  for (const [env, message] of cases) {
    assert.throws(() => loadSettings(env, fourCpus), (error) => error instanceof SettingsError && error.message === message && !message.includes('\n'));
  }
});

test('EXTRA_WORK_US=0 is off', () => {
  assert.equal(loadSettings({ EXTRA_WORK_US: '0' }, fourCpus).extraWorkUs, 0);
});

test('EXTRA_WAIT_US is read and bounded like EXTRA_WORK_US', () => {
  assert.equal(loadSettings({ EXTRA_WAIT_US: '1500' }, fourCpus).extraWaitUs, 1500);
  assert.throws(() => loadSettings({ EXTRA_WAIT_US: '1000001' }, fourCpus), (error) => error instanceof SettingsError && error.message.startsWith('EXTRA_WAIT_US must be an integer'));
});

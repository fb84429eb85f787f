// The contract of targets/CONTRACT.md, in-process through Fastify's inject (no socket).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildApp } from '../src/app.js';

const app = buildApp({ users: 10000 });

async function get(url) {
  const res = await app.inject({ method: 'GET', url });
  return { status: res.statusCode, type: res.headers['content-type'], body: res.body };
}

test('a user is the exact bytes of the contract', async () => {
  const res = await get('/users/42');
  assert.equal(res.status, 200);
  assert.match(res.type, /^application\/json(; charset=utf-8)?$/);
  assert.equal(res.body, '{"id":42,"name":"User 42","email":"user42@example.com"}');
});

test('the first and last ids exist', async () => {
  assert.equal((await get('/users/1')).body, '{"id":1,"name":"User 1","email":"user1@example.com"}');
  assert.equal((await get('/users/10000')).body, '{"id":10000,"name":"User 10000","email":"user10000@example.com"}');
});

test('integers outside 1..USERS are 404 with the contract body', async () => {
  for (const id of ['0', '-1', '10001', '10000001', '9223372036854775807']) {
    const res = await get(`/users/${id}`);
    assert.equal(res.status, 404, id);
    assert.equal(res.body, '{"detail":"user not found"}', id);
    assert.match(res.type, /^application\/json/, id);
  }
});

test('non-integers and integers beyond 64 bits are 400, as the Go target answers', async () => {
  for (const id of ['abc', '1.5', '1e3', '0x10', '9223372036854775808', '99999999999999999999']) {
    const res = await get(`/users/${id}`);
    assert.equal(res.status, 400, id);
    assert.equal(res.body, '{"detail":"user id must be an integer"}', id);
  }
});

test('a sign and leading zeros are an integer, as strconv.ParseInt reads them', async () => {
  assert.equal((await get('/users/+7')).body, '{"id":7,"name":"User 7","email":"user7@example.com"}');
  assert.equal((await get('/users/007')).status, 200);
});

test('/healthz answers the contract body', async () => {
  const res = await get('/healthz');
  assert.equal(res.status, 200);
  assert.equal(res.body, '{"status":"ok"}');
});

test('USERS sets the data set size', async () => {
  const small = buildApp({ users: 3 });
  assert.equal((await small.inject('/users/3')).statusCode, 200);
  assert.equal((await small.inject('/users/4')).statusCode, 404);
});

test('EXTRA_WORK_US adds at least that much time to /users and none to /healthz', async () => {
  const slow = buildApp({ users: 10, extraWorkUs: 20_000 });
  const time = async (url) => {
    const started = process.hrtime.bigint();
    await slow.inject(url);
    return Number(process.hrtime.bigint() - started) / 1000;
  };
  await slow.inject('/healthz'); // first request compiles the routes
  assert.ok((await time('/users/1')) >= 20_000);
  assert.ok((await time('/users/abc')) < 20_000, 'a rejected id never reaches the busy-work');
  assert.ok((await time('/healthz')) < 20_000);
});

test('EXTRA_WAIT_US adds at least that much time to /users without burning CPU', async () => {
  const slow = buildApp({ users: 10, extraWaitUs: 50_000 });
  await slow.inject('/users/1'); // the first request compiles the route and its serialiser (CPU)
  const cpuBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  const res = await slow.inject('/users/3');
  const wallUs = Number(process.hrtime.bigint() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  assert.equal(res.statusCode, 200);
  assert.ok(wallUs >= 49_000, `took ${wallUs} µs`); // timers may fire up to 1 ms early in µs terms
  assert.ok(cpu.user + cpu.system < 25_000, `CPU ${cpu.user + cpu.system} µs during a 50 ms wait (is it spinning?)`);
});

// The handler: GET /users/:id and GET /healthz with Fastify, bytes as in targets/CONTRACT.md.
import Fastify from 'fastify';
import { setTimeout as sleep } from 'node:timers/promises';
import { MemoryStore } from './store.js';

// An integer in Go's strconv.ParseInt syntax (the other 400 target), so both refuse the same ids.
const INTEGER = /^[+-]?\d+$/;
const INT64_MAX = 2n ** 63n - 1n;

// Response schemas let Fastify serialise with fast-json-stringify: compact, keys in this order.
const userSchema = {
  type: 'object',
  properties: { id: { type: 'integer' }, name: { type: 'string' }, email: { type: 'string' } },
  required: ['id', 'name', 'email'],
};
const detailSchema = { type: 'object', properties: { detail: { type: 'string' } }, required: ['detail'] };
const statusSchema = { type: 'object', properties: { status: { type: 'string' } }, required: ['status'] };

/** Burns CPU for `us` microseconds on the monotonic clock (EXTRA_WORK_US, test-only); a sleep would free the CPU. */
export function spin(us) {
  const end = process.hrtime.bigint() + BigInt(us) * 1000n;
  while (process.hrtime.bigint() < end);
}

export function buildApp({ users, extraWorkUs = 0, extraWaitUs = 0 }, store = new MemoryStore(users)) {
  // No logger: an access log would measure the log pipe.
  const app = Fastify({ logger: false });

  app.get('/users/:id', { schema: { response: { 200: userSchema, 400: detailSchema, 404: detailSchema } } }, async (request, reply) => {
    const raw = request.params.id;
    // Beyond 64 bits is outside the contract; refused like Go's ParseInt does.
    if (!INTEGER.test(raw) || BigInt(raw) > INT64_MAX || BigInt(raw) < -INT64_MAX - 1n) {
      return reply.code(400).send({ detail: 'user id must be an integer' });
    }
    if (extraWorkUs > 0) spin(extraWorkUs);
    // EXTRA_WAIT_US (test-only): a timer, latency without CPU (a slower downstream call).
    if (extraWaitUs > 0) await sleep(extraWaitUs / 1000);
    const user = await store.fetchUser(Number(raw));
    if (user === null) return reply.code(404).send({ detail: 'user not found' });
    return user;
  });

  app.get('/healthz', { schema: { response: { 200: statusSchema } } }, async () => {
    await store.ping();
    return { status: 'ok' };
  });

  return app;
}

/**
 * Entry point of the generator agent (the `httpbench/generator` image runs it; README "Several load
 * machines"): listens for the orchestrator on --port, runs one share per step on the CPUs it is given,
 * answers with encoded results (src/load/cluster/agent.ts). The token comes from the environment
 * (HTTPBENCH_AGENT_TOKEN), never argv, so it is not in `ps`.
 *
 *   node --import tsx src/cli/generator-agent.ts --port 41234 [--host 0.0.0.0] [--cpus 0-3]
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { createAgent } from '../load/cluster/agent.ts';
import { currentPinnedCpuset, pinProcess } from '../load/pin.ts';

function fail(message: string, code: number): never {
  process.stderr.write(`generator-agent: ${message}\n`);
  process.exit(code);
}

const { values } = parseArgs({
  options: { port: { type: 'string' }, host: { type: 'string', default: '0.0.0.0' }, cpus: { type: 'string' } },
  strict: true,
});
const port = Number(values.port ?? process.env.HTTPBENCH_AGENT_PORT);
if (!Number.isInteger(port) || port < 1 || port > 65535) fail('--port (or HTTPBENCH_AGENT_PORT) must be a TCP port', 2);
const token = process.env.HTTPBENCH_AGENT_TOKEN ?? '';
if (token.length < 16) fail('HTTPBENCH_AGENT_TOKEN must be set (16 characters or more)', 2);
const cpus = values.cpus ?? process.env.HTTPBENCH_AGENT_CPUS;
if (cpus) {
  // Before the first worker thread: threads inherit the affinity (taskset -a covers the ones that exist).
  const problem = await pinProcess(cpus);
  if (problem) fail(problem, 3);
}
let bootId: string | null = null;
try {
  bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
} catch {
  bootId = null;
}
const agent = createAgent({ token, info: { hostname: os.hostname(), cpuset: await currentPinnedCpuset(), bootId } });
agent.server.on('error', (error) => fail(`cannot listen on ${values.host}:${port}: ${error.message}`, 3));
agent.server.listen(port, values.host, () => {
  process.stdout.write(`generator agent listening on ${values.host}:${port} (${os.availableParallelism()} CPUs${cpus ? `, pinned to ${cpus}` : ''})\n`);
});
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    void agent.close().then(() => process.exit(0));
  });
}

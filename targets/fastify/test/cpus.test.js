// WORKERS default: the CPU budget from a fake cgroup tree, for cgroup v1 and v2 (same cases as the
// FastAPI target's tests/test_cpus.py).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { availableCpus } from '../src/cpus.js';

function tree(files) {
  const root = mkdtempSync(path.join(os.tmpdir(), 'fastify-cgroup-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), text);
  }
  return root;
}

test('v2 quota of two CPUs on a sixteen-CPU affinity', () => assert.equal(availableCpus(tree({ 'cpu.max': '200000 100000\n' }), 16), 2));
test('v2 unlimited uses the affinity', () => assert.equal(availableCpus(tree({ 'cpu.max': 'max 100000\n' }), 3), 3));
test('v1 quota rounds down like automaxprocs', () =>
  assert.equal(availableCpus(tree({ 'cpu,cpuacct/cpu.cfs_quota_us': '150000\n', 'cpu,cpuacct/cpu.cfs_period_us': '100000\n' }), 8), 1));
test('v1 unlimited quota is -1', () =>
  assert.equal(availableCpus(tree({ 'cpu/cpu.cfs_quota_us': '-1\n', 'cpu/cpu.cfs_period_us': '100000\n' }), 4), 4));
test('a cpuset smaller than the quota wins', () => assert.equal(availableCpus(tree({ 'cpu.max': '400000 100000\n' }), 1), 1));
test('a quota below one CPU still gets one worker', () => assert.equal(availableCpus(tree({ 'cpu.max': '50000 100000\n' }), 4), 1));
test('no cgroup files: the affinity', () => assert.equal(availableCpus(tree({}), 5), 5));

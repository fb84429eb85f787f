/**
 * Detects the environment a run was measured on. Everything is read from the machine; nothing is
 * hard-coded, and no environment variable is recorded (they can hold secrets).
 */
import os from 'node:os';
import { readFile } from 'node:fs/promises';
import { execa } from 'execa';
import type { Environment } from './schema/run.ts';

async function osName(): Promise<string> {
  try {
    const text = await readFile('/etc/os-release', 'utf8');
    const pretty = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(text)?.[1];
    if (pretty) return pretty;
  } catch {
    // Not every OS has /etc/os-release (macOS); fall through to Node's view.
  }
  return `${os.type()} ${os.release()}`;
}

async function gitCommit(cwd: string): Promise<string | null> {
  const result = await execa('git', ['rev-parse', 'HEAD'], { cwd, reject: false });
  if (result.exitCode !== 0) return null;
  const dirty = await execa('git', ['status', '--porcelain', '--untracked-files=no'], { cwd, reject: false });
  return result.stdout.trim() + (dirty.exitCode === 0 && dirty.stdout.trim() ? '-dirty' : '');
}

export async function detectEnvironment(opts: {
  projectRoot: string;
  dockerVersion: string | null;
  cpusets: Environment['cpusets'];
}): Promise<Environment> {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    // os.cpus(), not availableParallelism(): the latter shrinks once the generator is pinned.
    cpuCount: cpus.length,
    memoryBytes: os.totalmem(),
    os: await osName(),
    kernel: os.release(),
    arch: os.arch(),
    nodeVersion: process.version,
    dockerVersion: opts.dockerVersion,
    gitCommit: await gitCommit(opts.projectRoot),
    cpusets: opts.cpusets,
  };
}

/**
 * The targets' host of a two-host run (README "Two machines"): --target-host / hosts.targets / a
 * remote DOCKER_HOST, connected and checked before the scenario is, because the scenario's CPU and
 * memory budgets are checked against that machine.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { guardLoadUrl } from '../load/url-guard.ts';
import { readScenarioHosts } from '../scenario/hosts.ts';
import type { DockerTargetSpec } from '../scenario/schema.ts';
import type { Environment, HostEnvironment } from '../schema/run.ts';
import { connectDocker, type DockerClient } from '../targets/docker.ts';
import { transferBases } from '../targets/image/transfer.ts';
import { chooseTargetHost } from '../targets/engine/endpoint.ts';
import { openTargetHost, type TargetHost } from '../targets/target-host.ts';
import { PROJECT_ROOT } from '../util/project.ts';

export interface TwoHost {
  remote: TargetHost;
  /** This machine's engine, if it has one: the source of base images the target host lacks. */
  local: DockerClient | null;
  /** Copies the base images `spec`'s Dockerfile names to the target host when it lacks them (once per Dockerfile). */
  transfer(spec: DockerTargetSpec): Promise<void>;
}

/**
 * Connected and checked (exit 2 for an unreachable engine, a wrong address, or this machine by
 * another name); null when the targets run here. Its address is cleared with the load guard because
 * the user named it. `warn` gets the one-line notices (the host chosen, base images copied).
 */
export async function openTwoHost(
  opts: { scenarioPath: string; targetHost?: string | undefined; targetAddress?: string | undefined },
  warn: (line: string) => void,
  standIns: Readonly<Record<string, string>>,
): Promise<TwoHost | null> {
  const choice = chooseTargetHost({ flag: opts.targetHost, flagAddress: opts.targetAddress, scenario: (await readScenarioHosts(opts.scenarioPath))?.targets });
  if (!choice) return null;
  // DOCKER_HOST names the target host here, so the local engine is the default socket, if any.
  const local = choice.from === 'DOCKER_HOST' || choice.from === 'DOCKER_CONTEXT' ? null : await connectDocker({ timeoutMs: 2_000 }).catch(() => null);
  const remote = await openTargetHost(choice, local, standIns, warn);
  await guardLoadUrl(`http://${remote.address.includes(':') ? `[${remote.address}]` : remote.address}/`, { allowAddresses: [remote.address] });
  warn(`target host: ${remote.endpoint.display}, targets bind to ${remote.address} (${remote.environment.cpuCount} CPUs there)`);
  const done = new Set<string>();
  return {
    remote,
    local,
    transfer: async (spec) => {
      if (done.has(spec.dockerfile)) return;
      const dockerfile = await readFile(path.resolve(PROJECT_ROOT, spec.dockerfile), 'utf8').catch(() => null);
      if (dockerfile !== null) await transferBases(local, remote.docker, dockerfile, standIns, warn);
      done.add(spec.dockerfile);
    },
  };
}

/** This machine as the load side of a two-host run. */
export function loadHostEnvironment(e: Environment): HostEnvironment {
  return { role: 'load', engine: null, address: null, cpuModel: e.cpuModel, cpuCount: e.cpuCount, memoryBytes: e.memoryBytes, os: e.os, kernel: e.kernel, arch: e.arch, dockerVersion: e.dockerVersion };
}

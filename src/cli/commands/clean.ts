/** `httpbench clean`: removes every container (and network) the harness made, found by its label. */
import type { CommandModule } from 'yargs';
import { connectDocker, removeHarnessContainers } from '../../targets/docker.ts';
import { connectEngine, resolveEngine } from '../../targets/target-host.ts';

export const cleanCommand: CommandModule<object, { 'target-host'?: string }> = {
  command: 'clean',
  describe: "remove every container and network left by httpbench (found by the harness's label)",
  builder: (y) =>
    y.option('target-host', { type: 'string', describe: 'also clean this Docker engine (a two-host run\'s --target-host)' }) as never,
  handler: async (args) => {
    // Two-host runs leave containers on the target host's engine: clean it as well as this one.
    const engines = [await connectDocker()];
    if (args['target-host']) engines.push(await connectEngine(resolveEngine(args['target-host'])));
    let removed = 0;
    for (const docker of engines) removed += await removeHarnessContainers(docker);
    process.stdout.write(removed === 0 ? 'nothing to clean\n' : `removed ${removed} container(s)/network(s)\n`);
  },
};

/** `httpbench clean`: removes every container (and network) the harness made, found by its label. */
import type { CommandModule } from 'yargs';
import { connectDocker, removeHarnessContainers } from '../../targets/docker.ts';

export const cleanCommand: CommandModule<object, object> = {
  command: 'clean',
  describe: "remove every container and network left by httpbench (found by the harness's label)",
  handler: async () => {
    const docker = await connectDocker();
    const removed = await removeHarnessContainers(docker);
    process.stdout.write(removed === 0 ? 'nothing to clean\n' : `removed ${removed} container(s)/network(s)\n`);
  },
};

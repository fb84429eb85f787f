/**
 * `httpbench clean`: removes the containers the harness left behind (found by its label) whose run
 * is gone; containers of a run that is still going are skipped and listed, `--force` removes them too.
 */
import type { CommandModule } from 'yargs';
import { cleanHarness, connectDocker } from '../../targets/docker.ts';

interface CleanArgs {
  force: boolean;
  run?: string;
}

export const cleanCommand: CommandModule<object, CleanArgs> = {
  command: 'clean',
  describe: 'remove containers left by ended httpbench runs (found by label); --force also those of live runs',
  builder: (y) =>
    y
      .option('force', { type: 'boolean', default: false, describe: 'also remove containers of runs that are still going (they will fail)' })
      .option('run', { type: 'string', describe: 'only containers of this run id (see run.json or the container label io.httpbench.run)' }) as never,
  handler: async (args) => {
    const docker = await connectDocker();
    const { removed, skipped, networks } = await cleanHarness(docker, { force: args.force, ...(args.run ? { runId: args.run } : {}) });
    const total = removed.length + networks;
    process.stdout.write(total === 0 ? 'nothing to clean\n' : `removed ${removed.length} container(s)${networks ? ` and ${networks} network(s)` : ''}\n`);
    if (skipped.length > 0) {
      const runs = [...new Set(skipped.map((c) => `${c.runId ?? '?'} (pid ${c.owner?.pid ?? '?'}${c.owner && c.owner.host !== '' ? ` on ${c.owner.host}` : ''})`))];
      process.stdout.write(
        `skipped ${skipped.length} container(s) of run(s) still going: ${runs.join(', ')}; 'httpbench clean --force' removes them too\n`,
      );
    }
  },
};

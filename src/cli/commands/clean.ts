/**
 * `httpbench clean`: removes the containers the harness left behind (found by its label) whose run
 * is gone; containers of a run that is still going are skipped and listed, `--force` removes them too.
 */
import type { CommandModule } from 'yargs';
import { cleanHarness, connectDocker } from '../../targets/docker.ts';
import { connectEngine } from '../../targets/engine/client.ts';
import { resolveEngine } from '../../targets/engine/endpoint.ts';

interface CleanArgs {
  force: boolean;
  run?: string;
  'target-host'?: string;
}

export const cleanCommand: CommandModule<object, CleanArgs> = {
  command: 'clean',
  describe: 'remove containers left by ended httpbench runs (found by label); --force also those of live runs',
  builder: (y) =>
    y
      .option('force', { type: 'boolean', default: false, describe: 'also remove containers of runs that are still going (they will fail)' })
      .option('run', { type: 'string', describe: 'only containers of this run id (see run.json or the container label io.httpbench.run)' })
      .option('target-host', { type: 'string', describe: "also clean this Docker engine (a two-host run's --target-host)" }) as never,
  handler: async (args) => {
    // Two-host runs leave containers on the target host's engine: clean it as well as this one.
    const engines = [await connectDocker()];
    if (args['target-host']) engines.push(await connectEngine(resolveEngine(args['target-host'])));
    const removed: unknown[] = [];
    const skipped: Awaited<ReturnType<typeof cleanHarness>>['skipped'] = [];
    let networks = 0;
    for (const docker of engines) {
      const r = await cleanHarness(docker, { force: args.force, ...(args.run ? { runId: args.run } : {}) });
      removed.push(...r.removed);
      skipped.push(...r.skipped);
      networks += r.networks;
    }
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

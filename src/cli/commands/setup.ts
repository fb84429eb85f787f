/**
 * `httpbench setup [--for-tests] [--check]`: checks what `run` (and with --for-tests `npm test`)
 * needs on this machine and does what is missing, one line per step (src/setup/).
 */
import type { CommandModule } from 'yargs';
import { execStep, gatherFacts } from '../../setup/probes.ts';
import { runSetup } from '../../setup/apply.ts';
import { PROJECT_ROOT } from '../../util/project.ts';

interface SetupArgs {
  'for-tests': boolean;
  check: boolean;
  verbose: boolean;
}

export const setupCommand: CommandModule<object, SetupArgs> = {
  command: 'setup',
  describe: 'check and, where missing, install/start what run needs (Docker engine, base images, taskset); --for-tests also what npm test needs',
  builder: (y) =>
    y
      .option('for-tests', { type: 'boolean', default: false, describe: 'also Chromium, Python 3 venv, Go and the target images (for npm test)' })
      .option('check', { type: 'boolean', default: false, describe: 'only print the plan; change nothing (exit 3 when a step is not done)' })
      .option('verbose', { type: 'boolean', default: false, describe: "stream each step's own output" }) as never,
  handler: async (args) => {
    const log = (line: string) => process.stderr.write(`setup: ${line}\n`);
    await runSetup(
      { forTests: args['for-tests'], check: args.check },
      {
        gather: (forTests) => gatherFacts(PROJECT_ROOT, forTests),
        exec: (command) => execStep(PROJECT_ROOT, command, args.verbose ? (chunk) => process.stderr.write(chunk) : undefined),
        log,
      },
    );
    log(`ready: ${args['for-tests'] ? 'npm test' : 'npx httpbench run'} has what it needs`);
  },
};

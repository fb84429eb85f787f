import type { CommandModule } from 'yargs';
import { abCommand } from './ab.ts';
import { buildCommand } from './build.ts';
import { cleanCommand } from './clean.ts';
import { compareCommand } from './compare.ts';
import { loadCommand } from './load.ts';
import { reportCommand } from './report.ts';
import { runCommand } from './run.ts';
import { setupCommand } from './setup.ts';
import { targetsCommand } from './targets.ts';

// Each command lives in its own file; register it here.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const commands: CommandModule<any, any>[] = [runCommand, loadCommand, buildCommand, cleanCommand, compareCommand, abCommand, reportCommand, setupCommand, targetsCommand];

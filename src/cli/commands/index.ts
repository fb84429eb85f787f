import type { CommandModule } from 'yargs';
import { compareCommand } from './compare.ts';
import { loadCommand } from './load.ts';

// Each command lives in its own file; register it here.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const commands: CommandModule<any, any>[] = [compareCommand, loadCommand];

/**
 * `httpbench targets`: lists the target folders (targets/<name>/target.yaml), validated — a broken
 * manifest is exit 2 with every problem. `--tsv` prints one field set per line for the shell scripts
 * (scripts/test-targets.sh, scripts/build-bases.sh), so they never name the targets themselves.
 */
import { escapeControlChars } from '../../util/terminal-text.ts';
import type { CommandModule } from 'yargs';
import { ConfigError } from '../../errors.ts';
import { loadTargetManifests, standInRecipes } from '../../targets/manifest.ts';
import { PROJECT_ROOT } from '../../util/project.ts';

interface TargetsArgs {
  tsv?: 'tests' | 'stand-ins';
  names: string[];
}

export const targetsCommand: CommandModule<object, TargetsArgs> = {
  command: 'targets [names..]',
  describe: 'list the targets (targets/*/target.yaml), checking every manifest',
  builder: (y) =>
    y
      .positional('names', { type: 'string', array: true, default: [], describe: 'only these targets' })
      .option('tsv', {
        choices: ['tests', 'stand-ins'] as const,
        describe: 'tab-separated lines for scripts — tests: name, folder, postgres (yes/no), tools (comma-separated), command; stand-ins: image, official, recipe',
      }) as never,
  handler: async (args) => {
    const all = await loadTargetManifests(PROJECT_ROOT);
    const unknown = args.names.filter((n) => !all.some((m) => m.name === n));
    if (unknown.length > 0) {
      throw new ConfigError(`unknown target(s): ${unknown.join(', ')}`, { hint: `targets/ holds: ${all.map((m) => m.name).join(', ')}` });
    }
    const manifests = args.names.length > 0 ? all.filter((m) => args.names.includes(m.name)) : all;
    process.stdout.write(targetLines(manifests, args.tsv));
  },
};

/**
 * What `targets` prints: one line per manifest (tab-separated fields for --tsv). A manifest's
 * description is free text from a file: every field goes through the terminal rule.
 */
export function targetLines(manifests: Awaited<ReturnType<typeof loadTargetManifests>>, tsv: TargetsArgs['tsv']): string {
  const lines =
    tsv === 'tests'
      ? manifests.map((m) => [m.name, m.dir, m.stores.includes('postgres') ? 'yes' : 'no', m.test.tools.join(','), m.test.command])
      : tsv === 'stand-ins'
        ? standInRecipes(manifests).map((s) => [s.image, s.official, s.recipe])
        : manifests.map((m) => [`${m.name.padEnd(12)} ${m.language.padEnd(11)} ${m.build.dockerfile.padEnd(28)} ${m.description}`]);
  return lines.map((fields) => `${fields.map((f) => escapeControlChars(f)).join('\t')}\n`).join('');
}

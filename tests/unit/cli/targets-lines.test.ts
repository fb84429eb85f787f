/** #23 defect 2: `httpbench targets` prints a manifest's free text through the terminal rule. */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { targetLines } from '../../../src/cli/commands/targets.ts';
import { loadTargetManifests } from '../../../src/targets/manifest.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');

describe('targets output', () => {
  it('shows an ANSI/OSC escape in a description escaped, for the listing and --tsv', async () => {
    const manifests = await loadTargetManifests(ROOT);
    const hostile = manifests.map((m) => ({ ...m, description: `desc \u001b]0;pwned\u0007\u001b[2J\u009b31m`, test: { ...m.test, command: `make test\u001b[1A` } }));
    for (const tsv of [undefined, 'tests', 'stand-ins'] as const) {
      const text = targetLines(hostile, tsv);
      expect(text, String(tsv)).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    }
    expect(targetLines(hostile, undefined)).toContain('desc \\x1b]0;pwned\\x07\\x1b[2J\\x9b31m');
    expect(targetLines(hostile, 'tests').split('\n')[0]!.split('\t')).toHaveLength(5);
  });
});

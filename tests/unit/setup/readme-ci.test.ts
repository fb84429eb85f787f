import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../helpers/cli.ts';

/** The README's two command lines (the first sh block of "## Two commands"), comments stripped. */
function readmeLines(): string[] {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Two commands'));
  const block = /```sh\n([\s\S]*?)```/.exec(section)![1]!;
  return block.split('\n').map((l) => l.replace(/\s+#.*$/, '').trim()).filter(Boolean);
}

describe('README two lines and CI', () => {
  it('the README gives one line that sets up and runs, and one that sets up and tests', () => {
    expect(readmeLines()).toEqual(['npm ci && npx httpbench setup && npx httpbench run', 'npm ci && npx httpbench setup --for-tests && npm test']);
  });

  it('.ci/run runs exactly the README test line, and nothing after it', () => {
    const ci = readFileSync(path.join(ROOT, '.ci', 'run'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    expect(ci.at(-1)).toBe(readmeLines()[1]);
    // Nothing else provisions: set-up lives in `httpbench setup`, which the README line runs.
    expect(ci.filter((l) => /apt-get|docker-up|build-bases|httpbench build/.test(l))).toEqual([]);
  });
});

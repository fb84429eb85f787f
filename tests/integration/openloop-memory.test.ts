/** The heap does not grow with request count: bench/memory.ts in a child with --expose-gc. */
import { describe, expect, it } from 'vitest';
import { execa } from 'execa';

const script = new URL('../../bench/memory.ts', import.meta.url).pathname;

describe('open-loop engine memory', () => {
  it('keeps the heap flat as requests grow (histograms, not arrays)', async () => {
    const r = await execa('node', ['--expose-gc', '--import', 'tsx', script, '--rate', '8000', '--short', '0.5', '--long', '3', '--rounds', '2'], { reject: false });
    expect(r.exitCode, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim());
    expect(out.long.requests - out.short.requests).toBeGreaterThan(18_000);
    // Per-request records (an object with timestamps) would cost ~50–100 bytes per request, in
    // every round. V8 heap noise after GC is a few hundred kB: over ~10 k requests it once read
    // 38 bytes/request in CI, so the step is ~20 k requests long and the best of two rounds counts.
    expect(out.bytesPerExtraRequest).toBeLessThan(32);
  });
});

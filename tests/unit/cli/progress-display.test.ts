import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDisplay, runProgress } from '../../../src/cli/progress-display.ts';

function fakeStream(tty: boolean, columns = 200) {
  const writes: string[] = [];
  const stream = { isTTY: tty, columns, write: (s: string) => (writes.push(s), true) } as unknown as NodeJS.WriteStream;
  return { stream, writes };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('createDisplay', () => {
  it('on a TTY redraws one live line in place at 2 Hz and prints permanent lines above it', () => {
    const { stream, writes } = fakeStream(true);
    const d = createDisplay(stream);
    let n = 0;
    d.setLive(() => `live ${++n}`);
    vi.advanceTimersByTime(1_000);
    expect(writes).toEqual(['\r\u001b[2Klive 1', '\r\u001b[2Klive 2']);
    d.log('[a] rate 100 rps: achieved 100 rps');
    expect(writes.slice(2)).toEqual(['\r\u001b[2K', '[a] rate 100 rps: achieved 100 rps\n', '\r\u001b[2Klive 3']);
    d.close();
    expect(writes.at(-1)).toBe('\r\u001b[2K');
    vi.advanceTimersByTime(5_000);
    expect(writes).toHaveLength(6);
  });

  it('cuts a live line to the terminal width', () => {
    const { stream, writes } = fakeStream(true, 21);
    const d = createDisplay(stream);
    d.setLive(() => 'x'.repeat(50));
    vi.advanceTimersByTime(500);
    expect(writes).toEqual([`\r\u001b[2K${'x'.repeat(19)}…`]);
    d.close();
  });

  it('without a TTY prints the live line as a plain line every 5 s, no escape codes', () => {
    const { stream, writes } = fakeStream(false);
    const d = createDisplay(stream);
    d.setLive(() => 'live');
    vi.advanceTimersByTime(4_999);
    expect(writes).toEqual([]);
    vi.advanceTimersByTime(1);
    d.log('done');
    d.setLive(null);
    vi.advanceTimersByTime(10_000);
    d.close();
    expect(writes).toEqual(['live\n', 'done\n']);
  });
});

describe('runProgress', () => {
  it('renders the engine snapshot on the display timer, and only for the current step', () => {
    const { stream, writes } = fakeStream(false);
    const d = createDisplay(stream);
    let nowMs = 0;
    const p = runProgress(d, () => nowMs);
    p.planned(2, 20);
    p.runStarted('a/one#1');
    const first = p.stepStarted({ label: 'a/one#1', kind: 'rate', rateRps: 1_000, durationS: 10 });
    first.onProgress!({ elapsedMs: 4_000, sent: 4_000, completed: 3_996, errors: 1, p99Us: 2_500 });
    nowMs = 5_000;
    vi.advanceTimersByTime(5_000);
    p.stepEnded();
    // A late report of a finished step is ignored.
    first.onProgress!({ elapsedMs: 9_999, sent: 1, completed: 1, errors: 0, p99Us: 1 });
    p.stepStarted({ label: 'a/one#1', kind: 'rate', rateRps: 2_000, durationS: 10 });
    nowMs = 7_000;
    vi.advanceTimersByTime(5_000);
    d.close();
    expect(writes).toEqual([
      '[a/one#1] rate 1,000 rps · 4.0/10.0 s · achieved 999 rps · errors 1 · p99 2.500 ms · run 1/2, ≤ 36s of measuring left',
      '[a/one#1] rate 2,000 rps · 2.0/10.0 s · run 1/2, ≤ 28s of measuring left',
    ].map((l) => `${l}\n`));
  });
});

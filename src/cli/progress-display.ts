/**
 * Puts progress on the terminal. On a TTY one live line, redrawn in place at most twice a second,
 * with permanent lines (step results, notices) printed above it; without a TTY the live line is
 * printed as a plain line every few seconds. Runs on the coordinating thread from a timer: it reads
 * the latest snapshot the engine handed over and formats it (src/progress/format.ts); it never
 * touches the measuring threads.
 */
import type { StepObserver, StepProgressSnapshot } from '../load/types.ts';
import { formatProgressLine, type ProgressStep, type ProgressView } from '../progress/format.ts';
import type { RunProgress } from '../run/deps.ts';

/** TTY redraw cadence: 2 Hz. */
export const TTY_REDRAW_MS = 500;
/** Without a TTY (CI logs, pipes): a plain line this often. */
export const PLAIN_EVERY_MS = 5_000;

export interface Display {
  /** A permanent line. */
  log(line: string): void;
  /** What the live line shows; null hides it. */
  setLive(render: (() => string | null) | null): void;
  close(): void;
}

export function createDisplay(stream: NodeJS.WriteStream = process.stderr): Display {
  const tty = stream.isTTY === true;
  let render: (() => string | null) | null = null;
  let shown = false;
  const clear = () => {
    if (tty && shown) stream.write('\r\u001b[2K');
    shown = false;
  };
  const draw = () => {
    const line = render?.();
    if (!line) return;
    if (tty) {
      // Wider than the terminal would wrap and break the in-place redraw.
      const width = Math.max(20, (stream.columns || 120) - 1);
      stream.write(`\r\u001b[2K${line.length > width ? `${line.slice(0, width - 1)}…` : line}`);
      shown = true;
    } else {
      stream.write(`${line}\n`);
    }
  };
  const timer = setInterval(draw, tty ? TTY_REDRAW_MS : PLAIN_EVERY_MS);
  // Progress must never keep a finished process alive.
  timer.unref();
  return {
    log(line) {
      clear();
      stream.write(`${line}\n`);
      if (tty) draw();
    },
    setLive(next) {
      clear();
      render = next;
    },
    close() {
      clearInterval(timer);
      clear();
    },
  };
}

/** Turns the run's progress events into the live step line and the run-level estimate. */
export function runProgress(display: Display, now: () => number = () => performance.now()): RunProgress {
  const view: ProgressView = { runsTotal: 0, runsStarted: 0, perRunS: 0, doneInRunS: 0, step: null, snapshot: null };
  return {
    planned(runs, perRunS) {
      view.runsTotal = runs;
      view.perRunS = perRunS;
    },
    runStarted() {
      view.runsStarted++;
      view.doneInRunS = 0;
    },
    stepStarted(step): StepObserver {
      const started: ProgressStep = { ...step, startedMs: now() };
      view.step = started;
      view.snapshot = null;
      display.setLive(() => formatProgressLine(view, now()));
      return {
        // Only stores the engine's counters; formatting happens on the display's timer.
        onProgress(snapshot: StepProgressSnapshot) {
          if (view.step === started) view.snapshot = snapshot;
        },
      };
    },
    stepEnded() {
      if (view.step) view.doneInRunS += view.step.durationS;
      view.step = null;
      view.snapshot = null;
      display.setLive(null);
    },
  };
}

/**
 * Condenses a Docker build log (the classic builder's lines, as buildImage's onProgress gives them)
 * to its step counter and its errors: "Step 7/18 : RUN pip install …" becomes the live progress; the
 * intermediate container ids, cache notes and RUN output are kept in `lines` only, for --verbose and
 * for a failed build. Pure: no clock, no output.
 */
import { formatSeconds } from '../util/format.ts';

export interface BuildProgress {
  step: number;
  total: number;
  /** The step's instruction, shortened to INSTRUCTION_CHARS. */
  instruction: string;
}

/** Longest instruction text shown on the live line. */
export const INSTRUCTION_CHARS = 48;

const STEP = /^Step (\d+)\/(\d+) : (.*)$/;

export class BuildLogCondenser {
  /** Every line seen, for --verbose and for a failed build. */
  readonly lines: string[] = [];
  progress: BuildProgress | null = null;

  /** Feeds one line; returns what must be shown at once (an error), else null. */
  push(line: string): string | null {
    this.lines.push(line);
    const step = STEP.exec(line);
    if (step) {
      const instruction = step[3]!.trim();
      this.progress = {
        step: Number(step[1]),
        total: Number(step[2]),
        instruction: instruction.length > INSTRUCTION_CHARS ? `${instruction.slice(0, INSTRUCTION_CHARS - 1)}…` : instruction,
      };
      return null;
    }
    return line.startsWith('ERROR: ') ? line : null;
  }
}

/** "[fastapi] building image: step 7/18 · RUN pip install … · 12.3 s" (before the first step: "starting"). */
export function formatBuildLine(name: string, progress: BuildProgress | null, elapsedS: number): string {
  const where = progress ? `step ${progress.step}/${progress.total} · ${progress.instruction}` : 'starting';
  return `[${name}] building image: ${where} · ${formatSeconds(elapsedS)} s`;
}

/**
 * Error hierarchy. Each carries a hint for the user and the original error as `cause`.
 * cli/ maps them to exit codes: GateError → 1, ConfigError → 2, TargetError/InfrastructureError → 3, InternalError → 70.
 * Per-request failures are never exceptions: they are counts in a step.
 */
export abstract class HttpbenchError extends Error {
  abstract readonly exitCode: number;
  readonly hint: string | undefined;
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.hint = options.hint;
  }
}

/** Bad scenario, claims file, flags or input file. `problems` lists every problem found, one per path. */
export class ConfigError extends HttpbenchError {
  readonly exitCode = 2;
  readonly problems: string[];
  constructor(message: string, options: { hint?: string; cause?: unknown; problems?: string[] } = {}) {
    super(message, options);
    this.problems = options.problems ?? [];
  }
}

/** A target could not be built, started, or never became healthy. */
export class TargetError extends HttpbenchError {
  readonly exitCode = 3;
}

/** Docker engine unreachable, disk full, output not writable: the machine, not the input. */
export class InfrastructureError extends HttpbenchError {
  readonly exitCode = 3;
}

/** A CI gate failed: an absolute threshold, or a claim verdict named by --fail-on. Exit 1, as a regression. */
export class GateError extends HttpbenchError {
  readonly exitCode = 1;
  readonly problems: string[];
  constructor(message: string, options: { hint?: string; problems?: string[] } = {}) {
    super(message, options);
    this.problems = options.problems ?? [];
  }
}

/** A bug in httpbench. */
export class InternalError extends HttpbenchError {
  readonly exitCode = 70;
}

/** The user interrupted the run (SIGINT → 130, SIGTERM → 143). */
export class InterruptedError extends HttpbenchError {
  readonly exitCode: number;
  readonly signal: NodeJS.Signals;
  constructor(signal: NodeJS.Signals) {
    super(`interrupted by ${signal}`);
    this.signal = signal;
    this.exitCode = signal === 'SIGINT' ? 130 : 143;
  }
}

/** Message of any thrown value, for reasons stored in results. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

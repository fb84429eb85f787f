/**
 * The CI gate shared by `run` and `report`: the --fail-on option and the exit-1 error. Thresholds
 * always gate; claim verdicts only when --fail-on names them.
 */
import type { Argv } from 'yargs';
import { ConfigError, GateError } from '../errors.ts';
import { FAIL_ON_VERDICTS, gateProblems, type FailOn } from '../analysis/verdicts.ts';
import type { VerdictsDocument } from '../schema/verdicts.ts';

export function withFailOn<T>(y: Argv<T>): Argv<T> {
  return y.option('fail-on', {
    type: 'string',
    describe: `also exit 1 when a claim verdict is one of these (comma-separated: ${FAIL_ON_VERDICTS.join(', ')})`,
  }) as never;
}

/** Parses --fail-on; an unknown verdict is a ConfigError (exit 2), never silently ignored. */
export function parseFailOn(value: string | undefined): FailOn[] {
  if (value === undefined) return [];
  const list = value.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = list.filter((v) => !(FAIL_ON_VERDICTS as readonly string[]).includes(v));
  if (unknown.length > 0) throw new ConfigError(`--fail-on: unknown verdict(s) ${unknown.join(', ')}`, { hint: `use ${FAIL_ON_VERDICTS.join(' and/or ')}, e.g. --fail-on refuted` });
  return list as FailOn[];
}

/** Throws GateError (exit 1) naming every failed threshold and every claim verdict --fail-on names. */
export function enforceGate(verdicts: VerdictsDocument, failOn: FailOn[]): void {
  const problems = gateProblems(verdicts, failOn);
  if (problems.length === 0) return;
  throw new GateError(`gate failed: ${problems.length} problem${problems.length === 1 ? '' : 's'}`, {
    problems,
    hint: 'see the Thresholds and Claims sections of report.md (verdicts.json has the same as data)',
  });
}

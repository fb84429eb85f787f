/**
 * The CI gate shared by `run` and `report`: the exit-1 error. Thresholds always gate; claim verdicts
 * only when --fail-on names them (parsed in src/cli/gate.ts).
 */
import { GateError } from '../errors.ts';
import { gateProblems, type FailOn } from '../analysis/verdicts.ts';
import type { VerdictsDocument } from '../schema/verdicts.ts';

/** Throws GateError (exit 1) naming every failed threshold and every claim verdict --fail-on names. */
export function enforceGate(verdicts: VerdictsDocument, failOn: readonly FailOn[]): void {
  const problems = gateProblems(verdicts, failOn);
  if (problems.length === 0) return;
  throw new GateError(`gate failed: ${problems.length} problem${problems.length === 1 ? '' : 's'}`, {
    problems,
    hint: 'see the Thresholds and Claims sections of report.md (verdicts.json has the same as data)',
  });
}

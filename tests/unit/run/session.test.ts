/**
 * The session's last word before the gate (issue 21): a run.json that says `failed` because target
 * runs failed is exit 3 naming each one; any other status leaves the decision to the gate.
 */
import { describe, expect, it } from 'vitest';
import { TargetError } from '../../../src/errors.ts';
import { failedTargetsError } from '../../../src/run/session.ts';
import type { RunDocument } from '../../../src/schema/run.ts';

function doc(status: RunDocument['status'], targets: Array<{ name: string; status: 'completed' | 'failed' | 'skipped'; reason: string | null }>): RunDocument {
  return { status, targets: targets.map((t) => ({ ...t, configuration: 'default' })) } as unknown as RunDocument;
}

describe('failedTargetsError', () => {
  it('names every failed target run and counts the ones measured', () => {
    const error = failedTargetsError(
      doc('failed', [
        { name: 'a', status: 'failed', reason: 'exited with code 2' },
        { name: 'b', status: 'completed', reason: null },
        { name: 'c', status: 'failed', reason: 'OOMKilled' },
      ]),
    );
    expect(error).toBeInstanceOf(TargetError);
    expect(error!.message).toBe('2 target run(s) failed: a/default: exited with code 2; c/default: OOMKilled');
    expect(error!.hint).toBe('the other 1 target run(s) were measured; see run.json for each failure');
  });

  it('leaves completed and interrupted runs to the gate and to the signal', () => {
    expect(failedTargetsError(doc('completed', [{ name: 'a', status: 'completed', reason: null }]))).toBeNull();
    expect(failedTargetsError(doc('interrupted', [{ name: 'a', status: 'failed', reason: 'x' }]))).toBeNull();
  });

  it('says so when nothing was measured', () => {
    expect(failedTargetsError(doc('failed', [{ name: 'a', status: 'failed', reason: 'x' }]))!.hint).toBe('no target run was measured; see run.json for each failure');
  });
});

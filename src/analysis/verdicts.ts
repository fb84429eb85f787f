/**
 * The verdicts document (verdicts.json) and the CI gate over it. Pure: RunDocument in, data out; the
 * same claim evaluation the reports render, so a script reads exactly what a person reads.
 */
import type { RunDocument } from '../schema/run.ts';
import { VERDICTS_SCHEMA_VERSION, type VerdictsDocument } from '../schema/verdicts.ts';
import { evaluateClaims, type ClaimVerdict, type Verdict } from './claims.ts';
import { evaluateThresholds, thresholdReason } from './thresholds.ts';

/** Builds verdicts.json's content; `claims` can be passed when the caller already evaluated them. */
export function buildVerdicts(doc: RunDocument, claims: ClaimVerdict[] = evaluateClaims(doc)): VerdictsDocument {
  const thresholds = evaluateThresholds(doc);
  const count = (v: Verdict) => claims.filter((c) => c.verdict === v).length;
  return {
    schemaVersion: VERDICTS_SCHEMA_VERSION,
    tool: doc.tool,
    scenario: doc.scenario.name,
    runStartedAt: doc.startedAt,
    runStatus: doc.status,
    summary: {
      claims: { confirmed: count('confirmed'), refuted: count('refuted'), inconclusive: count('inconclusive') },
      thresholds: {
        pass: thresholds.filter((t) => t.status === 'pass').length,
        fail: thresholds.filter((t) => t.status === 'fail').length,
        notMeasured: thresholds.filter((t) => t.status === 'not-measured').length,
      },
    },
    claims,
    thresholds,
  };
}

/** Claim verdicts a CI job may choose to fail on (`--fail-on`). */
export const FAIL_ON_VERDICTS = ['refuted', 'inconclusive'] as const;
export type FailOn = (typeof FAIL_ON_VERDICTS)[number];

/**
 * Why the gate fails, one line each; empty when it passes. Every threshold that did not pass fails it
 * (a figure that was not measured never passes); claim verdicts only when listed in `failOn`.
 */
export function gateProblems(v: VerdictsDocument, failOn: readonly FailOn[] = []): string[] {
  const problems: string[] = [];
  for (const t of v.thresholds) {
    if (t.status === 'pass') continue;
    const what = t.id === t.text ? t.text : `${t.id} (${t.text})`;
    problems.push(`threshold ${t.status === 'fail' ? 'FAILED' : 'NOT MEASURED'}: ${what} — ${thresholdReason(t)}`);
  }
  for (const c of v.claims) {
    if ((failOn as readonly string[]).includes(c.verdict)) problems.push(`claim ${c.verdict.toUpperCase()}: ${c.id} (${c.articleFigure}) — measured ${c.measured}`);
  }
  return problems;
}

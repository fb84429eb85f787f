/**
 * Moved to src/schema/claims.ts (run.json embeds the registry, so its schema sits with run.json's).
 * This re-export keeps src/run/run.ts compiling until it imports from there; nothing else uses it.
 */
export type { Claim, ClaimMetric, ClaimRule, ClaimsFile } from '../schema/claims.ts';

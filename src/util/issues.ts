/** zod issues as one "path: message" line per problem, the path written as in the file (load.steps.rates[1]). */
import type { z } from 'zod';

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}

/** `example` names a file that shows every valid field, for the unknown-key hint. */
export function formatIssues(issues: readonly z.core.$ZodIssue[], example?: string): string[] {
  return issues.flatMap((issue) => {
    const path = formatPath(issue.path) || '(top level)';
    if (issue.code === 'unrecognized_keys') {
      // One message per key: each is a separate mistake to fix.
      const hint = example ? ` (check the spelling; ${example} shows every field)` : '';
      return issue.keys.map((k) => `${path}: unknown key '${k}'${hint}`);
    }
    if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) {
      return [`${path}: required field is missing`];
    }
    return [`${path}: ${issue.message}`];
  });
}

/** How many problems an error prints, and how long one may be: a broken file must not fill a terminal (150,000 bad rates). */
export const MAX_PROBLEMS_SHOWN = 10;
export const MAX_PROBLEM_CHARS = 500;

/**
 * The problems to print: the first MAX_PROBLEMS_SHOWN, each cut at MAX_PROBLEM_CHARS, and a count
 * of the rest. The one cap for every error with a problem list (scenario, claims, run.json, flags).
 */
export function capProblems(problems: readonly string[]): string[] {
  const shown = problems.slice(0, MAX_PROBLEMS_SHOWN).map((p) => (p.length > MAX_PROBLEM_CHARS ? `${p.slice(0, MAX_PROBLEM_CHARS)}… (${p.length - MAX_PROBLEM_CHARS} more characters)` : p));
  if (problems.length > shown.length) shown.push(`… and ${problems.length - shown.length} more`);
  return shown;
}

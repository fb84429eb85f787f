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

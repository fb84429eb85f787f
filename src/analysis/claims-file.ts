/**
 * Loads a claims registry (scenarios/claims/*.yaml): YAML → ClaimsFileSchema → cross-field checks.
 * Every problem is collected and reported at once with its path (k6's config validation is the
 * model), as a ConfigError (exit code 2).
 */
import { ConfigError } from '../errors.ts';
import { checkTextSize, MAX_CONFIG_FILE_BYTES, readTextFileBounded } from '../util/bounded-read.ts';
import { parseYamlDocument, yamlToJs } from '../util/yaml.ts';
import { claimsProblems, ClaimsFileSchema, type ClaimsFile } from '../schema/claims.ts';
import { formatIssues } from '../util/issues.ts';

/**
 * The claims file's one reading rule (checked on the file, not on claims stored in older run.json
 * files, which predate it): every claim says how its wording is read, approximate figures all get the
 * same tolerance, and exact readings (bounds, fixed thresholds) get none.
 */
function readingProblems(file: ClaimsFile): string[] {
  const problems: string[] = [];
  const tolerances = new Map<number, string>();
  file.claims.forEach((claim, i) => {
    const reading = claim.reading;
    if (reading === undefined) {
      problems.push(`claims[${i}].reading: missing — say how the article's wording is read (wording: approximate, as-small-as, bound or threshold)`);
    } else if (reading.wording === 'approximate' || reading.wording === 'as-small-as') {
      if (reading.tolerance === undefined) problems.push(`claims[${i}].reading.tolerance: required for wording '${reading.wording}'`);
      else if (!tolerances.has(reading.tolerance)) tolerances.set(reading.tolerance, claim.id);
      if (reading.wording === 'as-small-as' && claim.rule.op !== 'lt' && claim.rule.op !== 'between') {
        problems.push(`claims[${i}].rule: wording 'as-small-as' needs op lt or between (the top of the article's range), not ${claim.rule.op}`);
      }
    } else {
      if (reading.tolerance !== undefined && reading.tolerance !== 0) problems.push(`claims[${i}].reading.tolerance: wording '${reading.wording}' is read exactly; remove the tolerance`);
      if (claim.rule.op === 'approx') problems.push(`claims[${i}].rule: op approx needs wording 'approximate'`);
    }
    if (claim.rule.op === 'approx' && claim.rule.tolerance !== undefined) {
      problems.push(`claims[${i}].rule.tolerance: the tolerance belongs in reading.tolerance (one rule for every approximate figure)`);
    }
  });
  if (tolerances.size > 1) {
    problems.push(`reading.tolerance: one tolerance for every approximate figure, found ${[...tolerances].map(([t, id]) => `${t} (${id})`).join(', ')}`);
  }
  return problems;
}

/** Pure: validates the text of a claims file; `path` only names the file in messages. */
export function parseClaimsFile(text: string, path: string): ClaimsFile {
  checkTextSize(text, `claims file ${path}`, MAX_CONFIG_FILE_BYTES);
  const document = parseYamlDocument(text, path, { prettyErrors: false });
  if (document.errors.length > 0) {
    throw new ConfigError(`${path}: not valid YAML`, {
      problems: document.errors.map((e) => e.message),
      hint: 'fix the YAML syntax at the positions above',
    });
  }
  const parsed = ClaimsFileSchema.safeParse(yamlToJs(document, path));
  const problems = parsed.success ? [...claimsProblems(parsed.data.claims), ...readingProblems(parsed.data)] : formatIssues(parsed.error.issues, 'scenarios/claims/article.yaml');
  if (!parsed.success || problems.length > 0) {
    throw new ConfigError(`${path}: invalid claims file (${problems.length} problem${problems.length === 1 ? '' : 's'})`, {
      problems,
      hint: 'see scenarios/claims/article.yaml for every field of a claim',
    });
  }
  return parsed.data;
}

export async function loadClaimsFile(path: string): Promise<ClaimsFile> {
  let text: string;
  try {
    text = await readTextFileBounded(path, MAX_CONFIG_FILE_BYTES, `claims file ${path}`);
  } catch (cause) {
    if (cause instanceof ConfigError) throw cause;
    throw new ConfigError(`cannot read claims file ${path}`, { cause, hint: 'check the `claims:` path in the scenario (relative to the scenario file)' });
  }
  return parseClaimsFile(text, path);
}

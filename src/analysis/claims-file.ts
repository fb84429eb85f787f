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
  const problems = parsed.success ? claimsProblems(parsed.data.claims) : formatIssues(parsed.error.issues, 'scenarios/claims/article.yaml');
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

/**
 * Handler line counts for the "fewer lines" claim: for each scenario target, the handler files of
 * its manifest (matched by Dockerfile) in the manifest's language, or the scenario's own `handler:`
 * (its extension picks the language; the only way for a url: target). A target whose lines cannot be
 * counted is recorded in `notCounted` with the reason, so the claim says why instead of the target
 * silently dropping out.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { countCodeLines, countedLanguage, COUNTED_LANGUAGES, languageOfPath, type SourceLanguage } from '../analysis/loc.ts';
import type { Scenario } from '../scenario/schema.ts';
import type { RunDocument } from '../schema/run.ts';
import { isDockerTarget } from '../targets/kinds.ts';
import { manifestForDockerfile, type TargetManifest } from '../targets/manifest.ts';

type Source = { files: string[]; language: SourceLanguage } | { notCounted: string };

function sourceOf(t: Scenario['targets'][number], manifests: readonly TargetManifest[]): Source {
  if (t.handler) {
    const language = languageOfPath(t.handler);
    return language ? { files: [t.handler], language } : { notCounted: `no line counter for ${path.posix.basename(t.handler)} (counted: ${COUNTED_LANGUAGES.join(', ')})` };
  }
  const manifest = isDockerTarget(t) ? manifestForDockerfile(manifests, t.dockerfile) : null;
  if (!manifest) {
    return { notCounted: isDockerTarget(t) ? `no target manifest builds from ${t.dockerfile} and the scenario gives no handler:` : 'a url: target needs handler: in the scenario' };
  }
  const language = countedLanguage(manifest.language);
  if (!language) return { notCounted: `language '${manifest.language}' (${manifest.dir}/target.yaml) has no line counter (counted: ${COUNTED_LANGUAGES.join(', ')})` };
  return { files: manifest.handlerPaths, language };
}

export async function countHandlerLines(scenario: Scenario, manifests: readonly TargetManifest[], projectRoot: string): Promise<RunDocument['source']> {
  const handlerLines: Record<string, number> = {};
  const notCounted: Record<string, string> = {};
  for (const t of scenario.targets) {
    const source = sourceOf(t, manifests);
    if ('notCounted' in source) {
      notCounted[t.name] = source.notCounted;
      continue;
    }
    let total = 0;
    for (const file of source.files) {
      const text = await readFile(path.resolve(projectRoot, file), 'utf8').catch(() => null);
      if (text === null) {
        notCounted[t.name] = `cannot read ${file}`;
        break;
      }
      total += countCodeLines(text, source.language);
    }
    if (!(t.name in notCounted)) handlerLines[t.name] = total;
  }
  if (Object.keys(handlerLines).length === 0 && Object.keys(notCounted).length === 0) return null;
  return Object.keys(notCounted).length > 0 ? { handlerLines, notCounted } : { handlerLines };
}

/**
 * What a target's Dockerfile says about its bases: the `ARG X_IMAGE=official` lines the harness
 * may override (with a stand-in, or a user's build arg). Pure text, so manifests, builds, base
 * probes and transfers read it without depending on each other.
 */

/**
 * `ARG X_IMAGE=default` lines before the first FROM: the overridable bases of a Dockerfile, and
 * whether the last FROM (the final stage) uses it.
 */
export function baseImageArgs(dockerfile: string): Array<{ arg: string; official: string; inFinalImage: boolean }> {
  const lines = dockerfile.split(/\r?\n/);
  const finalFrom = lines.filter((l) => /^\s*FROM\s/i.test(l)).at(-1) ?? '';
  const args: Array<{ arg: string; official: string; inFinalImage: boolean }> = [];
  for (const line of lines) {
    if (/^\s*FROM\s/i.test(line)) break;
    const match = /^\s*ARG\s+([A-Z0-9_]*IMAGE)=(\S+)\s*$/i.exec(line);
    if (match) {
      const arg = match[1]!;
      args.push({ arg, official: match[2]!, inFinalImage: new RegExp(`\\$\\{?${arg}\\b`).test(finalFrom) });
    }
  }
  return args;
}

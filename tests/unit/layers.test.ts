/**
 * No import points up the layers. Every module under src/ belongs to one layer (the longest matching
 * path below wins); a module may import its own layer and the layers below it, never one above.
 * Type-only imports count too: a type from a higher layer is a dependency on it all the same.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/util/project.ts';

/** Low to high. Files named explicitly sit lower than the rest of their folder. */
const LAYERS: ReadonlyArray<{ name: string; paths: readonly string[] }> = [
  { name: 'foundation', paths: ['errors.ts', 'util/'] },
  // The documents: run.json, verdicts.json, the claims registry and the scenario as types and zod
  // schemas (the scenario's schema embeds compare's thresholds section), and the histograms they carry.
  { name: 'documents', paths: ['schema/', 'samples/', 'scenario/schema.ts', 'compare/thresholds.ts'] },
  { name: 'analysis', paths: ['analysis/', 'compare/', 'ab/'] },
  { name: 'report', paths: ['report/'] },
  // Reading the scenario file, planning, Docker targets, load engines, live progress, the machine.
  { name: 'measurement', paths: ['scenario/', 'plan/', 'targets/', 'load/', 'progress/', 'setup/', 'environment.ts'] },
  { name: 'run', paths: ['run/'] },
  { name: 'cli', paths: ['cli/'] },
];

/** Layer index of a module path relative to src/ ("report/html.ts"); -1 when no layer claims it. */
function layerOf(file: string): number {
  let best = { index: -1, length: -1 };
  LAYERS.forEach((layer, index) => {
    for (const p of layer.paths) {
      const hit = p.endsWith('/') ? file.startsWith(p) : file === p;
      if (hit && p.length > best.length) best = { index, length: p.length };
    }
  });
  return best.index;
}

/** Relative specifiers of every static import/export-from, side-effect import and dynamic import. */
function importsOf(source: string): string[] {
  const patterns = [/\b(?:import|export)\s[^;]*?\bfrom\s*['"](\.{1,2}\/[^'"]+)['"]/g, /\bimport\s*['"](\.{1,2}\/[^'"]+)['"]/g, /\bimport\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g];
  return patterns.flatMap((re) => [...source.matchAll(re)].map((m) => m[1]!));
}

/** "from → to (layer → layer)" for every import that points up; files are paths relative to src/. */
function upwardImports(files: ReadonlyMap<string, string>): string[] {
  const out: string[] = [];
  for (const [file, source] of files) {
    const from = layerOf(file);
    for (const spec of importsOf(source)) {
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec));
      const to = layerOf(target);
      if (to > from) out.push(`${file} → ${target} (${LAYERS[from]!.name} → ${LAYERS[to]!.name})`);
    }
  }
  return out;
}

/** Every .ts file under src/, by path relative to src/ with "/" separators. */
function sourceFiles(): Map<string, string> {
  const root = path.join(PROJECT_ROOT, 'src');
  const files = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && entry.name.endsWith('.ts')) files.set(path.relative(root, full).split(path.sep).join('/'), readFileSync(full, 'utf8'));
    }
  };
  walk(root);
  return files;
}

describe('layers', () => {
  const files = sourceFiles();

  it('places every module of src/ in a layer', () => {
    expect(files.size).toBeGreaterThan(50);
    expect([...files.keys()].filter((f) => layerOf(f) === -1)).toEqual([]);
  });

  it('has no import pointing up the layers', () => {
    expect(upwardImports(files)).toEqual([]);
  });

  it('catches an upward import of every form, and allows the same layer and those below', () => {
    const bad = new Map([
      ['schema/x.ts', "import { a } from '../report/y.ts';"],
      ['analysis/x.ts', "import type { B } from '../load/types.ts';\nexport { c } from '../run/z.ts';"],
      ['util/x.ts', "const m = await import('../cli/main.ts');\nimport '../targets/side-effect.ts';"],
    ]);
    expect(upwardImports(bad)).toEqual([
      'schema/x.ts → report/y.ts (documents → report)',
      'analysis/x.ts → load/types.ts (analysis → measurement)',
      'analysis/x.ts → run/z.ts (analysis → run)',
      'util/x.ts → targets/side-effect.ts (foundation → measurement)',
      'util/x.ts → cli/main.ts (foundation → cli)',
    ]);
    const fine = new Map([
      ['report/x.ts', "import { a } from '../analysis/summary.ts';\nimport { b } from './common.ts';\nimport { z } from 'zod';"],
      ['schema/x.ts', "import type { Scenario } from '../scenario/schema.ts';"],
      ['scenario/x.ts', "import { s } from './schema.ts';\nimport { c } from '../compare/thresholds.ts';"],
    ]);
    expect(upwardImports(fine)).toEqual([]);
  });
});

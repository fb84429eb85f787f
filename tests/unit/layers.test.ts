/**
 * No import points up the layers, and no import cycle joins files. Every module under src/ belongs to
 * one layer (the longest matching path below wins); a module may import its own layer and the layers
 * below it, never one above. The layers follow the data: the configuration (what to measure) at the
 * bottom, then the histograms and the documents that carry them, the analysis of those documents,
 * their rendering, the measurement that produces them, the run that owns it, the CLI on top.
 * Type-only imports count too: a type from a higher layer is a dependency on it all the same. Inside
 * one layer (or one folder) files may import each other, but never in a loop.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/util/project.ts';

/** Low to high. Files named explicitly sit lower than the rest of their folder. */
const LAYERS: ReadonlyArray<{ name: string; paths: readonly string[] }> = [
  { name: 'foundation', paths: ['errors.ts', 'util/'] },
  // The scenario file: its schema (compare's thresholds section included), its rules and its loading.
  { name: 'configuration', paths: ['scenario/'] },
  // HDR histograms and the percentiles they yield.
  { name: 'samples', paths: ['samples/'] },
  // The documents: run.json, verdicts.json and the claims registry as types and zod schemas.
  { name: 'documents', paths: ['schema/'] },
  { name: 'analysis', paths: ['analysis/', 'compare/', 'ab/'] },
  { name: 'report', paths: ['report/'] },
  // Planning, Docker targets, load engines, live progress, the machine.
  { name: 'measurement', paths: ['plan/', 'targets/', 'load/', 'progress/', 'setup/', 'environment.ts'] },
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

/** Every file's imports of other files under src/, as paths relative to src/. */
function importGraph(files: ReadonlyMap<string, string>): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const [file, source] of files) {
    graph.set(file, importsOf(source).map((spec) => path.posix.normalize(path.posix.join(path.posix.dirname(file), spec))));
  }
  return graph;
}

/**
 * Import cycles between files, each as "a.ts → b.ts → a.ts" starting from its smallest path: the
 * strongly connected components of the import graph (Tarjan), one cycle named per component.
 */
function importCycles(files: ReadonlyMap<string, string>): string[] {
  const graph = importGraph(files);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      const selfLoop = (graph.get(v) ?? []).includes(v);
      if (component.length > 1 || selfLoop) components.push(component);
    }
  };
  for (const file of [...graph.keys()].sort()) if (!index.has(file)) visit(file);
  return components.map((component) => {
    const members = new Set(component);
    const start = [...component].sort()[0]!;
    // One loop through the component: from the start, follow imports inside it until back at the start.
    const pathTo = (from: string): string[] => {
      const seen = new Map<string, string>();
      const queue = [from];
      while (queue.length > 0) {
        const v = queue.shift()!;
        for (const w of [...(graph.get(v) ?? [])].sort()) {
          if (!members.has(w)) continue;
          if (w === start) {
            const loop = [w];
            for (let u: string | undefined = v; u !== undefined && u !== start; u = seen.get(u)) loop.unshift(u);
            return [start, ...loop];
          }
          if (!seen.has(w) && w !== from) {
            seen.set(w, v);
            queue.push(w);
          }
        }
      }
      return [start, start];
    };
    return pathTo(start).join(' → ');
  }).sort();
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

  it('has no import cycle between files, inside a folder or across folders', () => {
    expect(importCycles(files)).toEqual([]);
  });

  it('finds a cycle inside a folder, across folders and through type-only imports, and passes a tree', () => {
    const loops = new Map([
      ['run/a.ts', "import { b } from './b.ts';"],
      ['run/b.ts', "import type { A } from './a.ts';"],
      ['targets/x.ts', "import { y } from '../load/y.ts';"],
      ['load/y.ts', "import { z } from '../targets/z.ts';"],
      ['targets/z.ts', "export { x } from './x.ts';"],
      ['util/self.ts', "import { s } from './self.ts';"],
    ]);
    expect(importCycles(loops)).toEqual(['load/y.ts → targets/z.ts → targets/x.ts → load/y.ts', 'run/a.ts → run/b.ts → run/a.ts', 'util/self.ts → util/self.ts']);
    const tree = new Map([
      ['run/a.ts', "import { b } from './b.ts';\nimport { c } from '../util/c.ts';"],
      ['run/b.ts', "import { c } from '../util/c.ts';"],
      ['util/c.ts', "import { z } from 'zod';"],
    ]);
    expect(importCycles(tree)).toEqual([]);
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
      ['schema/x.ts', "import type { Scenario } from '../scenario/schema.ts';\nimport { h } from '../samples/histogram.ts';"],
      ['scenario/x.ts', "import { s } from './schema.ts';\nimport { c } from '../util/cpuset.ts';"],
    ]);
    expect(upwardImports(fine)).toEqual([]);
    // Configuration is the bottom: it reads nothing of the analysis, the documents or the histograms.
    const upFromConfiguration = new Map([
      ['scenario/x.ts', "import { c } from '../compare/thresholds.ts';\nimport { m } from '../analysis/step-rules.ts';"],
      ['samples/x.ts', "import type { P } from '../schema/run.ts';"],
    ]);
    expect(upwardImports(upFromConfiguration)).toEqual([
      'scenario/x.ts → compare/thresholds.ts (configuration → analysis)',
      'scenario/x.ts → analysis/step-rules.ts (configuration → analysis)',
      'samples/x.ts → schema/run.ts (samples → documents)',
    ]);
  });
});

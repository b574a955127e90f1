// The tree shows the architecture: generators/ holds one folder per layer, and every import
// points down (or stays in its layer): cli (argument parsing and the command files) → engines
// (create, regen, update, remove, check: no printing) → render → model → plumbing. A feature
// folder (presets/) keeps one concern together, split by the same layers: presets/cli/ is in
// the cli layer, presets/engines/ in engines, presets/model/ in model.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const GENERATORS = fileURLToPath(new URL('../../generators/', import.meta.url));
/** Top to bottom. */
const LAYERS = ['cli', 'engines', 'render', 'model', 'plumbing'];
/** Folders of one concern, each holding layer folders only. */
const FEATURES = ['presets'];

/** The layer of a path under generators/ (its first folder, or the second under a feature folder); -1 outside the layers. */
function layerOf(path: string): number {
  const [first, second] = relative(GENERATORS, path).split('/');
  return LAYERS.indexOf((FEATURES.includes(first!) ? second : first)!);
}

const modules = [...LAYERS, ...FEATURES.flatMap((f) => readdirSync(join(GENERATORS, f)).map((l) => `${f}/${l}`))].flatMap((folder) =>
  // Sub-folders too (engines/check/): they belong to their layer.
  readdirSync(join(GENERATORS, folder), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(GENERATORS, folder, f)),
);

test('generators/ holds only the layer folders and the feature folders', () => {
  assert.equal(readdirSync(GENERATORS).sort(), [...LAYERS, ...FEATURES].sort());
});

test('a feature folder holds only layer folders', () => {
  for (const f of FEATURES) {
    const stray = readdirSync(join(GENERATORS, f)).filter((e) => !LAYERS.includes(e));
    assert.equal(stray, [], `generators/${f}/ holds ${stray.join(', ')}: put each piece in the folder of its layer`);
  }
});

test('the layer of a file: its folder, or its folder under a feature folder', () => {
  assert.is(layerOf(join(GENERATORS, 'cli/cli.ts')), 0);
  assert.is(layerOf(join(GENERATORS, 'engines/check/record.ts')), 1);
  assert.is(layerOf(join(GENERATORS, 'presets/model/preset.ts')), 3);
  assert.is(layerOf(join(GENERATORS, 'presets/engines/preset-load.ts')), 1);
  assert.is(layerOf(join(GENERATORS, '../bin/cli.ts')), -1);
});

test('every import of generators/ points down or stays in its layer', () => {
  const upward: string[] = [];
  for (const file of modules) {
    const from = layerOf(file);
    for (const m of readFileSync(file, 'utf8').matchAll(/(?:from|import\()\s*'(\.{1,2}\/[^']+)'/g)) {
      const target = resolve(dirname(file), m[1]!);
      const to = layerOf(target);
      assert.ok(to >= 0, `${relative(GENERATORS, file)} imports ${m[1]} outside generators/`);
      if (to < from) upward.push(`${relative(GENERATORS, file)} → ${relative(GENERATORS, target)}`);
    }
  }
  assert.equal(upward, [], `imports pointing up:\n${upward.join('\n')}`);
});

/** Every relative import of a module (static, dynamic and type-only), as absolute paths of .ts files. */
function importsOf(file: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(/(?:from|import\()\s*'(\.{1,2}\/[^']+)'/g)].map((m) =>
    resolve(dirname(file), m[1]!).replace(/\.js$/, '.ts'),
  );
}

test('no import circle anywhere in generators/', () => {
  const graph = new Map(modules.map((f) => [f, importsOf(f)]));
  const circles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const visit = (f: string, path: string[]): void => {
    if (state.get(f) === 'done') return;
    if (state.get(f) === 'open') {
      circles.push([...path.slice(path.indexOf(f)), f].map((p) => relative(GENERATORS, p)).join(' → '));
      return;
    }
    state.set(f, 'open');
    for (const to of graph.get(f) ?? []) visit(to, [...path, f]);
    state.set(f, 'done');
  };
  for (const f of modules) visit(f, []);
  assert.equal(circles, [], `import circles:\n${circles.join('\n')}`);
});

test.run();

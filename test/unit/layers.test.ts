// The tree shows the architecture: generators/ holds one folder per layer, and every import
// points down (or stays in its folder): cli (argument parsing and the command files) → engines
// (create, regen, update, remove, check: no printing) → render → model → plumbing.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const GENERATORS = fileURLToPath(new URL('../../generators/', import.meta.url));
/** Top to bottom. */
const LAYERS = ['cli', 'engines', 'render', 'model', 'plumbing'];

const modules = LAYERS.flatMap((layer) =>
  // Sub-folders too (engines/check/): they belong to their layer.
  readdirSync(join(GENERATORS, layer), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(GENERATORS, layer, f)),
);

test('generators/ holds only the layer folders', () => {
  assert.equal(readdirSync(GENERATORS).sort(), [...LAYERS].sort());
});

test('every import of generators/ points down or stays in its layer', () => {
  const upward: string[] = [];
  for (const file of modules) {
    const from = LAYERS.indexOf(relative(GENERATORS, file).split('/')[0]!);
    for (const m of readFileSync(file, 'utf8').matchAll(/(?:from|import\()\s*'(\.{1,2}\/[^']+)'/g)) {
      const target = resolve(dirname(file), m[1]!);
      const to = LAYERS.indexOf(relative(GENERATORS, target).split('/')[0]!);
      assert.ok(to >= 0, `${relative(GENERATORS, file)} imports ${m[1]} outside generators/`);
      if (to < from) upward.push(`${relative(GENERATORS, file)} → ${relative(GENERATORS, target)}`);
    }
  }
  assert.equal(upward, [], `imports pointing up:\n${upward.join('\n')}`);
});

/** Every relative import of a module (static, dynamic and type-only), as absolute paths of .ts files. */
function importsOf(file: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(/(?:from|import\()\s*'(\.{1,2}\/[^']+)'/g)].map((m) => resolve(dirname(file), m[1]!).replace(/\.js$/, '.ts'));
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

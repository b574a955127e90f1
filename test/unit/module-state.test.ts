// What is generated or checked is a function of its inputs: no module of generators/ keeps
// state that changes it. Module-level `let`s and mutable collections are allowed only where this
// list says why (lazy-loaded modules, caches keyed by their inputs, a process's own I/O state).
// A new one fails here until it is justified, or turned into a value passed along.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const GENERATORS = fileURLToPath(new URL('../../generators/', import.meta.url));

const ALLOWED: Record<string, string> = {
  'model/validate.ts newestCached': 'the local Go version, read once per process (the machine, not the inputs)',
  'model/templates-digest.ts ofThisBuild': 'the digest of this source tree, computed once per process (the bundle has it inlined)',
  'render/render.ts env': 'the Handlebars environment with our helpers, made once',
  'render/render.ts cache': 'compiled templates keyed by template path',
  'cli/regen-command.ts prompts': 'the prompts module, loaded lazily',
  'cli/create.ts prompts': 'the prompts module, loaded lazily',
  'cli/cli.ts out': "the running command's output, for the signal handlers",
  'cli/cli.ts interrupted': 'whether a signal arrived, for the exit code',
  'cli/prompts.ts gate': 'the terminal line reader shared by every prompt of the process',
  'presets/model/preset-schema.ts schema': "the preset manifest's schema, read once (a file of the package)",
  'presets/model/preset-schema.ts compiled': 'its validator, compiled once by ajv (the unbundled module only)',
  'plumbing/lazy-inquirer.ts loading': 'inquirer, loaded lazily',
  'plumbing/npm-package.ts fetched': 'fetched packages keyed by their origin (an exact version never changes; others: once per process)',
  'plumbing/npm-package.ts scratch': 'temporary folders to remove at exit',
  'plumbing/write.ts inProgress': 'writes to undo if a signal arrives',
  'plumbing/write.ts held': 'writes held until a signal is handled',
};

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Top-level `let x` and `const x = new Map/Set(...)` or `= []` (without a literal list of values). */
function moduleState(text: string): string[] {
  const names: string[] = [];
  for (const m of text.matchAll(/^let ([A-Za-z_$][\w$]*)/gm)) names.push(m[1]!);
  for (const m of text.matchAll(/^const ([A-Za-z_$][\w$]*)(?:: [^=]+)? = (?:new (?:Map|Set|WeakMap)(?:<[^>]*>)?\(\)|\[\])/gm))
    names.push(m[1]!);
  return names;
}

test('no module of generators/ keeps state that is not listed with its reason', () => {
  const found = walk(GENERATORS).flatMap((f) => moduleState(readFileSync(f, 'utf8')).map((n) => `${relative(GENERATORS, f)} ${n}`));
  const unlisted = found.filter((k) => !(k in ALLOWED));
  assert.equal(unlisted, [], `module state without a reason (pass it as a value, or list it here): ${unlisted.join(', ')}`);
  const stale = Object.keys(ALLOWED).filter((k) => !found.includes(k));
  assert.equal(stale, [], `listed but gone: ${stale.join(', ')}`);
});

test('the detector sees a module-level let and an empty mutable collection', () => {
  assert.equal(
    moduleState('let active: X | undefined;\nconst m = new Map<string, X>();\nconst l: string[] = [];\nconst s = new Set([1]);\n'),
    ['active', 'm', 'l'],
  );
});

test.run();

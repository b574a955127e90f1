// test-budget: 300 s (builds test/tools/modfmt once, from the module cache)
// generators/plumbing/gomod.ts is a TypeScript port of golang.org/x/mod/modfile's reader and
// printer. It is held to modfile itself (test/tools/modfmt) on every go.mod the templates can
// produce (go 1.25|1.26 × database × metrics × tracing) and on those files edited the ways
// teams edit them (go get of a new module, a bumped module, a replace, a toolchain line, an
// exclude, a tool, comments):
// - both read the same meaning (module, go, toolchain, every require with its indirect flag,
//   replace, exclude, retract, tool, godebug);
// - what the port writes reads back to the same meaning in modfile, and modfile's Format leaves
//   it byte for byte as it is (the port writes modfile's canonical form);
// - both refuse the same broken files;
// - a structure-aware merge of each edited file with a generator bump yields what modfile reads
//   as the union, at the higher versions.
import { execa } from 'execa';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatGoMod, meaningOf, parseGoMod, type GoModMeaning } from '../../generators/plumbing/gomod.js';
import { mergeFile } from '../../generators/plumbing/merge-file.js';
import { render } from '../support/generate.js';
import { goEnv } from '../support/go.js';

const MODFMT_SRC = fileURLToPath(new URL('../tools/modfmt/', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'cgks-modfmt-'));
const modfmt = join(work, 'modfmt');

interface ModfileResult {
  meaning?: GoModMeaning;
  formatted?: string;
  error?: string;
}

let built = false;
async function modfile(texts: string[]): Promise<ModfileResult[]> {
  if (!built) {
    const b = await execa('go', ['build', '-o', modfmt, '.'], {
      cwd: MODFMT_SRC,
      env: goEnv({ flags: '-mod=mod' }),
      reject: false,
      all: true,
    });
    assert.is(b.exitCode, 0, `building test/tools/modfmt: ${b.all}`);
    built = true;
  }
  const files = texts.map((t, i) => {
    const p = join(work, `go-${i}.mod`);
    writeFileSync(p, t);
    return p;
  });
  const r = await execa(modfmt, files, { reject: false });
  assert.is(r.exitCode, 0, r.stderr);
  return r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as ModfileResult);
}

const COMBOS = ['1.25', '1.26'].flatMap((goVersion) =>
  [false, true].flatMap((postgres) =>
    [false, true].flatMap((metrics) =>
      [false, true].map((tracing) => ({ goVersion, database: postgres ? ('postgres' as const) : ('none' as const), metrics, tracing })),
    ),
  ),
);
const rendered = COMBOS.map((c) => ({ name: JSON.stringify(c), text: render(c).find((f) => f.path === 'go.mod')!.content }));

/** The edits teams make, each applied to a rendered go.mod. */
const EDITS: { name: string; edit: (text: string) => string }[] = [
  { name: 'go get of a new module', edit: (t) => t.replace('require (\n', 'require (\n\tgithub.com/google/go-cmp v0.7.0\n') },
  { name: 'a bumped module', edit: (t) => t.replace(/github.com\/rs\/zerolog v[\d.]+/, 'github.com/rs/zerolog v1.36.0') },
  { name: 'a replace', edit: (t) => `${t}\nreplace github.com/rs/zerolog => ../zerolog\n` },
  {
    name: 'a versioned replace block',
    edit: (t) =>
      `${t}\nreplace (\n\tgithub.com/rs/zerolog v1.35.1 => github.com/example/zerolog v1.35.2\n\tgo.uber.org/automaxprocs => ./third_party/automaxprocs // vendored\n)\n`,
  },
  { name: 'a toolchain line', edit: (t) => t.replace(/^(go [\d.]+)$/m, '$1\n\ntoolchain go1.26.9') },
  { name: 'an exclude and a tool', edit: (t) => `${t}\nexclude github.com/rs/zerolog v1.30.0\n\ntool golang.org/x/tools/cmd/stringer\n` },
  {
    name: 'comments above and beside',
    edit: (t) =>
      t
        .replace('require (\n', '// Direct dependencies.\nrequire (\n\t// Logging.\n')
        .replace(/(github.com\/rs\/zerolog v[\d.]+)/, '$1 // pinned: see ADR-7'),
  },
  {
    name: 'a quoted path and a pseudo-version',
    edit: (t) => t.replace('require (\n', 'require (\n\t"github.com/google/go-cmp" v0.0.0-20240101000000-abcdefabcdef\n'),
  },
  { name: 'a godebug and a retract', edit: (t) => `${t}\ngodebug default=go1.21\n\nretract [v1.0.0, v1.0.5]\n` },
];

const edited = rendered.flatMap((r) => EDITS.map((e) => ({ name: `${r.name} + ${e.name}`, text: e.edit(r.text) })));

test("modfile and the port read every rendered and edited go.mod the same, and the port writes modfile's canonical form", async () => {
  const cases = [...rendered, ...edited];
  const theirs = await modfile(cases.map((c) => c.text));
  const written = cases.map((c) => formatGoMod(parseGoMod(c.text)));
  const again = await modfile(written);
  cases.forEach((c, i) => {
    assert.is(theirs[i]!.error, undefined, `${c.name}: modfile refused it`);
    assert.equal(meaningOf(parseGoMod(c.text)), theirs[i]!.meaning, `${c.name}: meaning`);
    assert.equal(again[i]!.meaning, theirs[i]!.meaning, `${c.name}: what the port wrote means the same to modfile`);
    assert.is(again[i]!.formatted, written[i], `${c.name}: modfile.Format changes what the port wrote`);
  });
  assert.is(cases.length, 16 * (1 + EDITS.length));
});

test('the port refuses what modfile refuses', async () => {
  const broken = [
    'module example.com/m\n\nrequire (\n\tgithub.com/a/b v1.0.0\n',
    'module example.com/m\n\nfrobnicate example.com/x\n',
    'module example.com/m\n\nrequire github.com/a/b\n',
    'module example.com/m\n/* block */\n',
    'module example.com/m\n\nrequire <<<<<<< ours\n',
  ];
  const theirs = await modfile(broken);
  broken.forEach((text, i) => {
    assert.ok(theirs[i]!.error, `modfile accepts case ${i}`);
    assert.throws(() => meaningOf(parseGoMod(text)), undefined, `the port accepts case ${i}: ${text}`);
  });
});

test("merging a team's go get with a generator bump yields the union at the higher versions, as modfile reads it", async () => {
  const [base26, theirs26] = [rendered[8]!.text, rendered[15]!.text]; // 1.26 plain → 1.26 with everything
  const ours = base26
    .replace('require (\n', 'require (\n\tgithub.com/google/go-cmp v0.7.0\n')
    .replace(/github.com\/rs\/zerolog v[\d.]+/, 'github.com/rs/zerolog v1.99.0');
  const theirs = theirs26.replace(/github.com\/rs\/zerolog v[\d.]+/, 'github.com/rs/zerolog v1.36.0');
  const m = mergeFile('go.mod', ours, base26, theirs);
  assert.is(m.fellBack, undefined);
  assert.is(m.conflicts, 0);
  const [read] = await modfile([m.text]);
  assert.is(read!.error, undefined, m.text);
  const versions = new Map(read!.meaning!.require.map((r) => [r.path, r.version]));
  assert.is(versions.get('github.com/google/go-cmp'), 'v0.7.0', "the team's module stays");
  assert.is(versions.get('github.com/rs/zerolog'), 'v1.99.0', 'both changed: the higher version');
  assert.is(versions.get('github.com/jackc/pgx/v5'), 'v5.13.0', "the generator's new module arrives");
  assert.is(read!.formatted, m.text);
});

test.after(() => rmSync(work, { recursive: true, force: true }));
test.run();

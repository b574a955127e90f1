// Presets in-process: the example preset loads as the README describes it; preset templates
// compile at once (a broken one is found before anything renders); patches apply to our
// rendered text (append, before, after, replace a line) and follow our templates' conditions.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadPreset } from '../../generators/presets/engines/preset-load.js';
import { withPreset, type Patch, type Preset } from '../../generators/presets/model/preset.js';
import { compileTemplate, renderAll } from '../../generators/render/render.js';
import { answersFor } from '../support/generate.js';
import { EXAMPLE } from '../support/preset.js';

test('the example preset loads: its defaults, lock, questions, templates, patches and conventions', () => {
  const p = loadPreset(EXAMPLE, { cwd: process.cwd() });
  assert.is(p.name, '@acme/go-service-preset');
  assert.is(p.version, '1.0.0');
  assert.equal(Object.keys(p.defaults), ['module', 'image', 'ci']);
  assert.equal(p.locked, ['ci']);
  assert.equal(
    p.questions.map((q) => [q.key, q.default]),
    [
      ['team', undefined],
      ['costCentre', 'CC-0000'],
    ],
  );
  assert.equal(
    p.templates.map((t) => [t.file, t.path]),
    [
      ['templates/CODEOWNERS.hbs', 'CODEOWNERS'],
      ['templates/dot_editorconfig.hbs', '.editorconfig'],
    ],
  );
  assert.equal(
    p.patches.map((x) => [x.file, x.kind]),
    [
      ['.gitlab-ci.yml', 'before'],
      ['charts/<name>/values.yaml', 'replace'],
      ['Makefile', 'append'],
    ],
  );
  assert.equal(
    p.conventions.map((c) => c.id),
    ['team-label', 'no-latest-tag'],
  );
});

test('a preset template fails when compiled, not when first rendered', () => {
  assert.throws(() => compileTemplate('{{#if preset.team}}'), /Parse error/);
  assert.throws(() => compileTemplate('{{upper name}}'), /unknown helper upper/);
});

function presetWith(patches: Omit<Patch, 'where'>[]): Preset {
  return {
    name: 'p',
    version: '1.0.0',
    source: './p',
    defaults: {},
    locked: [],
    questions: [],
    templates: [],
    conventions: [],
    patches: patches.map((x, i) => ({ ...x, where: `patches[${i}]` })),
  };
}

test('patches: before, after and replace one literal line; append at the end; only on files the answers generate', () => {
  const a = answersFor({ ci: 'github' });
  const plain = new Map(renderAll(a).map((r) => [r.path, r.content]));
  const withPatches = withPreset(a, {
    preset: presetWith([
      { file: '.dockerignore', kind: 'before', line: '.git', text: () => '# before\n' },
      { file: '.dockerignore', kind: 'after', line: '.git', text: () => '# after' },
      { file: '.gitignore', kind: 'replace', line: '/bin/', text: () => '/bin/\n/out/\n' },
      { file: 'go.mod', kind: 'append', text: () => '// appended\n' },
      { file: '.gitlab-ci.yml', kind: 'append', text: () => 'never: rendered\n' },
    ]),
    answers: {},
  });
  const patched = new Map(renderAll(withPatches).map((r) => [r.path, r.content]));
  assert.is(patched.get('.dockerignore'), plain.get('.dockerignore')!.replace(/^\.git$/m, '# before\n.git\n# after'));
  assert.is(patched.get('.gitignore'), plain.get('.gitignore')!.replace(/^\/bin\/$/m, '/bin/\n/out/'));
  assert.is(patched.get('go.mod'), `${plain.get('go.mod')}// appended\n`);
  assert.not.ok(patched.has('.gitlab-ci.yml'));
});

test.run();

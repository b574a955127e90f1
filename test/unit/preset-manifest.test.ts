// go-k8s-service-preset.yaml has a JSON Schema (schema/go-k8s-service-preset.schema.json, for
// editors too); a manifest that does not fit it is refused with one line naming the preset, the
// place and the rule, the same line the hand-written checks gave before the schema.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { starterFiles } from '../../generators/presets/cli/preset-init.js';
import { loadPreset } from '../../generators/presets/engines/preset-load.js';
import { EXAMPLE, presetCopy } from '../support/preset.js';
import { repoRoot } from '../support/tools.js';

const SCHEMA = 'schema/go-k8s-service-preset.schema.json';
const P = 'preset @acme/go-service-preset 1.0.0: go-k8s-service-preset.yaml';

/** The refusal loading the example preset with `manifest` (YAML) as its manifest gives. */
function refusal(manifest: string): string {
  const dir = presetCopy((d) => writeFileSync(join(d, 'go-k8s-service-preset.yaml'), manifest));
  try {
    loadPreset(dir, { cwd: dir });
  } catch (err) {
    return (err as Error).message;
  }
  return 'loaded';
}

const q = (extra: string) => `questions:\n  - key: team\n    message: Team\n${extra}`;
const conv = (extra: string) => `conventions:\n  - id: team-label\n    file: Makefile\n    message: Says it\n${extra}`;

const CASES: [manifest: string, line: string][] = [
  ['- a\n- b\n', `${P} must be a map of keys to values`],
  ['overlays: []\n', `${P}: unknown key "overlays" (known: defaults, locked, questions, patches, conventions, waivers, catalog)`],
  ['defaults: [a]\n', `${P}: defaults must be a map of keys to values`],
  ['defaults:\n  port: [1]\n', `${P}: defaults.port must be a string, a number or true/false`],
  ['locked: ci\n', `${P}: locked must be a list of answer names`],
  ['locked: [5]\n', `${P}: locked: unknown answer 5`],
  ['questions: {}\n', `${P}: questions must be a list`],
  ['questions: [5]\n', `${P}: questions[0] must be a map of keys to values`],
  ['questions:\n  - key: Team\n    message: x\n', `${P}: questions[0]: key must be a camelCase name like costCentre`],
  ['questions:\n  - message: x\n', `${P}: questions[0]: key must be a camelCase name like costCentre`],
  ['questions:\n  - key: team\n', `${P}: questions[0] (team): message must be text`],
  ['questions:\n  - key: team\n    message: ""\n', `${P}: questions[0] (team): message must be text`],
  [q('    colour: red\n'), `${P}: questions[0]: unknown key "colour" (known: key, message, type, choices, default, pattern, multiline)`],
  [q('    type: number\n'), `${P}: questions[0] (team): type must be string, choice or boolean`],
  [q('    type: choice\n    choices: []\n'), `${P}: questions[0] (team): choices must be a list of strings`],
  [q('    type: choice\n    choices: [a, 5]\n'), `${P}: questions[0] (team): choices must be a list of strings`],
  [q('    pattern: 5\n'), `${P}: questions[0] (team): pattern must be a regular expression, for type: string`],
  [q('    multiline: yes please\n'), `${P}: questions[0] (team): multiline only goes with type: string`],
  ['patches:\n  - append: x\n', `${P}: patches[0]: file must name a generated file, like Makefile or charts/<name>/values.yaml`],
  ['patches:\n  - file: Makefile\n    append: 5\n', `${P}: patches[0] (Makefile): append must be text`],
  [
    'patches:\n  - file: Makefile\n    before: "a\\nb"\n    insert: x\n',
    `${P}: patches[0] (Makefile): before must be one literal line of the file`,
  ],
  ['conventions:\n  - id: Team\n', `${P}: conventions[0]: id must be lower-case words joined by -, like team-label`],
  ['conventions:\n  - id: team-label\n    file: Makefile\n', `${P}: conventions[0] (team-label): message must say what the rule asks`],
  [conv('    require: 5\n'), `${P}: conventions[0] (team-label): require is not a regular expression: must be text`],
  ['waivers: 5\n', `${P}: waivers must be a map of keys to values`],
  ['waivers:\n  maxdays: 3\n', `${P}: waivers: unknown key "maxdays" (known: maxDays, unwaivable, require)`],
  ['waivers:\n  maxDays: 1.5\n', `${P}: waivers.maxDays must be a whole number of days from 1`],
  ['waivers:\n  unwaivable: [5]\n', `${P}: waivers.unwaivable must be a list of names`],
  ['waivers:\n  require: [file, colour]\n', `${P}: waivers.require: "colour" is not a waiver field that may be required (file, message)`],
  ['catalog:\n  sourceLocation: ""\n', `${P}: catalog.sourceLocation must be a URL template, like https://code.acme.example/{{module}}`],
  ['catalog:\n  url: x\n', `${P}: catalog: unknown key "url" (known: sourceLocation)`],
];

for (const [manifest, line] of CASES) {
  test(`refused with one line: ${JSON.stringify(manifest)}`, () => {
    assert.is(refusal(manifest), line);
  });
}

test('the example preset fits the schema, and its manifest names the schema for editors', () => {
  assert.is(refusal(readFileSync(join(EXAMPLE, 'go-k8s-service-preset.yaml'), 'utf8')), 'loaded');
  assert.match(
    readFileSync(join(EXAMPLE, 'go-k8s-service-preset.yaml'), 'utf8'),
    /^# yaml-language-server: \$schema=\S*schema\/go-k8s-service-preset\.schema\.json$/m,
  );
});

test('the starter manifest of preset init fits the schema, and names it where npm install puts it', () => {
  const manifest = starterFiles('acme-preset').find((f) => f.path === 'go-k8s-service-preset.yaml')!.content;
  assert.is(refusal(manifest), 'loaded');
  assert.is(manifest.split('\n')[0], `# yaml-language-server: $schema=./node_modules/create-go-k8s-service/${SCHEMA}`);
});

test('the schema is published with the package and names every key the loader reads', () => {
  const pkg = JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8')) as { files: string[] };
  assert.ok(
    pkg.files.some((f) => SCHEMA.startsWith(f)),
    `package.json files does not publish ${SCHEMA}`,
  );
  const schema = JSON.parse(readFileSync(join(repoRoot(), SCHEMA), 'utf8'));
  assert.equal(Object.keys(schema.properties), ['defaults', 'locked', 'questions', 'patches', 'conventions', 'waivers', 'catalog']);
});

test.run();

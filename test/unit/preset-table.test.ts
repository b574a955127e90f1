// docs/presets.md's "What a preset can and cannot do" is a contract: every row of its table is
// proven by tests that exist. A row added without its tests, or a test renamed away from its
// row, fails here (the tests themselves prove the behaviour).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const root = fileURLToPath(new URL('../..', import.meta.url));
// Test titles in single-quoted sources escape their apostrophes.
const read = (p: string) => readFileSync(join(root, p), 'utf8').replaceAll("\\'", "'");

/** Each row (by its first cell) → the test files and the words of the tests that prove it. */
const PROOF: Record<string, [file: string, title: string][]> = {
  'set a default for any question but `name`': [
    ['test/cli/preset.test.ts', "create --preset: the preset's defaults, locked CI, its files, patches and replaced template"],
    ['test/cli/preset.test.ts', 'a default that breaks our rule'],
  ],
  'lock answers': [
    ['test/cli/preset.test.ts', 'create --preset: a locked answer given as a flag or in the answers file is refused'],
    ['test/cli/preset.test.ts', 'regen refuses to change a locked answer, naming the flag and the preset'],
    ['test/cli/preset-answers.test.ts', 'regen refuses a record whose answer contradicts a lock of its preset'],
    ['test/cli/preset-answers.test.ts', 'update refuses the same record'],
    ['test/cli/preset-answers.test.ts', 'check reports a record that contradicts a lock under the rule preset-lock'],
  ],
  'ask its own questions': [
    ['test/cli/preset.test.ts', "create --preset: the preset's questions from the answers file, checked by their rules"],
    ['test/cli/preset-answers.test.ts', 'a preset answer is one line'],
    ['test/cli/preset-answers.test.ts', 'a question with multiline: true takes several lines'],
    ['test/cli/preset-answers.test.ts', 'every place a preset answer reaches renders'],
  ],
  'add files': [
    ['test/cli/preset-confinement.test.ts', 'create refuses a hostile preset, exit 2, one line, nothing written'],
    ['test/cli/preset-confinement.test.ts', '.git/config with core.fsmonitor, as dot_git'],
    ['test/cli/preset-confinement.test.ts', 'a symlinked folder'],
    ['test/cli/preset-confinement.test.ts', 'the waivers file .go-k8s-service/waivers.yaml'],
    ['test/cli/preset-confinement.test.ts', 'a template over 1 MiB'],
    ['test/cli/preset-confinement.test.ts', 'update --preset refuses a version 2 that writes into .git'],
    ['test/cli/preset-confinement.test.ts', 'a preset file whose name only resembles a reserved one is written as usual'],
  ],
  'replace our templates': [['test/cli/preset.test.ts', 'replaced template']],
  'patch our output': [
    ['test/cli/preset.test.ts', 'a patch whose line is not there'],
    ['test/cli/preset.test.ts', 'a patch of a file nobody writes'],
  ],
  'add conventions to `check`': [
    ['test/cli/preset.test.ts', "check enforces the preset's conventions beside its own"],
    ['test/cli/preset.test.ts', 'a convention named like a rule of check'],
    ['test/cli/preset-waivers.test.ts', "check counts the preset's conventions in its summary"],
  ],
  'set a waiver policy': [
    ['test/cli/preset-waivers.test.ts', 'waives nothing and is reported under record'],
    ['test/cli/preset-waivers.test.ts', 'record and preset-lock cannot be waived, with or without a preset'],
    ['test/cli/preset-waivers.test.ts', 'a bad policy in the manifest is refused when the preset loads'],
    ['test/cli/preset-waivers.test.ts', 'SARIF: a waived preset convention has its rule in tool.driver.rules'],
  ],
  'name its code host': [['test/cli/preset-answers.test.ts', 'a preset gives the source location of its own code host']],
  'move teams to a new version': [
    ['test/cli/preset.test.ts', "update --preset v2: the preset's changes merge with the team's edits (3-way)"],
    ['test/cli/preset.test.ts', 'regen refuses another version of the preset: update takes it'],
  ],
};

function rows(): string[] {
  const page = read('docs/presets.md');
  const start = page.indexOf('## What a preset can and cannot do');
  const end = page.indexOf('\n## ', start + 1);
  assert.ok(start >= 0 && end > start, 'docs/presets.md has the section');
  return page
    .slice(start, end)
    .split('\n')
    .filter((l) => l.startsWith('| ') && !l.startsWith('| a preset can |') && !l.startsWith('|---'))
    .map((l) => l.split(' | ')[0]!.slice(2).trim());
}

test('every row of the preset table in docs/presets.md has tests, and every listed row is in the table', () => {
  assert.equal(rows().sort(), Object.keys(PROOF).sort());
});

test('the tests each row names exist', () => {
  for (const [row, proofs] of Object.entries(PROOF)) {
    for (const [file, title] of proofs) assert.ok(read(file).includes(title), `${row}: ${file} has no test "${title}"`);
  }
});

test.run();

// A preset's answers and locks, wherever they come from: a preset answer is one line unless its
// question says `multiline: true`; every place a preset answer reaches (its templates, patches
// and defaults) renders hostile text harmlessly; a lock holds against a hand-edited record in
// regen, update and check; and a preset installed from a tarball keeps working with the
// registry unreachable.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse as parseYaml } from 'yaml';
import { runCli } from '../support/cli.js';
import { readTree } from '../support/tree.js';
import { commitAll, readRecord } from '../support/regen/repo.js';
import { EXAMPLE, presetCopy, presetRepo, rewrite } from '../support/preset.js';

const PRESET = /^error: preset @acme\/go-service-preset 1\.0\.0: /;
/** The example preset with its answers' patterns removed: any text is an answer then. */
const freeText = (more: (d: string) => void = () => {}) =>
  presetCopy((d) => {
    rewrite(d, 'go-k8s-service-preset.yaml', '    pattern: ^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$\n', '');
    rewrite(d, 'go-k8s-service-preset.yaml', '    pattern: ^CC-[0-9]{4}$\n', '');
    more(d);
  });

async function create(preset: string, sets: string[], extra: string[] = []) {
  const parent = mkdtempSync(join(tmpdir(), 'cgks-preset-answers-'));
  const r = await runCli([
    join(parent, 'orders'),
    '--yes',
    '--no-git',
    '--no-install',
    '--preset',
    preset,
    ...sets.flatMap((s) => ['--set', s]),
    ...extra,
  ]);
  return { r, parent, dir: join(parent, 'orders') };
}

for (const [what, value] of [
  ['a newline and a YAML key', 'x\n  injected: true'],
  ['a carriage return', 'x\r  injected: true'],
  ['a line separator U+2028', 'x\u2028injected'],
  ['a control character (BEL)', 'x\u0007y'],
] as const) {
  test(`a preset answer is one line: --set with ${what} is refused (exit 2, one line, nothing written)`, async () => {
    const { r, parent } = await create(freeText(), [`team=${value}`]);
    assert.is(r.exitCode, 2, r.stderr);
    assert.is(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr.trim(), PRESET);
    assert.match(
      r.stderr.trim(),
      /--set team: .* must be one line of text without control characters \(the question does not say multiline: true\)$/,
    );
    assert.equal(readdirSync(parent), []);
  });
}

test('a preset question whose default has a newline is refused when the preset loads', async () => {
  const preset = freeText((d) =>
    rewrite(d, 'go-k8s-service-preset.yaml', '    default: CC-0000\n', '    default: "CC-0000\\n  injected: true"\n'),
  );
  const { r, parent } = await create(preset, ['team=payments']);
  assert.is(r.exitCode, 2, r.stderr);
  assert.match(
    r.stderr.trim(),
    /^error: preset @acme\/go-service-preset 1\.0\.0: go-k8s-service-preset\.yaml: questions\[1\] \(costCentre\): default "CC-0000\\n {2}injected: true" must be one line/,
  );
  assert.equal(readdirSync(parent), []);
});

test('a question with multiline: true takes several lines; yamlString keeps them exactly', async () => {
  const preset = freeText((d) => {
    rewrite(
      d,
      'go-k8s-service-preset.yaml',
      '    message: Owning team (a Kubernetes label value, e.g. payments)\n    type: string\n',
      '    message: Owning team\n    type: string\n    multiline: true\n',
    );
  });
  const value = 'pay\nments: true';
  const { r, dir } = await create(preset, [`team=${value}`]);
  assert.is(r.exitCode, 0, r.stderr);
  const values = parseYaml(readFileSync(join(dir, 'charts/orders/values.yaml'), 'utf8')) as { podLabels: Record<string, unknown> };
  assert.equal(values.podLabels, { team: value, 'cost-centre': 'CC-0000' });
});

test('multiline is only for type: string', async () => {
  const preset = freeText((d) =>
    rewrite(
      d,
      'go-k8s-service-preset.yaml',
      '    default: CC-0000\n',
      '    default: CC-0000\n  - key: oncall\n    message: On call?\n    type: boolean\n    multiline: true\n',
    ),
  );
  const { r } = await create(preset, ['team=payments']);
  assert.is(r.exitCode, 2, r.stderr);
  assert.match(r.stderr.trim(), /questions\[2\] \(oncall\): multiline only goes with type: string$/);
});

// Text a template author might not expect: quotes, a YAML comment and key, a flow mapping, a
// Make variable and a shell command substitution, backslashes, non-ASCII.
const HOSTILE = [`a" injected: true # 'x' {y: [z]}`, '$(shell touch PWNED)`touch PWNED`$$HOME\\n', 'équipe: ☃'];

for (const value of HOSTILE) {
  test(`every place a preset answer reaches renders ${JSON.stringify(value)} harmlessly`, async () => {
    const { r, dir } = await create(freeText(), [`team=${value}`, `costCentre=${value}`]);
    assert.is(r.exitCode, 0, r.stderr);
    // The chart's values (a patch): valid YAML whose labels are exactly the answers.
    const values = parseYaml(readFileSync(join(dir, 'charts/orders/values.yaml'), 'utf8')) as { podLabels: Record<string, unknown> };
    assert.equal(values.podLabels, { team: value, 'cost-centre': value });
    // The Makefile (an appended target): make prints the answer and runs nothing.
    const out = execFileSync('make', ['-s', 'cost-centre'], { cwd: dir, encoding: 'utf8', env: { ...process.env, SHLVL: '2' } });
    assert.is(out, `${value}\n`);
    assert.not.ok(existsSync(join(dir, 'PWNED')), 'the answer ran a command');
    // CODEOWNERS (a template of the preset): still three lines, the answer on its own.
    const owners = readFileSync(join(dir, 'CODEOWNERS'), 'utf8').split('\n');
    assert.is(owners.length, 4);
    assert.is(owners[2], `* @acme/${value}`);
    // The record keeps the answers exactly.
    assert.equal((readRecord(dir) as unknown as { preset: { answers: unknown } }).preset.answers, { team: value, costCentre: value });
  });
}

// A lock holds wherever the answers come from: a record edited by hand is refused by regen
// and update, and reported by check under a rule of its own.
async function lockedRepoEditedToGithub(): Promise<string> {
  const dir = await presetRepo({ git: true });
  const recordPath = join(dir, '.go-k8s-service.json');
  writeFileSync(recordPath, readFileSync(recordPath, 'utf8').replace('"ci": "gitlab"', '"ci": "github"'));
  commitAll(dir, 'switch CI by editing the record');
  return dir;
}

test('regen refuses a record whose answer contradicts a lock of its preset: exit 2, one line, nothing written', async () => {
  const dir = await lockedRepoEditedToGithub();
  const before = readTree(dir);
  const r = await runCli(['regen', 'ci'], { cwd: dir });
  assert.is(r.exitCode, 2, r.stdout + r.stderr);
  assert.is(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.is(
    r.stderr.trim(),
    'error: preset @acme/go-service-preset 1.0.0: .go-k8s-service.json answers ci "github", but this preset locks ci to "gitlab": set it back to "gitlab" in .go-k8s-service.json',
  );
  assert.equal(readTree(dir), before);
  assert.not.ok(existsSync(join(dir, '.github')));
});

test('update refuses the same record (exit 2, nothing written)', async () => {
  const dir = await lockedRepoEditedToGithub();
  const before = readTree(dir);
  const r = await runCli(['update'], { cwd: dir });
  assert.is(r.exitCode, 2, r.stdout + r.stderr);
  assert.match(
    r.stderr.trim(),
    /^error: preset @acme\/go-service-preset 1\.0\.0: \.go-k8s-service\.json answers ci "github", but this preset locks ci to "gitlab"/,
  );
  assert.equal(readTree(dir), before);
});

test('check reports a record that contradicts a lock under the rule preset-lock', async () => {
  const dir = await lockedRepoEditedToGithub();
  const r = await runCli(['check', '--json'], { cwd: dir });
  assert.is(r.exitCode, 1, r.stdout + r.stderr);
  const violations = (JSON.parse(r.stdout) as { violations: { rule: string; file: string; message: string }[] }).violations;
  const lock = violations.filter((v) => v.rule === 'preset-lock');
  assert.equal(lock, [
    {
      rule: 'preset-lock',
      file: '.go-k8s-service.json',
      message: 'ci is "github", but preset @acme/go-service-preset 1.0.0 locks it to "gitlab"',
    },
  ]);
});

test('a preset from a tarball: create records name@version and seeds the cache; check, regen and update then work with the registry unreachable', async () => {
  const parent = mkdtempSync(join(tmpdir(), 'cgks-preset-tarball-'));
  const packed = execFileSync('npm', ['pack', EXAMPLE, '--pack-destination', parent, '--silent'], { cwd: parent, encoding: 'utf8' }).trim();
  // A registry that answers nothing (a closed port on loopback), and caches of this test's own.
  const env = {
    npm_config_registry: 'http://127.0.0.1:9/',
    npm_config_cache: join(parent, 'npm-cache'),
    XDG_CACHE_HOME: join(parent, 'xdg'),
  };
  const c = await runCli([join(parent, 'orders'), '--yes', '--no-install', '--preset', `./${packed}`, '--set', 'team=payments'], {
    cwd: parent,
    env,
  });
  assert.is(c.exitCode, 0, c.stderr);
  const dir = join(parent, 'orders');
  assert.is((readRecord(dir) as unknown as { preset: { source: string } }).preset.source, '@acme/go-service-preset@1.0.0');
  // The tarball is gone, as on a CI runner or a teammate's machine with the same cache.
  execFileSync('rm', [join(parent, packed)]);
  const check = await runCli(['check', '--json'], { cwd: dir, env });
  assert.is(check.exitCode, 0, check.stdout + check.stderr);
  const regen = await runCli(['regen', 'preset', 'makefile'], { cwd: dir, env });
  assert.is(regen.exitCode, 0, regen.stderr);
  const update = await runCli(['update'], { cwd: dir, env });
  assert.is(update.exitCode, 0, update.stderr);
});

test('a preset gives the source location of its own code host: catalog-info.yaml links the repository there', async () => {
  const preset = presetCopy((d) => {
    const manifest = join(d, 'go-k8s-service-preset.yaml');
    writeFileSync(manifest, `${readFileSync(manifest, 'utf8')}\ncatalog:\n  sourceLocation: https://code.acme.example/{{module}}\n`);
  });
  const { r, dir } = await create(preset, ['team=payments']);
  assert.is(r.exitCode, 0, r.stderr);
  const entity = parseYaml(readFileSync(join(dir, 'catalog-info.yaml'), 'utf8')) as {
    metadata: { annotations: Record<string, string>; links: { url: string; title: string }[] };
  };
  assert.is(entity.metadata.annotations['backstage.io/source-location'], 'url:https://code.acme.example/gitlab.acme.dev/services/orders/');
  assert.equal(
    entity.metadata.links.map((l) => [l.title, l.url]),
    [['Repository', 'https://code.acme.example/gitlab.acme.dev/services/orders']],
  );
  const bad = presetCopy((d) => {
    const manifest = join(d, 'go-k8s-service-preset.yaml');
    writeFileSync(manifest, `${readFileSync(manifest, 'utf8')}\ncatalog:\n  sourceLocation: "javascript:{{module}}"\n`);
  });
  const refused = await create(bad, ['team=payments']);
  assert.is(refused.r.exitCode, 2);
  assert.match(
    refused.r.stderr.trim(),
    /^error: preset @acme\/go-service-preset 1\.0\.0: catalog\.sourceLocation: "javascript:gitlab\.acme\.dev\/services\/orders" is not an http\(s\) URL$/,
  );
  assert.equal(readdirSync(refused.parent), []);
});

test.run();

// Presets: a platform team's defaults, locked answers, questions, files, patches and
// conventions, driven through the built CLI with the example preset shipped in docs/.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { execFileSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse as parseYaml } from 'yaml';
import { execa } from 'execa';
import { CLI, runCli } from '../support/cli.js';
import { ensureTools, repoRoot, toolPath } from '../support/tools.js';
import { startRegistry } from '../support/registry.js';
import { commitAll, edit, readRecord, snapshot } from '../support/regen/repo.js';
import { otherVersion, updateIn } from '../support/regen/generators.js';
import { renderAll } from '../../generators/render/render.js';
import type { Answers } from '../../generators/model/questions.js';
import { GENERATOR_VERSION } from '../../generators/model/version.js';
import { EXAMPLE, presetCopy, presetRepo, presetV2, rewrite } from '../support/preset.js';

const read = (dir: string, path: string) => readFileSync(join(dir, path), 'utf8');

test("create --preset: the preset's defaults, locked CI, its files, patches and replaced template", async () => {
  const dir = await presetRepo();
  assert.match(read(dir, 'go.mod'), /^module gitlab\.acme\.dev\/services\/orders$/m);
  assert.match(read(dir, 'Makefile'), /^IMAGE \?= registry\.acme\.dev\/services\/orders$/m);
  assert.ok(existsSync(join(dir, '.gitlab-ci.yml')), 'ci is locked to gitlab');
  assert.not.ok(existsSync(join(dir, '.github')));
  assert.is(
    read(dir, 'CODEOWNERS'),
    '# Owners of orders: every change needs a review from the team.\n# Written by the @acme/go-service-preset preset 1.0.0.\n* @acme/payments\n',
  );
  assert.match(read(dir, '.editorconfig'), /Acme house style/);
  const ci = parseYaml(read(dir, '.gitlab-ci.yml')) as { include: unknown[]; stages: string[] };
  assert.equal(ci.include, [{ project: 'acme/platform/ci-templates', ref: 'v3', file: '/go-service/security.yml' }]);
  assert.ok(ci.stages.includes('check'));
  const values = parseYaml(read(dir, 'charts/orders/values.yaml')) as { podLabels: Record<string, string> };
  assert.equal(values.podLabels, { team: 'payments', 'cost-centre': 'CC-0000' });
  assert.match(read(dir, 'Makefile'), /\ncost-centre: ## Print the cost centre this service is billed to\n\t@printf '%s\\n' 'CC-0000'\n$/);
  const record = readRecord(dir) as unknown as { preset: { source: string }; files: Record<string, string> };
  // A folder is recorded relative to the repo when they share more than "/", else absolute:
  // either way it leads back to the preset, wherever this checkout lives.
  const { source, ...rest } = record.preset;
  assert.is(resolve(dir, source), EXAMPLE);
  assert.is(isAbsolute(source), dir.split(sep)[1] !== EXAMPLE.split(sep)[1], source);
  assert.equal(rest, { name: '@acme/go-service-preset', version: '1.0.0', answers: { team: 'payments', costCentre: 'CC-0000' } });
  assert.ok(record.files.CODEOWNERS);
});

test('regen with the recorded preset: its patches and files stay; regen of a preset file by name', async () => {
  const dir = await presetRepo();
  const before = snapshot(dir);
  const all = await runCli(['regen', 'makefile', 'ci', 'chart', 'preset', 'config', '--json'], { cwd: dir });
  assert.is(all.exitCode, 0, all.stderr);
  const j = JSON.parse(all.stdout) as { changed: string[] };
  assert.equal(j.changed, [], 'regenerating with the recorded preset changes nothing');
  rmSync(join(dir, 'CODEOWNERS'));
  const one = await runCli(['regen', 'CODEOWNERS'], { cwd: dir });
  assert.is(one.exitCode, 0, one.stderr);
  assert.is(read(dir, 'CODEOWNERS'), before.get('CODEOWNERS')!.content);
  const list = await runCli(['regen', '--list'], { cwd: dir });
  assert.match(list.stdout, /^preset\n {2}CODEOWNERS$/m);
});

test('regen refuses to change a locked answer, naming the flag and the preset', async () => {
  const dir = await presetRepo();
  const before = snapshot(dir);
  const r = await runCli(['regen', '--ci', 'github'], { cwd: dir });
  assert.is(r.exitCode, 2);
  assert.is(
    r.stderr.trim(),
    'error: preset @acme/go-service-preset 1.0.0: --ci "github": ci is locked to "gitlab" by this preset; leave it out',
  );
  assert.equal(snapshot(dir), before);
  const other = await runCli(['regen', '--port', '9090'], { cwd: dir });
  assert.is(other.exitCode, 0, other.stderr);
});

test('regen refuses another version of the preset: update takes it', async () => {
  const dir = await presetRepo();
  const r = await runCli(['regen', 'makefile', '--preset', presetV2()], { cwd: dir });
  assert.is(r.exitCode, 1, r.stderr);
  assert.match(
    r.stderr,
    /made with preset @acme\/go-service-preset 1\.0\.0 and .* is @acme\/go-service-preset 2\.0\.0: run `create-go-k8s-service update --preset/,
  );
});

test("update --preset v2: the preset's changes merge with the team's edits (3-way); the record names v2", async () => {
  const dir = await presetRepo({ git: true });
  edit(dir, 'Makefile', /^GO( +)\?= go$/m, 'GO$1?= go1.26');
  writeFileSync(join(dir, '.gitlab-ci.yml'), read(dir, '.gitlab-ci.yml') + '# our own note at the end\n');
  commitAll(dir, 'our edits');
  const v2 = presetV2();
  const summary = join(mkdtempSync(join(tmpdir(), 'cgks-preset-summary-')), 'pr.md');
  const r = await runCli(['update', '--preset', v2, '--json', '--summary', summary], { cwd: dir });
  assert.is(r.exitCode, 0, r.stderr);
  const j = JSON.parse(r.stdout) as { files: { path: string; action: string }[]; preset: unknown };
  // The summary names the preset's versions, not only the generator's.
  assert.equal(j.preset, { name: '@acme/go-service-preset', fromVersion: '1.0.0', toVersion: '2.0.0' });
  assert.match(readFileSync(summary, 'utf8'), /^## create-go-k8s-service \S+ → \S+, preset @acme\/go-service-preset 1\.0\.0 → 2\.0\.0$/m);
  assert.match(r.stderr + r.stdout, /preset @acme\/go-service-preset 1\.0\.0 → 2\.0\.0/);
  const action = (p: string) => j.files.find((f) => f.path === p)?.action;
  assert.is(action('Makefile'), 'merged');
  assert.is(action('.gitlab-ci.yml'), 'merged');
  assert.is(action('CODEOWNERS'), 'update');
  assert.is(action('charts/orders/values.yaml'), 'unchanged');
  const makefile = read(dir, 'Makefile');
  assert.match(makefile, /^GO +\?= go1\.26$/m, "the team's edit is kept");
  assert.match(makefile, /\noncall: ## Print the on-call rota of the team\n\t@echo https:\/\/oncall\.acme\.dev\/payments\n$/);
  assert.is(
    read(dir, 'CODEOWNERS'),
    '# Owners of orders: every change needs a review from the team.\n# Written by the @acme/go-service-preset preset 2.0.0.\n* @acme/payments\n/charts/ @acme/platform\n',
  );
  assert.match(read(dir, '.gitlab-ci.yml'), /ref: v4\n[\s\S]*\n# our own note at the end\n$/);
  const record = readRecord(dir) as unknown as { preset: { version: string; source: string; answers: unknown } };
  assert.is(record.preset.version, '2.0.0');
  assert.is(record.preset.source, relative(dir, v2));
  assert.equal(record.preset.answers, { tier: 'silver', team: 'payments', costCentre: 'CC-0000' });
  commitAll(dir, 'update to preset 2.0.0');
  // Now regen uses v2 from the record (the edited Makefile and CI file are the team's), and check holds.
  const again = await runCli(['regen', 'chart', 'preset', 'config', '--json'], { cwd: dir });
  assert.is(again.exitCode, 0, again.stderr);
  assert.equal((JSON.parse(again.stdout) as { changed: string[] }).changed, []);
  const check = await runCli(['check'], { cwd: dir });
  assert.is(check.exitCode, 0, check.stdout + check.stderr);
});

interface Violation {
  rule: string;
  file: string;
  message: string;
}

test("check enforces the preset's conventions beside its own: named when broken, quiet when fixed (also in SARIF)", async () => {
  const dir = await presetRepo();
  const ok = await runCli(['check', '--json'], { cwd: dir });
  assert.is(ok.exitCode, 0, ok.stdout);
  const values = 'charts/orders/values.yaml';
  const good = read(dir, values);
  edit(dir, values, /^podLabels:\n( {2}.*\n)*/m, 'podLabels: {}\n');
  edit(dir, 'Dockerfile', 'FROM ${RUNTIME_IMAGE}\n', 'FROM alpine:latest\n');
  const sarifFile = join(dir, 'check.sarif');
  const bad = await runCli(['check', '--json', '--sarif', sarifFile], { cwd: dir });
  assert.is(bad.exitCode, 1, bad.stdout);
  const violations = (JSON.parse(bad.stdout) as { violations: Violation[] }).violations;
  assert.equal(
    violations.map((v) => [v.rule, v.file, v.message]),
    [
      ['team-label', values, 'every pod needs a team label (podLabels.team in values.yaml); cost reports and alert routing read it'],
      ['no-latest-tag', 'Dockerfile', 'base images are pinned; a :latest tag changes under you'],
    ],
  );
  const human = await runCli(['check'], { cwd: dir });
  assert.match(human.stdout, /✖ team-label +every pod needs a team label/);
  assert.match(human.stderr, /convention violation\(s\) in \.: team-label, no-latest-tag/);
  const sarif = JSON.parse(readFileSync(sarifFile, 'utf8')) as {
    runs: { tool: { driver: { rules: { id: string }[] } }; results: { ruleId: string; ruleIndex: number }[] }[];
  };
  const run = sarif.runs[0]!;
  for (const r of run.results) assert.is(run.tool.driver.rules[r.ruleIndex]!.id, r.ruleId);
  assert.equal(
    run.results.map((r) => r.ruleId),
    ['team-label', 'no-latest-tag'],
  );
  // Microsoft's SARIF validator with GitHub's ingestion rules, as for check's own rules.
  await ensureTools(['sarif-multitool']);
  const validation = `${sarifFile}.validation.sarif`;
  const v = await execa(toolPath('sarif-multitool'), ['validate', '--rule-kind', 'Gh;Sarif', '-o', validation, sarifFile], {
    reject: false,
  });
  assert.is(v.exitCode, 0, v.stdout + v.stderr);
  const findings = (JSON.parse(readFileSync(validation, 'utf8')) as { runs: { results?: { level?: string }[] }[] }).runs.flatMap(
    (x) => x.results ?? [],
  );
  assert.equal(
    findings.filter((f) => f.level === 'error' || f.level === 'warning' || f.level === undefined),
    [],
    JSON.stringify(findings),
  );
  rmSync(validation);
  writeFileSync(join(dir, values), good);
  rmSync(sarifFile);
  edit(dir, 'Dockerfile', 'FROM alpine:latest\n', 'FROM ${RUNTIME_IMAGE}\n');
  const fixed = await runCli(['check', '--json'], { cwd: dir });
  assert.is(fixed.exitCode, 0, fixed.stdout);
});

test('create --preset: a locked answer given as a flag or in the answers file is refused, naming the flag and the preset', async () => {
  const parent = mkdtempSync(join(tmpdir(), 'cgks-preset-locked-'));
  const r = await runCli([
    join(parent, 'orders'),
    '--yes',
    '--no-git',
    '--no-install',
    '--preset',
    EXAMPLE,
    '--set',
    'team=payments',
    '--ci',
    'github',
  ]);
  assert.is(r.exitCode, 2);
  assert.is(
    r.stderr.trim(),
    'error: preset @acme/go-service-preset 1.0.0: --ci "github": ci is locked to "gitlab" by this preset; leave it out',
  );
  writeFileSync(join(parent, 'a.yaml'), 'ci: none\nteam: payments\n');
  const f = await runCli([
    join(parent, 'orders'),
    '--yes',
    '--no-git',
    '--no-install',
    '--preset',
    EXAMPLE,
    '--answers',
    join(parent, 'a.yaml'),
  ]);
  assert.is(f.exitCode, 2);
  assert.match(
    f.stderr.trim(),
    /^error: preset @acme\/go-service-preset 1\.0\.0: ci in .*a\.yaml "none": ci is locked to "gitlab" by this preset; leave it out$/,
  );
  // The same value as the lock is no conflict.
  const same = await runCli([
    join(parent, 'orders'),
    '--yes',
    '--no-git',
    '--no-install',
    '--preset',
    EXAMPLE,
    '--set',
    'team=payments',
    '--ci',
    'gitlab',
  ]);
  assert.is(same.exitCode, 0, same.stderr);
  assert.equal(readdirSync(parent).sort(), ['a.yaml', 'orders']);
});

test("create --preset: the preset's questions from the answers file, checked by their rules; missing ones named", async () => {
  const parent = mkdtempSync(join(tmpdir(), 'cgks-preset-q-'));
  writeFileSync(join(parent, 'a.yaml'), 'name: orders\nteam: payments\ncostCentre: CC-1234\n');
  const r = await runCli([
    join(parent, 'orders'),
    '--yes',
    '--no-git',
    '--no-install',
    '--preset',
    EXAMPLE,
    '--answers',
    join(parent, 'a.yaml'),
  ]);
  assert.is(r.exitCode, 0, r.stderr);
  assert.match(read(join(parent, 'orders'), 'charts/orders/values.yaml'), /cost-centre: "CC-1234"/);
  const bad = await runCli([
    join(parent, 'x'),
    '--yes',
    '--no-git',
    '--no-install',
    '--preset',
    EXAMPLE,
    '--set',
    'team=payments',
    '--set',
    'costCentre=1234',
  ]);
  assert.is(bad.exitCode, 2);
  assert.is(bad.stderr.trim(), 'error: preset @acme/go-service-preset 1.0.0: --set costCentre: "1234" must match ^CC-[0-9]{4}$');
  const missing = await runCli([join(parent, 'x'), '--yes', '--no-git', '--no-install', '--preset', EXAMPLE]);
  assert.is(missing.exitCode, 2);
  assert.is(
    missing.stderr.trim(),
    'error: preset @acme/go-service-preset 1.0.0: missing --set team=<value> (Owning team (a Kubernetes label value, e.g. payments))',
  );
  assert.not.ok(existsSync(join(parent, 'x')));
});

// Bad presets: one line naming the preset, the file and the rule; exit 2; nothing written.
const badPresets: [string, (d: string) => void, RegExp][] = [
  [
    'an unknown manifest key',
    (d) => writeFileSync(join(d, 'go-k8s-service-preset.yaml'), 'defaults: {}\noverlays: []\n'),
    /^error: preset @acme\/go-service-preset 1\.0\.0: go-k8s-service-preset\.yaml: unknown key "overlays" \(known: defaults, locked, questions, patches, conventions, waivers, catalog\)$/,
  ],
  [
    'a default for an unknown answer',
    (d) => rewrite(d, 'go-k8s-service-preset.yaml', 'defaults:\n', 'defaults:\n  registry: x\n'),
    /go-k8s-service-preset\.yaml: defaults: unknown answer "registry"; known: name, module/,
  ],
  [
    'a default that breaks our rule',
    (d) =>
      rewrite(d, 'go-k8s-service-preset.yaml', 'image: registry.acme.dev/services/{{name}}', 'image: Registry.Acme.dev/{{name}}:latest'),
    /^error: preset @acme\/go-service-preset 1\.0\.0: defaults\.image: "Registry\.Acme\.dev\/orders:latest" /,
  ],
  [
    'a template that does not compile',
    (d) => writeFileSync(join(d, 'templates/CODEOWNERS.hbs'), '* @acme/{{#if preset.team}}\n'),
    /^error: preset @acme\/go-service-preset 1\.0\.0: templates\/CODEOWNERS\.hbs does not compile: /,
  ],
  [
    'a template that calls an unknown helper',
    (d) => writeFileSync(join(d, 'templates/CODEOWNERS.hbs'), '* {{upper preset.team}}\n'),
    /templates\/CODEOWNERS\.hbs does not compile: .*upper/,
  ],
  [
    'a template that does not render',
    (d) => writeFileSync(join(d, 'templates/CODEOWNERS.hbs'), '* @acme/{{preset.squad}}\n'),
    /^error: preset @acme\/go-service-preset 1\.0\.0: templates\/CODEOWNERS\.hbs: "squad" not defined in/,
  ],
  [
    'a patch whose line is not there',
    (d) => rewrite(d, 'go-k8s-service-preset.yaml', 'before: "stages:"', 'before: "stages: []"'),
    /^error: preset @acme\/go-service-preset 1\.0\.0: patches\[0\]: \.gitlab-ci\.yml has no line\(s\) "stages: \[\]"; a patch needs exactly one$/,
  ],
  [
    'a patch of a file nobody writes',
    (d) => rewrite(d, 'go-k8s-service-preset.yaml', 'file: Makefile', 'file: GNUmakefile'),
    /patches\[2\]: GNUmakefile is not a file the generator or this preset writes$/,
  ],
  [
    'a convention with a bad regular expression',
    (d) => rewrite(d, 'go-k8s-service-preset.yaml', 'forbid: ^FROM', 'forbid: ^FROM(('),
    /conventions\[1\] \(no-latest-tag\): forbid is not a regular expression/,
  ],
  [
    'a convention on a file outside the repo',
    (d) => rewrite(d, 'go-k8s-service-preset.yaml', 'file: Dockerfile', 'file: ../Dockerfile'),
    /conventions\[1\] \(no-latest-tag\): file must name a file of the repo$/,
  ],
  [
    'a convention named like a rule of check',
    (d) => rewrite(d, 'go-k8s-service-preset.yaml', 'id: no-latest-tag', 'id: probes'),
    /conventions\[1\]: id probes is one of check's own rules$/,
  ],
  [
    'a lock without a value',
    (d) => rewrite(d, 'go-k8s-service-preset.yaml', '  - ci\n', '  - ci\n  - port\n'),
    /locked: port has no value under defaults to lock it to$/,
  ],
  ['no package.json', (d) => rmSync(join(d, 'package.json')), /^error: preset .*preset: no package\.json in /],
  [
    'not YAML',
    (d) => writeFileSync(join(d, 'go-k8s-service-preset.yaml'), 'defaults: [\n'),
    /go-k8s-service-preset\.yaml is not valid YAML: /,
  ],
];

for (const [what, breakIt, message] of badPresets) {
  test(`a bad preset is refused with one line, exit 2, nothing written: ${what}`, async () => {
    const preset = presetCopy(breakIt);
    const parent = mkdtempSync(join(tmpdir(), 'cgks-preset-bad-'));
    const r = await runCli([join(parent, 'orders'), '--yes', '--no-git', '--no-install', '--preset', preset, '--set', 'team=payments']);
    assert.is(r.exitCode, 2, r.stderr);
    assert.is(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr.trim(), message);
    assert.equal(readdirSync(parent), []);
  });
}

test('a preset folder that does not exist, and an npm package that cannot be fetched: one line, exit 2', async () => {
  const parent = mkdtempSync(join(tmpdir(), 'cgks-preset-missing-'));
  const r = await runCli([join(parent, 'orders'), '--yes', '--no-git', '--no-install', '--preset', './no-such-preset'], { cwd: parent });
  assert.is(r.exitCode, 2);
  assert.is(r.stderr.trim(), `error: preset ./no-such-preset: no such folder ${join(parent, 'no-such-preset')}`);
  // A tarball path is an npm package spec: npm pack fetches it like a registry package.
  const t = await runCli([join(parent, 'orders'), '--yes', '--no-git', '--no-install', '--preset', 'no-such-preset-tarball.tgz'], {
    cwd: parent,
  });
  assert.is(t.exitCode, 2);
  assert.match(t.stderr.trim(), /^error: preset no-such-preset-tarball\.tgz: cannot fetch it: /);
  assert.is(t.stderr.trim().split('\n').length, 1);
  assert.equal(readdirSync(parent), []);
});

test('a preset packed as an npm package (npm pack) works like the folder, recorded as name@version', async () => {
  const parent = mkdtempSync(join(tmpdir(), 'cgks-preset-npm-'));
  const packed = execFileSync('npm', ['pack', EXAMPLE, '--pack-destination', parent, '--silent'], { cwd: parent, encoding: 'utf8' }).trim();
  const r = await runCli(
    [join(parent, 'orders'), '--yes', '--no-git', '--no-install', '--preset', `./${packed}`, '--set', 'team=payments'],
    { cwd: parent },
  );
  assert.is(r.exitCode, 0, r.stderr);
  assert.ok(existsSync(join(parent, 'orders/CODEOWNERS')));
  assert.is(
    (readRecord(join(parent, 'orders')) as unknown as { preset: { source: string } }).preset.source,
    '@acme/go-service-preset@1.0.0',
  );
});

test('a fleet recording an npm preset downloads it once, then checks from the cache, also with the registry gone', async () => {
  const parent = mkdtempSync(join(tmpdir(), 'cgks-preset-fleet-'));
  const packed = execFileSync('npm', ['pack', EXAMPLE, '--pack-destination', parent, '--silent'], { cwd: parent, encoding: 'utf8' }).trim();
  const repos = ['orders', 'billing', 'stock'];
  for (const name of repos) {
    const r = await runCli([join(parent, name), '--yes', '--no-git', '--no-install', '--preset', `./${packed}`, '--set', 'team=payments'], {
      cwd: parent,
    });
    assert.is(r.exitCode, 0, r.stderr);
  }
  writeFileSync(join(parent, 'repos.txt'), repos.join('\n') + '\n');
  const registry = await startRegistry('@acme/go-service-preset', [join(parent, packed)]);
  const env = {
    npm_config_registry: registry.url,
    npm_config_cache: join(parent, 'npm-cache'),
    XDG_CACHE_HOME: mkdtempSync(join(parent, 'xdg-')),
  };
  try {
    const first = await runCli(['check', '--repos', join(parent, 'repos.txt'), '--json'], { cwd: parent, env });
    assert.is(first.exitCode, 0, first.stdout + first.stderr);
    assert.is(registry.downloads.length, 1, `downloads: ${registry.downloads.join(', ')}`);
  } finally {
    await registry.close();
  }
  const offline = await runCli(['check', '--repos', join(parent, 'repos.txt'), '--json'], { cwd: parent, env });
  assert.is(offline.exitCode, 0, offline.stdout + offline.stderr);
  assert.is((JSON.parse(offline.stdout) as { summary: { ok: number } }).summary.ok, 3);
});

test('preset init writes a starter preset whose own test (npm test) generates a service with it and passes check', async () => {
  const parent = mkdtempSync(join(tmpdir(), 'cgks-preset-init-'));
  const r = await runCli(['preset', 'init', 'acme-preset'], { cwd: parent });
  assert.is(r.exitCode, 0, r.stderr);
  assert.match(r.stdout, /Next: cd acme-preset && npm install && npm test/);
  const dir = join(parent, 'acme-preset');
  assert.equal(readdirSync(dir).sort(), ['README.md', 'go-k8s-service-preset.yaml', 'package.json', 'templates', 'test.mjs']);
  const pkg = JSON.parse(read(dir, 'package.json')) as { name: string; devDependencies: Record<string, string> };
  assert.is(pkg.name, 'acme-preset');
  assert.equal(pkg.devDependencies, { 'create-go-k8s-service': GENERATOR_VERSION }, 'the starter pins the generator it was made with');
  const npmTest = execFileSync('npm', ['test', '--silent'], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, CREATE_GO_K8S_SERVICE: CLI, NO_COLOR: '1' },
  });
  assert.match(npmTest, /ok: a service made with this preset passes check/);

  // What `npm install` puts in place, this package: the test runs it, and the manifest's first
  // line names its schema, which the manifest fits.
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(repoRoot(), join(dir, 'node_modules', 'create-go-k8s-service'), 'dir');
  const modeline = /^# yaml-language-server: \$schema=(\S+)\n/.exec(read(dir, 'go-k8s-service-preset.yaml'));
  assert.ok(modeline, 'the manifest names its schema on its first line');
  assert.is(
    readFileSync(join(dir, modeline[1]!), 'utf8'),
    readFileSync(join(repoRoot(), 'schema', 'go-k8s-service-preset.schema.json'), 'utf8'),
  );
  const { CREATE_GO_K8S_SERVICE: _, ...env } = process.env;
  const installed = execFileSync('npm', ['test', '--silent'], { cwd: dir, encoding: 'utf8', env: { ...env, NO_COLOR: '1' } });
  assert.match(installed, new RegExp(`using create-go-k8s-service ${GENERATOR_VERSION.replaceAll('.', '\\.')} from node_modules`));
  assert.match(installed, /ok: a service made with this preset passes check/);
  const again = await runCli(['preset', 'init', 'acme-preset'], { cwd: parent });
  assert.is(again.exitCode, 1);
  assert.match(again.stderr, /acme-preset is not empty/);
  const help = await runCli(['preset', '--help']);
  assert.match(help.stdout, /^ {2}create-go-k8s-service preset init <directory> \[flags\]$/m);
  const bad = await runCli(['preset', 'new', 'x'], { cwd: parent });
  assert.is(bad.exitCode, 2);
  assert.is(bad.stderr.trim(), 'error: preset: unknown subcommand "new"; try: preset init <directory>');
});

test('a recorded preset that is gone: check reports it under record; regen stops with one line (exit 2)', async () => {
  const preset = presetCopy(() => {});
  const dir = await presetRepo({ preset });
  rmSync(preset, { recursive: true });
  const r = await runCli(['check', '--json'], { cwd: dir });
  assert.is(r.exitCode, 1, r.stdout);
  const violations = (JSON.parse(r.stdout) as { violations: Violation[] }).violations;
  // Without the preset, its files look like no generated file (check cannot tell), and say so too.
  assert.equal(
    violations.map((v) => [v.rule, v.file]),
    [
      ['record', 'CODEOWNERS'],
      ['record', '.go-k8s-service.json'],
    ],
  );
  assert.match(
    violations[1]!.message,
    /^preset \.\.\/\.\.\/cgks-preset-copy-\w+\/preset: no such folder .*; its conventions were not checked$/,
  );
  const regen = await runCli(['regen', 'makefile'], { cwd: dir });
  assert.is(regen.exitCode, 2);
  assert.match(regen.stderr.trim(), /^error: preset \.\.\/\.\.\/cgks-preset-copy-\w+\/preset: no such folder [^\n]+$/);
});

test("update takes a newer generator's template changes and the newer preset's at once, keeping the team's edit", async () => {
  const dir = await presetRepo({ git: true });
  edit(dir, 'Makefile', /^GO( +)\?= go$/m, 'GO$1?= go1.26');
  commitAll(dir, 'use go1.26');
  // The newer generator: this one's templates (rendered in-process, with the preset the answers carry) with the clean target changed.
  const OLD_CLEAN = 'clean: ## Remove build output and coverage files\n\trm -rf bin dist coverage.out';
  const NEW_CLEAN = 'clean: ## Remove build output, coverage and test caches\n\trm -rf bin dist coverage.out\n\t$(GO) clean -testcache';
  const V2 = otherVersion(1);
  const render = (a: Answers) =>
    renderAll(a).map((r) => {
      if (r.path === 'Makefile' && !r.content.includes(OLD_CLEAN))
        throw new Error('the Makefile template changed: update OLD_CLEAN in this test');
      return { path: r.path, content: r.path === 'Makefile' ? r.content.replace(OLD_CLEAN, NEW_CLEAN) : r.content, file: r.file };
    });
  const { code, c } = await updateIn(dir, { render, version: V2 }, ['--json', '--preset', presetV2()]);
  assert.is(code, 0, c.errors.join('\n'));
  const makefile = read(dir, 'Makefile');
  assert.match(makefile, /^GO +\?= go1\.26$/m, "the team's edit");
  assert.match(makefile, /\n\t\$\(GO\) clean -testcache\n/, "the generator's change");
  assert.match(makefile, /\noncall: ## Print the on-call rota of the team\n/, "the preset's change");
  const record = readRecord(dir) as unknown as { version: string; preset: { version: string } };
  assert.is(record.version, V2);
  assert.is(record.preset.version, '2.0.0');
});

test.run();

// Command words: `help` and `version` as words, near-misses of commands refused rather than
// taken as service names, each command's own --help, and `regen --dry-run` without a target.
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { GENERAL_FLAGS } from '../../generators/cli/cli-args.js';
import { QUESTIONS } from '../../generators/model/questions.js';
import { runCli } from '../support/cli.js';
import { edit, newRepo, snapshot } from '../support/regen/repo.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'cgks-cmd-'));

test('help and version are commands, not service names', async () => {
  const dir = tmp();
  const global = await runCli(['--help'], { cwd: dir });
  const help = await runCli(['help'], { cwd: dir });
  assert.is(help.exitCode, 0, help.stderr);
  assert.is(help.stdout, global.stdout);
  const version = await runCli(['version'], { cwd: dir });
  assert.is(version.exitCode, 0, version.stderr);
  assert.is(version.stdout, (await runCli(['--version'])).stdout);
  for (const command of ['regen', 'update', 'check']) {
    const word = await runCli(['help', command], { cwd: dir });
    assert.is(word.exitCode, 0, word.stderr);
    assert.is(word.stdout, (await runCli([command, '--help'], { cwd: dir })).stdout, `help ${command}`);
  }
  const unknown = await runCli(['help', 'deploy'], { cwd: dir });
  assert.is(unknown.exitCode, 2);
  assert.is(
    unknown.stderr.trim(),
    'error: help: unknown command "deploy"; commands: create, regen, update, check, remove, outdated, preset',
  );
  assert.equal(readdirSync(dir), []);
});

for (const [word, meant] of [
  ['regn', 'regen'],
  ['rgeen', 'regen'],
  ['updte', 'update'],
  ['upate', 'update'],
  ['chek', 'check'],
  ['chekc', 'check'],
  ['hlep', 'help'],
  ['verison', 'version'],
  ['creat', 'create'],
  ['Regen', 'regen'],
] as const) {
  test(`"${word}" is refused as a mistyped command (did you mean ${meant}?), writing nothing`, async () => {
    const dir = tmp();
    for (const args of [[word], [word, '--yes'], ['--yes', word]]) {
      const r = await runCli([...args, '--no-git', '--no-install'], { cwd: dir });
      assert.is(r.exitCode, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.is(
        r.stderr.trim(),
        `error: "${word}" is not a command: did you mean ${meant}? (for a service of that name, pass --name ${word})`,
      );
    }
    assert.equal(readdirSync(dir), []);
  });
}

test('a command word after a flag is not taken as a service name either', async () => {
  const dir = tmp();
  for (const word of ['check', 'regen', 'help']) {
    const r = await runCli(['--yes', word, '--no-git', '--no-install'], { cwd: dir });
    assert.is(r.exitCode, 2, r.stderr);
    assert.is(
      r.stderr.trim(),
      `error: ${word} is a command and comes first, like: create-go-k8s-service ${word} --help (for a service of that name, pass --name ${word})`,
    );
  }
  assert.equal(readdirSync(dir), []);
});

test('a service may still be named like a command: with --name, or after an explicit create', async () => {
  const dir = tmp();
  for (const [args, name] of [
    [['--name', 'regn'], 'regn'],
    [['--name', 'check'], 'check'],
    [['create', 'chek'], 'chek'],
    [['create', 'help'], 'help'],
    // More than one edit away, or a command with more after it: ordinary names.
    [['region'], 'region'],
    [['updater'], 'updater'],
    [['checks'], 'checks'],
    [['checkout'], 'checkout'],
  ] as const) {
    const r = await runCli([...args, '--yes', '--dry-run', '--json'], { cwd: dir });
    assert.is(r.exitCode, 0, `${args.join(' ')}: ${r.stderr}`);
    assert.is(JSON.parse(r.stdout).answers.name, name);
  }
});

/** The flags a help text lists in its tables. */
const listed = (help: string) => new Set([...help.matchAll(/^ {2}(?:-\w, )?(--(?:\[no-\])?[a-z][a-z-]*)/gm)].map((m) => m[1]!));

test('every command has its own --help listing exactly the flags it takes', async () => {
  const global = (await runCli(['--help'])).stdout;
  const questionFlags = QUESTIONS.map((q) => (q.type === 'boolean' ? `--[no-]${q.flag}` : `--${q.flag}`));
  for (const command of ['regen', 'update', 'check'] as const) {
    const r = await runCli([command, '--help']);
    assert.is(r.exitCode, 0, r.stderr);
    assert.is.not(r.stdout, global, `${command} --help prints the global help`);
    assert.match(r.stdout, new RegExp(`^Usage:\\n  create-go-k8s-service ${command}\\b`, 'm'));
    assert.equal(
      r.stdout.split('\n').filter((l) => l.length > 80),
      [],
      `${command} --help is wider than 80 columns`,
    );
    const own = GENERAL_FLAGS.filter((f) => f.commands.includes(command)).map((f) => `--${f.name}`);
    // regen changes answers (all but the name, which names the chart and the binary); update and check take none.
    const answers = command === 'regen' ? questionFlags.filter((f) => f !== '--name') : [];
    assert.equal([...listed(r.stdout)].sort(), [...own, ...answers].sort(), `${command} --help`);
  }
  // The flags of one command are not offered by another.
  const regen = (await runCli(['regen', '--help'])).stdout;
  for (const flag of ['--yes', '--no-git', '--no-install']) assert.not.ok(listed(regen).has(flag), `regen --help lists ${flag}`);
  assert.ok(listed(regen).has('--skip-modified'));
});

test('regen --dry-run without a target shows every group and writes nothing', async () => {
  const dir = await newRepo();
  const clean = await runCli(['regen', '--dry-run', '--json'], { cwd: dir });
  assert.is(clean.exitCode, 0, clean.stderr);
  const all = JSON.parse(clean.stdout);
  assert.is(all.dryRun, true);
  // Every generated file was compared (the record aside), and none differs.
  const files = [...snapshot(dir).keys()].filter((p) => p !== '.go-k8s-service.json').sort();
  assert.equal(all.files.map((f: { path: string }) => f.path).sort(), files);
  assert.equal(all.changed, []);

  edit(dir, 'Makefile', /^clean: ##.*$/m, 'clean: ## edited');
  edit(dir, 'Dockerfile', /^# syntax=.*$/m, '# edited');
  const before = snapshot(dir);
  const r = await runCli(['regen', '--dry-run'], { cwd: dir });
  // As the real run over every group would: the edited files are conflicts, shown as diffs.
  assert.is(r.exitCode, 1, r.stderr);
  assert.match(r.stdout, /^-clean: ## edited$/m);
  assert.match(r.stdout, /^-# edited$/m);
  assert.equal(snapshot(dir), before);
  // Without --dry-run, a target (or a changed answer) is still required.
  const real = await runCli(['regen'], { cwd: dir });
  assert.is(real.exitCode, 2);
  assert.match(real.stderr, /name at least one file or group/);
});

test.run();

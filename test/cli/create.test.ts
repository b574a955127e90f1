// The create command as automation sees it: no TTY, flags, answers files, dry runs, JSON,
// safe writes and exit codes.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execa } from 'execa';
import { runCli } from '../support/cli.js';

const ANSI = /\u001b\[/;
const tmp = () => mkdtempSync(join(tmpdir(), 'cgks-cli-'));

test('--help lists every question flag and the exit codes', async () => {
  const r = await runCli(['--help']);
  assert.is(r.exitCode, 0);
  for (const flag of ['--name', '--module', '--description', '--go-version', '--port', '--image', '--ci', '--base-image', '--[no-]metrics', '--[no-]tracing', '--yes', '--answers', '--dry-run', '--json', '--force', '--no-git', '--no-install']) {
    assert.ok(r.stdout.includes(flag), `--help lacks ${flag}`);
  }
  assert.match(r.stdout, /Exit codes:[\s\S]*130/);
  assert.not.match(r.stdout, ANSI);
});

test('--version prints the package version', async () => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  const r = await runCli(['--version']);
  assert.is(r.exitCode, 0);
  assert.is(r.stdout.trim(), pkg.version);
});

test('without a TTY and without --yes, missing answers exit 2 quickly, listing the flags', async () => {
  const dir = tmp();
  const started = Date.now();
  const r = await runCli([join(dir, 'svc')]);
  assert.is(r.exitCode, 2);
  assert.ok(Date.now() - started < 5000, 'took too long: did it wait for input?');
  assert.match(r.stderr, /missing --module, --description/);
  assert.not.match(r.stderr + r.stdout, ANSI);
  assert.not.ok(existsSync(join(dir, 'svc')));
});

test('without a target directory or --name, --yes still needs the name', async () => {
  const r = await runCli(['--yes'], { cwd: tmp() });
  assert.is(r.exitCode, 2);
  assert.match(r.stderr, /missing --name/);
});

test('an unknown flag exits 2 with a suggestion', async () => {
  const r = await runCli(['svc', '--yes', '--metircs']);
  assert.is(r.exitCode, 2);
  assert.match(r.stderr, /unknown flag --metircs \(did you mean --metrics\?\)/);
  assert.is(r.stderr.trim().split('\n').length, 1);
});

for (const [flag, value, rule] of [
  ['--port', '80', /--port: 80 must be an integer from 1024 to 65535/],
  ['--port', 'abc', /--port: "abc" must be a whole number/],
  ['--name', 'Bad_Name', /--name: "Bad_Name" must be a DNS-1123 label/],
  ['--module', 'nodomain/x', /--module: "nodomain\/x" must start with a domain name/],
  ['--go-version', '1.24', /--go-version: "1.24" must be 1\.25 or newer/],
  ['--ci', 'jenkins', /--ci: "jenkins" must be one of github, gitlab, none/],
  ['--image', 'ghcr.io/acme/svc:latest', /--image: .* without tag/],
] as const) {
  test(`${flag} ${value} exits 2 with one line naming the flag and the rule, writing nothing`, async () => {
    const dir = tmp();
    const r = await runCli([join(dir, 'svc'), '--yes', flag, value]);
    assert.is(r.exitCode, 2, r.stderr);
    assert.match(r.stderr, rule);
    assert.is(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.equal(readdirSync(dir), []);
  });
}

test('a directory name that is not a valid service name is refused with the reason', async () => {
  const dir = tmp();
  const r = await runCli([join(dir, 'My Service'), '--yes']);
  assert.is(r.exitCode, 2);
  assert.match(r.stderr, /--name: "My Service" .*taken from the directory name/);
  assert.equal(readdirSync(dir), []);
});

test('--dry-run writes nothing and lists every file; --json puts only JSON on stdout', async () => {
  const dir = tmp();
  const r = await runCli([join(dir, 'svc'), '--yes', '--dry-run', '--json']);
  assert.is(r.exitCode, 0, r.stderr);
  const result = JSON.parse(r.stdout);
  assert.ok(result.dryRun);
  assert.ok(result.files.includes('go.mod'));
  assert.ok(result.files.includes('.go-k8s-service.json'));
  assert.ok(result.files.includes('charts/svc/Chart.yaml'));
  for (const f of result.files) assert.ok(r.stderr.includes(`  ${f}`), `${f} not listed for humans`);
  assert.equal(readdirSync(dir), []);
});

test('a non-empty target is refused and left untouched; --force writes into it', async () => {
  const dir = tmp();
  const target = join(dir, 'svc');
  mkdirSync(target);
  writeFileSync(join(target, 'notes.txt'), 'mine');
  const r = await runCli([target, '--yes', '--no-git', '--no-install']);
  assert.is(r.exitCode, 1);
  assert.match(r.stderr, /is not empty \(notes\.txt\).*--force/);
  assert.equal(readdirSync(target), ['notes.txt']);
  const forced = await runCli([target, '--yes', '--no-git', '--no-install', '--force']);
  assert.is(forced.exitCode, 0, forced.stderr);
  assert.is(readFileSync(join(target, 'notes.txt'), 'utf8'), 'mine');
  assert.ok(existsSync(join(target, 'go.mod')));
});

test('a directory holding only .git counts as empty', async () => {
  const target = join(tmp(), 'svc');
  mkdirSync(join(target, '.git'), { recursive: true });
  const r = await runCli([target, '--yes', '--no-git', '--no-install']);
  assert.is(r.exitCode, 0, r.stderr);
  assert.ok(existsSync(join(target, 'Makefile')));
});

test('--answers reads JSON and YAML; flags win over the file', async () => {
  const dir = tmp();
  writeFileSync(join(dir, 'a.yaml'), 'name: from-yaml\nport: 9000\nci: gitlab\nmetrics: false\ngo-version: "1.25"\n');
  const r = await runCli(['--answers', join(dir, 'a.yaml'), '--yes', '--port', '9001', '--dry-run', '--json'], { cwd: dir });
  assert.is(r.exitCode, 0, r.stderr);
  const { answers } = JSON.parse(r.stdout);
  assert.is(answers.name, 'from-yaml');
  assert.is(answers.port, 9001);
  assert.is(answers.ci, 'gitlab');
  assert.is(answers.metrics, false);
  assert.is(answers.goVersion, '1.25');
  writeFileSync(join(dir, 'a.json'), JSON.stringify({ name: 'from-json', tracing: true }));
  const j = await runCli(['--answers', join(dir, 'a.json'), '--yes', '--dry-run', '--json'], { cwd: dir });
  assert.is(JSON.parse(j.stdout).answers.tracing, true);
});

test('--answers with an unknown key or a bad value exits 2 naming it', async () => {
  const dir = tmp();
  writeFileSync(join(dir, 'a.json'), JSON.stringify({ name: 'x', colour: 'blue' }));
  const r = await runCli(['--answers', join(dir, 'a.json'), '--yes'], { cwd: dir });
  assert.is(r.exitCode, 2);
  assert.match(r.stderr, /unknown key "colour"/);
  writeFileSync(join(dir, 'b.json'), JSON.stringify({ name: 'x', port: 'eighty' }));
  const b = await runCli(['--answers', join(dir, 'b.json'), '--yes'], { cwd: dir });
  assert.is(b.exitCode, 2);
  assert.match(b.stderr, /--port: "eighty" must be a whole number/);
});

test('a generated repo is a git repo with one commit, unless --no-git', async () => {
  const dir = tmp();
  const r = await runCli([join(dir, 'svc'), '--yes', '--no-install', '--json']);
  assert.is(r.exitCode, 0, r.stderr);
  const steps = JSON.parse(r.stdout).postSteps as { name: string; status: string }[];
  assert.equal(steps.find((s) => s.name === 'git')?.status, 'done');
  const log = await execa('git', ['log', '--oneline'], { cwd: join(dir, 'svc') });
  assert.is(log.stdout.trim().split('\n').length, 1);
  const status = await execa('git', ['status', '--porcelain'], { cwd: join(dir, 'svc') });
  assert.is(status.stdout, '', 'files left out of the first commit');
});

test('a missing git or go is a warning with the command to run later, not a failure', async () => {
  const dir = tmp();
  const r = await runCli([join(dir, 'svc'), '--yes', '--json'], { env: { PATH: '/nonexistent' } });
  assert.is(r.exitCode, 0, r.stderr);
  const steps = JSON.parse(r.stdout).postSteps as { name: string; status: string; detail: string }[];
  for (const s of steps) {
    assert.is(s.status, 'failed');
    assert.match(s.detail, /not installed; run `/);
  }
  assert.match(r.stderr, /warning: go: not installed; run `go mod download`/);
});

test.run();

// Ctrl-C, as a terminal's ^C and as a signal, at the prompts and while files are being
// written: nothing is left on disk, the exit code is 130, and no stack trace is shown.
// Writes are slowed down with the CGKS_TEST_WRITE_DELAY_MS seam (generators/plumbing/write.ts).
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CLI } from '../support/cli.js';
import { GO_ENV } from '../support/go.js';
import { KEY, spawnPty, type Pty } from '../support/pty.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'cgks-int-'));
const STACK = /^\s+at .+:\d+:\d+\)?$/m;
const SLOW = { CGKS_TEST_WRITE_DELAY_MS: '40' };
const ALL_BUT_NAME = [
  '--module',
  'example.com/orders',
  '--description',
  'x',
  '--go-version',
  '1.26',
  '--port',
  '8080',
  '--image',
  'x',
  '--ci',
  'github',
  '--base-image',
  'distroless',
  '--metrics',
  '--no-tracing',
  '--automaxprocs',
  '--no-sign',
  '--no-update-job',
  '--database',
  'none',
  '--deploy',
  'helm',
  '--owner',
  'acme',
  '--system=',
  '--lifecycle',
  'experimental',
];

const cli = (args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) => spawnPty(process.execPath, [CLI, ...args], { cwd, env });
/** The CLI without a TTY, writing slowly enough to be interrupted mid-write. */
const slowNoTty = (args: string[]) =>
  execa(process.execPath, [CLI, ...args], { env: { ...SLOW, NO_COLOR: '1' }, reject: false, stdin: 'ignore' });

/** Resolves once a write has started under dir: its hidden stage directory appeared (beside a new target, or in an existing one's tmp/). */
async function writing(dir: string, timeoutMs = 15_000): Promise<void> {
  const started = Date.now();
  const staging = (d: string): boolean =>
    readdirSync(d, { withFileTypes: true }).some(
      (e) => e.name.includes('.cgks-') || (e.isDirectory() && e.name !== '.git' && staging(join(d, e.name))),
    );
  while (!staging(dir)) {
    if (Date.now() - started > timeoutMs) throw new Error(`no write started in ${dir}: ${readdirSync(dir).join(', ')}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function interruptedCleanly(pty: Pty, dir: string, note: RegExp): Promise<void> {
  const exit = await pty.waitExit();
  const screen = pty.text();
  assert.equal(exit, { code: 130, signal: null }, screen);
  assert.match(screen, note);
  assert.not.match(screen, STACK);
  assert.not.match(screen, /Error|bug in create-go-k8s-service/);
  assert.equal(readdirSync(dir), [], `left behind: ${readdirSync(dir).join(', ')}`);
}

test('^C at the first prompt: exit 130, nothing written', async () => {
  const dir = tmp();
  const pty = await cli([], dir);
  await pty.expect('? Service name');
  pty.write('ord' + KEY.ctrlC);
  await interruptedCleanly(pty, dir, /Interrupted: nothing was written\./);
});

test('^C at a list prompt: exit 130, and the hidden cursor is shown again', async () => {
  const dir = tmp();
  const pty = await cli(
    ['orders', '--module', 'example.com/orders', '--description', 'x', '--go-version', '1.26', '--port', '8080', '--image', 'x'],
    dir,
  );
  await pty.expect('? CI provider');
  pty.write(KEY.down + KEY.ctrlC);
  await interruptedCleanly(pty, dir, /Interrupted: nothing was written\./);
  const raw = pty.raw();
  assert.ok(raw.lastIndexOf('\u001b[?25h') > raw.lastIndexOf('\u001b[?25l'), 'cursor left hidden');
});

test('^C at the summary: exit 130, nothing written', async () => {
  const dir = tmp();
  const pty = await cli(['orders', ...ALL_BUT_NAME], dir);
  await pty.expect('? Write the project? (Y/n, e to edit an answer)');
  pty.write(KEY.ctrlC);
  await interruptedCleanly(pty, dir, /Interrupted: nothing was written\./);
});

test('SIGINT as a signal while a prompt waits: exit 130, nothing written', async () => {
  const dir = tmp();
  const pty = await cli([], dir);
  await pty.expect('? Service name');
  pty.kill('SIGINT');
  await interruptedCleanly(pty, dir, /Interrupted: nothing was written\./);
});

test('Ctrl-D (end of input) at a prompt cancels: exit 130, nothing written', async () => {
  const dir = tmp();
  const pty = await cli(['orders', '--module', 'example.com/orders'], dir);
  await pty.expect('? One-line description');
  pty.write('\u0004');
  await interruptedCleanly(pty, dir, /Cancelled: nothing was written\./);
});

test('^C while the files are being written: all of them are removed again, exit 130', async () => {
  const dir = tmp();
  const pty = await cli(['orders', ...ALL_BUT_NAME, '--no-git', '--no-install'], dir, SLOW);
  await pty.expect('? Write the project? (Y/n, e to edit an answer)');
  pty.write(KEY.enter);
  await writing(dir);
  pty.write(KEY.ctrlC);
  await interruptedCleanly(pty, dir, /Interrupted: the files written so far were removed again\./);
  assert.not.match(pty.text(), /Wrote \d+ files/);
});

test('SIGINT while writing without a TTY: nothing left, exit 130, JSON says interrupted', async () => {
  const dir = tmp();
  const child = slowNoTty([join(dir, 'orders'), '--yes', '--no-git', '--no-install', '--json']);
  await writing(dir);
  child.kill('SIGINT');
  const r = await child;
  assert.is(r.exitCode, 130, r.stderr);
  assert.equal(readdirSync(dir), []);
  assert.equal(JSON.parse(r.stdout), {
    ok: false,
    interrupted: true,
    error: 'SIGINT: the files written so far were removed again',
    exitCode: 130,
  });
  assert.is(r.stderr.trim(), 'Interrupted: the files written so far were removed again.');
});

test('SIGINT while writing into a directory with --force: its files come back as they were', async () => {
  const dir = tmp();
  const target = join(dir, 'orders');
  mkdirSync(join(target, '.git'), { recursive: true });
  writeFileSync(join(target, 'README.md'), 'my own readme\n');
  writeFileSync(join(target, 'notes.txt'), 'mine\n');
  writeFileSync(join(target, '.git', 'HEAD'), 'ref: refs/heads/main\n');
  const child = slowNoTty([target, '--yes', '--force', '--no-git', '--no-install']);
  await writing(dir);
  // Let some generated files replace the user's before the signal.
  await new Promise((r) => setTimeout(r, 300));
  child.kill('SIGINT');
  const r = await child;
  assert.is(r.exitCode, 130, r.stderr);
  assert.not.match(r.stderr, STACK);
  assert.equal(readdirSync(dir), ['orders']);
  assert.equal(readdirSync(target).sort(), ['.git', 'README.md', 'notes.txt']);
  assert.equal(readdirSync(join(target, '.git')), ['HEAD']);
  assert.is(readFileSync(join(target, 'README.md'), 'utf8'), 'my own readme\n');
  assert.is(readFileSync(join(target, 'notes.txt'), 'utf8'), 'mine\n');
});

test('SIGTERM while writing is undone the same way (exit 143)', async () => {
  const dir = tmp();
  const child = slowNoTty([join(dir, 'orders'), '--yes', '--no-git', '--no-install']);
  await writing(dir);
  child.kill('SIGTERM');
  const r = await child;
  assert.is(r.exitCode, 143, r.stderr);
  assert.is(r.stderr.trim(), 'Stopped by SIGTERM: the files written so far were removed again.');
  assert.equal(readdirSync(dir), []);
});

/** A directory with a `go` that hangs, standing in for a slow `go mod download`. */
function hangingGo(): string {
  const bin = tmp();
  writeFileSync(join(bin, 'go'), '#!/bin/sh\nsleep 30\n');
  chmodSync(join(bin, 'go'), 0o755);
  return bin;
}

test('^C during go mod download names every step that did not run and the commands that finish them', async () => {
  const dir = tmp();
  const pty = await cli(['orders', ...ALL_BUT_NAME, '--yes'], dir, { PATH: `${hangingGo()}:${process.env.PATH}` });
  await pty.expect('Downloading Go modules');
  pty.write(KEY.ctrlC);
  const exit = await pty.waitExit();
  assert.equal(exit, { code: 130, signal: null }, pty.text());
  const line = pty
    .text()
    .split(/\r?\n/)
    .find((l) => l.startsWith('Interrupted:'));
  assert.is(
    line,
    'Interrupted: the files in orders are complete, but go mod download did not finish and git init and the first commit did not run; ' +
      'to finish: cd orders && go mod download && git init && git add -A && git commit -m "Initial commit".',
  );
  assert.not.match(pty.text(), STACK);
  assert.ok(existsSync(join(dir, 'orders', 'go.mod')));
  assert.not.ok(existsSync(join(dir, 'orders', '.git')));
  // The commands it printed, run as printed with the real go and git, finish the job.
  const commands = line!.slice(line!.indexOf('to finish: ') + 'to finish: '.length, -1);
  const env = { ...GO_ENV, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' };
  const finish = await execa('sh', ['-c', commands], { cwd: dir, env, reject: false, stdin: 'ignore', timeout: 600_000 });
  assert.is(finish.exitCode, 0, finish.stderr);
  const repo = join(dir, 'orders');
  assert.is((await execa('git', ['log', '--oneline'], { cwd: repo })).stdout.trim().split('\n').length, 1);
  assert.is((await execa('git', ['status', '--porcelain'], { cwd: repo })).stdout, '');
  const build = await execa('go', ['build', './...'], { cwd: repo, env: GO_ENV, reject: false });
  assert.is(build.exitCode, 0, build.stderr);
});

test('^C during go mod download with --no-git names only the download', async () => {
  const dir = tmp();
  const pty = await cli(['orders', ...ALL_BUT_NAME, '--yes', '--no-git'], dir, { PATH: `${hangingGo()}:${process.env.PATH}` });
  await pty.expect('Downloading Go modules');
  pty.write(KEY.ctrlC);
  const exit = await pty.waitExit();
  assert.equal(exit, { code: 130, signal: null }, pty.text());
  assert.match(
    pty.text(),
    /^Interrupted: the files in orders are complete, but go mod download did not finish; to finish: cd orders && go mod download\.$/m,
  );
  assert.not.match(pty.text(), STACK);
  assert.ok(existsSync(join(dir, 'orders', '.go-k8s-service.json')));
  assert.equal(readdirSync(dir), ['orders']);
});

test('^C during go mod download inside another work tree: git is not among the steps to finish', async () => {
  const dir = tmp();
  await execa('git', ['init', '--quiet'], { cwd: dir });
  const pty = await cli(['orders', ...ALL_BUT_NAME, '--yes'], dir, { PATH: `${hangingGo()}:${process.env.PATH}` });
  await pty.expect('Downloading Go modules');
  pty.write(KEY.ctrlC);
  assert.equal(await pty.waitExit(), { code: 130, signal: null }, pty.text());
  assert.match(
    pty.text(),
    /^Interrupted: the files in orders are complete, but go mod download did not finish; to finish: cd orders && go mod download\.$/m,
  );
});

test.run();

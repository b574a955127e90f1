// Where writes are staged. create, regen, update and remove must work for a user who may write
// the repo but not its parent (a bind mount run as non-root, a CI job with a read-only parent):
// the stage lives inside the target, in tmp/ (which the generated .gitignore and .dockerignore
// leave out), and everything stays all-or-nothing. Runs the built CLI as a non-root user, so
// it needs root to create that user; elsewhere the non-root tests are skipped with a note.
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CLI } from '../support/cli.js';
import { readTree } from '../support/tree.js';
import { otherVersion, writtenByOlder } from '../support/regen/generators.js';

const USER = 'cgks-nonroot';
const isRoot = process.getuid?.() === 0;

/** The uid and gid of a non-root user made for these tests (useradd once per machine). */
function nonRootUser(): { uid: number; gid: number } {
  try {
    execFileSync('id', ['-u', USER], { stdio: 'ignore' });
  } catch {
    execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', USER]);
  }
  const id = (flag: string) => Number(execFileSync('id', [flag, USER], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

const user = isRoot ? nonRootUser() : undefined;

/** A directory owned by root, mode 755, that the user cannot write; inside it the user's own `repo`. */
function lockedParent(): { parent: string; repo: string } {
  const parent = mkdtempSync(join(tmpdir(), 'cgks-locked-'));
  chmodSync(parent, 0o755);
  const repo = join(parent, 'repo');
  mkdirSync(repo);
  chownSync(repo, user!.uid, user!.gid);
  return { parent, repo };
}

/** A home and cache of the user's own, and no registry (the versions here are published nowhere). */
function userEnv(): NodeJS.ProcessEnv {
  const home = mkdtempSync(join(tmpdir(), 'cgks-home-'));
  mkdirSync(join(home, 'packages'));
  execFileSync('chown', ['-R', `${user!.uid}:${user!.gid}`, home]);
  return {
    HOME: home,
    XDG_CACHE_HOME: join(home, '.cache'),
    GO_K8S_SERVICE_PACKAGES: join(home, 'packages'),
    NO_COLOR: '1',
    PATH: process.env.PATH,
    GIT_AUTHOR_NAME: 't',
    GIT_AUTHOR_EMAIL: 't@t',
    GIT_COMMITTER_NAME: 't',
    GIT_COMMITTER_EMAIL: 't@t',
  };
}

const asUser = (args: string[], cwd: string, env: NodeJS.ProcessEnv) =>
  execa(process.execPath, [CLI, ...args], {
    cwd,
    env,
    extendEnv: false,
    uid: user!.uid,
    gid: user!.gid,
    reject: false,
    stdin: 'ignore',
    timeout: 120_000,
  });

const git = (dir: string, args: string[], env: NodeJS.ProcessEnv) =>
  execFileSync('git', args, { cwd: dir, env, uid: user!.uid, gid: user!.gid, encoding: 'utf8' });

/** Resolves once a write under dir has started: a stage directory appeared anywhere in it. */
async function staging(dir: string, timeoutMs = 20_000): Promise<void> {
  const started = Date.now();
  const has = (d: string): boolean =>
    readdirSync(d, { withFileTypes: true }).some(
      (e) => e.name.includes('.cgks-') || (e.isDirectory() && e.name !== '.git' && has(join(d, e.name))),
    );
  while (!has(dir)) {
    if (Date.now() - started > timeoutMs) throw new Error(`no write started under ${dir}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const SKIP = !isRoot;
if (SKIP) console.log('not root: the non-root user tests are skipped (they need useradd)');

test('as a non-root user under a parent it cannot write: create, regen, update and remove each succeed and leave the parent untouched', async () => {
  if (SKIP) return;
  const { parent, repo } = lockedParent();
  const env = userEnv();

  const create = await asUser(['.', '--yes', '--name', 'orders', '--no-install'], repo, env);
  assert.is(create.exitCode, 0, create.stderr);
  assert.ok(existsSync(join(repo, 'go.mod')));
  assert.equal(readdirSync(parent), ['repo'], 'create wrote beside the repo');
  assert.not.ok(existsSync(join(repo, 'tmp')), 'create left its stage folder');
  assert.is(git(repo, ['status', '--porcelain'], env), '');

  const regen = await asUser(['regen', '--port', '9090'], repo, env);
  assert.is(regen.exitCode, 0, regen.stderr);
  assert.match(readFileSync(join(repo, 'Dockerfile'), 'utf8'), /EXPOSE 9090/);
  assert.equal(readdirSync(parent), ['repo'], 'regen wrote beside the repo');
  git(repo, ['commit', '-qam', 'port 9090'], env);

  // Make the repo look written by the previous release (its Makefile a line shorter), committed
  // so git holds the merge base; update then brings the line back.
  const older = (path: string, text: string) => (path === 'Makefile' ? text.replace(/^help: ## .*\n/m, 'help:\n') : text);
  writtenByOlder(repo, otherVersion(-1), older);
  execFileSync('chown', ['-R', `${user!.uid}:${user!.gid}`, repo]);
  git(repo, ['commit', '-qam', 'as the previous release wrote it'], env);
  const update = await asUser(['update'], repo, env);
  assert.is(update.exitCode, 0, update.stderr);
  assert.match(readFileSync(join(repo, 'Makefile'), 'utf8'), /^help: ## /m);
  assert.equal(readdirSync(parent), ['repo'], 'update wrote beside the repo');
  git(repo, ['commit', '-qam', 'update'], env);

  const remove = await asUser(['remove', 'compose.yaml'], repo, env);
  assert.is(remove.exitCode, 0, remove.stderr);
  assert.not.ok(existsSync(join(repo, 'compose.yaml')));
  assert.equal(readdirSync(parent), ['repo'], 'remove wrote beside the repo');
  assert.not.ok(existsSync(join(repo, 'tmp')), 'a stage folder was left');
});

test('as a non-root user under a parent it cannot write: an interrupted create leaves the directory empty', async () => {
  if (SKIP) return;
  const { parent, repo } = lockedParent();
  const child = execa(process.execPath, [CLI, '.', '--yes', '--name', 'orders', '--no-install', '--no-git'], {
    cwd: repo,
    env: { ...userEnv(), CGKS_TEST_WRITE_DELAY_MS: '40' },
    extendEnv: false,
    uid: user!.uid,
    gid: user!.gid,
    reject: false,
    stdin: 'ignore',
  });
  await staging(repo);
  await new Promise((r) => setTimeout(r, 300));
  child.kill('SIGINT');
  const r = await child;
  assert.is(r.exitCode, 130, r.stderr);
  assert.equal(readdirSync(repo), [], 'left behind');
  assert.equal(readdirSync(parent), ['repo']);
});

test('as a non-root user under a parent it cannot write: a regen interrupted while writing leaves the repo as it was or wholly regenerated', async () => {
  if (SKIP) return;
  const { repo } = lockedParent();
  const env = userEnv();
  const create = await asUser(['.', '--yes', '--name', 'orders', '--no-install', '--no-git'], repo, env);
  assert.is(create.exitCode, 0, create.stderr);
  // A user's own tmp/ with a file in it must survive the stage that shares the folder.
  mkdirSync(join(repo, 'tmp'));
  writeFileSync(join(repo, 'tmp', 'mine.txt'), 'mine\n');
  execFileSync('chown', ['-R', `${user!.uid}:${user!.gid}`, join(repo, 'tmp')]);
  const before = readTree(repo);
  // What the whole regen writes, done in a copy without interruption.
  const whole = join(mkdtempSync(join(tmpdir(), 'cgks-whole-')), 'repo');
  execFileSync('cp', ['-a', repo, whole]);
  const done = await execa(process.execPath, [CLI, 'regen', '--port', '9091'], {
    cwd: whole,
    reject: false,
    stdin: 'ignore',
    env: { NO_COLOR: '1' },
  });
  assert.is(done.exitCode, 0, done.stderr);
  const after = readTree(whole);
  assert.not.equal(after, before);

  const child = execa(process.execPath, [CLI, 'regen', '--port', '9091'], {
    cwd: repo,
    env: { ...env, CGKS_TEST_WRITE_DELAY_MS: '40' },
    extendEnv: false,
    uid: user!.uid,
    gid: user!.gid,
    reject: false,
    stdin: 'ignore',
  });
  await staging(repo);
  await new Promise((r) => setTimeout(r, 400));
  child.kill('SIGTERM');
  const r = await child;
  // regen writes synchronously: the signal is handled when the write is done, or undone.
  assert.ok(r.exitCode === 143 || r.exitCode === 0, `exit ${r.exitCode}: ${r.stderr}`);
  const now = readTree(repo);
  const same = (a: Map<string, Buffer>, b: Map<string, Buffer>) =>
    a.size === b.size && [...a].every(([p, bytes]) => b.get(p)?.equals(bytes));
  assert.ok(
    same(now, before) || same(now, after),
    `half-written: ${[...now.keys()].filter((p) => !before.get(p)?.equals(now.get(p)!)).join(', ')}`,
  );
  assert.equal(readdirSync(join(repo, 'tmp')), ['mine.txt'], 'the stage was left in tmp/');
});

test('as root too: a write into an existing directory leaves no stage and no tmp/ it did not find', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cgks-stage-'));
  const r = await execa(process.execPath, [CLI, '.', '--yes', '--name', 'orders', '--no-install', '--no-git'], {
    cwd: dir,
    reject: false,
    stdin: 'ignore',
    env: { NO_COLOR: '1' },
  });
  assert.is(r.exitCode, 0, r.stderr);
  assert.not.ok(existsSync(join(dir, 'tmp')));
  assert.equal(
    readdirSync(join(dir, '..')).filter((e) => e.includes('.cgks-')),
    [],
  );
  const regen = await execa(process.execPath, [CLI, 'regen', '--port', '9092'], {
    cwd: dir,
    reject: false,
    stdin: 'ignore',
    env: { NO_COLOR: '1' },
  });
  assert.is(regen.exitCode, 0, regen.stderr);
  assert.not.ok(existsSync(join(dir, 'tmp')));
  rmSync(dir, { recursive: true, force: true });
});

test('a tmp that is a file (or a link) is not used as the stage: the write still succeeds and leaves it alone', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cgks-stage-'));
  writeFileSync(join(dir, 'tmp'), 'a file called tmp\n');
  const r = await execa(process.execPath, [CLI, '.', '--yes', '--force', '--name', 'orders', '--no-install', '--no-git'], {
    cwd: dir,
    reject: false,
    stdin: 'ignore',
    env: { NO_COLOR: '1' },
  });
  assert.is(r.exitCode, 0, r.stderr);
  assert.ok(statSync(join(dir, 'tmp')).isFile());
  assert.is(readFileSync(join(dir, 'tmp'), 'utf8'), 'a file called tmp\n');
  assert.ok(existsSync(join(dir, 'go.mod')));
  assert.equal(
    readdirSync(dir).filter((e) => e.includes('.cgks-')),
    [],
  );
});

test('a tmp/ that is another filesystem (a mount point) is not used as the stage: renames across filesystems fail', async () => {
  if (SKIP) return;
  const dir = mkdtempSync(join(tmpdir(), 'cgks-stage-'));
  const run = (args: string[]) =>
    execa(process.execPath, [CLI, ...args], { cwd: dir, reject: false, stdin: 'ignore', env: { NO_COLOR: '1' } });
  const create = await run(['.', '--yes', '--name', 'orders', '--no-install', '--no-git']);
  assert.is(create.exitCode, 0, create.stderr);
  mkdirSync(join(dir, 'tmp'));
  execFileSync('mount', ['-t', 'tmpfs', 'tmpfs', join(dir, 'tmp')]);
  try {
    assert.is.not(statSync(join(dir, 'tmp')).dev, statSync(dir).dev);
    const regen = await run(['regen', '--port', '9094']);
    assert.is(regen.exitCode, 0, regen.stderr);
    assert.match(readFileSync(join(dir, 'Dockerfile'), 'utf8'), /EXPOSE 9094/);
    assert.equal(readdirSync(join(dir, 'tmp')), []);
    assert.equal(
      readdirSync(dir).filter((e) => e.includes('.cgks-')),
      [],
    );
  } finally {
    execFileSync('umount', [join(dir, 'tmp')]);
  }
});

test('a rewritten file keeps its mode: a read-only Dockerfile stays read-only, an executable stays executable', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cgks-mode-'));
  const run = (args: string[]) =>
    execa(process.execPath, [CLI, ...args], { cwd: dir, reject: false, stdin: 'ignore', env: { NO_COLOR: '1' } });
  const create = await run(['.', '--yes', '--name', 'orders', '--no-install', '--no-git']);
  assert.is(create.exitCode, 0, create.stderr);
  chmodSync(join(dir, 'Dockerfile'), 0o444);
  chmodSync(join(dir, 'charts/orders/values.yaml'), 0o755);
  const regen = await run(['regen', '--port', '9093']);
  assert.is(regen.exitCode, 0, regen.stderr);
  assert.match(readFileSync(join(dir, 'Dockerfile'), 'utf8'), /EXPOSE 9093/);
  assert.is(statSync(join(dir, 'Dockerfile')).mode & 0o777, 0o444);
  assert.match(readFileSync(join(dir, 'charts/orders/values.yaml'), 'utf8'), /9093/);
  assert.is(statSync(join(dir, 'charts/orders/values.yaml')).mode & 0o777, 0o755);
  // A file written new gets the usual mode.
  assert.is(statSync(join(dir, 'go.mod')).mode & 0o777, 0o644);
});

test.run();

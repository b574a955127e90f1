// scripts/install-tools.sh waiting for another run's install (two clones' tests on one machine
// share the tool cache and its lock): it says who holds the lock, since when and what that run is
// doing, keeps saying so while it waits, and gives up after a time limit with a clear message.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const SCRIPT = fileURLToPath(new URL('../../scripts/install-tools.sh', import.meta.url));

/** Holds dir/.lock the way a running install does (flock on the file) until killed. */
function holdLock(dir: string) {
  const holder = spawn('flock', [join(dir, '.lock'), 'sleep', '60'], { stdio: 'ignore' });
  // flock takes the lock before it runs sleep: wait until it is taken.
  for (let i = 0; i < 100; i++) {
    if (spawnSync('flock', ['-n', join(dir, '.lock'), 'true']).status !== 0) return holder;
    spawnSync('sleep', ['0.05']);
  }
  throw new Error('the lock was never taken');
}

const install = (dir: string, env: NodeJS.ProcessEnv) =>
  spawnSync('bash', [SCRIPT, 'actionlint'], { env: { ...process.env, CGKS_TOOLS_DIR: dir, ...env }, encoding: 'utf8', timeout: 60_000 });

test('a held lock: who holds it, since when, what it is doing; progress while waiting; a time limit with a clear message', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cgks-lock-'));
  const holder = holdLock(dir);
  try {
    writeFileSync(join(dir, '.lock.holder'), `${holder.pid} 2026-01-02T03:04:05Z install-tools.sh helm (in /src/other-clone)\n`);
    writeFileSync(join(dir, '.lock.holder.now'), 'installing helm v3.21.4 (about 2 minutes)…\n');
    const started = Date.now();
    const r = install(dir, { CGKS_TOOLS_LOCK_TIMEOUT: '3', CGKS_TOOLS_LOCK_POLL: '1' });
    const took = (Date.now() - started) / 1000;
    assert.is(r.status, 1, r.stderr);
    assert.ok(took >= 2.5 && took < 20, `gave up after ${took} s`);
    const lines = r.stderr.trim().split('\n');
    const who = `pid ${holder.pid}, install-tools.sh helm \\(in /src/other-clone\\), since 2026-01-02T03:04:05Z \\(\\d+ min ago\\); now: installing helm v3\\.21\\.4 \\(about 2 minutes\\)…`;
    assert.match(lines[0]!, new RegExp(`^install-tools: waiting for the tool cache lock \\(${dir}/\\.lock\\), held by ${who}$`));
    assert.ok(lines.filter((l) => /^install-tools: still waiting \(\d s of 3 s\)/.test(l)).length >= 1, r.stderr);
    assert.match(
      lines.at(-1)!,
      new RegExp(
        `^install-tools: error: gave up after 3 s waiting for the tool cache lock, held by ${who}; let it finish, stop it, or wait longer with CGKS_TOOLS_LOCK_TIMEOUT=<seconds>$`,
      ),
    );
  } finally {
    holder.kill();
  }
});

test('a lock held by a run that left no record says so', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cgks-lock-'));
  const holder = holdLock(dir);
  try {
    const r = install(dir, { CGKS_TOOLS_LOCK_TIMEOUT: '1', CGKS_TOOLS_LOCK_POLL: '1' });
    assert.is(r.status, 1);
    assert.match(r.stderr, /held by another process \(it left no record of itself: an older install-tools\.sh\?\)/);
  } finally {
    holder.kill();
  }
});

test('a bad time limit is refused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cgks-lock-'));
  const holder = holdLock(dir);
  try {
    const r = install(dir, { CGKS_TOOLS_LOCK_TIMEOUT: 'soon' });
    assert.is(r.status, 1);
    assert.match(
      r.stderr.trim(),
      /^install-tools: error: CGKS_TOOLS_LOCK_TIMEOUT and CGKS_TOOLS_LOCK_POLL must be whole numbers of seconds$/,
    );
  } finally {
    holder.kill();
  }
});

test('the run that takes the lock records itself and says how a long build is going, which a waiting run shows; the record goes when it ends', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cgks-lock-'));
  // A go that takes a while and fails: the holder stays in "installing actionlint" long enough.
  const bin = mkdtempSync(join(tmpdir(), 'cgks-slow-go-'));
  writeFileSync(join(bin, 'go'), '#!/bin/sh\nsleep 4\nexit 1\n');
  chmodSync(join(bin, 'go'), 0o755);
  const holder = spawn('bash', [SCRIPT, 'actionlint'], {
    env: { ...process.env, CGKS_TOOLS_DIR: dir, PATH: `${bin}:${process.env.PATH}`, CGKS_TOOLS_PROGRESS: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let progress = '';
  holder.stderr!.on('data', (d) => (progress += d));
  const ended = new Promise((r) => holder.on('close', r));
  for (let i = 0; i < 100 && !existsSync(join(dir, '.lock.holder.now')); i++) await new Promise((r) => setTimeout(r, 50));
  const waiter = install(dir, { CGKS_TOOLS_LOCK_TIMEOUT: '1', CGKS_TOOLS_LOCK_POLL: '1' });
  assert.is(waiter.status, 1);
  assert.match(
    waiter.stderr,
    new RegExp(
      `^install-tools: waiting for the tool cache lock \\(.*\\), held by pid ${holder.pid}, install-tools\\.sh actionlint \\(in .+\\), since \\d{4}-\\d\\d-\\d\\dT[\\d:]+Z \\(0 min ago\\); now: (installing actionlint v[\\d.]+ \\(about 20 seconds\\)…|still installing actionlint v[\\d.]+ \\(\\d+ s so far\\))$`,
      'm',
    ),
  );
  await ended;
  // The holder's own progress: a line a second while the build runs (CGKS_TOOLS_PROGRESS=1).
  assert.match(progress, /^install-tools: installing actionlint v[\d.]+ \(about 20 seconds\)…$/m);
  assert.ok(progress.match(/^install-tools: still installing actionlint v[\d.]+ \(\d s so far\)$/gm)!.length >= 2, progress);
  assert.match(progress, /^install-tools: error: go install github\.com\/rhysd\/actionlint\/cmd\/actionlint@v[\d.]+ failed$/m);
  assert.not.ok(existsSync(join(dir, '.lock.holder')), 'the record outlived its run');
  assert.not.ok(existsSync(join(dir, '.lock.holder.now')));
});

test.run();

// The published bin runs the program through V8's code cache (bin/code-cache.ts): the cache is
// per user and per command, written only after a successful run, read only from a directory
// nobody else can write to and with its checksum intact, and never a reason for a run to fail
// or to write something else.
import { execa } from 'execa';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CLI, runCli } from '../support/cli.js';
import { assertSameTree } from '../support/tree.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'cgks-cache-'));
const CREATE = ['--yes', '--no-git', '--no-install', '--go-version', '1.26'];

/** Runs the CLI with its cache under `cache`, reporting what the bin did with it. */
async function run(cache: string, args: string[], cwd?: string, env: NodeJS.ProcessEnv = {}) {
  const r = await runCli(args, { cwd, env: { XDG_CACHE_HOME: cache, CGKS_DEBUG: '1', ...env } });
  const state = /^code cache: (\w+)/m.exec(r.stderr)?.[1];
  return { ...r, state };
}

const cacheDir = (cache: string) => join(cache, 'create-go-k8s-service', 'v8');
const cacheFiles = (cache: string) => {
  const dir = cacheDir(cache);
  return existsSync(dir) ? readdirSync(dir).sort() : [];
};

test('the first create compiles and writes the cache, the second runs from it, with the same output', async () => {
  const cache = tmp();
  const work = tmp();
  const first = await run(cache, [join(work, 'a', 'svc'), ...CREATE]);
  assert.is(first.exitCode, 0, first.stderr);
  assert.is(first.state, 'miss');
  const files = cacheFiles(cache);
  assert.is(files.length, 1);
  assert.match(files[0]!, /^[0-9a-f]{16}-v\d+\.\d+\.\d+-\w+-\w+-create\.bin$/);
  const second = await run(cache, [join(work, 'b', 'svc'), ...CREATE]);
  assert.is(second.exitCode, 0, second.stderr);
  assert.is(second.state, 'hit');
  assertSameTree(join(work, 'a', 'svc'), join(work, 'b', 'svc'));
});

test('regen has a cache of its own beside create', async () => {
  const cache = tmp();
  const work = tmp();
  assert.is((await run(cache, [join(work, 'svc'), ...CREATE])).exitCode, 0);
  const regen = await run(cache, ['regen', 'dockerfile'], join(work, 'svc'));
  assert.is(regen.exitCode, 0, regen.stderr);
  assert.is(regen.state, 'miss');
  assert.equal(
    cacheFiles(cache).map((f) => f.replace(/.*-/, '')),
    ['create.bin', 'regen.bin'],
  );
  assert.is((await run(cache, ['regen', 'dockerfile'], join(work, 'svc'))).state, 'hit');
});

for (const [what, at] of [
  ['its header', 0],
  ['the middle of its payload (which V8 itself does not check)', 0.5],
] as const) {
  test(`a cache damaged in ${what} is ignored and replaced, and the run is unaffected`, async () => {
    const cache = tmp();
    const work = tmp();
    assert.is((await run(cache, [join(work, 'a', 'svc'), ...CREATE])).exitCode, 0);
    const file = join(cacheDir(cache), cacheFiles(cache)[0]!);
    const bytes = readFileSync(file);
    const from = Math.floor(bytes.length * at);
    for (let i = from; i < from + 64; i++) bytes[i] = bytes[i]! ^ 0xa5;
    writeFileSync(file, bytes);
    const r = await run(cache, [join(work, 'b', 'svc'), ...CREATE]);
    assert.is(r.exitCode, 0, r.stderr);
    assert.is(r.state, 'rejected');
    assertSameTree(join(work, 'a', 'svc'), join(work, 'b', 'svc'));
    assert.not.ok(readFileSync(file).equals(bytes), 'the damaged cache was not rewritten');
    assert.is((await run(cache, [join(work, 'c', 'svc'), ...CREATE])).state, 'hit');
  });
}

test('the cache holds what the run compiled: create keeps more code than --version', async () => {
  const cache = tmp();
  assert.is((await run(cache, [join(tmp(), 'svc'), ...CREATE])).exitCode, 0);
  assert.is((await run(cache, ['--version'])).exitCode, 0);
  const size = (cmd: string) => statSync(join(cacheDir(cache), cacheFiles(cache).find((f) => f.endsWith(`-${cmd}.bin`))!)).size;
  assert.ok(size('create') > 2 * size('help'), `create ${size('create')} B, help ${size('help')} B`);
});

test('a cache directory others can write to is neither read nor written', async () => {
  const cache = tmp();
  const work = tmp();
  assert.is((await run(cache, [join(work, 'a', 'svc'), ...CREATE])).exitCode, 0);
  const file = join(cacheDir(cache), cacheFiles(cache)[0]!);
  const before = readFileSync(file);
  chmodSync(cacheDir(cache), 0o777);
  const r = await run(cache, [join(work, 'b', 'svc'), ...CREATE]);
  assert.is(r.exitCode, 0, r.stderr);
  assert.is(r.state, 'untrusted');
  assert.ok(readFileSync(file).equals(before), 'the cache was rewritten');
  assert.is((await run(cache, ['regen', 'dockerfile'], join(work, 'b', 'svc'))).exitCode, 0);
  assert.equal(cacheFiles(cache).length, 1, 'a cache was written into it');
});

test('a relative XDG_CACHE_HOME is ignored (the XDG rule), so nothing lands in the working directory', async () => {
  const home = tmp();
  const work = tmp();
  const r = await run('.cache', [join(work, 'svc'), ...CREATE], work, { HOME: home });
  assert.is(r.exitCode, 0, r.stderr);
  assert.not.ok(existsSync(join(work, '.cache')));
  assert.is(cacheFiles(join(home, '.cache')).length, 1);
});

test('a run that fails leaves no cache; --help and --version share one of their own', async () => {
  const cache = tmp();
  const work = tmp();
  for (const args of [
    [join(work, 'svc'), '--yes', '--port', 'x'],
    [join(work, 'svc'), '--nope'],
  ]) {
    const r = await run(cache, args);
    assert.is(r.exitCode, 2, r.stderr);
    assert.is(r.state, 'miss');
  }
  assert.equal(cacheFiles(cache), []);
  assert.is((await run(cache, ['--version'])).state, 'miss');
  assert.is((await run(cache, ['--help'])).state, 'hit');
  assert.equal(
    cacheFiles(cache).map((f) => f.replace(/.*-/, '')),
    ['help.bin'],
  );
});

test('NODE_DISABLE_COMPILE_CACHE turns it off', async () => {
  const cache = tmp();
  const r = await run(cache, [join(tmp(), 'svc'), ...CREATE], undefined, { NODE_DISABLE_COMPILE_CACHE: '1' });
  assert.is(r.exitCode, 0, r.stderr);
  assert.is(r.state, 'off');
  assert.equal(cacheFiles(cache), []);
});

test('a cache directory that cannot be written only costs speed', async () => {
  const blocker = join(tmp(), 'a-file');
  writeFileSync(blocker, '');
  const work = tmp();
  const r = await run(blocker, [join(work, 'svc'), ...CREATE]);
  assert.is(r.exitCode, 0, r.stderr);
  assert.is(r.state, 'miss');
  assert.ok(existsSync(join(work, 'svc', 'go.mod')));
  assert.not.match(r.stderr, /ENOTDIR|Error/);
});

test('writing a cache removes month-old caches of other builds, and keeps recent ones, other commands and Node versions', async () => {
  const cache = tmp();
  const dir = cacheDir(cache);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const monthOld = ['0000000000000000-v20.0.0-linux-x64-create.bin', '0000000000000000-v20.0.0-linux-x64-regen.bin'];
  const recent = '1111111111111111-v20.0.0-linux-x64-create.bin';
  const longAgo = new Date(Date.now() - 31 * 24 * 3600_000);
  for (const f of [...monthOld, recent]) writeFileSync(join(dir, f), 'another build');
  for (const f of monthOld) utimesSync(join(dir, f), longAgo, longAgo);
  const first = await run(cache, [join(tmp(), 'svc'), ...CREATE]);
  assert.is(first.exitCode, 0);
  // This build's cache: the one create file that was not planted (its hash may start with any digit).
  const key = cacheFiles(cache)
    .find((f) => f.endsWith('-create.bin') && !monthOld.includes(f) && f !== recent)!
    .slice(0, 16);
  const otherNode = `${key}-v99.0.0-linux-x64-create.bin`;
  writeFileSync(join(dir, otherNode), 'another node');
  utimesSync(join(dir, otherNode), longAgo, longAgo);
  const regenDir = tmp();
  assert.is((await run(cache, [join(regenDir, 'svc'), ...CREATE])).state, 'hit');
  assert.is((await run(cache, ['regen', 'dockerfile'], join(regenDir, 'svc'))).exitCode, 0);
  const left = cacheFiles(cache);
  for (const f of monthOld) assert.not.ok(left.includes(f), `${f} was kept`);
  assert.ok(left.includes(recent), 'a recent cache of another build was removed');
  assert.ok(left.includes(otherNode), 'another Node version of this build was removed');
  assert.is(left.filter((f) => f.startsWith(key)).length, 3);
});

test('--help into a reader that has gone away ends quietly', async () => {
  const r = await execa('bash', ['-c', `set -o pipefail; "${process.execPath}" "${CLI}" --help | (exec 0<&-; sleep 0.3)`], {
    reject: false,
  });
  assert.is(r.exitCode, 0, r.stderr);
  assert.is(r.stderr, '');
});

test.run();

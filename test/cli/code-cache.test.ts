// The published bin runs the program through V8's code cache (bin/code-cache.ts): the cache is
// per user and per command, written only after a successful run, never trusted when V8 rejects
// it, and never a reason for a run to fail or to write something else.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli } from '../support/cli.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'cgks-cache-'));
const CREATE = ['--yes', '--no-git', '--no-install', '--go-version', '1.26'];

/** Runs the CLI with its cache under `cache`, reporting what the bin did with it. */
async function run(cache: string, args: string[], cwd?: string, env: NodeJS.ProcessEnv = {}) {
  const r = await runCli(args, { cwd, env: { XDG_CACHE_HOME: cache, CGKS_DEBUG: '1', ...env } });
  const state = /^code cache: (\w+)/m.exec(r.stderr)?.[1];
  return { ...r, state };
}

const cacheFiles = (cache: string) => {
  const dir = join(cache, 'create-go-k8s-service', 'v8');
  return existsSync(dir) ? readdirSync(dir).sort() : [];
};

function tree(dir: string, out = new Map<string, string>(), base = dir): Map<string, string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) tree(p, out, base);
    else out.set(relative(base, p), readFileSync(p, 'utf8'));
  }
  return out;
}

/** The recorded answers hold nothing time-dependent, so two runs must agree byte for byte. */
function sameTree(a: string, b: string): void {
  const ta = tree(a);
  const tb = tree(b);
  assert.equal([...ta.keys()].sort(), [...tb.keys()].sort());
  for (const [p, text] of ta) assert.ok(tb.get(p) === text, `${p} differs`);
}

test('the first create compiles and writes the cache, the second runs from it, with the same output', async () => {
  const cache = tmp();
  const work = tmp();
  const first = await run(cache, [join(work, 'a', 'svc'), ...CREATE]);
  assert.is(first.exitCode, 0, first.stderr);
  assert.is(first.state, 'miss');
  const files = cacheFiles(cache);
  assert.is(files.length, 1);
  assert.match(files[0]!, /^[0-9a-f]{16}-v\d+\.\d+\.\d+-\w+-create\.bin$/);
  const second = await run(cache, [join(work, 'b', 'svc'), ...CREATE]);
  assert.is(second.exitCode, 0, second.stderr);
  assert.is(second.state, 'hit');
  sameTree(join(work, 'a', 'svc'), join(work, 'b', 'svc'));
});

test('regen has a cache of its own beside create', async () => {
  const cache = tmp();
  const work = tmp();
  assert.is((await run(cache, [join(work, 'svc'), ...CREATE])).exitCode, 0);
  const regen = await run(cache, ['regen', 'dockerfile'], join(work, 'svc'));
  assert.is(regen.exitCode, 0, regen.stderr);
  assert.is(regen.state, 'miss');
  assert.equal(cacheFiles(cache).map((f) => f.replace(/.*-/, '')), ['create.bin', 'regen.bin']);
  assert.is((await run(cache, ['regen', 'dockerfile'], join(work, 'svc'))).state, 'hit');
});

test('a cache V8 rejects is ignored and replaced, and the run is unaffected', async () => {
  const cache = tmp();
  const work = tmp();
  assert.is((await run(cache, [join(work, 'a', 'svc'), ...CREATE])).exitCode, 0);
  const file = join(cache, 'create-go-k8s-service', 'v8', cacheFiles(cache)[0]!);
  const bytes = readFileSync(file);
  bytes.fill(0xff, 0, 16); // the header V8 checks: magic number, version and flag hashes
  writeFileSync(file, bytes);
  const r = await run(cache, [join(work, 'b', 'svc'), ...CREATE]);
  assert.is(r.exitCode, 0, r.stderr);
  assert.is(r.state, 'rejected');
  sameTree(join(work, 'a', 'svc'), join(work, 'b', 'svc'));
  assert.not.ok(readFileSync(file).subarray(0, 16).equals(Buffer.alloc(16, 0xff)), 'the rejected cache was not rewritten');
  assert.is((await run(cache, [join(work, 'c', 'svc'), ...CREATE])).state, 'hit');
});

test('a run that fails leaves no cache; --help and --version share one of their own', async () => {
  const cache = tmp();
  const work = tmp();
  for (const args of [[join(work, 'svc'), '--yes', '--port', 'x'], [join(work, 'svc'), '--nope']]) {
    const r = await run(cache, args);
    assert.is(r.exitCode, 2, r.stderr);
    assert.is(r.state, 'miss');
  }
  assert.equal(cacheFiles(cache), []);
  assert.is((await run(cache, ['--version'])).state, 'miss');
  assert.is((await run(cache, ['--help'])).state, 'hit');
  assert.equal(cacheFiles(cache).map((f) => f.replace(/.*-/, '')), ['help.bin']);
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

test('writing a cache removes those of other builds and keeps other commands and Node versions', async () => {
  const cache = tmp();
  const dir = join(cache, 'create-go-k8s-service', 'v8');
  mkdirSync(dir, { recursive: true });
  const stale = ['0000000000000000-v20.0.0-x64-create.bin', '0000000000000000-v20.0.0-x64-regen.bin'];
  for (const f of stale) writeFileSync(join(dir, f), 'old build');
  const first = await run(cache, [join(tmp(), 'svc'), ...CREATE]);
  const key = cacheFiles(cache).find((f) => f.endsWith('-create.bin') && !stale.includes(f))!.slice(0, 16);
  const otherNode = `${key}-v99.0.0-x64-create.bin`;
  writeFileSync(join(dir, otherNode), 'another node');
  const regenDir = tmp();
  assert.is((await run(cache, [join(regenDir, 'svc'), ...CREATE])).state, 'hit');
  assert.is((await run(cache, ['regen', 'dockerfile'], join(regenDir, 'svc'))).exitCode, 0);
  assert.is(first.exitCode, 0);
  const left = cacheFiles(cache);
  for (const f of stale) assert.not.ok(left.includes(f), `${f} was kept`);
  assert.ok(left.includes(otherNode), 'another Node version of this build was removed');
  assert.is(left.filter((f) => f.startsWith(key)).length, 3);
});

test.run();

// The README's quick start, run as written in a fresh `git clone` of this repo: nothing from the
// checkout's node_modules or dist/ comes along, so `npm ci` then `npm start` must build what
// start runs, and `npm test` must build and check what it tests.
// test-budget: 600 s (npm ci, two builds, go mod download, go build, a typecheck)
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execa } from 'execa';
import { GO_ENV } from '../support/go.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'cgks-quick-start-'));
const clone = join(work, 'clone');
const git = (args: string[], cwd: string) =>
  execa('git', ['-c', 'user.name=test', '-c', 'user.email=test@localhost', '-c', 'commit.gpgsign=false', ...args], { cwd });
// npm from its cache where it can (the registry only for what the cache lacks), quietly.
const npmEnv = { npm_config_prefer_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false', ...GO_ENV, NO_COLOR: '1' };

/** The commands of the sh block after the README line that starts with `intro`. */
function readmeCommand(intro: string): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const at = readme.indexOf(intro);
  assert.ok(at >= 0, `README has no "${intro}"`);
  const block = /```sh\n([^`]*?)\n```/.exec(readme.slice(at));
  return block![1]!.trim();
}

test.before(async () => {
  // What a clone of this work tree would hold once committed: tracked and new, not ignored files.
  const src = join(work, 'src');
  const listed = await execa('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root });
  for (const f of listed.stdout.split('\0').filter(Boolean)) {
    if (!existsSync(join(root, f))) continue; // deleted in the work tree
    mkdirSync(dirname(join(src, f)), { recursive: true });
    cpSync(join(root, f), join(src, f));
  }
  await git(['init', '-q'], src);
  await git(['add', '-A'], src);
  await git(['commit', '-q', '-m', 'snapshot'], src);
  await git(['clone', '-q', '--no-local', src, clone], work);
  assert.not.ok(existsSync(join(clone, 'dist')) || existsSync(join(clone, 'node_modules')));
});

test.after(() => rmSync(work, { recursive: true, force: true }));

test('"npm ci && npm start -- my-service --yes" in a fresh clone writes a service that builds', async () => {
  const cmd = readmeCommand('Generate a service with all defaults');
  const target = /^npm ci && npm start -- (\S+) --yes$/.exec(cmd)?.[1];
  assert.ok(target, `the README's quick start changed shape: ${cmd}`);
  const r = await execa('sh', ['-c', cmd], { cwd: clone, env: npmEnv, reject: false, timeout: 300_000 });
  assert.is(r.exitCode, 0, `${r.stdout}\n${r.stderr}`);
  // Every dependency's install script is decided in package.json's allowScripts: npm asks nothing.
  assert.not.match(r.stderr, /install-scripts|allowScripts/);
  const service = resolve(clone, target!);
  assert.ok(existsSync(join(service, 'go.mod')), `no ${target}/go.mod`);
  const build = await execa('go', ['build', './...'], { cwd: service, env: GO_ENV, reject: false, timeout: 300_000 });
  assert.is(build.exitCode, 0, build.stderr);
});

test('"npm ci && npm test" in a fresh clone builds, typechecks and runs the tests (here one unit file)', async () => {
  const cmd = readmeCommand('Run the whole test suite');
  assert.is(cmd, 'npm ci && npm test');
  // npm ci already ran above; dist/ goes, so npm test has to build it itself.
  rmSync(join(clone, 'dist'), { recursive: true, force: true });
  const r = await execa('npm', ['test', '--', 'test/unit/escape.test.ts'], { cwd: clone, env: npmEnv, reject: false, timeout: 300_000 });
  assert.is(r.exitCode, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /^ok +test\/unit\/escape\.test\.ts/m);
  assert.ok(existsSync(join(clone, 'dist', 'cli.cjs')), 'npm test did not build dist/');
});

test.run();

// `outdated`: the recorded generator version against the newest release the package source has
// (a directory of tarballs, or a registry: here a stand-in on loopback, never the public one).
// Exit 0 up to date, 1 outdated, 2 usage or no generated repo, 4 when the newest cannot be looked up.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { GENERATOR_VERSION } from '../../generators/model/version.js';
import { assertUsageError, runCli } from '../support/cli.js';
import { extracted, PACKAGE, packagesDir, releasedTarball, thisTreeTarball } from '../support/packages.js';
import { closedPort, startRegistry } from '../support/registry.js';
import { newRepo } from '../support/regen/repo.js';

const release010 = releasedTarball();
const ours = thisTreeTarball(GENERATOR_VERSION);
const cli010 = join(extracted(release010), 'dist/cli.cjs');
/** npm's own cache per run: no answer of an earlier run is reused. */
const npmEnv = () => ({ npm_config_cache: mkdtempSync(join(tmpdir(), 'cgks-npm-cache-')) });

async function repoBy010(): Promise<string> {
  const dir = join(mkdtempSync(join(tmpdir(), 'cgks-outdated-')), 'orders');
  const r = await runCli([dir, '--yes', '--no-git', '--no-install'], { cli: cli010 });
  assert.is(r.exitCode, 0, r.stderr);
  return dir;
}

test('behind the newest tarball in the directory: exit 1, one line, and the JSON document', async () => {
  const dir = await repoBy010();
  // Versions compare as numbers: 0.10.0 is newer than 0.9.1 (the names alone would sort it first).
  const packages = packagesDir([release010, ours]);
  for (const v of ['0.9.1', '0.10.0']) writeFileSync(join(packages, `${PACKAGE}-${v}.tgz`), '');
  writeFileSync(join(packages, `${PACKAGE}-notes.tgz`), '');

  const human = await runCli(['outdated'], { cwd: dir, env: { GO_K8S_SERVICE_PACKAGES: packages } });
  assert.is(human.exitCode, 1, human.stderr);
  assert.is(human.stdout.trim().split('\n').length, 1, human.stdout);
  assert.match(human.stdout, /0\.1\.0 is outdated: 0\.10\.0 is the newest/);
  assert.match(human.stdout, new RegExp(`npx ${PACKAGE}@0\\.10\\.0 update`));

  const json = await runCli(['outdated', '--json', '--packages', packages], { cwd: join(dir, 'internal') });
  assert.is(json.exitCode, 1, json.stderr);
  assert.equal(JSON.parse(json.stdout), { name: 'orders', recorded: '0.1.0', latest: '0.10.0', outdated: true });
});

test('at the newest version: exit 0', async () => {
  const dir = await newRepo();
  const r = await runCli(['outdated', '--json'], { cwd: dir, env: { GO_K8S_SERVICE_PACKAGES: packagesDir([release010, ours]) } });
  assert.is(r.exitCode, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout), { name: 'orders', recorded: GENERATOR_VERSION, latest: GENERATOR_VERSION, outdated: false });
});

test('a registry: its latest tag (npm view), also when the repo is ahead of it', async () => {
  const registry = await startRegistry(PACKAGE, [release010, ours], '0.1.0');
  try {
    const behind = await runCli(['outdated', '--json', '--packages', registry.url], { cwd: await newRepo(), env: npmEnv() });
    assert.is(behind.exitCode, 0, behind.stderr);
    assert.equal(JSON.parse(behind.stdout), { name: 'orders', recorded: GENERATOR_VERSION, latest: '0.1.0', outdated: false });
  } finally {
    await registry.close();
  }
  const registry2 = await startRegistry(PACKAGE, [release010, ours]);
  try {
    const r = await runCli(['outdated', '--json'], {
      cwd: await repoBy010(),
      env: { ...npmEnv(), GO_K8S_SERVICE_PACKAGES: registry2.url },
    });
    assert.is(r.exitCode, 1, r.stderr);
    assert.equal(JSON.parse(r.stdout), { name: 'orders', recorded: '0.1.0', latest: GENERATOR_VERSION, outdated: true });
  } finally {
    await registry2.close();
  }
});

test('a registry that cannot be reached: one line naming it, exit 4, quickly', async () => {
  const url = `http://127.0.0.1:${await closedPort()}/`;
  const t = Date.now();
  const r = await runCli(['outdated', '--packages', url], { cwd: await repoBy010(), env: npmEnv() });
  assert.is(r.exitCode, 4, r.stderr);
  assert.ok(Date.now() - t < 30_000, `took ${Date.now() - t} ms`);
  assert.is(r.stdout, '');
  assert.is(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(
    r.stderr,
    new RegExp(`^error: cannot tell whether ${PACKAGE} is outdated: .*${url.replace(/[.]/g, '\\.')}.*cannot be reached \\(ECONNREFUSED\\)`),
  );

  const json = await runCli(['outdated', '--json', '--packages', url], { cwd: await repoBy010(), env: npmEnv() });
  assert.is(json.exitCode, 4);
  assert.is(JSON.parse(json.stdout).exitCode, 4);
});

test('a package directory without tarballs, and a registry without the package: exit 4', async () => {
  const dir = await repoBy010();
  const empty = mkdtempSync(join(tmpdir(), 'cgks-empty-'));
  const r = await runCli(['outdated'], { cwd: dir, env: { GO_K8S_SERVICE_PACKAGES: empty } });
  assert.is(r.exitCode, 4, r.stderr);
  assert.match(r.stderr, new RegExp(`holds no ${PACKAGE}-<version>\\.tgz`));
  const registry = await startRegistry('some-other-package', []);
  try {
    const none = await runCli(['outdated', '--packages', registry.url], { cwd: dir, env: npmEnv() });
    assert.is(none.exitCode, 4, none.stderr);
    assert.match(none.stderr, /no such package or version/);
  } finally {
    await registry.close();
  }
});

test('usage: outside a generated repo, arguments, answer flags; its help names the exit codes', async () => {
  await assertUsageError(['outdated'], /^error: no \.go-k8s-service\.json in .* or any parent/, mkdtempSync(join(tmpdir(), 'cgks-none-')));
  const dir = await repoBy010();
  await assertUsageError(['outdated', 'extra'], /outdated takes no arguments/, dir);
  await assertUsageError(['outdated', '--port', '9090'], /takes no answer flags/, dir);
  await assertUsageError(['outdated', '--bot'], /--bot does not apply to the outdated command/, dir);
  const help = await runCli(['outdated', '--help']);
  assert.is(help.exitCode, 0);
  assert.match(help.stdout, /^ {2}1 +outdated: a newer version is published$/m);
  assert.match(help.stdout, /^ {2}4 +the newest version could not be looked up/m);
  assert.match(help.stdout, /--packages <dir\|url>/);
});

test.run();

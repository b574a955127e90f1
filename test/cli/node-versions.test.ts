// The CLI under every Node line the package supports (package.json "engines"): the built bin
// (dist/cli.cjs) and the installed tarball's bin run create, regen, update and check under Node
// 20 (end of life, still allowed), 22 and 24 (LTS) and 26 (the newest), write what the Node
// running the suite writes, and each Node keeps a code cache of its own. The binaries are pinned
// in scripts/install-node.sh and installed on first use.
// test-budget: 600 s (the first run downloads four Node binaries)
import { execa } from 'execa';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CLI, runCli } from '../support/cli.js';
import { assertSameTree } from '../support/tree.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const CREATE = ['--yes', '--no-install', '--go-version', '1.26'];
const GIT_ENV = {
  GIT_AUTHOR_NAME: 'test',
  GIT_AUTHOR_EMAIL: 'test@localhost',
  GIT_COMMITTER_NAME: 'test',
  GIT_COMMITTER_EMAIL: 'test@localhost',
};

/** The supported lines and their pinned versions, from the script that installs them. */
async function pinned(): Promise<Map<string, string>> {
  const r = await execa('bash', [join(root, 'scripts', 'install-node.sh'), '--list']);
  return new Map(r.stdout.split('\n').map((l) => l.split(' ') as [string, string]));
}

const work = mkdtempSync(join(tmpdir(), 'cgks-node-'));
const tmp = () => mkdtempSync(join(work, 'run-'));
let reference = '';
let installedBin = '';

test.before(async () => {
  reference = join(work, 'reference', 'svc');
  const r = await runCli([reference, ...CREATE, '--no-git']);
  assert.is(r.exitCode, 0, r.stderr);
  const pack = await execa('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], {
    cwd: root,
    env: { npm_config_loglevel: 'error' },
  });
  const tarball = join(work, (JSON.parse(pack.stdout) as { filename: string }[])[0]!.filename);
  const prefix = join(work, 'prefix');
  await execa('npm', ['install', '--prefix', prefix, '--no-audit', '--no-fund', '--offline', tarball]);
  installedBin = join(prefix, 'node_modules', '.bin', 'create-go-k8s-service');
});

test.after(() => rmSync(work, { recursive: true, force: true }));

test('engines names the lines tested here, and install-node.sh pins one release of each', async () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { engines: { node: string } };
  assert.is(pkg.engines.node, '>=20');
  const lines = await pinned();
  assert.equal([...lines.keys()], ['20', '22', '24', '26']);
  for (const [major, version] of lines) assert.match(version, new RegExp(`^${major}\\.\\d+\\.\\d+$`));
});

for (const major of ['20', '22', '24', '26']) {
  test(`Node ${major}: create, regen, update, check and the code cache, from dist/ and from the installed tarball`, async () => {
    const node = (await execa('bash', [join(root, 'scripts', 'install-node.sh'), major])).stdout.trim();
    const version = (await execa(node, ['--version'])).stdout.trim();
    assert.is(version, `v${(await pinned()).get(major)}`);
    const cache = tmp();
    const dir = tmp();
    const env = { ...GIT_ENV, NO_COLOR: '1', XDG_CACHE_HOME: cache, CGKS_DEBUG: '1' };
    const run = async (cmd: string, args: string[], cwd = dir, extra: NodeJS.ProcessEnv = {}) => {
      const r = await execa(cmd, args, { cwd, env: { ...env, ...extra }, reject: false, stdin: 'ignore', timeout: 120_000 });
      const cached = /^code cache: (\w+) (\S+)$/m.exec(r.stderr);
      return { ...r, cache: cached?.[1], cacheFile: cached?.[2] ?? '' };
    };
    const cli = (args: string[], cwd?: string) => run(node, [CLI, ...args], cwd);

    // create: compiles (miss), writes what the suite's Node writes, then runs from the cache (hit).
    const first = await cli([join(dir, 'a', 'svc'), ...CREATE, '--no-git']);
    assert.is(first.exitCode, 0, first.stderr);
    assert.is(first.cache, 'miss');
    assert.ok(first.cacheFile.includes(`-${version}-`), `the cache ${first.cacheFile} is not ${version}'s`);
    assertSameTree(join(dir, 'a', 'svc'), reference);
    const svc = join(dir, 'b', 'svc');
    const second = await cli([svc, ...CREATE]);
    assert.is(second.exitCode, 0, second.stderr);
    assert.is(second.cache, 'hit');
    assert.ok(existsSync(join(svc, '.git')), 'create made no git repo');
    assertSameTree(svc, reference);

    // regen: an edited file is refused without --force and rewritten with it; a failed run keeps
    // no cache, so the first to succeed compiles, and the next runs from its cache.
    writeFileSync(join(svc, 'Dockerfile'), `${readFileSync(join(svc, 'Dockerfile'), 'utf8')}# edited\n`);
    const refused = await cli(['regen', 'dockerfile'], svc);
    assert.is(refused.exitCode, 1, refused.stderr);
    assert.match(refused.stderr, /Dockerfile/);
    const forced = await cli(['regen', 'dockerfile', '--force'], svc);
    assert.is(forced.exitCode, 0, forced.stderr);
    assert.is(forced.cache, 'miss');
    assertSameTree(svc, reference);
    const again = await cli(['regen', 'dockerfile'], svc);
    assert.is(again.exitCode, 0, again.stderr);
    assert.is(again.cache, 'hit');

    // update with this version: nothing to do; check: every convention holds.
    const update = await cli(['update'], svc);
    assert.is(update.exitCode, 0, update.stderr);
    const check = await cli(['check'], svc);
    assert.is(check.exitCode, 0, check.stdout + check.stderr);
    assert.equal(
      readdirSync(join(cache, 'create-go-k8s-service', 'v8'))
        .map((f) => f.replace(/^[0-9a-f]{16}-/, ''))
        .sort(),
      ['check', 'create', 'regen', 'update'].map((c) => `${version}-${process.platform}-${process.arch}-${c}.bin`),
    );

    // The installed package's bin: its `#!/usr/bin/env node` finds this Node first on PATH.
    const fromPackage = join(dir, 'c', 'svc');
    const installed = await run(installedBin, [fromPackage, ...CREATE, '--no-git'], dir, {
      PATH: `${dirname(node)}${delimiter}${process.env.PATH}`,
    });
    assert.is(installed.exitCode, 0, installed.stderr);
    assert.ok(installed.cacheFile.includes(`-${version}-`), `the installed bin ran under another Node: ${installed.cacheFile}`);
    assertSameTree(fromPackage, reference);
  });
}

test.run();

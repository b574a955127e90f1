// scripts/publish-manifests.sh (deploy=gitops), run for real against a local bare git repository
// standing in for the environment repository: the first publish, an update, a no-op, a promotion
// to prod by branch, a concurrent publish that rebases cleanly, and concurrent ones that cannot be
// replayed, which fail with one line while both changes survive. shellcheck judges the script.
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execa } from 'execa';
import { parse as parseYaml } from 'yaml';
import { generate } from '../support/generate.js';
import { ensureTools, toolPath, toolsDir } from '../support/tools.js';
import { goEnv } from '../support/go.js';

const scratch = mkdtempSync(join(tmpdir(), 'cgks-publish-'));
const service = generate({ deploy: 'gitops' }, 'cgks-publish-svc-');
const bare = join(scratch, 'environments.git');
const digest = (c: string) => `sha256:${c.repeat(64)}`;
const COMMIT = 'c0ffee'.padEnd(40, '0');
const DEPLOYMENT = 'deployment-demo-svc.yaml';

const baseEnv = (): Record<string, string> => ({
  PATH: [join(toolsDir(), 'bin'), '/usr/local/go/bin', '/usr/bin', '/bin'].join(':'),
  HOME: scratch,
  ...goEnv({ proxy: 'off', sharedCaches: true }),
  HELM_CONFIG_HOME: join(scratch, 'helm'),
  HELM_CACHE_HOME: join(scratch, 'helm'),
  HELM_DATA_HOME: join(scratch, 'helm'),
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_NAME: 'test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
});

const git = async (args: string[], cwd = scratch) => {
  const r = await execa('git', args, { cwd, env: baseEnv(), extendEnv: false });
  return r.stdout.trim();
};
const show = (ref: string, path: string) => git(['--git-dir', bare, 'show', `${ref}:${path}`]);
const image = async (ref: string, env: string) =>
  parseYaml(await show(ref, `${env}/demo-svc/${DEPLOYMENT}`)).spec.template.spec.containers[0].image as string;
const head = (ref = 'main') => git(['--git-dir', bare, 'rev-parse', ref]);

async function publish(envs: string[], d: string, extra: Record<string, string> = {}) {
  return execa('bash', ['scripts/publish-manifests.sh', ...envs], {
    cwd: service,
    env: { ...baseEnv(), GITOPS_REPO_URL: bare, DIGEST: d, COMMIT, ...extra },
    extendEnv: false,
    reject: false,
    all: true,
  });
}

/** A pre-push hook (through GIT_CONFIG_* so only the script's pushes see it) that lets "someone else"
 * push a commit to main first: on the first `times` pushes it runs `change` in a clone of its own. */
function concurrently(change: string, times = 1): Record<string, string> {
  const hooks = mkdtempSync(join(scratch, 'hooks-'));
  const count = join(hooks, 'count');
  writeFileSync(count, '0');
  writeFileSync(
    join(hooks, 'pre-push'),
    `#!/usr/bin/env bash
set -euo pipefail
n=$(cat ${count}); [[ $n -lt ${times} ]] || exit 0; echo $((n + 1)) > ${count}
other=$(mktemp -d)
env -u GIT_CONFIG_COUNT -u GIT_CONFIG_KEY_0 -u GIT_CONFIG_VALUE_0 -u GIT_DIR -u GIT_WORK_TREE git clone --quiet ${bare} "$other/c"
cd "$other/c"
unset GIT_CONFIG_COUNT GIT_CONFIG_KEY_0 GIT_CONFIG_VALUE_0 GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE
${change}
git add -A && git commit --quiet -m "a concurrent publish $n" && git push --quiet origin HEAD:main
rm -rf "$other"
`,
  );
  chmodSync(join(hooks, 'pre-push'), 0o755);
  return { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'core.hooksPath', GIT_CONFIG_VALUE_0: hooks };
}

test.before(async () => {
  await ensureTools(['helm', 'shellcheck']);
  // The environment repository as the starter leaves it: a README on main.
  await git(['init', '--quiet', '--bare', '-b', 'main', bare]);
  const seed = join(scratch, 'seed');
  mkdirSync(seed);
  await git(['init', '--quiet', '-b', 'main'], seed);
  writeFileSync(join(seed, 'README.md'), '# Environments\n');
  await git(['add', '-A'], seed);
  await git(['commit', '--quiet', '-m', 'start'], seed);
  await git(['push', '--quiet', bare, 'main'], seed);
});

test.after(() => {
  rmSync(scratch, { recursive: true, force: true });
  rmSync(service, { recursive: true, force: true });
});

test('shellcheck finds nothing in scripts/publish-manifests.sh', async () => {
  const r = await execa(toolPath('shellcheck'), ['scripts/publish-manifests.sh'], { cwd: service, reject: false, all: true });
  assert.is(r.exitCode, 0, r.all);
});

test('first publish: dev and staging committed to main, one file per object, the image by digest', async () => {
  const r = await publish(['dev', 'staging'], digest('a'));
  assert.is(r.exitCode, 0, r.all);
  for (const env of ['dev', 'staging']) {
    assert.is(await image('main', env), `ghcr.io/example/demo-svc@${digest('a')}`);
    const files = (await git(['--git-dir', bare, 'ls-tree', '--name-only', `main:${env}/demo-svc`])).split('\n');
    assert.ok(files.includes(DEPLOYMENT) && files.includes('service-demo-svc.yaml'), files.join(' '));
  }
  assert.match(await git(['--git-dir', bare, 'log', '-1', '--format=%B', 'main']), new RegExp(`Source-Commit: ${COMMIT}`));
  assert.is(await show('main', 'README.md'), '# Environments');
});

test('an update: a new digest replaces the old one in both environments', async () => {
  const r = await publish(['dev', 'staging'], digest('b'));
  assert.is(r.exitCode, 0, r.all);
  assert.is(await image('main', 'dev'), `ghcr.io/example/demo-svc@${digest('b')}`);
  assert.is(await image('main', 'staging'), `ghcr.io/example/demo-svc@${digest('b')}`);
});

test('a publish that changes nothing pushes nothing', async () => {
  const before = await head();
  const r = await publish(['dev', 'staging'], digest('b'));
  assert.is(r.exitCode, 0, r.all);
  assert.match(r.all!, /dev: dev\/demo-svc unchanged: nothing to publish/);
  assert.is(await head(), before);
});

test("promotion: prod gets a branch moving staging's digest, main is left for the pull request", async () => {
  const before = await head();
  const r = await publish(['prod'], digest('b'));
  assert.is(r.exitCode, 0, r.all);
  assert.is(await head(), before, 'prod was committed to main directly');
  const branch = `publish/demo-svc-prod-${COMMIT.slice(0, 12)}`;
  assert.match(r.all!, new RegExp(`pushed branch ${branch}`));
  assert.is(await image(branch, 'prod'), await image('main', 'staging'));
  const changed = (await git(['--git-dir', bare, 'diff', '--name-only', `main...${branch}`])).split('\n');
  assert.ok(
    changed.every((p) => p.startsWith('prod/demo-svc/')),
    changed.join(' '),
  );
  // Publishing the same commit again does not push a second branch.
  const again = await publish(['prod'], digest('b'));
  assert.is(again.exitCode, 0, again.all);
  assert.match(again.all!, /branch .* already has these manifests: nothing to publish/);
});

test("the same commit republished with a new digest (a retry, a tag pipeline): prod's branch follows and is listed for its request", async () => {
  const branch = `publish/demo-svc-prod-${COMMIT.slice(0, 12)}`;
  const before = await head(branch);
  const listed = join(mkdtempSync(join(scratch, 'pr-')), 'branches');
  const r = await publish(['prod'], digest('9'), { GITOPS_PR_BRANCHES_FILE: listed });
  assert.is(r.exitCode, 0, r.all);
  assert.match(r.all!, new RegExp(`prod: updated branch ${branch}`));
  assert.is(await image(branch, 'prod'), `ghcr.io/example/demo-svc@${digest('9')}`, 'the prod branch kept the stale digest');
  assert.is.not(await head(branch), before);
  assert.is(readFileSync(listed, 'utf8'), `${branch}\n`, 'the CI step that opens or refreshes the request gets the branch');
  // And back: the digest staging runs, published again, is what prod's branch holds.
  const back = await publish(['prod'], digest('b'));
  assert.is(back.exitCode, 0, back.all);
  assert.is(await image(branch, 'prod'), `ghcr.io/example/demo-svc@${digest('b')}`);
});

test('a concurrent publish of another folder pushed first: rebased once, both changes on main', async () => {
  const r = await publish(['dev'], digest('c'), concurrently('mkdir -p other && echo x > other/cm.yaml'));
  assert.is(r.exitCode, 0, r.all);
  assert.match(r.all!, /after a concurrent publish/);
  assert.is(await image('main', 'dev'), `ghcr.io/example/demo-svc@${digest('c')}`);
  assert.is(await show('main', 'other/cm.yaml'), 'x');
});

test('a concurrent publish of the same file: one error line, main keeps theirs, ours is on a branch', async () => {
  const theirs = `sed -i 's/@sha256:[0-9a-f]*/@${digest('e')}/' dev/demo-svc/${DEPLOYMENT}`;
  const r = await publish(['dev'], digest('d'), concurrently(theirs));
  assert.is(r.exitCode, 1, r.all);
  const errors = r.stderr.split('\n').filter((l) => l.startsWith('error:'));
  assert.is(errors.length, 1, r.stderr);
  assert.match(
    errors[0]!,
    /^error: publish-manifests: dev: main of .* changed dev\/demo-svc concurrently .* this one is on branch publish\/demo-svc-dev-/,
  );
  assert.is(await image('main', 'dev'), `ghcr.io/example/demo-svc@${digest('e')}`);
  assert.is(await image(`publish/demo-svc-dev-${COMMIT.slice(0, 12)}`, 'dev'), `ghcr.io/example/demo-svc@${digest('d')}`);
});

test('concurrent pushes on every attempt: it retries once, then fails with one line, losing nothing', async () => {
  const r = await publish(['staging'], digest('f'), concurrently('echo "$RANDOM" >> other/cm.yaml', 5));
  assert.is(r.exitCode, 1, r.all);
  assert.is(r.stderr.split('\n').filter((l) => l.startsWith('error:')).length, 1, r.stderr);
  assert.is(await image('main', 'staging'), `ghcr.io/example/demo-svc@${digest('b')}`);
  assert.is(await image(`publish/demo-svc-staging-${COMMIT.slice(0, 12)}`, 'staging'), `ghcr.io/example/demo-svc@${digest('f')}`);
  // x from before, and a line per concurrent push (the hook also fires before the branch push).
  assert.ok((await show('main', 'other/cm.yaml')).split('\n').length >= 3, 'the concurrent changes are on main');
});

test("a hand edit inside the service's folder does not survive a publish: the folder is replaced as a whole", async () => {
  const seed = mkdtempSync(join(scratch, 'hand-'));
  await git(['clone', '--quiet', bare, seed]);
  writeFileSync(join(seed, 'staging/demo-svc/configmap-extra.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n');
  writeFileSync(join(seed, 'staging/demo-svc/service-demo-svc.yaml'), 'edited by hand\n');
  await git(['add', '-A'], seed);
  await git(['commit', '--quiet', '-m', 'a hand edit'], seed);
  await git(['push', '--quiet', 'origin', 'HEAD:main'], seed);
  const r = await publish(['staging'], digest('8'));
  assert.is(r.exitCode, 0, r.all);
  const files = (await git(['--git-dir', bare, 'ls-tree', '--name-only', 'main:staging/demo-svc'])).split('\n');
  assert.not.ok(files.includes('configmap-extra.yaml'), files.join(' '));
  assert.match(await show('main', 'staging/demo-svc/service-demo-svc.yaml'), /^apiVersion: v1\nkind: Service\n/);
});

test('a concurrent hand edit inside the folder, kept by a clean rebase: refused with one line, main keeps it, ours on a branch', async () => {
  const r = await publish(['staging'], digest('7'), concurrently('echo "# by hand" > staging/demo-svc/configmap-hand.yaml'));
  assert.is(r.exitCode, 1, r.all);
  const errors = r.stderr.split('\n').filter((l) => l.startsWith('error:'));
  assert.is(errors.length, 1, r.stderr);
  assert.match(errors[0]!, /^error: publish-manifests: staging: main of .* changed staging\/demo-svc concurrently /);
  const files = (
    await git(['--git-dir', bare, 'ls-tree', '--name-only', `publish/demo-svc-staging-${COMMIT.slice(0, 12)}:staging/demo-svc`])
  ).split('\n');
  assert.not.ok(files.includes('configmap-hand.yaml'), `our branch holds the rendered folder alone: ${files.join(' ')}`);
  assert.is(await image(`publish/demo-svc-staging-${COMMIT.slice(0, 12)}`, 'staging'), `ghcr.io/example/demo-svc@${digest('7')}`);
  assert.is(await show('main', 'staging/demo-svc/configmap-hand.yaml'), '# by hand');
  // Publishing again (nothing concurrent now) replaces the folder as a whole.
  const again = await publish(['staging'], digest('7'));
  assert.is(again.exitCode, 0, again.all);
  assert.not.ok(
    (await git(['--git-dir', bare, 'ls-tree', '--name-only', 'main:staging/demo-svc'])).split('\n').includes('configmap-hand.yaml'),
  );
});

test('usage: no environment or no digest is exit 2 with one line', async () => {
  const none = await publish([], digest('a'));
  assert.is(none.exitCode, 2);
  assert.match(none.stderr.trim(), /^error: publish-manifests: name the environments to publish/);
  for (const bad of ['', 'sha256:abc', `sha256:${'A'.repeat(64)}`, `sha256:${'a'.repeat(64)} `]) {
    const r = await publish(['dev'], bad);
    assert.is(r.exitCode, 2, bad);
    assert.is(
      r.stderr,
      `error: publish-manifests: DIGEST must be sha256:<64 lower-case hex> (the pushed image's digest), got DIGEST=${bad}`,
    );
  }
});

test.run();

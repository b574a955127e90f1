// test-budget: 600 s (builds this tree as a package three times, ≈15 s each)
// A version number does not name the templates: an unreleased build can carry the number of a
// release and write other text. The record keeps the digest of the templates that wrote it, and
// `update` checks that the release it renders merge bases with reproduces the recorded blob ids.
// When it does not (the "later 0.3.0 build"), update says so in one line, and the files
// it cannot find a base for keep the team's text, with the new text beside them: no whole-file
// conflict markers, not even for the bot.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { templatesDigest } from '../../generators/model/templates-digest.js';
import { runCli } from '../support/cli.js';
import { extracted, packagesDir, thisTreeTarball } from '../support/packages.js';
import { commitAll, edit, git, gitStatus, read, readRecord, writeRecord } from '../support/regen/repo.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** An old version number that two builds carry. */
const OLD = '0.0.99';
const t0 = Date.now();
/** What was published as OLD. */
const released = thisTreeTarball(OLD);
/** A build from before the release, with the same number and another Makefile line. */
const unreleased = thisTreeTarball(OLD, {
  change: (path, text) => (path === 'Makefile.hbs' ? text.replace('help: ## Show this help', 'help: ## Show the targets') : text),
});
console.log(`built two ${OLD} packages in ${Date.now() - t0} ms`);
const cliOf = (tarball: string) => join(extracted(tarball), 'dist/cli.cjs');
const env = () => ({ GO_K8S_SERVICE_PACKAGES: packagesDir([released]), XDG_CACHE_HOME: mkdtempSync(join(tmpdir(), 'cgks-cache-')) });

/** A repo made by `cli`, with a team edit in the Makefile and the Dockerfile, committed; then a shallow clone (no base in git). */
async function teamRepo(cli: string, changeRecord?: (dir: string) => void): Promise<string> {
  const dir = join(mkdtempSync(join(tmpdir(), 'cgks-digest-')), 'orders');
  const r = await runCli([dir, '--yes', '--module', 'github.com/acme/orders', '--no-install'], { cli });
  assert.is(r.exitCode, 0, r.stderr);
  if (changeRecord) {
    changeRecord(dir);
    git(dir, ['commit', '--quiet', '--amend', '-a', '--no-edit']);
  }
  edit(dir, 'Makefile', /^(\trm -rf bin dist coverage\.out)$/m, '$1 tmp');
  edit(
    dir,
    'Dockerfile',
    /^(LABEL org\.opencontainers\.image\.title="orders" \\\n)/m,
    '$1      org.opencontainers.image.vendor="acme" \\\n',
  );
  commitAll(dir, 'our edits');
  const clone = join(mkdtempSync(join(tmpdir(), 'cgks-digest-clone-')), 'orders');
  git(tmpdir(), ['clone', '--quiet', '--depth', '1', `file://${dir}`, clone]);
  const id = readRecord(clone).files.Makefile!;
  assert.is.not(gitStatus(clone, ['cat-file', '-e', `${id}^{blob}`]), 0, 'the clone has the base: the test proves nothing');
  return clone;
}

interface UpdateJson {
  noBase: string[];
  conflicts: string[];
  files: { path: string; action: string; reason?: string }[];
  warnings: string[];
}
const action = (j: UpdateJson, path: string) => j.files.find((f) => f.path === path)?.action;

test('create records the digest of the templates that wrote the repo; two builds of one version differ', async () => {
  const a = readRecord(await teamRepo(cliOf(released)));
  const b = readRecord(await teamRepo(cliOf(unreleased)));
  assert.is(a.version, OLD);
  assert.is(b.version, OLD);
  assert.match(a.templatesDigest ?? '', /^sha256:[0-9a-f]{64}$/);
  assert.is.not(a.templatesDigest, b.templatesDigest);
  const dir = join(mkdtempSync(join(tmpdir(), 'cgks-digest-')), 'orders');
  assert.is((await runCli([dir, '--yes', '--no-git', '--no-install'])).exitCode, 0);
  assert.is(readRecord(dir).templatesDigest, templatesDigest(ROOT), 'this build records the digest of this tree');
});

test('control: a repo made by the release itself merges with the base the release renders', async () => {
  const repo = await teamRepo(cliOf(released));
  const r = await runCli(['update', '--bot', '--json'], { cwd: repo, env: env() });
  assert.is(r.exitCode, 0, r.stderr);
  const j = JSON.parse(r.stdout) as UpdateJson;
  assert.is(action(j, 'Makefile'), 'merged');
  assert.equal(j.warnings, []);
  assert.is(readRecord(repo).templatesDigest, templatesDigest(ROOT), 'update records the digest of the templates it wrote with');
});

test('made by an unreleased build with the same number: one line says so; the Makefile keeps the team text, the new text aside, no markers', async () => {
  const repo = await teamRepo(cliOf(unreleased));
  const made = readRecord(repo).templatesDigest!;
  const r = await runCli(['update', '--bot', '--json'], { cwd: repo, env: env() });
  const j = JSON.parse(r.stdout) as UpdateJson;
  assert.is(r.exitCode, 3, r.stderr); // the bot's "look at this": a file with its new text aside
  assert.is(action(j, 'Makefile'), 'new-aside', JSON.stringify(j.files.find((f) => f.path === 'Makefile')));
  assert.is(action(j, 'Dockerfile'), 'merged', 'a file the release does reproduce merges as usual');
  assert.equal(j.conflicts, []);
  const makefile = read(repo, 'Makefile');
  assert.not.match(makefile, /^(<<<<<<<|=======|>>>>>>>)/m);
  assert.match(makefile, /^\trm -rf bin dist coverage\.out tmp$/m, 'the team edit is lost');
  assert.match(makefile, /^help: ## Show the targets$/m, 'the Makefile is no longer the team file');
  assert.ok(existsSync(join(repo, '.go-k8s-service/new/Makefile')));
  assert.match(read(repo, '.go-k8s-service/new/Makefile'), /^help: ## Show this help$/m);
  const lines = j.warnings.filter((w) => w.includes('does not reproduce'));
  assert.is(lines.length, 1, j.warnings.join('\n'));
  assert.ok(!lines[0]!.includes('\n'));
  assert.match(
    lines[0]!,
    new RegExp(
      `^${OLD.replace(/\./g, '\\.')} as released does not reproduce the recorded text of Makefile: this repo was made by another build numbered ${OLD.replace(/\./g, '\\.')} \\(templates ${made.slice(7, 19)}, the release's [0-9a-f]{12}\\)`,
    ),
  );
});

test('an older record without a digest keeps working: the same fallback, and the line says the record cannot tell the build', async () => {
  const repo = await teamRepo(cliOf(unreleased), (dir) => {
    const record = readRecord(dir);
    delete record.templatesDigest;
    writeRecord(dir, record);
  });
  const r = await runCli(['update', '--bot', '--json'], { cwd: repo, env: env() });
  const j = JSON.parse(r.stdout) as UpdateJson;
  assert.is(r.exitCode, 3, r.stderr);
  assert.is(action(j, 'Makefile'), 'new-aside');
  assert.not.match(read(repo, 'Makefile'), /^<<<<<<</m);
  assert.ok(
    j.warnings.some((w) => /does not reproduce the recorded text of Makefile: .*record predates templates digests/.test(w)),
    j.warnings.join('\n'),
  );
  assert.is(readRecord(repo).templatesDigest, templatesDigest(ROOT));
});

test('a record whose digest is not sha256 is refused with one line naming the field', async () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'cgks-digest-')), 'orders');
  assert.is((await runCli([dir, '--yes', '--no-install'])).exitCode, 0);
  const record = readRecord(dir);
  writeFileSync(join(dir, '.go-k8s-service.json'), JSON.stringify({ ...record, templatesDigest: 'md5:1' }));
  const r = await runCli(['check'], { cwd: dir });
  assert.is.not(r.exitCode, 0);
  assert.match(r.stdout + r.stderr, /"templatesDigest" must be sha256: and 64 hex digits/);
});

test.run();

// update --bot: what a scheduled job runs in a fresh clone to open a pull request. It never
// prompts, commits nothing unless --commit, leaves conflict markers in files (where it has no
// merge base too) instead of stopping, writes a Markdown summary for the pull request body, and
// tells "updated cleanly" (0), "updated with conflicts" (3) and "failed" (1) apart.
// The repos are made by the released 0.1.0 (built from this repo's history) and updated by this build.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { GENERATOR_VERSION } from '../../generators/model/version.js';
import { assertUsageError, runCli } from '../support/cli.js';
import { extracted, packagesDir, releasedTarball } from '../support/packages.js';
import { commitAll, edit, git, gitStatus, read } from '../support/regen/repo.js';

const release010 = releasedTarball();
const cli010 = join(extracted(release010), 'dist/cli.cjs');
const FROM_TO = `0.1.0 → ${GENERATOR_VERSION}`;

/**
 * A 0.1.0 repo with the team's edits: the Makefile's clean target (merges with 0.2.0's changes),
 * and, with `conflict`, its TAG line, which 0.2.0 changes too; hello.go, which 0.2.0 does not change.
 */
async function editedRepo(opts: { conflict: boolean }): Promise<string> {
  const dir = join(mkdtempSync(join(tmpdir(), 'cgks-bot-')), 'orders');
  const r = await runCli([dir, '--yes', '--module', 'github.com/acme/orders', '--no-install'], { cli: cli010 });
  assert.is(r.exitCode, 0, r.stderr);
  edit(dir, 'Makefile', /^(\trm -rf bin dist coverage\.out)$/m, '$1 tmp');
  if (opts.conflict) edit(dir, 'Makefile', /^TAG( +)\?= \$\(VERSION\)$/m, 'TAG$1?= latest');
  edit(dir, 'internal/api/hello.go', /^package api\n/, 'package api\n\n// Hello is ours.\n');
  commitAll(dir, 'our edits');
  return dir;
}

/** A fresh shallow clone, as a bot checks out: no first commit, no base ref. */
function botClone(dir: string): string {
  const to = join(mkdtempSync(join(tmpdir(), 'cgks-bot-clone-')), 'orders');
  git(tmpdir(), ['clone', '--quiet', '--depth', '1', `file://${dir}`, to]);
  return to;
}

const head = (dir: string) => git(dir, ['rev-parse', 'HEAD']).trim();
const changed = (dir: string) =>
  git(dir, ['status', '--porcelain'])
    .split('\n')
    .filter(Boolean)
    .map((l) => l.slice(3))
    .sort();
/** `git diff --check`: git's own finder of leftover conflict markers (exit 2 and the lines). */
function leftoverMarkers(dir: string): string {
  try {
    execFileSync('git', ['diff', '--check'], { cwd: dir, encoding: 'utf8' });
    return '';
  } catch (err) {
    return String((err as { stdout: string }).stdout);
  }
}
const env = (packages: string) => ({ GO_K8S_SERVICE_PACKAGES: packages, XDG_CACHE_HOME: mkdtempSync(join(tmpdir(), 'cgks-cache-')) });

test('conflicts: markers in the file, nothing committed, exit 3, and the summary groups every file and carries the changelog', async () => {
  const clone = botClone(await editedRepo({ conflict: true }));
  const before = head(clone);
  const summary = join(mkdtempSync(join(tmpdir(), 'cgks-summary-')), 'pr.md');
  const r = await runCli(['update', '--bot', '--summary', summary], { cwd: clone, env: env(packagesDir([release010])) });
  assert.is(r.exitCode, 3, r.stderr);
  assert.match(r.stderr, /1 file\(s\) left with conflict markers for the reviewer: Makefile/);

  assert.is(head(clone), before, 'the bot committed');
  assert.ok(changed(clone).includes('Makefile') && changed(clone).includes('.gitattributes'), changed(clone).join(' '));
  assert.match(leftoverMarkers(clone), /^Makefile:\d+: leftover conflict marker$/m);
  const makefile = read(clone, 'Makefile');
  assert.match(makefile, /^<<<<<<< ours\nTAG +\?= latest\n/m, 'our side of the conflict');
  assert.match(makefile, /^TAG +\?= sha-\$\(COMMIT\)\n(.*\n)*>>>>>>> theirs$/m, "0.2.0's side of the conflict");
  assert.match(makefile, /^\trm -rf bin dist coverage\.out tmp$/m, 'the merged edit is lost');
  assert.not.ok(existsSync(join(clone, '.go-k8s-service/new')));

  const md = readFileSync(summary, 'utf8');
  assert.match(md, new RegExp(`^## create-go-k8s-service ${FROM_TO}$`, 'm'));
  assert.match(md, /\*\*1 file\(s\) need a reviewer's merge\*\*/);
  assert.match(md, /^\| updated \| merged \| in conflict \| kept \| added \| removed \|$/m);
  const section = (title: string) => new RegExp(`^### ${title}[^\\n]*\\n\\n((?:- .*\\n)+)`, 'm').exec(md)?.[1] ?? '';
  assert.match(section('In conflict'), /^- `Makefile`: 1 conflicting hunk/m);
  assert.match(section('Kept'), /^- `internal\/api\/hello\.go`/m);
  assert.match(section('Added'), /^- `\.gitattributes`/m);
  assert.match(section('Updated'), /^- `Dockerfile`$/m);
  // The changelog: every entry after 0.1.0 up to ours, newest first, one heading level down; nothing older.
  assert.match(md, new RegExp(`^### Changelog ${FROM_TO}\\n\\n#### ${GENERATOR_VERSION.replaceAll('.', '\\.')} `, 'm'));
  assert.match(md, /^#### 0\.2\.0 /m);
  assert.match(md, /`\.gitattributes` \(`\* text=auto eol=lf`\)/);
  assert.not.match(md, /^#+ 0\.1\.0/m);
});

test("--renovate (Renovate's post-upgrade task, no shell): puts back the record Renovate bumped, merges from the recorded version, exit 0 with markers for the review", async () => {
  const clone = botClone(await editedRepo({ conflict: true }));
  // What Renovate has done when the task runs: the version in the record replaced.
  edit(clone, '.go-k8s-service.json', '"version": "0.1.0"', '"version": "9.9.9"');
  // The summary goes where renovate.json puts it, in a folder that does not exist yet.
  assert.not.ok(existsSync(join(clone, '.go-k8s-service')));
  const r = await runCli(['update', '--renovate', '--summary', '.go-k8s-service/update-summary.md'], {
    cwd: clone,
    env: env(packagesDir([release010])),
  });
  assert.is(r.exitCode, 0, r.stderr);
  assert.match(read(clone, '.go-k8s-service/update-summary.md'), new RegExp(`^## create-go-k8s-service ${FROM_TO}$`, 'm'));
  assert.match(r.stderr, /1 file\(s\) left with conflict markers for the reviewer: Makefile/);
  assert.match(leftoverMarkers(clone), /^Makefile:\d+: leftover conflict marker$/m);
  assert.is(JSON.parse(read(clone, '.go-k8s-service.json')).version, GENERATOR_VERSION);

  const refused = await runCli(['update', '--renovate', '--commit'], { cwd: clone });
  assert.is(refused.exitCode, 2);
  assert.match(refused.stderr, /--renovate leaves the commit to Renovate/);
});

test('--summary - prints the Markdown alone on stdout; the file list goes to stderr', async () => {
  const clone = botClone(await editedRepo({ conflict: false }));
  const r = await runCli(['update', '--bot', '--summary', '-'], { cwd: clone, env: env(packagesDir([release010])) });
  assert.is(r.exitCode, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`^## create-go-k8s-service ${FROM_TO}\\n\\nEvery file updated cleanly\\.\\n`));
  assert.not.match(r.stdout, /^\s+(update|merged) /m);
  assert.match(r.stderr, /^\s+merged\s+Makefile/m);
});

test('cleanly with --commit: exit 0, one commit naming both versions, a clean work tree; the next run has nothing to do', async () => {
  const clone = botClone(await editedRepo({ conflict: false }));
  const before = head(clone);
  const r = await runCli(['update', '--bot', '--commit', '--json'], { cwd: clone, env: env(packagesDir([release010])) });
  assert.is(r.exitCode, 0, r.stderr);
  const j = JSON.parse(r.stdout) as { ok: boolean; commit: string; conflicts: string[] };
  assert.is(j.ok, true);
  assert.is(head(clone), j.commit);
  assert.is(git(clone, ['rev-parse', 'HEAD~1']).trim(), before);
  assert.is(git(clone, ['log', '-1', '--format=%s']).trim(), `create-go-k8s-service: update ${FROM_TO}`);
  assert.equal(changed(clone), []);
  assert.match(read(clone, 'Makefile'), /^\trm -rf bin dist coverage\.out tmp$/m);

  const again = await runCli(['update', '--bot', '--commit', '--summary', '-'], { cwd: clone, env: env(packagesDir([])) });
  assert.is(again.exitCode, 0, again.stderr);
  assert.is(head(clone), j.commit, 'nothing to do, yet a commit');
  assert.match(again.stdout, /Every file updated cleanly\./);
});

test('no merge base anywhere: each difference marked in the file, nothing put aside, exit 3; without --bot: aside, exit 1', async () => {
  const repo = await editedRepo({ conflict: false });
  const aside = botClone(repo);
  const plain = await runCli(['update'], { cwd: aside, env: env(packagesDir([])) });
  assert.is(plain.exitCode, 1, plain.stderr);
  assert.ok(existsSync(join(aside, '.go-k8s-service/new/Makefile')));

  const clone = botClone(repo);
  const r = await runCli(['update', '--bot', '--json'], { cwd: clone, env: env(packagesDir([])) });
  assert.is(r.exitCode, 3, r.stderr);
  const j = JSON.parse(r.stdout) as { conflicts: string[]; noBase: string[]; warnings: string[]; exitCode: number };
  assert.equal(j.conflicts, ['Makefile']);
  assert.equal(j.noBase, []);
  assert.is(j.exitCode, 3);
  assert.match(j.warnings.join('\n'), /create-go-k8s-service 0\.1\.0 is not in the directory/);
  assert.not.ok(existsSync(join(clone, '.go-k8s-service')));
  const makefile = read(clone, 'Makefile');
  // Both sides kept: ours (the edit) and theirs (0.2.0's TAG), the lines both have left alone.
  assert.match(
    makefile,
    /^<<<<<<< ours\n(?:.*\n)*?\trm -rf bin dist coverage\.out tmp\n=======\n(?:.*\n)*?\trm -rf bin dist coverage\.out\n>>>>>>> theirs$/m,
  );
  assert.match(makefile, /^<<<<<<< ours\nTAG +\?= \$\(VERSION\)\n=======\n(?:.*\n)*?TAG +\?= sha-\$\(COMMIT\)\n>>>>>>> theirs$/m);
  assert.match(makefile, /^help: ## Show this help$/m);
  assert.match(leftoverMarkers(clone), /^Makefile:\d+: leftover conflict marker$/m);
});

test('failures stay exit 1 in bot mode (uncommitted changes); usage mistakes exit 2; update --help names the exit codes', async () => {
  const dir = await editedRepo({ conflict: false });
  edit(dir, 'Makefile', /^(\trm -rf bin dist coverage\.out tmp)$/m, '$1 more');
  const dirty = await runCli(['update', '--bot', '--summary', '-'], { cwd: dir, env: env(packagesDir([])) });
  assert.is(dirty.exitCode, 1, dirty.stderr);
  assert.match(dirty.stderr, /uncommitted changes \(Makefile\)/);
  assert.is(dirty.stdout, '');
  assert.is(gitStatus(dir, ['diff', '--quiet', '--', '.go-k8s-service.json']), 0);

  await assertUsageError(['update', '--bot', '--summary', '-', '--json'], /--summary - and --json both print on stdout/, dir);
  await assertUsageError(['update', '--commit', '--dry-run'], /--commit and --dry-run contradict each other/, dir);
  await assertUsageError(['update', '--summary'], /--summary needs a value/, dir);
  await assertUsageError(['regen', '--bot'], /--bot does not apply to the regen command/, dir);
  const help = await runCli(['update', '--help']);
  assert.is(help.exitCode, 0);
  for (const line of [
    /^ {2}0 +updated cleanly, or nothing to do$/m,
    /^ {2}1 +failed/m,
    /^ {2}2 +invalid usage$/m,
    /^ {2}3 +--bot: updated, with conflict markers left in files/m,
  ]) {
    assert.match(help.stdout, line);
  }
  for (const flag of ['--bot', '--commit', '--summary <file>', '--packages <dir|url>']) assert.ok(help.stdout.includes(flag), flag);
});

test('the docs hold the exit codes of update and outdated that their --help lists', async () => {
  const { COMMAND_HELP } = await import('../../generators/cli/cli-args.js');
  for (const [command, page] of [
    ['update', 'docs/maintaining.md'],
    ['outdated', 'docs/fleets.md'],
  ] as const) {
    const text = readFileSync(new URL(`../../${page}`, import.meta.url), 'utf8');
    const at = text.indexOf(`| \`${command}\` exit | meaning |`);
    assert.ok(at > 0, `no exit code table for ${command} in ${page}`);
    const table = text.slice(at, text.indexOf('\n\n', at));
    const documented = [...table.matchAll(/^\| (\d+) \|/gm)].map((m) => Number(m[1]));
    assert.equal(
      documented,
      COMMAND_HELP[command].exitCodes!.map(([c]) => c),
      command,
    );
  }
});

test.run();

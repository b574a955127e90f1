// update with two generator versions. The repo is made by the built CLI (version 1); the
// newer release is played by version 1's output (the CLI's, from the recorded answers)
// with two files changed, passed to the update command through its only seam (a render
// function and a version).
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CommandFailed } from '../../generators/plumbing/errors.js';
import { hashContent } from '../../generators/model/record.js';
import type { UpdateSeams } from '../../generators/cli/update-command.js';
import { runCli } from '../support/cli.js';
import { newerGenerator, otherVersion, updateIn } from '../support/regen/generators.js';
import { commitAll, edit, git, gitStatus, newRepo, read, readRecord, RECORD, snapshot } from '../support/regen/repo.js';

const V2 = otherVersion(1);

// Version 2 changes two lines of the Makefile's clean target and the Dockerfile's header.
const OLD_CLEAN = 'clean: ## Remove build output and coverage files\n\trm -rf bin dist coverage.out';
const NEW_CLEAN = 'clean: ## Remove build output, coverage and test caches\n\trm -rf bin dist coverage.out\n\t$(GO) clean -testcache';
function change(path: string, content: string): string {
  if (path === 'Makefile') {
    if (!content.includes(OLD_CLEAN)) throw new Error('the Makefile template changed: update OLD_CLEAN in this test');
    return content.replace(OLD_CLEAN, NEW_CLEAN);
  }
  if (path === 'Dockerfile') return content.replace('# syntax=docker/dockerfile:1\n', '# syntax=docker/dockerfile:1\n# version 2\n');
  return content;
}

/** Version 2 for a repo: what the CLI (version 1) generates from its record, changed. */
const v2 = (dir: string): Promise<UpdateSeams> => newerGenerator(dir, V2, change);

test('an edit elsewhere in the file merges cleanly with the new version; unedited files are replaced; the record follows', async () => {
  const dir = await newRepo({ git: true });
  const seams = await v2(dir);
  edit(dir, 'Makefile', /^GO( +)\?= go$/m, 'GO$1?= go1.26');
  commitAll(dir, 'use go1.26');

  const { code, c } = await updateIn(dir, seams, ['--json']);
  assert.is(code, 0, c.errors.join('\n'));
  const makefile = read(dir, 'Makefile');
  assert.match(makefile, /^GO +\?= go1\.26$/m, 'the user edit is gone');
  assert.ok(makefile.includes(NEW_CLEAN), 'the new version is not merged in');
  assert.not.match(makefile, /^(<<<<<<<|>>>>>>>|=======)/m);
  assert.match(read(dir, 'Dockerfile'), /^# version 2$/m);
  const j = c.json[0] as { ok: boolean; files: { path: string; action: string }[]; conflicts: string[] };
  assert.is(j.ok, true);
  assert.equal(j.conflicts, []);
  const action = (p: string) => j.files.find((f) => f.path === p)?.action;
  assert.is(action('Makefile'), 'merged');
  assert.is(action('Dockerfile'), 'update');

  // Only those two and the record changed; the record names version 2 and its output.
  assert.equal(
    git(dir, ['status', '--porcelain'])
      .split('\n')
      .filter(Boolean)
      .map((l) => l.slice(3))
      .sort(),
    ['.go-k8s-service.json', 'Dockerfile', 'Makefile'],
  );
  const record = readRecord(dir);
  assert.is(record.version, V2);
  const theirs = new Map(seams.render!(record.answers).map((f) => [f.path, f.content]));
  for (const [p, content] of theirs) assert.is(record.files[p], hashContent(content), `record hash of ${p}`);
  // The next update's merge base is kept in git.
  assert.is(gitStatus(dir, ['cat-file', '-e', `${record.files.Makefile}^{blob}`]), 0);
  assert.ok(git(dir, ['ls-tree', '-r', 'refs/go-k8s-service/base']).includes(`${record.files.Makefile}\tMakefile`));

  // Updating again to the same version is a no-op.
  commitAll(dir, 'update to v2');
  const before = snapshot(dir);
  const again = await updateIn(dir, seams);
  assert.is(again.code, 0);
  assert.equal(snapshot(dir), before);
});

test('an edit to the same lines gets conflict markers and exit 1 naming the file', async () => {
  const dir = await newRepo({ git: true });
  const seams = await v2(dir);
  edit(dir, 'Makefile', 'rm -rf bin dist coverage.out', 'rm -rf bin dist coverage.out tmp');
  commitAll(dir, 'clean tmp too');

  const { code, c } = await updateIn(dir, seams);
  assert.is(code, 1);
  assert.is(c.errors.length, 1);
  assert.match(c.errors[0]!, /1 file\(s\) need your merge: Makefile/);
  assert.ok(
    c.info.some((l) => /conflict\s+Makefile/.test(l)),
    c.info.join('\n'),
  );
  const makefile = read(dir, 'Makefile');
  assert.match(
    makefile,
    /^<<<<<<< ours\n[\s\S]*rm -rf bin dist coverage\.out tmp\n[\s\S]*^=======\n[\s\S]*\$\(GO\) clean -testcache\n>>>>>>> theirs$/m,
  );
  // The rest of the update went through, and the record expects version 2's Makefile as the base now.
  assert.match(read(dir, 'Dockerfile'), /^# version 2$/m);
  assert.is(readRecord(dir).version, V2);
});

test('a dirty work tree is refused with nothing changed (also through the CLI)', async () => {
  const dir = await newRepo({ git: true });
  const seams = await v2(dir);
  edit(dir, 'Makefile', /^GO( +)\?= go$/m, 'GO$1?= go1.26');
  const before = snapshot(dir);
  try {
    await updateIn(dir, seams);
    assert.unreachable('update ran on a dirty tree');
  } catch (err) {
    assert.instance(err, CommandFailed);
    assert.match((err as Error).message, /uncommitted changes \(Makefile\): commit or stash them first/);
  }
  const cli = await runCli(['update'], { cwd: dir });
  assert.is(cli.exitCode, 1);
  assert.match(cli.stderr, /uncommitted changes \(Makefile\)/);
  assert.is(cli.stderr.trim().split('\n').length, 1);
  assert.equal(snapshot(dir), before);
  assert.is(gitStatus(dir, ['rev-parse', '--verify', '--quiet', 'refs/go-k8s-service/base']), 1, 'the base ref was written');

  // An untracked file counts too.
  commitAll(dir, 'edit');
  writeFileSync(join(dir, 'notes.txt'), 'x\n');
  const untracked = await runCli(['update'], { cwd: dir });
  assert.is(untracked.exitCode, 1);
  assert.match(untracked.stderr, /notes\.txt/);
});

test('outside git, update refuses; a file edited before the first commit still merges: this version renders its base again', async () => {
  const dir = await newRepo({ git: false });
  const seams = await v2(dir);
  const refused = await runCli(['update'], { cwd: dir });
  assert.is(refused.exitCode, 1);
  assert.match(refused.stderr, /not in a git work tree/);

  // Edited before the first commit: git never saw the Makefile as generated, but the
  // record names this generator's version, which renders that text again.
  edit(dir, 'Makefile', /^GO( +)\?= go$/m, 'GO$1?= go1.26');
  git(dir, ['init', '--quiet']);
  commitAll(dir, 'first commit, with an edit');
  const { code, c } = await updateIn(dir, seams, ['--json']);
  assert.is(code, 0, c.errors.join('\n'));
  const j = c.json[0] as { noBase: string[]; files: { path: string; action: string }[] };
  assert.equal(j.noBase, []);
  assert.is(j.files.find((f) => f.path === 'Makefile')!.action, 'merged');
  assert.match(read(dir, 'Makefile'), /^GO +\?= go1\.26$/m);
  assert.ok(read(dir, 'Makefile').includes(NEW_CLEAN));
});

test('--dry-run shows the merge as a diff and writes nothing; the same version is a no-op through the CLI', async () => {
  const dir = await newRepo({ git: true });
  const seams = await v2(dir);
  const before = snapshot(dir);
  const { code, c } = await updateIn(dir, seams, ['--dry-run']);
  assert.is(code, 0, c.errors.join('\n'));
  const diff = c.info.join('\n');
  assert.match(diff, /^--- a\/Makefile\n\+\+\+ b\/Makefile$/m);
  assert.match(diff, /^\+\t\$\(GO\) clean -testcache$/m);
  assert.equal(snapshot(dir), before);
  assert.is(git(dir, ['status', '--porcelain']), '');

  const cli = await runCli(['update', '--json'], { cwd: dir });
  assert.is(cli.exitCode, 0, cli.stderr);
  const j = JSON.parse(cli.stdout);
  assert.is(j.ok, true);
  assert.is(j.wrote, false);
  assert.ok(j.files.every((f: { action: string }) => f.action === 'unchanged'));
  assert.equal(snapshot(dir), before);
  assert.not.ok(existsSync(join(dir, '.go-k8s-service')));
  assert.ok(before.has(RECORD));
});

test('update takes no answers and no arguments (exit 2)', async () => {
  const dir = await newRepo({ git: true });
  for (const args of [
    ['update', '--port', '9090'],
    ['update', 'Makefile'],
  ]) {
    const r = await runCli(args, { cwd: dir });
    assert.is(r.exitCode, 2, r.stderr);
  }
});

test.run();

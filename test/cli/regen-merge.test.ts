// regen with a changed answer and an edited file that depends on it. Keeping the file
// (--skip-modified, or "skip" on a terminal) can leave a repo that does not build or that
// breaks a convention: regen says so (exit 1, each file and the answer it still holds).
// --merge, or "merge" on a terminal, merges the change in as update does. Real go build
// and check judge the result.
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CLI, runCli } from '../support/cli.js';
import { go } from '../support/go.js';
import { KEY, spawnPty } from '../support/pty.js';
import { hashContent } from '../../generators/model/record.js';
import { commitAll, edit, git, newRepo, read, readRecord, reference, writeRecord } from '../support/regen/repo.js';

const MAIN = 'cmd/orders/main.go';
const VALUES = 'charts/orders/values.yaml';

/** Back to the last commit: the same edited repo for the next way of regenerating. */
function undo(dir: string): void {
  git(dir, ['checkout', '--quiet', '--', '.']);
  git(dir, ['clean', '--quiet', '-fd']);
}

test('regen --module … --skip-modified with an edited main.go: exit 1 naming the file and the module it still holds; --merge builds', async () => {
  const dir = await newRepo({ git: true });
  edit(dir, MAIN, 'help          print this help', 'help          print this help text');
  commitAll(dir, 'edit main.go');

  const kept = await runCli(['regen', '--module', 'github.com/acme/other', '--skip-modified', '--json'], { cwd: dir });
  assert.is(kept.exitCode, 1, kept.stderr);
  assert.is(kept.stderr.split('\n').filter((l) => l.startsWith('error:')).length, 1, kept.stderr);
  assert.match(kept.stderr, /cmd\/orders\/main\.go still holds --module github\.com\/example\/orders \(now github\.com\/acme\/other\)/);
  assert.match(kept.stderr, /regen cmd\/orders\/main\.go --merge/);
  const j = JSON.parse(kept.stdout);
  assert.is(j.ok, false);
  assert.equal(j.stale, [{ path: MAIN, holds: [{ answer: 'module', was: 'github.com/example/orders', now: 'github.com/acme/other' }] }]);
  // What regen reports is what go sees: the kept file imports the old module path.
  const broken = await go(dir, ['build', './...']);
  assert.is.not(broken.exitCode, 0, 'the repo builds although main.go still imports the old module');
  assert.match(broken.all ?? '', /github\.com\/example\/orders/);

  // The reported remedy, in the repo as --skip-modified left it: base from git, merge, build.
  const later = await runCli(['regen', MAIN, '--merge'], { cwd: dir });
  assert.is(later.exitCode, 0, later.stderr);
  assert.match(read(dir, MAIN), /print this help text/);
  assert.match(read(dir, MAIN), /"github\.com\/acme\/other\/internal\/app"/);
  const fixed = await go(dir, ['build', './...']);
  assert.is(fixed.exitCode, 0, fixed.all);

  // Or merged in the same run.
  undo(dir);
  const merged = await runCli(['regen', '--module', 'github.com/acme/other', '--merge', '--json'], { cwd: dir });
  assert.is(merged.exitCode, 0, merged.stderr);
  const m = JSON.parse(merged.stdout);
  assert.is(m.files.find((f: { path: string }) => f.path === MAIN).action, 'merged');
  assert.equal(m.stale, []);
  assert.match(read(dir, MAIN), /print this help text/);
  assert.not.match(read(dir, MAIN), /github\.com\/example\/orders/);
  const build = await go(dir, ['build', './...']);
  assert.is(build.exitCode, 0, build.all);
  assert.is(readRecord(dir).answers.module, 'github.com/acme/other');
});

test('regen chart --port 9090 --skip-modified with an edited values.yaml: exit 1 naming it; check agrees; --merge passes check', async () => {
  const dir = await newRepo({ git: true });
  edit(dir, VALUES, /^replicaCount: 2$/m, 'replicaCount: 3');
  commitAll(dir, 'three replicas');

  const kept = await runCli(['regen', 'chart', '--port', '9090', '--skip-modified'], { cwd: dir });
  assert.is(kept.exitCode, 1, kept.stderr);
  assert.match(kept.stderr, /charts\/orders\/values\.yaml still holds --port 8080 \(now 9090\)/);
  const check = await runCli(['check', '--json'], { cwd: dir });
  assert.is(check.exitCode, 1, 'check passes although values.yaml still says port 8080');
  assert.ok(
    JSON.parse(check.stdout).violations.some((v: { file: string }) => v.file === VALUES),
    check.stdout,
  );

  undo(dir);
  const merged = await runCli(['regen', 'chart', '--port', '9090', '--merge'], { cwd: dir });
  assert.is(merged.exitCode, 0, merged.stderr);
  assert.match(merged.stdout, /merged\s+charts\/orders\/values\.yaml/);
  assert.match(read(dir, VALUES), /^replicaCount: 3$/m);
  assert.match(read(dir, VALUES), /^containerPort: 9090$/m);
  const ok = await runCli(['check'], { cwd: dir });
  assert.is(ok.exitCode, 0, ok.stdout + ok.stderr);
});

test('--merge where the edit and the change touch the same line: conflict markers, exit 1 naming the file', async () => {
  const dir = await newRepo({ git: true });
  edit(dir, VALUES, /^containerPort: 8080$/m, 'containerPort: 8081');
  commitAll(dir, 'another port');
  const r = await runCli(['regen', 'chart', '--port', '9090', '--merge', '--json'], { cwd: dir });
  assert.is(r.exitCode, 1, r.stderr);
  assert.match(r.stderr, /1 file\(s\) merged with conflict markers: charts\/orders\/values\.yaml/);
  assert.equal(JSON.parse(r.stdout).mergeConflicts, [VALUES]);
  assert.match(read(dir, VALUES), /^<<<<<<< ours\ncontainerPort: 8081\n=======\ncontainerPort: 9090\n>>>>>>> theirs$/m);

  undo(dir);
  const both = await runCli(['regen', 'chart', '--port', '9090', '--merge', '--force'], { cwd: dir });
  assert.is(both.exitCode, 2, both.stderr);
  assert.match(both.stderr, /pass one of them/);
});

test('--merge without a merge base: the generated version goes aside, exit 1 naming the file and why', async () => {
  const dir = await newRepo();
  edit(dir, 'Makefile', /^GO( +)\?= go$/m, 'GO$1?= go1.26');
  const edited = read(dir, 'Makefile');
  // The record names a text this version does not generate, and there is no git to ask.
  const record = readRecord(dir);
  record.files.Makefile = hashContent('a Makefile from elsewhere\n');
  writeRecord(dir, record);
  const r = await runCli(['regen', 'makefile', '--merge', '--json'], { cwd: dir });
  assert.is(r.exitCode, 1, r.stderr);
  assert.match(r.stderr, /1 file\(s\) could not be merged, for want of a merge base: Makefile \(see \.go-k8s-service\/new\/Makefile\)/);
  const j = JSON.parse(r.stdout);
  assert.equal(j.noBase, ['Makefile']);
  assert.match(
    j.files.find((f: { path: string }) => f.path === 'Makefile').reason,
    /no merge base: the text .* generated for Makefile \(blob [0-9a-f]{12}\) is not what this version generates/,
  );
  assert.is(read(dir, 'Makefile'), edited);
  assert.is(read(dir, '.go-k8s-service/new/Makefile'), (await reference(dir)).get('Makefile'));
});

test('on a terminal, "merge" merges the change into the edited file', async () => {
  const dir = await newRepo({ git: true });
  edit(dir, VALUES, /^replicaCount: 2$/m, 'replicaCount: 3');
  commitAll(dir, 'three replicas');
  const pty = await spawnPty(process.execPath, [CLI, 'regen', 'chart', '--port', '9090'], { cwd: join(dir), env: { NO_COLOR: '1' } });
  try {
    await pty.expect(/values\.yaml was edited since it was generated\.\s+What now\?[\s\S]*merge the generated change into mine/);
    pty.write(KEY.down.repeat(2) + KEY.enter);
    assert.equal(await pty.waitExit(), { code: 0, signal: null }, pty.text());
  } finally {
    if ((await Promise.race([pty.exited, null])) === null) pty.kill('SIGKILL');
  }
  assert.match(read(dir, VALUES), /^replicaCount: 3$/m);
  assert.match(read(dir, VALUES), /^containerPort: 9090$/m);
});

test('on a terminal, "skip" with a changed answer: exit 1 naming the file and the answer it still holds', async () => {
  const dir = await newRepo({ git: true });
  edit(dir, VALUES, /^replicaCount: 2$/m, 'replicaCount: 3');
  const pty = await spawnPty(process.execPath, [CLI, 'regen', 'chart', '--port', '9090'], { cwd: dir, env: { NO_COLOR: '1' } });
  try {
    await pty.expect(/values\.yaml was edited since it was generated\.\s+What now\?[\s\S]*keep my version/);
    pty.write(KEY.enter);
    assert.equal(await pty.waitExit(), { code: 1, signal: null }, pty.text());
  } finally {
    if ((await Promise.race([pty.exited, null])) === null) pty.kill('SIGKILL');
  }
  assert.match(pty.text().replace(/\s+/g, ' '), /charts\/orders\/values\.yaml still holds --port 8080 \(now 9090\)/);
  assert.match(read(dir, VALUES), /^containerPort: 8080$/m);
});

test.run();

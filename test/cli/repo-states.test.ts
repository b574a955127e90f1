// Odd repo states a new user runs into: conflict markers left in generated files, a generated
// file the service cannot work without named to `remove`, an answer in the record that this
// generator does not know, a generated file that is a directory. Each is named, in one line,
// and nothing is written.
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli } from '../support/cli.js';
import { commitAll, edit, git, newRepo, read, readRecord, snapshot, writeRecord } from '../support/regen/repo.js';
import { newerGenerator, otherVersion, updateIn } from '../support/regen/generators.js';
import type { Answers } from '../../generators/model/questions.js';

interface Json {
  ok: boolean;
  violations: { rule: string; file: string; message: string; line?: number }[];
}

/** A Dockerfile whose merge left markers, committed as they were (what the trial did). */
async function markedRepo(): Promise<string> {
  const dir = await newRepo({ git: true });
  edit(dir, 'Dockerfile', /^EXPOSE 8080$/m, '<<<<<<< ours\nEXPOSE 9095\n=======\nEXPOSE 8080\n>>>>>>> theirs');
  commitAll(dir, 'a merge left its markers');
  return dir;
}

test('check reports conflict markers left in a generated file, with the line', async () => {
  const dir = await markedRepo();
  const r = await runCli(['check', '--json'], { cwd: dir });
  assert.is(r.exitCode, 1, r.stdout);
  const v = (JSON.parse(r.stdout) as Json).violations.filter((x) => x.rule === 'conflict-markers');
  assert.is(v.length, 1, r.stdout);
  assert.is(v[0]!.file, 'Dockerfile');
  assert.match(v[0]!.message, /^Dockerfile holds unresolved conflict markers \(<<<<<<< at line \d+\): resolve them and commit$/);
  assert.ok(v[0]!.line! > 0);
});

test('a Markdown underline of seven = is no conflict marker', async () => {
  const dir = await newRepo();
  writeFileSync(join(dir, 'README.md'), `${read(dir, 'README.md')}\nNotes\n=======\n`);
  const r = await runCli(['check', '--json'], { cwd: dir });
  assert.equal(
    (JSON.parse(r.stdout) as Json).violations.filter((x) => x.rule === 'conflict-markers'),
    [],
  );
});

for (const args of [
  ['regen', 'dockerfile'],
  ['regen', 'dockerfile', '--merge'],
  ['regen', '--port', '9096', '--merge'],
]) {
  test(`${args.join(' ')} calls a file with markers an unresolved conflict: exit 1, nothing written`, async () => {
    const dir = await markedRepo();
    const before = snapshot(dir);
    const r = await runCli(args, { cwd: dir });
    assert.is(r.exitCode, 1, r.stdout + r.stderr);
    assert.match(r.stdout + r.stderr, /Dockerfile.*unresolved conflict markers/);
    assert.equal(snapshot(dir), before);
  });
}

test('update calls a file with markers an unresolved conflict (exit 1) and leaves it as it is', async () => {
  const dir = await markedRepo();
  const before = read(dir, 'Dockerfile');
  const seams = await newerGenerator(dir, otherVersion(1), (p, c) => (p === 'Dockerfile' ? `${c}# version 2\n` : c));
  const { code, c } = await updateIn(dir, seams, ['--json']);
  assert.is(code, 1, c.errors.join('\n'));
  const j = c.json[0] as { files: { path: string; action: string; reason?: string }[] };
  const docker = j.files.find((f) => f.path === 'Dockerfile');
  assert.is(docker?.action, 'conflict', JSON.stringify(j.files));
  assert.match(docker?.reason ?? '', /unresolved conflict markers/);
  assert.is(read(dir, 'Dockerfile'), before);
});

test('update records a file the team deleted in a commit (git rm) as removed, names it first; check is quiet after', async () => {
  const dir = await newRepo({ git: true });
  git(dir, ['rm', '-q', 'compose.yaml']);
  commitAll(dir, 'we do not use compose');
  const before = await runCli(['check', '--json'], { cwd: dir });
  assert.ok(
    (JSON.parse(before.stdout) as Json).violations.some((v) => v.rule === 'record' && v.file === 'compose.yaml'),
    before.stdout,
  );
  const seams = await newerGenerator(dir, otherVersion(1), (p, c) => (p === 'compose.yaml' || p === 'Makefile' ? `${c}# version 2\n` : c));
  const { code, c } = await updateIn(dir, seams, ['--json']);
  assert.is(code, 0, c.errors.join('\n'));
  const j = c.json[0] as { files: { path: string; action: string; reason?: string }[] };
  assert.equal(j.files.find((f) => f.path === 'compose.yaml')?.action, 'removed', JSON.stringify(j.files));
  // The summary line names it first.
  assert.ok(
    c.info.some((l) => /: recorded as removed \(deleted in a commit\): compose\.yaml; /.test(l)),
    c.info.join('\n'),
  );
  assert.not.ok(existsSync(join(dir, 'compose.yaml')));
  assert.equal((readRecord(dir) as { removed?: string[] }).removed, ['compose.yaml']);
  commitAll(dir, 'update');
  const after = await runCli(['check'], { cwd: dir });
  assert.is(after.exitCode, 0, after.stdout + after.stderr);
});

test('an uncommitted deletion is not a removal: update refuses the dirty tree, nothing recorded', async () => {
  const dir = await newRepo({ git: true });
  rmSync(join(dir, 'compose.yaml'));
  const seams = await newerGenerator(dir, otherVersion(1), (p, c) => (p === 'Makefile' ? `${c}# version 2\n` : c));
  await updateIn(dir, seams, ['--json']).then(
    () => assert.unreachable('update ran on a dirty tree'),
    (err: Error) => assert.match(err.message, /^uncommitted changes \(compose\.yaml\)/),
  );
  assert.equal((readRecord(dir) as { removed?: string[] }).removed, undefined);
});

// Migrations between versions: a release that moves a generated file carries the move, and
// update applies it to the team's file before merging, so the team's edits arrive at the new path.
test("update applies a release's file move to the team's edited file: its edits land at the new path, merged", async () => {
  const dir = await newRepo({ git: true });
  edit(dir, 'internal/api/hello_test.go', /^package api/m, '// Our own note on the hello tests.\npackage api');
  commitAll(dir, 'our note');
  const next = otherVersion(1);
  const base = await newerGenerator(dir, next, (p, c) => (p === 'internal/api/hello_test.go' ? `${c}// version 2\n` : c));
  // The newer release writes the file at its new path.
  const seams = {
    version: next,
    render: (a: Answers) =>
      base.render!(a).map((f) => (f.path === 'internal/api/hello_test.go' ? { ...f, path: 'internal/api/greeting_test.go' } : f)),
    migrations: [{ version: next, moves: [{ from: 'internal/api/hello_test.go', to: 'internal/api/greeting_test.go' }] }],
  };
  const { code, c } = await updateIn(dir, seams, ['--json']);
  assert.is(code, 0, c.errors.join('\n'));
  assert.not.ok(existsSync(join(dir, 'internal/api/hello_test.go')));
  const moved = read(dir, 'internal/api/greeting_test.go');
  assert.match(moved, /^\/\/ Our own note on the hello tests\.\npackage api/, "the team's edit");
  assert.match(moved, /\/\/ version 2\n$/, "the release's change");
  const j = c.json[0] as { files: { path: string; action: string; reason?: string }[] };
  assert.equal(j.files.find((f) => f.path === 'internal/api/hello_test.go')?.action, 'delete');
  assert.match(
    j.files.find((f) => f.path === 'internal/api/hello_test.go')?.reason ?? '',
    /moved to internal\/api\/greeting_test\.go by the migrations of /,
  );
  assert.equal(j.files.find((f) => f.path === 'internal/api/greeting_test.go')?.action, 'merged');
  const record = readRecord(dir);
  assert.ok('internal/api/greeting_test.go' in record.files && !('internal/api/hello_test.go' in record.files));
  assert.ok(
    c.info.some((l) => /migrated: internal\/api\/hello_test\.go → internal\/api\/greeting_test\.go/.test(l)),
    c.info.join('\n'),
  );
});

for (const path of [
  'go.mod',
  'go.sum',
  'cmd/orders/main.go',
  'internal/app/app.go',
  'Dockerfile',
  'Makefile',
  'charts/orders/Chart.yaml',
  'charts/orders/templates/deployment.yaml',
]) {
  test(`remove ${path} is refused: the service cannot work without it (exit 2, one line, nothing written)`, async () => {
    const dir = await newRepo();
    const before = snapshot(dir);
    const r = await runCli(['remove', path], { cwd: dir });
    assert.is(r.exitCode, 2, r.stdout + r.stderr);
    assert.is(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr.trim(), new RegExp(`^error: ${path.replace(/[.]/g, '\\.')}: cannot be removed: `));
    assert.equal(snapshot(dir), before);
  });
}

test('an answer in the record that this generator does not know is refused by regen and check, naming it', async () => {
  const dir = await newRepo({ git: true });
  const record = readRecord(dir);
  writeRecord(dir, { ...record, answers: { ...record.answers, replicas: 3 } as never });
  commitAll(dir, "a teammate's newer generator wrote replicas");
  const before = snapshot(dir);
  const regen = await runCli(['regen', 'makefile'], { cwd: dir });
  assert.is(regen.exitCode, 1, regen.stdout + regen.stderr);
  assert.match(regen.stderr.trim(), /answers\.replicas: not an answer this generator knows/);
  assert.equal(snapshot(dir), before);
  const check = await runCli(['check', '--json'], { cwd: dir });
  assert.is(check.exitCode, 1);
  assert.ok(
    (JSON.parse(check.stdout) as Json).violations.some(
      (v) => v.rule === 'record' && /answers\.replicas: not an answer this generator knows/.test(v.message),
    ),
    check.stdout,
  );
});

test('check on a Dockerfile that is a directory: reported under the rules that read it, the other rules still run, "cannot read"', async () => {
  const dir = await newRepo();
  rmSync(join(dir, 'Dockerfile'));
  mkdirSync(join(dir, 'Dockerfile'));
  // A violation elsewhere, to see that the other rules ran.
  edit(dir, 'charts/orders/values.yaml', /path: \/ready/, 'path: /readyz');
  const r = await runCli(['check', '--json'], { cwd: dir });
  assert.is(r.exitCode, 1, r.stderr);
  assert.is(r.stderr.includes('cannot write'), false, r.stderr);
  const j = JSON.parse(r.stdout) as Json;
  const docker = j.violations.filter((v) => v.file === 'Dockerfile');
  assert.ok(docker.length > 0, r.stdout);
  for (const v of docker) assert.match(v.message, /^cannot read Dockerfile: it is a directory$/);
  assert.ok(
    j.violations.some((v) => v.rule === 'probes'),
    'the chart rule ran too',
  );
});

test.run();

// regen as a user and as automation sees it: real repos made by the built CLI, edits by
// hand, and byte/mtime snapshots proving what was and was not touched.
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { resolveAnswers } from '../../generators/model/answers.js';
import { filesFor, outputPath } from '../../generators/model/files.js';
import type { Answers } from '../../generators/model/questions.js';
import { hashContent } from '../../generators/model/record.js';
import { GENERATOR_VERSION } from '../../generators/model/version.js';
import { assertUsageError, CLI, runCli } from '../support/cli.js';
import { go } from '../support/go.js';
import { KEY, spawnPty } from '../support/pty.js';
import { helmLint } from '../support/tools.js';
import {
  changedPaths,
  commitAll,
  edit,
  git,
  gitStatus,
  newRepo,
  read,
  readRecord,
  RECORD,
  reference,
  snapshot,
  write,
  writeRecord,
} from '../support/regen/repo.js';

const CHART = 'charts/orders';

function recordedAnswers(dir: string): Answers {
  return resolveAnswers(readRecord(dir).answers as never, { useDefaults: false, env: {} });
}

/** Paths of the files written once (the team's after creation) for these answers. */
function onceFiles(a: Answers) {
  return filesFor(a)
    .filter((f) => f.lifecycle === 'once')
    .map((f) => ({ path: outputPath(f, a), group: f.group }));
}

test('the record reproduces the generated output exactly (answers + version + blob ids)', async () => {
  const dir = await newRepo({ git: true });
  const record = readRecord(dir);
  assert.is(record.version, GENERATOR_VERSION);
  // Generating again from nothing but the record gives the same bytes and the same record.
  const expected = await reference(dir, [], { withRecord: true });
  assert.is(expected.get(RECORD), read(dir, RECORD));
  expected.delete(RECORD);
  assert.equal(Object.keys(record.files).sort(), [...expected.keys()].sort());
  for (const [path, content] of expected) {
    assert.is(read(dir, path), content, `${path} differs from what the record reproduces`);
    assert.is(record.files[path], hashContent(content), `${path}: record hash`);
    // The ids are git blob ids of the committed files: update's merge bases.
    assert.is(gitStatus(dir, ['cat-file', '-e', `${record.files[path]}^{blob}`]), 0, `${path}: blob not in git`);
  }
});

test('regen <group>: an edited file is a conflict kept byte for byte; files still as generated are rewritten', async () => {
  const dir = await newRepo();
  const want = await reference(dir);
  // The user's edit.
  edit(dir, `${CHART}/values.yaml`, /^replicaCount: 2$/m, 'replicaCount: 3');
  const edited = read(dir, `${CHART}/values.yaml`);
  // Files as an older generator wrote them: different text, and the record says so.
  const record = readRecord(dir);
  for (const p of [`${CHART}/Chart.yaml`, `${CHART}/templates/service.yaml`]) {
    const old = read(dir, p) + '# written by an older generator\n';
    write(dir, p, old);
    record.files[p] = hashContent(old);
  }
  writeRecord(dir, record);
  const before = snapshot(dir);

  const r1 = await runCli(['regen', 'chart'], { cwd: dir });
  assert.is(r1.exitCode, 1, r1.stderr);
  assert.match(r1.stderr, /1 file\(s\) edited since they were generated: charts\/orders\/values\.yaml; nothing was written/);
  assert.match(r1.stdout, /conflict\s+charts\/orders\/values\.yaml/);
  assert.equal(snapshot(dir), before, 'a refused regen changed files');

  const r2 = await runCli(['regen', 'chart', '--skip-modified', '--json'], { cwd: dir });
  assert.is(r2.exitCode, 0, r2.stderr);
  const j2 = JSON.parse(r2.stdout);
  assert.is(j2.ok, true);
  const action = (p: string) => j2.files.find((f: { path: string }) => f.path === p)?.action;
  assert.is(action(`${CHART}/values.yaml`), 'kept');
  assert.is(action(`${CHART}/Chart.yaml`), 'update');
  assert.is(action(`${CHART}/templates/service.yaml`), 'update');
  assert.is(read(dir, `${CHART}/values.yaml`), edited);
  assert.is(read(dir, `${CHART}/Chart.yaml`), want.get(`${CHART}/Chart.yaml`));
  assert.is(read(dir, `${CHART}/templates/service.yaml`), want.get(`${CHART}/templates/service.yaml`));
  assert.equal(changedPaths(before, snapshot(dir)), [RECORD, `${CHART}/Chart.yaml`, `${CHART}/templates/service.yaml`]);
  const rec2 = readRecord(dir);
  assert.is(rec2.files[`${CHART}/Chart.yaml`], hashContent(want.get(`${CHART}/Chart.yaml`)!));
  // The kept file keeps its generated hash: it is still "edited" for the next regen or update.
  assert.is(rec2.files[`${CHART}/values.yaml`], hashContent(want.get(`${CHART}/values.yaml`)!));

  const r3 = await runCli(['regen', 'chart'], { cwd: dir });
  assert.is(r3.exitCode, 1, 'the edit is still there, so still a conflict');

  const r4 = await runCli(['regen', 'chart', '--force'], { cwd: dir });
  assert.is(r4.exitCode, 0, r4.stderr);
  assert.is(read(dir, `${CHART}/values.yaml`), want.get(`${CHART}/values.yaml`));
  assert.match(r4.stdout, /update\s+charts\/orders\/values\.yaml\s+\(edited; overwritten\)/);
});

test('on a terminal each conflict is asked: show the diff, then write the generated version aside; Ctrl-C writes nothing', async () => {
  const dir = await newRepo();
  edit(dir, 'Dockerfile', /^USER 65532:65532$/m, 'USER 65532:65532\n# mine');
  const edited = read(dir, 'Dockerfile');
  const before = snapshot(dir);

  const pty = await spawnPty(process.execPath, [CLI, 'regen', 'dockerfile'], { cwd: dir, env: { NO_COLOR: '1' } });
  await pty.expect('Dockerfile was edited since it was generated. What now?');
  // skip, overwrite, merge, write aside, show the diff
  pty.write(KEY.down.repeat(4) + KEY.enter);
  await pty.expect(/\+\+\+ b\/Dockerfile[\s\S]*^-# mine$[\s\S]*What now\?/m);
  pty.write(KEY.down.repeat(3) + KEY.enter);
  assert.equal(await pty.exited, { code: 0, signal: null }, pty.text());
  assert.is(read(dir, 'Dockerfile'), edited);
  assert.is(read(dir, '.go-k8s-service/new/Dockerfile'), (await reference(dir)).get('Dockerfile'));
  // The record still has the generated hash: the file stays "edited".
  assert.equal(readRecord(dir), JSON.parse(before.get(RECORD)!.content));

  rmSync(join(dir, '.go-k8s-service'), { recursive: true });
  const again = await spawnPty(process.execPath, [CLI, 'regen', 'dockerfile'], { cwd: dir, env: { NO_COLOR: '1' } });
  await again.expect('What now?');
  again.write(KEY.ctrlC);
  assert.is((await again.exited).code, 130, again.text());
  assert.match(again.text(), /Interrupted: nothing was written\./);
  assert.equal(changedPaths(before, snapshot(dir)), []);
});

test('regen chart --port 9090 rewrites the chart and every other port-dependent file, nothing else; go build and helm lint pass', async () => {
  const dir = await newRepo({ git: true });
  const oldFiles = await reference(dir);
  const newFiles = await reference(dir, ['--port', '9090']);
  // Files written once (per-environment values) stay the team's, even when they depend on the port.
  const once = new Set(onceFiles(recordedAnswers(dir)).map((f) => f.path));
  const dependent = [...newFiles.keys()].filter((p) => newFiles.get(p) !== oldFiles.get(p) && !once.has(p)).sort();
  for (const p of ['Dockerfile', '.env.example', 'README.md', 'internal/config/config.go', `${CHART}/values.yaml`]) {
    assert.ok(dependent.includes(p), `${p} should depend on the port (dependent: ${dependent.join(', ')})`);
  }
  const before = snapshot(dir);

  const r = await runCli(['regen', 'chart', '--port', '9090', '--json'], { cwd: dir });
  assert.is(r.exitCode, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.answersChanged, ['port']);
  assert.equal([...j.changed].sort(), dependent);
  const after = snapshot(dir);
  assert.equal(changedPaths(before, after), [...dependent, RECORD].sort());
  for (const p of dependent) assert.is(after.get(p)!.content, newFiles.get(p), p);
  assert.match(read(dir, 'Dockerfile'), /^EXPOSE 9090$/m);
  assert.match(read(dir, `${CHART}/values.yaml`), /^containerPort: 9090$/m);

  const record = readRecord(dir);
  assert.is(record.answers.port, 9090);
  for (const [p, content] of newFiles)
    assert.is(record.files[p], hashContent(once.has(p) ? oldFiles.get(p)! : content), `record hash of ${p}`);
  // What regen wrote stays in git's object store, reachable from the base ref.
  const baseTree = git(dir, ['ls-tree', '-r', 'refs/go-k8s-service/base']);
  for (const p of dependent) {
    assert.is(gitStatus(dir, ['cat-file', '-e', `${record.files[p]}^{blob}`]), 0, `${p}: new blob not stored`);
    assert.ok(baseTree.includes(`${record.files[p]}\t${p}`), `${p} not in the base tree`);
  }

  const build = await go(dir, ['build', './...']);
  assert.is(build.exitCode, 0, build.all);
  const lint = await helmLint(join(dir, CHART));
  assert.ok(lint.ok, lint.output);
});

test('the base ref holds every recorded file git has; each regen adds a commit on top of the last', async () => {
  // Generated without git, then a file edited before the first commit: git never sees
  // the Makefile as generated, so there is no text of it to keep.
  const dir = await newRepo();
  edit(dir, 'Makefile', /^/, '# ours\n');
  git(dir, ['init', '--quiet']);
  commitAll(dir, 'first');
  const tree = (ref: string) =>
    Object.fromEntries(
      git(dir, ['ls-tree', '-r', ref])
        .trim()
        .split('\n')
        .map((l) => l.split('\t'))
        .map(([meta, path]) => [path!, meta!.split(' ')[2]!]),
    );

  for (const port of ['9090', '9091']) {
    const r = await runCli(['regen', 'dockerfile', '--port', port], { cwd: dir });
    assert.is(r.exitCode, 0, r.stderr);
    assert.not.match(r.stderr, /could not keep/);
  }
  const { files } = readRecord(dir);
  const expected = Object.fromEntries(Object.entries(files).filter(([p]) => p !== 'Makefile'));
  assert.equal(tree('refs/go-k8s-service/base'), expected);
  // The first base is the parent of the second, so both generations stay reachable.
  assert.is(git(dir, ['rev-list', '--count', 'refs/go-k8s-service/base']).trim(), '2');
  assert.match(read(dir, 'Dockerfile'), /^EXPOSE 9091$/m);
  assert.is(git(dir, ['cat-file', '-p', `refs/go-k8s-service/base^:Dockerfile`]).includes('EXPOSE 9090'), true);
  // Our bookkeeping never touches the user's branch, index or work tree.
  assert.is(git(dir, ['rev-list', '--count', 'HEAD']).trim(), '1');
  assert.is(git(dir, ['diff', '--cached', '--name-only']).trim(), '');
});

test('a no-op regen leaves every byte, every mtime and the record untouched', async () => {
  const dir = await newRepo();
  await new Promise((r) => setTimeout(r, 50));
  const before = snapshot(dir);
  const all = await runCli(['regen', 'go', 'docs', 'dockerfile', 'chart', 'makefile', 'ci', 'config'], { cwd: dir });
  assert.is(all.exitCode, 0, all.stderr);
  assert.match(all.stdout, /0 updated, 0 created, 0 deleted, \d+ unchanged, 0 kept/);
  // The same answer again is no change either.
  const same = await runCli(['regen', 'chart', '--port', '8080'], { cwd: dir });
  assert.is(same.exitCode, 0, same.stderr);
  assert.not.match(same.stdout, /answers changed/);
  assert.equal(snapshot(dir), before);
});

test('--dry-run prints a unified diff and writes nothing; with --json the result parses', async () => {
  const dir = await newRepo();
  const before = snapshot(dir);
  const r = await runCli(['regen', 'chart', '--port', '9090', '--dry-run'], { cwd: dir });
  assert.is(r.exitCode, 0, r.stderr);
  assert.match(r.stdout, /^--- a\/charts\/orders\/values\.yaml\n\+\+\+ b\/charts\/orders\/values\.yaml\n@@ /m);
  assert.match(r.stdout, /^-containerPort: 8080\n\+containerPort: 9090$/m);
  assert.match(r.stdout, /^-EXPOSE 8080$/m);
  assert.match(r.stdout, /^\+EXPOSE 9090$/m);
  assert.match(r.stdout, /dry run: nothing written/);

  const j = await runCli(['regen', 'chart', '--port', '9090', '--dry-run', '--json'], { cwd: dir });
  assert.is(j.exitCode, 0, j.stderr);
  const out = JSON.parse(j.stdout);
  assert.is(out.ok, true);
  assert.is(out.dryRun, true);
  assert.is(out.wrote, false);
  assert.equal(out.answersChanged, ['port']);
  assert.ok(out.changed.includes('Dockerfile'));
  assert.match(out.diff, /\+containerPort: 9090/);

  // A dry run over an edited file shows it and fails as the real run would.
  edit(dir, 'Makefile', /^clean: ##.*$/m, 'clean: ## edited');
  const edited = snapshot(dir);
  const c = await runCli(['regen', 'makefile', '--dry-run'], { cwd: dir });
  assert.is(c.exitCode, 1);
  assert.match(c.stdout, /^-clean: ## edited$/m);
  assert.equal(snapshot(dir), edited);
  assert.equal(changedPaths(before, edited), ['Makefile']);
});

test('a deleted file is recreated only when named, also from a subdirectory', async () => {
  const dir = await newRepo();
  rmSync(join(dir, 'Dockerfile'));
  const group = await runCli(['regen', 'dockerfile', '--json'], { cwd: dir });
  assert.is(group.exitCode, 0, group.stderr);
  assert.is(JSON.parse(group.stdout).files.find((f: { path: string }) => f.path === 'Dockerfile').action, 'missing');
  assert.not.ok(existsSync(join(dir, 'Dockerfile')));
  // Changing an answer the file depends on does not bring it back either.
  const port = await runCli(['regen', 'chart', '--port', '9090'], { cwd: dir });
  assert.is(port.exitCode, 0, port.stderr);
  assert.not.ok(existsSync(join(dir, 'Dockerfile')));

  const named = await runCli(['regen', 'Dockerfile'], { cwd: dir });
  assert.is(named.exitCode, 0, named.stderr);
  assert.is(read(dir, 'Dockerfile'), (await reference(dir)).get('Dockerfile'));
  assert.match(read(dir, 'Dockerfile'), /^EXPOSE 9090$/m);

  rmSync(join(dir, CHART, 'values.yaml'));
  const sub = await runCli(['regen', 'values.yaml'], { cwd: join(dir, CHART) });
  assert.is(sub.exitCode, 0, sub.stderr);
  assert.ok(existsSync(join(dir, CHART, 'values.yaml')));
});

test('changing --ci replaces the CI file and the record follows', async () => {
  const dir = await newRepo();
  const r = await runCli(['regen', 'ci', '--ci', 'gitlab'], { cwd: dir });
  assert.is(r.exitCode, 0, r.stderr);
  assert.not.ok(existsSync(join(dir, '.github')), 'the GitHub workflow (and its now empty directories) should go');
  assert.ok(existsSync(join(dir, '.gitlab-ci.yml')));
  const record = readRecord(dir);
  assert.is(record.answers.ci, 'gitlab');
  assert.ok(record.files['.gitlab-ci.yml']);
  assert.not.ok(record.files['.github/workflows/ci.yml']);
});

test('a file written once is never changed by regen, even named with --force; deleted, it comes back by name', async () => {
  const dir = await newRepo();
  const onceFile = onceFiles(recordedAnswers(dir))[0];
  assert.ok(onceFile, 'the file table has no file written once any more: drop this test');
  const path = onceFile!.path;
  const generatedText = (await reference(dir)).get(path);
  write(dir, path, read(dir, path) + '# ours\n');
  const before = snapshot(dir);
  for (const target of [onceFile!.group, path]) {
    const r = await runCli(['regen', target, '--force', '--json'], { cwd: dir });
    assert.is(r.exitCode, 0, r.stderr);
    assert.is(JSON.parse(r.stdout).files.find((f: { path: string }) => f.path === path).action, 'kept');
  }
  assert.equal(changedPaths(before, snapshot(dir)), []);
  rmSync(join(dir, path));
  const group = await runCli(['regen', onceFile!.group], { cwd: dir });
  assert.is(group.exitCode, 0, group.stderr);
  assert.not.ok(existsSync(join(dir, path)));
  const named = await runCli(['regen', path], { cwd: dir });
  assert.is(named.exitCode, 0, named.stderr);
  assert.is(read(dir, path), generatedText);
});

test('regen --list shows the groups and paths; --json parses', async () => {
  const dir = await newRepo();
  const r = await runCli(['regen', '--list'], { cwd: join(dir, 'internal') });
  assert.is(r.exitCode, 0, r.stderr);
  assert.match(r.stdout, /^dockerfile\n {2}Dockerfile\n {2}\.dockerignore$/m);
  const j = await runCli(['regen', '--list', '--json'], { cwd: dir });
  const groups = JSON.parse(j.stdout).groups as { group: string; paths: string[] }[];
  assert.equal(groups.map((g) => g.group).sort(), ['chart', 'ci', 'config', 'dockerfile', 'docs', 'go', 'makefile']);
  assert.ok(groups.find((g) => g.group === 'chart')!.paths.includes(`${CHART}/values.yaml`));
});

test('bad requests exit 2 with one line; outside a generated repo exit 1', async () => {
  const dir = await newRepo();
  const before = snapshot(dir);
  for (const [args, message] of [
    [['regen', 'nosuchfile'], /nosuchfile is neither a generated file nor a group/],
    [['regen', '.gitlab-ci.yml'], /\.gitlab-ci\.yml is not generated with this repo's answers/],
    [['regen'], /name at least one file or group/],
    [['regen', 'chart', '--name', 'other'], /--name cannot change in regen/],
    [['regen', 'chart', '--port', '80'], /--port: 80 must be an integer from 1024 to 65535/],
  ] as const) {
    await assertUsageError(args, message, dir);
  }
  assert.equal(snapshot(dir), before);
  const outside = await runCli(['regen', 'chart'], { cwd: join(dir, '..') });
  assert.is(outside.exitCode, 1);
  assert.match(outside.stderr, /no \.go-k8s-service\.json in .* or any parent/);
});

test('regen refuses a repo written by another generator version: nothing written, one line saying what to run', async () => {
  const dir = await newRepo();
  for (const [version, wanted] of [
    ['0.0.1', /written by create-go-k8s-service 0\.0\.1.*run `create-go-k8s-service update` first \(it merges .*\), then regen/],
    ['99.0.0', /written by create-go-k8s-service 99\.0\.0.*use create-go-k8s-service@99\.0\.0/],
  ] as const) {
    const record = readRecord(dir);
    record.version = version;
    writeRecord(dir, record);
    const before = snapshot(dir);
    for (const args of [
      ['regen', 'dockerfile'],
      ['regen', 'chart', '--port', '9090'],
      ['regen', 'Dockerfile', '--force', '--dry-run'],
    ]) {
      const r = await runCli(args, { cwd: dir });
      assert.is(r.exitCode, 1, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, wanted);
      assert.is(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.equal(snapshot(dir), before, `${args.join(' ')} wrote something`);
    }
    assert.is(readRecord(dir).version, version, 'the recorded version changed');
  }
});

test.run();

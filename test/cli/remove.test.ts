// Removing a generated file on purpose: `remove <file>...` deletes it (if still as
// generated, or with --force) and records it in .go-k8s-service.json; check, regen and
// update respect that; `regen <file>` brings it back.
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { assertUsageError, runCli } from '../support/cli.js';
import { newerGenerator, otherVersion, updateIn } from '../support/regen/generators.js';
import { commitAll, edit, git, newRepo, read, readRecord, RECORD, reference, snapshot } from '../support/regen/repo.js';

const COMPOSE = 'compose.yaml';

test('remove compose.yaml: deleted and recorded; check passes; regen and update neither recreate nor merge it', async () => {
  const dir = await newRepo({ git: true });
  const r = await runCli(['remove', COMPOSE, '--json'], { cwd: join(dir, 'internal') });
  assert.is(r.exitCode, 0, r.stderr);
  assert.is(JSON.parse(r.stdout).ok, true);
  assert.not.ok(existsSync(join(dir, COMPOSE)));
  const record = readRecord(dir) as ReturnType<typeof readRecord> & { removed?: string[] };
  assert.equal(record.removed, [COMPOSE]);
  assert.not.ok(COMPOSE in record.files);
  assert.equal(
    git(dir, ['status', '--porcelain'])
      .split('\n')
      .filter(Boolean)
      .map((l) => l.slice(3))
      .sort(),
    [RECORD, COMPOSE].sort(),
  );
  commitAll(dir, 'no compose');

  const check = await runCli(['check'], { cwd: dir });
  assert.is(check.exitCode, 0, check.stdout + check.stderr);

  const group = await runCli(['regen', 'dockerfile', '--json'], { cwd: dir });
  assert.is(group.exitCode, 0, group.stderr);
  assert.is(JSON.parse(group.stdout).files.find((f: { path: string }) => f.path === COMPOSE)?.action, 'removed');
  const port = await runCli(['regen', '--port', '9090'], { cwd: dir });
  assert.is(port.exitCode, 0, port.stderr);
  assert.not.ok(existsSync(join(dir, COMPOSE)));
  assert.equal((readRecord(dir) as { removed?: string[] }).removed, [COMPOSE]);
  commitAll(dir, 'port 9090');

  // A newer release that changes compose.yaml.
  const seams = await newerGenerator(dir, otherVersion(1), (p, c) => (p === COMPOSE ? `# version 2\n${c}` : c));
  const { code, c } = await updateIn(dir, seams, ['--json']);
  assert.is(code, 0, c.errors.join('\n'));
  assert.is((c.json[0] as { files: { path: string; action: string }[] }).files.find((f) => f.path === COMPOSE)?.action, 'removed');
  assert.not.ok(existsSync(join(dir, COMPOSE)));
  assert.equal((readRecord(dir) as { removed?: string[] }).removed, [COMPOSE]);
  assert.not.ok(existsSync(join(dir, '.go-k8s-service')));
});

test('remove refuses an edited file unless --force; `regen <file>` brings it back and un-records it', async () => {
  const dir = await newRepo();
  edit(dir, COMPOSE, /^/, '# ours\n');
  const before = snapshot(dir);
  const refused = await runCli(['remove', COMPOSE, 'charts/orders/templates/hpa.yaml'], { cwd: dir });
  assert.is(refused.exitCode, 1, refused.stderr);
  assert.match(refused.stderr, /compose\.yaml was edited since it was generated; pass --force to delete it anyway; nothing was changed/);
  assert.is(refused.stderr.trim().split('\n').length, 1, refused.stderr);
  assert.equal(snapshot(dir), before);

  const forced = await runCli(['remove', COMPOSE, '--force'], { cwd: dir });
  assert.is(forced.exitCode, 0, forced.stderr);
  assert.not.ok(existsSync(join(dir, COMPOSE)));
  const again = await runCli(['remove', COMPOSE], { cwd: dir });
  assert.is(again.exitCode, 0, again.stderr);
  assert.match(again.stdout, /already removed/);

  const back = await runCli(['regen', COMPOSE], { cwd: dir });
  assert.is(back.exitCode, 0, back.stderr);
  assert.is(read(dir, COMPOSE), (await reference(dir)).get(COMPOSE));
  const record = readRecord(dir) as ReturnType<typeof readRecord> & { removed?: string[] };
  assert.is(record.removed, undefined);
  assert.ok(record.files[COMPOSE]);
  // Back to the record of a fresh repo, byte for byte.
  assert.is(read(dir, RECORD), before.get(RECORD)!.content);
});

test('remove: usage errors exit 2 with one line; --help is its own', async () => {
  const dir = await newRepo();
  const before = snapshot(dir);
  for (const [args, message] of [
    [['remove'], /name at least one generated file to remove/],
    [['remove', 'nosuchfile'], /nosuchfile is not a file this generator writes/],
    [['remove', 'chart'], /chart is not a file this generator writes/],
    [['remove', COMPOSE, '--port', '9090'], /remove takes no answers/],
  ] as const) {
    await assertUsageError(args, message, dir);
  }
  assert.equal(snapshot(dir), before);
  const help = await runCli(['remove', '--help']);
  assert.is(help.exitCode, 0);
  assert.match(help.stdout, /^Usage:\n {2}create-go-k8s-service remove <file>\.\.\./m);
  assert.match(help.stdout, /records them\s+under "removed"/);
  assert.not.match(help.stdout, /--port/);
  assert.match(help.stdout, /--force/);
  assert.not.match(help.stdout, /Questions/);
  rmSync(join(dir, COMPOSE));
});

test.run();

// The heart in the fast tier: create, regen, update, remove and check run in-process through
// cli.run() (not the built bundle) against repos written into a temp dir, so a change to the
// file plan, the engines or the rules is tested by `npm run test:unit` from the sources.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { run } from '../../generators/cli/cli.js';
import { hashContent, RECORD_FILE, type RepoRecord } from '../../generators/model/record.js';
import { capture, newerGenerator, otherVersion, updateIn, type Captured } from '../support/regen/generators.js';

/** `create-go-k8s-service <args>` in-process inside cwd: its exit code and what it printed. */
async function cli(cwd: string, args: string[]): Promise<{ code: number; c: Captured }> {
  const c = capture(args.includes('--json'));
  const before = process.cwd();
  process.chdir(cwd);
  try {
    return { code: await run(args, () => c.out), c };
  } finally {
    process.chdir(before);
  }
}

async function newRepo(git = false): Promise<string> {
  const parent = mkdtempSync(join(tmpdir(), 'cgks-heart-'));
  const { code, c } = await cli(parent, ['orders', '--yes', '--no-install', ...(git ? [] : ['--no-git'])]);
  assert.is(code, 0, c.errors.join('\n'));
  return join(parent, 'orders');
}

const read = (dir: string, p: string) => readFileSync(join(dir, p), 'utf8');
const record = (dir: string) => JSON.parse(read(dir, RECORD_FILE)) as RepoRecord;
const files = (c: Captured) => (c.json[0] as { files: { path: string; action: string; reason?: string }[] }).files;

test('regen: an edited file is a conflict (exit 1, nothing written); --force overwrites it and the record follows', async () => {
  const dir = await newRepo();
  const edited = read(dir, 'Dockerfile').replace(/^USER 65532:65532$/m, 'USER 65532:65532\n# mine');
  writeFileSync(join(dir, 'Dockerfile'), edited);
  const before = read(dir, RECORD_FILE);

  const refused = await cli(dir, ['regen', 'Dockerfile', '--json']);
  assert.is(refused.code, 1);
  assert.equal(files(refused.c).find((f) => f.path === 'Dockerfile')?.action, 'conflict');
  assert.is(read(dir, 'Dockerfile'), edited);
  assert.is(read(dir, RECORD_FILE), before);

  const forced = await cli(dir, ['regen', 'Dockerfile', '--force', '--json']);
  assert.is(forced.code, 0, forced.c.errors.join('\n'));
  assert.equal(files(forced.c), [{ path: 'Dockerfile', action: 'update', reason: 'edited; overwritten' }]);
  assert.not.match(read(dir, 'Dockerfile'), /# mine/);
  assert.is(record(dir).files.Dockerfile, hashContent(read(dir, 'Dockerfile')));
});

test('regen --port --merge: the edit and the answer change are merged; the record takes the new answer', async () => {
  const dir = await newRepo();
  writeFileSync(join(dir, 'Dockerfile'), read(dir, 'Dockerfile').replace(/^(FROM .* AS build)$/m, '$1\n# mine'));
  const { code, c } = await cli(dir, ['regen', '--port', '9090', '--merge', '--json']);
  assert.is(code, 0, c.errors.join('\n'));
  assert.is(files(c).find((f) => f.path === 'Dockerfile')?.action, 'merged');
  assert.match(read(dir, 'Dockerfile'), /# mine/);
  assert.match(read(dir, 'Dockerfile'), /^EXPOSE 9090$/m);
  assert.is(record(dir).answers.port, 9090);
});

test('remove: deleted and recorded; check passes; regen leaves it out until named', async () => {
  const dir = await newRepo();
  const removed = await cli(dir, ['remove', 'compose.yaml', '--json']);
  assert.is(removed.code, 0, removed.c.errors.join('\n'));
  assert.equal(files(removed.c), [{ path: 'compose.yaml', action: 'delete', reason: 'deleted and recorded as removed' }]);
  assert.not.ok(existsSync(join(dir, 'compose.yaml')));
  assert.equal(record(dir).removed, ['compose.yaml']);

  const checked = await cli(dir, ['check', '--json']);
  assert.is(checked.code, 0, JSON.stringify(checked.c.json));

  const all = await cli(dir, ['regen', '--dry-run', '--json']);
  assert.is(files(all.c).find((f) => f.path === 'compose.yaml')?.action, 'removed');
  const back = await cli(dir, ['regen', 'compose.yaml', '--json']);
  assert.is(files(back.c).find((f) => f.path === 'compose.yaml')?.action, 'create');
  assert.is(record(dir).removed, undefined);
});

test('check: a fresh repo holds every convention; a broken probe is exit 1 naming the rule', async () => {
  const dir = await newRepo();
  assert.is((await cli(dir, ['check'])).code, 0);
  writeFileSync(join(dir, 'charts/orders/values.yaml'), read(dir, 'charts/orders/values.yaml').replace(/path: \/ready$/m, 'path: /readyz'));
  const { code, c } = await cli(dir, ['check', '--json']);
  assert.is(code, 1);
  assert.equal(
    (c.json[0] as { violations: { rule: string }[] }).violations.map((v) => v.rule),
    ['probes'],
  );
});

test('update: a newer version merges into an edited file, replaces the rest, and moves the record', async () => {
  const dir = await newRepo(true);
  const V2 = otherVersion(1);
  const seams = await newerGenerator(dir, V2, (path, content) =>
    path === 'Makefile' ? content.replace(/^(GO +\?= go)$/m, '$1\n# version 2') : content,
  );
  writeFileSync(join(dir, 'Makefile'), read(dir, 'Makefile').replace(/^(help:.*)$/m, '# mine\n$1'));
  const { execFileSync } = await import('node:child_process');
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qam', 'mine'], { cwd: dir });

  const { code, c } = await updateIn(dir, seams, ['--json']);
  assert.is(code, 0, c.errors.join('\n'));
  assert.is(files(c).find((f) => f.path === 'Makefile')?.action, 'merged');
  assert.match(read(dir, 'Makefile'), /# mine/);
  assert.match(read(dir, 'Makefile'), /# version 2/);
  assert.is(record(dir).version, V2);
});

test.run();

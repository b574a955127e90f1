// Line endings: a checkout's line endings are never an edit. Real clones made with
// core.autocrlf=true (what Git for Windows sets by default), then regen, update and check.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli } from '../support/cli.js';
import { newerGenerator, otherVersion, updateIn } from '../support/regen/generators.js';
import { commitAll, edit, git, newRepo, read, readRecord, RECORD, snapshot, writeRecord } from '../support/regen/repo.js';

const ALL_BUT_CONFIG = ['go', 'docs', 'dockerfile', 'chart', 'makefile', 'ci'];

/** `git -c core.autocrlf=true clone` of dir: a Windows user's checkout. */
function crlfClone(dir: string): string {
  const clone = join(mkdtempSync(join(tmpdir(), 'cgks-crlf-')), 'orders');
  git(tmpdir(), ['-c', 'core.autocrlf=true', 'clone', '--quiet', dir, clone]);
  git(clone, ['config', 'core.autocrlf', 'true']);
  return clone;
}

const porcelain = (dir: string) =>
  git(dir, ['status', '--porcelain'])
    .split('\n')
    .filter(Boolean)
    .map((l) => l.slice(3))
    .sort();

test('the generated .gitattributes makes every checkout LF, whatever core.autocrlf says', async () => {
  const dir = await newRepo({ git: true });
  assert.match(read(dir, '.gitattributes'), /^\* text=auto eol=lf$/m);
  const clone = crlfClone(dir);
  const eol = git(clone, ['ls-files', '--eol']).trim().split('\n');
  assert.ok(eol.length > 40);
  for (const line of eol) assert.match(line, /^i\/lf\s+w\/lf\s+attr\/text=auto eol=lf\s/, line);
  const r = await runCli(['regen', ...ALL_BUT_CONFIG, 'config', '--json'], { cwd: clone });
  assert.is(r.exitCode, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).changed, []);
});

test('in a CRLF checkout (a repo without .gitattributes) regen, update and check see no edits, and what they write keeps CRLF', async () => {
  // A repo from before .gitattributes was generated: the file is not there, nor in the record.
  const dir = await newRepo({ git: true });
  git(dir, ['rm', '--quiet', '--ignore-unmatch', '.gitattributes']);
  const record = readRecord(dir);
  delete record.files['.gitattributes'];
  writeRecord(dir, record);
  git(dir, ['add', '--all']);
  git(dir, ['commit', '--quiet', '--allow-empty', '-m', 'no .gitattributes']);
  const clone = crlfClone(dir);
  assert.match(read(clone, 'Makefile'), /\r\n/, 'the checkout is not CRLF: the test proves nothing');
  assert.match(read(clone, RECORD), /\r\n/);
  const before = snapshot(clone);

  // Nothing edited: a regen of every group but config (which would add .gitattributes) changes nothing.
  const same = await runCli(['regen', ...ALL_BUT_CONFIG, '--json'], { cwd: clone });
  assert.is(same.exitCode, 0, same.stderr);
  const j = JSON.parse(same.stdout);
  assert.equal(j.conflicts, []);
  assert.equal(j.changed, []);
  assert.is(j.recordChanged, false);
  assert.equal(snapshot(clone), before, 'a no-op regen touched files');

  const check = await runCli(['check'], { cwd: clone });
  assert.is(check.exitCode, 0, check.stdout + check.stderr);

  // A changed answer rewrites the files that depend on it, in the checkout's line endings.
  const port = await runCli(['regen', 'chart', '--port', '9090', '--json'], { cwd: clone });
  assert.is(port.exitCode, 0, port.stderr);
  const changed = JSON.parse(port.stdout).changed as string[];
  assert.ok(changed.includes('charts/orders/values.yaml') && changed.includes('Dockerfile'), changed.join(', '));
  for (const p of [...changed, RECORD]) {
    assert.not.match(read(clone, p).replace(/\r\n/g, ''), /\n/, `${p} was written with LF line endings in a CRLF checkout`);
  }
  assert.equal(porcelain(clone), [...changed, RECORD].sort());
  commitAll(clone, 'port 9090');

  // An update merges a user's edit (made in CRLF) with a newer template: no conflict.
  edit(clone, 'Makefile', /^GO( +)\?= go\r$/m, 'GO$1?= go1.26\r');
  commitAll(clone, 'use go1.26');
  const seams = await newerGenerator(clone, otherVersion(1), (path, content) =>
    path === 'Makefile' ? content.replace(/^clean: ##.*$/m, '$& (version 2)') : path === 'Dockerfile' ? `# version 2\n${content}` : content,
  );
  const { code, c } = await updateIn(clone, seams, ['--json']);
  assert.is(code, 0, c.errors.join('\n'));
  const u = c.json[0] as { conflicts: string[]; noBase: string[]; files: { path: string; action: string }[] };
  assert.equal(u.conflicts, []);
  assert.equal(u.noBase, []);
  const action = (p: string) => u.files.find((f) => f.path === p)?.action;
  assert.is(action('Makefile'), 'merged');
  assert.is(action('Dockerfile'), 'update');
  // The update brings the .gitattributes this repo lacked; every other file is as generated.
  assert.is(action('.gitattributes'), 'create');
  assert.ok(
    u.files.filter((f) => !['Makefile', 'Dockerfile', '.gitattributes'].includes(f.path)).every((f) => f.action === 'unchanged'),
    JSON.stringify(u.files),
  );
  const makefile = read(clone, 'Makefile');
  assert.match(makefile, /^GO +\?= go1\.26\r$/m);
  assert.match(makefile, /^clean: ##.*\(version 2\)\r$/m);
  assert.not.match(makefile.replace(/\r\n/g, ''), /\n/, 'the merged Makefile has LF line endings');
  // With .gitattributes added, the CRLF files still checked out are no change either.
  assert.equal(porcelain(clone), ['.gitattributes', 'Dockerfile', 'Makefile', RECORD].sort());
});

test.run();

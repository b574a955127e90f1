// The merge base in other clones. update and regen keep the text they generate in
// refs/go-k8s-service/base, which git clone and push never carry. A clone (git clone
// --no-local: objects copied, no shared store) of a repo updated once must still merge:
// this version renders its own output again. Where neither it nor git has the base, update
// names each file, the text and why, and the remedy it prints works.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { GENERATOR_VERSION } from '../../generators/model/version.js';
import { runCli } from '../support/cli.js';
import { newerGenerator, otherVersion, updateIn, writtenByOlder } from '../support/regen/generators.js';
import { commitAll, edit, git, gitStatus, newRepo, read, readRecord } from '../support/regen/repo.js';

const BASE_REF = 'refs/go-k8s-service/base';
const OLDER = otherVersion(-1);
const V2 = otherVersion(1);
const V3 = otherVersion(2);

/** The release before this one wrote other headers into the Makefile's clean target and the Dockerfile. */
function older(path: string, content: string): string {
  if (path === 'Makefile') return content.replace('clean: ## Remove build output and coverage files', 'clean: ## Remove build output');
  if (path === 'Dockerfile') return content.replace('# syntax=docker/dockerfile:1\n', '# syntax=docker/dockerfile:1\n# older\n');
  return content;
}
/** Version 2 cleans the test cache too; version 3 also the fuzz cache. */
const v2 = (path: string, content: string) =>
  path === 'Makefile' ? content.replace(/^\trm -rf bin dist coverage\.out$/m, '$&\n\t$(GO) clean -testcache') : content;
const v3 = (path: string, content: string) =>
  path === 'Makefile' ? v2(path, content).replace('$(GO) clean -testcache', '$(GO) clean -testcache -fuzzcache') : content;

function cloneOf(dir: string): string {
  const clone = join(mkdtempSync(join(tmpdir(), 'cgks-clone-')), 'orders');
  git(tmpdir(), ['clone', '--quiet', '--no-local', dir, clone]);
  return clone;
}

const hasBlob = (dir: string, id: string) => gitStatus(dir, ['cat-file', '-e', `${id}^{blob}`]) === 0;

/** A repo written by the older release, edited, then updated to this version once (two merged files), committed. */
async function updatedOnce(): Promise<string> {
  const dir = await newRepo();
  writtenByOlder(dir, OLDER, older);
  git(dir, ['init', '--quiet']);
  commitAll(dir, `as ${OLDER} wrote it`);
  edit(dir, 'Makefile', /^GO( +)\?= go$/m, 'GO$1?= go1.26');
  edit(
    dir,
    'Dockerfile',
    /^(LABEL org\.opencontainers\.image\.title="orders" \\\n)/m,
    '$1      org.opencontainers.image.vendor="acme" \\\n',
  );
  commitAll(dir, 'our edits');
  const { code, c } = await updateIn(dir, {});
  assert.is(code, 0, c.errors.join('\n'));
  assert.ok(c.info.some((l) => /merged\s+Makefile/.test(l)) && c.info.some((l) => /merged\s+Dockerfile/.test(l)), c.info.join('\n'));
  commitAll(dir, `update to ${GENERATOR_VERSION}`);
  return dir;
}

test('a clone of a repo updated once regenerates and updates with merges, without the base ref', async () => {
  const dir = await updatedOnce();
  const clone = cloneOf(dir);
  // The premise: the text this version generated for the merged files is only in the original's base ref.
  const { files } = readRecord(clone);
  for (const p of ['Makefile', 'Dockerfile']) {
    assert.ok(hasBlob(dir, files[p]!), `${p}: the original lost its base`);
    assert.not.ok(hasBlob(clone, files[p]!), `${p}: the clone has the base; the test proves nothing`);
  }
  assert.is(gitStatus(clone, ['rev-parse', '--verify', '--quiet', BASE_REF]), 1);

  // regen with a changed answer merges it into the edited Dockerfile.
  const regen = await runCli(['regen', 'dockerfile', '--port', '9090', '--merge', '--json'], { cwd: clone });
  assert.is(regen.exitCode, 0, regen.stderr);
  assert.is(JSON.parse(regen.stdout).files.find((f: { path: string }) => f.path === 'Dockerfile').action, 'merged');
  assert.match(read(clone, 'Dockerfile'), /^EXPOSE 9090$/m);
  assert.match(read(clone, 'Dockerfile'), /image\.vendor="acme"/);
  commitAll(clone, 'port 9090');

  // The next release merges into the edited Makefile.
  const seams = await newerGenerator(clone, V2, v2);
  const { code, c } = await updateIn(clone, seams, ['--json']);
  assert.is(code, 0, c.errors.join('\n'));
  const j = c.json[0] as { noBase: string[]; files: { path: string; action: string }[] };
  assert.equal(j.noBase, []);
  assert.is(j.files.find((f) => f.path === 'Makefile')!.action, 'merged');
  assert.match(read(clone, 'Makefile'), /^GO +\?= go1\.26$/m);
  assert.match(read(clone, 'Makefile'), /^\t\$\(GO\) clean -testcache$/m);
});

test('without a base in this generator or in git, update names each file, the text and why; its remedy works', async () => {
  // Updated to version 2 in one clone; the next update runs in a clone of that one.
  const first = cloneOf(await updatedOnce());
  const toV2 = await updateIn(first, await newerGenerator(first, V2, v2));
  assert.is(toV2.code, 0, toV2.c.errors.join('\n'));
  commitAll(first, 'update to version 2');
  const clone = cloneOf(first);

  const seams = await newerGenerator(clone, V3, v3);
  const { code, c } = await updateIn(clone, seams, ['--json']);
  assert.is(code, 1);
  const j = c.json[0] as { noBase: string[]; files: { path: string; action: string; reason?: string }[] };
  assert.equal(j.noBase, ['Makefile']);
  const reason = j.files.find((f) => f.path === 'Makefile')!.reason!;
  assert.match(
    reason,
    new RegExp(
      `^no merge base: the text ${V2.replace(/\./g, '\\.')} generated for Makefile \\(blob [0-9a-f]{12}\\) is not in this clone's history, and this clone has no refs/go-k8s-service/base`,
    ),
  );
  assert.match(c.errors[0]!, /Makefile \(see \.go-k8s-service\/new\/Makefile\)/);
  assert.match(c.errors[0]!, /git fetch <that clone> \+refs\/go-k8s-service\/base:refs\/go-k8s-service\/base/);
  assert.match(read(clone, '.go-k8s-service/new/Makefile'), /-fuzzcache/);

  // The remedy: undo, fetch the ref from the clone that ran the update, update again.
  git(clone, ['checkout', '--quiet', '--', '.']);
  git(clone, ['clean', '--quiet', '-fd']);
  git(clone, ['fetch', '--quiet', first, `+${BASE_REF}:${BASE_REF}`]);
  const again = await updateIn(clone, seams, ['--json']);
  assert.is(again.code, 0, again.c.errors.join('\n'));
  assert.is((again.c.json[0] as { files: { path: string; action: string }[] }).files.find((f) => f.path === 'Makefile')!.action, 'merged');
  assert.match(read(clone, 'Makefile'), /^GO +\?= go1\.26$/m);
  assert.match(read(clone, 'Makefile'), /-fuzzcache$/m);
});

test.run();

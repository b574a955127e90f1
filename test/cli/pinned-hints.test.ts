// Every command a generated file tells people (or CI) to run names the generator version the repo
// records: a bare `create-go-k8s-service` runs the newest release, which refuses a repo of another
// version. Only `update` and `outdated` look for a newer release, so only they may say @latest
// (and `--help`, which reads no repo, may name no version).
// `update` keeps the hints current: a newer release's files name the newer version.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { GENERATOR_VERSION } from '../../generators/model/version.js';
import { render } from '../support/generate.js';
import { newerGenerator, otherVersion, updateIn } from '../support/regen/generators.js';
import { commitAll, edit, newRepo, readRecord } from '../support/regen/repo.js';

/** Every invocation of the generator in a text: its version (or '' for none) and its command. */
function invocations(text: string): { version: string; command: string; line: string }[] {
  const found = [];
  const re =
    /(?:npx(?: --yes)? create-go-k8s-service|npm (?:create|init|exec) go-k8s-service|(?:pnpm|yarn|bun) create go-k8s-service)(?:@([\w.-]+))?(?: --)? ([\w-]+|--help)/g;
  for (const m of text.matchAll(re)) {
    const line = text.slice(text.lastIndexOf('\n', m.index) + 1, text.indexOf('\n', m.index));
    found.push({ version: m[1] ?? '', command: m[2]!, line: line.trim() });
  }
  return found;
}

function unpinned(files: { path: string; content: string }[], version: string): string[] {
  const bad: string[] = [];
  for (const f of files) {
    for (const i of invocations(f.content)) {
      // update and outdated look for a newer release; --help reads no repo. The README's last
      // line, a --help hint, stays the same in every release, so a section a team appends
      // after it merges on every update.
      const newest = i.command === 'update' || i.command === 'outdated';
      const ok = i.command === '--help' || (newest ? i.version === 'latest' || i.version === version : i.version === version);
      if (!ok) bad.push(`${f.path}: ${i.line}`);
    }
  }
  return bad;
}

const VARIANTS = [
  { ci: 'github', deploy: 'helm' },
  { ci: 'github', deploy: 'gitops', updateJob: true, sign: true },
  { ci: 'gitlab', deploy: 'helm', updateJob: true },
  { ci: 'gitlab', deploy: 'gitops', database: 'postgres', tracing: true },
] as const;

test('every generated hint names the recorded version (Makefile, Dockerfile, README, CI, scripts, configs)', () => {
  for (const v of VARIANTS) {
    const files = render(v as never);
    const all = files.flatMap((f) => invocations(f.content));
    assert.ok(all.length >= 10, `${JSON.stringify(v)}: only ${all.length} hints found; the pattern no longer matches them`);
    for (const must of ['Makefile', 'Dockerfile', 'README.md']) {
      assert.ok(invocations(files.find((f) => f.path === must)!.content).length > 0, `${must} has a hint`);
    }
    assert.equal(unpinned(files, GENERATOR_VERSION), [], JSON.stringify(v));
  }
});

function walk(dir: string, base = dir): { path: string; content: string }[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (name === '.git') return [];
    if (statSync(p).isDirectory()) return walk(p, base);
    return [{ path: p.slice(base.length + 1), content: readFileSync(p, 'utf8') }];
  });
}

test('update keeps the hints current: after it, every hint names the new version, edits kept', async () => {
  const dir = await newRepo({ git: true });
  const v2 = otherVersion(1);
  const seams = await newerGenerator(dir, v2, (_path, content) =>
    content.replaceAll(`create-go-k8s-service@${GENERATOR_VERSION}`, `create-go-k8s-service@${v2}`),
  );
  edit(dir, 'Makefile', /^GO( +)\?= go$/m, 'GO$1?= go1.26');
  commitAll(dir, 'use go1.26');
  assert.equal(unpinned(walk(dir), GENERATOR_VERSION), [], 'the fresh repo is pinned to this version');

  const { code, c } = await updateIn(dir, seams, ['--json']);
  assert.is(code, 0, c.errors.join('\n'));
  assert.is(readRecord(dir).version, v2);
  const files = walk(dir);
  assert.equal(unpinned(files, v2), []);
  assert.match(files.find((f) => f.path === 'Makefile')!.content, /^GO +\?= go1\.26$/m);
});

test.run();

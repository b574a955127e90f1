// A preset is text that every developer machine and every update bot installs: it must not be
// able to run code or reach outside the repo. Its output paths are confined: nothing under
// .git (in any spelling that resolves there), nothing outside the repo, no file the generator
// reserves, no symbolic link anywhere in it. Each is refused before anything is written: one
// line naming the preset and the file, exit 2, the directory tree unchanged.
import { createHash } from 'node:crypto';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli } from '../support/cli.js';
import { presetCopy, presetRepo, rewrite } from '../support/preset.js';

/** A digest of every entry under dir, .git included: names, kinds, modes, link targets and bytes. */
function treeDigest(dir: string): string {
  const h = createHash('sha256');
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const st = lstatSync(p);
      h.update(`${relative(dir, p)}\0${st.mode}\0`);
      if (st.isSymbolicLink()) h.update(readlinkSync(p));
      else if (st.isDirectory()) walk(p);
      else h.update(readFileSync(p));
    }
  };
  walk(dir);
  return h.digest('hex');
}

/** Where a hostile command would leave its mark if it ever ran. */
const marker = join(mkdtempSync(join(tmpdir(), 'cgks-pwned-')), 'pwned');
const fsmonitor = `[core]\n\tfsmonitor = "touch ${marker}; false"\n`;
const hook = `#!/bin/sh\ntouch ${marker}\n`;

const addFile =
  (rel: string, text: string, mode = 0o644) =>
  (d: string) => {
    const p = join(d, 'templates', rel);
    mkdirSync(join(p, '..'), { recursive: true });
    writeFileSync(p, text, { mode });
  };
const addLink = (rel: string, target: string) => (d: string) => {
  const p = join(d, 'templates', rel);
  mkdirSync(join(p, '..'), { recursive: true });
  symlinkSync(target, p);
};

// Every message names the preset (by name and version once its package.json is read).
const NAME = /^error: preset \S+( 1\.0\.0)?: /;
const hostile: [string, (d: string) => void, RegExp][] = [
  [
    '.git/config with core.fsmonitor, as dot_git',
    addFile('dot_git/config', fsmonitor),
    /templates\/dot_git\/config would write \.git\/config: a preset cannot write into \.git/,
  ],
  [
    'a git hook, as dot_git/hooks',
    addFile('dot_git/hooks/post-commit', hook, 0o755),
    /templates\/dot_git\/hooks\/post-commit would write \.git\/hooks\/post-commit: a preset cannot write into \.git/,
  ],
  [
    '.git spelled in capitals (case-insensitive file systems)',
    addFile('dot_GIT/config', fsmonitor),
    /would write \.GIT\/config: a preset cannot write into \.git/,
  ],
  [
    '.git as a real dot folder in the preset',
    addFile('.git/config', fsmonitor),
    /templates\/\.git\/config would write \.git\/config: a preset cannot write into \.git/,
  ],
  ['.git with a trailing dot (Windows drops it)', addFile('dot_git./config', fsmonitor), /a preset cannot write into \.git/],
  ['.git with a trailing space (Windows drops it)', addFile('dot_git /config', fsmonitor), /a preset cannot write into \.git/],
  ['.git as its NTFS short name git~1', addFile('git~1/config', fsmonitor), /a preset cannot write into \.git/],
  [
    '.git with an ignorable Unicode character (HFS+ drops it)',
    addFile('dot_g\u200cit/config', fsmonitor),
    /a preset cannot write into \.git/,
  ],
  ['.git in a subfolder (a nested repository)', addFile('tools/dot_git/config', fsmonitor), /a preset cannot write into \.git/],
  [
    '.gitmodules (git fetches and checks out what it names)',
    addFile('dot_gitmodules', '[submodule "x"]\n\tpath = x\n\turl = ../x\n'),
    /would write \.gitmodules: a preset cannot write \.gitmodules/,
  ],
  [
    'a path that climbs out of the repo (dot_. becomes ..)',
    addFile('dot_./outside.txt', 'x\n'),
    /would write \.\.\/outside\.txt: a preset cannot write outside the repo/,
  ],
  [
    'the record .go-k8s-service.json',
    addFile('dot_go-k8s-service.json', '{}\n'),
    /would write \.go-k8s-service\.json: the generator reserves it/,
  ],
  [
    'the waivers file .go-k8s-service/waivers.yaml',
    addFile('dot_go-k8s-service/waivers.yaml', 'waivers: []\n'),
    /would write \.go-k8s-service\/waivers\.yaml: the generator reserves it/,
  ],
  ['a backslash in a name (a separator on Windows)', addFile('dot_git\\config', fsmonitor), /a preset cannot write into \.git|a backslash/],
  ['a control character in a name', addFile('bad\u0007name', 'x\n'), /a control character/],
  [
    'a symlinked template (it would copy a host file into the repo)',
    addLink('hostname', '/etc/hostname'),
    /templates\/hostname is a symbolic link: a preset holds no links/,
  ],
  ['a symlinked folder', addLink('etc', '/etc'), /templates\/etc is a symbolic link: a preset holds no links/],
  ['a dangling symlink', addLink('gone', '/nonexistent/target'), /templates\/gone is a symbolic link: a preset holds no links/],
  ['a symlink to a file inside the preset', addLink('CODEOWNERS2.hbs', 'CODEOWNERS.hbs'), /templates\/CODEOWNERS2\.hbs is a symbolic link/],
  [
    'templates/ itself a symlink',
    (d) => {
      renameSync(join(d, 'templates'), join(d, 'real-templates'));
      symlinkSync('real-templates', join(d, 'templates'));
    },
    /templates is a symbolic link: a preset holds no links/,
  ],
  [
    'the manifest a symlink',
    (d) => {
      renameSync(join(d, 'go-k8s-service-preset.yaml'), join(d, 'manifest.yaml'));
      symlinkSync('manifest.yaml', join(d, 'go-k8s-service-preset.yaml'));
    },
    /go-k8s-service-preset\.yaml is a symbolic link: a preset holds no links/,
  ],
  [
    'a package.json whose name is a path',
    (d) => rewrite(d, 'package.json', '"name": "@acme/go-service-preset"', '"name": "../../../escape"'),
    /^error: preset \S+: package\.json: name "\.\.\/\.\.\/\.\.\/escape" is not an npm package name$/,
  ],
  [
    'a package.json whose version is a path',
    (d) => rewrite(d, 'package.json', '"version": "1.0.0"', '"version": "1.0.0/../../x"'),
    /^error: preset \S+: package\.json: version "1\.0\.0\/\.\.\/\.\.\/x" is not a semantic version$/,
  ],
  ['a template over 1 MiB', addFile('big.txt', 'x'.repeat(1024 * 1024 + 1)), /templates\/big\.txt is larger than 1 MiB/],
];

for (const [what, breakIt, message] of hostile) {
  test(`create refuses a hostile preset, exit 2, one line, nothing written: ${what}`, async () => {
    const preset = presetCopy(breakIt);
    const parent = mkdtempSync(join(tmpdir(), 'cgks-preset-hostile-'));
    const r = await runCli([join(parent, 'orders'), '--yes', '--no-install', '--preset', preset, '--set', 'team=payments']);
    assert.is(r.exitCode, 2, `${r.stdout}\n${r.stderr}`);
    assert.is(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr.trim(), NAME);
    assert.match(r.stderr.trim(), message);
    assert.equal(readdirSync(parent), []);
    assert.not.ok(existsSync(marker), 'the preset ran a command');
  });
}

test('update --preset refuses a version 2 that writes into .git: exit 2, the repo (.git included) unchanged, nothing ran', async () => {
  const dir = await presetRepo({ git: true });
  const before = treeDigest(dir);
  const v2 = presetCopy((d) => {
    rewrite(d, 'package.json', '"version": "1.0.0"', '"version": "2.0.0"');
    addFile('dot_git/config', fsmonitor)(d);
    addFile('dot_git/hooks/post-commit', hook, 0o755)(d);
  });
  const r = await runCli(['update', '--preset', v2], { cwd: dir });
  assert.is(r.exitCode, 2, `${r.stdout}\n${r.stderr}`);
  assert.is(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(
    r.stderr.trim(),
    /^error: preset @acme\/go-service-preset 2\.0\.0: templates\/dot_git\/config would write \.git\/config: a preset cannot write into \.git/,
  );
  assert.is(treeDigest(dir), before);
  assert.not.ok(existsSync(marker), 'the preset ran a command');
});

test('a preset file whose name only resembles a reserved one is written as usual', async () => {
  const preset = presetCopy((d) => {
    addFile('dot_github/CODEOWNERS', '* @acme/x\n')(d);
    addFile('docs/git-notes.md', 'notes\n')(d);
    addFile('dot_gitattributes-extra', 'x\n')(d);
  });
  const parent = mkdtempSync(join(tmpdir(), 'cgks-preset-benign-'));
  const r = await runCli([join(parent, 'orders'), '--yes', '--no-install', '--no-git', '--preset', preset, '--set', 'team=payments']);
  assert.is(r.exitCode, 0, r.stderr);
  for (const f of ['.github/CODEOWNERS', 'docs/git-notes.md', '.gitattributes-extra']) assert.ok(existsSync(join(parent, 'orders', f)), f);
});

test.run();

// Every relative link in the docs leads somewhere: README.md, CONTRIBUTING.md, CHANGELOG.md and
// every page under docs/. A link names a file or folder that exists, and a `#anchor` names a
// heading of the page it points to, by GitHub's anchor rules (test/support/markdown.ts). The
// CHANGELOG speaks to package users, who cannot follow issue numbers.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { anchors, relativeLinks } from '../support/markdown.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

function pagesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? pagesUnder(p) : p.endsWith('.md') ? [p] : [];
  });
}

const PAGES = [...['README.md', 'CONTRIBUTING.md', 'CHANGELOG.md'].map((p) => join(root, p)), ...pagesUnder(join(root, 'docs'))];

/** What is wrong with each relative link of the page, one line each. */
function brokenLinks(page: string): string[] {
  const text = readFileSync(page, 'utf8');
  const problems: string[] = [];
  for (const { line, target } of relativeLinks(text)) {
    const hash = target.indexOf('#');
    const path = decodeURI(hash < 0 ? target : target.slice(0, hash));
    const anchor = hash < 0 ? undefined : decodeURIComponent(target.slice(hash + 1));
    const file = path === '' ? page : resolve(dirname(page), path);
    const where = `${relative(root, page)}:${line}: ${target}`;
    if (!existsSync(file)) {
      problems.push(`${where}: no such file`);
      continue;
    }
    if (anchor === undefined || !file.endsWith('.md')) continue;
    if (!anchors(readFileSync(file, 'utf8')).has(anchor))
      problems.push(`${where}: ${relative(root, file)} has no heading with that anchor`);
  }
  return problems;
}

test('the pages checked include the README, CONTRIBUTING, the CHANGELOG and docs/', () => {
  const names = PAGES.map((p) => relative(root, p));
  for (const must of ['README.md', 'CONTRIBUTING.md', 'CHANGELOG.md', 'docs/using.md', 'docs/decisions/0001-readiness-and-database.md']) {
    assert.ok(names.includes(must), must);
  }
});

test('every relative link and anchor resolves', () => {
  assert.equal(PAGES.flatMap(brokenLinks), []);
});

test('the README is a front door of at most 200 lines; the details live under docs/', () => {
  const lines = readFileSync(join(root, 'README.md'), 'utf8').split('\n').length;
  assert.ok(lines <= 200, `README.md has ${lines} lines`);
});

test('the CHANGELOG says what changed without issue numbers a package user cannot follow', () => {
  const log = readFileSync(join(root, 'CHANGELOG.md'), 'utf8');
  assert.equal(
    log.split('\n').filter((l) => /(^|[\s(])#\d+\b/.test(l)),
    [],
  );
});

test('anchors follow GitHub: code, punctuation and case dropped, repeats numbered', () => {
  const page = '# A database: `--database postgres`\n## Exit codes\n## Exit codes\n```sh\n# not a heading\n```\n## [Link](x.md) & more\n';
  assert.equal([...anchors(page)], ['a-database---database-postgres', 'exit-codes', 'exit-codes-1', 'link--more']);
});

test('links inside code are not links; URLs with a scheme are not checked', () => {
  const page = 'See [a](a.md#x), `[b](b.md)`, [c](https://example.com), ![d](img/d.png "t").\n\n```md\n[e](e.md)\n```\n[f]: ./f.md\n';
  assert.equal(
    relativeLinks(page).map((l) => l.target),
    ['a.md#x', 'img/d.png', './f.md'],
  );
});

test.run();

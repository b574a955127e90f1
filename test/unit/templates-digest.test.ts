// A version names one state of the templates: the digest of everything that decides the output
// (scripts/templates-digest.ts: templates/, the render code and pins, the file table, the
// questions) must be the one templates-digest.json records for package.json's version. A
// template change without a version bump fails here, with the command that fixes it.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DIGEST_FILE, DIGEST_INPUTS, digestMismatch, recordedDigests, templatesDigest } from '../../scripts/templates-digest.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

test('the digest of the templates and render code is the one recorded for this version', () => {
  const problem = digestMismatch(ROOT);
  assert.is(problem, undefined, problem);
});

/** A copy of what the digest reads, with package.json and the recorded digests. */
function copy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cgks-digest-'));
  for (const p of [...DIGEST_INPUTS, 'package.json', DIGEST_FILE]) cpSync(join(ROOT, p), join(dir, p), { recursive: true });
  return dir;
}

test('negative control: one template byte changed without a bump fails, naming the command; a bump then asks for the digest', () => {
  const dir = copy();
  assert.is(digestMismatch(dir), undefined, 'the copy matches');
  const file = join(dir, 'templates/Makefile.hbs');
  writeFileSync(file, readFileSync(file, 'utf8').replace('everyday tasks', 'everyday  tasks'));
  const problem = digestMismatch(dir) ?? '';
  assert.match(problem, /changed since \d+\.\d+\.\d+'s digest was recorded/);
  assert.match(problem, /Bump the version in package\.json \(and CHANGELOG\.md\), then run `npm run digest:update`/);

  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string };
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ ...pkg, version: '99.0.0' }));
  assert.is(digestMismatch(dir), `${DIGEST_FILE} has no digest for 99.0.0: run \`npm run digest:update\` to record it`);
  writeFileSync(join(dir, DIGEST_FILE), JSON.stringify({ ...recordedDigests(dir), '99.0.0': templatesDigest(dir) }));
  assert.is(digestMismatch(dir), undefined);
});

test('render code and line endings: a change to render code counts, CRLF checkouts do not', () => {
  const dir = copy();
  const before = templatesDigest(dir);
  const pins = join(dir, 'generators/render/image-pins.ts');
  const text = readFileSync(pins, 'utf8');
  writeFileSync(pins, text.replace(/\n/g, '\r\n'));
  assert.is(templatesDigest(dir), before, 'CRLF is the same text');
  writeFileSync(pins, `${text}// a comment\n`);
  assert.is.not(templatesDigest(dir), before);
});

test.run();

// Versions identify templates: a digest of everything that decides what the generator writes
// (templates/, the render code and its pins, the file table, the questions and how answers
// resolve) is recorded per version in templates-digest.json. test/unit/templates-digest.test.ts
// fails when the digest no longer matches the one recorded for package.json's version.
//
//   npm run digest:update    record the digest for the current version (at release time, after
//                            the version bump); refuses to change a version already recorded
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DIGEST_INPUTS, templatesDigest } from '../generators/model/templates-digest.js';

export { DIGEST_INPUTS, templatesDigest };

export const DIGEST_FILE = 'templates-digest.json';
export const UPDATE_COMMAND = 'npm run digest:update';

export function recordedDigests(root: string): Record<string, string> {
  const file = join(root, DIGEST_FILE);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>) : {};
}

export const packageVersion = (root: string): string =>
  (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;

/** Why the recorded digest does not fit, or undefined when it does. */
export function digestMismatch(root: string): string | undefined {
  const version = packageVersion(root);
  const recorded = recordedDigests(root)[version];
  const now = templatesDigest(root);
  if (recorded === now) return undefined;
  if (recorded === undefined) return `${DIGEST_FILE} has no digest for ${version}: run \`${UPDATE_COMMAND}\` to record it`;
  return (
    `the templates or render code changed since ${version}'s digest was recorded (${DIGEST_INPUTS.join(', ')}): ` +
    `a version names one state of the templates. Bump the version in package.json (and CHANGELOG.md), then run \`${UPDATE_COMMAND}\``
  );
}

function main(): number {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const version = packageVersion(root);
  const digests = recordedDigests(root);
  const now = templatesDigest(root);
  if (digests[version] === now) {
    console.log(`${DIGEST_FILE}: ${version} ${now} (unchanged)`);
    return 0;
  }
  if (digests[version] !== undefined && !process.argv.includes('--force')) {
    console.error(
      `error: ${version} already has a digest in ${DIGEST_FILE}, and the templates changed since: bump the version in package.json first (--force rewrites it, only for a version never released)`,
    );
    return 1;
  }
  digests[version] = now;
  writeFileSync(join(root, DIGEST_FILE), `${JSON.stringify(digests, null, 2)}\n`);
  console.log(`${DIGEST_FILE}: ${version} ${now}`);
  return 0;
}

if (process.argv[1] && relative(fileURLToPath(import.meta.url), process.argv[1]) === '') process.exit(main());

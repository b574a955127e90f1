// Which templates made a repo: a digest of everything that decides what the generator writes
// (templates/, the render code and its pins, the file table, the questions and how answers
// resolve). A version number alone does not say it: an unreleased build can carry the number
// of the release before it. The bundle has its digest inlined at build time (scripts/build.ts);
// from the source tree (tsx) it is computed from the tree. templates-digest.json records it per
// released version (scripts/templates-digest.ts).
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What decides the output, relative to the repo root: folders are taken whole. */
export const DIGEST_INPUTS = [
  'templates',
  'generators/render',
  'generators/model/files.ts',
  'generators/model/questions.ts',
  'generators/model/answers.ts',
  'generators/model/catalog.ts',
  'generators/presets/model/preset.ts',
] as const;

function walk(root: string, rel: string): string[] {
  const abs = join(root, rel);
  if (!statSync(abs).isDirectory()) return [rel];
  return readdirSync(abs).flatMap((e) => walk(root, `${rel}/${e}`));
}

/** sha256 over each input file's path and text (line endings normalised), in path order. */
export function templatesDigest(root: string): string {
  const hash = createHash('sha256');
  const files = DIGEST_INPUTS.flatMap((p) => walk(root, p)).sort();
  for (const f of files) {
    const text = readFileSync(join(root, f), 'utf8').replace(/\r\n/g, '\n');
    hash.update(`${f}\0${Buffer.byteLength(text)}\0${text}`);
  }
  return `sha256:${hash.digest('hex')}`;
}

declare const __TEMPLATES_DIGEST__: string | undefined;
let ofThisBuild: string | undefined;

/** The digest of the templates this generator renders with. */
export function thisBuildDigest(): string {
  if (typeof __TEMPLATES_DIGEST__ === 'string') return __TEMPLATES_DIGEST__;
  ofThisBuild ??= templatesDigest(fileURLToPath(new URL('../..', import.meta.url)));
  return ofThisBuild;
}

/** A digest short enough for a message. */
export const shortDigest = (d: string): string => d.replace(/^sha256:/, '').slice(0, 12);

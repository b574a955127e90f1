// The record written into every generated repo: answers, generator version and the git
// blob id of each file as generated. With the answers and version the generator reproduces
// its output exactly; the blob ids tell untouched files from edited ones, and name the
// generated text in git's object store (the base of `update`'s 3-way merge).
import { createHash } from 'node:crypto';
import { presetOf, presetRecord, type PresetRecord } from '../presets/model/preset.js';
import type { Answers } from './questions.js';
import type { FileToWrite } from '../plumbing/write.js';

export const RECORD_FILE = '.go-k8s-service.json';
/**
 * Where regen and update put a generated version they could not merge into a file. Not
 * beside the file: Helm renders every file under templates/, and CI reads its directories;
 * Go skips dot-directories, and the generated .dockerignore leaves this one out.
 */
export const ASIDE_DIR = '.go-k8s-service/new';
export const asidePath = (path: string): string => `${ASIDE_DIR}/${path}`;
export const GENERATOR_NAME = 'create-go-k8s-service';

export interface RepoRecord {
  $comment: string;
  generator: typeof GENERATOR_NAME;
  version: string;
  /**
   * The digest of the templates that wrote the files (model/templates-digest.ts): which build
   * of that version it was. Records written before 0.6.0 have none.
   */
  templatesDigest?: string;
  answers: Answers;
  /** Path → git blob id of the content as generated. */
  files: { [path: string]: string };
  /** Generated files the team removed on purpose (`remove`): regen and update leave them out. */
  removed?: string[];
  /** The preset the files were generated with (preset.ts): regen, update and check load it again. */
  preset?: PresetRecord;
}

/** The record file exists but cannot be used: not JSON, or not our shape. */
export class RecordError extends Error {}

/**
 * The git blob id of the content (what `git hash-object` prints): a content hash that is
 * also the key to the generated text in git's object store.
 */
export function hashContent(content: string | Buffer): string {
  const bytes = typeof content === 'string' ? Buffer.from(content) : content;
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

// Line endings as git sees them: a checkout may turn LF into CRLF (core.autocrlf=true
// without our .gitattributes), which is not an edit. Text is compared and hashed with LF,
// and written back in the line endings the checkout has. Text with a NUL byte is binary
// to git, and left alone.

const isText = (text: string) => !text.includes('\0');

/** The text with CRLF line endings turned into LF (what git stores for a text file). */
export function normalizeEol(text: string): string {
  return isText(text) && text.includes('\r\n') ? text.replace(/\r\n/g, '\n') : text;
}

/** The text in the line endings of `checkout` (a file's current text): CRLF if it has them. */
export function inEolOf(text: string, checkout: string | undefined): string {
  if (checkout === undefined || !isText(text) || !checkout.includes('\r\n')) return text;
  return text.replace(/\r?\n/g, '\r\n');
}

const COMMENT =
  'Written by create-go-k8s-service. It records your answers and what each file looked like when generated, ' +
  'so `regen <file|group>` of the version recorded here can update files without losing your edits. Commit it; do not edit it.';

const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** A record from path → blob id; keys sorted so the file is stable. `removed` only when there are any. */
export function makeRecord(
  answers: Answers,
  version: string,
  hashes: RepoRecord['files'],
  removed: readonly string[] = [],
  templatesDigest?: string,
): RepoRecord {
  const files = Object.fromEntries(Object.entries(hashes).sort(([a], [b]) => byCodePoint(a, b)));
  const record: RepoRecord = {
    $comment: COMMENT,
    generator: GENERATOR_NAME,
    version,
    ...(templatesDigest ? { templatesDigest } : {}),
    answers,
    files,
  };
  if (removed.length > 0) record.removed = [...new Set(removed)].sort(byCodePoint);
  // The active preset is the one these files were generated with.
  const preset = presetRecord(presetOf(answers));
  if (preset) record.preset = preset;
  return record;
}

export function buildRecord(answers: Answers, version: string, files: readonly FileToWrite[], templatesDigest?: string): RepoRecord {
  return makeRecord(answers, version, Object.fromEntries(files.map((f) => [f.path, hashContent(f.content)])), [], templatesDigest);
}

export function serializeRecord(r: RepoRecord): string {
  return JSON.stringify(r, null, 2) + '\n';
}

/** Checks the shape only; the answers are validated against the registry by the caller. */
export function parseRecord(text: string): RepoRecord {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new RecordError(`${RECORD_FILE} is not valid JSON: ${(err as Error).message}`);
  }
  const r = data as Partial<RepoRecord> | null;
  if (!r || typeof r !== 'object' || r.generator !== GENERATOR_NAME) {
    throw new RecordError(`${RECORD_FILE} is not a ${GENERATOR_NAME} record (no "generator": "${GENERATOR_NAME}")`);
  }
  if (typeof r.version !== 'string' || !r.version) throw new RecordError(`${RECORD_FILE}: "version" must be a string`);
  if (!r.answers || typeof r.answers !== 'object' || Array.isArray(r.answers)) {
    throw new RecordError(`${RECORD_FILE}: "answers" must be an object`);
  }
  if (!r.files || typeof r.files !== 'object' || Array.isArray(r.files)) {
    throw new RecordError(`${RECORD_FILE}: "files" must be an object of path → blob id`);
  }
  for (const [path, id] of Object.entries(r.files)) {
    if (typeof id !== 'string' || !/^[0-9a-f]{40}$/.test(id)) {
      throw new RecordError(`${RECORD_FILE}: "files" entry ${JSON.stringify(path)} must be a 40-digit git blob id`);
    }
    if (path.startsWith('/') || path.split('/').includes('..')) {
      throw new RecordError(`${RECORD_FILE}: "files" entry ${JSON.stringify(path)} must be a path inside the repo`);
    }
  }
  if (r.templatesDigest !== undefined && (typeof r.templatesDigest !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(r.templatesDigest))) {
    throw new RecordError(`${RECORD_FILE}: "templatesDigest" must be sha256: and 64 hex digits`);
  }
  if (r.removed !== undefined) {
    if (!Array.isArray(r.removed) || r.removed.some((p) => typeof p !== 'string' || p.startsWith('/') || p.split('/').includes('..'))) {
      throw new RecordError(`${RECORD_FILE}: "removed" must be a list of paths inside the repo`);
    }
  }
  if (r.preset !== undefined) {
    const p = r.preset as Partial<PresetRecord> | null;
    if (
      !p ||
      typeof p !== 'object' ||
      typeof p.name !== 'string' ||
      typeof p.version !== 'string' ||
      typeof p.source !== 'string' ||
      !p.answers ||
      typeof p.answers !== 'object'
    ) {
      throw new RecordError(`${RECORD_FILE}: "preset" must hold name, version, source and answers`);
    }
  }
  return r as RepoRecord;
}

/** Compares dotted versions numerically (1.10.0 > 1.9.0); a pre-release sorts before its release. */
export function compareVersions(a: string, b: string): number {
  const split = (v: string) => {
    const [core = '', pre] = v.replace(/^v/, '').split('-', 2);
    return { nums: core.split('.').map((n) => Number.parseInt(n, 10) || 0), pre };
  };
  const x = split(a);
  const y = split(b);
  for (let i = 0; i < Math.max(x.nums.length, y.nums.length); i++) {
    const d = (x.nums[i] ?? 0) - (y.nums[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  if (x.pre === y.pre) return 0;
  if (x.pre === undefined) return 1;
  if (y.pre === undefined) return -1;
  return x.pre < y.pre ? -1 : 1;
}

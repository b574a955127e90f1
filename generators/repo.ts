// A generated repo: its root (where the record is), its record, and the git object store
// that keeps the generated text of every recorded file (the base of update's merges).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { AnswerError, resolveAnswers } from './answers.js';
import { detectEnvironment } from './environment.js';
import type { Answers } from './questions.js';
import { parseRecord, RECORD_FILE, RecordError, type RepoRecord } from './record.js';

export class NotAGeneratedRepoError extends Error {}

export function findRepoRoot(start: string): string {
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    if (existsSync(join(dir, RECORD_FILE))) return dir;
    if (dirname(dir) === dir) {
      throw new NotAGeneratedRepoError(
        `no ${RECORD_FILE} in ${resolve(start)} or any parent: run this inside a repo made by create-go-k8s-service`,
      );
    }
  }
}

export interface LoadedRepo {
  root: string;
  record: RepoRecord;
  /** The recorded answers, validated; questions added by newer versions take their defaults. */
  answers: Answers;
}

/** Validates recorded answers against the registry (a hand-edited record can break them). */
export function recordAnswers(record: RepoRecord): Answers {
  try {
    return resolveAnswers(record.answers as never, { useDefaults: true, env: detectEnvironment() });
  } catch (err) {
    if (err instanceof AnswerError) throw new RecordError(`${RECORD_FILE}: recorded answer ${err.message}`);
    throw err;
  }
}

export function loadRepo(start: string): LoadedRepo {
  const root = findRepoRoot(start);
  try {
    const record = parseRecord(readFileSync(join(root, RECORD_FILE), 'utf8'));
    return { root, record, answers: recordAnswers(record) };
  } catch (err) {
    if (err instanceof RecordError) throw new NotAGeneratedRepoError(err.message.replace(RECORD_FILE, join(root, RECORD_FILE)));
    throw err;
  }
}

/** Removes a generated file, then directories it leaves empty (never the root). */
export function removeWithEmptyParents(root: string, path: string): void {
  rmSync(join(root, path), { force: true });
  for (let dir = dirname(join(root, path)); dir !== root && dir.startsWith(root + sep); dir = dirname(dir)) {
    if (readdirSync(dir).length > 0) break;
    rmdirSync(dir);
  }
}

// ---- git ------------------------------------------------------------------------------
// Plain spawnSync: these are a handful of short plumbing calls, and regen must not pay
// for loading execa when there is no git at all.

/** Where regen and update keep their generated trees reachable (never pushed by default). */
export const BASE_REF = 'refs/go-k8s-service/base';

// Our bookkeeping commits carry our own name, so they never need the user's identity.
const GIT_IDENTITY = {
  GIT_AUTHOR_NAME: 'create-go-k8s-service',
  GIT_AUTHOR_EMAIL: 'create-go-k8s-service@localhost',
  GIT_COMMITTER_NAME: 'create-go-k8s-service',
  GIT_COMMITTER_EMAIL: 'create-go-k8s-service@localhost',
};

interface GitResult {
  status: number;
  stdout: Buffer;
  stderr: string;
}

function git(cwd: string, args: string[], opts: { input?: string | Buffer; env?: NodeJS.ProcessEnv } = {}): GitResult {
  const r = spawnSync('git', args, {
    cwd,
    input: opts.input,
    env: { ...process.env, ...opts.env },
    maxBuffer: 1 << 30,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  if (r.error) return { status: -1, stdout: Buffer.alloc(0), stderr: (r.error as NodeJS.ErrnoException).code === 'ENOENT' ? 'git is not installed' : r.error.message };
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr.toString().trim() };
}

function gitOk(cwd: string, args: string[], opts?: Parameters<typeof git>[2]): string {
  const r = git(cwd, args, opts);
  if (r.status !== 0) throw new Error(`git ${args[0]}: ${r.stderr.split('\n').pop() || `exit ${r.status}`}`);
  return r.stdout.toString();
}

/** The work tree's top directory, or undefined when root is not inside a git work tree (or git is missing). */
export function gitTopLevel(root: string): string | undefined {
  const r = git(root, ['rev-parse', '--show-toplevel']);
  return r.status === 0 ? r.stdout.toString().trim() : undefined;
}

/** Uncommitted changes and untracked files under root, as `git status --porcelain` lines. */
export function uncommittedChanges(root: string): string[] {
  const out = gitOk(root, ['status', '--porcelain', '--untracked-files=all', '--', '.']);
  return out.split('\n').filter(Boolean);
}

/** The text of each blob id found in the object store; ids git does not have are absent. */
export function readBlobs(root: string, ids: readonly string[]): Map<string, string> {
  const found = new Map<string, string>();
  const unique = [...new Set(ids)];
  if (unique.length === 0) return found;
  const r = git(root, ['cat-file', '--batch'], { input: unique.map((id) => `${id}\n`).join('') });
  if (r.status !== 0) return found;
  // Each answer: "<id> blob <size>\n<bytes>\n" or "<id> missing\n".
  const out = r.stdout;
  let at = 0;
  while (at < out.length) {
    const eol = out.indexOf(0x0a, at);
    if (eol < 0) break;
    const [id, type, size] = out.subarray(at, eol).toString().split(' ');
    at = eol + 1;
    if (type === undefined || size === undefined) continue;
    const n = Number(size);
    if (type === 'blob') found.set(id!, out.subarray(at, at + n).toString());
    at += n + 1;
  }
  return found;
}

/** Writes contents into git's object store (as `git hash-object -w`, no filters); returns their ids. */
export function storeBlobs(root: string, contents: readonly string[]): string[] {
  if (contents.length === 0) return [];
  const dir = mkdtempSync(join(tmpdir(), 'cgks-blobs-'));
  try {
    const paths = contents.map((c, i) => {
      const p = join(dir, String(i));
      writeFileSync(p, c);
      return p;
    });
    const out = gitOk(root, ['hash-object', '-w', '--no-filters', '--stdin-paths'], { input: paths.join('\n') + '\n' });
    return out.split('\n').filter(Boolean);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Points BASE_REF at a commit whose tree holds the generated text of every recorded file
 * git has, so that text stays reachable (gc keeps it) until the next regen or update.
 * The previous base is its parent. Paths are relative to the generated repo's root.
 */
export function updateBaseRef(root: string, files: RepoRecord['files'], message: string): string {
  const have = readBlobs(root, Object.values(files));
  const entries = Object.entries(files).filter(([, id]) => have.has(id));
  const dir = mkdtempSync(join(tmpdir(), 'cgks-index-'));
  try {
    const env = { GIT_INDEX_FILE: join(dir, 'index') };
    gitOk(root, ['update-index', '--add', '--index-info'], {
      env,
      input: entries.map(([path, id]) => `100644 blob ${id}\t${path}\n`).join(''),
    });
    const tree = gitOk(root, ['write-tree'], { env }).trim();
    const parent = git(root, ['rev-parse', '--verify', '--quiet', `${BASE_REF}^{commit}`]);
    const parentArgs = parent.status === 0 ? ['-p', parent.stdout.toString().trim()] : [];
    const commit = gitOk(root, ['commit-tree', tree, ...parentArgs, '-m', message], { env: GIT_IDENTITY }).trim();
    gitOk(root, ['update-ref', '-m', message, BASE_REF, commit]);
    return commit;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Keeps generated text reachable after regen/update wrote files: stores the blobs and
 * moves BASE_REF. Outside git this does nothing; a git failure is returned, not thrown,
 * since the files are already written and only a later update's merge base is at stake.
 */
export function rememberGenerated(root: string, contents: readonly string[], files: RepoRecord['files'], message: string): string | undefined {
  if (!gitTopLevel(root)) return undefined;
  try {
    storeBlobs(root, contents);
    updateBaseRef(root, files, message);
    return undefined;
  } catch (err) {
    return `could not keep the generated files in git (${(err as Error).message}); a later update may not find its merge base`;
  }
}

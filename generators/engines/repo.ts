// A generated repo: its root (where the record is), its record, and the git object store
// that keeps the generated text of every recorded file (the base of update's merges).
import { spawnSync } from 'node:child_process';
import { CommandFailed } from '../plumbing/errors.js';
import { existsSync, readdirSync, readFileSync, rmdirSync, rmSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { AnswerError, resolveAnswers } from '../model/answers.js';
import { detectEnvironment } from '../model/environment.js';
import { QUESTIONS, type Answers } from '../model/questions.js';
import type { ActivePreset } from '../presets/model/preset.js';
import { inEolOf, normalizeEol, parseRecord, RECORD_FILE, RecordError, type RepoRecord } from '../model/record.js';

export class NotAGeneratedRepoError extends CommandFailed {}

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
/** The recorded answers, carrying the repo's preset when one is given (its files, templates and patches). */
export function recordAnswers(record: RepoRecord, preset?: ActivePreset): Answers {
  // Dropping it would lose what a newer generator or a teammate recorded on the next write.
  const unknown = Object.keys(record.answers).find((k) => !QUESTIONS.some((q) => q.key === k));
  if (unknown !== undefined) {
    throw new RecordError(
      `${RECORD_FILE}: answers.${unknown}: not an answer this generator knows (a newer generator or a hand edit wrote it): remove it, or use the generator version that knows it`,
    );
  }
  try {
    return resolveAnswers(record.answers as never, { useDefaults: true, env: detectEnvironment(), preset });
  } catch (err) {
    if (err instanceof AnswerError) throw new RecordError(`${RECORD_FILE}: recorded answer ${err.message}`);
    throw err;
  }
}

export function loadRepo(start: string, preset?: ActivePreset): LoadedRepo {
  const root = findRepoRoot(start);
  try {
    const record = parseRecord(readFileSync(join(root, RECORD_FILE), 'utf8'));
    return { root, record, answers: recordAnswers(record, preset) };
  } catch (err) {
    if (err instanceof RecordError) throw new NotAGeneratedRepoError(err.message.replace(RECORD_FILE, join(root, RECORD_FILE)));
    throw err;
  }
}

const toPosix = (p: string) => p.split(sep).join('/');

/**
 * The repo paths a command-line argument may mean: relative to cwd (as a shell gives it),
 * then relative to the repo root; the first one that names something wins.
 */
export function pathCandidates(raw: string, root: string, cwd: string): string[] {
  const candidates = new Set<string>();
  const fromCwd = toPosix(relative(root, resolve(cwd, raw)));
  if (!fromCwd.startsWith('..') && !isAbsolute(fromCwd)) candidates.add(fromCwd);
  if (!isAbsolute(raw)) candidates.add(toPosix(relative(root, resolve(root, raw))));
  return [...candidates];
}

/**
 * The repo's files as checked out, each read once: compared as git stores text (LF), and
 * written back in the line endings the checkout has (CRLF under core.autocrlf is no edit).
 */
export class Checkout {
  private readonly raw = new Map<string, string | undefined>();
  constructor(readonly root: string) {}

  /** The file's text with LF line endings, or undefined when it does not exist. */
  read(path: string): string | undefined {
    if (!this.raw.has(path)) {
      const p = join(this.root, path);
      this.raw.set(path, existsSync(p) ? readFileSync(p, 'utf8') : undefined);
    }
    const text = this.raw.get(path);
    return text === undefined ? undefined : normalizeEol(text);
  }

  /** Text to write to path, in the line endings its checkout has. */
  inItsEol(path: string, text: string): string {
    this.read(path);
    return inEolOf(text, this.raw.get(path));
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
  if (r.error)
    return {
      status: -1,
      stdout: Buffer.alloc(0),
      stderr: (r.error as NodeJS.ErrnoException).code === 'ENOENT' ? 'git is not installed' : r.error.message,
    };
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

/** Whether git has this ref (pointing at a commit) in root's repository. */
export function hasRef(root: string, ref: string): boolean {
  return git(root, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]).status === 0;
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

/**
 * Which of these object names git can resolve (`git cat-file --batch-check`); undefined
 * when root is not inside a git repository or git is missing.
 */
function existingObjects(root: string, names: readonly string[]): Map<string, string> | undefined {
  const r = git(root, ['cat-file', '--batch-check=%(objectname) %(objecttype)'], { input: names.map((n) => `${n}\n`).join('') });
  if (r.status !== 0) return undefined;
  // One answer line per name, in order: "<id> <type>" or "<name> missing".
  const lines = r.stdout.toString().split('\n');
  const found = new Map<string, string>();
  names.forEach((name, i) => {
    const [id, type] = (lines[i] ?? '').split(' ');
    if (type && type !== 'missing' && id) found.set(name, id);
  });
  return found;
}

/** A path as `git fast-import` reads it: C-style quoted when it needs to be. */
function fastImportPath(path: string): string {
  return /^"|[\n\\"]/.test(path) ? JSON.stringify(path) : path;
}

/**
 * Keeps generated text (blob id → content) reachable after regen/update wrote files. BASE_REF moves to a commit
 * whose tree holds the generated text of every recorded file git has (paths relative to the
 * generated repo's root), with the previous base as its parent, so gc keeps that text until
 * the next regen or update: the merge base of a later `update`.
 *
 * Two git processes, whatever the number of files (regen's start-up budget is a few tens of
 * milliseconds): one `cat-file --batch-check` answers "inside git?", "is there a base?" and
 * "which blobs exist?"; one `fast-import` writes the new blobs, the tree, the commit and the ref.
 * Outside git this does nothing; a git failure is returned, not thrown, since the files are
 * already written and only a later update's merge base is at stake.
 */
export function rememberGenerated(
  root: string,
  generated: ReadonlyMap<string, string>,
  files: RepoRecord['files'],
  message: string,
): string | undefined {
  const ids = [...new Set([...generated.keys(), ...Object.values(files)])];
  const baseName = `${BASE_REF}^{commit}`;
  const existing = existingObjects(root, [baseName, ...ids]);
  if (!existing) return undefined;

  const chunks: (string | Buffer)[] = [];
  for (const [id, content] of generated) {
    if (existing.has(id)) continue;
    const bytes = Buffer.from(content);
    chunks.push(`blob\ndata ${bytes.length}\n`, bytes, '\n');
  }
  const msg = Buffer.from(message + '\n');
  const { GIT_COMMITTER_NAME: name, GIT_COMMITTER_EMAIL: email } = GIT_IDENTITY;
  chunks.push(`commit ${BASE_REF}\ncommitter ${name} <${email}> ${Math.floor(Date.now() / 1000)} +0000\ndata ${msg.length}\n`, msg);
  const parent = existing.get(baseName);
  if (parent) chunks.push(`from ${parent}\n`);
  chunks.push('deleteall\n');
  for (const [path, id] of Object.entries(files)) {
    // A recorded file git has never seen (edited before its first commit) has no text to keep.
    if (existing.has(id) || generated.has(id)) chunks.push(`M 100644 ${id} ${fastImportPath(path)}\n`);
  }
  chunks.push('\ndone\n');
  const r = git(root, ['fast-import', '--quiet', '--done'], {
    input: Buffer.concat(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c) : c))),
  });
  if (r.status === 0) return undefined;
  const why = r.stderr.split('\n').find((l) => l.startsWith('fatal:')) ?? r.stderr.split('\n').pop() ?? `exit ${r.status}`;
  return `could not keep the generated files in git (git fast-import: ${why}); a later update may not find its merge base`;
}

/**
 * Commits everything under root (update --commit): the user's identity when git has one, else
 * ours (a bot's fresh clone often has none). Throws with git's last line on failure.
 */
export function commitEverything(root: string, message: string): string {
  gitOk(root, ['add', '--all', '--', '.']);
  const has = (key: string) => git(root, ['config', '--get', key]).status === 0;
  const env: NodeJS.ProcessEnv = {};
  if (!process.env.GIT_AUTHOR_NAME && !has('user.name'))
    Object.assign(env, { GIT_AUTHOR_NAME: GIT_IDENTITY.GIT_AUTHOR_NAME, GIT_COMMITTER_NAME: GIT_IDENTITY.GIT_COMMITTER_NAME });
  if (!process.env.GIT_AUTHOR_EMAIL && !has('user.email'))
    Object.assign(env, { GIT_AUTHOR_EMAIL: GIT_IDENTITY.GIT_AUTHOR_EMAIL, GIT_COMMITTER_EMAIL: GIT_IDENTITY.GIT_COMMITTER_EMAIL });
  gitOk(root, ['commit', '--quiet', '--no-verify', '-m', message], { env });
  return gitOk(root, ['rev-parse', 'HEAD']).trim();
}

/**
 * Puts the record back as HEAD has it (update --renovate): Renovate bumps its version before
 * the post-upgrade task runs, but the merge base is what HEAD recorded.
 */
export function restoreRecordFromHead(start: string): void {
  const root = findRepoRoot(start);
  const r = git(root, ['checkout', 'HEAD', '--', RECORD_FILE]);
  if (r.status !== 0)
    throw new NotAGeneratedRepoError(
      `could not put ${RECORD_FILE} back from HEAD: ${r.stderr.toString().trim() || `git exit ${r.status}`}`,
    );
}

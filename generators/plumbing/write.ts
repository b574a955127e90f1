// Writes rendered files so that, from the user's point of view, either the whole project
// appears or nothing does: everything is staged on the target's filesystem first and then
// moved into place; on failure or interruption every step is undone.
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { CommandFailed } from './errors.js';

export interface FileToWrite {
  path: string;
  content: string;
}

export class TargetNotEmptyError extends CommandFailed {
  constructor(
    readonly dir: string,
    readonly entries: string[],
  ) {
    super(
      isNotDirectory(resolve(dir))
        ? // --force cannot help here: a file is never replaced by a directory.
          `${dir} is a file, not a directory: choose a new directory`
        : `${dir} is not empty (${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', …' : ''}): ` +
            'choose a new directory, or pass --force to write into it (files with the same names are overwritten)',
    );
  }
}

/** True for a path that exists and is not a directory (nor a link to one). */
export function isNotDirectory(p: string): boolean {
  try {
    return !statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Entries that make a directory "not empty" (a lone .git does not). */
export function blockingEntries(dir: string): string[] {
  if (!existsSync(dir)) return [];
  if (!statSync(dir).isDirectory()) return [basename(dir)];
  return readdirSync(dir).filter((e) => e !== '.git');
}

type Undo = () => void;

/** Undo steps of writes in progress, run by the interrupt handler (see cli.ts). */
const inProgress = new Set<Undo[]>();

/** Undoes every write in progress (and every held one); true when there was any. */
export function undoWritesInProgress(): boolean {
  const any = [...inProgress].some((steps) => steps.length > 0);
  for (const steps of inProgress) runUndo(steps);
  inProgress.clear();
  held = undefined;
  return any;
}

interface Held {
  undo: Undo[];
  /** Clean-up deferred until commit (the stage still holds the replaced files). */
  finalize: Undo[];
}

let held: Held[] | undefined;

export interface WriteHold {
  /** The writes stand: drop their undo steps and clean up their stages. */
  commit(): void;
  /** Undo every write made since the hold began. */
  rollback(): void;
}

/**
 * Keeps the undo steps of writes that finished until commit. writeProject is synchronous,
 * so an interrupt that arrives while it runs is only handled after it returned: holding
 * lets that interrupt still undo the write, as long as it is handled before commit.
 */
export function holdWrites(): WriteHold {
  const mine: Held[] = [];
  held = mine;
  const release = (commit: boolean) => {
    if (held === mine) held = undefined;
    for (const h of mine.splice(0)) {
      inProgress.delete(h.undo);
      runUndo(commit ? h.finalize : h.undo);
    }
  };
  return { commit: () => release(true), rollback: () => release(false) };
}

/**
 * Test-only seam: CGKS_TEST_WRITE_DELAY_MS=n sleeps n ms before each file is staged or
 * moved, so the interrupt tests can press Ctrl-C while a write is under way.
 */
function testDelay(): void {
  const ms = Number(process.env.CGKS_TEST_WRITE_DELAY_MS);
  if (ms > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function runUndo(steps: Undo[]): void {
  for (const step of steps.reverse()) {
    try {
      step();
    } catch {
      // keep undoing the rest
    }
  }
  steps.length = 0;
}

function mkdirsTracked(dir: string, undo: Undo[]): void {
  const missing: string[] = [];
  for (let d = dir; !existsSync(d); d = dirname(d)) missing.push(d);
  for (const d of missing.reverse()) {
    mkdirSync(d);
    undo.push(() => rmSync(d, { recursive: true, force: true }));
  }
}

export interface WriteOptions {
  force?: boolean;
  /** Called between steps; tests use it to simulate failures. */
  onStep?: (step: 'staged' | 'moved', path?: string) => void;
}

/** The folder inside a target that holds the stage: the generated .gitignore and .dockerignore leave it out. */
export const STAGE_FOLDER = 'tmp';

interface Stage {
  dir: string;
  /** Removes the stage, and the stage folder when this write made it. */
  cleanUp: Undo;
}

/**
 * Makes the stage on the target's filesystem, so the final renames are atomic. A new target
 * is staged beside it (making it needs the parent anyway) and appears with one rename; an
 * existing one is staged inside it, in tmp/, so a user who may write only the repo (a bind
 * mount run as non-root, a CI job with a read-only parent) can still write. A tmp that is a
 * file, a link or another filesystem's mount point is left alone: then a hidden folder at the
 * top of the target is the stage.
 */
function makeStage(target: string, undo: Undo[]): Stage {
  if (!existsSync(target)) {
    const dir = mkdtempSync(join(dirname(target), `.${basename(target)}.cgks-`));
    const cleanUp = () => rmSync(dir, { recursive: true, force: true });
    undo.push(cleanUp);
    return { dir, cleanUp };
  }
  const folder = join(target, STAGE_FOLDER);
  let made = false;
  let within = target;
  if (!existsSync(folder) && !isDanglingLink(folder)) {
    mkdirSync(folder);
    made = true;
    within = folder;
  } else if (lstatSync(folder).isDirectory() && statSync(folder).dev === statSync(target).dev) {
    within = folder;
  }
  const dir = mkdtempSync(join(within, '.cgks-'));
  const cleanUp = () => {
    rmSync(dir, { recursive: true, force: true });
    // Only if still empty: the user may have put something there meanwhile.
    if (made) {
      try {
        rmdirSync(folder);
      } catch {
        // not empty: it is the user's now
      }
    }
  };
  undo.push(cleanUp);
  return { dir, cleanUp };
}

/**
 * Writes files under root. Refuses a non-empty root unless force. Returns the absolute root.
 * A file that replaces another keeps that file's mode (a chmod 444 Makefile stays read-only).
 */
export function writeProject(root: string, files: readonly FileToWrite[], opts: WriteOptions = {}): string {
  const target = resolve(root);
  const blocking = blockingEntries(target);
  if (blocking.length > 0 && (!opts.force || isNotDirectory(target))) throw new TargetNotEmptyError(root, blocking);

  const undo: Undo[] = [];
  inProgress.add(undo);
  try {
    mkdirsTracked(dirname(target), undo);
    const fresh = !existsSync(target);
    const stage = makeStage(target, undo);
    for (const f of files) {
      testDelay();
      const p = join(stage.dir, 'new', f.path);
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, f.content);
      const mode = fresh ? undefined : modeOf(join(target, f.path));
      if (mode !== undefined) chmodSync(p, mode);
    }
    opts.onStep?.('staged');

    if (fresh) {
      renameSync(join(stage.dir, 'new'), target);
      undo.push(() => rmSync(target, { recursive: true, force: true }));
      opts.onStep?.('moved', target);
    } else {
      for (const f of files) {
        testDelay();
        const dest = join(target, f.path);
        mkdirsTracked(dirname(dest), undo);
        if (existsSync(dest) || isDanglingLink(dest)) {
          // Keep the user's file until the whole write succeeded.
          const backup = join(stage.dir, 'old', f.path);
          mkdirSync(dirname(backup), { recursive: true });
          renameSync(dest, backup);
          undo.push(() => renameSync(backup, dest));
        }
        renameSync(join(stage.dir, 'new', f.path), dest);
        undo.push(() => rmSync(dest, { force: true }));
        opts.onStep?.('moved', dest);
      }
    }
    if (held) {
      held.push({ undo, finalize: [stage.cleanUp] });
    } else {
      stage.cleanUp();
      inProgress.delete(undo);
    }
    return target;
  } catch (err) {
    inProgress.delete(undo);
    runUndo(undo);
    throw err;
  }
}

/** The permission bits of an existing regular file, else undefined. */
function modeOf(p: string): number | undefined {
  try {
    const st = lstatSync(p);
    return st.isFile() ? st.mode & 0o7777 : undefined;
  } catch {
    return undefined;
  }
}

function isDanglingLink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

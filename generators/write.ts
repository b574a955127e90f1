// Writes rendered files so that, from the user's point of view, either the whole project
// appears or nothing does: everything is staged in a sibling directory first and then
// moved into place; on failure or interruption every step is undone.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync, lstatSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

export interface FileToWrite {
  path: string;
  content: string;
}

export class TargetNotEmptyError extends Error {
  constructor(readonly dir: string, readonly entries: string[]) {
    super(
      `${dir} is not empty (${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', …' : ''}): ` +
        'choose a new directory, or pass --force to write into it (files with the same names are overwritten)',
    );
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

export function undoWritesInProgress(): void {
  for (const steps of inProgress) runUndo(steps);
  inProgress.clear();
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

/**
 * Writes files under root. Refuses a non-empty root unless force. Returns the absolute root.
 */
export function writeProject(root: string, files: readonly FileToWrite[], opts: WriteOptions = {}): string {
  const target = resolve(root);
  const blocking = blockingEntries(target);
  if (blocking.length > 0 && !opts.force) throw new TargetNotEmptyError(root, blocking);

  const undo: Undo[] = [];
  inProgress.add(undo);
  try {
    const parent = dirname(target);
    mkdirsTracked(parent, undo);
    // Same filesystem as the target, so the final renames are atomic.
    const stage = join(parent, `.${basename(target)}.cgks-${process.pid}-${Date.now()}`);
    mkdirSync(stage);
    const removeStage = () => rmSync(stage, { recursive: true, force: true });
    undo.push(removeStage);
    for (const f of files) {
      const p = join(stage, 'new', f.path);
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, f.content);
    }
    opts.onStep?.('staged');

    if (!existsSync(target)) {
      renameSync(join(stage, 'new'), target);
      undo.push(() => rmSync(target, { recursive: true, force: true }));
      opts.onStep?.('moved', target);
    } else {
      for (const f of files) {
        const dest = join(target, f.path);
        mkdirsTracked(dirname(dest), undo);
        if (existsSync(dest) || isDanglingLink(dest)) {
          // Keep the user's file until the whole write succeeded.
          const backup = join(stage, 'old', f.path);
          mkdirSync(dirname(backup), { recursive: true });
          renameSync(dest, backup);
          undo.push(() => renameSync(backup, dest));
        }
        renameSync(join(stage, 'new', f.path), dest);
        undo.push(() => rmSync(dest, { force: true }));
        opts.onStep?.('moved', dest);
      }
    }
    removeStage();
    inProgress.delete(undo);
    return target;
  } catch (err) {
    inProgress.delete(undo);
    runUndo(undo);
    throw err;
  }
}

function isDanglingLink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

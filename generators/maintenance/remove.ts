// Removes generated files on purpose: deletes each (when still as generated, or forced) and
// records it in the record's "removed", which check, regen and update respect. `regen <file>`
// brings a file back and takes it off the list.
import { filesFor, outputPath } from '../model/files.js';
import { hashContent, makeRecord, RECORD_FILE, serializeRecord } from '../model/record.js';
import { Checkout, loadRepo, pathCandidates, removeWithEmptyParents } from './repo.js';
import { writeProject } from '../plumbing/write.js';

export interface RemoveOptions {
  cwd: string;
  /** Paths as a shell gives them (relative to cwd), or relative to the repo root. */
  targets: string[];
  force?: boolean;
  dryRun?: boolean;
}

/** deleted: removed from disk and recorded. recorded: already gone, now recorded. already: recorded before. */
export interface RemovedFile {
  path: string;
  action: 'deleted' | 'recorded' | 'already';
}

export interface RemoveReport {
  root: string;
  files: RemovedFile[];
  recordChanged: boolean;
  wrote: boolean;
  dryRun: boolean;
}

/** A bad request (nothing named, not a generated file): exit 2. */
export class RemoveUsageError extends Error {}
/** An edited file without --force: exit 1, nothing changed. */
export class RemoveRefused extends Error {}

export function removeFiles(opts: RemoveOptions): RemoveReport {
  if (opts.targets.length === 0) throw new RemoveUsageError('name at least one generated file to remove (see regen --list)');
  const { root, record, answers } = loadRepo(opts.cwd);
  const known = new Set([...filesFor(answers).map((f) => outputPath(f, answers)), ...Object.keys(record.files)]);
  const removed = new Set(record.removed ?? []);
  const paths: string[] = [];
  for (const raw of opts.targets) {
    const path = pathCandidates(raw, root, opts.cwd).find((p) => known.has(p) || removed.has(p));
    if (!path) throw new RemoveUsageError(`${raw} is not a file this generator writes in this repo (see regen --list); remove takes files, not groups or directories`);
    if (!paths.includes(path)) paths.push(path);
  }

  const files: RemovedFile[] = [];
  const edited: string[] = [];
  const hashes = { ...record.files };
  const checkout = new Checkout(root);
  for (const path of paths) {
    const current = checkout.read(path);
    if (removed.has(path) && current === undefined) {
      files.push({ path, action: 'already' });
      continue;
    }
    if (current !== undefined) {
      const asGenerated = hashContent(current) === record.files[path];
      if (!asGenerated && !opts.force) edited.push(path);
      files.push({ path, action: 'deleted' });
    } else {
      files.push({ path, action: 'recorded' });
    }
    delete hashes[path];
    removed.add(path);
  }
  if (edited.length > 0) {
    throw new RemoveRefused(`${edited.join(', ')} ${edited.length === 1 ? 'was' : 'were'} edited since it was generated; pass --force to delete it anyway; nothing was changed`);
  }

  const recordText = serializeRecord(makeRecord(record.answers, record.version, hashes, [...removed]));
  const recordChanged = recordText !== checkout.read(RECORD_FILE);
  const report: RemoveReport = { root, files, recordChanged, wrote: false, dryRun: Boolean(opts.dryRun) };
  if (!opts.dryRun && recordChanged) {
    // The record first (atomically): a file it no longer lists is not lost track of if a delete fails.
    writeProject(root, [{ path: RECORD_FILE, content: checkout.inItsEol(RECORD_FILE, recordText) }], { force: true });
    for (const f of files) if (f.action === 'deleted') removeWithEmptyParents(root, f.path);
    report.wrote = true;
  }
  return report;
}

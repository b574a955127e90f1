// The file plan regen, update and remove share. Per file, one decision from four texts (the
// file now, the blob id the record holds, what the generator writes now, the merge base);
// then, in one place, the record bookkeeping, the write and delete lists and the summary.
// The callers only choose the files, prepare the merge bases and say how edits are handled.
import type { Answers } from '../model/questions.js';
import { asidePath, hashContent, makeRecord, RECORD_FILE, serializeRecord, type RepoRecord } from '../model/record.js';
import { conflictMarkerLine, markDifferences } from '../plumbing/merge.js';
import { mergeFile } from '../plumbing/merge-file.js';
import { writeProject, type FileToWrite } from '../plumbing/write.js';
import { type Checkout, rememberGenerated, removeWithEmptyParents } from './repo.js';

/** What happens to one file; one meaning per word, whichever command plans it. */
export const ACTIONS = {
  create: 'written; it was not there',
  update: 'replaced by the generated text',
  delete: 'deleted: no longer generated (or removed on purpose)',
  unchanged: 'already as generated',
  kept: 'left as the user has it',
  missing: 'deleted by the user and not named, so not recreated',
  removed: 'removed on purpose (the record\'s "removed"), so not recreated unless named',
  'new-aside': 'left as the user has it; the generated text written to .go-k8s-service/new/<path>',
  merged: "the user's edits and the generated change combined",
  'merge-conflict': 'combined with conflict markers',
  conflict: 'edited since generated and unresolved: nothing is written',
} as const;
export type Action = keyof typeof ACTIONS;

/**
 * What to do with a file edited since it was generated. unresolved: a conflict (regen asks,
 * or refuses); overwrite; keep; aside: keep it and write the generated text aside; merge: 3-way.
 */
export type EditedPolicy = 'unresolved' | 'overwrite' | 'keep' | 'aside' | 'merge';

/** The four texts a decision reads. undefined: no such file, no record entry, not generated, no base found. */
export interface FileCase {
  path: string;
  current?: string;
  recorded?: string;
  generated?: string;
  base?: string;
}

export interface FileRules {
  edited: EditedPolicy;
  /** Written once and the team's since (lifecycle 'once'): never changed once it differs. */
  once?: boolean;
  /** Named on the command line: a deleted (or removed on purpose) file comes back. */
  named?: boolean;
  /** In the record's "removed" list. */
  removedOnPurpose?: boolean;
  /** update: an edited file whose generated text has not changed since is just kept. */
  keepWhenNothingNew?: boolean;
  /** Without a merge base, mark every difference in the file instead of writing the generated text aside. */
  markNoBase?: boolean;
  /**
   * Without a merge base, the generated text written aside becomes the recorded base (update:
   * the record moves to a version whose text is what was put aside).
   */
  asideBecomesBase?: boolean;
  /** remove --force: an edited file that is no longer generated is deleted too. */
  deleteEdited?: boolean;
  /** Why the recorded blob's text was not found (one clause). */
  whyNoBase?: (recorded: string) => string;
}

export interface Decision {
  action: Action;
  reason?: string;
  /** Text to write: at the path, or at its aside path for new-aside. */
  write?: string;
  /** The record's entry afterwards: the generated text's id, as it was, or none. */
  record: 'generated' | 'as-is' | 'drop';
}

const noEntry = 'the record has no entry for it';

/** The decision for one file; undefined when there is nothing to say (not generated, not there). */
export async function decide(c: FileCase, r: FileRules): Promise<Decision | undefined> {
  const { path, current, recorded, generated } = c;
  const asGenerated = current !== undefined && recorded !== undefined && hashContent(current) === recorded;
  if (generated === undefined) {
    if (current === undefined) return undefined;
    if (asGenerated) return { action: 'delete', reason: 'no longer generated', record: 'drop' };
    if (r.deleteEdited) return { action: 'delete', reason: 'edited; deleted anyway', record: 'drop' };
    return { action: 'kept', reason: 'edited, and no longer generated: delete it yourself if unused', record: 'drop' };
  }
  if (r.removedOnPurpose && !r.named)
    return { action: 'removed', reason: `removed on purpose; \`regen ${path}\` brings it back`, record: 'as-is' };
  if (current === undefined) {
    if (recorded !== undefined && !r.named)
      return { action: 'missing', reason: `deleted; \`regen ${path}\` recreates it`, record: 'as-is' };
    return { action: 'create', write: generated, record: 'generated' };
  }
  if (current === generated) return { action: 'unchanged', record: 'generated' };
  if (r.once) {
    // Such files promise the team that regen never changes them; deleted, they come back by name.
    return {
      action: 'kept',
      reason: `written once and yours since; delete it and run \`regen ${path}\` for the generated version`,
      record: 'as-is',
    };
  }
  if (asGenerated) return { action: 'update', write: generated, record: 'generated' };
  // Edited since it was generated.
  const marked = r.edited === 'overwrite' ? undefined : conflictMarkerLine(current);
  if (marked !== undefined) {
    return {
      action: 'conflict',
      reason: `unresolved conflict markers (<<<<<<< at line ${marked}) from an earlier merge: resolve them, then run this again`,
      record: 'as-is',
    };
  }
  if (r.keepWhenNothingNew && recorded === hashContent(generated))
    return { action: 'kept', reason: 'your edits; nothing new from the generator', record: 'as-is' };
  switch (r.edited) {
    case 'unresolved':
      return { action: 'conflict', reason: 'edited since generated', record: 'as-is' };
    case 'overwrite':
      return { action: 'update', reason: 'edited; overwritten', write: generated, record: 'generated' };
    case 'keep':
      return { action: 'kept', reason: 'edited; kept', record: 'as-is' };
    case 'aside':
      return { action: 'new-aside', reason: `edited; kept, generated version in ${asidePath(path)}`, write: generated, record: 'as-is' };
    case 'merge':
      break;
  }
  if (c.base === undefined) {
    const why = recorded === undefined ? noEntry : (r.whyNoBase?.(recorded) ?? 'its text was not found');
    if (r.markNoBase) {
      const m = await markDifferences(current, generated);
      return {
        action: 'merge-conflict',
        reason: `no merge base (${why}): every difference marked <<<<<<< ours … >>>>>>> theirs`,
        write: m.text,
        record: 'generated',
      };
    }
    return {
      action: 'new-aside',
      reason: `no merge base: ${why}; generated version in ${asidePath(path)}`,
      write: generated,
      record: r.asideBecomesBase ? 'generated' : 'as-is',
    };
  }
  // A merged file's base from now on is the generated text it was merged with.
  // By structure where a line merge is wrong (go.mod, go.sum, values YAML, renovate.json, Makefile).
  const m = mergeFile(path, current, c.base, generated);
  const fellBack = m.fellBack ? `; ${m.fellBack}` : '';
  if (m.conflicts > 0) {
    return {
      action: 'merge-conflict',
      reason: `${m.conflicts} conflicting hunk(s) marked <<<<<<< ours … >>>>>>> theirs${fellBack}`,
      write: m.text,
      record: 'generated',
    };
  }
  return { action: 'merged', reason: `your edits and the generated change merged${fellBack}`, write: m.text, record: 'generated' };
}

/** Whether deciding this case with edited: 'merge' would need its merge base. */
export function needsBase(c: FileCase, r: Pick<FileRules, 'once' | 'keepWhenNothingNew'>): boolean {
  const { current, recorded, generated } = c;
  if (current === undefined || generated === undefined || recorded === undefined || current === generated || r.once) return false;
  if (hashContent(current) === recorded) return false;
  return !(r.keepWhenNothingNew && recorded === hashContent(generated));
}

export interface PlannedFile {
  path: string;
  action: Action;
  reason?: string;
  /** The file before (for a diff). */
  before?: string;
  /** The file after, or the generated text of a conflict or of new-aside (for a diff). */
  after?: string;
}

/** What regen and update report (each adds its own fields). */
export interface PlanReport {
  root: string;
  files: PlannedFile[];
  /** Files merged without a merge base: the generated text is in .go-k8s-service/new/<path>. */
  noBase: string[];
  recordChanged: boolean;
  wrote: boolean;
  dryRun: boolean;
  warnings: string[];
  summary: string;
}

export interface DecidedFile {
  case: FileCase;
  /** undefined: not generated and not there (only its record entry goes). */
  decision: Decision | undefined;
}

export interface FilePlan {
  files: PlannedFile[];
  /** Files to write (the record last, when it changed). */
  writes: FileToWrite[];
  deletes: string[];
  record: RepoRecord;
  recordChanged: boolean;
  /** New generated text by blob id: what the base ref must keep. */
  generated: Map<string, string>;
}

export interface NextRecord {
  answers: Answers;
  version: string;
  /** The record's "removed" afterwards, before named files come back. */
  removed: readonly string[];
  /** The digest of the templates that wrote the files (regen and update: this build's). */
  templatesDigest?: string;
}

/**
 * The plan of decided files: the record follows what is on disk as generated (written files
 * get their new blob id; kept files keep theirs, still the base of a later merge).
 */
export function makePlan(checkout: Checkout, record: RepoRecord, decided: readonly DecidedFile[], next: NextRecord): FilePlan {
  const files: PlannedFile[] = [];
  const writes: FileToWrite[] = [];
  const deletes: string[] = [];
  const hashes: RepoRecord['files'] = { ...record.files };
  const generated = new Map<string, string>();
  const removed = new Set(next.removed);
  for (const { case: c, decision: d } of [...decided].sort((a, b) =>
    a.case.path < b.case.path ? -1 : a.case.path > b.case.path ? 1 : 0,
  )) {
    const { path } = c;
    if (d === undefined) {
      delete hashes[path];
      continue;
    }
    const shown = d.action === 'conflict' ? c.generated : d.write;
    const showsBefore = d.action === 'conflict' || d.action === 'delete' || d.write !== undefined;
    files.push({
      path,
      action: d.action,
      ...(d.reason ? { reason: d.reason } : {}),
      ...(showsBefore && c.current !== undefined ? { before: c.current } : {}),
      ...(shown !== undefined ? { after: shown } : {}),
    });
    if (d.action === 'new-aside') writes.push({ path: asidePath(path), content: d.write! });
    else if (d.write !== undefined) writes.push({ path, content: checkout.inItsEol(path, d.write) });
    if (d.action === 'delete') deletes.push(path);
    if (d.record === 'drop') delete hashes[path];
    if (d.record === 'generated') {
      const id = hashContent(c.generated!);
      if (hashes[path] !== id) generated.set(id, c.generated!);
      hashes[path] = id;
    }
    // Named, a file removed on purpose comes back and is no longer recorded as removed.
    if (d.action !== 'removed' && c.generated !== undefined) removed.delete(path);
  }
  const newRecord = makeRecord(next.answers, next.version, hashes, [...removed], next.templatesDigest);
  const recordText = serializeRecord(newRecord);
  const recordChanged = recordText !== checkout.read(RECORD_FILE);
  if (recordChanged) writes.push({ path: RECORD_FILE, content: checkout.inItsEol(RECORD_FILE, recordText) });
  return { files, writes, deletes, record: newRecord, recordChanged, generated };
}

/**
 * Writes the plan (all files and the record atomically, then the deletes) and keeps the new
 * generated text in git. Returns a warning when git could not keep it.
 */
export function applyPlan(root: string, plan: FilePlan, message: string): string | undefined {
  if (plan.writes.length === 0 && plan.deletes.length === 0) return undefined;
  writeProject(root, plan.writes, { force: true });
  for (const d of plan.deletes) removeWithEmptyParents(root, d);
  // Only new generated text needs keeping; what the record already named is in git already.
  if (plan.generated.size === 0) return undefined;
  return rememberGenerated(root, plan.generated, plan.record.files, message);
}

/** Whether the plan changes anything on disk. */
export function changesDisk(plan: FilePlan): boolean {
  return plan.writes.length > 0 || plan.deletes.length > 0;
}

/** One line: how many files each action touched. */
export function summarize(files: readonly PlannedFile[], dryRun: boolean): string {
  const count = (...a: Action[]) => files.filter((p) => a.includes(p.action)).length;
  const parts = [
    `${count('update')} updated`,
    ...(count('merged', 'merge-conflict') ? [`${count('merged', 'merge-conflict')} merged`] : []),
    `${count('create')} created`,
    `${count('delete')} deleted`,
    `${count('unchanged')} unchanged`,
    `${count('kept', 'new-aside', 'missing', 'removed')} kept`,
  ];
  if (count('new-aside')) parts.push(`${count('new-aside')} with the generated version aside`);
  if (count('conflict')) parts.push(`${count('conflict')} in conflict`);
  if (count('merge-conflict')) parts.push(`${count('merge-conflict')} with conflict markers`);
  return parts.join(', ') + (dryRun ? ' (dry run: nothing written)' : '');
}

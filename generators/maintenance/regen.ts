// Regenerates files of an existing repo from its recorded answers (optionally changed).
// A file still as generated is replaced; a file the user edited is a conflict, resolved by
// --force, --skip-modified or, on a terminal, by asking. Nothing is written while any
// conflict is unresolved, and all writes (record included) land atomically.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { resolveAnswers } from '../model/answers.js';
import { FILES, GROUPS, filesFor, outputPath, type OutputFile } from '../model/files.js';
import type { Answers } from '../model/questions.js';
import { asidePath, compareVersions, hashContent, makeRecord, RECORD_FILE, serializeRecord, type RepoRecord } from '../model/record.js';
import { findBases, missingBase } from './merge-base.js';
import { mergeFile } from '../plumbing/merge-file.js';
import { renderAll, renderFile, type RenderedFile } from '../render/render.js';
import { Checkout, loadRepo, pathCandidates, rememberGenerated, removeWithEmptyParents } from './repo.js';
import { GENERATOR_VERSION } from '../model/version.js';
import { writeProject, type FileToWrite } from '../plumbing/write.js';

export type Resolution = 'overwrite' | 'skip' | 'merge' | 'new';

export interface RegenOptions {
  cwd: string;
  /** Paths (relative to cwd, or to the repo root) or group names. */
  targets: string[];
  /** Answers that change (already coerced). */
  changes?: Partial<Answers>;
  force?: boolean;
  skipModified?: boolean;
  /** Merge the generated version into edited files (3-way, as update does). */
  merge?: boolean;
  dryRun?: boolean;
  interactive: boolean;
  /** Asked per conflict when interactive. */
  resolve?: (c: Conflict) => Promise<Resolution>;
}

export interface Conflict {
  path: string;
  current: string;
  generated: string;
}

/**
 * create/update/delete: written (or would be, in a dry run). unchanged: already as generated.
 * kept: left as the user has it. new-aside: generated text written to .go-k8s-service/new/<path>.
 * missing: deleted by the user and not named, so not recreated. conflict: edited, unresolved.
 * merged: edits and the generated change combined; merge-conflict: combined with conflict markers.
 * removed: removed on purpose (the record's "removed"), so not recreated unless named.
 */
export type Action = 'create' | 'update' | 'delete' | 'unchanged' | 'kept' | 'new-aside' | 'missing' | 'conflict' | 'merged' | 'merge-conflict' | 'removed';

export interface PlannedFile {
  path: string;
  action: Action;
  reason?: string;
  before?: string;
  after?: string;
}

/** An edited file kept while an answer its generated text depends on changed. */
export interface StaleFile {
  path: string;
  /** What the file still holds: each answer as it was, and as it is now. */
  holds: { answer: keyof Answers; was: unknown; now: unknown }[];
}

export interface RegenReport {
  root: string;
  files: PlannedFile[];
  conflicts: string[];
  /** Edited files kept although an answer they depend on changed: the repo may not hold together. */
  stale: StaleFile[];
  /** Files merged with conflict markers. */
  mergeConflicts: string[];
  /** Files to merge without a merge base: the generated version went to .go-k8s-service/new/. */
  noBase: string[];
  answersChanged: (keyof Answers)[];
  recordChanged: boolean;
  wrote: boolean;
  dryRun: boolean;
  warnings: string[];
  summary: string;
}

/** A bad request (unknown target, nothing named, an answer that cannot change): exit 2. */
export class RegenUsageError extends Error {}
export class UnknownTargetError extends RegenUsageError {}
/** regen cannot run on this repo as it is (another generator version): exit 1, nothing written. */
export class RegenRefused extends Error {}

export class ConflictError extends Error {
  constructor(readonly report: RegenReport) {
    super(
      `${report.conflicts.length} file(s) edited since they were generated: ${report.conflicts.join(', ')}; ` +
        'nothing was written. Pass --force to overwrite them, --skip-modified to keep them, or run in a terminal to choose per file',
    );
  }
}

/** The groups and paths `regen --list` shows. */
export function listTargets(a: Answers): { group: string; paths: string[] }[] {
  const files = filesFor(a);
  return GROUPS.map((g) => ({ group: g, paths: files.filter((f) => f.group === g).map((f) => outputPath(f, a)) })).filter(
    (g) => g.paths.length > 0,
  );
}

/**
 * Targets are groups, or paths as a shell gives them (relative to cwd), or paths relative
 * to the repo root; a directory selects every generated file under it.
 */
function selectFiles(targets: string[], a: Answers, root: string, cwd: string): { files: OutputFile[]; byName: Set<string> } {
  const all = filesFor(a);
  const chosen = new Set<OutputFile>();
  const byName = new Set<string>();
  for (const raw of targets) {
    if ((GROUPS as readonly string[]).includes(raw)) {
      for (const f of all) if (f.group === raw) chosen.add(f);
      continue;
    }
    const candidates = pathCandidates(raw, root, cwd);
    let matched = false;
    for (const t of candidates) {
      const f = all.find((f) => outputPath(f, a) === t);
      if (f) {
        chosen.add(f);
        byName.add(t);
        matched = true;
        break;
      }
      // A directory such as charts/orders/templates, or the root itself.
      const under = all.filter((f) => t === '' || outputPath(f, a).startsWith(`${t}/`));
      if (under.length > 0 && !t.startsWith('..')) {
        for (const f of under) chosen.add(f);
        matched = true;
        break;
      }
    }
    if (matched) continue;
    const shown = [...candidates][0] ?? raw;
    const known = FILES.some((f) => candidates.includes(outputPath(f, a)));
    throw new UnknownTargetError(
      known
        ? `${shown} is not generated with this repo's answers (see regen --list)`
        : `${raw} is neither a generated file nor a group (groups: ${GROUPS.join(', ')}; see regen --list)`,
    );
  }
  return { files: all.filter((f) => chosen.has(f)), byName };
}

/**
 * regen writes this version's templates; the record must name this version, or the repo
 * would mix two versions' files under one recorded version.
 */
export function refuseOtherVersion(recorded: string): void {
  const order = compareVersions(recorded, GENERATOR_VERSION);
  if (order === 0) return;
  const what = `this repo was written by create-go-k8s-service ${recorded} and this is ${GENERATOR_VERSION}`;
  throw new RegenRefused(
    order < 0
      ? `${what}: run \`create-go-k8s-service update\` first (it merges ${GENERATOR_VERSION}'s templates into your files), then regen; nothing was written`
      : `${what}: use create-go-k8s-service@${recorded} (npx create-go-k8s-service@${recorded} regen …), or update the repo to a newer version; nothing was written`,
  );
}

export async function regenerate(opts: RegenOptions): Promise<RegenReport> {
  if ([opts.force, opts.skipModified, opts.merge].filter(Boolean).length > 1) {
    throw new RegenUsageError('--force, --skip-modified and --merge each decide what happens to edited files: pass one of them');
  }
  const { root, record, answers: oldAnswers } = loadRepo(opts.cwd);
  refuseOtherVersion(record.version);
  const changes = Object.fromEntries(Object.entries(opts.changes ?? {}).filter(([, v]) => v !== undefined)) as Partial<Answers>;
  if (changes.name !== undefined && changes.name !== oldAnswers.name) {
    throw new RegenUsageError('--name cannot change in regen: it names the chart, the binary and their directories; generate a new repo instead');
  }
  const answers: Answers = { ...oldAnswers, ...changes };
  const answersChanged = (Object.keys(answers) as (keyof Answers)[]).filter((k) => answers[k] !== oldAnswers[k]);
  // The combination must hold as at creation (questions may depend on each other).
  if (answersChanged.length > 0) resolveAnswers(answers as never, { useDefaults: false, env: {} });
  if (opts.targets.length === 0 && answersChanged.length === 0) {
    throw new RegenUsageError('name at least one file or group to regenerate, or an answer to change (see regen --list)');
  }
  const { files: targeted, byName } = selectFiles(opts.targets, answers, root, opts.cwd);

  const warnings: string[] = [];

  // With changed answers every file whose output depends on them is rewritten too, and
  // files no longer generated with the new answers are removed.
  const newFiles = answersChanged.length > 0 ? filesFor(answers) : targeted;
  const rendered = new Map<string, RenderedFile>(renderAll(answers, newFiles).map((r) => [r.path, r]));
  const affected = new Set(targeted.map((f) => outputPath(f, answers)));
  const removed: string[] = [];
  if (answersChanged.length > 0) {
    const old = new Map(renderAll(oldAnswers, filesFor(oldAnswers)).map((r) => [r.path, r.content]));
    for (const [path, r] of rendered) if (old.get(path) !== r.content) affected.add(path);
    for (const path of old.keys()) if (!rendered.has(path)) removed.push(path);
  }

  const planned: PlannedFile[] = [];
  const conflicts: Conflict[] = [];
  const checkout = new Checkout(root);
  const removedOnPurpose = new Set(record.removed ?? []);
  for (const path of [...affected].sort()) {
    const r = rendered.get(path)!;
    if (removedOnPurpose.has(path)) {
      // Named, it comes back (and is no longer recorded as removed).
      if (!byName.has(path)) {
        planned.push({ path, action: 'removed', reason: `removed on purpose; \`regen ${path}\` brings it back` });
        continue;
      }
      removedOnPurpose.delete(path);
    }
    const current = checkout.read(path);
    const recorded = record.files[path];
    if (current === undefined) {
      if (recorded && !byName.has(path)) {
        planned.push({ path, action: 'missing', reason: `deleted; \`regen ${path}\` recreates it` });
      } else {
        planned.push({ path, action: 'create', after: r.content });
      }
    } else if (current === r.content) {
      planned.push({ path, action: 'unchanged' });
    } else if (r.file.lifecycle === 'once') {
      // Such files promise the team that regen never changes them; deleted, they come back by name.
      planned.push({ path, action: 'kept', reason: `written once and yours since; delete it and run \`regen ${path}\` for the generated version` });
    } else if (recorded && hashContent(current) === recorded) {
      planned.push({ path, action: 'update', before: current, after: r.content });
    } else {
      conflicts.push({ path, current, generated: r.content });
      planned.push({ path, action: 'conflict', reason: 'edited since generated', before: current, after: r.content });
    }
  }
  for (const path of removed.sort()) {
    const current = checkout.read(path);
    if (current === undefined) continue;
    if (record.files[path] && hashContent(current) === record.files[path]) {
      planned.push({ path, action: 'delete', reason: 'not generated with the new answers', before: current });
    } else {
      planned.push({ path, action: 'kept', reason: 'edited, and no longer generated with the new answers: delete it yourself' });
    }
  }

  const unresolved: string[] = [];
  const toMerge: PlannedFile[] = [];
  for (const c of conflicts) {
    const p = planned.find((f) => f.path === c.path)!;
    let choice: Resolution | undefined;
    if (opts.force) choice = 'overwrite';
    else if (opts.skipModified) choice = 'skip';
    else if (opts.merge) choice = 'merge';
    else if (opts.interactive && opts.resolve && !opts.dryRun) choice = await opts.resolve(c);
    if (choice === 'overwrite') Object.assign(p, { action: 'update', reason: 'edited; overwritten' });
    else if (choice === 'skip') Object.assign(p, { action: 'kept', reason: 'edited; kept' });
    else if (choice === 'new') Object.assign(p, { action: 'new-aside', reason: `edited; kept, generated version in ${asidePath(c.path)}` });
    else if (choice === 'merge') toMerge.push(p);
    else unresolved.push(c.path);
  }
  mergeEdited(root, toMerge, record.files, toMerge.map((p) => renderFile(rendered.get(p.path)!.file, oldAnswers).content));
  const stale = answersChanged.length > 0 ? staleFiles(planned, rendered, oldAnswers, answers, answersChanged) : [];

  // The record follows what is on disk as generated: written files get their new hash;
  // kept files keep theirs (still the base of a later update's merge).
  const writes: FileToWrite[] = [];
  const hashes: RepoRecord['files'] = { ...record.files };
  /** New generated text by blob id: what the base ref must keep. */
  const generated = new Map<string, string>();
  for (const p of planned) {
    const content = rendered.get(p.path)?.content;
    if (p.action === 'create' || p.action === 'update') writes.push({ path: p.path, content: checkout.inItsEol(p.path, content!) });
    if (p.action === 'merged' || p.action === 'merge-conflict') writes.push({ path: p.path, content: checkout.inItsEol(p.path, p.after!) });
    if (p.action === 'new-aside') writes.push({ path: asidePath(p.path), content: content! });
    // A merged file's base from now on is the generated text it was merged with.
    if (p.action === 'create' || p.action === 'update' || p.action === 'unchanged' || p.action === 'merged' || p.action === 'merge-conflict') {
      const id = hashContent(content!);
      if (hashes[p.path] !== id) generated.set(id, content!);
      hashes[p.path] = id;
    }
    if (p.action === 'delete' || (p.action === 'kept' && removed.includes(p.path))) delete hashes[p.path];
  }
  for (const path of removed) if (!existsSync(join(root, path))) delete hashes[path];
  const deletes = planned.filter((p) => p.action === 'delete').map((p) => p.path);
  const writesFiles = writes.length > 0 || deletes.length > 0;
  const newRecord = makeRecord(answers, record.version, hashes, [...removedOnPurpose]);
  const recordText = serializeRecord(newRecord);
  const recordChanged = recordText !== checkout.read(RECORD_FILE);

  const report: RegenReport = {
    root,
    files: planned,
    conflicts: unresolved,
    stale,
    mergeConflicts: planned.filter((p) => p.action === 'merge-conflict').map((p) => p.path),
    noBase: toMerge.filter((p) => p.action === 'new-aside').map((p) => p.path),
    answersChanged,
    recordChanged,
    wrote: false,
    dryRun: Boolean(opts.dryRun),
    warnings,
    summary: summarize(planned, Boolean(opts.dryRun)),
  };
  if (unresolved.length > 0) throw new ConflictError(report);

  if (!opts.dryRun && (writesFiles || recordChanged)) {
    if (recordChanged) writes.push({ path: RECORD_FILE, content: checkout.inItsEol(RECORD_FILE, recordText) });
    writeProject(root, writes, { force: true });
    for (const d of deletes) removeWithEmptyParents(root, d);
    report.wrote = true;
    // Only new generated text needs keeping; what the record already named is in git already.
    if (generated.size > 0) {
      const failed = rememberGenerated(root, generated, newRecord.files, `create-go-k8s-service ${GENERATOR_VERSION}: regen ${opts.targets.join(' ')}`.trim());
      if (failed) warnings.push(failed);
    }
  }
  return report;
}

/**
 * 3-way merges of edited files, as update does: base = the file as generated (by its
 * recorded blob id: this version's render of the recorded answers, else git), ours = the
 * file, theirs = the generated text now. Without a base the generated text goes aside.
 */
function mergeEdited(root: string, files: PlannedFile[], recorded: RepoRecord['files'], renderable: string[]): void {
  const ids = files.map((p) => recorded[p.path]).filter((id): id is string => id !== undefined);
  const bases = findBases(root, ids, renderable);
  for (const p of files) {
    const id = recorded[p.path];
    const base = id === undefined ? undefined : bases.get(id);
    if (base === undefined) {
      const why = id === undefined ? 'the record has no entry for it' : missingBase(root, p.path, id, GENERATOR_VERSION);
      Object.assign(p, { action: 'new-aside', reason: `no merge base: ${why}; generated version in ${asidePath(p.path)}` });
      continue;
    }
    const m = mergeFile(p.path, p.before!, base, p.after!);
    Object.assign(p, {
      action: m.conflicts > 0 ? 'merge-conflict' : 'merged',
      reason: (m.conflicts > 0 ? `${m.conflicts} conflicting hunk(s) marked <<<<<<< ours … >>>>>>> theirs` : 'your edits and the generated change merged') + (m.fellBack ? `; ${m.fellBack}` : ''),
      after: m.text,
    });
  }
}

/**
 * Edited files the user kept although their generated text depends on a changed answer:
 * each with the answers it still holds (found by changing one answer at a time).
 */
function staleFiles(
  planned: PlannedFile[],
  rendered: Map<string, RenderedFile>,
  oldAnswers: Answers,
  answers: Answers,
  changed: (keyof Answers)[],
): StaleFile[] {
  const stale: StaleFile[] = [];
  for (const p of planned) {
    const r = rendered.get(p.path);
    if (!r || r.file.lifecycle === 'once' || (p.action !== 'kept' && p.action !== 'new-aside')) continue;
    const old = renderFile(r.file, oldAnswers).content;
    if (old === r.content) continue;
    const one = (k: keyof Answers) => {
      try {
        return renderFile(r.file, { ...oldAnswers, [k]: answers[k] } as Answers).content !== old;
      } catch {
        return true;
      }
    };
    const keys = changed.filter(one);
    stale.push({ path: p.path, holds: (keys.length > 0 ? keys : changed).map((k) => ({ answer: k, was: oldAnswers[k], now: answers[k] })) });
  }
  return stale;
}

function summarize(planned: PlannedFile[], dryRun: boolean): string {
  const count = (...a: Action[]) => planned.filter((p) => a.includes(p.action)).length;
  const parts = [
    `${count('update')} updated`,
    ...(count('merged', 'merge-conflict') ? [`${count('merged', 'merge-conflict')} merged`] : []),
    `${count('create')} created`,
    `${count('delete')} deleted`,
    `${count('unchanged')} unchanged`,
    `${count('kept', 'new-aside', 'missing', 'removed')} kept`,
  ];
  if (count('conflict')) parts.push(`${count('conflict')} in conflict`);
  if (count('merge-conflict')) parts.push(`${count('merge-conflict')} with conflict markers`);
  return parts.join(', ') + (dryRun ? ' (dry run: nothing written)' : '');
}

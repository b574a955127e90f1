// Regenerates files of an existing repo from its recorded answers (optionally changed).
// A file still as generated is replaced; a file the user edited is a conflict, resolved by
// --force, --skip-modified or, on a terminal, by asking. Nothing is written while any
// conflict is unresolved, and all writes (record included) land atomically.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FILES, GROUPS, filesFor, outputPath, type OutputFile } from './files.js';
import type { Answers } from './questions.js';
import { buildRecord, hashContent, RECORD_FILE, serializeRecord, type Record } from './record.js';
import { renderAll } from './render.js';
import { loadRepo } from './repo.js';
import { GENERATOR_VERSION } from './version.js';
import { writeProject, type FileToWrite } from './write.js';

export type Resolution = 'overwrite' | 'skip' | 'new';

export interface RegenOptions {
  cwd: string;
  /** Paths (relative to the repo root) or group names. */
  targets: string[];
  /** Answers that change (already coerced). */
  changes?: Partial<Answers>;
  force?: boolean;
  skipModified?: boolean;
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

export type Action = 'create' | 'update' | 'delete' | 'unchanged' | 'kept' | 'new-beside' | 'missing';

export interface PlannedFile {
  path: string;
  action: Action;
  /** Why: 'edited', 'deleted by you', 'answers changed', ... */
  reason?: string;
  before?: string;
  after?: string;
}

export interface RegenReport {
  root: string;
  files: PlannedFile[];
  conflicts: string[];
  answersChanged: string[];
  recordChanged: boolean;
  wrote: boolean;
  summary: string;
}

export class UnknownTargetError extends Error {}

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

function selectFiles(targets: string[], a: Answers): { files: OutputFile[]; byName: Set<string> } {
  const all = filesFor(a);
  const chosen = new Set<OutputFile>();
  const byName = new Set<string>();
  for (const raw of targets) {
    const t = raw.replace(/^\.\//, '').replace(/\/+$/, '');
    if ((GROUPS as readonly string[]).includes(t)) {
      for (const f of all) if (f.group === t) chosen.add(f);
      continue;
    }
    const f = all.find((f) => outputPath(f, a) === t);
    if (f) {
      chosen.add(f);
      byName.add(t);
      continue;
    }
    // A directory prefix such as charts/orders/templates.
    const under = all.filter((f) => outputPath(f, a).startsWith(`${t}/`));
    if (under.length > 0) {
      for (const f of under) chosen.add(f);
      continue;
    }
    const known = FILES.some((f) => outputPath(f, a) === t);
    throw new UnknownTargetError(
      known
        ? `${t} is not generated with these answers`
        : `${t} is neither a generated file nor a group (groups: ${GROUPS.join(', ')}; see regen --list)`,
    );
  }
  return { files: all.filter((f) => chosen.has(f)), byName };
}

function readIfExists(p: string): string | undefined {
  return existsSync(p) ? readFileSync(p, 'utf8') : undefined;
}

export async function regenerate(opts: RegenOptions): Promise<RegenReport> {
  const { root, record, answers: oldAnswers } = loadRepo(opts.cwd);
  const answers: Answers = { ...oldAnswers, ...opts.changes };
  const answersChanged = (Object.keys(answers) as (keyof Answers)[]).filter((k) => answers[k] !== oldAnswers[k]);
  if (answersChanged.length > 0) {
    // Validate the combination, as at creation.
    const { resolveAnswers } = await import('./answers.js');
    resolveAnswers(answers as never, { useDefaults: false, env: {} });
  }
  if (opts.targets.length === 0) throw new UnknownTargetError('name at least one file or group to regenerate (see regen --list)');
  const { files: targeted, byName } = selectFiles(opts.targets, answers);

  const newFiles = filesFor(answers);
  const rendered = new Map(renderAll(answers, newFiles).map((r) => [r.path, r]));
  // With changed answers, every file whose output depends on them is rewritten too, and
  // files that no longer exist under the new answers are removed.
  const affected = new Set(targeted.map((f) => outputPath(f, answers)));
  const removed: string[] = [];
  if (answersChanged.length > 0) {
    const oldRendered = new Map(renderAll(oldAnswers, filesFor(oldAnswers)).map((r) => [r.path, r.content]));
    for (const [path, r] of rendered) if (oldRendered.get(path) !== r.content) affected.add(path);
    for (const path of oldRendered.keys()) if (!rendered.has(path)) removed.push(path);
  }

  const planned: PlannedFile[] = [];
  const conflicts: Conflict[] = [];
  for (const path of [...affected].sort()) {
    const r = rendered.get(path)!;
    const current = readIfExists(join(root, path));
    const recorded = record.files[path];
    if (current === undefined) {
      if (recorded && !byName.has(path) && !answersChanged.length) {
        planned.push({ path, action: 'missing', reason: 'deleted; name it to recreate it' });
      } else {
        planned.push({ path, action: 'create', after: r.content });
      }
    } else if (current === r.content) {
      planned.push({ path, action: 'unchanged' });
    } else if (r.file.lifecycle === 'once') {
      planned.push({ path, action: 'kept', reason: 'belongs to you after creation' });
    } else if (recorded && hashContent(current) === recorded) {
      planned.push({ path, action: 'update', before: current, after: r.content });
    } else {
      conflicts.push({ path, current, generated: r.content });
      planned.push({ path, action: 'update', reason: 'edited', before: current, after: r.content });
    }
  }
  for (const path of removed) {
    const current = readIfExists(join(root, path));
    if (current === undefined) continue;
    if (record.files[path] && hashContent(current) === record.files[path]) {
      planned.push({ path, action: 'delete', reason: 'not generated with the new answers', before: current });
    } else {
      planned.push({ path, action: 'kept', reason: 'edited; no longer generated with the new answers, delete it yourself' });
    }
  }

  // Resolve conflicts.
  const unresolved: string[] = [];
  for (const c of conflicts) {
    const p = planned.find((f) => f.path === c.path)!;
    let choice: Resolution | undefined;
    if (opts.force) choice = 'overwrite';
    else if (opts.skipModified) choice = 'skip';
    else if (opts.interactive && opts.resolve && !opts.dryRun) choice = await opts.resolve(c);
    if (choice === 'skip') Object.assign(p, { action: 'kept', reason: 'edited; kept (--skip-modified)' });
    else if (choice === 'new') Object.assign(p, { action: 'new-beside', reason: `edited; new version written to ${c.path}.new` });
    else if (choice !== 'overwrite') unresolved.push(c.path);
  }

  // The record follows what is on disk as generated: written files get their new hash.
  const writes: FileToWrite[] = [];
  const hashes: Record['files'] = { ...record.files };
  for (const p of planned) {
    if (p.action === 'create' || p.action === 'update') {
      writes.push({ path: p.path, content: p.after! });
      hashes[p.path] = hashContent(p.after!);
    } else if (p.action === 'new-beside') {
      writes.push({ path: `${p.path}.new`, content: p.after! });
    } else if (p.action === 'unchanged') {
      hashes[p.path] = hashContent(rendered.get(p.path)!.content);
    } else if (p.action === 'delete') {
      delete hashes[p.path];
    }
  }
  const newRecord = { ...buildRecord(answers, GENERATOR_VERSION, []), files: sortKeys(hashes) };
  const recordText = serializeRecord(newRecord);
  const recordChanged = recordText !== readFileSync(join(root, RECORD_FILE), 'utf8');

  const report: RegenReport = {
    root,
    files: planned,
    conflicts: unresolved,
    answersChanged,
    recordChanged,
    wrote: false,
    summary: '',
  };
  if (unresolved.length > 0) throw new ConflictError(report);

  const deletes = planned.filter((p) => p.action === 'delete').map((p) => p.path);
  if (!opts.dryRun && (writes.length > 0 || recordChanged || deletes.length > 0)) {
    if (recordChanged) writes.push({ path: RECORD_FILE, content: recordText });
    writeProject(root, writes, { force: true });
    const { rmSync } = await import('node:fs');
    for (const d of deletes) rmSync(join(root, d), { force: true });
    report.wrote = true;
  }
  const count = (a: Action) => planned.filter((p) => p.action === a).length;
  report.summary =
    `${count('update')} updated, ${count('create')} created, ${count('delete')} deleted, ` +
    `${count('unchanged')} unchanged, ${count('kept') + count('new-beside')} kept` +
    (opts.dryRun ? ' (dry run: nothing written)' : '');
  return report;
}

function sortKeys(o: Record['files']): Record['files'] {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));
}

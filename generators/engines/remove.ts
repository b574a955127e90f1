// Removes generated files on purpose: deletes each (when still as generated, or forced) and
// records it in the record's "removed", which check, regen and update respect. `regen <file>`
// brings a file back and takes it off the list.
import { essentialReason, filesFor, outputPath } from '../model/files.js';
import { applyPlan, decide, makePlan, type DecidedFile, type FileCase, type PlannedFile } from './file-plan.js';
import { Checkout, loadRepo, pathCandidates } from './repo.js';
import { CommandFailed, UsageError } from '../plumbing/errors.js';

export interface RemoveOptions {
  cwd: string;
  /** Paths as a shell gives them (relative to cwd), or relative to the repo root. */
  targets: string[];
  force?: boolean;
  dryRun?: boolean;
}

export interface RemoveReport {
  root: string;
  /** delete: deleted and recorded as removed; removed: already gone, recorded as removed. */
  files: PlannedFile[];
  recordChanged: boolean;
  wrote: boolean;
  dryRun: boolean;
}

export async function removeFiles(opts: RemoveOptions): Promise<RemoveReport> {
  if (opts.targets.length === 0) throw new UsageError('name at least one generated file to remove (see regen --list)');
  const { root, record, answers } = loadRepo(opts.cwd);
  const table = filesFor(answers);
  const known = new Set([...table.map((f) => outputPath(f, answers)), ...Object.keys(record.files)]);
  const removed = new Set(record.removed ?? []);
  const paths: string[] = [];
  for (const raw of opts.targets) {
    const path = pathCandidates(raw, root, opts.cwd).find((p) => known.has(p) || removed.has(p));
    if (!path)
      throw new UsageError(
        `${raw} is not a file this generator writes in this repo (see regen --list); remove takes files, not groups or directories`,
      );
    const file = table.find((f) => outputPath(f, answers) === path);
    const essential = file && essentialReason(file);
    if (essential)
      throw new UsageError(`${path}: cannot be removed: ${essential}; remove is for opt-outs such as compose.yaml or hpa.yaml`);
    if (!paths.includes(path)) paths.push(path);
  }

  // A file removed on purpose is, for this repo, no longer generated: the plan deletes it
  // when still as generated (or forced) and keeps an edited one, which refuses the whole run.
  const checkout = new Checkout(root);
  const decided: DecidedFile[] = [];
  for (const path of paths) {
    const c: FileCase = { path, current: checkout.read(path), recorded: record.files[path] };
    decided.push({ case: c, decision: await decide(c, { edited: 'keep', deleteEdited: opts.force }) });
  }
  const edited = decided.filter((d) => d.decision?.action === 'kept').map((d) => d.case.path);
  if (edited.length > 0) {
    throw new CommandFailed(
      `${edited.join(', ')} ${edited.length === 1 ? 'was' : 'were'} edited since it was generated; pass --force to delete it anyway; nothing was changed`,
    );
  }
  for (const d of decided) {
    d.decision ??= {
      action: 'removed',
      reason: removed.has(d.case.path) ? 'already removed' : 'already gone; recorded as removed',
      record: 'drop',
    };
    if (d.decision.action === 'delete') d.decision.reason = 'deleted and recorded as removed';
  }
  const plan = makePlan(checkout, record, decided, {
    answers: record.answers,
    version: record.version,
    removed: [...removed, ...paths],
    templatesDigest: record.templatesDigest,
  });
  // In the order named.
  const files = paths.map((p) => plan.files.find((f) => f.path === p)!);
  const report: RemoveReport = { root, files, recordChanged: plan.recordChanged, wrote: false, dryRun: Boolean(opts.dryRun) };
  if (!opts.dryRun && plan.recordChanged) {
    // The record first (atomically): a file it no longer lists is not lost track of if a delete fails.
    applyPlan(root, plan, '');
    report.wrote = true;
  }
  return report;
}

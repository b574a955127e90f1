// Regenerates files of an existing repo from its recorded answers (optionally changed).
// A file still as generated is replaced; a file the user edited is a conflict, resolved by
// --force, --skip-modified or, on a terminal, by asking. Nothing is written while any
// conflict is unresolved, and all writes (record included) land atomically.
import type { ActivePreset } from '../presets/model/preset.js';
import { resolveAnswers } from '../model/answers.js';
import { FILES, GROUPS, filesFor, outputPath, type OutputFile } from '../model/files.js';
import type { Answers } from '../model/questions.js';
import { compareVersions } from '../model/record.js';
import { findBases, missingBase } from './merge-base.js';
import { renderAll, renderFile, type RenderedFile } from '../render/render.js';
import { Checkout, loadRepo, pathCandidates } from './repo.js';
import {
  applyPlan,
  decide,
  makePlan,
  needsBase,
  summarize,
  type Action,
  type DecidedFile,
  type EditedPolicy,
  type FileCase,
  type FileRules,
  type PlanReport,
  type PlannedFile,
} from './file-plan.js';
import { GENERATOR_VERSION } from '../model/version.js';
import { thisBuildDigest } from '../model/templates-digest.js';
import { CommandFailed, UsageError } from '../plumbing/errors.js';

export type Resolution = 'overwrite' | 'skip' | 'merge' | 'new';

export interface RegenOptions {
  cwd: string;
  /** The repo's preset (preset-repo.ts): the answers carry it into the file table, render and record. */
  preset?: ActivePreset;
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

export type { Action, PlannedFile };

/** An edited file kept while an answer its generated text depends on changed. */
export interface StaleFile {
  path: string;
  /** What the file still holds: each answer as it was, and as it is now. */
  holds: { answer: keyof Answers; was: unknown; now: unknown }[];
}

export interface RegenReport extends PlanReport {
  /** Edited files unresolved (nothing written). */
  conflicts: string[];
  /** Edited files kept although an answer they depend on changed: the repo may not hold together. */
  stale: StaleFile[];
  /** Files merged with conflict markers. */
  mergeConflicts: string[];
  answersChanged: (keyof Answers)[];
}

/** Edited files left unresolved: exit 1, nothing written; the report says which. */
export class ConflictError extends CommandFailed {
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
    throw new UsageError(
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
  throw new CommandFailed(
    order < 0
      ? `${what}: run \`create-go-k8s-service update\` first (it merges ${GENERATOR_VERSION}'s templates into your files), then regen; nothing was written`
      : `${what}: use create-go-k8s-service@${recorded} (npx create-go-k8s-service@${recorded} regen …), or update the repo to a newer version; nothing was written`,
  );
}

/** The flags' choice for edited files; undefined: none (ask on a terminal, else a conflict). */
function editedPolicy(opts: RegenOptions): EditedPolicy | undefined {
  if ([opts.force, opts.skipModified, opts.merge].filter(Boolean).length > 1) {
    throw new UsageError('--force, --skip-modified and --merge each decide what happens to edited files: pass one of them');
  }
  return opts.force ? 'overwrite' : opts.skipModified ? 'keep' : opts.merge ? 'merge' : undefined;
}

const CHOSEN: Record<Resolution, EditedPolicy> = { overwrite: 'overwrite', skip: 'keep', merge: 'merge', new: 'aside' };

export async function regenerate(opts: RegenOptions): Promise<RegenReport> {
  const policy = editedPolicy(opts);
  const { root, record, answers: oldAnswers } = loadRepo(opts.cwd, opts.preset);
  refuseOtherVersion(record.version);
  const changes = Object.fromEntries(Object.entries(opts.changes ?? {}).filter(([, v]) => v !== undefined)) as Partial<Answers>;
  if (changes.name !== undefined && changes.name !== oldAnswers.name) {
    throw new UsageError(
      '--name cannot change in regen: it names the chart, the binary and their directories; generate a new repo instead',
    );
  }
  const answers: Answers = { ...oldAnswers, ...changes };
  const answersChanged = (Object.keys(answers) as (keyof Answers)[]).filter((k) => answers[k] !== oldAnswers[k]);
  // The combination must hold as at creation (questions may depend on each other).
  if (answersChanged.length > 0) resolveAnswers(answers as never, { useDefaults: false, env: {} });
  if (opts.targets.length === 0 && answersChanged.length === 0) {
    throw new UsageError('name at least one file or group to regenerate, or an answer to change (see regen --list)');
  }
  const { files: targeted, byName } = selectFiles(opts.targets, answers, root, opts.cwd);

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

  const checkout = new Checkout(root);
  const removedOnPurpose = new Set(record.removed ?? []);
  const planned = [...[...affected].sort(), ...removed.sort()].map((path) => {
    const r = rendered.get(path);
    const c: FileCase = { path, current: checkout.read(path), recorded: record.files[path], generated: r?.content };
    const rules: FileRules = {
      edited: policy ?? 'unresolved',
      once: r?.file.lifecycle === 'once',
      named: byName.has(path),
      removedOnPurpose: removedOnPurpose.has(path),
    };
    return { c, rules };
  });
  // Edited files without a flag's choice are asked about on a terminal, one by one, before anything is written.
  if (policy === undefined && opts.interactive && opts.resolve && !opts.dryRun) {
    for (const p of planned) {
      if ((await decide(p.c, p.rules))?.action !== 'conflict') continue;
      p.rules.edited = CHOSEN[await opts.resolve({ path: p.c.path, current: p.c.current!, generated: p.c.generated! })];
    }
  }
  // Merges of edited files, as update does: base = the file as generated (by its recorded blob
  // id: this version's render of the recorded answers, else git), ours = the file, theirs = now.
  const merging = planned.filter((p) => p.rules.edited === 'merge' && needsBase(p.c, p.rules));
  const bases = findBases(
    root,
    merging.map((p) => p.c.recorded!),
    merging.map((p) => renderFile(rendered.get(p.c.path)!.file, oldAnswers).content),
  );
  const decided: DecidedFile[] = [];
  for (const p of planned) {
    if (p.c.recorded !== undefined) p.c.base = bases.get(p.c.recorded);
    const whyNoBase = (id: string) => missingBase(root, p.c.path, id, GENERATOR_VERSION);
    decided.push({ case: p.c, decision: await decide(p.c, { ...p.rules, whyNoBase }) });
  }
  const plan = makePlan(checkout, record, decided, {
    answers,
    version: record.version,
    removed: [...removedOnPurpose],
    templatesDigest: thisBuildDigest(),
  });
  const of = (...a: Action[]) => plan.files.filter((f) => a.includes(f.action)).map((f) => f.path);
  const mergedPaths = new Set(merging.map((p) => p.c.path));

  const report: RegenReport = {
    root,
    files: plan.files,
    conflicts: of('conflict'),
    stale: answersChanged.length > 0 ? staleFiles(plan.files, rendered, oldAnswers, answers, answersChanged) : [],
    mergeConflicts: of('merge-conflict'),
    noBase: of('new-aside').filter((p) => mergedPaths.has(p)),
    answersChanged,
    recordChanged: plan.recordChanged,
    wrote: false,
    dryRun: Boolean(opts.dryRun),
    warnings: [],
    summary: summarize(plan.files, Boolean(opts.dryRun)),
  };
  if (report.conflicts.length > 0) throw new ConflictError(report);

  if (!opts.dryRun && plan.writes.length + plan.deletes.length > 0) {
    const failed = applyPlan(root, plan, `create-go-k8s-service ${GENERATOR_VERSION}: regen ${opts.targets.join(' ')}`.trim());
    report.wrote = true;
    if (failed) report.warnings.push(failed);
  }
  return report;
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
    stale.push({
      path: p.path,
      holds: (keys.length > 0 ? keys : changed).map((k) => ({ answer: k, was: oldAnswers[k], now: answers[k] })),
    });
  }
  return stale;
}

// `regen <file|group>...`: the CLI face of regen.ts.
import { coerce, loadAnswersFile, showValue, validateOne } from '../model/answers.js';
import { presetMessage, PresetError, type Preset } from '../presets/model/preset.js';
import type { ParsedArgs } from './cli-args.js';
import { isInteractive } from '../model/environment.js';
import { stderr, type Output } from '../plumbing/output.js';
import { QUESTIONS, type AnswerKey, type Answers } from '../model/questions.js';
import { ConflictError, listTargets, regenerate, type Conflict, type RegenReport, type Resolution } from '../engines/regen.js';
import { GROUPS } from '../model/files.js';
import { unifiedDiff } from '../plumbing/merge.js';
import { ASIDE_DIR, asidePath } from '../model/record.js';
import { planDiff, planJson, printPlan } from './plan-output.js';
import { loadRepo } from '../engines/repo.js';

/** Answers given as flags or in --answers, coerced and validated one by one. */
async function changesFrom(args: ParsedArgs): Promise<Partial<Answers>> {
  let given: Partial<Record<AnswerKey, unknown>> = {};
  if (args.flags.answersFile) given = await loadAnswersFile(args.flags.answersFile);
  given = { ...given, ...args.answers };
  const changes: Partial<Record<AnswerKey, unknown>> = {};
  for (const q of QUESTIONS) {
    if (given[q.key] === undefined) continue;
    const v = coerce(q, given[q.key]);
    validateOne(q, v);
    changes[q.key] = v;
  }
  return changes as Partial<Answers>;
}

/** A change to an answer the repo's preset locks: one line naming the flag and the preset (exit 2). */
function refuseLockedChanges(changes: Partial<Answers>, preset: Preset): void {
  const { answers } = loadRepo(process.cwd());
  for (const key of preset.locked) {
    if (changes[key] === undefined || changes[key] === answers[key]) continue;
    const flag = QUESTIONS.find((q) => q.key === key)!.flag;
    throw new PresetError(
      presetMessage(
        preset,
        `--${flag} ${showValue(changes[key])}: ${key} is locked to ${showValue(answers[key])} by this preset; leave it out`,
      ),
    );
  }
}

let prompts: typeof import('./prompts.js') | undefined;

/** Asks per conflict (the diff on request); nothing is written before every conflict has its answer. */
async function askResolution(c: Conflict): Promise<Resolution> {
  prompts ??= await import('./prompts.js');
  const { choose } = prompts;
  for (;;) {
    const choice = await choose<Resolution | 'diff'>(`${c.path} was edited since it was generated. What now?`, [
      { name: 'keep my version (skip)', value: 'skip' },
      { name: 'overwrite with the generated version', value: 'overwrite' },
      { name: 'merge the generated change into mine (3-way)', value: 'merge' },
      { name: `keep mine, write the generated version under ${ASIDE_DIR}/`, value: 'new' },
      { name: 'show the diff', value: 'diff' },
    ]);
    if (choice !== 'diff') return choice;
    stderr().write(await unifiedDiff(c.path, c.current, c.generated));
  }
}

export async function regenCommand(args: ParsedArgs, out: Output): Promise<number> {
  // Conflicts are all resolved before anything is written, and writes are atomic.
  out.interruptNote = 'nothing was written';
  try {
    // The recorded preset (or --preset, of the same version): its files, templates and patches.
    const { repoPreset } = await import('../presets/engines/preset-repo.js');
    const preset = repoPreset(process.cwd(), { override: args.flags.preset, sameVersion: true });
    if (args.flags.list) {
      const { answers, root } = loadRepo(process.cwd(), preset);
      const groups = listTargets(answers);
      if (out.isJson) out.json({ ok: true, root, groups });
      else for (const g of groups) out.info(`${g.group}\n${g.paths.map((p) => `  ${p}`).join('\n')}`);
      return 0;
    }
    const changes = await changesFrom(args);
    if (preset && preset.preset.locked.length > 0) refuseLockedChanges(changes, preset.preset);
    const report = await regenerate({
      cwd: process.cwd(),
      preset,
      // A dry run without a target looks at everything: it only shows what would change.
      targets: args.positionals.length === 0 && args.flags.dryRun ? [...GROUPS] : args.positionals,
      changes,
      force: args.flags.force,
      skipModified: args.flags.skipModified,
      merge: args.flags.merge,
      dryRun: args.flags.dryRun,
      interactive: isInteractive(),
      resolve: askResolution,
    }).finally(() => prompts?.endPrompts());
    if (report.wrote) out.interruptNote = 'the regenerated files were already written';
    const diff = args.flags.dryRun ? await planDiff(report.files) : undefined;
    if (diff) out.info(diff.replace(/\n$/, ''));
    printReport(report, out);
    const failed = attention(report);
    if (failed) out.error(failed);
    if (out.isJson)
      out.json({
        ok: !failed,
        ...(failed ? { error: failed, exitCode: 1 } : {}),
        ...jsonReport(report),
        ...(diff !== undefined ? { diff } : {}),
      });
    return failed ? 1 : 0;
  } catch (err) {
    if (err instanceof ConflictError) {
      const diff = args.flags.dryRun ? await planDiff(err.report.files) : undefined;
      if (diff) out.info(diff.replace(/\n$/, ''));
      printReport(err.report, out);
      out.error(err.message);
      if (out.isJson)
        out.json({ ok: false, error: err.message, exitCode: 1, ...jsonReport(err.report), ...(diff !== undefined ? { diff } : {}) });
      return 1;
    }
    throw err;
  }
}

/**
 * What regen did but the repo cannot stay as: edited files kept with an answer that changed
 * (the repo may not build or may break a convention), and merges left with conflict markers.
 */
function attention(r: RegenReport): string | undefined {
  const parts: string[] = [];
  if (r.stale.length > 0) {
    const held = r.stale.map(
      (s) =>
        `${s.path} still holds ${s.holds.map((h) => `--${QUESTIONS.find((q) => q.key === h.answer)?.flag ?? h.answer} ${String(h.was)} (now ${String(h.now)})`).join(', ')}`,
    );
    parts.push(
      `${r.stale.length} edited file(s) kept although an answer they depend on changed: ${held.join('; ')}. ` +
        `Merge the change in with \`regen ${r.stale.map((s) => s.path).join(' ')} --merge\`, or edit them yourself`,
    );
  }
  if (r.noBase.length > 0) {
    parts.push(
      `${r.noBase.length} file(s) could not be merged, for want of a merge base: ${r.noBase.map((p) => `${p} (see ${asidePath(p)})`).join(', ')}; merge them by hand`,
    );
  }
  if (r.mergeConflicts.length > 0) {
    parts.push(`${r.mergeConflicts.length} file(s) merged with conflict markers: ${r.mergeConflicts.join(', ')}; resolve them`);
  }
  return parts.length > 0 ? parts.join('; ') : undefined;
}

function jsonReport(r: RegenReport) {
  return {
    root: r.root,
    dryRun: r.dryRun,
    answersChanged: r.answersChanged,
    conflicts: r.conflicts,
    stale: r.stale,
    mergeConflicts: r.mergeConflicts,
    noBase: r.noBase,
    recordChanged: r.recordChanged,
    wrote: r.wrote,
    ...planJson(r.files),
    warnings: r.warnings,
  };
}

function printReport(r: RegenReport, out: Output): void {
  if (r.answersChanged.length) out.info(`answers changed: ${r.answersChanged.join(', ')}`);
  printPlan(out, r, r.summary);
}

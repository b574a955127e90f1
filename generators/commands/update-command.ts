// `update`: the CLI face of update.ts. --bot is the pull-request mode: conflict markers in place
// of files put aside, exit 3 for "updated with conflicts", nothing committed unless --commit.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError, type ParsedArgs } from './cli-args.js';
import { CommandFailed } from '../plumbing/errors.js';
import { stdout, type Output } from '../plumbing/output.js';
import { missingBaseRemedy } from '../maintenance/merge-base.js';
import { packageSource } from '../maintenance/package-source.js';
import { ASIDE_DIR, asidePath, GENERATOR_NAME } from '../model/record.js';
import { commitEverything, NotAGeneratedRepoError } from '../maintenance/repo.js';
import { update, UpdateRefused, type UpdateOptions, type UpdateReport } from '../maintenance/update.js';
import { planDiff, planJson, printPlan } from './plan-output.js';
import { shippedChangelog, updateSummary } from './update-summary.js';

/** Tests pass a newer generator's render function and version here; the CLI passes none. */
export type UpdateSeams = Pick<UpdateOptions, 'render' | 'version'>;

/** --bot: updated, but conflict markers are left for the reviewer. */
export const EXIT_CONFLICTS = 3;

export async function updateCommand(args: ParsedArgs, out: Output, seams: UpdateSeams = {}): Promise<number> {
  if (args.positionals.length > 0) throw new UsageError(`update takes no arguments (got ${args.positionals.join(' ')}); run it inside the repo`);
  if (Object.keys(args.answers).length > 0) {
    throw new UsageError('update keeps the recorded answers; change them with `regen` (e.g. regen --port 9090) before or after updating');
  }
  const { bot, commit, summary: summaryFile, dryRun } = args.flags;
  if (summaryFile === '') throw new UsageError('--summary needs a file name, or - for stdout');
  if (summaryFile === '-' && out.isJson) throw new UsageError('--summary - and --json both print on stdout: write the summary to a file');
  if (commit && dryRun) throw new UsageError('--commit and --dry-run contradict each other');
  if (args.flags.packages === '') throw new UsageError('--packages needs a directory or a registry URL');
  // The recorded preset, or --preset instead (a newer version): update merges its changes too.
  const { activateRepoPreset } = await import('../maintenance/preset-repo.js');
  activateRepoPreset(process.cwd(), { override: args.flags.preset });
  let report: UpdateReport;
  try {
    report = await update({ cwd: process.cwd(), dryRun, markNoBase: bot, packages: packageSource(args.flags.packages), ...seams });
  } catch (err) {
    if (err instanceof UpdateRefused || err instanceof NotAGeneratedRepoError) throw new CommandFailed(err.message);
    throw err;
  }

  const diff = report.dryRun ? await planDiff(report.files) : undefined;
  if (diff) out.info(diff.replace(/\n$/, ''));
  printPlan(out, report, `${report.fromVersion} → ${report.toVersion}: ${report.summary}`);

  if (summaryFile !== undefined) {
    const markdown = updateSummary(report, shippedChangelog());
    if (summaryFile === '-') stdout().write(markdown);
    else writeFileSync(resolve(summaryFile), markdown);
  }
  let committed: string | undefined;
  if (commit && report.wrote) {
    const message = `${GENERATOR_NAME}: update ${report.fromVersion} → ${report.toVersion}${report.conflicts.length ? ` (conflicts in ${report.conflicts.join(', ')})` : ''}`;
    try {
      committed = commitEverything(report.root, message);
    } catch (err) {
      throw new CommandFailed(`updated, but not committed: ${(err as Error).message}`);
    }
    out.info(`committed ${committed.slice(0, 12)}: ${message}`);
  }

  const attention = [...report.conflicts, ...report.noBase.map((p) => `${p} (see ${asidePath(p)})`)];
  let code = 0;
  let message: string | undefined;
  if (bot && attention.length > 0) {
    code = EXIT_CONFLICTS;
    out.warn(`${attention.length} file(s) left with conflict markers for the reviewer: ${attention.join(', ')}`);
  } else if (attention.length > 0) {
    code = 1;
    message =
      `${attention.length} file(s) need your merge: ${attention.join(', ')}` +
      (report.dryRun ? '' : '; resolve them and commit (`git checkout -- . && git clean -fd` undoes the whole update)') +
      (report.noBase.length > 0 ? `; without a merge base: ${missingBaseRemedy(ASIDE_DIR)}` : '');
    out.error(message);
  }
  if (out.isJson) {
    out.json({
      ok: code === 0,
      ...(message ? { error: message } : {}),
      ...(code !== 0 ? { exitCode: code } : {}),
      root: report.root,
      fromVersion: report.fromVersion,
      toVersion: report.toVersion,
      dryRun: report.dryRun,
      conflicts: report.conflicts,
      noBase: report.noBase,
      recordChanged: report.recordChanged,
      wrote: report.wrote,
      ...(committed ? { commit: committed } : {}),
      ...planJson(report.files),
      warnings: report.warnings,
      ...(diff !== undefined ? { diff } : {}),
    });
  }
  return code;
}

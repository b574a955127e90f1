// `update`: the CLI face of update.ts. --bot is the pull-request mode: conflict markers in place
// of files put aside, exit 3 for "updated with conflicts", nothing committed unless --commit.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError, type ParsedArgs } from './cli-args.js';
import { CommandFailed } from '../plumbing/errors.js';
import { stdout, type Output } from '../plumbing/output.js';
import { missingBaseRemedy } from '../engines/merge-base.js';
import { packageSource } from '../engines/package-source.js';
import { ASIDE_DIR, asidePath, GENERATOR_NAME } from '../model/record.js';
import { commitEverything, loadRepo, restoreRecordFromHead as restoreRecord } from '../engines/repo.js';
import { update, type UpdateOptions } from '../engines/update.js';
import { planDiff, planJson, printPlan } from './plan-output.js';
import { shippedChangelog, updateSummary } from './update-summary.js';

/** The preset the record names, if it can be read (update itself reports a broken record). */
function recordedPreset(cwd: string): { name: string; version: string } | undefined {
  try {
    return loadRepo(cwd).record.preset;
  } catch {
    return undefined;
  }
}

/** Tests pass a newer generator's render function and version here; the CLI passes none. */
export type UpdateSeams = Pick<UpdateOptions, 'render' | 'version' | 'migrations'>;

/** --bot: updated, but conflict markers are left for the reviewer. */
export const EXIT_CONFLICTS = 3;

export async function updateCommand(args: ParsedArgs, out: Output, seams: UpdateSeams = {}): Promise<number> {
  if (args.positionals.length > 0)
    throw new UsageError(`update takes no arguments (got ${args.positionals.join(' ')}); run it inside the repo`);
  if (Object.keys(args.answers).length > 0) {
    throw new UsageError('update keeps the recorded answers; change them with `regen` (e.g. regen --port 9090) before or after updating');
  }
  const { renovate, commit, summary: summaryFile, dryRun } = args.flags;
  const bot = args.flags.bot || renovate;
  if (renovate && commit) throw new UsageError('--renovate leaves the commit to Renovate: drop --commit');
  if (summaryFile === '') throw new UsageError('--summary needs a file name, or - for stdout');
  if (summaryFile === '-' && out.isJson) throw new UsageError('--summary - and --json both print on stdout: write the summary to a file');
  if (commit && dryRun) throw new UsageError('--commit and --dry-run contradict each other');
  if (args.flags.packages === '') throw new UsageError('--packages needs a directory or a registry URL');
  // Renovate has bumped the version in the record already; the merge base is the version HEAD records.
  if (renovate) restoreRecord(process.cwd());
  const presetBefore = recordedPreset(process.cwd());
  // The recorded preset, or --preset instead (a newer version): update merges its changes too.
  const { repoPreset } = await import('../presets/engines/preset-repo.js');
  const active = repoPreset(process.cwd(), { override: args.flags.preset });
  const presetAfter = active?.preset;
  const preset =
    presetAfter && presetBefore && presetBefore.name === presetAfter.name && presetBefore.version !== presetAfter.version
      ? { name: presetAfter.name, fromVersion: presetBefore.version, toVersion: presetAfter.version }
      : undefined;
  const report = await update({
    cwd: process.cwd(),
    preset: active,
    dryRun,
    markNoBase: bot,
    packages: packageSource(args.flags.packages),
    ...seams,
  });

  const diff = report.dryRun ? await planDiff(report.files) : undefined;
  if (diff) out.info(diff.replace(/\n$/, ''));
  const presetPart = preset ? ` (preset ${preset.name} ${preset.fromVersion} → ${preset.toVersion})` : '';
  printPlan(out, report, `${report.fromVersion} → ${report.toVersion}${presetPart}: ${report.summary}`);

  if (summaryFile !== undefined) {
    const markdown = updateSummary(report, shippedChangelog(), preset);
    if (summaryFile === '-') stdout().write(markdown);
    else {
      // .go-k8s-service/ exists only when something was put aside: the summary may be its first file.
      mkdirSync(dirname(resolve(summaryFile)), { recursive: true });
      writeFileSync(resolve(summaryFile), markdown);
    }
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
    // Renovate fails the pull request's artifacts on any non-zero exit: markers are for the review.
    code = renovate ? 0 : EXIT_CONFLICTS;
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
      ...(preset ? { preset } : {}),
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

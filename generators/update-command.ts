// `update`: the CLI face of update.ts.
import { relative } from 'node:path';
import { UsageError, type ParsedArgs } from './cli-args.js';
import { CommandFailed } from './errors.js';
import { unifiedDiff } from './merge.js';
import type { Output } from './output.js';
import { missingBaseRemedy } from './merge-base.js';
import { ASIDE_DIR, asidePath } from './record.js';
import { NotAGeneratedRepoError } from './repo.js';
import { update, UpdateRefused, type UpdateOptions, type UpdateReport } from './update.js';

/** Tests pass a newer generator's render function and version here; the CLI passes none. */
export type UpdateSeams = Pick<UpdateOptions, 'render' | 'version'>;

export async function updateCommand(args: ParsedArgs, out: Output, seams: UpdateSeams = {}): Promise<number> {
  if (args.positionals.length > 0) throw new UsageError(`update takes no arguments (got ${args.positionals.join(' ')}); run it inside the repo`);
  if (Object.keys(args.answers).length > 0) {
    throw new UsageError('update keeps the recorded answers; change them with `regen` (e.g. regen --port 9090) before or after updating');
  }
  // The recorded preset, or --preset instead (a newer version): update merges its changes too.
  const { activateRepoPreset } = await import('./preset-repo.js');
  activateRepoPreset(process.cwd(), { override: args.flags.preset });
  let report: UpdateReport;
  try {
    report = update({ cwd: process.cwd(), dryRun: args.flags.dryRun, ...seams });
  } catch (err) {
    if (err instanceof UpdateRefused || err instanceof NotAGeneratedRepoError) throw new CommandFailed(err.message);
    throw err;
  }

  let diff: string | undefined;
  if (report.dryRun) {
    const parts: string[] = [];
    for (const f of report.files) {
      if (f.action === 'new-aside') parts.push(await unifiedDiff(asidePath(f.path), undefined, f.after));
      else if (f.after !== undefined || f.action === 'delete') parts.push(await unifiedDiff(f.path, f.before, f.after));
    }
    diff = parts.join('');
    if (diff) out.info(diff.replace(/\n$/, ''));
  }
  for (const w of report.warnings) out.warn(w);
  for (const f of report.files) {
    if (f.action === 'unchanged') continue;
    out.info(`  ${f.action.padEnd(10)} ${f.path}${f.reason ? `  (${f.reason})` : ''}`);
  }
  const where = relative(process.cwd(), report.root) || '.';
  out.info(`${where}: ${report.fromVersion} → ${report.toVersion}: ${report.summary}`);

  const attention = [...report.conflicts, ...report.noBase.map((p) => `${p} (see ${asidePath(p)})`)];
  const failed = attention.length > 0;
  const message = failed
    ? `${attention.length} file(s) need your merge: ${attention.join(', ')}` +
      (report.dryRun ? '' : '; resolve them and commit (`git checkout -- . && git clean -fd` undoes the whole update)') +
      (report.noBase.length > 0 ? `; without a merge base: ${missingBaseRemedy(ASIDE_DIR)}` : '')
    : undefined;
  if (message) out.error(message);
  if (out.isJson) {
    out.json({
      ok: !failed,
      ...(message ? { error: message, exitCode: 1 } : {}),
      root: report.root,
      fromVersion: report.fromVersion,
      toVersion: report.toVersion,
      dryRun: report.dryRun,
      conflicts: report.conflicts,
      noBase: report.noBase,
      recordChanged: report.recordChanged,
      wrote: report.wrote,
      files: report.files.map(({ path, action, reason }) => ({ path, action, ...(reason ? { reason } : {}) })),
      warnings: report.warnings,
      ...(diff !== undefined ? { diff } : {}),
    });
  }
  return failed ? 1 : 0;
}

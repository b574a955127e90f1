// `remove <file>...`: the CLI face of remove.ts.
import { UsageError, type ParsedArgs } from './cli-args.js';
import { CommandFailed } from '../plumbing/errors.js';
import type { Output } from '../plumbing/output.js';
import { planJson, printPlan } from './plan-output.js';
import { RemoveRefused, removeFiles, RemoveUsageError, type RemoveReport } from '../maintenance/remove.js';
import { NotAGeneratedRepoError } from '../maintenance/repo.js';

export async function removeCommand(args: ParsedArgs, out: Output): Promise<number> {
  if (Object.keys(args.answers).length > 0 || args.flags.answersFile) {
    throw new UsageError('remove takes no answers; change them with `regen` (e.g. regen --port 9090)');
  }
  out.interruptNote = 'nothing was changed';
  let report: RemoveReport;
  try {
    report = await removeFiles({ cwd: process.cwd(), targets: args.positionals, force: args.flags.force, dryRun: args.flags.dryRun });
  } catch (err) {
    if (err instanceof RemoveUsageError) throw new UsageError(err.message);
    if (err instanceof RemoveRefused || err instanceof NotAGeneratedRepoError) throw new CommandFailed(err.message);
    throw err;
  }
  const names = report.files.map((f) => f.path).join(' ');
  printPlan(
    out,
    report,
    `${report.files.length} file(s) removed on purpose${report.dryRun ? ' (dry run: nothing written)' : ''}; ` +
      `check, regen and update leave them out; \`regen ${names}\` brings them back`,
  );
  if (out.isJson) out.json({ ok: true, root: report.root, dryRun: report.dryRun, wrote: report.wrote, recordChanged: report.recordChanged, ...planJson(report.files) });
  return 0;
}

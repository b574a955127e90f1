// `remove <file>...`: the CLI face of remove.ts.
import { UsageError, type ParsedArgs } from './cli-args.js';
import type { Output } from '../plumbing/output.js';
import { planJson, printPlan } from './plan-output.js';
import { removeFiles } from '../engines/remove.js';

export async function removeCommand(args: ParsedArgs, out: Output): Promise<number> {
  if (Object.keys(args.answers).length > 0 || args.flags.answersFile) {
    throw new UsageError('remove takes no answers; change them with `regen` (e.g. regen --port 9090)');
  }
  out.interruptNote = 'nothing was changed';
  const report = await removeFiles({ cwd: process.cwd(), targets: args.positionals, force: args.flags.force, dryRun: args.flags.dryRun });
  const names = report.files.map((f) => f.path).join(' ');
  printPlan(
    out,
    report,
    `${report.files.length} file(s) removed on purpose${report.dryRun ? ' (dry run: nothing written)' : ''}; ` +
      `check, regen and update leave them out; \`regen ${names}\` brings them back`,
  );
  if (out.isJson)
    out.json({
      ok: true,
      root: report.root,
      dryRun: report.dryRun,
      wrote: report.wrote,
      recordChanged: report.recordChanged,
      ...planJson(report.files),
    });
  return 0;
}

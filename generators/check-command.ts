// `check [directory]`: the CLI face of check.ts; exit 1 on any violation, so CI can run it.
import { relative, resolve } from 'node:path';
import { UsageError, type ParsedArgs } from './cli-args.js';
import { checkRepo, RULES } from './check.js';
import { CommandFailed } from './errors.js';
import type { Output } from './output.js';
import { NotAGeneratedRepoError } from './repo.js';

export async function checkCommand(args: ParsedArgs, out: Output): Promise<number> {
  if (args.positionals.length > 1) throw new UsageError(`check takes at most one directory, got ${args.positionals.join(' ')}`);
  if (Object.keys(args.answers).length > 0) throw new UsageError('check reads the answers from the repo\'s record; it takes no answer flags');
  let report: ReturnType<typeof checkRepo>;
  try {
    report = checkRepo(resolve(args.positionals[0] ?? '.'));
  } catch (err) {
    if (err instanceof NotAGeneratedRepoError) throw new CommandFailed(err.message);
    throw err;
  }
  const where = relative(process.cwd(), report.root) || '.';
  for (const n of report.notes) out.warn(n);
  for (const v of report.violations) out.info(`${out.style('red', '✖')} ${v.rule.padEnd(16)} ${v.message}`);
  for (const s of report.skipped) out.info(`${out.style('yellow', '-')} ${s.rule.padEnd(16)} skipped: ${s.reason}`);
  const rules = new Set(report.violations.map((v) => v.rule));
  const checked = RULES.length - new Set(report.skipped.map((s) => s.rule)).size;
  const message = `${report.violations.length} convention violation(s) in ${where}: ${[...rules].join(', ')}`;
  if (report.ok) out.info(`${out.style('green', '✔')} ${where}: all ${checked} conventions hold`);
  else out.error(message);
  if (out.isJson) {
    out.json({
      ok: report.ok,
      ...(report.ok ? {} : { error: message, exitCode: 1 }),
      root: report.root,
      violations: report.violations,
      skipped: report.skipped,
      notes: report.notes,
    });
  }
  return report.ok ? 0 : 1;
}

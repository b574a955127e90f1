// `outdated`: the CLI face of outdated.ts. Exit 1 when outdated (as npm outdated), so a
// scheduled job reads `outdated || update --bot`; 4 when the newest version cannot be looked up.
import { relative } from 'node:path';
import { UsageError, type ParsedArgs } from './cli-args.js';
import { CommandFailed } from '../plumbing/errors.js';
import type { Output } from '../plumbing/output.js';
import { outdated } from '../engines/outdated.js';
import { describeSource, packageSource, PackageUnavailable } from '../engines/package-source.js';
import { GENERATOR_NAME } from '../model/record.js';
import { NotAGeneratedRepoError } from '../engines/repo.js';

export const EXIT_OUTDATED = 1;
export const EXIT_LOOKUP_FAILED = 4;

export async function outdatedCommand(args: ParsedArgs, out: Output): Promise<number> {
  if (args.positionals.length > 0)
    throw new UsageError(`outdated takes no arguments (got ${args.positionals.join(' ')}); run it inside the repo`);
  if (Object.keys(args.answers).length > 0) throw new UsageError('outdated reads the recorded version; it takes no answer flags');
  if (args.flags.packages === '') throw new UsageError('--packages needs a directory or a registry URL');
  const source = packageSource(args.flags.packages);
  let report: Awaited<ReturnType<typeof outdated>>;
  try {
    report = await outdated(process.cwd(), source);
  } catch (err) {
    // Not a generated repo: there is nothing to compare, which is a usage mistake here (1 means "outdated").
    if (err instanceof NotAGeneratedRepoError) throw new UsageError(err.message);
    if (err instanceof PackageUnavailable)
      throw new CommandFailed(`cannot tell whether ${GENERATOR_NAME} is outdated: ${err.message}`, EXIT_LOOKUP_FAILED);
    throw err;
  }
  const where = relative(process.cwd(), report.root) || '.';
  if (report.stale) {
    const more = report.stale.count > report.stale.files.length ? ` and ${report.stale.count - report.stale.files.length} more` : '';
    out.info(
      `${where}: ${GENERATOR_NAME} is behind: the record says ${report.recorded}, but ${report.stale.count} unedited file(s) are not what it writes ` +
        `(${report.stale.files.join(', ')}${more}): the version was bumped without an update; run npx ${GENERATOR_NAME}@${report.latest} update`,
    );
  } else if (report.outdated) {
    out.info(
      `${where}: ${GENERATOR_NAME} ${report.recorded} is outdated: ${report.latest} is the newest in ${describeSource(source)} (update with: npx ${GENERATOR_NAME}@${report.latest} update)`,
    );
  } else {
    out.info(`${where}: ${GENERATOR_NAME} ${report.recorded} is up to date (the newest in ${describeSource(source)} is ${report.latest})`);
  }
  if (report.note) out.warn(report.note);
  if (out.isJson)
    out.json({
      name: report.name,
      recorded: report.recorded,
      latest: report.latest,
      outdated: report.outdated,
      ...(report.stale ? { stale: report.stale } : {}),
    });
  return report.outdated ? EXIT_OUTDATED : 0;
}

// `check [directory...] [--repos file] [--sarif file]`: the CLI face of check.ts and fleet.ts;
// exit 1 on any violation (or a directory that is not a generated repo), so CI can run it.
import { writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { UsageError, type HelpSection, type ParsedArgs } from './cli-args.js';
import { CHECK_RULES, RULES } from '../engines/check.js';
import { CommandFailed } from '../plumbing/errors.js';
import { behindText, checkFleet, readRepoList, type FleetReport, type FleetRepo } from '../engines/fleet.js';
import type { Output } from '../plumbing/output.js';
import { fleetSarif } from './sarif.js';
import { GENERATOR_VERSION } from '../model/version.js';
import { acceptance } from '../engines/waivers.js';

/** check --help: the rules, from check's table. */
export function checkHelpSections(): HelpSection[] {
  return [
    {
      title: 'Rules (a waiver in .go-k8s-service/waivers.yaml names one by its id)',
      rows: CHECK_RULES.map((r) => [r.id, r.description] as const),
    },
  ];
}

function targets(args: ParsedArgs): { dir: string; path: string }[] {
  const list = args.positionals.map((dir) => ({ dir, path: resolve(dir) }));
  const file = args.flags.repos;
  if (file !== undefined) {
    let listed: ReturnType<typeof readRepoList>;
    try {
      listed = readRepoList(resolve(file));
    } catch (err) {
      throw new UsageError(`--repos ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
    if (listed.length === 0) throw new UsageError(`--repos ${file} lists no repos (one path per line; # starts a comment)`);
    list.push(...listed);
  }
  return list.length > 0 ? list : [{ dir: '.', path: resolve('.') }];
}

function writeSarif(report: FleetReport, to: string, fleet: boolean): void {
  const text = JSON.stringify(fleetSarif(report, fleet), null, 2) + '\n';
  if (to === '-') process.stdout.write(text);
  else writeFileSync(to, text);
}

/** check's own rules that ran (preset-lock only with a preset), and the preset's conventions. */
const checkedCount = (r: FleetRepo) => {
  const skipped = new Set<string>(r.skipped.map((s) => s.rule));
  if (!r.presetRules) skipped.add('preset-lock');
  return RULES.filter((rule) => !skipped.has(rule)).length + Object.keys(r.presetRules ?? {}).length;
};
const waivedCount = (r: FleetRepo) =>
  r.waived.length > 0 ? ` (${r.waived.length} violation${r.waived.length === 1 ? '' : 's'} waived)` : '';

/** One repo, as check has always printed it: a line per violation, one error line. */
function reportOne(repo: FleetRepo, out: Output): number {
  if (repo.error) throw new CommandFailed(repo.error);
  const where = relative(process.cwd(), repo.root!) || '.';
  for (const n of repo.notes) out.warn(n);
  for (const v of repo.violations) out.info(`${out.style('red', '✖')} ${v.rule.padEnd(16)} ${v.message}`);
  for (const v of repo.waived) out.info(`${out.style('yellow', '~')} ${v.rule.padEnd(16)} waived: ${v.message} (${acceptance(v.waiver)})`);
  for (const s of repo.skipped) out.info(`${out.style('yellow', '-')} ${s.rule.padEnd(16)} skipped: ${s.reason}`);
  if (repo.stale) out.warn(behindText(repo));
  const rules = new Set(repo.violations.map((v) => v.rule));
  const message = `${repo.violations.length} convention violation(s) in ${where}: ${[...rules].join(', ')}`;
  if (repo.ok) out.info(`${out.style('green', '✔')} ${where}: all ${checkedCount(repo)} conventions hold${waivedCount(repo)}`);
  else out.error(message);
  if (out.isJson) {
    out.json({
      ok: repo.ok,
      ...(repo.ok ? {} : { error: message, exitCode: 1 }),
      root: repo.root,
      violations: repo.violations,
      waived: repo.waived,
      skipped: repo.skipped,
      notes: repo.notes,
      ...(repo.stale ? { behind: true, stale: repo.stale } : {}),
    });
  }
  return repo.ok ? 0 : 1;
}

/** A fleet: a block per repo, then one summary line. */
function reportFleet(report: FleetReport, out: Output): number {
  for (const r of report.repos) {
    if (r.error) out.info(`${out.style('red', '✖')} ${r.dir}: ${r.error}`);
    else if (r.ok) out.info(`${out.style('green', '✔')} ${r.dir}: all ${checkedCount(r)} conventions hold${waivedCount(r)}`);
    for (const v of r.violations) out.info(`${out.style('red', '✖')} ${r.dir}: ${v.rule.padEnd(16)} ${v.file}: ${v.message}`);
    for (const v of r.waived)
      out.info(`${out.style('yellow', '~')} ${r.dir}: ${v.rule.padEnd(16)} ${v.file}: waived: ${v.message} (${acceptance(v.waiver)})`);
    if (r.behind) out.info(`${out.style('yellow', '-')} ${r.dir}: ${behindText(r)}`);
    for (const n of r.notes) out.info(`${out.style('yellow', '-')} ${r.dir}: ${n}`);
  }
  const s = report.summary;
  const versions = Object.entries(s.versions)
    .map(([v, n]) => `${v} ×${n}`)
    .join(', ');
  const line =
    `${s.repos} repos: ${s.ok} hold every convention, ${s.failing} with violations, ${s.unreadable} not readable; ` +
    `${s.behind} behind the generator (${GENERATOR_VERSION}); versions: ${versions || 'none'}`;
  if (report.ok) out.info(`${out.style('green', '✔')} ${line}`);
  else out.error(line);
  if (out.isJson) out.json({ ...report, ...(report.ok ? {} : { error: line, exitCode: 1 }) });
  return report.ok ? 0 : 1;
}

export async function checkCommand(args: ParsedArgs, out: Output): Promise<number> {
  if (Object.keys(args.answers).length > 0)
    throw new UsageError("check reads the answers from the repo's record; it takes no answer flags");
  if (args.flags.sarif === '-' && args.flags.json)
    throw new UsageError('--sarif - and --json both want stdout: write the SARIF to a file (--sarif <file>)');
  const list = targets(args);
  const report = checkFleet(list);
  const fleet = list.length > 1 || args.flags.repos !== undefined;
  if (args.flags.sarif !== undefined) {
    writeSarif(report, args.flags.sarif, fleet);
  }
  return fleet ? reportFleet(report, out) : reportOne(report.repos[0]!, out);
}

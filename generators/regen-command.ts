// `regen <file|group>...`: the CLI face of regen.ts.
import { relative } from 'node:path';
import { coerce, loadAnswersFile, validateOne } from './answers.js';
import { UsageError, type ParsedArgs } from './cli-args.js';
import { CommandFailed } from './errors.js';
import { isInteractive } from './create.js';
import type { Output } from './output.js';
import { QUESTIONS, type AnswerKey, type Answers } from './questions.js';
import { ConflictError, listTargets, regenerate, UnknownTargetError, type Conflict, type RegenReport, type Resolution } from './regen.js';
import { loadRepo, NotAGeneratedRepoError } from './repo.js';

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
  if (changes.name !== undefined) {
    throw new UsageError('--name cannot change in regen: it names the chart, binary and directories; generate a new repo instead');
  }
  return changes as Partial<Answers>;
}

async function askResolution(c: Conflict): Promise<Resolution> {
  const { default: inquirer } = await import('inquirer');
  const { createTwoFilesPatch } = await import('diff');
  const prompt = inquirer.createPromptModule({ output: process.stderr });
  for (;;) {
    const { choice } = (await prompt([
      {
        type: 'list',
        name: 'choice',
        message: `${c.path} was edited since it was generated. What now?`,
        choices: [
          { name: 'keep my version (skip)', value: 'skip' },
          { name: 'overwrite with the generated version', value: 'overwrite' },
          { name: `write the generated version to ${c.path}.new`, value: 'new' },
          { name: 'show the diff', value: 'diff' },
        ],
      } as never,
    ])) as { choice: Resolution | 'diff' };
    if (choice !== 'diff') return choice;
    process.stderr.write(createTwoFilesPatch(`${c.path} (yours)`, `${c.path} (generated)`, c.current, c.generated));
  }
}

export async function regenCommand(args: ParsedArgs, out: Output): Promise<number> {
  try {
    if (args.flags.list) {
      const { answers, root } = loadRepo(process.cwd());
      const groups = listTargets(answers);
      if (out.isJson) out.json({ ok: true, root, groups });
      else for (const g of groups) out.info(`${g.group}\n${g.paths.map((p) => `  ${p}`).join('\n')}`);
      return 0;
    }
    const changes = await changesFrom(args);
    const report = await regenerate({
      cwd: process.cwd(),
      targets: args.positionals,
      changes,
      force: args.flags.force,
      skipModified: args.flags.skipModified,
      dryRun: args.flags.dryRun,
      interactive: isInteractive(),
      resolve: askResolution,
    });
    if (args.flags.dryRun) await printDiff(report, out);
    printReport(report, out);
    if (out.isJson) out.json({ ok: true, ...jsonReport(report) });
    return 0;
  } catch (err) {
    if (err instanceof ConflictError) {
      printReport(err.report, out);
      if (out.isJson) out.json({ ok: false, error: err.message, exitCode: 1, ...jsonReport(err.report) });
      out.error(err.message);
      return 1;
    }
    if (err instanceof UnknownTargetError) throw new UsageError(err.message);
    if (err instanceof NotAGeneratedRepoError) throw new CommandFailed(err.message);
    throw err;
  }
}

function jsonReport(r: RegenReport) {
  return {
    root: r.root,
    answersChanged: r.answersChanged,
    conflicts: r.conflicts,
    recordChanged: r.recordChanged,
    wrote: r.wrote,
    files: r.files.map(({ path, action, reason }) => ({ path, action, ...(reason ? { reason } : {}) })),
  };
}

function printReport(r: RegenReport, out: Output): void {
  const rel = relative(process.cwd(), r.root) || '.';
  for (const f of r.files) {
    if (f.action === 'unchanged') continue;
    out.info(`  ${f.action.padEnd(10)} ${f.path}${f.reason ? `  (${f.reason})` : ''}`);
  }
  if (r.answersChanged.length) out.info(`answers changed: ${r.answersChanged.join(', ')}`);
  if (r.summary) out.info(`${rel}: ${r.summary}`);
}

async function printDiff(r: RegenReport, out: Output): Promise<void> {
  const { createTwoFilesPatch } = await import('diff');
  for (const f of r.files) {
    if (f.action === 'update' || f.action === 'create' || f.action === 'delete') {
      out.info(createTwoFilesPatch(`a/${f.path}`, `b/${f.path}`, f.before ?? '', f.after ?? '').replace(/^=+\n/, ''));
    }
  }
}

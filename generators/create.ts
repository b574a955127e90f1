// The create command: flags and answers file → prompts (only on a terminal) → validated
// answers → plop's `service` generator (writes atomically) → post-steps → next steps.
import { basename, relative, resolve } from 'node:path';
import { AnswerError, MissingAnswersError, loadAnswersFile, resolveAnswers } from './answers.js';
import type { ParsedArgs } from './cli-args.js';
import { UsageError } from './cli-args.js';
import { detectEnvironment } from './environment.js';
import type { Output } from './output.js';
import { runPostSteps, type PostStepResult } from './post-steps.js';
import { QUESTIONS, type AnswerKey, type Answers } from './questions.js';
import { planProject } from './scaffold.js';
import { blockingEntries, TargetNotEmptyError } from './write.js';
import { CONTEXT_KEY, registerGenerators, type CreateContext } from './plop-generators.js';

export function isInteractive(): boolean {
  return Boolean(process.stdin.isTTY && process.stderr.isTTY) && !process.env.CI;
}

/** How the user runs us, for the next-steps text. */
function runner(): string {
  const agent = process.env.npm_config_user_agent ?? '';
  if (agent.startsWith('pnpm')) return 'pnpm create go-k8s-service';
  if (agent.startsWith('yarn')) return 'yarn create go-k8s-service';
  if (agent.startsWith('bun')) return 'bun create go-k8s-service';
  if (agent.startsWith('npm')) return 'npm create go-k8s-service --';
  return 'npx create-go-k8s-service';
}

export async function createCommand(args: ParsedArgs, out: Output): Promise<number> {
  if (args.positionals.length > 1) throw new UsageError(`expected at most one target directory, got ${args.positionals.length}: ${args.positionals.join(' ')}`);
  const env = detectEnvironment();
  let given: Partial<Record<AnswerKey, unknown>> = {};
  if (args.flags.answersFile) given = await loadAnswersFile(args.flags.answersFile);
  given = { ...given, ...args.answers };

  let dirArg = args.positionals[0];
  if (given.name === undefined && dirArg !== undefined) {
    const fromDir = basename(resolve(dirArg));
    const name = QUESTIONS[0]!;
    const broken = name.rule(fromDir as never);
    if (broken) {
      throw new AnswerError(name, fromDir, `${broken} (taken from the directory name; pass --name to choose another)`);
    }
    given.name = fromDir;
  }

  const interactive = isInteractive() && !args.flags.yes;
  if (interactive) {
    const { askQuestions } = await import('./prompts.js');
    // Validate what flags gave before asking anything else.
    resolvePartial(given, env);
    given = await askQuestions(given, env);
  } else if (!args.flags.yes) {
    const missing = QUESTIONS.filter((q) => given[q.key] === undefined && (!q.when || q.when(given as Partial<Answers>)));
    if (missing.length > 0) throw new MissingAnswersError(missing);
  } else if (given.name === undefined) {
    throw new MissingAnswersError([QUESTIONS[0]!]);
  }
  const answers = resolveAnswers(given, { useDefaults: true, env });
  dirArg ??= answers.name;
  const directory = resolve(dirArg);
  const shown = relative(process.cwd(), directory) || '.';

  const blocking = blockingEntries(directory);
  if (blocking.length > 0 && !args.flags.force) throw new TargetNotEmptyError(shown, blocking);

  const plan = planProject(answers);
  if (args.flags.dryRun) {
    out.info(`Would write ${plan.length} files into ${shown}${blocking.length ? ' (overwriting files with the same names)' : ''}:`);
    for (const f of plan) out.info(`  ${f.path}`);
    if (out.isJson) out.json({ ok: true, dryRun: true, directory, files: plan.map((f) => f.path), answers, postSteps: [] });
    return 0;
  }

  if (interactive) {
    const { confirmSummary } = await import('./prompts.js');
    if (!(await confirmSummary(answers, shown, plan.length))) {
      out.info('Nothing written.');
      return 1;
    }
  }

  const ctx: CreateContext = { answers, directory, force: args.flags.force };
  const { default: nodePlop } = await import('node-plop');
  const plop = await nodePlop('', { destBasePath: process.cwd(), force: false });
  registerGenerators(plop);
  const { failures } = await plop.getGenerator('service').runActions({ [CONTEXT_KEY]: ctx });
  if (ctx.error) throw ctx.error;
  if (failures.length > 0 || !ctx.result) throw new Error(`generation failed: ${failures.map((f) => f.error).join('; ')}`);

  out.info(`${out.style('green', '✔')} Wrote ${ctx.result.files.length} files into ${shown}`);
  const postSteps: PostStepResult[] = await withProgress(out, (progress) =>
    runPostSteps(directory, { git: args.flags.git, install: args.flags.install, progress }),
  );
  for (const s of postSteps) if (s.status === 'failed') out.warn(s.detail ?? s.name);

  if (out.isJson) {
    out.json({ ok: true, directory, files: ctx.result.files, answers, postSteps });
  }
  out.info(nextSteps(shown, answers, postSteps));
  return 0;
}

function resolvePartial(given: Partial<Record<AnswerKey, unknown>>, env: ReturnType<typeof detectEnvironment>): void {
  try {
    resolveAnswers(given, { useDefaults: false, env });
  } catch (err) {
    if (!(err instanceof MissingAnswersError)) throw err;
  }
}

async function withProgress<T>(out: Output, fn: (progress: (m: string) => void) => Promise<T>): Promise<T> {
  if (!process.stderr.isTTY || out.isJson) return fn((m) => process.stderr.write(`${m}\n`));
  const { createSpinner } = await import('nanospinner');
  let spinner: ReturnType<typeof createSpinner> | undefined;
  try {
    return await fn((m) => {
      spinner?.success();
      spinner = createSpinner(m, { stream: process.stderr }).start();
    });
  } finally {
    spinner?.success();
  }
}

function nextSteps(dir: string, a: Answers, steps: PostStepResult[]): string {
  const lines = ['', 'Next steps:'];
  if (dir !== '.') lines.push(`  cd ${dir}`);
  if (steps.find((s) => s.name === 'go-mod-download')?.status !== 'done') lines.push('  go mod download');
  lines.push('  make test          # go test -race with coverage');
  lines.push(`  make run           # serves http://localhost:${a.port}/healthz and /ready`);
  lines.push('  make help          # every target: build, lint, docker-build, helm-lint, …');
  lines.push('', `Later, regenerate a file or group from the recorded answers: ${runner()} regen dockerfile`);
  return lines.join('\n');
}

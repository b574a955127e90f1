// The create command: flags and answers file → prompts (only on a terminal) → validated
// answers → the engine (engines/create.ts: writes atomically) → post-steps → next steps.
import { existsSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { AnswerError, MissingAnswersError, loadAnswersFile, resolveAnswers } from '../model/answers.js';
import type { ParsedArgs } from './cli-args.js';
import { UsageError } from './cli-args.js';
import { detectEnvironment, isInteractive } from '../model/environment.js';
import { createProgress, shellWord, type Output } from '../plumbing/output.js';
import { planPostSteps, runPostSteps, STEPS, unfinishedNote, type PostStepName, type PostStepResult } from '../plumbing/post-steps.js';
import { QUESTIONS, type AnswerKey, type Answers, type Environment, type Question } from '../model/questions.js';
import { projectPaths } from '../render/scaffold.js';
import { blockingEntries, isNotDirectory, TargetNotEmptyError } from '../plumbing/write.js';
import { writeGitopsStarter, writeNewRepo } from '../engines/create.js';
import { withPreset, type ActivePreset } from '../presets/model/preset.js';
import { GENERATOR_VERSION } from '../model/version.js';

const NAME: Question = QUESTIONS.find((q) => q.key === 'name')!;

/** How to run this very version again: a bare name would run the newest release, which refuses
 * a repo of another version. */
const pinnedRunner = (): string => `npx create-go-k8s-service@${GENERATOR_VERSION}`;

/** The prompts module, once a prompt was shown (its end gives stdin back). */
let prompts: typeof import('./prompts.js') | undefined;
const loadPrompts = async () => (prompts ??= await import('./prompts.js'));

export async function createCommand(args: ParsedArgs, out: Output): Promise<number> {
  try {
    return await create(args, out);
  } finally {
    prompts?.endPrompts();
  }
}

async function create(args: ParsedArgs, out: Output): Promise<number> {
  out.interruptNote = 'nothing was written';
  if (args.positionals.length > 1)
    throw new UsageError(`expected at most one target directory, got ${args.positionals.length}: ${args.positionals.join(' ')}`);
  // resolve('') is the current directory: an empty argument (an unset shell variable) must not mean it.
  if (args.positionals[0] === '')
    throw new UsageError('the target directory is empty (""): name a directory, or leave it out to use ./<name>');
  const env = detectEnvironment();
  // `npm create go-k8s-service demo --yes` (no `--`): npm keeps --yes and says so in the environment.
  const yes = args.flags.yes || process.env.npm_config_yes === 'true';
  const interactive = isInteractive() && !yes;

  // A preset (preset-create.ts): its defaults and locks apply to everything below.
  if (args.flags.set.length > 0 && !args.flags.preset) throw new UsageError('--set answers a question of a preset: pass --preset too');
  const presets = args.flags.preset ? await import('../presets/cli/preset-create.js') : undefined;
  const preset = presets?.startPreset(args.flags.preset, args.flags.set);
  const withDefaults: ActivePreset | undefined = preset && { preset: preset.preset, answers: {} };

  let given: Partial<Record<AnswerKey, unknown>> = {};
  let fromFile = new Set<AnswerKey>();
  if (args.flags.answersFile) {
    given = await loadAnswersFile(
      args.flags.answersFile,
      preset && { keys: preset.preset.questions.map((q) => q.key), into: preset.fromFile },
    );
    fromFile = new Set(Object.keys(given) as AnswerKey[]);
  }
  for (const k of Object.keys(args.answers) as AnswerKey[]) fromFile.delete(k);
  given = { ...given, ...args.answers };
  const locked =
    preset &&
    presets!.takeLocked(preset.preset, given, (k) => {
      const q = QUESTIONS.find((x) => x.key === k)!;
      return fromFile.has(k) ? `${k} in ${args.flags.answersFile}` : `--${q.flag}`;
    });
  const refuseLocked = (a: Answers) => preset && presets!.refuseLocked(preset.preset, locked!, a);
  // Name the file a bad value came from: the flag alone would point the user at the command line.
  const blame = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      if (err instanceof AnswerError && fromFile.has(err.question.key)) {
        throw new AnswerError(err.question, err.value, `${err.rule} (in ${args.flags.answersFile})`);
      }
      throw err;
    }
  };

  const dirArg = args.positionals[0];
  if (given.name === undefined && dirArg !== undefined) {
    const fromDir = basename(resolve(dirArg));
    const broken = NAME.rule(fromDir as never);
    if (!broken) given.name = fromDir;
    else if (interactive) out.info(`${JSON.stringify(fromDir)} cannot be the service name: it ${broken}.`);
    else throw new AnswerError(NAME, fromDir, `${broken} (taken from the directory name; pass --name to choose another)`);
  }
  // Bad values win over missing ones: they are the more specific mistake.
  blame(() => validateGiven(given, env));
  if (locked?.size && given.name !== undefined)
    refuseLocked(blame(() => resolveAnswers(given, { useDefaults: true, env, preset: withDefaults })));

  const targetOf = (name: string) => resolve(dirArg ?? name);
  // --force writes into a directory, never over a file.
  const notEmpty = (dir: string) => (args.flags.force && !isNotDirectory(dir) ? [] : blockingEntries(dir));
  // Refuse a taken directory before asking anything that would be in vain.
  if (dirArg !== undefined && notEmpty(resolve(dirArg)).length > 0) {
    throw new TargetNotEmptyError(shownPath(resolve(dirArg)), notEmpty(resolve(dirArg)));
  }

  const extraChecks = {
    name: (name: unknown) => {
      const blocking = notEmpty(targetOf(String(name)));
      return blocking.length
        ? `${shownPath(targetOf(String(name)))} is not empty (${blocking.slice(0, 3).join(', ')}): choose another name, or pass --force`
        : undefined;
    },
  };
  if (interactive) {
    given = await (await loadPrompts()).askQuestions(given, env, extraChecks, withDefaults);
  } else if (!yes) {
    const missing = QUESTIONS.filter((q) => given[q.key] === undefined && (!q.when || q.when(given as Partial<Answers>)));
    if (missing.length > 0) throw Object.assign(new MissingAnswersError(missing), { directory: dirArg });
  } else if (given.name === undefined) {
    throw Object.assign(new MissingAnswersError([NAME]), { directory: dirArg, withYes: true });
  }
  let answers = blame(() => resolveAnswers(given, { useDefaults: true, env, preset: withDefaults }));
  refuseLocked(answers);
  const presetAnswers = preset && (await presets!.presetAnswers(preset, { interactive, yes, answersFile: args.flags.answersFile }));
  /** Where the answers put the repo, and what is in the way. */
  const placeOf = (a: Answers) => {
    const directory = targetOf(a.name);
    const blocking = blockingEntries(directory);
    if (blocking.length > 0 && (!args.flags.force || isNotDirectory(directory)))
      throw new TargetNotEmptyError(shownPath(directory), blocking);
    // Only the paths: the files are rendered once, by the generator that writes them.
    return { directory, shown: shownPath(directory), blocking, plan: projectPaths(a) };
  };
  let { directory, shown, blocking, plan } = placeOf(answers);
  // The environment repository starter: refused before anything is written.
  const starter = args.flags.gitopsRepoStarter;
  const refuseStarter = (a: Answers) => {
    if (starter === undefined) return;
    if (a.deploy !== 'gitops') throw new UsageError('--gitops-repo-starter needs --deploy gitops');
    const taken = blockingEntries(resolve(starter));
    if (taken.length > 0) throw new TargetNotEmptyError(shownPath(resolve(starter)), taken);
  };
  refuseStarter(answers);
  if (args.flags.dryRun) {
    // With --force: which of the files are there already and would be replaced.
    const replaces = blocking.length ? plan.filter((p) => existsSync(join(directory, p))) : [];
    const replacing = replaces.length
      ? ` (${replaces.length} of them ${replaces.length === 1 ? 'exists' : 'exist'} and would be replaced)`
      : '';
    out.info(`Would write ${plan.length} files into ${shown}${replacing}:`);
    for (const p of plan) out.info(`  ${p}${replaces.includes(p) ? ' (exists: would be replaced)' : ''}`);
    if (out.isJson) out.json({ ok: true, dryRun: true, directory, files: plan, replaces, answers, postSteps: [] });
    return 0;
  }

  if (interactive) {
    const { confirmSummary, editAnswer, endPrompts } = await loadPrompts();
    for (;;) {
      const choice = await confirmSummary(answers, shown, plan.length, blocking.length > 0);
      if (choice === 'write') break;
      if (choice === 'cancel') {
        out.info('Nothing written.');
        return 1;
      }
      answers = resolveAnswers(await editAnswer(answers, env, extraChecks), { useDefaults: true, env, preset: withDefaults });
      ({ directory, shown, blocking, plan } = placeOf(answers));
    }
    endPrompts();
    // An edit at the summary may have turned deploy away from gitops.
    refuseStarter(answers);
  }

  if (preset) answers = withPreset(answers, presets!.withAnswers(preset, presetAnswers!, directory));
  const result = await writeNewRepo(answers, directory, { force: args.flags.force });
  out.info(`${out.style('green', '✔')} Wrote ${result.files.length} files into ${shown}`);
  if (starter !== undefined) {
    const count = writeGitopsStarter(answers, starter);
    out.info(`${out.style('green', '✔')} Wrote the environment repository starter (${count} files) into ${shownPath(resolve(starter))}`);
  }
  // Decided before any step runs, so that Ctrl-C can name every step that did not run.
  const cd = shown === '.' ? undefined : shellWord(shown);
  out.interruptNote = unfinishedNote(shown, cd, [], false);
  const stepPlan = await planPostSteps(directory, { git: args.flags.git, install: args.flags.install });
  out.interruptNote = unfinishedNote(shown, cd, stepPlan.run, false);
  const progress = createProgress();
  let postSteps: PostStepResult[];
  try {
    const onStep = (step: PostStepName, later: PostStepName[]) => {
      out.interruptNote = unfinishedNote(shown, cd, [step, ...later], true);
      progress.step(STEPS[step].progress);
    };
    postSteps = await runPostSteps(directory, { git: args.flags.git, install: args.flags.install, onStep }, stepPlan);
  } finally {
    progress.stop();
  }
  out.interruptNote = unfinishedNote(shown, cd, [], false);
  for (const s of postSteps) {
    if (s.status === 'failed') out.warn(s.detail ?? s.name);
    else if (s.status === 'done') out.info(`${out.style('green', '✔')} ${DONE[s.name]}`);
    else if (s.enclosingWorkTree) {
      out.info(
        `${out.style('yellow', '!')} No git init: ${shown} is inside the git work tree at ${s.enclosingWorkTree}, and a repository inside another is rarely meant; ` +
          `for one of its own anyway: ${cd ? `cd ${cd} && ` : ''}${STEPS.git.command}`,
      );
    }
  }

  if (out.isJson) {
    out.json({ ok: true, directory, files: result.files, answers, postSteps });
  }
  out.info(nextSteps(shown, answers, postSteps));
  return 0;
}

const DONE: Record<PostStepResult['name'], string> = {
  'go-mod-download': 'Downloaded the Go modules',
  git: 'Created a git repository with a first commit',
};

function shownPath(dir: string): string {
  const rel = relative(process.cwd(), dir);
  if (rel === '') return '.';
  return rel.startsWith('..') ? dir : rel;
}

/** Checks the values given (flags, file, directory name) before anything is asked. */
function validateGiven(given: Partial<Record<AnswerKey, unknown>>, env: Environment): void {
  try {
    resolveAnswers(given, { useDefaults: false, env });
  } catch (err) {
    if (!(err instanceof MissingAnswersError)) throw err;
  }
}

function nextSteps(dir: string, a: Answers, steps: PostStepResult[]): string {
  const lines = ['', 'Next steps:'];
  if (dir !== '.') lines.push(`  cd ${shellWord(dir)}`);
  const git = steps.find((s) => s.name === 'git');
  if (git?.status === 'failed') lines.push(`  ${STEPS.git.command}`);
  if (git?.enclosingWorkTree) lines.push(`  git add . && git commit -m "Add ${a.name}"   # in the repository at ${git.enclosingWorkTree}`);
  if (steps.find((s) => s.name === 'go-mod-download')?.status !== 'done') lines.push(`  ${STEPS['go-mod-download'].command}`);
  lines.push('  make test          # go test -race with coverage');
  lines.push(`  make run           # serves http://localhost:${a.port}/healthz and /ready`);
  lines.push('  make help          # every target: build, lint, docker-build, helm-lint, …');
  lines.push('', `Later, regenerate a file or group from the recorded answers: ${pinnedRunner()} regen dockerfile`);
  return lines.join('\n');
}

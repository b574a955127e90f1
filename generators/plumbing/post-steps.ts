// Steps after writing: go mod download, git init with a first commit. Each is optional;
// a missing git or go is a warning that names the command to run later, never a failure.
// Inside another repository's work tree there is no git init: a nested repository would
// hide the new files from the enclosing one, which is rarely what was meant.
import { realpathSync } from 'node:fs';

export type PostStepName = 'go-mod-download' | 'git';

export interface PostStepResult {
  name: PostStepName;
  status: 'done' | 'skipped' | 'failed';
  /** Why it was skipped or failed, and what to run instead. */
  detail?: string;
  /** git skipped because the repo lies inside this work tree. */
  enclosingWorkTree?: string;
}

interface StepInfo {
  /** What the step does, in a sentence ("git init and the first commit did not run"). */
  what: string;
  /** Progress line while it runs. */
  progress: string;
  /** The shell command that does it by hand, run in the repo. */
  command: string;
}

export const STEPS: Record<PostStepName, StepInfo> = {
  'go-mod-download': {
    what: 'go mod download',
    progress: 'Downloading Go modules (go mod download)…',
    command: 'go mod download',
  },
  git: {
    what: 'git init and the first commit',
    progress: 'Creating a git repository with a first commit…',
    command: 'git init && git add -A && git commit -m "Initial commit"',
  },
};

export interface PostStepOptions {
  git: boolean;
  install: boolean;
  /** A step starts; `later` are the steps planned after it. */
  onStep?: (step: PostStepName, later: PostStepName[]) => void;
}

export interface PostStepPlan {
  /** The steps that will run, in order. */
  run: PostStepName[];
  /** Steps that will not run, and why. */
  skipped: PostStepResult[];
}

async function run(cmd: string, args: string[], cwd: string, env?: NodeJS.ProcessEnv): Promise<void> {
  const { execa } = await import('execa');
  try {
    await execa(cmd, args, { cwd, env, stdin: 'ignore' });
  } catch (err) {
    // A terminal's Ctrl-C reaches the step and us at once, and the step may be reported dead
    // first: give cli.ts's handler the moment it needs to end the run naming this step,
    // rather than start the next one. (A step killed by someone else is a failure after that.)
    if ((err as { signal?: string }).signal === 'SIGINT') await new Promise((r) => setTimeout(r, 1000));
    throw err;
  }
}

function describe(err: unknown): string {
  const e = err as { code?: string; shortMessage?: string; stderr?: string; message?: string };
  if (e.code === 'ENOENT') return 'not installed';
  const stderr = e.stderr?.trim().split('\n').pop();
  return stderr || e.shortMessage || e.message || String(err);
}

/** The top of the git work tree that holds dir, when that is not dir itself (no git: none). */
export async function enclosingWorkTree(dir: string): Promise<string | undefined> {
  const { execa } = await import('execa');
  const r = await execa('git', ['rev-parse', '--show-toplevel'], { cwd: dir, reject: false, stdin: 'ignore' });
  if (r.failed || r.exitCode !== 0 || !r.stdout.trim()) return undefined;
  const top = r.stdout.trim();
  try {
    return realpathSync(top) === realpathSync(dir) ? undefined : top;
  } catch {
    return undefined;
  }
}

/** Which steps will run; decided before any runs, so an interrupted run can name the rest. */
export async function planPostSteps(dir: string, opts: Pick<PostStepOptions, 'git' | 'install'>): Promise<PostStepPlan> {
  const plan: PostStepPlan = { run: [], skipped: [] };
  if (opts.install) plan.run.push('go-mod-download');
  else plan.skipped.push({ name: 'go-mod-download', status: 'skipped', detail: '--no-install' });
  if (!opts.git) {
    plan.skipped.push({ name: 'git', status: 'skipped', detail: '--no-git' });
  } else {
    const top = await enclosingWorkTree(dir);
    if (top) plan.skipped.push({ name: 'git', status: 'skipped', detail: `inside the git work tree at ${top}`, enclosingWorkTree: top });
    else plan.run.push('git');
  }
  return plan;
}

export async function runPostSteps(dir: string, opts: PostStepOptions, plan?: PostStepPlan): Promise<PostStepResult[]> {
  const { run: steps, skipped } = plan ?? (await planPostSteps(dir, opts));
  const results: PostStepResult[] = [];
  for (const [i, name] of steps.entries()) {
    opts.onStep?.(name, steps.slice(i + 1));
    results.push(name === 'git' ? await gitInit(dir) : await goModDownload(dir));
  }
  // Results in one order whatever ran: go-mod-download, then git.
  const order: PostStepName[] = ['go-mod-download', 'git'];
  return [...results, ...skipped].sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
}

async function goModDownload(dir: string): Promise<PostStepResult> {
  try {
    await run('go', ['mod', 'download'], dir);
    return { name: 'go-mod-download', status: 'done' };
  } catch (err) {
    return {
      name: 'go-mod-download',
      status: 'failed',
      detail: `go: ${describe(err).replace(/^go: /, '')}; run \`${STEPS['go-mod-download'].command}\` in ${dir} later`,
    };
  }
}

async function gitInit(dir: string): Promise<PostStepResult> {
  try {
    await run('git', ['init', '--quiet'], dir);
    await run('git', ['add', '--all'], dir);
    // An identity is only supplied when the user has none configured.
    const env = {
      GIT_AUTHOR_NAME: process.env.GIT_AUTHOR_NAME ?? (await gitConfig(dir, 'user.name')) ?? 'create-go-k8s-service',
      GIT_AUTHOR_EMAIL: process.env.GIT_AUTHOR_EMAIL ?? (await gitConfig(dir, 'user.email')) ?? 'create-go-k8s-service@localhost',
    };
    await run('git', ['commit', '--quiet', '--no-verify', '-m', 'Initial commit from create-go-k8s-service'], dir, {
      ...env,
      GIT_COMMITTER_NAME: process.env.GIT_COMMITTER_NAME ?? env.GIT_AUTHOR_NAME,
      GIT_COMMITTER_EMAIL: process.env.GIT_COMMITTER_EMAIL ?? env.GIT_AUTHOR_EMAIL,
    });
    return { name: 'git', status: 'done' };
  } catch (err) {
    return { name: 'git', status: 'failed', detail: `git: ${describe(err)}; run \`${STEPS.git.command}\` in ${dir} later` };
  }
}

async function gitConfig(dir: string, key: string): Promise<string | undefined> {
  const { execa } = await import('execa');
  const r = await execa('git', ['config', '--get', key], { cwd: dir, reject: false, stdin: 'ignore' });
  return r.exitCode === 0 && r.stdout.trim() ? r.stdout.trim() : undefined;
}

/**
 * For the line printed when Ctrl-C stops the run after the files were written: which step did
 * not finish (`started`: the first of `steps` was running), which never ran, and the commands
 * that finish the job (`cd` first when the repo is not the current directory).
 */
export function unfinishedNote(shownDir: string, cdWord: string | undefined, steps: readonly PostStepName[], started: boolean): string {
  const complete = `the files in ${shownDir} are complete`;
  if (steps.length === 0) return complete;
  const [first, ...rest] = steps as [PostStepName, ...PostStepName[]];
  const what = (names: readonly PostStepName[]) => names.map((s) => STEPS[s].what).join(' and ');
  const status = started
    ? `${STEPS[first].what} did not finish${rest.length ? ` and ${what(rest)} did not run` : ''}`
    : `${what(steps)} did not run`;
  const commands = [...(cdWord ? [`cd ${cdWord}`] : []), ...steps.map((s) => STEPS[s].command)];
  return `${complete}, but ${status}; to finish: ${commands.join(' && ')}`;
}

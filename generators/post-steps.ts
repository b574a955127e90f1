// Steps after writing: git init with a first commit, go mod download. Each is optional;
// a missing git or go is a warning that names the command to run later, never a failure.

export interface PostStepResult {
  name: 'git' | 'go-mod-download';
  status: 'done' | 'skipped' | 'failed';
  /** Why it was skipped or failed, and what to run instead. */
  detail?: string;
}

export interface PostStepOptions {
  git: boolean;
  install: boolean;
  /** Progress lines for slow steps (stderr in the CLI). */
  progress?: (message: string) => void;
}

async function run(cmd: string, args: string[], cwd: string, env?: NodeJS.ProcessEnv): Promise<void> {
  const { execa } = await import('execa');
  await execa(cmd, args, { cwd, env, stdin: 'ignore' });
}

function describe(err: unknown): string {
  const e = err as { code?: string; shortMessage?: string; stderr?: string; message?: string };
  if (e.code === 'ENOENT') return 'not installed';
  const stderr = e.stderr?.trim().split('\n').pop();
  return stderr || e.shortMessage || e.message || String(err);
}

export async function runPostSteps(dir: string, opts: PostStepOptions): Promise<PostStepResult[]> {
  const results: PostStepResult[] = [];
  if (opts.install) {
    opts.progress?.('Downloading Go modules (go mod download)…');
    try {
      await run('go', ['mod', 'download'], dir);
      results.push({ name: 'go-mod-download', status: 'done' });
    } catch (err) {
      results.push({ name: 'go-mod-download', status: 'failed', detail: `go: ${describe(err)}; run \`go mod download\` in ${dir} later` });
    }
  } else {
    results.push({ name: 'go-mod-download', status: 'skipped', detail: '--no-install' });
  }
  if (opts.git) {
    opts.progress?.('Creating a git repository with a first commit…');
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
      results.push({ name: 'git', status: 'done' });
    } catch (err) {
      results.push({ name: 'git', status: 'failed', detail: `git: ${describe(err)}; run \`git init && git add -A && git commit\` in ${dir} later` });
    }
  } else {
    results.push({ name: 'git', status: 'skipped', detail: '--no-git' });
  }
  return results;
}

async function gitConfig(dir: string, key: string): Promise<string | undefined> {
  const { execa } = await import('execa');
  const r = await execa('git', ['config', '--get', key], { cwd: dir, reject: false, stdin: 'ignore' });
  return r.exitCode === 0 && r.stdout.trim() ? r.stdout.trim() : undefined;
}

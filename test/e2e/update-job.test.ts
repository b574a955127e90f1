// The scheduled generator update (--update-job), for teams without self-hosted Renovate.
// actionlint and GitLab's schema judge the files in supply-chain.test.ts (on and off); here:
// - read back: GitHub runs on schedule and by hand only, reads the repository by default and
//   writes contents and pull requests in its one job, actions pinned by commit; GitLab runs the
//   job only in scheduled pipelines, and no release job runs in them; off, neither exists;
// - run for real, with the generator (npx), gh, curl and git's push stubbed, in a git repo with
//   a remote: up to date does nothing; outdated updates, pushes the fixed branch and opens one
//   pull/merge request with the summary as its body; the next run refreshes that one; update
//   conflicts are said in the title; a failing `outdated` or `update` fails the job with its code.
import { execa } from 'execa';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parse as parseYaml } from 'yaml';
import type { Answers } from '../../generators/model/questions.js';
import { runCli } from '../support/cli.js';
import { answersFor, generate } from '../support/generate.js';

const GH_FILE = '.github/workflows/generator-update.yml';
const GL_FILE = '.gitlab-ci.yml';
const BRANCH = 'create-go-k8s-service/update';
const NEW_VERSION = '9.9.9';
const SUMMARY = '## create-go-k8s-service 0.2.0 → 9.9.9\n\n| file | outcome |\n|---|---|\n| Makefile | merged |\n';

const scratch = mkdtempSync(join(tmpdir(), 'cgks-update-job-'));
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));

function write(path: string, text: string, mode?: number): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  if (mode) chmodSync(path, mode);
  return path;
}
const read = (dir: string, path: string) => readFileSync(join(dir, path), 'utf8');

async function git(dir: string, ...args: string[]): Promise<string> {
  const r = await execa('git', args, { cwd: dir, env: { GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' } });
  return r.stdout;
}

/** A generated repo, committed on main, with a bare remote `origin` holding main. */
async function repoWithRemote(overrides: Partial<Answers>): Promise<{ dir: string; remote: string; answers: Answers }> {
  const dir = generate(overrides, 'cgks-update-job-');
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  const answers = answersFor(overrides);
  write(
    join(dir, '.go-k8s-service.json'),
    JSON.stringify({ generator: 'create-go-k8s-service', version: '0.2.0', answers }, null, 2) + '\n',
  );
  const remote = mkdtempSync(join(scratch, 'remote-'));
  await git(remote, 'init', '-q', '--bare', '-b', 'main');
  await git(dir, 'init', '-q', '-b', 'main');
  await git(dir, '-c', 'user.name=t', '-c', 'user.email=t@example.com', 'add', '-A');
  await git(dir, '-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'generated');
  await git(dir, 'remote', 'add', 'origin', remote);
  await git(dir, 'push', '-q', 'origin', 'main');
  return { dir, remote, answers };
}

/**
 * Stubs on PATH: npx plays the generator (`outdated` exits STUB_OUTDATED; `update --bot --summary F`
 * edits the Makefile, records NEW_VERSION, writes SUMMARY to F and exits STUB_UPDATE); gh and curl
 * log their arguments (gh `pr list` prints STUB_PR, curl GET prints STUB_MRS); git logs `push`
 * and runs the real git for everything else (GitLab's push goes to an https URL).
 */
function stubs(opts: { interceptPush: boolean }): { bin: string; log: string } {
  // Outside the repo: the job commits everything it finds there.
  const home = mkdtempSync(join(scratch, 'stubs-'));
  const bin = join(home, 'bin');
  const log = join(home, 'calls.log');
  write(
    join(bin, 'npx'),
    `#!/bin/sh
printf 'npx %s\\n' "$*" >> "$STUB_LOG"
case "$*" in
  "--yes create-go-k8s-service@latest outdated") exit "$STUB_OUTDATED" ;;
  "--yes create-go-k8s-service@latest update --bot --summary "*)
    for last; do :; done
    printf '# bot edit\\n' >> Makefile
    sed -i 's/"version": "[^"]*"/"version": "${NEW_VERSION}"/' .go-k8s-service.json
    printf '%s' "$STUB_SUMMARY" > "$last"
    exit "$STUB_UPDATE" ;;
  *) echo "stub npx: unexpected $*" >&2; exit 99 ;;
esac
`,
    0o755,
  );
  write(
    join(bin, 'gh'),
    `#!/bin/sh
printf 'gh %s\\n' "$*" >> "$STUB_LOG"
for a; do if [ "$prev" = --body-file ]; then cp "$a" "$STUB_LOG.body"; fi; prev=$a; done
case "$1 $2" in "pr list") printf '%s\\n' "$STUB_PR" ;; esac
`,
    0o755,
  );
  write(
    join(bin, 'curl'),
    `#!/bin/sh
printf 'curl %s\\n' "$*" | tr '\\n' ' ' >> "$STUB_LOG"; echo >> "$STUB_LOG"
method=GET
for a; do
  case "$prev" in --request) method=$a ;; --data) printf '%s' "$a" > "$STUB_LOG.body" ;; esac
  prev=$a
done
if [ "$method" = GET ]; then printf '%s' "$STUB_MRS"; else printf '{}'; fi
`,
    0o755,
  );
  if (opts.interceptPush) {
    write(
      join(bin, 'git'),
      `#!/bin/sh
if [ "$1" = push ]; then printf 'git %s\\n' "$*" >> "$STUB_LOG"; exit 0; fi
exec ${JSON.stringify(process.env.GIT_BIN ?? '/usr/bin/git')} "$@"
`,
      0o755,
    );
  }
  return { bin, log };
}

interface Run {
  code: number;
  output: string;
  calls: string[];
  body: string;
}
const calls = (log: string) =>
  existsSync(log)
    ? readFileSync(log, 'utf8')
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean)
    : [];
const body = (log: string) => (existsSync(`${log}.body`) ? readFileSync(`${log}.body`, 'utf8') : '');

// ---- GitHub ---------------------------------------------------------------------------------------

type Step = {
  id?: string;
  name?: string;
  if?: string;
  run?: string;
  uses?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
};

/** Runs the workflow's steps after checkout as the runner would, with `if:` and step outputs. */
async function runWorkflow(dir: string, wf: any, stub: Record<string, string>): Promise<Run & { ran: string[] }> {
  const job = wf.jobs.update;
  const steps = (job.steps as Step[]).filter((s) => s.run);
  const { bin, log } = stubs({ interceptPush: false });
  rmSync(log, { force: true });
  rmSync(`${log}.body`, { force: true });
  const runnerTemp = mkdtempSync(join(scratch, 'runner-temp-'));
  const outputs: Record<string, Record<string, string>> = {};
  const ran: string[] = [];
  const expr = (e: string) => e.replace(/\$\{\{ steps\.(\w+)\.outputs\.(\w+) \}\}/g, (_m, id, k) => outputs[id]?.[k] ?? '');
  let output = '';
  for (const s of steps) {
    // The only condition the workflow uses.
    if (s.if !== undefined) {
      assert.is(s.if, "steps.outdated.outputs.outdated == 'true'", `${s.name}: condition`);
      if (outputs.outdated?.outdated !== 'true') continue;
    }
    ran.push(s.id ?? s.name!);
    const ghOut = join(runnerTemp, `out-${ran.length}`);
    const env = {
      PATH: `${bin}:${process.env.PATH}`,
      HOME: process.env.HOME ?? tmpdir(),
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_CONFIG_NOSYSTEM: '1',
      GITHUB_OUTPUT: ghOut,
      RUNNER_TEMP: runnerTemp,
      STUB_LOG: log,
      STUB_SUMMARY: SUMMARY,
      BRANCH: job.env.BRANCH,
      BASE: 'main',
      GH_TOKEN: 'stub-token',
      ...Object.fromEntries(Object.entries(s.env ?? {}).map(([k, v]) => [k, expr(String(v))])),
      ...stub,
    };
    // GitHub's bash default: bash --noprofile --norc -eo pipefail {0}
    const r = await execa('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', s.run!], {
      cwd: dir,
      env,
      extendEnv: false,
      reject: false,
      all: true,
    });
    output += String(r.all ?? '');
    if (s.id)
      outputs[s.id] = Object.fromEntries(
        (existsSync(ghOut) ? readFileSync(ghOut, 'utf8') : '')
          .split('\n')
          .filter(Boolean)
          .map((l) => l.split('=') as [string, string]),
      );
    if (r.exitCode !== 0) return { code: r.exitCode ?? -1, output, calls: calls(log), body: body(log), ran };
  }
  return { code: 0, output, calls: calls(log), body: body(log), ran };
}

const gh = suite('update job: GitHub workflow');
let ghRepo: { dir: string; remote: string; answers: Answers };
let wf: any;
gh.before(async () => {
  ghRepo = await repoWithRemote({ ci: 'github', updateJob: true });
  wf = parseYaml(read(ghRepo.dir, GH_FILE));
});

gh('read back: schedule and by hand; contents read by default, contents and pull requests written by the one job', () => {
  assert.equal(Object.keys(wf.on).sort(), ['schedule', 'workflow_dispatch']);
  assert.match(wf.on.schedule[0].cron, /^\d+ \d+ \* \* [0-6]$/, 'weekly');
  assert.equal(wf.permissions, { contents: 'read' });
  assert.equal(Object.keys(wf.jobs), ['update']);
  assert.equal(wf.jobs.update.permissions, { contents: 'write', 'pull-requests': 'write' });
  assert.is(wf.jobs.update.env.GH_TOKEN, '${{ secrets.GENERATOR_UPDATE_TOKEN || github.token }}');
  const runs = (wf.jobs.update.steps as Step[]).map((s) => s.run ?? '').join('\n');
  assert.ok(
    runs.indexOf('create-go-k8s-service@latest outdated') < runs.indexOf('create-go-k8s-service@latest update --bot --summary'),
    'outdated, then update',
  );
});

gh('up to date: nothing updated, pushed or opened', async () => {
  const r = await runWorkflow(ghRepo.dir, wf, { STUB_OUTDATED: '0', STUB_UPDATE: '0', STUB_PR: '' });
  assert.is(r.code, 0, r.output);
  assert.equal(r.ran, ['outdated']);
  assert.equal(r.calls, ['npx --yes create-go-k8s-service@latest outdated']);
});

gh('outdated: updates, pushes the fixed branch, opens one pull request with the summary as body', async () => {
  const r = await runWorkflow(ghRepo.dir, wf, { STUB_OUTDATED: '1', STUB_UPDATE: '0', STUB_PR: '' });
  assert.is(r.code, 0, r.output);
  const create = r.calls.filter((c) => c.startsWith('gh pr create'));
  assert.is(create.length, 1, r.calls.join('\n'));
  assert.match(
    create[0]!,
    new RegExp(
      `--head ${BRANCH} --base main --title Update create-go-k8s-service to ${NEW_VERSION.replaceAll('.', '\\.')} --body-file \\S+summary\\.md$`,
    ),
  );
  assert.is(r.body, SUMMARY);
  // The branch on the remote holds the update, one commit on top of main.
  const log = await git(ghRepo.remote, 'log', '--format=%s', BRANCH);
  assert.equal(log.split('\n'), [`Update create-go-k8s-service to ${NEW_VERSION}`, 'generated']);
  assert.match(await git(ghRepo.remote, 'show', `${BRANCH}:Makefile`), /# bot edit$/);
});

gh('the next run refreshes the open pull request; conflicts are said in the title', async () => {
  await git(ghRepo.dir, 'checkout', '-q', 'main');
  await git(ghRepo.dir, 'reset', '-q', '--hard', 'origin/main');
  const r = await runWorkflow(ghRepo.dir, wf, { STUB_OUTDATED: '1', STUB_UPDATE: '3', STUB_PR: '12' });
  assert.is(r.code, 0, r.output);
  assert.not.ok(
    r.calls.some((c) => c.startsWith('gh pr create')),
    'no second pull request',
  );
  const edit = r.calls.filter((c) => c.startsWith('gh pr edit'));
  assert.is(edit.length, 1, r.calls.join('\n'));
  assert.match(edit[0]!, /^gh pr edit 12 --title Update create-go-k8s-service to 9\.9\.9 \(conflicts to resolve\) --body-file /);
  // Force-pushed: still one commit on top of main.
  assert.is((await git(ghRepo.remote, 'log', '--format=%s', BRANCH)).split('\n').length, 2);
});

gh('a failing outdated (registry unreachable) or update fails the job with its exit code', async () => {
  await git(ghRepo.dir, 'checkout', '-q', 'main');
  await git(ghRepo.dir, 'reset', '-q', '--hard', 'origin/main');
  const unreachable = await runWorkflow(ghRepo.dir, wf, { STUB_OUTDATED: '4', STUB_UPDATE: '0', STUB_PR: '' });
  assert.is(unreachable.code, 4, unreachable.output);
  assert.match(unreachable.output, /outdated failed \(exit 4\)/);
  const failed = await runWorkflow(ghRepo.dir, wf, { STUB_OUTDATED: '1', STUB_UPDATE: '1', STUB_PR: '' });
  assert.is(failed.code, 1, failed.output);
  assert.not.ok(
    failed.calls.some((c) => c.startsWith('gh ')),
    'nothing pushed or opened',
  );
});

gh('off: no update workflow', () => {
  const dir = generate({ ci: 'github', updateJob: false }, 'cgks-update-job-off-');
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  assert.not.ok(existsSync(join(dir, GH_FILE)));
});

gh.run();

// ---- GitLab ---------------------------------------------------------------------------------------

const GL_ENV = {
  CI_API_V4_URL: 'https://gitlab.example/api/v4',
  CI_PROJECT_ID: '42',
  CI_PROJECT_PATH: 'acme/svc',
  CI_SERVER_FQDN: 'gitlab.example',
  CI_DEFAULT_BRANCH: 'main',
  GITLAB_USER_EMAIL: 'ops@example.com',
};

async function runGitlabJob(dir: string, job: any, env: Record<string, string>): Promise<Run> {
  const { bin, log } = stubs({ interceptPush: true });
  rmSync(log, { force: true });
  rmSync(`${log}.body`, { force: true });
  const r = await execa('sh', ['-e', '-c', (job.script as string[]).join('\n')], {
    cwd: dir,
    env: {
      PATH: `${bin}:${process.env.PATH}`,
      HOME: process.env.HOME ?? tmpdir(),
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_CONFIG_NOSYSTEM: '1',
      STUB_LOG: log,
      STUB_SUMMARY: SUMMARY,
      ...GL_ENV,
      ...Object.fromEntries(Object.entries(job.variables ?? {}).map(([k, v]) => [k, String(v)])),
      ...env,
    },
    extendEnv: false,
    reject: false,
    all: true,
  });
  return { code: r.exitCode ?? -1, output: String(r.all ?? ''), calls: calls(log), body: body(log) };
}

const gl = suite('update job: GitLab scheduled pipeline');
let glRepo: { dir: string; remote: string; answers: Answers };
let glFile: any;
gl.before(async () => {
  glRepo = await repoWithRemote({ ci: 'gitlab', updateJob: true, sign: true });
  glFile = parseYaml(read(glRepo.dir, GL_FILE));
});

const releaseJobs = (file: any) =>
  Object.entries(file).filter(
    ([id, j]: [string, any]) =>
      id !== 'workflow' && j && typeof j === 'object' && Array.isArray(j.rules) && j.rules.some((r: any) => r.if === '$CI_COMMIT_TAG'),
  );

gl('read back: only in scheduled pipelines, and no release job runs in them', () => {
  const job = glFile['generator-update'];
  assert.ok(job, 'a generator-update job');
  assert.equal(job.rules, [{ if: '$CI_PIPELINE_SOURCE == "schedule"' }]);
  assert.equal(job.needs, []);
  assert.is(job.image, '$NODE_IMAGE', 'a pinned image of the file');
  const release = releaseJobs(glFile);
  assert.equal(release.map(([id]) => id).sort(), ['container-image', 'container-scan', 'sign']);
  for (const [id, j] of release as [string, any][])
    assert.equal(j.rules[0], { if: '$CI_PIPELINE_SOURCE == "schedule"', when: 'never' }, id);
});

gl('up to date: nothing updated, pushed or opened', async () => {
  const r = await runGitlabJob(glRepo.dir, glFile['generator-update'], {
    STUB_OUTDATED: '0',
    STUB_UPDATE: '0',
    STUB_MRS: '[]',
    GENERATOR_UPDATE_TOKEN: 'glpat-stub',
  });
  assert.is(r.code, 0, r.output);
  assert.equal(r.calls, ['npx --yes create-go-k8s-service@latest outdated']);
});

gl('outdated: updates, pushes the fixed branch with the token, opens one merge request with the summary', async () => {
  const r = await runGitlabJob(glRepo.dir, glFile['generator-update'], {
    STUB_OUTDATED: '1',
    STUB_UPDATE: '0',
    STUB_MRS: '[]',
    GENERATOR_UPDATE_TOKEN: 'glpat-stub',
  });
  assert.is(r.code, 0, r.output);
  assert.ok(
    r.calls.includes(`git push --force https://oauth2:glpat-stub@gitlab.example/acme/svc.git HEAD:refs/heads/${BRANCH}`),
    r.calls.join('\n'),
  );
  const posts = r.calls.filter((c) => c.includes('--request POST'));
  assert.is(posts.length, 1, r.calls.join('\n'));
  assert.ok(posts[0]!.endsWith(' https://gitlab.example/api/v4/projects/42/merge_requests'), posts[0]);
  assert.ok(posts[0]!.includes('PRIVATE-TOKEN: glpat-stub'));
  assert.equal(JSON.parse(r.body), {
    title: `Update create-go-k8s-service to ${NEW_VERSION}`,
    description: SUMMARY,
    source_branch: BRANCH,
    target_branch: 'main',
    remove_source_branch: true,
  });
  assert.match(await git(glRepo.dir, 'log', '-1', '--format=%s', BRANCH), /^Update create-go-k8s-service to 9\.9\.9$/);
});

gl('the next run refreshes the open merge request; conflicts make it a draft', async () => {
  await git(glRepo.dir, 'checkout', '-q', 'main');
  await git(glRepo.dir, 'reset', '-q', '--hard', 'origin/main');
  const r = await runGitlabJob(glRepo.dir, glFile['generator-update'], {
    STUB_OUTDATED: '1',
    STUB_UPDATE: '3',
    STUB_MRS: '[{"iid":7}]',
    GENERATOR_UPDATE_TOKEN: 'glpat-stub',
  });
  assert.is(r.code, 0, r.output);
  assert.not.ok(
    r.calls.some((c) => c.includes('--request POST')),
    'no second merge request',
  );
  const puts = r.calls.filter((c) => c.includes('--request PUT'));
  assert.is(puts.length, 1, r.calls.join('\n'));
  assert.ok(puts[0]!.endsWith('/projects/42/merge_requests/7'), puts[0]);
  assert.is(JSON.parse(r.body).title, 'Draft: Update create-go-k8s-service to 9.9.9 (conflicts to resolve)');
});

gl('failures: registry unreachable, update failed, no token: the job fails and says why', async () => {
  await git(glRepo.dir, 'checkout', '-q', 'main');
  await git(glRepo.dir, 'reset', '-q', '--hard', 'origin/main');
  const base = { STUB_MRS: '[]', GENERATOR_UPDATE_TOKEN: 'glpat-stub' };
  const unreachable = await runGitlabJob(glRepo.dir, glFile['generator-update'], { ...base, STUB_OUTDATED: '4', STUB_UPDATE: '0' });
  assert.is(unreachable.code, 4, unreachable.output);
  const failed = await runGitlabJob(glRepo.dir, glFile['generator-update'], { ...base, STUB_OUTDATED: '1', STUB_UPDATE: '1' });
  assert.is(failed.code, 1, failed.output);
  assert.not.ok(failed.calls.some((c) => c.startsWith('git push') || c.startsWith('curl')));
  const noToken = await runGitlabJob(glRepo.dir, glFile['generator-update'], { STUB_MRS: '[]', STUB_OUTDATED: '1', STUB_UPDATE: '0' });
  assert.is.not(noToken.code, 0);
  assert.match(noToken.output, /GENERATOR_UPDATE_TOKEN/);
  assert.not.ok(
    noToken.calls.some((c) => c.includes('update --bot')),
    'nothing changed without a token',
  );
});

gl('off: no job, and the release jobs keep their rules', () => {
  const dir = generate({ ci: 'gitlab', updateJob: false, sign: true }, 'cgks-update-job-off-');
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  const file = parseYaml(read(dir, GL_FILE));
  assert.not.ok('generator-update' in file);
  for (const [id, j] of releaseJobs(file) as [string, any][])
    assert.equal(j.rules, [{ if: '$CI_COMMIT_TAG' }, { if: '$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH' }], id);
});

gl.run();

// ---- the answer, recorded and regenerable ---------------------------------------------------------

const rec = suite('update job: a recorded answer, changed later with regen');

rec(
  'off by default; regen --update-job adds the workflow and hands the generator from Renovate to it; --no-update-job takes it back',
  async () => {
    const cwd = mkdtempSync(join(scratch, 'cli-'));
    const made = await runCli(['svc', '--yes', '--no-install'], { cwd });
    assert.is(made.exitCode, 0, made.stderr);
    const dir = join(cwd, 'svc');
    const record = () => JSON.parse(read(dir, '.go-k8s-service.json'));
    const generatorRule = () =>
      JSON.parse(read(dir, 'renovate.json')).packageRules.find((r: any) => r.matchDepNames?.includes('create-go-k8s-service'));
    assert.is(record().answers.updateJob, false);
    assert.not.ok(existsSync(join(dir, GH_FILE)));
    assert.ok(generatorRule().postUpgradeTasks, 'Renovate runs the update');
    assert.match(read(dir, 'README.md'), /^## Dependency updates\n[\s\S]*allowedPostUpgradeCommands[\s\S]*`regen --update-job`/m);
    assert.not.match(read(dir, 'README.md'), /generator-update\.yml/);

    const on = await runCli(['regen', '--update-job'], { cwd: dir });
    assert.is(on.exitCode, 0, on.stderr);
    assert.is(record().answers.updateJob, true);
    assert.ok(existsSync(join(dir, GH_FILE)));
    assert.is(generatorRule().enabled, false, 'Renovate leaves the generator to the job');
    assert.match(
      read(dir, 'README.md'),
      /^## Dependency updates\n[\s\S]*`\.github\/workflows\/generator-update\.yml`[\s\S]*^## Supply chain$/m,
    );
    assert.is(generatorRule().postUpgradeTasks, undefined);
    await git(dir, 'add', '-A');
    await git(dir, '-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'update job file');

    const off = await runCli(['regen', '--no-update-job'], { cwd: dir });
    assert.is(off.exitCode, 0, off.stderr);
    assert.is(record().answers.updateJob, false);
    assert.not.ok(existsSync(join(dir, GH_FILE)), 'the workflow is deleted');
    assert.ok(generatorRule().postUpgradeTasks);
  },
);

rec('--ci none: not asked, not recorded, no job', async () => {
  const cwd = mkdtempSync(join(scratch, 'cli-'));
  const made = await runCli(['svc', '--yes', '--no-install', '--no-git', '--ci', 'none', '--update-job'], { cwd });
  assert.is(made.exitCode, 0, made.stderr);
  const record = JSON.parse(read(join(cwd, 'svc'), '.go-k8s-service.json'));
  assert.not.ok('updateJob' in record.answers);
  assert.not.ok(existsSync(join(cwd, 'svc', GH_FILE)));
});

rec.run();

// The GitOps publish jobs of both CI files, run for real: their shell steps in bash, with real git,
// Go, make and a real helm, against a local bare repository standing in for the environment
// repository. Only the request tools (gh, curl to GitLab's API) are stand-ins that log their
// arguments and answer like the services do.
// - A helm built with `go install` and no ldflags assumes Kubernetes v1.20.0, which the chart's
//   kubeVersion refuses (the control); the Makefile's KUBE_VERSION makes it work for
//   helm-lint, helm-template and manifests, and the GitHub job publishes with it.
// - The GitLab job builds its helm itself, as helm's release binaries are built.
// - Republishing a commit with a new digest force-updates prod's branch and refreshes its open
//   request, or opens a new one when the old one was closed; the same digest again does nothing.
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execa } from 'execa';
import { parse as parseYaml } from 'yaml';
import { generate } from '../support/generate.js';
import { ensureTools } from '../support/tools.js';
import { goEnv } from '../support/go.js';

const scratch = mkdtempSync(join(tmpdir(), 'cgks-gitops-jobs-'));
const github = generate({ deploy: 'gitops', ci: 'github' }, 'cgks-gitops-jobs-gh-');
const gitlab = generate({ deploy: 'gitops', ci: 'gitlab' }, 'cgks-gitops-jobs-gl-');
const digest = (c: string) => `sha256:${c.repeat(64)}`;
const COMMIT = 'feed5eed'.padEnd(40, '0');
const PROD_BRANCH = `publish/demo-svc-prod-${COMMIT.slice(0, 12)}`;
const IMAGE = 'ghcr.io/example/demo-svc';

const gitlabCi = parseYaml(readFileSync(join(gitlab, '.gitlab-ci.yml'), 'utf8'));
const HELM_VERSION: string = gitlabCi['publish-manifests'].variables.HELM_VERSION;
const plainBin = join(scratch, 'plain-helm');
const plainHelm = join(plainBin, 'helm');

const baseEnv = (extraPath: string[] = []): Record<string, string> => ({
  PATH: [...extraPath, '/usr/local/go/bin', '/usr/bin', '/bin'].join(':'),
  HOME: join(scratch, 'home'),
  // Modules come from the module cache only (as a file proxy: `go install pkg@version` needs one).
  ...goEnv({ proxy: 'module-cache' }),
  HELM_CONFIG_HOME: join(scratch, 'helm'),
  HELM_CACHE_HOME: join(scratch, 'helm'),
  HELM_DATA_HOME: join(scratch, 'helm'),
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_NAME: 'test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
});

const git = async (args: string[], cwd = scratch) => (await execa('git', args, { cwd, env: baseEnv(), extendEnv: false })).stdout.trim();
const image = async (bare: string, ref: string, env: string) =>
  parseYaml(await git(['--git-dir', bare, 'show', `${ref}:${env}/demo-svc/deployment-demo-svc.yaml`])).spec.template.spec.containers[0]
    .image as string;

async function environmentRepo(name: string): Promise<string> {
  const bare = join(scratch, `${name}.git`);
  await git(['init', '--quiet', '--bare', '-b', 'main', bare]);
  const seed = mkdtempSync(join(scratch, 'seed-'));
  await git(['init', '--quiet', '-b', 'main'], seed);
  writeFileSync(join(seed, 'README.md'), '# Environments\n');
  await git(['add', '-A'], seed);
  await git(['commit', '--quiet', '-m', 'start'], seed);
  await git(['push', '--quiet', bare, 'main'], seed);
  return bare;
}

/** gh and curl that log their arguments (one call per line) and answer list queries with
 * STUB_OPEN (gh: a pull request number; curl: GitLab's JSON list of merge requests). */
function stubs(): { bin: string; log: string } {
  const bin = mkdtempSync(join(scratch, 'bin-'));
  const log = join(bin, 'calls.log');
  const logArgs = (name: string) => `printf '${name}' >> "${log}"\nfor a; do printf ' [%s]' "$a" >> "${log}"; done\necho >> "${log}"\n`;
  writeFileSync(join(bin, 'gh'), `#!/bin/sh\n${logArgs('gh')}[ "$1 $2" = "pr list" ] && printf '%s\\n' "\${STUB_OPEN:-}"\nexit 0\n`);
  writeFileSync(
    join(bin, 'curl'),
    `#!/bin/sh\n${logArgs('curl')}for a; do [ "$a" = --get ] && printf '%s' "\${STUB_OPEN:-[]}"; done\nexit 0\n`,
  );
  for (const name of ['gh', 'curl']) chmodSync(join(bin, name), 0o755);
  writeFileSync(log, '');
  return { bin, log };
}

/** GitHub's expressions as these steps use them: `vars.X`, `secrets.X`, `runner.temp`, `github.X`,
 * `needs.X` and `a || 'literal'`. Anything else fails the test, so a new expression gets a rule here. */
function evaluate(value: string, ctx: Record<string, string>): string {
  return value.replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_, expr: string) => {
    for (const alt of expr.split(/\s*\|\|\s*/)) {
      const literal = /^'(.*)'$/.exec(alt);
      if (literal) return literal[1]!;
      if (!/^(vars|secrets|runner|github|needs)\.[\w.]+$/.test(alt)) throw new Error(`unsupported expression: ${expr}`);
      if (ctx[alt]) return ctx[alt]!;
    }
    return '';
  });
}

type Step = { name?: string; run?: string; uses?: string; env?: Record<string, string> };

/** The GitHub publish job: every `run` step in order, in bash as GitHub runs them, with `helmDir`
 * on PATH where the setup-helm step would put its helm. */
async function runGithubJob(bare: string, d: string, open = '', helmDir = plainBin) {
  const wf = parseYaml(readFileSync(join(github, '.github/workflows/ci.yml'), 'utf8'));
  const job = wf.jobs.publish as { env?: Record<string, string>; steps: Step[] };
  assert.ok(
    job.steps.some((s) => s.uses?.startsWith('azure/setup-helm@')),
    'the job installs helm with setup-helm',
  );
  const temp = mkdtempSync(join(scratch, 'runner-temp-'));
  const ctx: Record<string, string> = {
    'runner.temp': temp,
    'secrets.GITOPS_TOKEN': 't0ken',
    'vars.GITOPS_REPO_URL': bare,
    'needs.image.outputs.digest': d,
    'github.sha': COMMIT,
    'github.server_url': 'https://github.example',
    'github.repository': 'acme/demo-svc',
  };
  const { bin, log } = stubs();
  const outputs: string[] = [];
  for (const step of job.steps.filter((s) => s.run)) {
    const env = Object.fromEntries(Object.entries({ ...wf.env, ...job.env, ...step.env }).map(([k, v]) => [k, evaluate(String(v), ctx)]));
    const r = await execa('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step.run!], {
      cwd: github,
      env: { ...baseEnv([bin, helmDir]), ...env, STUB_OPEN: open },
      extendEnv: false,
      reject: false,
      all: true,
    });
    assert.is(r.exitCode, 0, `${step.name}: ${r.all}`);
    outputs.push(r.all ?? '');
  }
  return { output: outputs.join('\n'), calls: readFileSync(log, 'utf8') };
}

/** The GitLab publish-manifests job: its script lines in one bash session (as the runner does, with
 * errexit and pipefail), the job's and the file's variables, GOPATH in a scratch directory. */
async function runGitlabJob(bare: string, d: string, open = '[]') {
  const job = gitlabCi['publish-manifests'] as { script: string[]; variables: Record<string, string> };
  rmSync(join(gitlab, 'pr-branches'), { force: true });
  const { bin, log } = stubs();
  const r = await execa('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', job.script.join('\n')], {
    cwd: gitlab,
    env: {
      ...baseEnv([bin]),
      ...job.variables,
      GOPATH: join(scratch, 'gopath'),
      IMAGE: gitlabCi.variables.IMAGE,
      IMAGE_DIGEST: d,
      CI_COMMIT_SHA: COMMIT,
      CI_PROJECT_DIR: gitlab,
      CI_PROJECT_URL: 'https://gitlab.example/acme/demo-svc',
      CI_API_V4_URL: 'https://gitlab.example/api/v4',
      GITOPS_REPO_URL: bare,
      GITOPS_PROJECT: 'acme/environments',
      GITOPS_TOKEN: 't0ken',
      STUB_OPEN: open,
    },
    extendEnv: false,
    reject: false,
    all: true,
  });
  assert.is(r.exitCode, 0, r.all);
  return { output: r.all ?? '', calls: readFileSync(log, 'utf8') };
}

test.before(async () => {
  await ensureTools(['helm']); // helm's module in the module cache
  mkdirSync(join(scratch, 'home'));
  // The helm a `go install` gives: no version, no Kubernetes version ldflags.
  const r = await execa('go', ['install', `helm.sh/helm/v3/cmd/helm@${HELM_VERSION}`], {
    cwd: scratch,
    env: { ...baseEnv(), GOBIN: plainBin },
    extendEnv: false,
    reject: false,
    all: true,
  });
  assert.is(r.exitCode, 0, r.all);
});

test.after(() => {
  for (const dir of [scratch, github, gitlab]) rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
});

test('the control: a go install-ed helm (no ldflags) assumes Kubernetes v1.20.0, which the chart refuses', async () => {
  const r = await execa(plainHelm, ['template', 'demo-svc', 'charts/demo-svc'], {
    cwd: github,
    env: baseEnv(),
    extendEnv: false,
    reject: false,
    all: true,
  });
  assert.is.not(r.exitCode, 0);
  assert.match(r.all!, /chart requires kubeVersion: >= 1\.30\.0-0 which is incompatible with Kubernetes v1\.20\.0/);
});

test('with that helm, make helm-lint, helm-template and manifests render for KUBE_VERSION (one Makefile variable)', async () => {
  const make = (args: string[]) =>
    execa('make', ['--no-print-directory', `HELM=${plainHelm}`, ...args], {
      cwd: github,
      env: baseEnv(),
      extendEnv: false,
      reject: false,
      all: true,
    });
  for (const args of [
    ['helm-lint'],
    ['helm-template', 'ENV=prod'],
    ['manifests', 'ENV=prod', `DIGEST=${digest('1')}`, `MANIFESTS_DIR=${join(scratch, 'm')}`],
  ]) {
    const r = await make(args);
    assert.is(r.exitCode, 0, `make ${args.join(' ')}: ${r.all}`);
  }
  assert.ok(existsSync(join(scratch, 'm', 'prod', 'deployment-demo-svc.yaml')));
  // The variable is what the chart is checked against: an older Kubernetes is refused.
  const old = await make(['helm-template', 'KUBE_VERSION=v1.29.0']);
  assert.is.not(old.exitCode, 0);
  assert.match(old.all!, /incompatible with Kubernetes v1\.29\.0/);
});

test("GitHub: the publish job with a go install-ed helm publishes dev and staging, pushes prod's branch, opens its pull request", async () => {
  const bare = await environmentRepo('github-envs');
  const first = await runGithubJob(bare, digest('a'));
  for (const env of ['dev', 'staging']) assert.is(await image(bare, 'main', env), `${IMAGE}@${digest('a')}`);
  assert.is(await image(bare, PROD_BRANCH, 'prod'), `${IMAGE}@${digest('a')}`);
  assert.match(
    first.calls,
    new RegExp(`^gh \\[pr\\] \\[list\\] .*\\[--head\\] \\[${PROD_BRANCH}\\] \\[--base\\] \\[main\\] \\[--state\\] \\[open\\]`, 'm'),
  );
  assert.match(
    first.calls,
    new RegExp(
      `^gh \\[pr\\] \\[create\\] .*\\[--head\\] \\[${PROD_BRANCH}\\] .*\\[--body\\] \\[Rendered manifests of https://github.example/acme/demo-svc/commit/${COMMIT}, image ${IMAGE}@${digest('a')}\\. Merge to deploy\\.\\]`,
      'm',
    ),
  );

  // The same commit with a new digest (a re-run, a tag): the branch follows, the open PR is refreshed.
  const again = await runGithubJob(bare, digest('b'), '12');
  assert.is(await image(bare, PROD_BRANCH, 'prod'), `${IMAGE}@${digest('b')}`, "prod's branch kept the stale digest");
  assert.match(again.output, new RegExp(`prod: updated branch ${PROD_BRANCH}`));
  assert.match(
    again.calls,
    new RegExp(`^gh \\[pr\\] \\[edit\\] \\[12\\] .*\\[--body\\] \\[.*image ${IMAGE}@${digest('b')}\\. Merge to deploy\\.\\]$`, 'm'),
  );
  assert.not.match(again.calls, /\[pr\] \[create\]/);

  // Its pull request was closed meanwhile: a new one is opened for the updated branch.
  const reopened = await runGithubJob(bare, digest('c'), '');
  assert.is(await image(bare, PROD_BRANCH, 'prod'), `${IMAGE}@${digest('c')}`);
  assert.match(reopened.calls, new RegExp(`^gh \\[pr\\] \\[create\\] .*image ${IMAGE}@${digest('c')}`, 'm'));

  // The same digest once more: nothing pushed, no request touched.
  const before = await git(['--git-dir', bare, 'rev-parse', PROD_BRANCH]);
  const same = await runGithubJob(bare, digest('c'), '12');
  assert.is(await git(['--git-dir', bare, 'rev-parse', PROD_BRANCH]), before);
  assert.match(same.output, /prod: branch .* already has these manifests: nothing to publish/);
  assert.is(same.calls, '');
});

test("GitLab: the publish job builds its own helm (release ldflags), publishes, and refreshes or reopens prod's merge request", async () => {
  const bare = await environmentRepo('gitlab-envs');
  const first = await runGitlabJob(bare, digest('a'));
  const helm = join(scratch, 'gopath', 'bin', 'helm');
  assert.is((await execa(helm, ['version', '--template', '{{.Version}}'])).stdout, HELM_VERSION);
  // Built as the job builds it, helm knows a current Kubernetes without being told.
  const bare_ = await execa(helm, ['template', 'demo-svc', 'charts/demo-svc'], {
    cwd: gitlab,
    env: baseEnv(),
    extendEnv: false,
    reject: false,
    all: true,
  });
  assert.is(bare_.exitCode, 0, bare_.all);

  for (const env of ['dev', 'staging']) assert.is(await image(bare, 'main', env), `${IMAGE}@${digest('a')}`);
  assert.is(await image(bare, PROD_BRANCH, 'prod'), `${IMAGE}@${digest('a')}`);
  const mrs = 'https://gitlab.example/api/v4/projects/acme%2Fenvironments/merge_requests';
  assert.match(
    first.calls,
    new RegExp(
      `^curl .*\\[--get\\] .*\\[source_branch=${PROD_BRANCH}\\] \\[--data-urlencode\\] \\[target_branch=main\\] \\[${mrs}\\]$`,
      'm',
    ),
  );
  assert.match(
    first.calls,
    new RegExp(
      `^curl .*\\[--request\\] \\[POST\\] .*\\[source_branch=${PROD_BRANCH}\\].*\\[description=Rendered manifests of https://gitlab.example/acme/demo-svc/-/commit/${COMMIT}, image ${IMAGE}@${digest('a')}\\. Merge to deploy\\.\\] \\[${mrs}\\]$`,
      'm',
    ),
  );

  const again = await runGitlabJob(bare, digest('b'), '[{"id":4401,"iid":7,"project_id":3,"milestone":{"id":5,"iid":2}}]');
  assert.is(await image(bare, PROD_BRANCH, 'prod'), `${IMAGE}@${digest('b')}`);
  assert.match(
    again.calls,
    new RegExp(
      `^curl .*\\[--request\\] \\[PUT\\] .*\\[description=.*image ${IMAGE}@${digest('b')}\\. Merge to deploy\\.\\] \\[${mrs}/7\\]$`,
      'm',
    ),
  );
  assert.not.match(again.calls, /\[POST\]/);
  assert.match(again.output, /refreshed merge request !7 of /);

  const reopened = await runGitlabJob(bare, digest('c'), '[]');
  assert.is(await image(bare, PROD_BRANCH, 'prod'), `${IMAGE}@${digest('c')}`);
  assert.match(reopened.calls, new RegExp(`^curl .*\\[POST\\] .*image ${IMAGE}@${digest('c')}`, 'm'));
});

test.run();

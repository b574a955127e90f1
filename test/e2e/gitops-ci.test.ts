// The CI side of deploy=gitops: the publish job's pull/merge request targets the same branch of
// the environment repository that scripts/publish-manifests.sh commits to (GITOPS_BRANCH, default
// main). The request steps run for real in bash with gh and curl stubbed; actionlint and GitLab's
// schema judge the files in supply-chain.test.ts.
import { execa } from 'execa';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse as parseYaml } from 'yaml';
import { generate } from '../support/generate.js';

const scratch = mkdtempSync(join(tmpdir(), 'cgks-gitops-ci-'));
const github = generate({ deploy: 'gitops', ci: 'github' }, 'cgks-gitops-ci-gh-');
const gitlab = generate({ deploy: 'gitops', ci: 'gitlab' }, 'cgks-gitops-ci-gl-');
test.after(() => {
  for (const dir of [scratch, github, gitlab]) rmSync(dir, { recursive: true, force: true });
});

/** gh and curl that log their arguments, one call per line. */
function stubs(): { bin: string; log: string } {
  const bin = mkdtempSync(join(scratch, 'bin-'));
  const log = join(bin, 'calls.log');
  for (const name of ['gh', 'curl']) {
    writeFileSync(
      join(bin, name),
      `#!/bin/sh\nprintf '${name}' >> "${log}"\nfor a; do printf ' [%s]' "$a" >> "${log}"; done\necho >> "${log}"\n`,
    );
    chmodSync(join(bin, name), 0o755);
  }
  return { bin, log };
}

/** GitHub's expressions as these steps use them: `vars.X`, `secrets.X`, `runner.temp`, `github.X`
 * and `a || 'literal'`. Anything else fails the test, so a new expression gets a rule here. */
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

type Step = { name?: string; run?: string; env?: Record<string, string> };

async function githubRequests(vars: Record<string, string>): Promise<{ scriptBranch: string; calls: string }> {
  const wf = parseYaml(readFileSync(join(github, '.github/workflows/ci.yml'), 'utf8'));
  const job = wf.jobs.publish as { env?: Record<string, string>; steps: Step[] };
  const ctx: Record<string, string> = {
    'runner.temp': scratch,
    'secrets.GITOPS_TOKEN': 't',
    'vars.GITOPS_REPO_URL': 'https://github.com/acme/environments.git',
    'needs.image.outputs.digest': `sha256:${'a'.repeat(64)}`,
    ...vars,
  };
  const envOf = (step: Step) =>
    Object.fromEntries(Object.entries({ ...wf.env, ...job.env, ...step.env }).map(([k, v]) => [k, evaluate(String(v), ctx)]));
  const publish = job.steps.find((s) => s.run?.includes('scripts/publish-manifests.sh'))!;
  const open = job.steps.find((s) => s.run?.includes('gh pr create'))!;
  assert.ok(publish && open, 'the publish job has a publish step and a pull-request step');
  const { bin, log } = stubs();
  const env = envOf(open);
  writeFileSync(env.PR_BRANCHES!, 'publish/demo-svc-prod-c0ffee\n');
  await execa('bash', ['--noprofile', '--norc', '-euo', 'pipefail', '-c', open.run!], {
    env: { ...env, PATH: `${bin}:/usr/bin:/bin` },
    extendEnv: false,
  });
  return { scriptBranch: envOf(publish).GITOPS_BRANCH ?? '', calls: readFileSync(log, 'utf8') };
}

test('GitHub: without GITOPS_BRANCH, the script commits to main and the pull request targets main', async () => {
  const r = await githubRequests({});
  assert.is(r.scriptBranch || 'main', 'main');
  assert.match(
    r.calls,
    /^gh \[pr\] \[create\] \[--repo\] \[acme\/environments\] \[--base\] \[main\] \[--head\] \[publish\/demo-svc-prod-c0ffee\]/m,
  );
});

test('GitHub: the repository variable GITOPS_BRANCH reaches the script and the pull request alike', async () => {
  const r = await githubRequests({ 'vars.GITOPS_BRANCH': 'release' });
  assert.is(r.scriptBranch, 'release');
  assert.match(r.calls, /^gh \[pr\] \[create\] .*\[--base\] \[release\] /m);
});

/** GitLab exports CI/CD variables to the job's shell, so the script sees GITOPS_BRANCH as it is set. */
async function gitlabRequest(variables: Record<string, string>): Promise<string> {
  const ci = parseYaml(readFileSync(join(gitlab, '.gitlab-ci.yml'), 'utf8'));
  const lines = ci['publish-manifests'].script as string[];
  const open = lines.find((l) => l.includes('merge_requests'))!;
  assert.ok(open, 'the publish job opens a merge request');
  const { bin, log } = stubs();
  const branches = join(mkdtempSync(join(scratch, 'gl-')), 'pr-branches');
  writeFileSync(branches, 'publish/demo-svc-prod-c0ffee\n');
  const env = {
    PATH: `${bin}:/usr/bin:/bin`,
    GITOPS_PR_BRANCHES_FILE: branches,
    GITOPS_PROJECT: 'acme/environments',
    GITOPS_TOKEN: 't',
    CI_API_V4_URL: 'https://gitlab.example/api/v4',
    CI_PROJECT_URL: 'https://gitlab.example/acme/demo-svc',
    CI_COMMIT_SHA: 'c0ffee',
    IMAGE: 'ghcr.io/example/demo-svc',
    IMAGE_DIGEST: `sha256:${'a'.repeat(64)}`,
    ...variables,
  };
  await execa('sh', ['-eu', '-c', open], { env, extendEnv: false });
  return readFileSync(log, 'utf8');
}

test('GitLab: without GITOPS_BRANCH, the merge request targets main', async () => {
  assert.match(await gitlabRequest({}), /\[target_branch=main\]/);
});

test('GitLab: GITOPS_BRANCH, which the script commits to, is the merge request target too', async () => {
  const calls = await gitlabRequest({ GITOPS_BRANCH: 'release' });
  assert.match(calls, /\[target_branch=release\]/);
  assert.not.match(calls, /target_branch=main/);
});

test.run();

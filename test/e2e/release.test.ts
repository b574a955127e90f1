// The generator's own release pipeline (.github/workflows/release.yml): actionlint (with
// shellcheck) judges the workflow; its check step and its publish step run for real, the publish
// up to `npm publish --dry-run` (offline: nothing leaves the machine), to npm's default registry
// with provenance and to a platform team's own registry.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execa } from 'execa';
import { parse as parseYaml } from 'yaml';
import { actionlint, repoRoot } from '../support/tools.js';

const root = repoRoot();
const WORKFLOW = join(root, '.github', 'workflows', 'release.yml');
const wf = parseYaml(readFileSync(WORKFLOW, 'utf8'));
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
const scratch = mkdtempSync(join(tmpdir(), 'cgks-release-'));
test.after(() => rmSync(scratch, { recursive: true, force: true }));

type Step = { name?: string; run?: string; uses?: string; env?: Record<string, string> };
const stepRunning = (job: string, script: string): Step => {
  const step = (wf.jobs[job].steps as Step[]).find((s) => s.run?.includes(script));
  assert.ok(step, `job ${job} has a step running ${script}`);
  return step!;
};
/** A step's env with GitHub's expressions replaced by the values given (unknown ones: empty). */
const envOf = (step: Step, ctx: Record<string, string>) =>
  Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, String(v).replace(/\$\{\{\s*([\w.]+)\s*\}\}/g, (_, e: string) => ctx[e] ?? '')]));

async function runStep(step: Step, cwd: string, env: Record<string, string>) {
  return execa('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step.run!], {
    cwd,
    env: { PATH: process.env.PATH!, HOME: process.env.HOME!, ...env },
    extendEnv: false,
    reject: false,
    all: true,
  });
}

test('actionlint (with shellcheck) passes the release workflow, and fails a broken copy (the control)', async () => {
  const r = await actionlint(WORKFLOW);
  assert.ok(r.ok, r.output);
  const broken = join(scratch, 'release.yml');
  writeFileSync(broken, readFileSync(WORKFLOW, 'utf8').replace('needs: [check, test]', 'needs: [check, tests]'));
  const bad = await actionlint(broken);
  assert.not.ok(bad.ok, 'a job needing an unknown job passed');
});

test('on a version tag: check, then the whole test suite, then publish; only publish may ask for an OIDC token', () => {
  assert.equal(wf.on, { push: { tags: ['v*'] } });
  assert.equal(wf.permissions, { contents: 'read' });
  assert.equal(wf.jobs.test.needs, ['check']);
  assert.equal(wf.jobs.publish.needs, ['check', 'test']);
  assert.ok(stepRunning('test', 'npm test'));
  assert.ok(stepRunning('test', 'scripts/install-tools.sh'));
  for (const [name, job] of Object.entries(wf.jobs as Record<string, { permissions?: Record<string, string>; steps: Step[] }>)) {
    assert.is(job.permissions?.['id-token'] === 'write', name === 'publish', `${name}: id-token`);
    for (const s of job.steps.filter((s) => s.uses)) assert.match(s.uses!, /@[0-9a-f]{40}$/, `${name}: ${s.uses} is pinned by commit`);
  }
});

test('the check step: the tag must name package.json\'s version, and CHANGELOG.md must have its entry (one line, exit 1)', async () => {
  const step = stepRunning('check', 'release-check.sh');
  const ok = await runStep(step, root, envOf(step, { 'github.ref_name': `v${version}` }));
  assert.is(ok.exitCode, 0, ok.all);
  const wrongTag = await runStep(step, root, envOf(step, { 'github.ref_name': 'v99.0.0' }));
  assert.is(wrongTag.exitCode, 1);
  assert.is(wrongTag.stderr, `error: release-check: tag v99.0.0 does not name package.json's version ${version} (tag v${version}, or bump the version)`);
  // A copy of the repository whose CHANGELOG.md lacks the entry.
  const copy = join(scratch, 'no-entry');
  mkdirSync(join(copy, 'scripts'), { recursive: true });
  copyFileSync(join(root, 'scripts', 'release-check.sh'), join(copy, 'scripts', 'release-check.sh'));
  copyFileSync(join(root, 'package.json'), join(copy, 'package.json'));
  writeFileSync(join(copy, 'CHANGELOG.md'), readFileSync(join(root, 'CHANGELOG.md'), 'utf8').replace(`## ${version} (`, `## ${version}-draft (`));
  const noEntry = await runStep(step, copy, envOf(step, { 'github.ref_name': `v${version}` }));
  assert.is(noEntry.exitCode, 1);
  assert.is(noEntry.stderr, `error: release-check: CHANGELOG.md has no entry for ${version} (a heading '## ${version} (YYYY-MM-DD)')`);
  const usage = await runStep(step, root, {});
  assert.is(usage.exitCode, 2);
});

/** The publish step as the workflow runs it, up to npm publish --dry-run, offline. */
async function publishDryRun(ctx: Record<string, string>) {
  const step = stepRunning('publish', 'release-publish.sh');
  return runStep(step, root, { ...envOf(step, ctx), DRY_RUN: '1', npm_config_offline: 'true' });
}

test('the publish step: npm publish --dry-run of this version with provenance, the package holding dist, templates and CHANGELOG.md', async () => {
  const r = await publishDryRun({});
  assert.is(r.exitCode, 0, r.all);
  assert.match(r.all!, new RegExp(`^\\+ create-go-k8s-service@${version.replace(/\./g, '\\.')}$`, 'm'));
  assert.match(r.all!, /Publishing to https:\/\/\S+ with tag latest and public access \(dry-run\)/);
  for (const file of ['dist/cli.cjs', 'templates/Makefile.hbs', 'CHANGELOG.md', 'package.json']) assert.match(r.all!, new RegExp(`npm notice [\\d.]+k?B ${file}$`, 'm'), file);
  // A dry run makes no provenance statement (that needs CI's OIDC token); the flag is in the command.
  assert.match((await npmCommand({})), /^npm publish --access public --dry-run --provenance --userconfig \S+$/);
});

/** The npm command line the script runs (bash -x), for these variables. */
async function npmCommand(env: Record<string, string>): Promise<string> {
  const trace = await execa('bash', ['-x', join(root, 'scripts', 'release-publish.sh')], {
    cwd: root,
    env: { PATH: process.env.PATH!, HOME: process.env.HOME!, DRY_RUN: '1', npm_config_offline: 'true', ...env },
    extendEnv: false,
    reject: false,
    all: true,
  });
  assert.is(trace.exitCode, 0, trace.all);
  return /^\+ (npm publish .*)$/m.exec(trace.stderr)?.[1] ?? trace.stderr;
}

test('a fork or an air-gapped platform publishes to its own registry (NPM_REGISTRY, NPM_TOKEN): no provenance there', async () => {
  const r = await publishDryRun({ 'vars.NPM_REGISTRY': 'https://npm.example.internal/', 'secrets.NPM_TOKEN': 'npm_t0ken' });
  assert.is(r.exitCode, 0, r.all);
  assert.match(r.all!, /Publishing to https:\/\/npm\.example\.internal\/ with tag latest and public access \(dry-run\)/);
  assert.not.match(r.all!, /npm_t0ken/);
  assert.match(await npmCommand({ NPM_REGISTRY: 'https://npm.example.internal/' }), /^npm publish --access public --dry-run --registry https:\/\/npm\.example\.internal\/ --userconfig \S+$/);
  assert.match(await npmCommand({ NPM_REGISTRY: 'https://npm.example.internal/', NPM_PROVENANCE: 'true' }), / --provenance /);
  const bad = await publishDryRun({ 'vars.NPM_REGISTRY': 'npm.example.internal' });
  assert.is(bad.exitCode, 2);
  assert.is(bad.stderr, 'error: release-publish: NPM_REGISTRY must be an http(s) URL such as https://npm.example.internal/, got NPM_REGISTRY=npm.example.internal');
});

test.run();

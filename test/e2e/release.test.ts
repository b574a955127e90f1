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
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
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
  Object.fromEntries(
    Object.entries(step.env ?? {}).map(([k, v]) => [k, String(v).replace(/\$\{\{\s*([\w.]+)\s*\}\}/g, (_, e: string) => ctx[e] ?? '')]),
  );

/** Variables GitHub Actions sets in every step (the repository that runs the workflow). */
const RUNNER = { GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'acme/create-go-k8s-service' };

async function runStep(step: Step, cwd: string, env: Record<string, string>) {
  return execa('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step.run!], {
    cwd,
    env: { PATH: process.env.PATH!, HOME: process.env.HOME!, ...RUNNER, ...env },
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

test("the check step: the tag must name package.json's version, and CHANGELOG.md must have its entry (one line, exit 1)", async () => {
  const step = stepRunning('check', 'release-check.sh');
  const ok = await runStep(step, root, envOf(step, { 'github.ref_name': `v${version}` }));
  assert.is(ok.exitCode, 0, ok.all);
  const wrongTag = await runStep(step, root, envOf(step, { 'github.ref_name': 'v99.0.0' }));
  assert.is(wrongTag.exitCode, 1);
  assert.is(
    wrongTag.stderr,
    `error: release-check: tag v99.0.0 does not name package.json's version ${version} (tag v${version}, or bump the version)`,
  );
  // A copy of the repository whose CHANGELOG.md lacks the entry.
  const copy = join(scratch, 'no-entry');
  mkdirSync(join(copy, 'scripts'), { recursive: true });
  copyFileSync(join(root, 'scripts', 'release-check.sh'), join(copy, 'scripts', 'release-check.sh'));
  copyFileSync(join(root, 'package.json'), join(copy, 'package.json'));
  writeFileSync(
    join(copy, 'CHANGELOG.md'),
    readFileSync(join(root, 'CHANGELOG.md'), 'utf8').replace(`## ${version} (`, `## ${version}-draft (`),
  );
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
  for (const file of ['dist/cli.cjs', 'templates/Makefile.hbs', 'CHANGELOG.md', 'package.json'])
    assert.match(r.all!, new RegExp(`npm notice [\\d.]+k?B ${file}$`, 'm'), file);
  // A dry run makes no provenance statement (that needs CI's OIDC token); the flag is in the command.
  assert.match(await npmCommand({}), /^npm publish --ignore-scripts --access public --dry-run --provenance \S+\/package --userconfig \S+$/);
});

/** The npm command line the script runs (bash -x), for these variables. */
async function npmCommand(env: Record<string, string>): Promise<string> {
  const trace = await execa('bash', ['-x', join(root, 'scripts', 'release-publish.sh')], {
    cwd: root,
    env: { PATH: process.env.PATH!, HOME: process.env.HOME!, ...RUNNER, DRY_RUN: '1', npm_config_offline: 'true', ...env },
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
  assert.match(
    await npmCommand({ NPM_REGISTRY: 'https://npm.example.internal/' }),
    /^npm publish --ignore-scripts --access public --dry-run --registry https:\/\/npm\.example\.internal\/ \S+\/package --userconfig \S+$/,
  );
  assert.match(await npmCommand({ NPM_REGISTRY: 'https://npm.example.internal/', NPM_PROVENANCE: 'true' }), / --provenance /);
  const bad = await publishDryRun({ 'vars.NPM_REGISTRY': 'npm.example.internal' });
  assert.is(bad.exitCode, 2);
  assert.is(
    bad.stderr,
    'error: release-publish: NPM_REGISTRY must be an http(s) URL such as https://npm.example.internal/, got NPM_REGISTRY=npm.example.internal',
  );
});

/**
 * A registry stand-in on loopback that keeps what npm publish uploads (the manifest and the
 * tarball): no public registry is reachable here. The client is the real npm.
 */
async function publishTo(env: Record<string, string>) {
  const uploads: { doc: any; tarball: Buffer }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method === 'PUT') {
        const doc = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        const attachment = Object.values(doc._attachments ?? {})[0] as { data: string } | undefined;
        uploads.push({ doc, tarball: Buffer.from(attachment?.data ?? '', 'base64') });
        res.writeHead(201, { 'content-type': 'application/json' }).end('{"ok":true}');
      } else res.writeHead(404, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const registry = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  try {
    const step = stepRunning('publish', 'release-publish.sh');
    // dist/ is built (npm test builds it first); the dry-run test above runs the pack's prepack build.
    const r = await runStep(step, root, {
      ...envOf(step, { 'vars.NPM_REGISTRY': registry, 'secrets.NPM_TOKEN': 'npm_t0ken' }),
      npm_config_ignore_scripts: 'true',
      ...env,
    });
    return { r, uploads };
  } finally {
    server.close();
  }
}

/** package.json inside an uploaded tarball. */
function packedManifest(tarball: Buffer): Record<string, any> {
  const dir = mkdtempSync(join(scratch, 'tgz-'));
  writeFileSync(join(dir, 'p.tgz'), tarball);
  return JSON.parse(execFileSync('tar', ['-xzOf', join(dir, 'p.tgz'), 'package/package.json'], { encoding: 'utf8' }));
}

test('the published package says where the project is: repository, homepage and bugs from the repository that ran the workflow; the checkout is left as it was', async () => {
  const before = readFileSync(join(root, 'package.json'), 'utf8');
  const { r, uploads } = await publishTo({});
  assert.is(r.exitCode, 0, r.all);
  assert.is(uploads.length, 1, 'one upload');
  const project = 'https://github.com/acme/create-go-k8s-service';
  for (const manifest of [uploads[0]!.doc.versions[version], packedManifest(uploads[0]!.tarball)]) {
    assert.equal(manifest.repository, { type: 'git', url: `git+${project}.git` });
    assert.is(manifest.homepage, `${project}#readme`);
    assert.equal(manifest.bugs, { url: `${project}/issues` });
  }
  assert.is(readFileSync(join(root, 'package.json'), 'utf8'), before, 'package.json in the checkout is unchanged');

  // Outside GitHub Actions (a platform team's own CI), PROJECT_URL names it.
  const own = await publishTo({
    GITHUB_SERVER_URL: '',
    GITHUB_REPOSITORY: '',
    PROJECT_URL: 'https://git.example.internal/platform/create-go-k8s-service.git',
  });
  assert.is(own.r.exitCode, 0, own.r.all);
  assert.is(own.uploads[0]!.doc.versions[version].homepage, 'https://git.example.internal/platform/create-go-k8s-service#readme');
});

test('without a project URL nothing is published: one line saying what to set, exit 2', async () => {
  for (const [env, line] of [
    [
      { GITHUB_SERVER_URL: '', GITHUB_REPOSITORY: '' },
      /^error: release-publish: the project's URL is unknown: set PROJECT_URL=https:\/\/<host>\/<owner>\/<repo> \(GitHub Actions sets GITHUB_SERVER_URL and GITHUB_REPOSITORY\), so that the package's repository, homepage and bugs lead to it$/,
    ],
    [
      { PROJECT_URL: 'git@example.internal:platform/cgks' },
      /^error: release-publish: PROJECT_URL must be an http\(s\) URL of the repository such as \S+, got git@example\.internal:platform\/cgks$/,
    ],
  ] as const) {
    const { r, uploads } = await publishTo(env);
    assert.is(r.exitCode, 2, r.all);
    assert.match(r.stderr, line);
    assert.is(uploads.length, 0);
  }
});

test.run();

// The image supply chain and the deploy targets of a generated repo, for --ci github|gitlab x
// --[no-]sign (and --ci none, which writes no CI file and ignores --sign):
// - CI files: actionlint (with shellcheck) clean; GitLab CI valid against GitLab's schema, its
//   scripts shellcheck-clean; every escaped `${{ }}` and `{{version}}` of the template comes
//   out intact, in order, for the branches the answers switch on.
// - Read back as YAML (checks as problem lists): only the sign job may get an OIDC token
//   (GitHub `id-token: write`, GitLab `id_tokens`), and there is none without --sign; the
//   image is built with an SBOM and max provenance and pushed; its digest (the build step's
//   output, GitLab's metadata file via a dotenv report) is what trivy scans and cosign signs;
//   hadolint and trivy run with failing flags (HIGH,CRITICAL, --ignore-unfixed, exit code 1);
//   tags carry the commit and the semver; the convention check runs this generator's version;
//   third-party actions are pinned by commit; the image waits for every check.
// - GitLab's tag script runs for real (docker and jq stubbed) for a branch, a release and a
//   pre-release.
// - Makefile: `make -n` of helm-template ENV=prod, deploy ENV=staging TAG=1.2.3, up, down,
//   lint-docker, scan; ENV=nope and a missing ENV fail with one clear line; lint-docker and
//   scan run stubbed tools, and say how to install missing ones; `make helm-lint` and
//   `make helm-template ENV=...` run the real helm over every environment file.
// - Negative controls: every problem list, the expression comparison and the tools reject a
//   broken variant.
import { execa } from 'execa';
import Handlebars from 'handlebars';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parse as parseYaml } from 'yaml';
import type { Answers } from '../../generators/model/questions.js';
import { templateContext } from '../../generators/render/render.js';
import { GENERATOR_VERSION } from '../../generators/model/version.js';
import { escapedExpressions, expectedExpressions, renderedExpressions } from '../fixtures/deploy-files/expressions.js';
import { answersFor, generate } from '../support/generate.js';
import * as tools from '../support/tools.js';
import { goEnv } from '../support/go.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const GH_TEMPLATE = 'dot_github/workflows/ci.yml.hbs';
const GL_TEMPLATE = 'dot_gitlab-ci.yml.hbs';
const GH_FILE = '.github/workflows/ci.yml';
const GL_FILE = '.gitlab-ci.yml';
const GH_UPDATE_FILE = '.github/workflows/generator-update.yml';
const CHECK_COMMAND = `npx --yes create-go-k8s-service@${GENERATOR_VERSION} check`;
const SHA = /^[0-9a-f]{40}$/;

const scratch = mkdtempSync(join(tmpdir(), 'cgks-supply-chain-'));
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));

const read = (dir: string, path: string) => readFileSync(join(dir, path), 'utf8');
const count = (s: string, needle: string) => s.split(needle).length - 1;

function write(path: string, text: string, mode?: number): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  if (mode) chmodSync(path, mode);
  return path;
}

// ---- GitHub Actions, read back --------------------------------------------------------------------

type Obj = Record<string, any>;
const stepsOf = (job: Obj | undefined): Obj[] => (job?.steps ?? []) as Obj[];
const usesOf = (s: Obj, action: string) => typeof s.uses === 'string' && s.uses.startsWith(`${action}@`);
const needsOf = (job: Obj | undefined): string[] => [job?.needs ?? []].flat();

/** What is wrong with the supply chain of a parsed workflow, for these answers; [] when nothing. */
function githubProblems(wf: Obj, a: Answers): string[] {
  const p: string[] = [];
  const jobs = (wf.jobs ?? {}) as Record<string, Obj>;
  const withAction = (action: string) =>
    Object.entries(jobs).flatMap(([id, j]) =>
      stepsOf(j)
        .filter((s) => usesOf(s, action))
        .map((s) => ({ id, step: s })),
    );

  // OIDC: only the sign job, and only with --sign.
  if (JSON.stringify(wf.permissions) !== JSON.stringify({ contents: 'read' })) {
    p.push(`workflow permissions must be { contents: read }, not ${JSON.stringify(wf.permissions)}`);
  }
  const oidc = Object.entries(jobs)
    .filter(([, j]) => j.permissions === 'write-all' || j.permissions?.['id-token'] === 'write')
    .map(([id]) => id);
  if (JSON.stringify(oidc) !== JSON.stringify(a.sign ? ['sign'] : [])) {
    p.push(`jobs with id-token: write: [${oidc.join(', ')}], expected [${a.sign ? 'sign' : ''}]`);
  }

  // The image: built with attestations, pushed; the digest output wired to the scan and the signature.
  const image: Obj = jobs.image ?? {};
  const builds = withAction('docker/build-push-action');
  if (builds.length !== 1 || builds[0]!.id !== 'image') {
    p.push(`expected one docker/build-push-action step, in the image job (found ${builds.length})`);
    return p;
  }
  const build = builds[0]!.step;
  const buildId = build.id as string | undefined;
  if (!buildId) p.push('the build step has no id: its digest output cannot be used');
  if (build.with?.push !== true) p.push('the build step does not push');
  if (build.with?.sbom !== true) p.push(`build step: sbom is ${JSON.stringify(build.with?.sbom)}, expected true`);
  if (build.with?.provenance !== 'mode=max')
    p.push(`build step: provenance is ${JSON.stringify(build.with?.provenance)}, expected mode=max`);
  const digest = `\${{ steps.${buildId}.outputs.digest }}`;
  if (image.outputs?.digest !== digest) p.push(`image job output digest is ${JSON.stringify(image.outputs?.digest)}, expected ${digest}`);

  // Tags: the commit and the semver of a release.
  const meta = stepsOf(image).find((s) => usesOf(s, 'docker/metadata-action'));
  const tagLines = String(meta?.with?.tags ?? '')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  for (const want of [/^type=sha\b/, /^type=semver,pattern=\{\{version\}\}$/, /^type=semver,pattern=\{\{major\}\}\.\{\{minor\}\}$/]) {
    if (!tagLines.some((l) => want.test(l))) p.push(`metadata-action tags lack ${want.source} (have: ${tagLines.join('; ')})`);
  }
  if (meta && build.with?.tags !== `\${{ steps.${meta.id}.outputs.tags }}`) p.push('the build step does not use the metadata tags');

  // Scan: trivy on the pushed digest, after the build, failing on fixable HIGH/CRITICAL.
  const scans = withAction('aquasecurity/trivy-action');
  if (scans.length !== 1) p.push(`expected one trivy scan, found ${scans.length}`);
  for (const { id, step } of scans) {
    const w = step.with ?? {};
    if (id !== 'image' || stepsOf(image).indexOf(step) < stepsOf(image).indexOf(build))
      p.push('trivy must run in the image job, after the build');
    if (w['image-ref'] !== `\${{ env.IMAGE }}@${digest}`) p.push(`trivy scans ${JSON.stringify(w['image-ref'])}, not the pushed digest`);
    if (w.severity !== 'HIGH,CRITICAL') p.push(`trivy severity ${JSON.stringify(w.severity)}, expected HIGH,CRITICAL`);
    if (w['ignore-unfixed'] !== true) p.push('trivy without ignore-unfixed: true');
    if (String(w['exit-code']) !== '1') p.push(`trivy exit-code ${JSON.stringify(w['exit-code'])}, expected 1`);
    if ((w['scan-type'] ?? 'image') !== 'image') p.push(`trivy scan-type ${w['scan-type']}`);
  }

  // Lint: hadolint on the Dockerfile, failing, before the image.
  const lints = withAction('hadolint/hadolint-action');
  if (lints.length !== 1) p.push(`expected one hadolint step, found ${lints.length}`);
  for (const { id, step } of lints) {
    if ((step.with?.dockerfile ?? 'Dockerfile') !== 'Dockerfile') p.push(`hadolint lints ${step.with?.dockerfile}`);
    if (String(step.with?.['no-fail'] ?? false) !== 'false') p.push('hadolint with no-fail');
    if (!['info', 'style', 'warning', 'error', undefined].includes(step.with?.['failure-threshold']))
      p.push(`hadolint failure-threshold ${step.with?.['failure-threshold']}`);
    if (!needsOf(image).includes(id)) p.push(`the image job does not wait for ${id} (hadolint)`);
  }

  // The convention check, with this generator's version, before the image.
  const checks = Object.entries(jobs).filter(([, j]) => stepsOf(j).some((s) => s.run === CHECK_COMMAND));
  if (checks.length !== 1) p.push(`expected one step running \`${CHECK_COMMAND}\`, found ${checks.length}`);
  for (const [id] of checks) if (!needsOf(image).includes(id)) p.push(`the image job does not wait for ${id} (check)`);

  // Signing: a job of its own, by digest, after the image (and so after its scan).
  const sign = jobs.sign;
  if (!a.sign) {
    if (sign) p.push('a sign job without --sign');
    if (withAction('sigstore/cosign-installer').length > 0) p.push('cosign without --sign');
  } else if (!sign) {
    p.push('no sign job with --sign');
  } else {
    if (!needsOf(sign).includes('image')) p.push('the sign job does not need the image job');
    const perms = sign.permissions ?? {};
    if (
      JSON.stringify(Object.keys(perms).sort()) !== JSON.stringify(['contents', 'id-token', 'packages']) ||
      perms.contents !== 'read' ||
      perms.packages !== 'write'
    ) {
      p.push(`sign job permissions ${JSON.stringify(perms)}, expected contents: read, id-token: write, packages: write`);
    }
    const s = stepsOf(sign);
    const installer = s.findIndex((x) => usesOf(x, 'sigstore/cosign-installer'));
    const signing = s.findIndex((x) => typeof x.run === 'string' && /\bcosign sign --yes "\$IMAGE@\$DIGEST"/.test(x.run));
    if (installer < 0) p.push('the sign job does not install cosign');
    if (signing < 0) p.push('the sign job does not run cosign sign --yes "$IMAGE@$DIGEST"');
    else if (s[signing]!.env?.DIGEST !== '${{ needs.image.outputs.digest }}')
      p.push(`cosign signs DIGEST=${JSON.stringify(s[signing]!.env?.DIGEST)}, not the image job's digest`);
    if (installer > signing) p.push('cosign is installed after it is used');
  }

  // Third-party actions pinned by commit.
  for (const action of ['hadolint/hadolint-action', 'aquasecurity/trivy-action', 'sigstore/cosign-installer']) {
    for (const { step } of withAction(action))
      if (!SHA.test(String(step.uses).split('@')[1] ?? '')) p.push(`${step.uses} is not pinned by commit`);
  }
  return p;
}

// ---- pins ------------------------------------------------------------------------------------------

/** A reference pinned by digest with the tag beside it: name:tag@sha256:<64 hex>. */
const PINNED_IMAGE = /^[a-z0-9][a-z0-9./_:-]*:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}@sha256:[0-9a-f]{64}$/;

/** Every `uses:` of a workflow (parsed) is owner/repo[/path]@<40 hex>, its line says the version (# vX.Y.Z). */
function actionPinProblems(text: string): string[] {
  const wf = parseYaml(text) as Obj;
  const p: string[] = [];
  const uses = Object.values((wf.jobs ?? {}) as Record<string, Obj>).flatMap((j) =>
    stepsOf(j)
      .map((s) => s.uses)
      .filter((u): u is string => typeof u === 'string'),
  );
  if (uses.length === 0) p.push('no uses: found');
  const versions = new Map<string, string>();
  for (const u of new Set(uses)) {
    const m = /^([\w.-]+\/[\w.-]+(?:\/[\w./-]+)?)@([0-9a-f]{40})$/.exec(u);
    if (!m) {
      p.push(`${u}: not pinned by a full commit SHA`);
      continue;
    }
    // The comment sits on the uses: line itself (YAML drops it; read the line).
    const lineRe = new RegExp(`^\\s*(?:- )?uses: ${u.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}(.*)$`, 'gm');
    const found = [...text.matchAll(lineRe)];
    if (found.length === 0) p.push(`${u}: its uses: line was not found`);
    for (const line of found) {
      const v = /^ # (v\d+\.\d+\.\d+)\b/.exec(line[1]!);
      if (!v) p.push(`${u}: no "# vX.Y.Z" comment beside it`);
      else if (versions.has(m[1]!) && versions.get(m[1]!) !== `${m[2]} ${v[1]}`) p.push(`${m[1]}: two pins`);
      else versions.set(m[1]!, `${m[2]} ${v[1]}`);
    }
  }
  return p;
}

/** Every image a GitLab job or service runs (variables resolved) is pinned by digest with its tag. */
function gitlabImagePinProblems(gl: Obj): string[] {
  const p: string[] = [];
  const resolve = (ref: string) => ref.replace(/^\$(\w+)$/, (_, v: string) => String(gl.variables?.[v] ?? ref));
  const nameOf = (i: unknown) => String(typeof i === 'object' && i ? (i as Obj).name : i);
  const refs: [string, string][] = [];
  for (const [id, v] of Object.entries(gl)) {
    if (!v || typeof v !== 'object' || Array.isArray(v)) continue;
    if (v.image !== undefined) refs.push([id, nameOf(v.image)]);
    for (const svc of (v.services ?? []) as unknown[]) refs.push([`${id} service`, nameOf(svc)]);
  }
  if (refs.length === 0) p.push('no images found');
  for (const [id, ref] of refs) if (!PINNED_IMAGE.test(resolve(ref))) p.push(`${id}: ${resolve(ref)} is not pinned by digest with its tag`);
  return p;
}

// ---- GitLab CI, read back -------------------------------------------------------------------------

const glJobs = (gl: Obj): [string, Obj][] =>
  Object.entries(gl).filter(([k, v]) => !k.startsWith('.') && v && typeof v === 'object' && ('script' in v || 'trigger' in v)) as [
    string,
    Obj,
  ][];
const lines = (job: Obj): string[] => [...(job.before_script ?? []), ...(job.script ?? [])].map(String);

function gitlabProblems(gl: Obj, a: Answers): string[] {
  const p: string[] = [];
  const jobs = glJobs(gl);
  const find = (re: RegExp) => jobs.filter(([, j]) => lines(j).some((l) => re.test(l)));

  // OIDC: only the sign job, only with --sign, audience sigstore.
  const tokened = jobs.filter(([, j]) => j.id_tokens !== undefined).map(([id]) => id);
  if (JSON.stringify(tokened) !== JSON.stringify(a.sign ? ['sign'] : []))
    p.push(`jobs with id_tokens: [${tokened.join(', ')}], expected [${a.sign ? 'sign' : ''}]`);
  if (gl.default?.id_tokens) p.push('id_tokens in default: every job would get one');

  // The image: BuildKit with attestations, pushed; its digest to a dotenv report.
  const images = find(/docker buildx build --push\b/);
  if (images.length !== 1) {
    p.push(`expected one job running docker buildx build --push, found ${images.length}`);
    return p;
  }
  const [imageId, image] = images[0]!;
  const buildLine = lines(image).find((l) => /docker buildx build --push\b/.test(l))!;
  for (const flag of ['--sbom=true', '--provenance=mode=max', '--metadata-file image-metadata.json']) {
    if (!buildLine.includes(flag)) p.push(`the image build lacks ${flag}`);
  }
  if (!lines(image).some((l) => l.includes(`'."containerimage.digest"' image-metadata.json`)))
    p.push('the digest is not read from the metadata file');
  if (!lines(image).some((l) => l.includes('echo "IMAGE_DIGEST=$IMAGE_DIGEST" > image.env')))
    p.push('the digest is not written to image.env');
  if (image.artifacts?.reports?.dotenv !== 'image.env') p.push('image.env is not a dotenv report: later jobs would not see IMAGE_DIGEST');

  // Scan: trivy on the digest, failing on fixable HIGH/CRITICAL.
  const trivy = 'trivy image --exit-code 1 --severity HIGH,CRITICAL --ignore-unfixed "$IMAGE@$IMAGE_DIGEST"';
  const scans = jobs.filter(([, j]) => lines(j).includes(trivy));
  if (scans.length !== 1) p.push(`expected one job running ${trivy}, found ${scans.length}`);
  const [scanId, scan] = scans[0] ?? ['', {}];
  if (scans.length === 1) {
    if (!needsOf(scan).includes(imageId)) p.push(`${scanId} does not need ${imageId} (no IMAGE_DIGEST)`);
    if (JSON.stringify(scan.rules) !== JSON.stringify(image.rules)) p.push(`${scanId} runs under other rules than ${imageId}`);
  }

  // Lint and the convention check, before the image.
  const hadolint = find(/^hadolint Dockerfile$/);
  if (hadolint.length !== 1) p.push(`expected one job running hadolint Dockerfile, found ${hadolint.length}`);
  const checks = jobs.filter(([, j]) => lines(j).includes(CHECK_COMMAND));
  if (checks.length !== 1) p.push(`expected one job running ${CHECK_COMMAND}, found ${checks.length}`);
  for (const [id] of [...hadolint, ...checks]) if (!needsOf(image).includes(id)) p.push(`${imageId} does not wait for ${id}`);
  for (const [id, j] of [...hadolint, ...[[scanId, scan] as [string, Obj]]]) {
    const name = String(typeof j.image === 'object' ? j.image?.name : (j.image ?? ''));
    const ref = name.startsWith('$') ? String(gl.variables?.[name.slice(1)] ?? '') : name;
    if (!/:[^:]*\d/.test(ref) || /:latest/.test(ref)) p.push(`${id} runs an unpinned image ${ref || '(none)'}`);
  }

  // Signing.
  const signs = find(/cosign sign\b/);
  if (!a.sign) {
    if (signs.length > 0) p.push('cosign sign without --sign');
  } else if (signs.length !== 1 || signs[0]![0] !== 'sign') {
    p.push(`expected one job "sign" running cosign sign, found [${signs.map(([id]) => id).join(', ')}]`);
  } else {
    const sign = signs[0]![1];
    if (!lines(sign).includes('cosign sign --yes "$IMAGE@$IMAGE_DIGEST"'))
      p.push('sign does not run cosign sign --yes "$IMAGE@$IMAGE_DIGEST"');
    if (JSON.stringify(sign.id_tokens) !== JSON.stringify({ SIGSTORE_ID_TOKEN: { aud: 'sigstore' } }))
      p.push(`sign id_tokens ${JSON.stringify(sign.id_tokens)}`);
    for (const need of [imageId, scanId]) if (!needsOf(sign).includes(need)) p.push(`sign does not need ${need}`);
    if (JSON.stringify(sign.rules) !== JSON.stringify(image.rules)) p.push(`sign runs under other rules than ${imageId}`);
    if (!gl.stages?.includes(sign.stage)) p.push(`sign's stage ${sign.stage} is not declared`);
  }
  return p;
}

/** Runs the image job's script with docker and jq stubbed; returns the docker command line and image.env. */
async function runGitlabImageScript(
  script: string[],
  env: Record<string, string>,
): Promise<{ docker: string[]; dotenv: string; output: string; code: number }> {
  const dir = mkdtempSync(join(scratch, 'gl-image-'));
  const bin = join(dir, 'bin');
  // docker: record the arguments; for `buildx build`, write the metadata file BuildKit writes.
  write(
    join(bin, 'docker'),
    `#!/bin/sh
printf '%s\\n' "$@" > "$STUB_LOG"
prev=
for a; do
  if [ "$prev" = --metadata-file ]; then
    printf '{\\n  "buildx.build.ref": "ci/ci0/x",\\n  "containerimage.digest": "sha256:%s"\\n}\\n' "$STUB_DIGEST" > "$a"
  fi
  prev=$a
done
`,
    0o755,
  );
  // jq: only what the script asks of it (node, so the test does not need jq installed).
  write(
    join(bin, 'jq'),
    `#!/usr/bin/env node
const [, , flag, filter, file] = process.argv;
if (flag !== '-r' || filter !== '."containerimage.digest"') { console.error('stub jq: unexpected ' + process.argv.slice(2).join(' ')); process.exit(2); }
console.log(JSON.parse(require('fs').readFileSync(file, 'utf8'))['containerimage.digest']);
`,
    0o755,
  );
  const log = join(dir, 'docker.log');
  const r = await execa('sh', ['-e', '-c', script.join('\n')], {
    cwd: dir,
    env: { PATH: `${bin}:${process.env.PATH}`, STUB_LOG: log, STUB_DIGEST: 'ab'.repeat(32), ...env },
    extendEnv: false,
    reject: false,
    all: true,
  });
  const dotenvPath = join(dir, 'image.env');
  return {
    docker: existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : [],
    dotenv: existsSync(dotenvPath) ? readFileSync(dotenvPath, 'utf8') : '',
    output: String(r.all ?? ''),
    code: r.exitCode ?? -1,
  };
}

const tagsOf = (args: string[]) => args.flatMap((x, i) => (args[i - 1] === '--tag' ? [x] : []));

const GL_ENV = {
  CI_COMMIT_SHA: 'c0ffee'.repeat(6) + 'c0ff',
  CI_COMMIT_SHORT_SHA: 'c0ffeec0',
  // The file's variables.IMAGE (GitLab sets a job's variables in its environment).
  IMAGE: 'registry.gitlab.example/acme/orders',
  CI_DEFAULT_BRANCH: 'main',
};

/** Expected tags of the GitLab image job for a pipeline (a tag, or the default branch). */
const TAG_CASES: { label: string; env: Record<string, string>; tags: string[] }[] = [
  { label: 'default branch', env: { CI_COMMIT_BRANCH: 'main' }, tags: [`sha-${GL_ENV.CI_COMMIT_SHA}`, 'main'] },
  { label: 'release v1.2.3', env: { CI_COMMIT_TAG: 'v1.2.3' }, tags: [`sha-${GL_ENV.CI_COMMIT_SHA}`, '1.2.3', '1.2'] },
  { label: 'pre-release v2.0.0-rc.1', env: { CI_COMMIT_TAG: 'v2.0.0-rc.1' }, tags: [`sha-${GL_ENV.CI_COMMIT_SHA}`, '2.0.0-rc.1'] },
  { label: 'tag that is no version', env: { CI_COMMIT_TAG: 'nightly' }, tags: [`sha-${GL_ENV.CI_COMMIT_SHA}`] },
];

async function gitlabTagProblems(script: string[]): Promise<string[]> {
  const p: string[] = [];
  for (const c of TAG_CASES) {
    const r = await runGitlabImageScript(script, { ...GL_ENV, ...c.env });
    if (r.code !== 0) {
      p.push(`${c.label}: the script failed (${r.code}): ${r.output}`);
      continue;
    }
    const want = c.tags.map((t) => `${GL_ENV.IMAGE}:${t}`);
    const got = tagsOf(r.docker);
    if (JSON.stringify(got) !== JSON.stringify(want)) p.push(`${c.label}: tags ${got.join(' ')}, expected ${want.join(' ')}`);
    if (r.dotenv !== `IMAGE_DIGEST=sha256:${'ab'.repeat(32)}\n`) p.push(`${c.label}: image.env is ${JSON.stringify(r.dotenv)}`);
  }
  return p;
}

// ---- expressions ------------------------------------------------------------------------------------

/** Every escaped expression of the active branches comes out intact and in order; nothing else. */
function expressionProblems(templatePath: string, text: string, a: Answers, source?: string): string[] {
  const expected = expectedExpressions(templatePath, a, source);
  const got = renderedExpressions(text);
  const p: string[] = [];
  const dollar = expected.filter((e) => e.startsWith('{{ ')).length;
  if (count(text, '${{') !== dollar) p.push(`${count(text, '${{')} \${{ in the output, expected ${dollar}`);
  if (JSON.stringify(got) !== JSON.stringify(expected)) {
    const i = got.findIndex((g, k) => g !== expected[k]);
    p.push(
      `expressions differ at #${i < 0 ? Math.min(got.length, expected.length) : i}: ${got[i] ?? '(end)'} vs ${expected[i] ?? '(end)'}`,
    );
  }
  if (/\$(?!\{\{)[\s"'\n]/.test(text) && templatePath === GH_TEMPLATE) p.push('a lone "$" where an expression was eaten');
  return p;
}

// ---- the CI combinations ----------------------------------------------------------------------------

const COMBOS: Partial<Answers>[] = [];
// --update-job on and off for each CI, paired with --sign the other way round (every CI file
// variant is validated without doubling the runs).
for (const ci of ['github', 'gitlab'] as const) for (const sign of [true, false]) COMBOS.push({ ci, sign, updateJob: !sign });
// --database postgres adds a PostgreSQL service to the test job; one combination per provider proves it valid.
for (const ci of ['github', 'gitlab'] as const)
  COMBOS.push({ ci, sign: ci === 'github', updateJob: ci === 'gitlab', database: 'postgres' });

const generated: string[] = [];
process.on('exit', () => {
  for (const d of generated) rmSync(d, { recursive: true, force: true });
});
function repo(overrides: Partial<Answers>): { dir: string; answers: Answers } {
  const dir = generate(overrides, 'cgks-supply-');
  generated.push(dir);
  return { dir, answers: answersFor(overrides) };
}

for (const combo of COMBOS) {
  const label = `--ci ${combo.ci} --${combo.sign ? '' : 'no-'}sign --${combo.updateJob ? '' : 'no-'}update-job${combo.database ? ` --database ${combo.database}` : ''}`;
  const t = suite(`supply chain: ${label}`);
  let r: { dir: string; answers: Answers };
  t.before(() => {
    r = repo(combo);
  });

  t('the answers record sign and update-job', () => {
    assert.is(r.answers.sign, combo.sign);
    assert.is(r.answers.updateJob, combo.updateJob);
  });

  if (combo.ci === 'github') {
    t('actionlint (with shellcheck) is clean', async () => {
      const lint = await tools.actionlint(join(r.dir, GH_FILE));
      assert.ok(lint.ok, `actionlint:\n${lint.output}`);
    });

    t(`the generator update workflow: ${combo.updateJob ? 'actionlint-clean, actions pinned by commit' : 'absent'}`, async () => {
      assert.is(existsSync(join(r.dir, GH_UPDATE_FILE)), combo.updateJob === true);
      if (!combo.updateJob) return;
      const lint = await tools.actionlint(join(r.dir, GH_UPDATE_FILE));
      assert.ok(lint.ok, `actionlint:\n${lint.output}`);
      assert.equal(actionPinProblems(read(r.dir, GH_UPDATE_FILE)), []);
    });

    t('every ${{ }} and {{version}} of the template survives rendering, counted and in order', () => {
      const source = readFileSync(join(ROOT, 'templates', GH_TEMPLATE), 'utf8');
      const text = read(r.dir, GH_FILE);
      assert.equal(expressionProblems(GH_TEMPLATE, text, r.answers), []);
      const all = escapedExpressions(source);
      const active = expectedExpressions(GH_TEMPLATE, r.answers);
      for (const e of ['{{version}}', '{{major}}', '{{minor}}', '{{ steps.build.outputs.digest }}']) assert.ok(active.includes(e), e);
      // With --sign (and --deploy gitops, whose publish job has expressions of its own) every
      // branch that holds an expression is on; without, the sign job's are off.
      if (combo.sign) {
        const everything = expectedExpressions(GH_TEMPLATE, { ...r.answers, deploy: 'gitops' });
        assert.is(everything.length, all.length, 'every escaped expression of the template is rendered');
      } else assert.ok(active.length < all.length && !active.includes('{{ needs.image.outputs.digest }}'));
    });

    t('every action is pinned by commit with its version beside it', () => {
      assert.equal(actionPinProblems(read(r.dir, GH_FILE)), []);
    });

    t('read back: OIDC only for signing, attestations, digest wiring, hadolint, trivy, tags, check', () => {
      const wf = parseYaml(read(r.dir, GH_FILE));
      assert.equal(githubProblems(wf, r.answers), []);
      assert.is(Object.values(wf.jobs as Record<string, Obj>).filter((j) => j.permissions?.['id-token']).length, combo.sign ? 1 : 0);
      assert.is(read(r.dir, GH_FILE).includes('id-token'), combo.sign === true);
    });
  }

  if (combo.ci === 'gitlab') {
    t("valid against GitLab's schema; scripts shellcheck-clean", async () => {
      const v = await tools.gitlabCiValidate(join(r.dir, GL_FILE));
      assert.ok(v.ok, `GitLab CI schema:\n${v.output}`);
      await tools.ensureTools(['shellcheck']);
      for (const [id, job] of glJobs(parseYaml(read(r.dir, GL_FILE)))) {
        const sh = await execa(tools.toolPath('shellcheck'), ['-s', 'sh', '-'], {
          input: ['#!/bin/sh', ...lines(job)].join('\n'),
          reject: false,
          all: true,
        });
        assert.is(sh.exitCode, 0, `shellcheck ${id}:\n${sh.all}`);
      }
    });

    t('every job and service image is pinned by digest with its tag beside it', () => {
      assert.equal(gitlabImagePinProblems(parseYaml(read(r.dir, GL_FILE))), []);
    });

    t('no expression is lost: the template escapes none and the output holds none', () => {
      const text = read(r.dir, GL_FILE);
      assert.equal(expressionProblems(GL_TEMPLATE, text, r.answers), []);
      assert.not.ok(text.includes('${{'), 'no GitHub expression in a GitLab file');
    });

    t('read back: id_tokens only for signing, attestations, digest via dotenv, hadolint, trivy, check', () => {
      const gl = parseYaml(read(r.dir, GL_FILE));
      assert.equal(gitlabProblems(gl, r.answers), []);
      assert.is(read(r.dir, GL_FILE).includes('id_tokens'), combo.sign === true);
    });

    t("the image job's tag script, run: commit and semver tags, the digest in image.env", async () => {
      const gl = parseYaml(read(r.dir, GL_FILE));
      const [, image] = glJobs(gl).find(([, j]) => lines(j).some((l) => l.includes('docker buildx build --push')))!;
      assert.equal(await gitlabTagProblems(image.script), []);
    });
  }

  t('README: the supply chain as generated, and how to verify a signature only when signed', () => {
    const md = read(r.dir, 'README.md');
    assert.match(md, /^## Supply chain$/m);
    for (const w of ['hadolint', 'trivy', 'SBOM', 'provenance', '--ignore-unfixed', '{{ json .SBOM }}']) assert.ok(md.includes(w), w);
    const issuer = combo.ci === 'github' ? 'https://token.actions.githubusercontent.com' : 'https://gitlab.com';
    assert.is(md.includes('cosign verify <image>@sha256:<digest>'), combo.sign === true);
    assert.is(md.includes(`--certificate-oidc-issuer ${issuer}`), combo.sign === true);
    assert.is(md.includes('regen ci --sign'), combo.sign === false);
  });

  t.run();
}

// ---- --ci none ----------------------------------------------------------------------------------------

const none = suite('supply chain: --ci none ignores --sign');
none('no CI file, no sign answer, README says what to run by hand', () => {
  const r = repo({ ci: 'none', sign: true });
  assert.is(r.answers.sign, undefined, 'sign does not apply without CI');
  assert.not.ok('sign' in r.answers);
  assert.not.ok(existsSync(join(r.dir, GH_FILE)) || existsSync(join(r.dir, GL_FILE)));
  const md = read(r.dir, 'README.md');
  assert.ok(md.includes('make lint-docker') && md.includes('make scan'));
  assert.not.ok(md.includes('cosign verify'));
});
none.run();

// ---- Makefile ---------------------------------------------------------------------------------------

const GO_ENV = goEnv({ noWorkspace: true });
async function make(dir: string, args: string[], env: Record<string, string> = {}) {
  return execa('make', ['--no-print-directory', ...args], {
    cwd: dir,
    env: { ...GO_ENV, MAKEFLAGS: '', MAKELEVEL: '', ENV: '', ...env },
    reject: false,
    all: true,
    stdin: 'ignore',
    timeout: 5 * 60_000,
  });
}

/** `make -n` of a target must show these commands (whitespace and line continuations folded). */
const DRY_RUNS: { args: string[]; want: string[] }[] = [
  {
    args: ['helm-template', 'ENV=prod'],
    want: ['helm template demo-svc charts/demo-svc --namespace demo-svc --kube-version v1.36.0 --values charts/demo-svc/values-prod.yaml'],
  },
  {
    args: ['deploy', 'ENV=staging', 'TAG=1.2.3'],
    want: [
      'helm upgrade --install demo-svc charts/demo-svc --namespace demo-svc-staging --create-namespace ' +
        '--values charts/demo-svc/values-staging.yaml --set-string image.tag=1.2.3 --atomic --wait --timeout 5m',
    ],
  },
  { args: ['deploy', 'ENV=dev', 'TAG=1.2.3'], want: ['--namespace demo-svc-dev ', '--values charts/demo-svc/values-dev.yaml'] },
  { args: ['up'], want: ['docker compose up --build --detach --wait'] },
  { args: ['down'], want: ['docker compose down --remove-orphans'] },
  { args: ['lint-docker'], want: ['command -v hadolint', 'hadolint Dockerfile', 'docker build --check .'] },
  {
    args: ['scan', 'TAG=1.2.3'],
    want: ['command -v trivy', 'trivy image --exit-code 1 --severity HIGH,CRITICAL --ignore-unfixed ghcr.io/example/demo-svc:1.2.3'],
  },
];

const fold = (s: string) => s.replace(/\\\n\s*/g, ' ').replace(/[ \t]+/g, ' ');

function dryRunProblems(output: string, want: string[]): string[] {
  const text = fold(output);
  return want.filter((w) => !text.includes(w)).map((w) => `missing: ${w}\nin:\n${text}`);
}

const mk = suite('supply chain: Makefile environments, deploy, compose, lint-docker, scan');
let mkDir = '';
mk.before(() => {
  mkDir = repo({}).dir;
});

mk('make -n shows the expected commands', async () => {
  assert.ok(existsSync(join(mkDir, 'compose.yaml')), 'compose.yaml at the repo root');
  for (const d of DRY_RUNS) {
    const r = await make(mkDir, ['-n', ...d.args]);
    assert.is(r.exitCode, 0, `make -n ${d.args.join(' ')}:\n${r.all}`);
    assert.equal(dryRunProblems(r.stdout, d.want), [], `make -n ${d.args.join(' ')}`);
  }
  // Without ENV: the chart's defaults, in the service's own namespace.
  const plain = await make(mkDir, ['-n', 'helm-template']);
  assert.match(fold(plain.stdout), /helm template demo-svc charts\/demo-svc --namespace demo-svc --kube-version v1.36.0\s*$/m);
});

mk('a wrong or missing ENV fails at once with one clear line (also under -n, also from the shell)', async () => {
  const cases: { args: string[]; env?: Record<string, string>; message: RegExp }[] = [
    {
      args: ['helm-template', 'ENV=nope'],
      message:
        /^error: ENV=nope \(from the command line\): there is no charts\/demo-svc\/values-nope\.yaml; environments: dev prod staging$/,
    },
    { args: ['-n', 'deploy', 'ENV=nope', 'TAG=1'], message: /^error: ENV=nope .*values-nope\.yaml/ },
    {
      args: ['deploy', 'TAG=1.2.3'],
      message: /^error: deploy needs ENV \(one of: dev prod staging\): make deploy ENV=staging TAG=1\.2\.3$/,
    },
    { args: ['-n', 'deploy'], message: /^error: deploy needs ENV/ },
    {
      args: ['helm-template'],
      env: { ENV: '/home/someone/.shrc' },
      message: /^error: ENV=\/home\/someone\/\.shrc \(from the environment\): there is no /,
    },
  ];
  for (const c of cases) {
    const r = await make(mkDir, c.args, { HELM: '/nonexistent/helm', ...c.env });
    assert.is(r.exitCode, 2, `make ${c.args.join(' ')}: exit ${r.exitCode}\n${r.all}`);
    const errors = r.stderr.split('\n').filter((l) => !/^make: \*\*\*/.test(l) && l.trim());
    assert.is(errors.length, 1, r.stderr);
    assert.match(errors[0]!, c.message);
    assert.not.match(r.stdout, /helm (template|upgrade)/, 'helm never runs');
  }
});

mk('lint-docker and scan run the tools (stubbed), and say how to install missing ones', async () => {
  const bin = join(scratch, 'stub-bin');
  const log = join(scratch, 'stub.log');
  for (const tool of ['hadolint', 'trivy']) write(join(bin, tool), `#!/bin/sh\necho "${tool} $*" >> "${log}"\n`, 0o755);
  write(join(bin, 'docker-off'), '#!/bin/sh\necho "docker $*" >> "' + log + '"\n[ "$1" = info ] && exit 1\nexit 0\n', 0o755);
  write(join(bin, 'docker-on'), '#!/bin/sh\necho "docker $*" >> "' + log + '"\nexit 0\n', 0o755);
  const PATH = `${bin}:${process.env.PATH}`;

  rmSync(log, { force: true });
  let r = await make(mkDir, ['lint-docker', `DOCKER=${join(bin, 'docker-off')}`], { PATH });
  assert.is(r.exitCode, 0, r.all);
  assert.equal(readFileSync(log, 'utf8').trim().split('\n'), ['hadolint Dockerfile', 'docker info']);
  assert.match(r.stdout, /skipped BuildKit checks/);

  rmSync(log, { force: true });
  r = await make(mkDir, ['lint-docker', `DOCKER=${join(bin, 'docker-on')}`], { PATH });
  assert.is(r.exitCode, 0, r.all);
  assert.equal(readFileSync(log, 'utf8').trim().split('\n'), ['hadolint Dockerfile', 'docker info', 'docker build --check .']);

  rmSync(log, { force: true });
  r = await make(mkDir, ['scan', 'TAG=1.2.3'], { PATH });
  assert.is(r.exitCode, 0, r.all);
  assert.equal(readFileSync(log, 'utf8').trim().split('\n'), [
    'trivy image --exit-code 1 --severity HIGH,CRITICAL --ignore-unfixed ghcr.io/example/demo-svc:1.2.3',
  ]);

  for (const [target, variable, hint] of [
    ['lint-docker', 'HADOLINT', /hadolint#install/],
    ['scan', 'TRIVY', /trivy\.dev\/.*installation/],
  ] as const) {
    const missing = await make(mkDir, [target, `${variable}=/nonexistent/${variable.toLowerCase()}`], { PATH });
    assert.is.not(missing.exitCode, 0, `${target} without the tool must fail`);
    assert.match(missing.stderr, new RegExp(`^error: /nonexistent/${variable.toLowerCase()} is not installed: see `, 'm'));
    assert.match(missing.stderr, hint);
  }
});

/** A git repository holding the generated files in one commit; returns its HEAD. */
async function commitAll(dir: string): Promise<string> {
  const git = (args: string[]) =>
    execa('git', args, {
      cwd: dir,
      env: {
        GIT_AUTHOR_NAME: 't',
        GIT_AUTHOR_EMAIL: 't@example.com',
        GIT_COMMITTER_NAME: 't',
        GIT_COMMITTER_EMAIL: 't@example.com',
        GIT_CONFIG_GLOBAL: '/dev/null',
        GIT_CONFIG_NOSYSTEM: '1',
      },
    });
  await git(['init', '--quiet', '--initial-branch=main']);
  await git(['add', '-A']);
  await git(['commit', '--quiet', '--no-gpg-sign', '-m', 'generated']);
  return (await git(['rev-parse', 'HEAD'])).stdout.trim();
}

mk('make deploy without TAG deploys the image CI pushed for this commit: sha-<HEAD> (real git, real make)', async () => {
  const dir = repo({}).dir;
  const head = await commitAll(dir);
  assert.match(head, SHA);
  const r = await make(dir, ['-n', 'deploy', 'ENV=staging']);
  assert.is(r.exitCode, 0, r.all);
  // CI tags every pushed image sha-<40 hex> (docker/metadata-action type=sha,format=long; GitLab sha-$CI_COMMIT_SHA).
  assert.equal(dryRunProblems(r.stdout, [`--set-string image.tag=sha-${head} `]), []);
  const scan = await make(dir, ['-n', 'scan']);
  assert.equal(dryRunProblems(scan.stdout, [`ghcr.io/example/demo-svc:sha-${head}`]), []);
  // Outside a git work tree there is no commit to name: deploy stops with one line, helm never runs.
  const bare = await make(mkDir, ['deploy', 'ENV=staging'], { HELM: '/nonexistent/helm' });
  assert.is(bare.exitCode, 2, bare.all);
  assert.match(
    bare.stderr,
    /^error: deploy: no git commit to name the image \(TAG=sha-unknown\): run it in the git work tree or pass TAG=/m,
  );
  assert.not.match(bare.stdout, /helm upgrade/);
});

mk('make check runs what CI runs before the image: build and helm-template included (make -pn)', async () => {
  const r = await make(mkDir, ['-p', '-n', 'help']);
  assert.is(r.exitCode, 0, r.all);
  // The rule database: "check: vet lint test helm-lint ..." as make itself read it.
  const rule = r.stdout.split('\n').find((l) => /^check:/.test(l));
  assert.ok(rule, 'make -p lists a check rule');
  const prerequisites = rule!
    .replace(/^check:\s*/, '')
    .split(/\s+/)
    .filter(Boolean);
  for (const t of ['vet', 'lint', 'test', 'build', 'helm-lint', 'helm-template'])
    assert.ok(prerequisites.includes(t), `check needs ${t}: ${rule}`);
});

mk(
  'helm-lint, helm-template, deploy and up say in one line how to get helm or Compose when missing (real make, PATH without them)',
  async () => {
    const bin = join(scratch, 'no-helm-bin');
    mkdirSync(bin, { recursive: true });
    // Only what the recipes need besides the missing tool: bash (the Makefile's SHELL) and coreutils.
    const PATH = `${bin}:/usr/bin:/bin`;
    const which = await execa('sh', ['-c', 'command -v helm'], { env: { PATH }, reject: false });
    assert.is.not(which.exitCode, 0, 'helm must not be on the test PATH');
    // docker without the Compose plugin answers `docker compose ...` like this.
    write(
      join(bin, 'docker'),
      '#!/bin/sh\nif [ "$1" = compose ]; then echo "docker: \'compose\' is not a docker command." >&2; exit 1; fi\nexit 0\n',
      0o755,
    );
    const cases: { args: string[]; env?: Record<string, string>; message: RegExp }[] = [
      { args: ['helm-lint'], message: /^error: helm is not installed: see https:\/\/helm\.sh\/docs\/intro\/install\/ / },
      { args: ['helm-template'], message: /^error: helm is not installed: see https:\/\/helm\.sh\/docs\/intro\/install\/ / },
      {
        args: ['deploy', 'ENV=staging', 'TAG=1.2.3'],
        message: /^error: helm is not installed: see https:\/\/helm\.sh\/docs\/intro\/install\/ /,
      },
      {
        args: ['up'],
        message:
          /^error: docker compose is not available: install the Docker Compose plugin, see https:\/\/docs\.docker\.com\/compose\/install\/ /,
      },
      {
        args: ['up', 'DOCKER=/nonexistent/docker'],
        message:
          /^error: \/nonexistent\/docker compose is not available: install the Docker Compose plugin, see https:\/\/docs\.docker\.com\/compose\/install\/ /,
      },
      { args: ['down'], message: /^error: docker compose is not available: / },
    ];
    for (const c of cases) {
      const r = await make(mkDir, c.args, { PATH, ...c.env });
      assert.is.not(r.exitCode, 0, `make ${c.args.join(' ')} must fail:\n${r.all}`);
      const errors = r.stderr.split('\n').filter((l) => !/^make: \*\*\*/.test(l) && l.trim());
      assert.is(errors.length, 1, `make ${c.args.join(' ')}: one line, got:\n${r.stderr}`);
      assert.match(errors[0]!, c.message);
      assert.not.match(r.stderr, /command not found/);
    }
  },
);

/** Helm with its own config, cache and data dirs (the user's repos and plugins play no part). */
async function helmVars(): Promise<Record<string, string>> {
  await tools.ensureTools(['helm']);
  const home = join(scratch, 'helm-home');
  return {
    HELM: tools.toolPath('helm'),
    HELM_CONFIG_HOME: join(home, 'config'),
    HELM_CACHE_HOME: join(home, 'cache'),
    HELM_DATA_HOME: join(home, 'data'),
  };
}

mk('make helm-lint lints the chart alone and with every environment file (real helm)', async () => {
  const env = await helmVars();
  const r = await make(mkDir, ['helm-lint'], env);
  assert.is(r.exitCode, 0, r.all);
  // One run per file: the chart alone, then each environment (helm says "1 chart(s) linted").
  assert.is(count(r.stdout, '1 chart(s) linted, 0 chart(s) failed'), 4, r.stdout);
  for (const e of ['dev', 'staging', 'prod']) assert.match(r.stdout, new RegExp(`--values charts/demo-svc/values-${e}\\.yaml`));

  // A broken environment file fails it, and the output names the file.
  const staging = join(mkDir, 'charts/demo-svc/values-staging.yaml');
  const good = readFileSync(staging, 'utf8');
  try {
    writeFileSync(staging, good.replace(/^replicaCount: 2$/m, 'replicaCount: two'));
    const bad = await make(mkDir, ['helm-lint'], env);
    assert.is.not(bad.exitCode, 0, 'a wrong-typed values-staging.yaml must fail helm-lint');
    assert.match(bad.all ?? '', /values-staging\.yaml[\s\S]*replicaCount/);
  } finally {
    writeFileSync(staging, good);
  }
});

mk('make helm-template ENV=... layers the environment file (real helm)', async () => {
  const env = await helmVars();
  const kinds = async (args: string[]) => {
    const r = await make(mkDir, ['--silent', 'helm-template', ...args], env);
    assert.is(r.exitCode, 0, r.all);
    return r.stdout;
  };
  const prod = await kinds(['ENV=prod']);
  const dev = await kinds(['ENV=dev']);
  const plain = await kinds([]);
  assert.match(prod, /^kind: HorizontalPodAutoscaler$/m, 'prod autoscales (values-prod.yaml)');
  assert.not.match(dev, /^kind: HorizontalPodAutoscaler$/m, 'dev does not');
  assert.match(dev, /- name: LOG_LEVEL\n\s+value: "?debug"?\n/, 'dev logs at debug (values-dev.yaml)');
  assert.not.match(prod, /- name: LOG_LEVEL\n\s+value: "?debug"?\n/, 'prod does not');
  assert.match(prod, /host: "?demo-svc\.example\.com"?/);
  assert.is.not(plain, dev);
});

mk.run();

// ---- one image: what CI pushes is what every deploy path pulls ------------------------------------

/** IMAGE as make itself evaluates the Makefile. */
async function makeImage(dir: string): Promise<string> {
  const r = await make(dir, ['-s', '--eval', 'print-image: ; @printf "%s\\n" "$(IMAGE)"', 'print-image']);
  assert.is(r.exitCode, 0, r.all);
  return r.stdout.trim();
}

/** The registry a reference lives on, as docker reads it (no dot, colon or localhost: Docker Hub). */
const registryOf = (image: string): string => {
  const first = image.split('/')[0]!;
  return image.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost') ? first : 'docker.io';
};

/** Runs shell lines with docker (and jq) stubbed; returns every docker invocation, one argv each. */
async function runWithStubDocker(
  script: string[],
  env: Record<string, string>,
): Promise<{ calls: string[][]; output: string; code: number }> {
  const dir = mkdtempSync(join(scratch, 'gl-push-'));
  const bin = join(dir, 'bin');
  const log = join(dir, 'docker.jsonl');
  write(
    join(bin, 'docker'),
    `#!/usr/bin/env node
const fs = require('fs');
const args = process.argv.slice(2);
let stdin = '';
if (args.includes('--password-stdin')) stdin = fs.readFileSync(0, 'utf8').trim();
fs.appendFileSync(process.env.STUB_LOG, JSON.stringify(stdin ? [...args, 'stdin=' + stdin] : args) + '\\n');
const i = args.indexOf('--metadata-file');
if (i >= 0) fs.writeFileSync(args[i + 1], JSON.stringify({ 'containerimage.digest': 'sha256:' + 'ab'.repeat(32) }));
`,
    0o755,
  );
  write(
    join(bin, 'jq'),
    `#!/usr/bin/env node
console.log(JSON.parse(require('fs').readFileSync(process.argv[4], 'utf8'))['containerimage.digest']);
`,
    0o755,
  );
  write(join(bin, 'apk'), '#!/bin/sh\nexit 0\n', 0o755);
  const r = await execa('sh', ['-e', '-c', script.join('\n')], {
    cwd: dir,
    env: { PATH: `${bin}:${process.env.PATH}`, STUB_LOG: log, ...env },
    extendEnv: false,
    reject: false,
    all: true,
  });
  const calls = existsSync(log)
    ? readFileSync(log, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as string[])
    : [];
  return { calls, output: String(r.all ?? ''), code: r.exitCode ?? -1 };
}

const GL_PUSH_ENV = {
  ...GL_ENV,
  CI_COMMIT_BRANCH: 'main',
  CI_REGISTRY: 'registry.gitlab.com',
  CI_REGISTRY_IMAGE: 'registry.gitlab.com/acme/shop/orders',
  CI_REGISTRY_USER: 'gitlab-ci-token',
  CI_REGISTRY_PASSWORD: 'job-token',
  REGISTRY_USERNAME: 'robot',
  REGISTRY_PASSWORD: 'robot-secret',
};

const MODULES: { module: string; image: string }[] = [
  { module: 'github.com/Acme/orders', image: 'ghcr.io/acme/orders' },
  { module: 'gitlab.com/acme/shop/orders', image: 'registry.gitlab.com/acme/shop/orders' },
  { module: 'example.com/orders', image: 'registry.example.com/orders' },
];

const one = suite('one image: CI pushes what the Makefile, the chart and the README name');
for (const ci of ['github', 'gitlab', 'none'] as const) {
  for (const m of MODULES) {
    one(`--ci ${ci}, module ${m.module}: ${m.image} everywhere (YAML, make, the CI scripts run)`, async () => {
      const r = repo({ name: 'orders', module: m.module, ci, sign: true });
      assert.is(r.answers.image, m.image, 'the default image follows the module host');
      const values = parseYaml(read(r.dir, 'charts/orders/values.yaml'));
      assert.is(values.image.repository, m.image, 'values.yaml image.repository');
      assert.is(await makeImage(r.dir), m.image, 'the Makefile IMAGE');
      assert.ok(read(r.dir, 'README.md').includes(`\`${m.image}\``), 'the README names the image');
      if (ci === 'github') {
        const wf = parseYaml(read(r.dir, GH_FILE));
        assert.is(wf.env.IMAGE, m.image, 'the workflow IMAGE');
        const steps = stepsOf(wf.jobs.image);
        const meta = steps.find((x) => usesOf(x, 'docker/metadata-action'))!;
        assert.is(meta.with.images, '${{ env.IMAGE }}', 'the pushed tags are of IMAGE');
        // The registry host step, run: the login goes to the registry IMAGE lives on.
        const hostStep = steps.find((x) => x.id === 'registry')!;
        const out = join(mkdtempSync(join(scratch, 'gh-host-')), 'output');
        const run = await execa('bash', ['-e', '-c', hostStep.run], { env: { IMAGE: wf.env.IMAGE, GITHUB_OUTPUT: out }, reject: false });
        assert.is(run.exitCode, 0, run.stderr);
        assert.is(readFileSync(out, 'utf8').trim(), `host=${registryOf(m.image)}`);
      }
      if (ci === 'gitlab') {
        const gl = parseYaml(read(r.dir, GL_FILE));
        assert.is(gl.variables.IMAGE, m.image, 'the GitLab CI IMAGE');
        const [, image] = glJobs(gl).find(([, j]) => lines(j).some((l) => l.includes('docker buildx build --push')))!;
        const push = await runWithStubDocker(lines(image), { ...GL_PUSH_ENV, IMAGE: gl.variables.IMAGE });
        assert.is(push.code, 0, push.output);
        const login = push.calls.find((c) => c[0] === 'login')!;
        const own = registryOf(m.image) === GL_PUSH_ENV.CI_REGISTRY;
        // The project's registry with the job's token; any other with the REGISTRY_* CI/CD variables.
        assert.equal(login, [
          'login',
          '--username',
          own ? 'gitlab-ci-token' : 'robot',
          '--password-stdin',
          registryOf(m.image),
          `stdin=${own ? 'job-token' : 'robot-secret'}`,
        ]);
        const build = push.calls.find((c) => c[0] === 'buildx' && c[1] === 'build')!;
        const tags = tagsOf(build);
        assert.ok(tags.length >= 2, tags.join(' '));
        for (const t of tags) assert.ok(t.startsWith(`${m.image}:`), `pushed ${t}, not ${m.image}`);
        assert.ok(tags.includes(`${m.image}:sha-${GL_ENV.CI_COMMIT_SHA}`));
        // The scan and the signature are of the same image.
        const jobsText = JSON.stringify(gl);
        assert.not.ok(jobsText.includes('CI_REGISTRY_IMAGE'), 'nothing refers to $CI_REGISTRY_IMAGE');
        const scan = glJobs(gl).find(([, j]) => lines(j).some((l) => /^trivy image /.test(l)))!;
        assert.ok(lines(scan[1]).some((l) => l.endsWith('"$IMAGE@$IMAGE_DIGEST"')));
        const sign = glJobs(gl).find(([id]) => id === 'sign')!;
        assert.ok(lines(sign[1]).includes('cosign sign --yes "$IMAGE@$IMAGE_DIGEST"'));
      }
    });
  }
}

one('GitLab: an image outside the project registry without REGISTRY_USERNAME stops with one line naming the variables', async () => {
  const r = repo({ name: 'orders', module: 'example.com/orders', ci: 'gitlab' });
  const gl = parseYaml(read(r.dir, GL_FILE));
  const [, image] = glJobs(gl).find(([, j]) => lines(j).some((l) => l.includes('docker buildx build --push')))!;
  const { REGISTRY_USERNAME: _u, REGISTRY_PASSWORD: _p, ...env } = GL_PUSH_ENV;
  const push = await runWithStubDocker(lines(image), { ...env, IMAGE: gl.variables.IMAGE });
  assert.is.not(push.code, 0);
  assert.match(
    push.output,
    /IMAGE=registry\.example\.com\/orders is not in this project's registry \(registry\.gitlab\.com\): set the CI\/CD variables REGISTRY_USERNAME and REGISTRY_PASSWORD/,
  );
  assert.not.ok(
    push.calls.some((c) => c[0] === 'buildx'),
    'nothing is built or pushed',
  );
});
one.run();

// ---- negative controls: each check can fail ---------------------------------------------------------

const neg = suite('supply chain: the checks can fail');
let gh: { dir: string; answers: Answers };
let ghOff: { dir: string; answers: Answers };
let gl: { dir: string; answers: Answers };
neg.before(() => {
  gh = repo({ ci: 'github', sign: true });
  ghOff = repo({ ci: 'github', sign: false });
  gl = repo({ ci: 'gitlab', sign: true });
});

/** The rendered workflow, edited, parsed. */
const ghVariant = (edit: (s: string) => string, from = () => gh) => {
  const text = read(from().dir, GH_FILE);
  const changed = edit(text);
  assert.is.not(changed, text, 'the edit applies');
  return parseYaml(changed) as Obj;
};
const glVariant = (edit: (s: string) => string) => {
  const text = read(gl.dir, GL_FILE);
  const changed = edit(text);
  assert.is.not(changed, text, 'the edit applies');
  return parseYaml(changed) as Obj;
};
const flags = (problems: string[], re: RegExp) =>
  assert.ok(
    problems.some((p) => re.test(p)),
    `expected a problem like ${re}, got:\n${problems.join('\n')}`,
  );

neg('GitHub: OIDC outside the sign job, or a sign job without --sign', () => {
  flags(
    githubProblems(
      ghVariant((s) => s.replace('permissions:\n  contents: read\n', 'permissions:\n  contents: read\n  id-token: write\n')),
      gh.answers,
    ),
    /workflow permissions/,
  );
  flags(
    githubProblems(
      ghVariant((s) => s.replace('      packages: write\n    outputs:', '      packages: write\n      id-token: write\n    outputs:')),
      gh.answers,
    ),
    /id-token: write: \[image, sign\]/,
  );
  flags(githubProblems(parseYaml(read(gh.dir, GH_FILE)), ghOff.answers), /a sign job without --sign/);
  flags(githubProblems(parseYaml(read(ghOff.dir, GH_FILE)), gh.answers), /no sign job with --sign/);
});

neg('GitHub: attestations off, the scan or the signature not on the pushed digest', () => {
  flags(
    githubProblems(
      ghVariant((s) => s.replace('sbom: true', 'sbom: false')),
      gh.answers,
    ),
    /sbom is false/,
  );
  flags(
    githubProblems(
      ghVariant((s) => s.replace('provenance: mode=max', 'provenance: mode=min')),
      gh.answers,
    ),
    /provenance is "mode=min"/,
  );
  flags(
    githubProblems(
      ghVariant((s) => s.replace('image-ref: ${{ env.IMAGE }}@${{ steps.build.outputs.digest }}', 'image-ref: ${{ env.IMAGE }}:latest')),
      gh.answers,
    ),
    /not the pushed digest/,
  );
  flags(
    githubProblems(
      ghVariant((s) => s.replace('DIGEST: ${{ needs.image.outputs.digest }}', 'DIGEST: latest')),
      gh.answers,
    ),
    /not the image job's digest/,
  );
  flags(
    githubProblems(
      ghVariant((s) => s.replace('digest: ${{ steps.build.outputs.digest }}', 'digest: ${{ steps.meta.outputs.version }}')),
      gh.answers,
    ),
    /image job output digest/,
  );
  flags(
    githubProblems(
      ghVariant((s) => s.replace('cosign sign --yes "$IMAGE@$DIGEST"', 'cosign sign --yes "$IMAGE:latest"')),
      gh.answers,
    ),
    /does not run cosign sign/,
  );
});

neg('GitHub: trivy that would pass everything, hadolint or the check not gating the image, tags, pins', () => {
  flags(
    githubProblems(
      ghVariant((s) => s.replace('severity: HIGH,CRITICAL', 'severity: CRITICAL')),
      gh.answers,
    ),
    /trivy severity/,
  );
  flags(
    githubProblems(
      ghVariant((s) => s.replace('ignore-unfixed: true', 'ignore-unfixed: false')),
      gh.answers,
    ),
    /ignore-unfixed/,
  );
  flags(
    githubProblems(
      ghVariant((s) => s.replace('exit-code: "1"', 'exit-code: "0"')),
      gh.answers,
    ),
    /trivy exit-code/,
  );
  flags(
    githubProblems(
      ghVariant((s) => s.replace('needs: [lint, test, build, chart, dockerfile, conventions]', 'needs: [lint, test, build, chart]')),
      gh.answers,
    ),
    /does not wait for dockerfile[\s\S]*|does not wait for conventions/,
  );
  flags(
    githubProblems(
      ghVariant((s) => s.replace(`run: ${CHECK_COMMAND}`, 'run: npx --yes create-go-k8s-service check')),
      gh.answers,
    ),
    /expected one step running/,
  );
  flags(
    githubProblems(
      ghVariant((s) => s.replace('            type=sha,format=long\n', '')),
      gh.answers,
    ),
    /tags lack \^type=sha/,
  );
  flags(
    githubProblems(
      ghVariant((s) => s.replace('type=semver,pattern={{version}}', 'type=semver,pattern={{major}}')),
      gh.answers,
    ),
    /tags lack .*version/,
  );
  flags(
    githubProblems(
      ghVariant((s) => s.replace(/aquasecurity\/trivy-action@[0-9a-f]{40}/, 'aquasecurity/trivy-action@v0.36.0')),
      gh.answers,
    ),
    /not pinned by commit/,
  );
});

neg('pins: an action by tag, a SHA without its version, an image by tag or digest alone are caught', () => {
  const text = read(gh.dir, GH_FILE);
  const byTag = text.replace(/docker\/login-action@[0-9a-f]{40} # v[0-9.]+/g, 'docker/login-action@v4');
  assert.is.not(byTag, text);
  flags(actionPinProblems(byTag), /docker\/login-action@v4: not pinned by a full commit SHA/);
  const noComment = text.replace(/(actions\/checkout@[0-9a-f]{40}) # v[0-9.]+/, '$1');
  assert.is.not(noComment, text);
  flags(actionPinProblems(noComment), /actions\/checkout@[0-9a-f]{40}: no "# vX.Y.Z" comment/);
  const glText = read(gl.dir, GL_FILE);
  const tagOnly = glText.replace(/(HELM_IMAGE: "[^@"]+)@sha256:[0-9a-f]{64}"/, '$1"');
  assert.is.not(tagOnly, glText);
  flags(gitlabImagePinProblems(parseYaml(tagOnly)), /chart: alpine\/helm:3\.21\.4 is not pinned/);
  const digestOnly = glText.replace(/NODE_IMAGE: "node:24-alpine@/, 'NODE_IMAGE: "node@');
  assert.is.not(digestOnly, glText);
  flags(gitlabImagePinProblems(parseYaml(digestOnly)), /conventions: node@sha256:[0-9a-f]+ is not pinned/);
  const inlineJob = glText.replace('  image: $NODE_IMAGE\n', '  image: node:24-alpine\n');
  assert.is.not(inlineJob, glText);
  flags(gitlabImagePinProblems(parseYaml(inlineJob)), /conventions: node:24-alpine is not pinned/);
});

neg('GitHub: an unescaped ${{ }} or {{version}} in the template is caught by the expression comparison', () => {
  const source = readFileSync(join(ROOT, 'templates', GH_TEMPLATE), 'utf8');
  for (const [from, to] of [
    ['$\\{{ needs.image.outputs.digest }}', '${{ needs.image.outputs.digest }}'],
    ['pattern=\\{{version}}', 'pattern={{version}}'],
  ]) {
    const broken = source.replace(from!, to!);
    assert.is.not(broken, source);
    // Rendered without strict mode (the worst case: the expression silently becomes "").
    const h = Handlebars.create();
    h.registerHelper('eq', (x: unknown, y: unknown) => x === y);
    h.registerHelper('yamlString', (x: unknown) => JSON.stringify(String(x)));
    const text = h.compile(broken, { noEscape: true })(templateContext(gh.answers));
    assert.is.not(expressionProblems(GH_TEMPLATE, text, gh.answers, source).length, 0, `${to} must be caught`);
  }
});

neg('GitHub: actionlint rejects a sign job wired to a job that does not exist', async () => {
  const text = read(gh.dir, GH_FILE).replace('DIGEST: ${{ needs.image.outputs.digest }}', 'DIGEST: ${{ needs.imag.outputs.digest }}');
  const file = write(join(mkdtempSync(join(scratch, 'gh-')), '.github/workflows/ci.yml'), text);
  const r = await tools.actionlint(file);
  assert.not.ok(r.ok);
  assert.match(r.output, /imag/);
});

neg('GitLab: id_tokens outside the sign job, attestations off, the digest not passed on, trivy that passes everything', () => {
  const a = gl.answers;
  flags(
    gitlabProblems(
      glVariant((s) =>
        s.replace(
          'default:\n  interruptible: true\n',
          'default:\n  interruptible: true\n  id_tokens:\n    SIGSTORE_ID_TOKEN:\n      aud: sigstore\n',
        ),
      ),
      a,
    ),
    /id_tokens in default/,
  );
  flags(
    gitlabProblems(
      glVariant((s) => s.replace('  id_tokens:\n    SIGSTORE_ID_TOKEN:\n      aud: sigstore\n', '')),
      a,
    ),
    /jobs with id_tokens: \[\]/,
  );
  flags(
    gitlabProblems(
      glVariant((s) => s.replace('aud: sigstore', 'aud: https://gitlab.com')),
      a,
    ),
    /sign id_tokens/,
  );
  flags(
    gitlabProblems(
      glVariant((s) => s.replace('--sbom=true --provenance=mode=max', '--provenance=mode=min')),
      a,
    ),
    /lacks --sbom=true[\s\S]*|lacks --provenance=mode=max/,
  );
  flags(
    gitlabProblems(
      glVariant((s) => s.replace('      dotenv: image.env\n', '      junit: image.env\n')),
      a,
    ),
    /not a dotenv report/,
  );
  flags(
    gitlabProblems(
      glVariant((s) => s.replace('--severity HIGH,CRITICAL --ignore-unfixed', '--severity CRITICAL')),
      a,
    ),
    /expected one job running trivy/,
  );
  flags(
    gitlabProblems(
      glVariant((s) => s.replace('cosign sign --yes "$IMAGE@$IMAGE_DIGEST"', 'cosign sign --yes "$IMAGE:latest"')),
      a,
    ),
    /sign does not run cosign sign/,
  );
  flags(
    gitlabProblems(
      glVariant((s) => s.replace('  needs: [container-image, container-scan]\n', '  needs: [container-image]\n')),
      a,
    ),
    /sign does not need container-scan/,
  );
  flags(
    gitlabProblems(
      glVariant((s) => s.replace(/TRIVY_IMAGE: "aquasec\/trivy:[^"]*"/, 'TRIVY_IMAGE: "aquasec/trivy:latest"')),
      a,
    ),
    /unpinned image/,
  );
  flags(
    gitlabProblems(
      glVariant((s) => s.replace('needs: [build, chart, dockerfile, conventions]', 'needs: [build, chart]')),
      a,
    ),
    /does not wait for dockerfile/,
  );
});

neg('GitLab: the schema rejects a misspelt id_tokens audience key; the tag script catches a wrong major.minor', async () => {
  const text = read(gl.dir, GL_FILE).replace('      aud: sigstore', '      audience: sigstore');
  const file = write(join(mkdtempSync(join(scratch, 'gl-')), '.gitlab-ci.yml'), text);
  const v = await tools.gitlabCiValidate(file);
  assert.not.ok(v.ok, 'id_tokens.SIGSTORE_ID_TOKEN needs aud');

  const glDoc = parseYaml(read(gl.dir, GL_FILE));
  const [, image] = glJobs(glDoc).find(([, j]) => lines(j).some((l) => l.includes('docker buildx build --push')))!;
  const wrong = (image.script as string[]).map((l) => l.replace('${semver%.*}', '${semver%%.*}'));
  assert.is.not(JSON.stringify(wrong), JSON.stringify(image.script));
  flags(await gitlabTagProblems(wrong), /release v1\.2\.3: tags .*:1, expected/);
  const noDigest = (image.script as string[]).map((l) => l.replace('\'."containerimage.digest"\'', '\'."containerimage.config.digest"\''));
  flags(await gitlabTagProblems(noDigest), /stub jq: unexpected|the script failed/);
});

neg('Makefile: an expectation of make -n fails on a command that lost its flags', async () => {
  const makefile = join(mkDir || repo({}).dir, 'Makefile');
  const dir = dirname(makefile);
  const good = readFileSync(makefile, 'utf8');
  try {
    writeFileSync(makefile, good.replace('--atomic ', '').replace('--ignore-unfixed ', ''));
    const deploy = DRY_RUNS.find((d) => d.args[0] === 'deploy')!;
    const r = await make(dir, ['-n', ...deploy.args]);
    assert.is.not(dryRunProblems(r.stdout, deploy.want).length, 0);
    const scan = DRY_RUNS.find((d) => d.args[0] === 'scan')!;
    const s = await make(dir, ['-n', ...scan.args]);
    assert.is.not(dryRunProblems(s.stdout, scan.want).length, 0);
  } finally {
    writeFileSync(makefile, good);
  }
});

neg.run();

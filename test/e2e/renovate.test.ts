// test-budget: 900 s (the first run installs Node 24 and Renovate, about a minute; then six validations and five Renovate runs of 5-20 s)
// The generated renovate.json, proven with Renovate's own code (the `renovate` npm package,
// pinned in scripts/install-renovate.sh, run on the Node 24 it needs):
// - renovate-config-validator --strict accepts the file for every answer that changes it
//   (ci github|gitlab|none x --[no-]update-job, an image with a registry port), and rejects a
//   broken one (negative control);
// - `renovate --platform=local --dry-run=extract` in a repo made by the built CLI finds every pin
//   with its current value and digest, read from Renovate's JSON log: Go modules and the go
//   directive (gomod), the Dockerfile's base images by digest (dockerfile), GitHub Actions by
//   commit (github-actions), GitLab job images (regex: they live in variables), the chart's test
//   image (helm-values), the Makefile's tools (regex, `# renovate:` comments) and the generator
//   version in the record (regex, npm);
// - `--dry-run=lookup` against the registries this machine reaches: the Go modules and the
//   Makefile's Go tools resolve on the Go proxy and any update lands in the one weekly group; the
//   generator, served by a local npm registry (a packument with a newer version), gets a pull
//   request of its own; with --update-job Renovate leaves the generator alone.
// Docker registries and GitHub cannot be reached here: those datasources are disabled for the
// lookup runs (extraction needs no network), so their lookups are not proven.
// No token to any forge is passed: Renovate gets a bare environment.
import { execa } from 'execa';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parse as parseYaml } from 'yaml';
import { goImage, IMAGES } from '../../generators/render/image-pins.js';
import type { Answers } from '../../generators/model/questions.js';
import { GENERATOR_VERSION } from '../../generators/model/version.js';
import { runCli } from '../support/cli.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const GENERATOR = 'create-go-k8s-service';
const scratch = mkdtempSync(join(tmpdir(), 'cgks-renovate-'));
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));

// ---- Renovate ----------------------------------------------------------------------------------

interface Renovate {
  node: string;
  pkg: string;
}
let installed: Promise<Renovate> | undefined;
/** Node 24 and the pinned Renovate, installed into the cache on first use. */
function renovate(): Promise<Renovate> {
  installed ??= execa(join(ROOT, 'scripts/install-renovate.sh'), { stderr: 'inherit' }).then((r) => {
    const [node, pkg] = r.stdout.trim().split('\n');
    return { node: node!, pkg: pkg! };
  });
  return installed;
}

/** How this machine reaches the registries (trusted CAs, proxies, the Go proxy): passed on as is. */
const NETWORK_ENV = [
  'NODE_EXTRA_CA_CERTS',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'GOPROXY',
];

/** A bare environment: no forge token, nothing of the caller's but PATH, HOME and NETWORK_ENV. */
function renovateEnv(extra: Record<string, string> = {}): Record<string, string> {
  const network = Object.fromEntries(NETWORK_ENV.flatMap((k) => (process.env[k] ? [[k, process.env[k]!]] : [])));
  return {
    ...network,
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? tmpdir(),
    LOG_FORMAT: 'json',
    LOG_LEVEL: 'debug',
    RENOVATE_BASE_DIR: mkdtempSync(join(scratch, 'base-')),
    ...extra,
  };
}

async function validate(dir: string): Promise<{ ok: boolean; output: string }> {
  const r8 = await renovate();
  const r = await execa(r8.node, [join(r8.pkg, 'dist/config-validator.js'), '--strict'], {
    cwd: dir,
    env: renovateEnv(),
    extendEnv: false,
    reject: false,
    all: true,
    timeout: 120_000,
  });
  return { ok: r.exitCode === 0, output: messages(String(r.all ?? '')).join('\n') };
}

type Log = Record<string, any>;
const parseLog = (text: string): Log[] =>
  text.split('\n').flatMap((l) => {
    try {
      return [JSON.parse(l) as Log];
    } catch {
      return [];
    }
  });
/** The log's messages with any errors they carry, for failure output. */
const messages = (text: string) =>
  parseLog(text).map(
    (l) => `${l.msg}${l.errors ? ' ' + JSON.stringify(l.errors) : ''}${l.level >= 50 && l.err ? ' ' + JSON.stringify(l.err.message) : ''}`,
  );

interface Dep {
  manager: string;
  packageFile: string;
  depName?: string;
  currentValue?: string;
  currentDigest?: string;
  datasource?: string;
  skipReason?: string;
  currentVersion?: string;
  warnings?: { message: string }[];
  updates?: { newValue?: string; branchName?: string; updateType?: string }[];
}

/** Renovate's dependencies from its JSON log: the extract result, or the lookup result. */
function depsFromLog(log: Log[], mode: 'extract' | 'lookup'): Dep[] {
  const entry =
    mode === 'extract'
      ? log.find((l) => l.packageFiles && l.msg === 'Extracted dependencies')
      : log.find((l) => l.msg === 'packageFiles with updates');
  if (!entry) throw new Error(`no ${mode} result in Renovate's log:\n${log.map((l) => l.msg).join('\n')}`);
  const files = (mode === 'extract' ? entry.packageFiles : entry.config) as Record<
    string,
    { packageFile: string; deps: Omit<Dep, 'manager' | 'packageFile'>[] }[]
  >;
  return Object.entries(files).flatMap(([manager, list]) =>
    list.flatMap((f) => f.deps.map((d) => ({ manager, packageFile: f.packageFile, ...d }))),
  );
}

async function runRenovate(
  dir: string,
  mode: 'extract' | 'lookup',
  extra: Record<string, string> = {},
): Promise<{ deps: Dep[]; seconds: number }> {
  const r8 = await renovate();
  const started = Date.now();
  const r = await execa(r8.node, [join(r8.pkg, 'dist/renovate.js'), '--platform=local', `--dry-run=${mode}`], {
    cwd: dir,
    env: renovateEnv(extra),
    extendEnv: false,
    reject: false,
    all: true,
    timeout: 240_000,
  });
  const seconds = (Date.now() - started) / 1000;
  assert.is(
    r.exitCode,
    0,
    `renovate --dry-run=${mode} exit ${r.exitCode}:\n${messages(String(r.all ?? ''))
      .slice(-40)
      .join('\n')}`,
  );
  return { deps: depsFromLog(parseLog(String(r.all ?? '')), mode), seconds };
}

// Lookups reach only npm and the Go proxy: everything else is disabled, so nothing waits on a
// host that does not answer.
const OFFLINE_DATASOURCES = JSON.stringify([
  { matchDatasources: ['docker', 'github-tags', 'github-releases', 'github-digest', 'golang-version'], enabled: false },
]);

// ---- repos and what they pin -------------------------------------------------------------------

const repos = new Map<string, { dir: string; answers: Answers }>();
/** A repo made by the built CLI (record and first commit included), once per answer set. */
async function repo(flags: string[]): Promise<{ dir: string; answers: Answers }> {
  const key = flags.join(' ');
  const known = repos.get(key);
  if (known) return known;
  const cwd = mkdtempSync(join(scratch, 'repo-'));
  const r = await runCli(['svc', '--yes', '--no-install', '--module', 'github.com/acme/svc', ...flags], { cwd });
  assert.is(r.exitCode, 0, r.stderr);
  const dir = join(cwd, 'svc');
  const record = JSON.parse(readFileSync(join(dir, '.go-k8s-service.json'), 'utf8'));
  const made = { dir, answers: record.answers as Answers };
  repos.set(key, made);
  return made;
}

interface Pin {
  manager: string;
  packageFile: string;
  depName: string;
  currentValue: string;
  currentDigest?: string;
}

/** `name:tag@sha256:...` as Renovate's docker datasource sees it. */
function imagePin(image: string): Omit<Pin, 'manager' | 'packageFile'> {
  const m = /^(?<name>[^:@]+(?::\d+\/[^:@]+)?):(?<tag>[^@]+)(?:@(?<digest>sha256:[0-9a-f]{64}))?$/.exec(image);
  if (!m?.groups) throw new Error(`not an image reference: ${image}`);
  return { depName: m.groups.name!, currentValue: m.groups.tag!, ...(m.groups.digest ? { currentDigest: m.groups.digest } : {}) };
}

/**
 * Every pin a generated repo holds, read from its files independently of Renovate (the go.mod
 * require lines, the image table, the workflow's `uses:` lines, the chart's values, the Makefile's
 * *_VERSION lines, the record): what Renovate must find.
 */
function expectedPins(dir: string, a: Answers): Pin[] {
  const read = (p: string) => readFileSync(join(dir, p), 'utf8');
  const pins: Pin[] = [];
  // go.mod: the go directive and every require, direct or indirect.
  const gomod = read('go.mod');
  pins.push({ manager: 'gomod', packageFile: 'go.mod', depName: 'go', currentValue: /^go (\S+)$/m.exec(gomod)![1]! });
  const requires = [...gomod.matchAll(/^require \(\n([\s\S]*?)^\)/gm)].flatMap((m) => m[1]!.split('\n'));
  for (const line of requires) {
    const m = /^\t(\S+) (\S+)/.exec(line);
    // A pseudo-version (v0.0.0-<time>-<commit>) pins a commit: Renovate reads it as the digest.
    const commit = m && /^v\d+\.\d+\.\d+-(?:\w+\.)?\d{14}-([0-9a-f]{12})$/.exec(m[2]!);
    if (m)
      pins.push({
        manager: 'gomod',
        packageFile: 'go.mod',
        depName: m[1]!,
        currentValue: m[2]!,
        ...(commit ? { currentDigest: commit[1]! } : {}),
      });
  }
  // Dockerfile: the builder and the runtime image (scratch is no image).
  pins.push({ manager: 'dockerfile', packageFile: 'Dockerfile', ...imagePin(goImage(a.goVersion)) });
  if (a.baseImage !== 'scratch') pins.push({ manager: 'dockerfile', packageFile: 'Dockerfile', ...imagePin(IMAGES[a.baseImage]) });
  // GitHub Actions, by commit with the release beside it.
  if (a.ci === 'github') {
    for (const wf of ['.github/workflows/ci.yml', ...(a.updateJob ? ['.github/workflows/generator-update.yml'] : [])]) {
      for (const m of read(wf).matchAll(/uses: ([\w.-]+\/[\w.-]+)@([0-9a-f]{40}) # (v[\d.]+)/g)) {
        pins.push({ manager: 'github-actions', packageFile: wf, depName: m[1]!, currentValue: m[3]!, currentDigest: m[2]! });
      }
    }
    // Tool versions given to setup actions (Renovate knows setup-helm's and trivy-action's `version`).
    const steps = Object.values(
      parseYaml(read('.github/workflows/ci.yml')).jobs as Record<string, { steps: { uses?: string; with?: Record<string, string> }[] }>,
    ).flatMap((j) => j.steps);
    const toolOf: Record<string, string> = { 'azure/setup-helm': 'helm', 'aquasecurity/trivy-action': 'aquasecurity/trivy' };
    for (const s of steps) {
      const tool = toolOf[s.uses?.split('@')[0] ?? ''];
      if (tool && s.with?.version)
        pins.push({ manager: 'github-actions', packageFile: '.github/workflows/ci.yml', depName: tool, currentValue: s.with.version });
    }
  }
  // GitLab job images: every *_IMAGE variable.
  if (a.ci === 'gitlab') {
    const vars = parseYaml(read('.gitlab-ci.yml')).variables as Record<string, string>;
    for (const [k, v] of Object.entries(vars))
      if (k.endsWith('_IMAGE')) pins.push({ manager: 'regex', packageFile: '.gitlab-ci.yml', ...imagePin(v) });
  }
  // The chart's `helm test` image.
  const values = parseYaml(read(`charts/${a.name}/values.yaml`));
  pins.push({
    manager: 'helm-values',
    packageFile: `charts/${a.name}/values.yaml`,
    depName: values.tests.image.repository,
    currentValue: String(values.tests.image.tag),
  });
  // The Makefile's tools: every *_VERSION pin under a `# renovate:` comment, with the module its
  // `go run` line names (KUBE_VERSION, the Kubernetes version helm renders for, is no tool).
  const makefile = read('Makefile');
  for (const m of makefile.matchAll(/^# renovate: .*\n([A-Z_]+)_VERSION \s*\?= (\S+)$/gm)) {
    const run = new RegExp(`run (\\S+?)(?:/cmd/[\\w-]+)?@\\$\\(${m[1]}_VERSION\\)`).exec(makefile);
    assert.ok(run, `the Makefile runs a tool at $(${m[1]}_VERSION)`);
    pins.push({ manager: 'regex', packageFile: 'Makefile', depName: run![1]!, currentValue: m[2]! });
  }
  // The generator version in the record.
  pins.push({ manager: 'regex', packageFile: '.go-k8s-service.json', depName: GENERATOR, currentValue: GENERATOR_VERSION });
  return pins;
}

const pinKey = (p: Pin) => `${p.manager} ${p.packageFile} ${p.depName}=${p.currentValue}${p.currentDigest ? '@' + p.currentDigest : ''}`;
const depKey = (d: Dep) => `${d.manager} ${d.packageFile} ${d.depName}=${d.currentValue}${d.currentDigest ? '@' + d.currentDigest : ''}`;

/** The expected pins Renovate did not find with that value and digest; [] when it found all. */
function missingPins(expected: Pin[], deps: Dep[]): string[] {
  const found = new Set(deps.map(depKey));
  return expected.map(pinKey).filter((k) => !found.has(k));
}

/** The table of the report: manager, file, dependency, value, digest. */
function table(deps: Dep[]): string {
  return deps
    .filter((d) => d.depName)
    .map(
      (d) =>
        `| ${d.manager} | ${d.packageFile} | ${d.depName} | ${d.currentValue ?? ''} | ${d.currentDigest ? d.currentDigest.slice(0, 19) + '…' : ''} |`,
    )
    .join('\n');
}

// ---- the config validator ------------------------------------------------------------------------

const v = suite('renovate.json: renovate-config-validator --strict');

// Every answer the file depends on: the CI (actions pinning, GitLab's variables), the update
// job (who proposes generator updates) and the image (excluded from updates, a JSON string).
const VARIANTS: string[][] = [
  ['--ci', 'github', '--no-update-job'],
  ['--ci', 'github', '--update-job'],
  ['--ci', 'gitlab', '--no-update-job'],
  ['--ci', 'gitlab', '--update-job'],
  ['--ci', 'none'],
  ['--ci', 'github', '--image', 'registry.acme.test:5000/team/orders'],
];
for (const flags of VARIANTS) {
  v(`accepts the file of ${flags.join(' ')}`, async () => {
    const { dir } = await repo(flags);
    // The validator passes a repo without a config file: make sure there is one to judge.
    assert.ok(existsSync(join(dir, 'renovate.json')), 'renovate.json is generated');
    const r = await validate(dir);
    assert.ok(r.ok, `renovate-config-validator:\n${r.output}`);
  });
}

v('negative control: rejects an unknown option and a broken regex manager', async () => {
  const { dir } = await repo(['--ci', 'github', '--no-update-job']);
  const copy = mkdtempSync(join(scratch, 'broken-'));
  const config = JSON.parse(readFileSync(join(dir, 'renovate.json'), 'utf8'));
  config.scheduleTypo = ['weekly'];
  writeFileSync(join(copy, 'renovate.json'), JSON.stringify(config));
  assert.not.ok((await validate(copy)).ok, 'an unknown option passes');
  delete config.scheduleTypo;
  config.customManagers[0].matchStrings = ['no named groups here'];
  delete config.customManagers[0].datasourceTemplate;
  writeFileSync(join(copy, 'renovate.json'), JSON.stringify(config));
  assert.not.ok((await validate(copy)).ok, 'a regex manager without datasource and groups passes');
});

v.run();

// ---- extraction ------------------------------------------------------------------------------------

const x = suite('renovate --dry-run=extract finds every pin with its current value');

const EXTRACTS: string[][] = [
  ['--ci', 'github', '--base-image', 'distroless', '--sign', '--update-job'],
  ['--ci', 'gitlab', '--base-image', 'alpine', '--sign', '--no-update-job'],
  ['--ci', 'none', '--base-image', 'scratch'],
];
const extracted = new Map<string, Dep[]>();
for (const flags of EXTRACTS) {
  x(flags.join(' '), async () => {
    const { dir, answers } = await repo(flags);
    const { deps, seconds } = await runRenovate(dir, 'extract');
    extracted.set(flags.join(' '), deps);
    const expected = expectedPins(dir, answers);
    assert.equal(missingPins(expected, deps), [], `Renovate found:\n${table(deps)}`);
    // Every manager the file relies on found something, and only the expected files.
    const managers = new Set(expected.map((p) => p.manager));
    for (const m of managers)
      assert.ok(
        deps.some((d) => d.manager === m && d.depName),
        `nothing from ${m}`,
      );
    // GitLab's variables are the regex manager's: the gitlabci manager sees only `$VAR` and skips.
    for (const d of deps.filter((d) => d.manager === 'gitlabci')) assert.is(d.skipReason, 'contains-variable', JSON.stringify(d));
    if (process.env.RENOVATE_TEST_REPORT) console.log(`\n${flags.join(' ')} (${seconds.toFixed(1)} s)\n${table(deps)}`);
  });
}

x('negative control: a pin Renovate does not find, or finds with another value, is reported', async () => {
  const { dir, answers } = await repo(EXTRACTS[0]!);
  const deps = extracted.get(EXTRACTS[0]!.join(' '));
  assert.ok(deps, 'the first extraction ran');
  const expected = expectedPins(dir, answers);
  const withoutTool = deps!.filter((d) => !(d.packageFile === 'Makefile' && d.depName === 'golang.org/x/vuln'));
  assert.equal(
    missingPins(expected, withoutTool).map((k) => k.split('=')[0]),
    ['regex Makefile golang.org/x/vuln'],
  );
  const otherDigest = deps!.map((d) =>
    d.manager === 'dockerfile' && d.currentDigest ? { ...d, currentDigest: `sha256:${'0'.repeat(64)}` } : d,
  );
  assert.is(missingPins(expected, otherDigest).filter((k) => k.startsWith('dockerfile ')).length, 2);
});

x.run();

// ---- lookup ------------------------------------------------------------------------------------------

/** A newer version than this generator's: the next minor. */
const NEXT = GENERATOR_VERSION.replace(/^(\d+)\.(\d+)\.\d+.*$/, (_m, maj, min) => `${maj}.${Number(min) + 1}.0`);

/** A local npm registry serving this package's packument with this version and NEXT. */
async function npmRegistry(): Promise<{ url: string; server: Server }> {
  const versions = [GENERATOR_VERSION, NEXT];
  const packument = {
    name: GENERATOR,
    'dist-tags': { latest: NEXT },
    versions: Object.fromEntries(
      versions.map((v) => [v, { name: GENERATOR, version: v, dist: { tarball: `http://127.0.0.1/${GENERATOR}-${v}.tgz` } }]),
    ),
    time: Object.fromEntries(versions.map((v, i) => [v, new Date(Date.UTC(2026, 0, 1 + i * 7)).toISOString()])),
  };
  const server = createServer((req, res) => {
    if (req.url === `/${GENERATOR}`) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(packument));
    } else {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"error":"not found"}');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server };
}

const l = suite('renovate --dry-run=lookup: Go modules on the Go proxy, the generator on npm');

l('the generator gets a pull request of its own; Go modules and Makefile tools resolve, updates batched weekly', async () => {
  const { dir, answers } = await repo(['--ci', 'gitlab', '--base-image', 'alpine', '--sign', '--no-update-job']);
  const registry = await npmRegistry();
  try {
    const { deps } = await runRenovate(dir, 'lookup', {
      RENOVATE_NPMRC: `registry=${registry.url}\n`,
      RENOVATE_PACKAGE_RULES: OFFLINE_DATASOURCES,
    });
    const generator = deps.find((d) => d.depName === GENERATOR)!;
    assert.ok(generator, 'the generator dependency');
    assert.equal(generator.warnings ?? [], [], 'the local registry answered');
    assert.is(generator.updates?.length, 1, JSON.stringify(generator));
    const update = generator.updates![0]!;
    assert.is(update.newValue, NEXT);
    assert.ok(update.branchName && update.branchName !== 'renovate/weekly-pins', `generator branch ${update.branchName}`);
    // Every Go module that is not switched off resolved on the proxy; updates go to the weekly batch.
    const goDeps = deps.filter((d) => d.datasource === 'go' && !d.skipReason);
    const direct = expectedPins(dir, answers).filter((p) => p.packageFile === 'Makefile' || (p.manager === 'gomod' && p.depName !== 'go'));
    assert.ok(goDeps.length >= 2 + 3, `looked-up Go modules: ${goDeps.map((d) => d.depName).join(', ')}`);
    for (const d of goDeps) {
      assert.equal(d.warnings ?? [], [], `${d.depName}: ${JSON.stringify(d.warnings)}`);
      assert.is(d.currentVersion, d.currentValue, `${d.depName} resolved on the Go proxy`);
      // A major (a new module path, /v5 → /v7) needs code changes: Renovate keeps it apart.
      for (const u of d.updates ?? [])
        assert.is(
          u.branchName,
          u.updateType === 'major' ? 'renovate/major-weekly-pins' : 'renovate/weekly-pins',
          `${d.depName} → ${u.newValue}`,
        );
      assert.ok(
        direct.some((p) => p.depName === d.depName),
        `${d.depName} is a pin of the repo`,
      );
    }
    for (const tool of direct.filter((p) => p.packageFile === 'Makefile')) {
      assert.ok(
        goDeps.some((d) => d.depName === tool.depName && d.packageFile === 'Makefile'),
        `${tool.depName} looked up`,
      );
    }
  } finally {
    registry.server.close();
  }
});

l('with --update-job Renovate leaves the generator to the scheduled job', async () => {
  const { dir } = await repo(['--ci', 'github', '--base-image', 'distroless', '--sign', '--update-job']);
  const registry = await npmRegistry();
  try {
    const { deps } = await runRenovate(dir, 'lookup', {
      RENOVATE_NPMRC: `registry=${registry.url}\n`,
      RENOVATE_PACKAGE_RULES: OFFLINE_DATASOURCES,
    });
    const generator = deps.find((d) => d.depName === GENERATOR)!;
    assert.ok(generator, 'the generator dependency is still extracted');
    assert.is(generator.skipReason, 'disabled');
    assert.equal(generator.updates ?? [], []);
  } finally {
    registry.server.close();
  }
});

l.run();

// ---- the post-upgrade task -----------------------------------------------------------------------

const task = suite("the generator post-upgrade task, run by Renovate's own post-upgrade executor");

/** The docs' allowedCommands example for self-hosted Renovate (docs/fleets.md). */
function readmeAllowedCommands(): string[] {
  const readme = readFileSync(join(ROOT, 'docs', 'fleets.md'), 'utf8');
  const example = /"allowedCommands": (\[.*?\])`/.exec(readme);
  assert.ok(example, 'docs/fleets.md shows allowedCommands');
  return JSON.parse(example![1]!) as string[];
}

/** The generator rule's post-upgrade commands, as renovate.json has them (Renovate templates unfilled). */
async function taskCommands(): Promise<{ dir: string; commands: string[] }> {
  const { dir } = await repo(['--ci', 'github', '--no-update-job']);
  const rule = JSON.parse(readFileSync(join(dir, 'renovate.json'), 'utf8')).packageRules.find((r: any) =>
    r.matchDepNames?.includes(GENERATOR),
  );
  return { dir, commands: rule.postUpgradeTasks.commands as string[] };
}

/**
 * Drives Renovate's postUpgradeCommandsExecutor (lib/workers/repository/update/branch/
 * execute-post-upgrade-commands) on Node 24: Renovate's default global config (no shell for
 * post-upgrade commands), localDir = a clone of the repo, the given allowedCommands, one
 * generator upgrade to NEXT with the given commands. Prints what the executor returns.
 */
const EXECUTOR = `
const [pkg, dir, cacheDir, allowed, commands, newVersion, bumpedRecord] = process.argv.slice(2);
const { readFileSync } = await import('node:fs');
const { getConfig } = await import(pkg + '/dist/config/defaults.js');
const { GlobalConfig } = await import(pkg + '/dist/config/global.js');
const git = await import(pkg + '/dist/util/git/index.js');
const { postUpgradeCommandsExecutor } = await import(pkg + '/dist/workers/repository/update/branch/execute-post-upgrade-commands.js');
GlobalConfig.set({ ...getConfig(), localDir: dir, cacheDir, allowedCommands: JSON.parse(allowed) });
// The repository as Renovate has it by then: initialised and synced (a local clone, no network).
await git.initRepo({ url: dir });
await git.syncGit();
const upgrade = { depName: '${GENERATOR}', packageFile: '.go-k8s-service.json', newVersion, postUpgradeTasks: { commands: JSON.parse(commands), executionMode: 'branch' } };
// Renovate's own edit (the version in the record), which the executor writes before the commands run.
const updatedPackageFiles = [{ type: 'addition', path: '.go-k8s-service.json', contents: readFileSync(bumpedRecord, 'utf8') }];
const result = await postUpgradeCommandsExecutor([upgrade], { ...upgrade, updatedPackageFiles, updatedArtifacts: [], artifactErrors: [] });
console.log('EXECUTOR ' + JSON.stringify({ shell: GlobalConfig.get('allowShellExecutorForPostUpgradeCommands') ?? false, artifactErrors: result.artifactErrors, updatedArtifacts: result.updatedArtifacts.map((f) => f.path) }));
`;

interface ExecutorResult {
  shell: boolean;
  artifactErrors: { stderr?: string }[];
  updatedArtifacts: string[];
  /** What the stand-in npx was called with, in order. */
  npxCalls: string[];
  dir: string;
}

async function runExecutor(commands: string[], allowedCommands: string[]): Promise<ExecutorResult> {
  const r8 = await renovate();
  const { dir: made } = await taskCommands();
  // A clone, as Renovate works in one.
  const dir = join(mkdtempSync(join(scratch, 'clone-')), 'svc');
  await execa('git', ['clone', '-q', made, dir]);
  const bumped = join(mkdtempSync(join(scratch, 'bumped-')), 'record.json');
  writeFileSync(
    bumped,
    readFileSync(join(dir, '.go-k8s-service.json'), 'utf8').replace(`"version": "${GENERATOR_VERSION}"`, `"version": "${NEXT}"`),
  );
  // npx stands in for the registry: it runs the built CLI, whose version plays NEXT.
  const bin = mkdtempSync(join(scratch, 'bin-'));
  const calls = join(bin, 'calls');
  writeFileSync(
    join(bin, 'npx'),
    `#!/bin/sh
echo "$*" >> ${JSON.stringify(calls)}
[ "$1" = "--yes" ] && [ "$2" = "${GENERATOR}@${NEXT}" ] || { echo "unexpected: $*" >&2; exit 99; }
shift 2
exec ${JSON.stringify(process.execPath)} ${JSON.stringify(join(ROOT, 'dist/cli.cjs'))} "$@"
`,
    { mode: 0o755 },
  );
  const script = join(bin, 'executor.mjs');
  writeFileSync(script, EXECUTOR);
  const r = await execa(
    r8.node,
    [script, r8.pkg, dir, mkdtempSync(join(scratch, 'cache-')), JSON.stringify(allowedCommands), JSON.stringify(commands), NEXT, bumped],
    {
      cwd: dir,
      env: renovateEnv({ PATH: `${bin}:${process.env.PATH}`, GO_K8S_SERVICE_PACKAGES: mkdtempSync(join(scratch, 'no-packages-')) }),
      extendEnv: false,
      reject: false,
      all: true,
      timeout: 120_000,
    },
  );
  const line = String(r.all ?? '')
    .split('\n')
    .find((l) => l.startsWith('EXECUTOR '));
  assert.ok(
    line,
    `the executor did not finish (exit ${r.exitCode}):\n${messages(String(r.all ?? ''))
      .slice(-30)
      .join('\n')}\n${r.all}`,
  );
  return {
    ...(JSON.parse(line!.slice('EXECUTOR '.length)) as Omit<ExecutorResult, 'npxCalls' | 'dir'>),
    npxCalls: existsSync(calls) ? readFileSync(calls, 'utf8').trim().split('\n') : [],
    dir,
  };
}

task('the task is one command, no shell syntax: no &&, ;, $?, pipes or quotes', async () => {
  const { commands } = await taskCommands();
  assert.is(commands.length, 1);
  assert.not.match(commands[0]!, /&&|;|\$\?|\||`|"|'|\[/);
  assert.is(commands[0], `npx --yes ${GENERATOR}@{{{newVersion}}} update --renovate --summary .go-k8s-service/update-summary.md`);
});

task("the README's allowedCommands admits exactly the command with a release version, and nothing appended", async () => {
  const patterns = readmeAllowedCommands();
  const { commands } = await taskCommands();
  const filled = (v: string) => commands[0]!.replaceAll('{{{newVersion}}}', v);
  const allowed = (cmd: string) => patterns.some((p) => new RegExp(p).test(cmd));
  for (const v of [NEXT, '1.2.3', '10.0.0-rc.1']) assert.ok(allowed(filled(v)), filled(v));
  for (const cmd of [
    `${filled(NEXT)}; touch pwned`,
    `${filled(NEXT)} && touch pwned`,
    `${filled(NEXT)} --packages http://evil`,
    `touch pwned; ${filled(NEXT)}`,
    filled('latest'),
    filled('1.2'),
    filled('1.2.3;touch'),
  ]) {
    assert.not.ok(allowed(cmd), `allowed: ${cmd}`);
  }
});

task(
  "Renovate's executor with its default global config and the README's allowedCommands runs the command: record put back, update run, summary written",
  async () => {
    const { commands } = await taskCommands();
    const r = await runExecutor(commands, readmeAllowedCommands());
    assert.is(r.shell, false, "Renovate's default: no shell for post-upgrade commands");
    assert.equal(r.artifactErrors, [], JSON.stringify(r.artifactErrors));
    assert.equal(r.npxCalls, [`--yes ${GENERATOR}@${NEXT} update --renovate --summary .go-k8s-service/update-summary.md`]);
    assert.ok(r.updatedArtifacts.includes('.go-k8s-service/update-summary.md'), `artifacts: ${r.updatedArtifacts.join(', ')}`);
    assert.match(readFileSync(join(r.dir, '.go-k8s-service/update-summary.md'), 'utf8'), GENERATOR_VERSION);
    // The record Renovate bumped was put back (the merge base is what HEAD records), then written by update.
    assert.is(JSON.parse(readFileSync(join(r.dir, '.go-k8s-service.json'), 'utf8')).version, GENERATOR_VERSION);
  },
);

task("the same command with `; touch pwned` appended is refused by the README's allowedCommands, and nothing runs", async () => {
  const { commands } = await taskCommands();
  const r = await runExecutor([`${commands[0]}; touch pwned`], readmeAllowedCommands());
  assert.is(r.artifactErrors.length, 1);
  assert.match(r.artifactErrors[0]!.stderr ?? '', /has not been added to the allowed list in allowedCommands/);
  assert.equal(r.npxCalls, []);
  assert.not.ok(existsSync(join(r.dir, 'pwned')));
});

task.run();

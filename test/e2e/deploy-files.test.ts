// test-shards: 3 (about 6 minutes whole on a quiet 2-core machine: three parts of 2 minutes)
// The deploy and tooling files of a generated repo, proven with the real tools for every
// CI provider x base image, plus variants (metrics off, port 9090, tracing, hostile user text):
// - Dockerfile: dockerfile-utils and BuildKit's own lint rules find nothing; what BuildKit's
//   parser sees (test/fixtures/deploy-files/dockerinspect) has the right EXPOSE, USER,
//   exec-form ENTRYPOINT naming the binary the build writes, labels, cache mounts;
//   .dockerignore keeps the Go sources and drops the rest (BuildKit's pattern matcher).
// - CI: actionlint (with shellcheck) clean, every ${{ }} expression survives Handlebars,
//   least-privilege permissions, pinned actions; GitLab CI valid against GitLab's schema and
//   its scripts shellcheck-clean; ci=none writes neither.
// - Makefile: `make help` lists every standard target; `make -n` shows the -X flags; a real
//   `make build VERSION=1.2.3` stamps the version (when the Go templates exist).
// - README.md, .golangci.yml, .gitignore, .editorconfig: values, not whole-file strings.
// - Negative controls show each kind of check can fail.
import { execa } from 'execa';
import Handlebars from 'handlebars';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parse as parseYaml } from 'yaml';
import { filesFor, outputPath, templatePath } from '../../generators/model/files.js';
import { goImage, PINNED_GO_VERSIONS } from '../../generators/render/image-pins.js';
import type { Answers } from '../../generators/model/questions.js';
import { renderAll } from '../../generators/render/render.js';
import { GENERATOR_VERSION } from '../../generators/model/version.js';
import { dockerfileBuildTags } from '../../bench/lib/binsize.js';
import { answersFor, generate } from '../support/generate.js';
import * as tools from '../support/tools.js';
import { goEnv } from '../support/go.js';
import { shard } from '../support/shard.js';
import { escapedExpressions, expectedExpressions, renderedExpressions } from '../fixtures/deploy-files/expressions.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TEMPLATES = join(ROOT, 'templates');
const INSPECTOR_SRC = join(ROOT, 'test', 'fixtures', 'deploy-files', 'dockerinspect');
const GO_ENV = goEnv({ noWorkspace: true });

/** Every special character a description can bring into YAML, Markdown, Dockerfiles and shells. */
const HOSTILE =
  `Says "hi" & 'bye' with \`ticks\`, {{ name }} and }} {{{raw}}}, \${{ secrets.TOKEN }}, ` +
  `<b>bold</b>, a: b # not a comment, $HOME \\ 100%`;

const STANDARD_TARGETS = [
  'help',
  'build',
  'run',
  'test',
  'vet',
  'lint',
  'fmt',
  'tidy',
  'vuln',
  'docker-build',
  'docker-push',
  'helm-lint',
  'helm-template',
  'clean',
];

/**
 * Every action, pinned by commit: the newest release of the current major (late 2026: Node 20
 * actions no longer run on hosted runners). Each SHA is `git rev-parse <tag>^{commit}` in a clone of
 * the action's repository, read on 2026-12-03 (tags can be moved: trivy-action's were, in March 2026).
 */
const ACTIONS: Record<string, string> = {
  'actions/checkout': '3d3c42e5aac5ba805825da76410c181273ba90b1', // v7.0.1
  'actions/setup-go': 'b7ad1dad31e06c5925ef5d2fc7ad053ef454303e', // v7.0.0
  'azure/setup-helm': '9bc31f4ebc9c6b171d7bfbaa5d006ae7abdb4310', // v5.0.1
  'docker/setup-qemu-action': '96fe6ef7f33517b61c61be40b68a1882f3264fb8', // v4.2.0
  'docker/setup-buildx-action': '37fe631027851001ddb9b187196cc803df7f5f0e', // v4.3.0
  'docker/login-action': '4907a6ddec9925e35a0a9e82d7399ccc52663121', // v4.1.0
  'docker/metadata-action': 'dc802804100637a589fabce1cb79ff13a1411302', // v6.2.0
  'docker/build-push-action': '53b7df96c91f9c12dcc8a07bcb9ccacbed38856a', // v7.3.0
  'hadolint/hadolint-action': '2332a7b74a6de0dda2e2221d575162eba76ba5e5', // v3.3.0
  'aquasecurity/trivy-action': 'ed142fd0673e97e23eac54620cfb913e5ce36c25', // v0.36.0
  'sigstore/cosign-installer': '6f9f17788090df1f26f669e9d70d6ae9567deba6', // v4.1.2
};

interface Case {
  label: string;
  answers: Partial<Answers>;
  /** The registry host the image job logs in to. */
  registry: string;
}

const CASES: Case[] = [];
/** Which suites this process runs (test/run.ts runs the file as three parts). */
const mine = shard();
for (const ci of ['github', 'gitlab', 'none'] as const) {
  for (const baseImage of ['distroless', 'scratch', 'alpine'] as const) {
    CASES.push({ label: `${ci}/${baseImage}`, answers: { ci, baseImage }, registry: 'ghcr.io' });
  }
}
CASES.push(
  {
    label: 'github/alpine, metrics off, port 9090',
    answers: { ci: 'github', baseImage: 'alpine', metrics: false, port: 9090 },
    registry: 'ghcr.io',
  },
  {
    label: 'gitlab/scratch, metrics off, port 9090, tracing, hostile description',
    answers: { ci: 'gitlab', baseImage: 'scratch', metrics: false, port: 9090, tracing: true, description: HOSTILE },
    registry: 'ghcr.io',
  },
  {
    label: 'github/distroless, hostile description, private registry, /v2 module',
    answers: {
      name: 'orders-api',
      ci: 'github',
      baseImage: 'distroless',
      description: HOSTILE,
      module: 'example.com/acme/orders-api/v2',
      image: 'registry.acme.test:5000/team/orders',
    },
    registry: 'registry.acme.test:5000',
  },
  {
    label: 'github/scratch, Docker Hub image',
    answers: { ci: 'github', baseImage: 'scratch', image: 'acme/orders' },
    registry: 'docker.io',
  },
  { label: 'none/alpine, hostile description', answers: { ci: 'none', baseImage: 'alpine', description: HOSTILE }, registry: 'ghcr.io' },
  // deploy=gitops: the CI files gain a publish job (scripts/publish-manifests.sh).
  {
    label: 'github/distroless, gitops, signed',
    answers: { ci: 'github', baseImage: 'distroless', deploy: 'gitops', sign: true },
    registry: 'ghcr.io',
  },
  {
    label: 'gitlab/distroless, gitops, signed',
    answers: { ci: 'gitlab', baseImage: 'distroless', deploy: 'gitops', sign: true },
    registry: 'ghcr.io',
  },
);

/** A reference pinned by digest with the tag beside it: name:tag@sha256:<64 hex>. */
const PINNED = /^[a-z0-9][a-z0-9./_:-]*:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}@sha256:[0-9a-f]{64}$/;

/** Stages whose base (after build-argument defaults) is neither pinned nor scratch or an earlier stage. */
function basePinProblems(d: Inspection): string[] {
  const stages = new Set<string>();
  const p: string[] = [];
  for (const s of d.stages) {
    if (s.base !== 'scratch' && !stages.has(s.base) && !PINNED.test(s.base))
      p.push(`FROM ${s.baseRaw} = ${s.base}: not pinned by digest with its tag`);
    if (s.name) stages.add(s.name);
  }
  return p;
}

// ---- helpers ----------------------------------------------------------------------------------

interface Repo {
  dir: string;
  answers: Answers;
  /** Paths of every file the table lists for these answers. */
  files: string[];
  /** Templates the table lists that do not exist yet (rendered without them). */
  missing: string[];
}

/**
 * The repo as generate() writes it. While other templates of the table are still being
 * written, generate() throws; then only the templates that exist are rendered, and the
 * checks that need the rest say so.
 */
function generateRepo(overrides: Partial<Answers>): Repo {
  const answers = answersFor(overrides);
  const table = filesFor(answers);
  const files = table.map((f) => outputPath(f, answers));
  const missing = table.filter((f) => !existsSync(join(TEMPLATES, templatePath(f))));
  if (missing.length === 0) return { dir: generate(overrides, 'cgks-deploy-'), answers, files, missing: [] };
  const dir = mkdtempSync(join(tmpdir(), 'cgks-deploy-partial-'));
  for (const f of renderAll(
    answers,
    table.filter((t) => !missing.includes(t)),
  )) {
    mkdirSync(dirname(join(dir, f.path)), { recursive: true });
    writeFileSync(join(dir, f.path), f.content);
  }
  return { dir, answers, files, missing: missing.map(templatePath) };
}

let warnedPartial = false;
function warnPartial(repo: Repo) {
  if (repo.missing.length > 0 && !warnedPartial) {
    warnedPartial = true;
    console.warn(
      `deploy-files: ${repo.missing.length} templates of the table do not exist yet; rendered without them (${repo.missing.slice(0, 4).join(', ')}, ...)`,
    );
  }
}

const read = (repo: Repo, path: string) => readFileSync(join(repo.dir, path), 'utf8');

let inspectorBuild: Promise<string> | undefined;
/** Builds test/fixtures/deploy-files/dockerinspect once per process. */
function inspector(): Promise<string> {
  inspectorBuild ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cgks-dockerinspect-'));
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
    const bin = join(dir, 'dockerinspect');
    const r = await execa('go', ['build', '-o', bin, '.'], { cwd: INSPECTOR_SRC, env: GO_ENV, reject: false, all: true, stdin: 'ignore' });
    if (r.exitCode !== 0) throw new Error(`building dockerinspect failed:\n${r.all}`);
    return bin;
  })();
  return inspectorBuild;
}

interface DCommand {
  cmd: string;
  line: number;
  values?: Record<string, string>;
  args?: string[];
  exec?: boolean;
  from?: string;
  dest?: string;
  user?: string;
  mounts?: string[];
  unexpanded?: string;
}
interface DStage {
  name: string;
  base: string;
  baseRaw: string;
  platform: string;
  platformRaw: string;
  commands: DCommand[];
}
interface Inspection {
  metaArgs: Record<string, string>;
  stages: DStage[];
  context?: string[];
}

async function inspectDockerfile(file: string, buildArgs: Record<string, string> = {}, contextDir?: string): Promise<Inspection> {
  const args = [...Object.entries(buildArgs).flatMap(([k, v]) => ['--build-arg', `${k}=${v}`])];
  if (contextDir) args.push('--context', contextDir);
  const r = await execa(await inspector(), [...args, file], { reject: false, all: true, stdin: 'ignore' });
  if (r.exitCode !== 0) throw new Error(`dockerinspect ${file}: ${r.all}`);
  return JSON.parse(r.stdout) as Inspection;
}

async function make(dir: string, args: string[], env: Record<string, string> = {}) {
  return execa('make', ['--no-print-directory', ...args], {
    cwd: dir,
    env: { ...GO_ENV, MAKEFLAGS: '', MAKELEVEL: '', ...env },
    reject: false,
    all: true,
    stdin: 'ignore',
    timeout: 15 * 60_000,
  });
}

const count = (s: string, needle: string) => s.split(needle).length - 1;

/** Targets named in `make X Y` commands of a script (GitHub run steps, GitLab script lines). */
function makeTargets(scripts: string[]): Set<string> {
  const out = new Set<string>();
  for (const s of scripts) {
    for (const m of s.matchAll(/(?:^|[\s;&|(])make((?:\s+[a-z][a-z0-9-]*)+)/gm)) {
      for (const t of m[1]!.trim().split(/\s+/)) out.add(t);
    }
  }
  return out;
}

/** Sections of an .editorconfig, in order, resolved for one file name. */
function editorconfigFor(text: string, fileName: string): Record<string, string> {
  const props: Record<string, string> = {};
  let applies = false;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const section = /^\[(.*)\]$/.exec(line);
    if (section) {
      const glob = section[1]!;
      const re = glob
        .replace(/[.+^$()|\\]/g, '\\$&')
        .replace(/\*\*/g, '\u0000')
        .replace(/\*/g, '[^/]*')
        .replace(/\?/g, '[^/]')
        .replace(/\u0000/g, '.*')
        .replace(/\{([^}]*)\}/g, (_, alts: string) => `(?:${alts.split(',').join('|')})`);
      applies = new RegExp(`^(?:.*/)?${re}$`).test(fileName);
      continue;
    }
    const kv = /^([^=]+?)\s*=\s*(.*)$/.exec(line);
    if (kv && applies) props[kv[1]!.toLowerCase()] = kv[2]!;
  }
  return props;
}

// ---- per case ---------------------------------------------------------------------------------

for (const c of CASES) {
  const t = suite(`deploy files: ${c.label}`);
  let repo: Repo;

  t.before(() => {
    repo = generateRepo(c.answers);
    warnPartial(repo);
  });
  t.after(() => {
    if (repo?.dir) rmSync(repo.dir, { recursive: true, force: true });
  });

  t("Dockerfile: every base image is pinned by digest with its tag beside it (BuildKit's parser)", async () => {
    const d = await inspectDockerfile(join(repo.dir, 'Dockerfile'));
    assert.equal(basePinProblems(d), []);
  });

  t('Dockerfile: dockerfile-utils and BuildKit lint find nothing', async () => {
    const file = join(repo.dir, 'Dockerfile');
    const utils = await tools.dockerfileUtilsLint(file);
    assert.ok(utils.ok, `dockerfile-utils:\n${utils.output}`);
    // BuildKit's rules with every build argument at its default (as `docker build .` would).
    const { metaArgs } = await inspectDockerfile(file);
    const lint = await tools.buildkitLint(file, metaArgs);
    assert.ok(lint.ok, `BuildKit lint:\n${lint.output}`);
    // And with stand-in base images and release metadata, as CI and the buildah test pass them.
    const swapped = await tools.buildkitLint(file, {
      GO_IMAGE: 'registry.local/golang:stand-in',
      RUNTIME_IMAGE: 'registry.local/runtime:stand-in',
      VERSION: '1.2.3',
      COMMIT: 'abc123',
      DATE: '2026-11-22T00:00:00Z',
    });
    assert.ok(swapped.ok, `BuildKit lint with stand-in images:\n${swapped.output}`);
  });

  t('Dockerfile: what BuildKit sees (ports, user, entrypoint, labels, caches, bases)', async () => {
    const a = repo.answers;
    const file = join(repo.dir, 'Dockerfile');
    assert.is(read(repo, 'Dockerfile').split('\n')[0], '# syntax=docker/dockerfile:1');
    const d = await inspectDockerfile(file, { VERSION: '1.2.3', COMMIT: 'abc123', DATE: '2026-11-22T00:00:00Z' });

    // Base images are build arguments with per-answer defaults.
    assert.match(d.metaArgs.GO_IMAGE!, new RegExp(`^golang:${a.goVersion.replace('.', '\\.')}@sha256:[0-9a-f]{64}$`));
    const runtime = {
      distroless: /^gcr\.io\/distroless\/static-debian1[2-9]:nonroot@sha256:[0-9a-f]{64}$/,
      scratch: /^scratch$/,
      alpine: /^alpine:3\.\d+@sha256:[0-9a-f]{64}$/,
    }[a.baseImage];
    assert.match(d.metaArgs.RUNTIME_IMAGE!, runtime);
    assert.is(d.stages.length, 2);
    const [build, final] = d.stages as [DStage, DStage];
    assert.is(build.baseRaw, '${GO_IMAGE}');
    assert.is(build.platformRaw, '$BUILDPLATFORM');
    assert.is(final.baseRaw, '${RUNTIME_IMAGE}');
    assert.is(final.platformRaw, '', 'the runtime stage must be for the target platform');

    // Build stage: go.mod/go.sum, download, then the sources; cached, static, stamped build.
    const bc = build.commands;
    const copyMod = bc.findIndex((x) => x.cmd === 'copy' && x.args?.join(' ') === 'go.mod go.sum');
    const download = bc.findIndex((x) => x.cmd === 'run' && x.args?.join(' ') === 'go mod download');
    const copyAll = bc.findIndex((x) => x.cmd === 'copy' && x.args?.join(' ') === '.');
    assert.ok(copyMod >= 0 && copyMod < download && download < copyAll, 'go.mod/go.sum, go mod download, then COPY . .');
    assert.ok(bc[download]!.mounts?.includes('type=cache,target=/go/pkg/mod'), 'module cache mount on go mod download');
    const goBuild = bc.find((x) => x.cmd === 'run' && x.args?.includes('build') && x.args.includes('go'));
    assert.ok(goBuild, 'a go build RUN');
    const words = goBuild.args!;
    for (const m of ['type=cache,target=/go/pkg/mod', 'type=cache,target=/root/.cache/go-build']) {
      assert.ok(goBuild.mounts?.includes(m), `go build has ${m}`);
    }
    assert.ok(words.includes('CGO_ENABLED=0') && words.includes('-trimpath'), words.join(' '));
    assert.ok(
      /\bGOOS=\$\{?TARGETOS\}?/.test(goBuild.unexpanded!) && /\bGOARCH=\$\{?TARGETARCH\}?/.test(goBuild.unexpanded!),
      goBuild.unexpanded,
    );
    const ldflags = words[words.indexOf('-ldflags') + 1]!.split(/\s+/);
    assert.ok(ldflags.includes('-s') && ldflags.includes('-w'), ldflags.join(' '));
    // Build tags from GO_BUILD_TAGS: empty by default (pprof is opt-in); with tracing, gRPC's
    // x/net/trace pages (text/template: no unused-method removal, 3 MB) stay out. Read from the
    // ARG default: the inspector's word split drops the empty word that `-tags ""` is in a shell.
    assert.match(goBuild.unexpanded!, /-tags "\$\{GO_BUILD_TAGS\}"/);
    assert.is(dockerfileBuildTags(read(repo, 'Dockerfile')), a.tracing ? 'grpcnotrace' : '');
    for (const [k, v] of [
      ['Version', '1.2.3'],
      ['Commit', 'abc123'],
      ['Date', '2026-11-22T00:00:00Z'],
    ]) {
      assert.ok(
        ldflags.includes(`${a.module}/internal/buildinfo.${k}=${v}`),
        `-X ${a.module}/internal/buildinfo.${k}=${v} in ${ldflags.join(' ')}`,
      );
    }
    const built = words[words.indexOf('-o') + 1]!;
    assert.is(words[words.indexOf('-o') + 2], `./cmd/${a.name}`);

    // Runtime stage.
    const fc = final.commands;
    const binPath = `/usr/local/bin/${a.name}`;
    const copyBin = fc.find((x) => x.cmd === 'copy' && x.from === 'build' && x.dest === binPath);
    assert.ok(copyBin, `COPY --from=build ... ${binPath}`);
    assert.equal(copyBin.args, [built], 'the runtime stage copies the file go build writes');
    const expose = fc.filter((x) => x.cmd === 'expose').flatMap((x) => x.args ?? []);
    assert.equal(expose, [String(a.port)]);
    const users = fc.filter((x) => x.cmd === 'user');
    assert.is(users.length, 1);
    assert.equal(users[0]!.user!.split(':'), ['65532', '65532']);
    const entry = fc.filter((x) => x.cmd === 'entrypoint');
    assert.is(entry.length, 1);
    assert.ok(entry[0]!.exec, 'ENTRYPOINT in exec form');
    assert.equal(entry[0]!.args, [binPath]);
    const health = fc.find((x) => x.cmd === 'healthcheck');
    assert.equal(health?.args, ['CMD', binPath, 'healthcheck']);
    const env = Object.assign({}, ...fc.filter((x) => x.cmd === 'env').map((x) => x.values));
    assert.is(env.PORT, String(a.port));

    const labels: Record<string, string> = Object.assign({}, ...fc.filter((x) => x.cmd === 'label').map((x) => x.values));
    assert.is(labels['org.opencontainers.image.title'], a.name);
    assert.is(labels['org.opencontainers.image.description'], a.description, 'description label as typed');
    assert.is(labels['org.opencontainers.image.version'], '1.2.3');
    assert.is(labels['org.opencontainers.image.revision'], 'abc123');
    assert.is(labels['org.opencontainers.image.created'], '2026-11-22T00:00:00Z');
    assert.is(labels['org.opencontainers.image.source'], `https://${a.module}`);

    if (a.baseImage === 'scratch') {
      const ca = fc.find((x) => x.cmd === 'copy' && x.from === 'build' && x.dest === '/etc/ssl/certs/ca-certificates.crt');
      assert.ok(ca, 'scratch gets CA certificates from the builder');
      assert.ok(
        fc.some((x) => x.cmd === 'copy' && x.dest === '/etc/passwd'),
        'scratch gets an /etc/passwd',
      );
      const passwd = bc.find((x) => x.cmd === 'run' && x.unexpanded?.includes('/out/passwd'));
      assert.match(passwd?.unexpanded ?? '', /nonroot:x:65532:65532:/);
    }
    if (a.baseImage === 'alpine') {
      const add = fc.find((x) => x.cmd === 'run' && x.unexpanded?.includes('adduser'));
      assert.match(add?.unexpanded ?? '', /adduser\b.*-u 65532\b/);
      assert.match(add?.unexpanded ?? '', /addgroup\b.*-g 65532\b/);
    }
    if (a.baseImage !== 'alpine') {
      assert.not.ok(
        fc.some((x) => x.cmd === 'run'),
        `no RUN in a ${a.baseImage} runtime stage (no shell there)`,
      );
    }
  });

  t('.dockerignore keeps what the build needs and drops the rest', async () => {
    // Things a working copy has besides the generated files.
    // .go-k8s-service/new/ holds generated versions regen and update could not merge.
    const extra = [
      '.git/HEAD',
      '.git/config',
      'bin/x',
      '.env',
      '.env.local',
      'coverage.out',
      '.vscode/settings.json',
      'dist/x.tar.gz',
      '.go-k8s-service/new/cmd/x/main.go',
    ];
    for (const p of extra) {
      mkdirSync(dirname(join(repo.dir, p)), { recursive: true });
      writeFileSync(join(repo.dir, p), 'x');
    }
    const { context = [] } = await inspectDockerfile(join(repo.dir, 'Dockerfile'), {}, repo.dir);
    const kept = new Set(context);
    const needed = repo.files.filter((f) => f === 'go.mod' || f === 'go.sum' || f.endsWith('.go'));
    assert.ok(needed.includes('go.mod') && needed.includes(`cmd/${repo.answers.name}/main.go`));
    for (const f of needed) {
      if (existsSync(join(repo.dir, f))) assert.ok(kept.has(f), `${f} must be in the build context`);
    }
    const dropped = (f: string) =>
      /^(\.git|bin|dist|charts|\.github|\.vscode|\.go-k8s-service)\//.test(f) ||
      [
        '.gitlab-ci.yml',
        'Dockerfile',
        '.dockerignore',
        '.env',
        '.env.local',
        'coverage.out',
        'README.md',
        'Makefile',
        '.golangci.yml',
        'renovate.json',
        '.go-k8s-service.json',
        'catalog-info.yaml',
      ].includes(f);
    const leaked = context.filter(dropped);
    assert.equal(leaked, [], `must not be in the build context: ${leaked.join(', ')}`);
  });

  const ci = c.answers.ci;
  t("CI: exactly the chosen provider's file is written", () => {
    assert.is(existsSync(join(repo.dir, '.github/workflows/ci.yml')), ci === 'github', '.github/workflows/ci.yml');
    assert.is(existsSync(join(repo.dir, '.gitlab-ci.yml')), ci === 'gitlab', '.gitlab-ci.yml');
    assert.is(repo.files.includes('.github/workflows/ci.yml'), ci === 'github');
    assert.is(repo.files.includes('.gitlab-ci.yml'), ci === 'gitlab');
  });

  if (ci === 'github') {
    t('GitHub Actions: actionlint clean and every ${{ }} expression intact', async () => {
      const file = join(repo.dir, '.github/workflows/ci.yml');
      const lint = await tools.actionlint(file);
      assert.ok(lint.ok, `actionlint:\n${lint.output}`);
      const source = readFileSync(join(TEMPLATES, 'dot_github/workflows/ci.yml.hbs'), 'utf8');
      const text = read(repo, '.github/workflows/ci.yml');
      assert.ok(count(source, '$\\{{') > 10, 'the template escapes its expressions');
      // The escaped expressions of the branches these answers switch on (sign adds a job).
      const expected = expectedExpressions('dot_github/workflows/ci.yml.hbs', repo.answers);
      assert.ok(expected.length > 10 && expected.length <= escapedExpressions(source).length);
      assert.is(count(text, '${{'), expected.filter((e) => e.startsWith('{{ ')).length, 'number of ${{ expressions');
      assert.equal(renderedExpressions(text), expected, 'every {{ }} in the output is one the template escaped, in order');
      assert.not.match(text, /\$(?!\{\{)[\s"'\n]/, 'no "$" left behind by an eaten expression');
    });

    t('GitHub Actions: triggers, permissions, pinned actions, Makefile targets, image push', async () => {
      const a = repo.answers;
      const wf = parseYaml(read(repo, '.github/workflows/ci.yml'));
      assert.ok(wf.on.pull_request !== undefined, 'runs on pull requests');
      assert.ok(wf.on.push.tags.includes('v*'), 'runs on v* tags');
      assert.equal(wf.permissions, { contents: 'read' });
      assert.type(wf.concurrency.group, 'string');
      assert.match(wf.concurrency.group, /\$\{\{ github\.workflow \}\}/);
      assert.is(wf.env.IMAGE, a.image);

      const jobs = wf.jobs as Record<string, any>;
      const steps = Object.values(jobs).flatMap((j: any) => j.steps as any[]);
      for (const [id, job] of Object.entries(jobs)) {
        if (id === 'image') assert.equal(job.permissions, { contents: 'read', packages: 'write' });
        else if (id === 'sign') assert.equal(job.permissions, { contents: 'read', 'id-token': 'write', packages: 'write' });
        else assert.is(job.permissions, undefined, `${id} inherits contents: read`);
      }
      assert.is('sign' in jobs, a.sign === true, 'a sign job only with --sign');
      for (const s of steps.filter((s) => s.uses)) {
        const [action, ref] = String(s.uses).split('@');
        assert.ok(action! in ACTIONS, `unexpected action ${s.uses}`);
        assert.is(ref, ACTIONS[action!], `${action} version`);
      }
      for (const s of steps.filter((s) => s.uses?.startsWith('actions/setup-go@'))) {
        assert.is(s.with['go-version-file'], 'go.mod');
      }
      for (const s of steps.filter((s) => s.uses?.startsWith('actions/checkout@'))) {
        assert.is(s.with['persist-credentials'], false);
      }
      const targets = makeTargets(steps.filter((s) => s.run).map((s) => s.run));
      for (const tgt of ['vet', 'lint', 'test', 'build', 'helm-lint', 'helm-template', 'vuln']) assert.ok(targets.has(tgt), `make ${tgt}`);
      // One Go patch release everywhere: the Go jobs run in the Dockerfile's builder image.
      for (const [id, job] of Object.entries(jobs)) {
        const runsGo = (job.steps as any[]).some((s) => /\bmake (vet|lint|test|build|vuln)\b/.test(s.run ?? ''));
        if (runsGo) assert.is(job.container?.image ?? job.container, goImage(a.goVersion), `${id} runs in the builder image`);
      }

      const image = jobs.image;
      assert.equal(
        [...image.needs].sort(),
        Object.keys(jobs)
          .filter((k) => k !== 'image' && k !== 'sign' && k !== 'publish')
          .sort(),
        'image waits for every check',
      );
      assert.is('publish' in jobs, a.deploy === 'gitops', 'a publish job only with --deploy gitops');
      assert.match(image.if, /github\.event\.repository\.default_branch/);
      assert.match(image.if, /startsWith\(github\.ref, 'refs\/tags\/v'\)/);
      assert.match(image.if, /github\.event_name == 'push'/);
      const imgSteps = image.steps as any[];
      const qemu = imgSteps.some((s) => s.uses?.startsWith('docker/setup-qemu-action@'));
      assert.is(qemu, a.baseImage === 'alpine', 'QEMU only where the runtime stage runs commands');
      const meta = imgSteps.find((s) => s.uses?.startsWith('docker/metadata-action@'));
      assert.is(meta.with.images, '${{ env.IMAGE }}');
      assert.ok(String(meta.with.tags).includes('type=semver,pattern={{version}}'));
      const bp = imgSteps.find((s) => s.uses?.startsWith('docker/build-push-action@'));
      assert.is(bp.with.push, true);
      assert.is(bp.with['cache-from'], 'type=gha');
      assert.is(bp.with['cache-to'], 'type=gha,mode=max');
      assert.ok(String(bp.with.platforms).split(',').includes('linux/arm64'));
      const buildArgs = String(bp.with['build-args'])
        .trim()
        .split('\n')
        .map((l) => l.split('=')[0]);
      assert.equal(buildArgs, ['VERSION', 'COMMIT', 'DATE']);
      assert.ok(imgSteps.indexOf(imgSteps.find((s) => s.uses?.startsWith('docker/setup-buildx-action@'))) < imgSteps.indexOf(bp));
      // No secret is written into the file: logins take expressions only.
      for (const s of imgSteps.filter((s) => s.uses?.startsWith('docker/login-action@'))) {
        assert.match(s.with.password, /^\$\{\{ secrets\.[A-Z_]+ \}\}$/);
      }

      // The registry step, run for real: which registry does this image log in to?
      const registry = imgSteps.find((s) => s.id === 'registry');
      const out = join(repo.dir, 'github-output');
      const r = await execa('bash', ['-eo', 'pipefail', '-c', registry.run], {
        env: { IMAGE: a.image, GITHUB_OUTPUT: out },
        reject: false,
        all: true,
      });
      assert.is(r.exitCode, 0, r.all);
      assert.is(readFileSync(out, 'utf8').trim(), `host=${c.registry}`);
      const ghcrLogin = imgSteps.find((s) => s.uses?.startsWith('docker/login-action@') && s.with.registry === 'ghcr.io');
      assert.is(ghcrLogin.with.password, '${{ secrets.GITHUB_TOKEN }}');
    });
  }

  if (ci === 'gitlab') {
    t("GitLab CI: valid against GitLab's schema, scripts shellcheck-clean", async () => {
      const file = join(repo.dir, '.gitlab-ci.yml');
      const v = await tools.gitlabCiValidate(file);
      assert.ok(v.ok, `GitLab CI schema:\n${v.output}`);
      await tools.ensureTools(['shellcheck']);
      const gl = parseYaml(read(repo, '.gitlab-ci.yml'));
      for (const [id, job] of Object.entries(gl) as [string, any][]) {
        if (!job || typeof job !== 'object' || !(job.script || job.before_script)) continue;
        const script = ['#!/bin/sh', ...(job.before_script ?? []), ...(job.script ?? [])].join('\n');
        const r = await execa(tools.toolPath('shellcheck'), ['-s', 'sh', '-'], { input: script, reject: false, all: true });
        assert.is(r.exitCode, 0, `shellcheck ${id}:\n${r.all}`);
      }
    });

    t(
      "GitLab CI: stages call the Makefile; the image goes to IMAGE (the Makefile's and the chart's) on the default branch and tags",
      () => {
        const a = repo.answers;
        const gl = parseYaml(read(repo, '.gitlab-ci.yml'));
        assert.match(gl.variables.GO_IMAGE, new RegExp(`^golang:${a.goVersion.replace('.', '\\.')}@sha256:[0-9a-f]{64}$`));
        assert.is(gl['.go'].image, '$GO_IMAGE');
        const jobs = Object.entries(gl).filter(
          ([k, v]: [string, any]) => !k.startsWith('.') && v && typeof v === 'object' && 'script' in v,
        ) as [string, any][];
        for (const [id, job] of jobs) assert.ok(gl.stages.includes(job.stage), `${id}: stage ${job.stage} is declared`);
        const targets = makeTargets(jobs.flatMap(([, j]) => j.script as string[]));
        for (const tgt of ['vet', 'lint', 'test', 'build', 'helm-lint', 'helm-template', 'vuln'])
          assert.ok(targets.has(tgt), `make ${tgt}`);
        // The image is built with BuildKit directly (attestations need its own builder).
        const [, img] = jobs.find(([, j]) => (j.script as string[]).some((l) => /docker buildx build --push/.test(l)))!;
        assert.equal(img.rules, [{ if: '$CI_COMMIT_TAG' }, { if: '$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH' }]);
        assert.ok(
          (img.script as string[]).some((l) => l.includes('--tag "$IMAGE:')),
          'pushes to $IMAGE',
        );
        assert.is(gl.variables.IMAGE, a.image, 'IMAGE is the --image answer');
        // The login goes to IMAGE's registry (supply-chain.test.ts runs it: job token under $CI_REGISTRY).
        assert.ok(
          (img.before_script as string[]).some((l) => /docker login .*--password-stdin "\$REGISTRY_HOST"/.test(l)),
          'logs in to the registry of IMAGE',
        );
        assert.is(img.services[0].alias, 'docker');
        assert.ok(gl.workflow.rules.some((r: any) => r.if === '$CI_COMMIT_TAG'));
      },
    );
  }

  t('Makefile: help lists every target; -n build shows the -X flags', async () => {
    const a = repo.answers;
    const help = await make(repo.dir, ['help']);
    assert.is(help.exitCode, 0, help.all);
    const listed = new Map<string, string>();
    for (const m of help.stdout.matchAll(/^ {2}([a-z][a-z0-9-]*) +(\S.*)$/gm)) listed.set(m[1]!, m[2]!);
    for (const tgt of STANDARD_TARGETS) assert.ok(listed.has(tgt), `make help lists ${tgt}:\n${help.stdout}`);
    const plain = await make(repo.dir, []);
    assert.is(plain.stdout, help.stdout, 'help is the default goal');

    const dry = await make(repo.dir, ['-n', 'build', 'VERSION=1.2.3', 'COMMIT=abc123', 'DATE=2026-11-22T00:00:00Z']);
    assert.is(dry.exitCode, 0, dry.all);
    const words = dry.stdout.match(/"[^"]*"|\S+/g)!.map((w) => w.replace(/^"|"$/g, ''));
    assert.ok(words.includes('-trimpath'));
    const ld = words[words.indexOf('-ldflags') + 1]!.split(/\s+/);
    for (const [k, v] of [
      ['Version', '1.2.3'],
      ['Commit', 'abc123'],
      ['Date', '2026-11-22T00:00:00Z'],
    ]) {
      assert.ok(ld.includes(`${a.module}/internal/buildinfo.${k}=${v}`), `-X ...buildinfo.${k}=${v}: ${ld.join(' ')}`);
    }
    assert.is(words[words.indexOf('-o') + 1], `bin/${a.name}`);
    assert.is(words[words.indexOf('-o') + 2], `./cmd/${a.name}`);

    // Defaults come from git (or "dev") and the answers; every target parses.
    const dflt = await make(repo.dir, ['-n', 'build']);
    assert.match(dflt.stdout, new RegExp(`${a.module.replace(/[.]/g, '\\.')}/internal/buildinfo\\.Version=dev\\b`));
    // The default TAG is the one CI gives the commit's image: sha-<commit>.
    const commit = 'c0ffee'.repeat(6) + 'c0ff';
    const docker = await make(repo.dir, ['-n', 'docker-push', 'VERSION=1.2.3', `COMMIT=${commit}`]);
    assert.is(docker.exitCode, 0, docker.all);
    assert.match(docker.stdout, new RegExp(`--tag ${a.image}:sha-${commit} \\.`));
    assert.match(docker.stdout, new RegExp(`push ${a.image}:sha-${commit}`));
    assert.match(docker.stdout, /--build-arg VERSION=1\.2\.3/);
    const tagged = await make(repo.dir, ['-n', 'docker-push', 'TAG=1.2.3']);
    assert.match(tagged.stdout, new RegExp(`push ${a.image}:1\\.2\\.3`));
    for (const tgt of STANDARD_TARGETS) {
      const r = await make(repo.dir, ['-n', tgt]);
      assert.is(r.exitCode, 0, `make -n ${tgt}:\n${r.all}`);
    }
    const lint = await make(repo.dir, ['-n', 'lint']);
    assert.match(lint.stdout, /golangci-lint\/v2\/cmd\/golangci-lint@v2\.\d+\.\d+ run/);
    const helm = await make(repo.dir, ['-n', 'helm-lint']);
    assert.match(helm.stdout, new RegExp(`helm lint --strict charts/${a.name}\\b`));
  });

  t('README.md: description as typed, targets, configuration, endpoints, regen', () => {
    const a = repo.answers;
    const md = read(repo, 'README.md');
    assert.ok(md.includes(`\n${a.description}\n`), 'the description, exactly as typed, as its own paragraph');
    assert.ok(md.includes(`create-go-k8s-service ${GENERATOR_VERSION}`));
    assert.ok(md.includes(`npx create-go-k8s-service@${GENERATOR_VERSION} regen dockerfile`));
    assert.ok(md.includes(`helm upgrade --install ${a.name} charts/${a.name}`));
    const cells = (row: string) =>
      row
        .split('|')
        .slice(1, -1)
        .map((s) => s.trim());
    const rows = md
      .split('\n')
      .filter((l) => l.startsWith('| `'))
      .map(cells);
    const table = new Map(rows.map((r) => [r[0]!.replace(/`/g, ''), r[1]!]));
    for (const tgt of STANDARD_TARGETS) assert.ok(table.has(`make ${tgt}`), `README lists make ${tgt}`);
    const defaults: Record<string, string> = {
      PORT: `\`${a.port}\``,
      LOG_LEVEL: '`info`',
      LOG_FORMAT: '`json`',
      SHUTDOWN_DELAY: '`10s`',
      SHUTDOWN_TIMEOUT: '`20s`',
    };
    for (const [k, v] of Object.entries(defaults)) assert.is(table.get(k), v, `${k} default`);
    assert.ok(table.has('AUTOMAXPROCS') && table.has('GOMEMLIMIT'));
    // Every variable of .env.example (the Go side's list) is documented with the same default.
    if (existsSync(join(repo.dir, '.env.example'))) {
      for (const m of read(repo, '.env.example').matchAll(/^(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$/gm)) {
        const [, commented, name, value] = m;
        assert.ok(table.has(name!), `README documents ${name} (from .env.example)`);
        if (!commented && value) assert.is(table.get(name!), `\`${value}\``, `${name} default as in .env.example`);
      }
    }
    assert.is(table.has('OTEL_EXPORTER_OTLP_ENDPOINT'), a.tracing, 'OTEL_* rows only with tracing');
    assert.is(table.has('GET /metrics'), a.metrics, '/metrics only with metrics');
    for (const e of ['GET /healthz', 'GET /ready', 'GET /api/v1/hello']) assert.ok(table.has(e), e);
    assert.match(
      md,
      /SIGTERM[\s\S]*503[\s\S]*SHUTDOWN_DELAY[\s\S]*SHUTDOWN_TIMEOUT[\s\S]*terminationGracePeriodSeconds/,
      'the shutdown timeline, in order',
    );
    assert.is(md.includes('.github/workflows/ci.yml'), a.ci === 'github');
    assert.is(md.includes('.gitlab-ci.yml'), a.ci === 'gitlab');
  });

  t('.golangci.yml (v2), .gitignore and .editorconfig', async () => {
    const cfg = parseYaml(read(repo, '.golangci.yml'));
    assert.is(cfg.version, '2');
    assert.is(cfg.linters.default, 'standard');
    for (const l of ['bodyclose', 'noctx', 'errorlint', 'revive', 'gocritic']) assert.ok(cfg.linters.enable.includes(l), l);
    assert.equal(cfg.formatters.enable, ['gofmt', 'goimports']);

    // .gitignore, asked of git itself: local artefacts ignored, no generated file ignored.
    const g = (args: string[], input?: string) =>
      execa('git', args, { cwd: repo.dir, reject: false, all: true, ...(input === undefined ? { stdin: 'ignore' as const } : { input }) });
    if (!existsSync(join(repo.dir, '.git', 'objects'))) {
      rmSync(join(repo.dir, '.git'), { recursive: true, force: true });
      assert.is((await g(['init', '-q'])).exitCode, 0);
    }
    for (const p of ['bin/x', 'coverage.out', '.env', '.env.local', '.env.example', 'dist/x.tar.gz']) {
      mkdirSync(dirname(join(repo.dir, p)), { recursive: true });
      writeFileSync(join(repo.dir, p), 'x');
    }
    const probe = ['bin/x', 'coverage.out', '.env', '.env.local', 'dist/x.tar.gz', '.env.example', ...repo.files];
    const ignored = new Set((await g(['check-ignore', '--stdin'], probe.join('\n') + '\n')).stdout.split('\n').filter(Boolean));
    for (const p of ['bin/x', 'coverage.out', '.env', '.env.local', 'dist/x.tar.gz']) assert.ok(ignored.has(p), `${p} is ignored`);
    for (const p of ['.env.example', ...repo.files]) assert.not.ok(ignored.has(p), `${p} must not be ignored`);

    const ec = read(repo, '.editorconfig');
    assert.match(ec, /^root = true$/m);
    for (const f of ['main.go', 'internal/app/app.go', 'Makefile']) {
      assert.is(editorconfigFor(ec, f).indent_style, 'tab', `${f} uses tabs`);
    }
    for (const f of ['ci.yml', 'values.yaml', 'values.schema.json', 'README.md', '.golangci.yml']) {
      const p = editorconfigFor(ec, f);
      assert.equal([p.indent_style, p.indent_size], ['space', '2'], `${f} uses 2 spaces`);
    }
  });

  if (mine()) t.run();
}

// ---- a real build, and the linters on real code -------------------------------------------------

const goMissing = (repo: Repo) => repo.missing.filter((m) => m.endsWith('.go.hbs') || m.startsWith('go.'));

const REAL: { label: string; answers: Partial<Answers> }[] = [
  { label: 'defaults, hostile description', answers: { description: HOSTILE } },
  {
    label: 'tracing on, metrics off, port 9090',
    answers: { tracing: true, metrics: false, port: 9090, ci: 'gitlab', baseImage: 'scratch' },
  },
  { label: 'postgres', answers: { database: 'postgres' } },
];

for (const v of REAL) {
  const real = suite(`deploy files: make targets on the generated code (${v.label})`);
  let realRepo: Repo | undefined;
  real.before(() => {
    realRepo = generateRepo(v.answers);
  });
  real.after(() => {
    if (realRepo) rmSync(realRepo.dir, { recursive: true, force: true });
  });

  real('make build VERSION=1.2.3 stamps bin/<name> version', async () => {
    const repo = realRepo!;
    if (goMissing(repo).length > 0) {
      console.warn(`SKIPPED make build: Go templates missing (${goMissing(repo).join(', ')})`);
      return;
    }
    const r = await make(repo.dir, ['build', 'VERSION=1.2.3', 'COMMIT=abc123', 'DATE=2026-11-22T00:00:00Z']);
    assert.is(r.exitCode, 0, r.all);
    const out = await execa(join(repo.dir, 'bin', repo.answers.name), ['version'], { reject: false, all: true });
    assert.is(out.exitCode, 0, out.all);
    assert.match(out.stdout, /\b1\.2\.3\b/);
    assert.match(out.stdout, /\babc123\b/);
    assert.match(out.stdout, /2026-11-22T00:00:00Z/);
  });

  real('the Dockerfile build stage, run on what .dockerignore lets in, cross-compiles a stamped static binary', async () => {
    const repo = realRepo!;
    if (goMissing(repo).length > 0) {
      console.warn('SKIPPED Dockerfile build: Go templates missing');
      return;
    }
    const native = ({ x64: 'amd64', arm64: 'arm64' } as Record<string, string>)[process.arch] ?? 'amd64';
    const foreign = native === 'arm64' ? 'amd64' : 'arm64';
    const ctx = mkdtempSync(join(tmpdir(), 'cgks-context-'));
    try {
      /** Runs the build stage's go commands for one target arch; returns the binary it wrote. */
      const runBuildStage = async (arch: string): Promise<string> => {
        const stamp = { VERSION: '1.2.3', COMMIT: 'abc123', DATE: '2026-11-22T00:00:00Z', TARGETOS: 'linux', TARGETARCH: arch };
        const d = await inspectDockerfile(join(repo.dir, 'Dockerfile'), stamp, repo.dir);
        // The build context alone, as COPY . . puts it into the WORKDIR.
        rmSync(ctx, { recursive: true, force: true });
        for (const f of d.context ?? []) {
          mkdirSync(dirname(join(ctx, f)), { recursive: true });
          writeFileSync(join(ctx, f), readFileSync(join(repo.dir, f)));
        }
        const env: Record<string, string> = { ...GO_ENV };
        let binary = '';
        for (const c of d.stages[0]!.commands) {
          if (c.cmd === 'env') Object.assign(env, c.values);
          if (c.cmd !== 'run' || !c.args) continue;
          const words = c.args.map((w) => w.replace(/^\/out\//, `${ctx}/out/`));
          // Leading NAME=value words are the command's environment, as in the shell.
          const assigns: Record<string, string> = {};
          let i = 0;
          for (; i < words.length && /^[A-Z_][A-Z0-9_]*=/.test(words[i]!); i++) {
            const [k, ...v] = words[i]!.split('=');
            assigns[k!] = v.join('=');
          }
          const [cmd, ...args] = words.slice(i);
          if (cmd !== 'go') continue; // printf and friends need the image's shell
          const r = await execa(cmd, args, { cwd: ctx, env: { ...env, ...assigns }, reject: false, all: true, stdin: 'ignore' });
          assert.is(r.exitCode, 0, `${words.join(' ')}:\n${r.all}`);
          if (args[0] === 'build') binary = args[args.indexOf('-o') + 1]!;
        }
        assert.ok(binary && existsSync(binary), 'the build stage wrote its binary');
        const info = await execa('go', ['version', '-m', binary], { env: GO_ENV, reject: false, all: true });
        assert.is(info.exitCode, 0, info.all);
        for (const re of [new RegExp(`\\bGOARCH=${arch}\\b`), /\bGOOS=linux\b/, /\bCGO_ENABLED=0\b/, /-trimpath=true/])
          assert.match(info.stdout, re);
        return binary;
      };

      const cross = await runBuildStage(foreign);
      assert.is(readFileSync(cross).readUInt16LE(18), foreign === 'arm64' ? 183 : 62, `an ELF binary for ${foreign}`);
      const own = await runBuildStage(native);
      const v = await execa(own, ['version'], { reject: false, all: true });
      assert.is(v.exitCode, 0, v.all);
      for (const x of ['1.2.3', 'abc123', '2026-11-22T00:00:00Z']) assert.ok(v.stdout.includes(x), `${x} in: ${v.stdout}`);
    } finally {
      rmSync(ctx, { recursive: true, force: true });
    }
  });

  real('make test writes coverage.out; make vet passes', async () => {
    const repo = realRepo!;
    if (goMissing(repo).length > 0) {
      console.warn('SKIPPED make test/vet: Go templates missing');
      return;
    }
    const vet = await make(repo.dir, ['vet']);
    assert.is(vet.exitCode, 0, vet.all);
    const test = await make(repo.dir, ['test']);
    assert.is(test.exitCode, 0, test.all);
    assert.ok(existsSync(join(repo.dir, 'coverage.out')), 'coverage.out');
    assert.match(test.stdout, /^total:\s+\(statements\)\s+\d+(\.\d+)?%$/m, 'the coverage summary line');
    if (repo.answers.ci === 'gitlab') {
      const gl = parseYaml(read(repo, '.gitlab-ci.yml'));
      const coverage = Object.values(gl).find((j: any) => j && typeof j === 'object' && typeof j.coverage === 'string') as {
        coverage: string;
      };
      const m = /^\/(.*)\/$/.exec(coverage.coverage)!;
      assert.match(test.stdout, new RegExp(m[1]!, 'm'), `GitLab's coverage regex ${coverage.coverage} finds the total`);
    }
  });

  real('make lint passes with the generated .golangci.yml', async () => {
    const repo = realRepo!;
    if (goMissing(repo).length > 0) {
      console.warn('SKIPPED make lint: Go templates missing');
      return;
    }
    // golangci-lint takes minutes to build: use it when installed (install-tools.sh golangci-lint).
    const bin = [tools.toolPath('golangci-lint'), ...(process.env.PATH ?? '').split(':').map((d) => join(d, 'golangci-lint'))].find((p) =>
      existsSync(p),
    );
    if (!bin) {
      console.warn('SKIPPED make lint: golangci-lint is not installed (scripts/install-tools.sh golangci-lint)');
      return;
    }
    const verify = await execa(bin, ['config', 'verify'], { cwd: repo.dir, reject: false, all: true, env: GO_ENV, stdin: 'ignore' });
    assert.is(verify.exitCode, 0, `golangci-lint config verify:\n${verify.all}`);
    // golangci-lint allows one run per TMPDIR (a lock file there); other tests may be linting too.
    const tmp = mkdtempSync(join(tmpdir(), 'cgks-golangci-'));
    const lint = await make(repo.dir, ['lint', `GOLANGCI_LINT=${bin}`], { TMPDIR: tmp });
    rmSync(tmp, { recursive: true, force: true });
    assert.is(lint.exitCode, 0, lint.all);
  });

  if (mine()) real.run();
}

// ---- negative controls: each kind of check can fail --------------------------------------------

const neg = suite('deploy files: the checks can fail');
let negRepo: Repo | undefined;
neg.before(() => {
  negRepo = generateRepo({ ci: 'github', description: HOSTILE });
});
neg.after(() => {
  if (negRepo) rmSync(negRepo.dir, { recursive: true, force: true });
});

const variant = (name: string, text: string) => {
  const p = join(negRepo!.dir, name);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, text);
  return p;
};

neg('an unescaped ${{ }} is caught by the expression comparison', () => {
  const source = readFileSync(join(TEMPLATES, 'dot_github/workflows/ci.yml.hbs'), 'utf8');
  const h = Handlebars.create();
  h.registerHelper('eq', (x: unknown, y: unknown) => x === y);
  h.registerHelper('yamlString', (x: unknown) => JSON.stringify(String(x)));
  const broken = h.compile(source.replaceAll('$\\{{ github.sha }}', '${{ github.sha }}'), { noEscape: true })({
    ...negRepo!.answers,
    ciGithub: true,
    ciGitlab: false,
    generatorVersion: GENERATOR_VERSION,
  });
  const expected = expectedExpressions('dot_github/workflows/ci.yml.hbs', negRepo!.answers);
  assert.ok(expected.includes('{{ github.sha }}'));
  assert.is.not(count(broken, '${{'), expected.filter((e) => e.startsWith('{{ ')).length);
  assert.not.equal(renderedExpressions(broken), expected);
});

neg('a base image by tag alone, or a digest without its tag, is caught', async () => {
  const good = read(negRepo!, 'Dockerfile');
  const tagOnly = variant('unpinned1/Dockerfile', good.replace(/^(ARG RUNTIME_IMAGE=[^@\n]+)@sha256:[0-9a-f]{64}$/m, '$1'));
  assert.is.not(readFileSync(tagOnly, 'utf8'), good);
  assert.match(basePinProblems(await inspectDockerfile(tagOnly)).join('\n'), /RUNTIME_IMAGE.*not pinned/);
  const digestOnly = variant('unpinned2/Dockerfile', good.replace(/^ARG GO_IMAGE=golang:[0-9.]+@/m, 'ARG GO_IMAGE=golang@'));
  assert.is.not(readFileSync(digestOnly, 'utf8'), good);
  assert.match(basePinProblems(await inspectDockerfile(digestOnly)).join('\n'), /GO_IMAGE.*not pinned/);
  // Set on the command line (a mirror, the stand-ins), a build argument wins over the pin.
  const mirrored = await inspectDockerfile(join(negRepo!.dir, 'Dockerfile'), { GO_IMAGE: 'registry.local/golang:stand-in' });
  assert.match(basePinProblems(mirrored).join('\n'), /registry\.local\/golang:stand-in/);
});

neg('every Go version with a known digest gets a pinned builder in the Dockerfile and GitLab CI', async () => {
  for (const goVersion of PINNED_GO_VERSIONS) {
    const r = generateRepo({ goVersion, ci: 'gitlab' });
    try {
      const d = await inspectDockerfile(join(r.dir, 'Dockerfile'));
      assert.equal(basePinProblems(d), [], goVersion);
      assert.ok(d.metaArgs.GO_IMAGE!.startsWith(`golang:${goVersion}@sha256:`), d.metaArgs.GO_IMAGE);
      assert.is(
        parseYaml(read(r, '.gitlab-ci.yml')).variables.GO_IMAGE,
        d.metaArgs.GO_IMAGE,
        'CI builds with the image the Dockerfile uses',
      );
    } finally {
      rmSync(r.dir, { recursive: true, force: true });
    }
  }
});

neg('BuildKit lint and dockerfile-utils reject broken Dockerfiles', async () => {
  const good = read(negRepo!, 'Dockerfile');
  const undefinedArg = variant('bad1/Dockerfile', good.replace('FROM ${RUNTIME_IMAGE}', 'FROM ${RUNTIME_IMG}'));
  const r1 = await tools.buildkitLint(undefinedArg, {});
  assert.not.ok(r1.ok, 'an undefined ARG in FROM');
  const twoEntrypoints = variant('bad2/Dockerfile', `${good}ENTRYPOINT ["/bin/false"]\n`);
  const r2 = await tools.dockerfileUtilsLint(twoEntrypoints);
  assert.not.ok(r2.ok, 'two ENTRYPOINTs in one stage');
});

neg('double quotes instead of shellQuote would corrupt the description label', async () => {
  const good = read(negRepo!, 'Dockerfile');
  const desc = negRepo!.answers.description;
  const dq = variant('bad3/Dockerfile', good.replace(/^ARG DESCRIPTION=.*$/m, `ARG DESCRIPTION=${JSON.stringify(desc)}`));
  const d = await inspectDockerfile(dq).catch((e: Error) => e);
  if (d instanceof Error) return; // BuildKit cannot even parse it: also a failure
  assert.is.not(d.metaArgs.DESCRIPTION, desc);
});

neg("actionlint rejects a wrong permission; GitLab's schema a job named like a keyword", async () => {
  const wf = read(negRepo!, '.github/workflows/ci.yml').replace('packages: write', 'packages: wrte');
  const r1 = await tools.actionlint(variant('.github/workflows/bad.yml', wf));
  assert.not.ok(r1.ok);
  const gl = variant('bad4/.gitlab-ci.yml', 'stages: [build]\nimage:\n  stage: build\n  script: [make build]\n');
  const r2 = await tools.gitlabCiValidate(gl);
  assert.not.ok(r2.ok);
});

neg('a .dockerignore that drops the sources is caught', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cgks-ctx-'));
  try {
    for (const f of ['go.mod', 'cmd/x/main.go', '.dockerignore']) {
      mkdirSync(dirname(join(dir, f)), { recursive: true });
      writeFileSync(join(dir, f), f === '.dockerignore' ? '*\n!go.mod\n' : 'x');
    }
    writeFileSync(join(dir, 'Dockerfile'), read(negRepo!, 'Dockerfile'));
    const { context = [] } = await inspectDockerfile(join(dir, 'Dockerfile'), {}, dir);
    assert.equal(context, ['go.mod']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

if (mine()) neg.run();

// The container image, for real: the generated Dockerfile is built with buildah (no Docker
// engine, no registry: the base images are local stand-ins, test/STAND-IN-IMAGES.md), its config
// is inspected, its root filesystem is unpacked and its entrypoint run in a chroot as the image's
// user, its files are listed and its size measured. One suite per --base-image choice, then
// broken copies of a Dockerfile to prove each check fails when it should.
//
// Needs Linux and root. buildah is installed through scripts/install-tools.sh when missing.
// Elsewhere the tests are skipped, except with CI=true, where they fail.
// test-budget: 2400 s (one buildah image build per base choice: 271 s alone, over 900 s on a cold, loaded machine)
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite, test } from 'uvu';
import * as assert from 'uvu/assert';
import { execa } from 'execa';
import { runCli } from '../support/cli.js';
import { cannotRunHere } from '../support/skip.js';
import { freePort, waitForStatus } from '../support/go.js';
import {
  buildah,
  buildImage,
  DISTROLESS_STATIC_PUBLISHED,
  elfFacts,
  ensureStandIns,
  exportImage,
  goBuildInfo,
  imageFiles,
  imageToolsAvailable,
  inspectImage,
  lockStore,
  processIds,
  pruneStore,
  removeRootfs,
  runInRootfs,
  sizeFigures,
  startInRootfs,
  unpackImage,
  type BaseImage,
  type ExportedImage,
  type ImageInspect,
  type StandIns,
  type TarEntry,
} from '../support/image.js';

const NONROOT = 65532;
const BUILD_ARGS = { VERSION: '1.2.3-e2e', COMMIT: '0123456789abcdef0123456789abcdef01234567', DATE: '2026-11-22T00:00:00Z' };
const TEN_MB = 10_000_000;
const TEN_MIB = 10 * 1024 * 1024;

interface Variant {
  base: BaseImage;
  name: string;
  module: string;
  port: number;
  description: string;
  flags: string[];
  /** Put a .git, secrets and build leftovers into the context, and check the build stage's /src. */
  dirtyContext?: boolean;
  /** Check the size budget on this one (the default options). */
  sizeBudget?: boolean;
  /** Check that its root filesystem stays under 10 MiB, as the seeds promise (default and scratch). */
  rootfsBudget?: boolean;
  /** --database postgres: run without a database, so alive (/healthz 200) and not ready (/ready 503). */
  database?: boolean;
}

const variants: Variant[] = [
  {
    base: 'distroless',
    name: 'demo-svc',
    module: 'github.com/example/demo-svc',
    port: 8080,
    description: 'demo-svc is a Go service for Kubernetes.',
    flags: [],
    dirtyContext: true,
    sizeBudget: true,
    rootfsBudget: true,
  },
  {
    base: 'scratch',
    name: 'orders-api',
    module: 'github.com/acme/orders-api',
    port: 9090,
    description: `Orders: "quoted", 'single', $HOME, \`ticks\`, back\\slash & 100%`,
    flags: ['--base-image', 'scratch', '--port', '9090', '--module', 'github.com/acme/orders-api'],
    rootfsBudget: true,
  },
  {
    base: 'alpine',
    name: 'demo-svc',
    module: 'github.com/example/demo-svc',
    port: 8080,
    description: 'demo-svc is a Go service for Kubernetes.',
    flags: ['--base-image', 'alpine'],
  },
  {
    base: 'distroless',
    name: 'notes-svc',
    module: 'github.com/example/notes-svc',
    port: 8080,
    description: 'notes-svc keeps notes in PostgreSQL.',
    flags: ['--database', 'postgres', '--module', 'github.com/example/notes-svc'],
    database: true,
  },
];

// ---- what is checked, as lists of problems ---------------------------------------------------------

interface Built {
  variant: Variant;
  tag: string;
  info: ImageInspect;
  img: ExportedImage;
  rootfs: string;
  /** Layers of the stand-in base image (none for scratch). */
  baseDiffIds: string[];
}

const binOf = (v: Variant) => `/usr/local/bin/${v.name}`;
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Builds the repo in DIR, exports and unpacks the image. */
async function buildAndOpen(v: Variant, dir: string, tag: string, s: StandIns, work: string): Promise<{ output: string; built?: Built }> {
  const r = await buildImage({ dir, tag, baseImage: v.base, buildArgs: BUILD_ARGS });
  // Which steps came from the layer cache: a step is rebuilt when no "Using cache" follows it.
  const lines = r.output.split('\n');
  const steps = lines.flatMap((l, i) =>
    /^\[\d+\/\d+\] STEP /.test(l) && !/STEP \d+\/\d+: FROM /.test(l) ? [{ l, cached: lines[i + 1]?.startsWith('--> Using cache') }] : [],
  );
  const rebuilt = steps.filter((x) => !x.cached);
  process.stdout.write(
    `buildah bud ${tag}: ${r.ok ? 'built' : 'failed'} in ${r.seconds.toFixed(1)} s, ` +
      `${steps.length - rebuilt.length} of ${steps.length} steps from the cache` +
      `${rebuilt.length ? `, first rebuilt: ${rebuilt[0]!.l.slice(0, 70)}` : ''}\n`,
  );
  if (!r.ok) return { output: r.output };
  const info = await inspectImage(tag);
  const img = await exportImage(tag, mkdtempSync(join(work, 'oci-')));
  const rootfs = mkdtempSync(join(work, 'rootfs-'));
  await unpackImage(img, rootfs);
  const base = v.base === 'scratch' ? undefined : s[v.base];
  const baseDiffIds = base ? (await inspectImage(base)).diffIds : [];
  return { output: r.output, built: { variant: v, tag, info, img, rootfs, baseDiffIds } };
}

function closeBuilt(b: Built | undefined): void {
  if (!b) return;
  removeRootfs(b.rootfs);
  rmSync(b.img.dir, { recursive: true, force: true });
}

function configProblems({ variant: v, info }: Built): string[] {
  const p: string[] = [];
  const c = info.config;
  const bin = binOf(v);
  const l = c.Labels ?? {};
  if (c.User !== `${NONROOT}:${NONROOT}`) p.push(`User is ${JSON.stringify(c.User)}, not "${NONROOT}:${NONROOT}"`);
  if (!same(Object.keys(c.ExposedPorts ?? {}), [`${v.port}/tcp`]))
    p.push(`ExposedPorts ${JSON.stringify(c.ExposedPorts)}, not ${v.port}/tcp`);
  if (!c.Env?.includes(`PORT=${v.port}`)) p.push(`Env has no PORT=${v.port}: ${JSON.stringify(c.Env)}`);
  if (!same(c.Entrypoint, [bin])) p.push(`Entrypoint ${JSON.stringify(c.Entrypoint)}, not ["${bin}"] (exec form)`);
  if (c.Cmd && c.Cmd.length > 0) p.push(`Cmd ${JSON.stringify(c.Cmd)} should be empty`);
  if (!same(c.Healthcheck?.Test, ['CMD', bin, 'healthcheck'])) p.push(`Healthcheck ${JSON.stringify(c.Healthcheck?.Test)}`);
  if (!((c.Healthcheck?.Interval ?? 0) > 0 && (c.Healthcheck?.Timeout ?? 0) > 0))
    p.push(`Healthcheck timing ${JSON.stringify(c.Healthcheck)}`);
  const want: Record<string, string> = {
    title: v.name,
    version: BUILD_ARGS.VERSION,
    revision: BUILD_ARGS.COMMIT,
    created: BUILD_ARGS.DATE,
    source: `https://${v.module}`,
    description: v.description,
  };
  for (const [k, val] of Object.entries(want)) {
    const got = l[`org.opencontainers.image.${k}`];
    if (got !== val) p.push(`label org.opencontainers.image.${k} is ${JSON.stringify(got)}, not ${JSON.stringify(val)}`);
  }
  return p;
}

const addedEntries = (b: Built): TarEntry[] => b.img.layers.filter((l) => !b.baseDiffIds.includes(l.diffId)).flatMap((l) => l.entries);

function fileProblems(b: Built): string[] {
  const p: string[] = [];
  const v = b.variant;
  const bin = binOf(v).slice(1);
  const files = imageFiles(b.img.layers);
  const read = (f: string) => {
    try {
      return readFileSync(join(b.rootfs, f), 'utf8');
    } catch {
      return '';
    }
  };
  const ca = files.get('etc/ssl/certs/ca-certificates.crt');
  if (!(ca && ca.type === 'file' && ca.size > 1000)) p.push('no CA bundle at /etc/ssl/certs/ca-certificates.crt');
  if (!new RegExp(`^nonroot:x:${NONROOT}:${NONROOT}:[^:]*:[^:]*:/sbin/nologin$`, 'm').test(read('etc/passwd'))) {
    p.push(`/etc/passwd has no nonroot ${NONROOT} with /sbin/nologin`);
  }
  if (!new RegExp(`^nonroot:x:${NONROOT}:`, 'm').test(read('etc/group'))) p.push(`/etc/group has no nonroot ${NONROOT}`);
  const entry = files.get(bin);
  if (entry?.type !== 'file') p.push(`/${bin} missing`);
  else {
    if (entry.uid !== 0) p.push(`/${bin} belongs to uid ${entry.uid}, not root (the service could rewrite it)`);
    if (entry.mode & 0o022) p.push(`/${bin} is writable by group or others (${entry.mode.toString(8)})`);
  }
  const forbidden = [...files.keys()].filter(
    (f) =>
      /(^|\/)\.git(\/|$)/.test(f) ||
      /(^|\/)usr\/local\/go(\/|$)/.test(f) ||
      /(^|\/)bin\/go(fmt)?$/.test(f) ||
      /\.go$|(^|\/)go\.(mod|sum)$/.test(f) ||
      /(^|\/)(Dockerfile|Makefile|\.dockerignore|\.env|\.go-k8s-service\.json|compose\.yaml|coverage\.out|server\.key)$/.test(f) ||
      /^(src|go|out)(\/|$)/.test(f) ||
      f.startsWith('charts/') ||
      f.endsWith('.md'),
  );
  if (forbidden.length) p.push(`toolchain, source or context files in the image: ${forbidden.slice(0, 20).join(' ')}`);
  // What the Dockerfile adds on top of the base image, exactly.
  const expected = new Set([bin]);
  if (v.base === 'scratch') for (const f of ['etc/ssl/certs/ca-certificates.crt', 'etc/passwd', 'etc/group']) expected.add(f);
  if (v.base === 'alpine') for (const f of ['etc/passwd', 'etc/group', 'etc/shadow']) expected.add(f);
  const added = addedEntries(b).filter((e) => e.type !== 'dir');
  // buildah (unlike BuildKit) leaves the empty mount targets of a RUN step in its layer.
  const runLeftovers = new Set(['etc/hostname', 'etc/hosts', 'etc/resolv.conf']);
  const extra = added.filter((e) => !expected.has(e.path) && !(runLeftovers.has(e.path) && e.size === 0 && v.base === 'alpine'));
  if (extra.length) p.push(`added beyond the binary and the user database: ${extra.map((e) => e.path).join(' ')}`);
  for (const f of expected) if (!added.some((e) => e.path === f)) p.push(`/${f} not added by the Dockerfile`);
  if (v.base === 'scratch') {
    const dirs = [
      ...new Set(
        addedEntries(b)
          .filter((e) => e.type === 'dir')
          .map((e) => e.path),
      ),
    ].sort();
    const want = ['etc', 'etc/ssl', 'etc/ssl/certs', 'usr', 'usr/local', 'usr/local/bin'];
    if (!same(dirs, want)) p.push(`directories ${dirs.join(' ')}, not ${want.join(' ')}`);
  }
  return p;
}

async function binaryProblems(b: Built): Promise<string[]> {
  const p: string[] = [];
  const v = b.variant;
  const path = join(b.rootfs, binOf(v));
  let elf: ReturnType<typeof elfFacts>;
  try {
    elf = elfFacts(path);
  } catch (e) {
    return [`${binOf(v)}: ${(e as Error).message}`];
  }
  if (!elf.static) p.push(`dynamically linked (interpreter ${elf.interpreter})`);
  if (!elf.stripped) p.push(`not stripped: sections ${elf.sections.join(' ')}`);
  if (elf.debugSections.length) p.push(`DWARF sections: ${elf.debugSections.join(' ')}`);
  const bi = await goBuildInfo(path);
  for (const re of [/^\s*build\s+CGO_ENABLED=0$/m, /^\s*build\s+-trimpath=true$/m, /^\s*build\s+GOOS=linux$/m]) {
    if (!re.test(bi)) p.push(`go version -m: no ${re.source}`);
  }
  if (!new RegExp(`^\\s*path\\s+${v.module.replace(/\./g, '\\.')}/cmd/${v.name}$`, 'm').test(bi))
    p.push(`built from another package:\n${bi}`);
  const ver = await runInRootfs(b.rootfs, [binOf(v), 'version'], { user: b.info.config.User, imageEnv: b.info.config.Env ?? [] });
  if (ver.exitCode !== 0 || !ver.stdout.includes(BUILD_ARGS.VERSION)) {
    p.push(`"${v.name} version" exited ${ver.exitCode} without ${BUILD_ARGS.VERSION}: ${ver.stdout}${ver.stderr}`);
  }
  return p;
}

/**
 * Runs the entrypoint as the image's user with the image's environment on a free port, probes it,
 * runs the HEALTHCHECK command in the same root, stops it with SIGTERM.
 */
async function runProblems(b: Built): Promise<string[]> {
  const p: string[] = [];
  const c = b.info.config;
  const port = await freePort();
  // With a database option there is none here: a closed port, so the pod must stay alive and unready.
  const database: Record<string, string> = b.variant.database ? { DATABASE_URL: 'postgres://app@127.0.0.1:1/app' } : {};
  const env: Record<string, string> = { PORT: String(port), ADMIN_PORT: '0', SHUTDOWN_DELAY: '1s', SHUTDOWN_TIMEOUT: '5s', ...database };
  const run = { user: c.User || '0:0', imageEnv: c.Env ?? [], env };
  const argv = [...(c.Entrypoint ?? []), ...(c.Cmd ?? [])];
  if (argv.length === 0) return ['nothing to run: no Entrypoint and no Cmd'];
  const svc = startInRootfs(b.rootfs, argv, run);
  const logs = () => `\n    stdout: ${svc.stdout.join('\n    ')}\n    stderr: ${svc.stderr.join('\n    ')}`;
  try {
    try {
      await Promise.race([
        waitForStatus(`http://127.0.0.1:${port}/healthz`, 200, 20_000),
        svc.exited.then((e) => Promise.reject(new Error(`exited with ${e.code ?? e.signal} before answering`))),
      ]);
      await waitForStatus(`http://127.0.0.1:${port}/ready`, b.variant.database ? 503 : 200, 10_000);
    } catch (e) {
      return [`${(e as Error).message}${logs()}`];
    }
    const ids = processIds(svc.proc.pid!);
    if (!same(ids.uid, [NONROOT, NONROOT, NONROOT, NONROOT])) p.push(`runs with uids ${ids.uid}`);
    if (!same(ids.gid, [NONROOT, NONROOT, NONROOT, NONROOT])) p.push(`runs with gids ${ids.gid}`);
    if (ids.groups.length) p.push(`runs with supplementary groups ${ids.groups}`);
    const test = c.Healthcheck?.Test ?? [];
    const hcArgv = test[0] === 'CMD-SHELL' ? ['/bin/sh', '-c', test[1] ?? ''] : test.slice(1);
    if (test[0] !== 'CMD' && test[0] !== 'CMD-SHELL') p.push(`no HEALTHCHECK command (${JSON.stringify(test)})`);
    else {
      const hc = await runInRootfs(b.rootfs, hcArgv, run);
      if (hc.exitCode !== 0) p.push(`HEALTHCHECK exited ${hc.exitCode} with the service up: ${hc.stdout}${hc.stderr}`);
      // ...and it does probe: with nothing listening on its port it fails.
      const down = await runInRootfs(b.rootfs, hcArgv, { ...run, env: { ...env, PORT: String(await freePort()) } });
      if (down.exitCode === 0) p.push('HEALTHCHECK passed with nothing listening');
    }
    const sent = Date.now();
    svc.proc.kill('SIGTERM');
    const exit = await Promise.race([svc.exited, new Promise<undefined>((res) => setTimeout(() => res(undefined), 10_000))]);
    if (!exit) p.push(`no exit within 10 s of SIGTERM${logs()}`);
    else {
      if (exit.code !== 0) p.push(`SIGTERM: exit ${exit.code ?? exit.signal}${logs()}`);
      if (exit.at - sent > 1000 + 5000 + 2000) p.push(`SIGTERM: took ${exit.at - sent} ms`);
    }
    if (!svc.stdout.some((l) => l.startsWith('{'))) p.push(`no JSON log lines${logs()}`);
  } finally {
    if (svc.proc.exitCode === null && svc.proc.signalCode === null) {
      svc.proc.kill('SIGKILL');
      await svc.exited;
    }
  }
  return p;
}

const noProblems = (p: string[]) => assert.ok(p.length === 0, `\n  - ${p.join('\n  - ')}`);

// ---- the suites --------------------------------------------------------------------------------------

const available = await imageToolsAvailable();
let standIns: StandIns | undefined;
let unavailable = available.ok ? undefined : available.reason;
if (!unavailable) {
  try {
    standIns = await ensureStandIns();
  } catch (e) {
    unavailable = `the stand-in base images could not be built: ${(e as Error).message}`;
  }
}

if (unavailable) {
  cannotRunHere(
    'container images',
    unavailable,
    variants.map((v) => `image (${v.base})`),
  );
  test.run();
} else {
  // One user of the shared store at a time (bench/image.ts takes the same lock).
  const waited = Date.now();
  const release = await lockStore();
  process.stdout.write(`store lock taken after ${((Date.now() - waited) / 1000).toFixed(1)} s\n`);
  const work = mkdtempSync(join(tmpdir(), 'cgks-image-'));
  const containersBefore = new Set((await buildah(['containers', '--quiet', '--notruncate'])).stdout.split('\n').filter(Boolean));
  const dirs = new Map<Variant, string>();
  for (const v of variants) variantSuite(v, standIns!, work, dirs);
  mutantSuite(variants.find((v) => v.base === 'scratch')!, standIns!, work, dirs);
  const cleanup = suite('image: cleanup');
  // The test images keep their names: removing one (buildah rmi) also removes the intermediate
  // images it was built from, which are the layer cache of the next run.
  cleanup('cache entries no build used pruned, no working containers left', async () => {
    let now: Awaited<ReturnType<typeof buildah>>;
    try {
      const pruning = Date.now();
      const pruned = await pruneStore();
      process.stdout.write(`pruned ${pruned} cache images in ${((Date.now() - pruning) / 1000).toFixed(1)} s\n`);
      rmSync(work, { recursive: true, force: true });
      now = await buildah(['containers', '--quiet', '--notruncate']);
    } finally {
      release();
    }
    assert.ok(now.ok, now.output);
    const left = now.stdout.split('\n').filter((id) => id && !containersBefore.has(id));
    assert.equal(left, [], 'working containers left behind');
  });
  cleanup.run();
}

function variantSuite(v: Variant, s: StandIns, work: string, dirs: Map<Variant, string>): void {
  const t = suite(`image: ${v.base}${v.port !== 8080 ? `, port ${v.port}` : ''}${v.database ? ', --database postgres' : ''}`);
  const tag = `localhost/cgks-e2e/${v.name}-${v.base}:test`;
  let dir = '';
  let built: Built | undefined;
  const need = (): Built => {
    if (!built) assert.unreachable('the image was not built (see the first failure)');
    return built!;
  };

  t.before(async () => {
    dir = join(work, v.base, v.name);
    const r = await runCli([dir, '--yes', '--no-git', '--no-install', '--description', v.description, ...v.flags]);
    assert.is(r.exitCode, 0, r.stderr);
    dirs.set(v, dir);
    if (v.dirtyContext) {
      // What a working copy has and an image must not: history, secrets, local builds, notes.
      writeFileSync(join(dir, '.env'), 'API_TOKEN=do-not-ship\n');
      writeFileSync(join(dir, 'server.key'), 'not a key\n');
      mkdirSync(join(dir, 'bin'));
      writeFileSync(join(dir, 'bin', v.name), 'stale local build\n');
      writeFileSync(join(dir, 'coverage.out'), 'mode: set\n');
      writeFileSync(join(dir, 'NOTES.md'), 'private notes\n');
      const git = (...a: string[]) => execa('git', a, { cwd: dir, stdin: 'ignore', env: { GIT_CONFIG_GLOBAL: '/dev/null' } });
      await git('init', '-q');
      await git('add', '-A');
      await git('-c', 'user.name=e2e', '-c', 'user.email=e2e@example.invalid', 'commit', '-qm', 'generated');
    }
  });

  t.after(() => closeBuilt(built));

  t('buildah bud builds the Dockerfile (--layers, cache mounts, --platform=$BUILDPLATFORM)', async () => {
    const r = await buildAndOpen(v, dir, tag, s, work);
    assert.ok(r.built, `buildah bud failed:\n${r.output.slice(-6000)}`);
    built = r.built;
  });

  t('config: user 65532, the port, exec-form entrypoint, healthcheck, OCI labels', () => noProblems(configProblems(need())));

  t('files: the binary, CA certificates, passwd/group with nonroot; no toolchain, source or ignored files', () =>
    noProblems(fileProblems(need())),
  );

  t('the binary: static, stripped, no debug info, CGO off, -trimpath, version stamped', async () =>
    noProblems(await binaryProblems(need())),
  );

  t(
    `it runs as 65532: /healthz 200 and /ready ${v.database ? '503 (no database)' : '200'}, the HEALTHCHECK passes, SIGTERM exits 0`,
    async () => noProblems(await runProblems(need())),
  );

  if (v.dirtyContext) {
    t('.dockerignore: the build stage sees go.mod, go.sum, cmd/ and internal/, not .git, secrets or leftovers', async () => {
      need();
      const buildTag = `localhost/cgks-e2e/${v.name}-${v.base}-build-stage:test`;
      const r = await buildImage({ dir, tag: buildTag, baseImage: v.base, buildArgs: BUILD_ARGS, target: 'build' });
      assert.ok(r.ok, r.output.slice(-4000));
      const ctr = (await buildah(['from', '--pull=never', buildTag])).stdout.trim();
      assert.ok(ctr, 'buildah from failed');
      try {
        const mnt = (await buildah(['mount', ctr])).stdout.trim();
        const top = (await execa('ls', ['-A', join(mnt, 'src')])).stdout.split('\n').sort();
        assert.equal(top, ['cmd', 'go.mod', 'go.sum', 'internal'], '/src in the build stage');
      } finally {
        await buildah(['umount', ctr]);
        await buildah(['rm', ctr]);
      }
    });
  }

  if (v.sizeBudget) {
    t(`size: binary layer + published distroless static (${DISTROLESS_STATIC_PUBLISHED.bytes} B) under 10 MB`, () => {
      const b = need();
      const f = sizeFigures(b.img, b.baseDiffIds, binOf(v), v.base);
      process.stdout.write(`image sizes (${v.base}): ${JSON.stringify(f)}\n`);
      assert.ok(f.binaryLayerBytes >= f.binaryBytes, 'binary layer smaller than the binary');
      assert.is(f.addedLayersCompressedBytes, f.binaryLayerCompressedBytes, 'the Dockerfile adds more than the binary layer');
      const total = f.binaryLayerCompressedBytes + DISTROLESS_STATIC_PUBLISHED.bytes;
      assert.ok(
        total < TEN_MB,
        `binary layer ${f.binaryLayerCompressedBytes} B (gzip) + distroless ${DISTROLESS_STATIC_PUBLISHED.bytes} B = ${total} B`,
      );
    });
  }

  if (v.rootfsBudget) {
    t(`size: the root filesystem (metrics on) is under 10 MiB`, () => {
      const b = need();
      const f = sizeFigures(b.img, b.baseDiffIds, binOf(v), v.base);
      process.stdout.write(`root filesystem (${v.base}): ${f.rootfsBytes} B, binary ${f.binaryBytes} B\n`);
      assert.ok(f.rootfsBytes > f.binaryBytes, 'the root filesystem is smaller than the binary');
      assert.ok(
        f.rootfsBytes < TEN_MIB,
        `root filesystem ${f.rootfsBytes} B (binary ${f.binaryBytes} B) is not under 10 MiB (${TEN_MIB} B)`,
      );
    });
  }

  t.run();
}

/**
 * Broken copies of one variant's Dockerfile, each a mistake linting cannot see: the checks
 * above must report it. Only the runtime stage changes (except for the cache mount), so the
 * build stage comes from the layer cache.
 */
function mutantSuite(v: Variant, s: StandIns, work: string, dirs: Map<Variant, string>): void {
  const t = suite(`image: the checks catch broken Dockerfiles (${v.base})`);
  const bin = binOf(v);

  const mutate = (label: string, edit: (dockerfile: string) => string): string => {
    const src = dirs.get(v);
    if (!src) assert.unreachable(`the ${v.base} repo was not generated`);
    const dir = join(work, 'mutants', label, v.name);
    cpSync(src!, dir, { recursive: true });
    const path = join(dir, 'Dockerfile');
    const before = readFileSync(path, 'utf8');
    const after = edit(before);
    assert.is.not(after, before, `the ${label} edit changed nothing: the Dockerfile template moved on`);
    writeFileSync(path, after);
    return dir;
  };

  const buildMutant = async (label: string, edit: (d: string) => string) => {
    const tag = `localhost/cgks-e2e/${v.name}-${v.base}-${label}:test`;
    return buildAndOpen(v, mutate(label, edit), tag, s, work);
  };

  t('COPY from a path the build never wrote: the build fails', async () => {
    const r = await buildMutant('wrong-copy', (d) =>
      d.replace(`COPY --from=build /out/${v.name} `, `COPY --from=build /go/bin/${v.name} `),
    );
    closeBuilt(r.built);
    assert.not.ok(r.built, 'built anyway');
    assert.match(r.output, `/go/bin/${v.name}`);
  });

  t('a cache mount over the output directory: the build fails', async () => {
    const r = await buildMutant('cache-over-out', (d) =>
      d.replace(
        '--mount=type=cache,target=/root/.cache/go-build',
        '--mount=type=cache,target=/root/.cache/go-build \\\n    --mount=type=cache,target=/out',
      ),
    );
    closeBuilt(r.built);
    assert.not.ok(r.built, 'built anyway');
    assert.match(r.output, '/out/', 'failed for another reason');
  });

  t('an ENTRYPOINT naming a binary the build never produced: it does not run', async () => {
    const r = await buildMutant('wrong-entrypoint', (d) => d.replace(`ENTRYPOINT ["${bin}"]`, `ENTRYPOINT ["/usr/local/bin/server"]`));
    try {
      assert.ok(r.built, r.output.slice(-3000));
      assert.ok(
        configProblems(r.built!).some((p) => p.startsWith('Entrypoint')),
        'config check missed it',
      );
      const run = await runProblems(r.built!);
      assert.ok(run.length > 0 && /exited|did not answer/.test(run[0]!), `run check missed it: ${run.join('; ')}`);
    } finally {
      closeBuilt(r.built);
    }
  });

  t('no CA certificates and no USER: the file, config and run checks say so', async () => {
    const r = await buildMutant('no-ca-no-user', (d) =>
      d.replace(/^COPY --from=build \/etc\/ssl\/certs\/ca-certificates\.crt .*\n/m, '').replace(/^USER .*\n/m, ''),
    );
    try {
      assert.ok(r.built, r.output.slice(-3000));
      const files = fileProblems(r.built!);
      assert.ok(
        files.some((p) => p.includes('CA bundle')),
        `file check missed the CA bundle: ${files.join('; ')}`,
      );
      assert.ok(
        configProblems(r.built!).some((p) => p.startsWith('User')),
        'config check missed the user',
      );
      const run = await runProblems(r.built!);
      assert.ok(
        run.some((p) => p.startsWith('runs with uids 0')),
        `run check missed root: ${run.join('; ')}`,
      );
    } finally {
      closeBuilt(r.built);
    }
  });

  t.run();
}

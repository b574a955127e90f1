// The container image, for real: the generated Dockerfile is built with buildah (no Docker
// engine, no registry: the base images are local stand-ins, test/STAND-IN-IMAGES.md), its config
// is inspected, its root filesystem is unpacked and its entrypoint run in a chroot as the image's
// user, its files are listed and its size measured. One suite per --base-image choice.
//
// Needs Linux and root. buildah is installed through scripts/install-tools.sh when missing.
// Elsewhere the tests are skipped, except with CI=true, where they fail.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite, test } from 'uvu';
import * as assert from 'uvu/assert';
import { execa } from 'execa';
import { runCli } from '../support/cli.js';
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
  processIds,
  pruneStore,
  removeImages,
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
  },
  {
    base: 'scratch',
    name: 'orders-api',
    module: 'github.com/acme/orders-api',
    port: 9090,
    description: `Orders: "quoted", 'single', $HOME, \`ticks\`, back\\slash & 100%`,
    flags: ['--base-image', 'scratch', '--port', '9090', '--module', 'github.com/acme/orders-api'],
  },
  {
    base: 'alpine',
    name: 'demo-svc',
    module: 'github.com/example/demo-svc',
    port: 8080,
    description: 'demo-svc is a Go service for Kubernetes.',
    flags: ['--base-image', 'alpine'],
  },
];

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
  if (process.env.CI === 'true') {
    test('container images can be built on CI', () => {
      assert.unreachable(`cannot build images here: ${unavailable}`);
    });
    test.run();
  } else {
    process.stderr.write(`image tests skipped: ${unavailable}\n`);
    for (const v of variants) test.skip(`image (${v.base})`, () => {});
    test.run();
  }
} else {
  const work = mkdtempSync(join(tmpdir(), 'cgks-image-'));
  const tags: string[] = [];
  for (const v of variants) defineSuite(v, standIns!, work, tags);
  const cleanup = suite('image: cleanup');
  cleanup('test images removed, old cache entries pruned', async () => {
    await removeImages(tags);
    await pruneStore();
    rmSync(work, { recursive: true, force: true });
    const left = await buildah(['containers', '--quiet']);
    assert.ok(left.ok, left.output);
    assert.is(left.stdout.trim(), '', `working containers left behind: ${left.stdout}`);
  });
  cleanup.run();
}

/** Layers of IMG that are not layers of the stand-in base image (all of them for scratch). */
function addedEntries(img: ExportedImage, baseDiffIds: readonly string[]): TarEntry[] {
  return img.layers.filter((l) => !baseDiffIds.includes(l.diffId)).flatMap((l) => l.entries);
}

function defineSuite(v: Variant, s: StandIns, work: string, tags: string[]): void {
  const t = suite(`image: ${v.base}${v.port !== 8080 ? `, port ${v.port}` : ''}`);
  const tag = `localhost/cgks-e2e/${v.name}-${v.base}:test`;
  const bin = `/usr/local/bin/${v.name}`;
  let dir = '';
  let built = false;
  let info: ImageInspect | undefined;
  let img: ExportedImage | undefined;
  let rootfs = '';
  let baseDiffIds: string[] = [];

  const needImage = () => {
    if (!built) assert.unreachable('the image was not built (see the first failure)');
    return { info: info!, img: img!, rootfs };
  };

  t.before(async () => {
    dir = join(work, v.base, v.name);
    const r = await runCli([dir, '--yes', '--no-git', '--no-install', '--description', v.description, ...v.flags]);
    assert.is(r.exitCode, 0, r.stderr);
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
    if (s[v.base as 'distroless' | 'alpine']) baseDiffIds = (await inspectImage(s[v.base as 'distroless' | 'alpine'])).diffIds;
  });

  t.after(() => {
    if (rootfs) removeRootfs(rootfs);
    if (img) rmSync(img.dir, { recursive: true, force: true });
  });

  t(`buildah bud builds the Dockerfile (--layers, cache mounts, --platform=$BUILDPLATFORM)`, async () => {
    const r = await buildImage({ dir, tag, baseImage: v.base, buildArgs: BUILD_ARGS });
    assert.ok(r.ok, `buildah bud failed:\n${r.output.slice(-6000)}`);
    tags.push(tag);
    info = await inspectImage(tag);
    img = await exportImage(tag, mkdtempSync(join(work, 'oci-')));
    rootfs = mkdtempSync(join(work, 'rootfs-'));
    await unpackImage(img, rootfs);
    built = true;
  });

  t('config: user 65532, the port, exec-form entrypoint, healthcheck, OCI labels', () => {
    const { info } = needImage();
    const c = info.config;
    assert.is(c.User, `${NONROOT}:${NONROOT}`);
    assert.equal(Object.keys(c.ExposedPorts ?? {}), [`${v.port}/tcp`]);
    assert.ok(c.Env?.includes(`PORT=${v.port}`), `Env: ${c.Env}`);
    assert.equal(c.Entrypoint, [bin]);
    assert.ok(!c.Cmd || c.Cmd.length === 0, `Cmd should be empty, is ${JSON.stringify(c.Cmd)}`);
    assert.equal(c.Healthcheck?.Test, ['CMD', bin, 'healthcheck']);
    assert.ok((c.Healthcheck?.Interval ?? 0) > 0 && (c.Healthcheck?.Timeout ?? 0) > 0, JSON.stringify(c.Healthcheck));
    const l = c.Labels ?? {};
    assert.is(l['org.opencontainers.image.title'], v.name);
    assert.is(l['org.opencontainers.image.version'], BUILD_ARGS.VERSION);
    assert.is(l['org.opencontainers.image.revision'], BUILD_ARGS.COMMIT);
    assert.is(l['org.opencontainers.image.created'], BUILD_ARGS.DATE);
    assert.is(l['org.opencontainers.image.source'], `https://${v.module}`);
    assert.is(l['org.opencontainers.image.description'], v.description);
  });

  t('files: the binary, CA certificates, passwd/group with nonroot; no toolchain, source or ignored files', () => {
    const { img, rootfs } = needImage();
    const files = imageFiles(img.layers);
    const paths = [...files.keys()];
    // Whole image.
    const ca = files.get('etc/ssl/certs/ca-certificates.crt');
    assert.ok(ca && ca.type === 'file' && ca.size > 1000, 'no CA bundle at /etc/ssl/certs/ca-certificates.crt');
    const passwd = readFileSync(join(rootfs, 'etc/passwd'), 'utf8');
    const group = readFileSync(join(rootfs, 'etc/group'), 'utf8');
    assert.match(passwd, new RegExp(`^nonroot:x:${NONROOT}:${NONROOT}:[^:]*:[^:]*:/sbin/nologin$`, 'm'));
    assert.match(group, new RegExp(`^nonroot:x:${NONROOT}:`, 'm'));
    const entry = files.get(bin.slice(1));
    assert.ok(entry && entry.type === 'file', `${bin} missing`);
    assert.is(entry!.uid, 0, 'the binary should belong to root (not writable by the service)');
    assert.is(entry!.mode & 0o022, 0, `${bin} is writable by group/others (${entry!.mode.toString(8)})`);
    const forbidden = paths.filter(
      (p) =>
        /(^|\/)\.git(\/|$)/.test(p) ||
        /(^|\/)usr\/local\/go(\/|$)/.test(p) ||
        /(^|\/)bin\/go(fmt)?$/.test(p) ||
        /\.go$|(^|\/)go\.(mod|sum)$/.test(p) ||
        /(^|\/)(Dockerfile|Makefile|\.dockerignore|\.env|\.go-k8s-service\.json|compose\.yaml|coverage\.out|server\.key)$/.test(p) ||
        /^(src|go|out)(\/|$)/.test(p) ||
        p.startsWith('charts/') ||
        p.endsWith('.md'),
    );
    assert.equal(forbidden, [], 'toolchain, source or context files in the image');
    // What the Dockerfile adds on top of the base image, exactly.
    const expected = new Set([bin.slice(1)]);
    if (v.base === 'scratch') for (const f of ['etc/ssl/certs/ca-certificates.crt', 'etc/passwd', 'etc/group']) expected.add(f);
    if (v.base === 'alpine') for (const f of ['etc/passwd', 'etc/group', 'etc/shadow']) expected.add(f);
    const added = addedEntries(img, baseDiffIds).filter((e) => e.type !== 'dir');
    // buildah (not BuildKit) leaves empty mount targets of a RUN step in its layer.
    const runLeftovers = new Set(['etc/hostname', 'etc/hosts', 'etc/resolv.conf']);
    const unexpected = added.filter((e) => !expected.has(e.path) && !(runLeftovers.has(e.path) && e.size === 0 && v.base === 'alpine'));
    assert.equal(unexpected.map((e) => e.path), [], 'files added beyond the binary and the user database');
    for (const f of expected) assert.ok(added.some((e) => e.path === f), `${f} not added`);
    if (v.base === 'scratch') {
      assert.equal(
        [...new Set(addedEntries(img, baseDiffIds).filter((e) => e.type === 'dir').map((e) => e.path))].sort(),
        ['etc', 'etc/ssl', 'etc/ssl/certs', 'usr', 'usr/local', 'usr/local/bin'],
      );
    }
  });

  t('the binary: static, stripped, no debug info, CGO off, -trimpath, version stamped', async () => {
    const { rootfs, info } = needImage();
    const path = join(rootfs, bin);
    const elf = elfFacts(path);
    assert.ok(elf.static, `dynamically linked (interpreter ${elf.interpreter})`);
    assert.ok(elf.stripped, `not stripped: sections ${elf.sections.join(' ')}`);
    assert.equal(elf.debugSections, [], 'DWARF sections present');
    const bi = await goBuildInfo(path);
    assert.match(bi, /^\s*build\s+CGO_ENABLED=0$/m);
    assert.match(bi, /^\s*build\s+-trimpath=true$/m);
    assert.match(bi, /^\s*build\s+GOOS=linux$/m);
    assert.match(bi, new RegExp(`^\\s*path\\s+${v.module.replace(/\./g, '\\.')}/cmd/${v.name}$`, 'm'));
    const ver = await runInRootfs(rootfs, [bin, 'version'], { user: info.config.User, imageEnv: info.config.Env ?? [] });
    assert.is(ver.exitCode, 0, ver.stderr);
    assert.ok(ver.stdout.includes(BUILD_ARGS.VERSION), `version output: ${ver.stdout}`);
  });

  t('it runs as 65532: /healthz and /ready 200, the HEALTHCHECK passes, SIGTERM exits 0', async () => {
    const { rootfs, info } = needImage();
    const c = info.config;
    const port = await freePort();
    const env = { PORT: String(port), SHUTDOWN_DELAY: '1s', SHUTDOWN_TIMEOUT: '5s' };
    const run = { user: c.User, imageEnv: c.Env ?? [], env };
    const svc = startInRootfs(rootfs, [...(c.Entrypoint ?? []), ...(c.Cmd ?? [])], run);
    const why = () => `\nstdout:\n${svc.stdout.join('\n')}\nstderr:\n${svc.stderr.join('\n')}`;
    try {
      try {
        await waitForStatus(`http://127.0.0.1:${port}/healthz`, 200, 20_000);
        await waitForStatus(`http://127.0.0.1:${port}/ready`, 200, 10_000);
      } catch (e) {
        throw new Error(`${(e as Error).message}${why()}`);
      }
      const ids = processIds(svc.proc.pid!);
      assert.equal(ids.uid, [NONROOT, NONROOT, NONROOT, NONROOT], `uids ${ids.uid}`);
      assert.equal(ids.gid, [NONROOT, NONROOT, NONROOT, NONROOT], `gids ${ids.gid}`);
      assert.equal(ids.groups, [], 'supplementary groups');
      const hcArgv = c.Healthcheck!.Test![0] === 'CMD-SHELL' ? ['/bin/sh', '-c', c.Healthcheck!.Test![1]!] : c.Healthcheck!.Test!.slice(1);
      const hc = await runInRootfs(rootfs, hcArgv, run);
      assert.is(hc.exitCode, 0, `healthcheck: ${hc.stdout}${hc.stderr}`);
      // ...and it does probe: with nothing listening on its port it fails.
      const nothing = await freePort();
      const hcDown = await runInRootfs(rootfs, hcArgv, { ...run, env: { ...env, PORT: String(nothing) } });
      assert.is.not(hcDown.exitCode, 0, 'the healthcheck passed with no server listening');
      const sent = Date.now();
      svc.proc.kill('SIGTERM');
      const exit = await Promise.race([
        svc.exited,
        new Promise<never>((_, rej) => setTimeout(() => rej(new Error(`no exit within 10s${why()}`)), 10_000)),
      ]);
      assert.is(exit.code, 0, `exit ${exit.code ?? exit.signal}${why()}`);
      assert.ok(exit.at - sent < 1000 + 5000 + 2000, `took ${exit.at - sent} ms`);
      assert.ok(svc.stdout.some((l) => l.startsWith('{')), `no JSON log lines${why()}`);
    } finally {
      if (svc.proc.exitCode === null && svc.proc.signalCode === null) {
        svc.proc.kill('SIGKILL');
        await svc.exited;
      }
    }
  });

  if (v.dirtyContext) {
    t('.dockerignore: the build stage sees go.mod, go.sum, cmd/ and internal/, not .git, secrets or leftovers', async () => {
      needImage();
      const buildTag = `localhost/cgks-e2e/${v.name}-${v.base}-build-stage:test`;
      const r = await buildImage({ dir, tag: buildTag, baseImage: v.base, buildArgs: BUILD_ARGS, target: 'build' });
      assert.ok(r.ok, r.output.slice(-4000));
      tags.push(buildTag);
      const ctr = (await buildah(['from', '--pull=never', buildTag])).stdout.trim();
      assert.ok(ctr, 'buildah from failed');
      try {
        const mnt = (await buildah(['mount', ctr])).stdout.trim();
        const top = (await execa('ls', ['-A', join(mnt, 'src')])).stdout.split('\n').sort();
        assert.equal(top, ['cmd', 'go.mod', 'go.sum', 'internal'], `/src in the build stage`);
      } finally {
        await buildah(['umount', ctr]);
        await buildah(['rm', ctr]);
      }
    });
  }

  if (v.sizeBudget) {
    t(`size: binary layer + published distroless static (${DISTROLESS_STATIC_PUBLISHED.bytes} B) under 10 MB`, () => {
      const { img } = needImage();
      const f = sizeFigures(img, baseDiffIds, bin);
      process.stdout.write(`image sizes (${v.base}): ${JSON.stringify(f)}\n`);
      assert.ok(f.binaryLayerBytes >= f.binaryBytes, 'binary layer smaller than the binary');
      assert.ok(
        f.estimatedPublishedBytes < TEN_MB,
        `binary layer ${f.binaryLayerCompressedBytes} B (gzip) + distroless ${DISTROLESS_STATIC_PUBLISHED.bytes} B = ${f.estimatedPublishedBytes} B`,
      );
    });
  }

  t.run();
}

// The images the real-cluster suite runs, built for real with buildah (test/support/image.ts,
// stand-in base images, no registry) and exported as OCI archives for the node to import:
//   app     the generated service (default answers), its Dockerfile as generated
//   debug   the same repo plus test/cluster/fixtures/memdebug.go (memory pressure from the
//           environment, for the fault tests); generated repos never ship that file
//   tests   the chart's `helm test` image: the busybox stand-in (Debian busybox-static, see
//           test/STAND-IN-IMAGES.md) with test/cluster/wget as its wget, instead of busybox
//           from a registry (static glibc busybox crashes resolving a name; see wget/main.go)
import { execa } from 'execa';
import { cpSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from '../../support/generate.js';
import { goEnv } from '../../support/go.js';
import { buildah, buildImage, ensureStandIns, imageToolsAvailable, lockStore, policyFile } from '../../support/image.js';

export const SERVICE = 'demo-svc';
export const REPO = 'localhost/cgks-cluster';
const MEMDEBUG = fileURLToPath(new URL('../fixtures/memdebug.go', import.meta.url));
const WGET = fileURLToPath(new URL('../wget/', import.meta.url));

/** The busybox stand-in with a wget that resolves names (Go's resolver), as REF. */
async function buildTestsImage(busybox: string, work: string, r: { ref: string }): Promise<void> {
  const bin = join(work, 'wget');
  const go = await execa('go', ['build', '-trimpath', '-ldflags=-s -w', '-o', bin, '.'], {
    cwd: WGET,
    env: goEnv({ cgo: false }),
    reject: false,
    all: true,
    stdin: 'ignore',
  });
  if (go.exitCode !== 0) throw new Error(`go build of test/cluster/wget failed:\n${go.all}`);
  const from = await buildah(['from', '--pull=never', busybox]);
  if (!from.ok) throw new Error(`buildah from ${busybox}: ${from.output}`);
  const ctr = from.stdout.trim();
  try {
    for (const args of [
      ['copy', '--chmod', '0755', ctr, bin, '/usr/local/bin/wget'],
      ['commit', '--quiet', ctr, r.ref],
    ]) {
      const x = await buildah(args);
      if (!x.ok) throw new Error(`buildah ${args.join(' ')}: ${x.output}`);
    }
  } finally {
    await buildah(['rm', ctr]);
  }
}

export interface ImageRef {
  /** repository, as the chart's image.repository takes it */
  repository: string;
  tag: string;
  /** repository:tag */
  ref: string;
  /** The oci-archive file the node imports. */
  archive: string;
  /** Seconds the build took (0 for the stand-in). */
  buildSeconds: number;
  archiveBytes: number;
}

export interface SuiteImages {
  /** The generated repo the images were built from (its chart is the one installed). */
  repoDir: string;
  chartDir: string;
  app: ImageRef;
  debug: ImageRef;
  tests: ImageRef;
}

export const ref = (repository: string, tag: string) => ({ repository, tag, ref: `${repository}:${tag}` });

/** `buildah push IMAGE oci-archive:FILE:REF`, the archive the node's containerd imports. */
export async function exportArchive(image: string, file: string): Promise<number> {
  const r = await buildah(['push', '--quiet', '--signature-policy', policyFile(), image, `oci-archive:${file}:${image}`]);
  if (!r.ok) throw new Error(`buildah push ${image} oci-archive:${file} failed:\n${r.output.slice(-3000)}`);
  return statSync(file).size;
}

/**
 * Builds the generated repo in DIR (its Dockerfile as generated, the distroless stand-in) as R and
 * exports it into WORK/LABEL.oci.tar. The caller holds the store lock (lockStore()).
 */
export async function buildServiceImage(
  label: string,
  dir: string,
  r: { repository: string; tag: string; ref: string },
  work: string,
  progress: (line: string) => void = () => {},
): Promise<ImageRef> {
  progress(`building the ${label} image ${r.ref} with buildah`);
  const b = await buildImage({ dir, tag: r.ref, baseImage: 'distroless', buildArgs: { VERSION: r.tag } });
  if (!b.ok) throw new Error(`buildah bud of the ${label} image failed:\n${b.output.slice(-3000)}`);
  const archive = join(work, `${label}.oci.tar`);
  const archiveBytes = await exportArchive(r.ref, archive);
  progress(`built ${r.ref} in ${b.seconds.toFixed(0)} s; ${archive} (${(archiveBytes / 1e6).toFixed(1)} MB)`);
  return { ...r, archive, buildSeconds: b.seconds, archiveBytes };
}

/** The manifest digest (sha256:…) of the one image in an OCI archive: what `image@digest` names. */
export async function archiveDigest(archive: string): Promise<string> {
  const r = await execa('tar', ['-xOf', archive, 'index.json'], { reject: false, stdin: 'ignore' });
  if (r.exitCode !== 0) throw new Error(`tar -xOf ${archive} index.json: ${r.stderr}`);
  const digest = (JSON.parse(String(r.stdout)) as { manifests?: { digest?: string }[] }).manifests?.[0]?.digest ?? '';
  if (!/^sha256:[0-9a-f]{64}$/.test(digest)) throw new Error(`${archive}: no manifest digest in index.json (${r.stdout})`);
  return digest;
}

/**
 * Generates the service, builds the app and debug images and exports all three images into
 * WORK. Throws with the reason when images cannot be built here (not Linux, not root...).
 */
export async function buildSuiteImages(
  work: string,
  progress: (line: string) => void = () => {},
  made: (dir: string) => void = () => {},
): Promise<SuiteImages> {
  const avail = await imageToolsAvailable();
  if (!avail.ok) throw new Error(`cannot build images here: ${avail.reason}`);
  const standIns = await ensureStandIns();
  mkdirSync(work, { recursive: true });
  const repoDir = generate({ name: SERVICE }, 'cgks-cluster-repo-');
  made(repoDir);
  const debugDir = join(work, 'debug-repo');
  cpSync(repoDir, debugDir, { recursive: true });
  cpSync(MEMDEBUG, join(debugDir, 'cmd', SERVICE, 'zz_memdebug.go'));

  const release = await lockStore();
  try {
    const built = (label: string, dir: string, r: { repository: string; tag: string; ref: string }) =>
      buildServiceImage(label, dir, r, work, progress);
    // CGKS_CLUSTER_IMAGE_TAG: another version (a new VERSION build argument, so the build step runs).
    const tag = process.env.CGKS_CLUSTER_IMAGE_TAG || '1.0.0';
    const app = await built('app', repoDir, ref(`${REPO}/${SERVICE}`, tag));
    const debug = await built('debug', debugDir, ref(`${REPO}/${SERVICE}`, `${tag}-memdebug`));
    const testsRef = ref(`${REPO}/busybox`, 'stand-in');
    progress(`building the helm test image ${testsRef.ref} (busybox stand-in + test/cluster/wget)`);
    await buildTestsImage(standIns.alpine, work, testsRef);
    const testsArchive = join(work, 'tests.oci.tar');
    const tests: ImageRef = {
      ...testsRef,
      archive: testsArchive,
      buildSeconds: 0,
      archiveBytes: await exportArchive(testsRef.ref, testsArchive),
    };
    return { repoDir, chartDir: join(repoDir, 'charts', SERVICE), app, debug, tests };
  } finally {
    release();
  }
}

/** Whether the archive exists and is not empty (for checks). */
export const archiveReady = (i: ImageRef): boolean => existsSync(i.archive) && statSync(i.archive).size > 0;

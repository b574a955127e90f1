// Image size figures for `npm run bench`: generates a service, builds its Dockerfile with buildah
// on the local stand-in base images (test/STAND-IN-IMAGES.md), exports the image as a registry
// would store it (gzip layers) and measures it.
//
//   import { measureImage } from './image.js';
//   const m = await measureImage();                      // default options (distroless)
//   const s = await measureImage({ baseImage: 'scratch' });
//
// Run alone: `npx tsx bench/image.ts [distroless|scratch|alpine]` prints the figures as JSON.
// Needs Linux and root (see test/support/image.ts); throws with the reason otherwise.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CLI, runCli } from '../test/support/cli.js';
import { generate } from '../test/support/generate.js';
import {
  buildImage,
  ensureStandIns,
  exportImage,
  imageToolsAvailable,
  inspectImage,
  lockStore,
  PUBLISHED_BASE_SIZES,
  sizeFigures,
  type BaseImage,
  type ImageSizes,
} from '../test/support/image.js';

/** The size budget of the default image as a registry holds it: binary layer + distroless static. */
export const IMAGE_BUDGET_BYTES = 10_000_000;

export interface ImageMeasurement extends ImageSizes {
  baseImage: BaseImage;
  /** The runtime base the image was built on: a local stand-in, or scratch. */
  builtOn: string;
  /** Where publishedBaseBytes comes from. */
  publishedBaseSource: string;
  /** Wall time of `buildah bud` (short when the layer cache already holds the build). */
  buildSeconds: number;
  budgetBytes: number;
  /** estimatedPublishedBytes < budgetBytes (the budget is set for distroless, the default). */
  withinBudget: boolean;
}

export async function measureImage(opts: { baseImage?: BaseImage } = {}): Promise<ImageMeasurement> {
  const baseImage = opts.baseImage ?? 'distroless';
  const avail = await imageToolsAvailable();
  if (!avail.ok) throw new Error(`cannot build images here: ${avail.reason}`);
  const release = await lockStore(); // not while the image test builds
  try {
    return await measureLocked(baseImage);
  } finally {
    release();
  }
}

async function measureLocked(baseImage: BaseImage): Promise<ImageMeasurement> {
  const standIns = await ensureStandIns();
  const name = 'demo-svc';
  const work = mkdtempSync(join(tmpdir(), 'cgks-bench-image-'));
  const tag = `localhost/cgks-bench/${name}-${baseImage}:bench`;
  const cleanups = [work];
  try {
    let dir: string;
    if (existsSync(CLI)) {
      dir = join(work, name);
      const r = await runCli([dir, '--yes', '--no-git', '--no-install', '--base-image', baseImage]);
      if (r.exitCode !== 0) throw new Error(`generating the service failed: ${r.stderr}`);
    } else {
      dir = generate({ baseImage }, 'cgks-bench-svc-'); // no built CLI: render through the library
      cleanups.push(dir);
    }
    const built = await buildImage({ dir, tag, baseImage, buildArgs: { VERSION: '0.0.0-bench' } });
    if (!built.ok) throw new Error(`buildah bud failed:\n${built.output.slice(-4000)}`);
    const img = await exportImage(tag, mkdtempSync(join(work, 'oci-')));
    const base = baseImage === 'scratch' ? undefined : standIns[baseImage];
    const baseDiffIds = base ? (await inspectImage(base)).diffIds : [];
    const sizes = sizeFigures(img, baseDiffIds, `/usr/local/bin/${name}`, baseImage);
    return {
      baseImage,
      builtOn: base ?? 'scratch',
      ...sizes,
      publishedBaseSource: PUBLISHED_BASE_SIZES[baseImage].source,
      buildSeconds: built.seconds,
      budgetBytes: IMAGE_BUDGET_BYTES,
      withinBudget: sizes.estimatedPublishedBytes < IMAGE_BUDGET_BYTES,
    };
  } finally {
    // The tag stays: removing it would also remove the layer cache of the next measurement.
    for (const d of cleanups) rmSync(d, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const arg = process.argv[2] as BaseImage | undefined;
  const m = await measureImage({ baseImage: arg });
  process.stdout.write(`${JSON.stringify(m, null, 2)}\n`);
}

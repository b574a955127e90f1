// The first step of `npm run test:cluster`: everything the real-cluster suite needs that only a
// fresh machine lacks, each step with its progress and time, outside every test file's budget:
//   host packages      scripts/cluster/install-host.sh (containerd, runc, CNI plugins, buildah, ...)
//   helm, CRDs, PG     scripts/install-tools.sh helm crds postgres (only what the suite uses)
//   stand-in images    scripts/stand-in-images.sh (the bases the generated Dockerfile builds on)
//   node binaries      scripts/cluster/build-node.sh (kubenode, CoreDNS, pause/busybox images; the cold build)
//   loadgen            test/cluster/loadgen
//   suite images       the app, debug and helm-test images once, so every file's build hits the layer cache
// Cached steps take seconds. Writes the steps' times to <cluster cache>/prepare.json for the report.
//
//   npx tsx scripts/cluster/prepare.ts
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildLoadgen } from '../../test/cluster/support/loadgen.js';
import { buildSuiteImages } from '../../test/cluster/support/images.js';
import { nodeCacheRoot, preparedBinDir } from '../../test/cluster/support/node.js';
import { repoRoot } from '../../test/support/tools.js';

const t0 = Date.now();
const say = (line: string) => process.stdout.write(`prepare [${((Date.now() - t0) / 1000).toFixed(0).padStart(4)}s] ${line}\n`);

if (process.platform !== 'linux' || process.getuid?.() !== 0) {
  process.stderr.write(`prepare: the real-cluster suite needs root on Linux (this is ${process.platform}, uid ${process.getuid?.()})\n`);
  process.exit(1);
}

/** Runs a repo script, its progress (stderr) shown as it comes, prefixed. */
function script(path: string, args: string[] = []): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [join(repoRoot(), path), ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let partial = '';
    child.stderr.on('data', (d: Buffer) => {
      const lines = (partial + d.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) say(`  ${l}`);
    });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${path} ${args.join(' ')} exited with ${code}`))));
  });
}

const steps: [string, () => Promise<unknown>][] = [
  ['host packages', () => script('scripts/cluster/install-host.sh')],
  [
    'helm, the CRDs and PostgreSQL (variants.test.ts builds its image from the host binaries)',
    () => script('scripts/install-tools.sh', ['helm', 'crds', 'postgres']),
  ],
  ['stand-in base images', () => script('scripts/stand-in-images.sh')],
  ['node binaries (cold: 20 to 60 minutes on 2 cores)', () => script('scripts/cluster/build-node.sh').then(() => preparedBinDir())],
  ['loadgen', () => buildLoadgen()],
  [
    'suite images (warms the layer cache)',
    async () => {
      const work = mkdtempSync(join(tmpdir(), 'cgks-cluster-prepare-'));
      try {
        const images = await buildSuiteImages(join(work, 'images'), (l) => say(`  ${l}`));
        rmSync(images.repoDir, { recursive: true, force: true });
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    },
  ],
];

const times: { step: string; seconds: number }[] = [];
for (const [name, run] of steps) {
  const s0 = Date.now();
  say(`${name}…`);
  try {
    await run();
  } catch (e) {
    say(`${name} FAILED after ${((Date.now() - s0) / 1000).toFixed(0)} s: ${(e as Error).message}`);
    process.exit(1);
  }
  times.push({ step: name, seconds: (Date.now() - s0) / 1000 });
  say(`${name}: done in ${((Date.now() - s0) / 1000).toFixed(0)} s`);
}
const total = (Date.now() - t0) / 1000;
mkdirSync(nodeCacheRoot(), { recursive: true });
writeFileSync(
  join(nodeCacheRoot(), 'prepare.json'),
  JSON.stringify(
    {
      at: new Date().toISOString(),
      seconds: total,
      loadAtEnd: loadavg()
        .map((x) => x.toFixed(2))
        .join(' '),
      steps: times,
    },
    null,
    2,
  ) + '\n',
);
say(
  `prepared in ${total.toFixed(0)} s (load average ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')})`,
);

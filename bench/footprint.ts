// Package footprint: what `npm create go-k8s-service` downloads and installs. The packed
// tarball (npm pack), its unpacked size, the packages an install of it brings (installed
// offline into clean prefixes), install scripts, and install time next to create-vite's.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { installTarball, pack, type PackJson } from './lib/package.js';
import { CREATE_VITE_VERSION } from './lib/tools.js';
import { CACHE_DIR, freshTempDir, removeDir, ROOT, say, seededRandom, shuffle, summarize, treeBytes, type Summary } from './lib/util.js';

export interface InstallFacts {
  packages: number;
  packageNames: string[];
  installedBytes: number;
  installScripts: string[];
  timeMs: Summary;
}

export interface FootprintResult {
  tarball: { file: string; packedBytes: number; unpackedBytes: number; entries: number };
  dependencies: Record<string, string>;
  bundledFiles: { path: string; bytes: number }[];
  ours: InstallFacts;
  createVite?: InstallFacts & { packedBytes: number; unpackedBytes: number };
  notes: string[];
}

function installedFacts(prefix: string): Omit<InstallFacts, 'timeMs'> {
  const lock = JSON.parse(readFileSync(join(prefix, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { hasInstallScript?: boolean; name?: string }>;
  };
  const entries = Object.entries(lock.packages).filter(([k]) => k !== '');
  const names = entries.map(([k]) => k.replace(/^.*node_modules\//, ''));
  const installScripts: string[] = [];
  for (const [k, v] of entries) {
    const pj = join(prefix, k, 'package.json');
    const scripts = existsSync(pj) ? ((JSON.parse(readFileSync(pj, 'utf8')) as { scripts?: Record<string, string> }).scripts ?? {}) : {};
    const hooks = ['preinstall', 'install', 'postinstall'].filter((h) => h in scripts);
    if (v.hasInstallScript || hooks.length || existsSync(join(prefix, k, 'binding.gyp'))) {
      installScripts.push(`${k.replace(/^.*node_modules\//, '')}: ${hooks.join(', ') || 'binding.gyp'}`);
    }
  }
  return { packages: entries.length, packageNames: names.sort(), installedBytes: treeBytes(join(prefix, 'node_modules')), installScripts };
}

export function benchFootprint(opts: { installRuns: number }): FootprintResult {
  const notes: string[] = [];
  const work = freshTempDir('footprint');
  try {
    say('footprint: npm pack (scripts ignored: the bundle was just built by npm run bench)');
    const packDir = join(work, 'pack');
    mkdirSync(packDir);
    const p = pack(['--ignore-scripts', '--pack-destination', packDir], ROOT);
    const tarball = join(packDir, p.filename);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };

    let vite: { tarball: string; packed: PackJson } | undefined;
    try {
      // Packed from its installed copy in the bench cache (loadCreateVite put it there).
      const dir = join(CACHE_DIR, 'npm', 'node_modules', 'create-vite');
      const version = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
      if (version !== CREATE_VITE_VERSION) throw new Error(`create-vite ${version} in the bench cache, expected ${CREATE_VITE_VERSION}`);
      const packed = pack(['--ignore-scripts', '--pack-destination', packDir, dir], packDir);
      vite = { tarball: join(packDir, packed.filename), packed };
    } catch (err) {
      notes.push(`create-vite install comparison skipped: ${(err as Error).message.split('\n')[0]}`);
    }

    const cases = [{ id: 'ours', tarball }, ...(vite ? [{ id: 'create-vite', tarball: vite.tarball }] : [])];
    const times: Record<string, number[]> = { ours: [], 'create-vite': [] };
    const facts: Record<string, Omit<InstallFacts, 'timeMs'>> = {};
    const rnd = seededRandom(7);
    say(`footprint: ${opts.installRuns} offline installs of each tarball into clean prefixes (interleaved)`);
    for (let i = 0; i < opts.installRuns + 1; i++) {
      for (const c of shuffle(cases, rnd)) {
        const prefix = join(work, `prefix-${c.id}-${i}`);
        mkdirSync(prefix);
        const t0 = process.hrtime.bigint();
        installTarball(c.tarball, prefix);
        const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        if (i > 0) times[c.id]!.push(ms); // the first round warms npm's own start-up and cache
        facts[c.id] ??= installedFacts(prefix);
        removeDir(prefix);
      }
    }
    const ours = { ...facts.ours!, timeMs: summarize(times.ours!) };
    const createVite = vite
      ? {
          ...facts['create-vite']!,
          timeMs: summarize(times['create-vite']!),
          packedBytes: vite.packed.size,
          unpackedBytes: vite.packed.unpackedSize,
        }
      : undefined;
    return {
      tarball: { file: p.filename, packedBytes: p.size, unpackedBytes: p.unpackedSize, entries: p.entryCount },
      dependencies: pkg.dependencies ?? {},
      bundledFiles: p.files.map((f) => ({ path: f.path, bytes: f.size })).sort((a, b) => b.bytes - a.bytes),
      ours,
      createVite,
      notes,
    };
  } finally {
    removeDir(work);
  }
}

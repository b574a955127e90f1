// Fetches an npm package (a preset) with the npm client the user already has: `npm pack`
// downloads the tarball with their registry and credentials (.npmrc), tar unpacks it.
// An exact version (name@1.2.3) cannot change once published, so it is fetched once: kept for
// the process (a fleet check loads the same preset for every repo) and in the private cache
// (<cache>/presets/<name>@<version>/package), so later runs need no registry.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { privateCacheDir } from './cache-dir.js';

const EXACT = /^(?:@[a-z0-9][\w.~-]*\/)?[a-z0-9][\w.~-]*@\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/;
const fetched = new Map<string, string>();
const scratch: string[] = [];

/** Where an exact `name@version` lives in the private cache; undefined for other specs or no cache. */
function cachePlace(spec: string, env: NodeJS.ProcessEnv): string | undefined {
  const cache = EXACT.test(spec) ? privateCacheDir('presets', env) : undefined;
  return cache && join(cache, spec.replace('/', '+'));
}

const complete = (place: string) => existsSync(join(place, 'package', 'package.json'));

/**
 * Fills a folder beside `place` and renames it into place, so a concurrent run never sees half a
 * package; a run that lost the race to another uses the other's. Returns the package folder.
 */
function intoCache(place: string, fill: (work: string) => void): string {
  const work = mkdtempSync(join(dirname(place), '.fill-'));
  try {
    fill(work);
    renameSync(work, place);
  } catch (err) {
    rmSync(work, { recursive: true, force: true });
    if (!complete(place)) throw err;
  }
  return join(place, 'package');
}

/** Downloads and unpacks the package `spec` (name, name@version, a tarball path); returns its folder. */
export function fetchPackage(spec: string, env: NodeJS.ProcessEnv = process.env): string {
  const known = fetched.get(spec);
  if (known) return known;
  const place = cachePlace(spec, env);
  if (place && complete(place)) return remember(spec, join(place, 'package'));
  if (place) return remember(spec, intoCache(place, (work) => unpack(spec, work)));
  // Not cacheable (a range, a tag, a tarball path): unpacked for this run only.
  const work = mkdtempSync(join(tmpdir(), 'cgks-package-'));
  scratch.push(work);
  unpack(spec, work);
  return remember(spec, join(work, 'package'));
}

/**
 * Puts an unpacked package (from a tarball) into the cache as `name@version`, as if downloaded,
 * unless that version is there already. Best effort: a cache that cannot be written costs only
 * a download later.
 */
export function seedPackageCache(spec: string, dir: string, env: NodeJS.ProcessEnv = process.env): void {
  try {
    const place = cachePlace(spec, env);
    if (place && !complete(place)) intoCache(place, (work) => cpSync(dir, join(work, 'package'), { recursive: true, verbatimSymlinks: true }));
  } catch {
    // An unwritable cache is not an error here.
  }
}

function remember(spec: string, dir: string): string {
  fetched.set(spec, dir);
  return dir;
}

// Packages outside the cache are needed until the command ends, not after.
process.once('exit', () => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

function unpack(spec: string, dir: string): void {
  const win = process.platform === 'win32';
  const pack = spawnSync(win ? 'npm.cmd' : 'npm', ['pack', spec, '--json', '--ignore-scripts', '--pack-destination', dir], {
    cwd: dir,
    encoding: 'utf8',
    shell: win,
    timeout: 120_000,
  });
  if (pack.error) throw new Error(`cannot run npm to fetch it: ${pack.error.message}`);
  if (pack.status !== 0) {
    const why = (pack.stderr ?? '').split('\n').find((l) => /npm (error|ERR!) (?!code)/.test(l)) ?? `npm pack exited with ${pack.status}`;
    throw new Error(`cannot fetch it: ${why.replace(/^npm (error|ERR!) /, '')}`);
  }
  const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'));
  if (!tarball) throw new Error('npm pack wrote no tarball');
  const untar = spawnSync('tar', ['-xzf', tarball], { cwd: dir, encoding: 'utf8' });
  if (untar.status !== 0) throw new Error(`cannot unpack ${tarball}: ${untar.stderr || untar.error?.message}`);
  rmSync(join(dir, tarball));
  // npm tarballs hold one folder, `package/`.
}

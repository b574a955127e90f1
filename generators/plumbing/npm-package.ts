// The one way an npm package gets onto this machine (a preset, or another release of this
// generator for update's merge bases): `npm pack` with the npm client the user already has (their
// registry and credentials, .npmrc), or a tarball file as it is; tar unpacks it. An exact version
// cannot change once published, so a caller that names one gets it kept in a private cache
// (cache-dir.ts: <cache>/<kind>/<key>/package); anything else is unpacked for this run only.
// Synchronous: preset loading is, and npm's own run dwarfs what a worker would save.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { privateCachePlace } from './cache-dir.js';
import { CommandFailed } from './errors.js';

/** The package cannot be had (not there, unreachable, not what was asked for): the message is one line. */
export class PackageUnavailable extends CommandFailed {}

/** Where a package comes from: npm (a spec npm pack takes, and a registry URL or npm's own), or a tarball file. */
export type PackageOrigin = { npm: string; registry?: string } | { tarball: string };

export interface FetchOptions {
  /** Names the package in messages: "create-go-k8s-service 0.1.0", or "it" after the caller's own prefix. */
  what: string;
  /** Where it comes from, in messages ("the registry http://…"); left out when the origin says it. */
  from?: string;
  /** The private cache's kind and key, for an exact version; none: unpacked for this run only. */
  cache?: { kind: string; key: string };
  /** The name and version the unpacked package.json must hold. */
  expect?: { name: string; version: string };
  env?: NodeJS.ProcessEnv;
}

const fetched = new Map<string, string>();
const scratch: string[] = [];

const complete = (place: string) => existsSync(join(place, 'package', 'package.json'));

/** Downloads (or finds in the cache) and unpacks a package; returns its folder. PackageUnavailable when it cannot. */
export function fetchPackage(origin: PackageOrigin, opts: FetchOptions): string {
  // A fleet run asks for the same package once per repo: once per process is enough.
  const memo = JSON.stringify([origin, opts.cache, opts.expect]);
  const known = fetched.get(memo);
  if (known) return known;
  const place = opts.cache && privateCachePlace(opts.cache.kind, opts.cache.key, opts.env ?? process.env);
  let dir: string;
  if (place && complete(place)) dir = join(place, 'package');
  else if (place) dir = intoCache(place, (work) => unpack(origin, work, opts));
  else {
    const work = mkdtempSync(join(tmpdir(), 'cgks-package-'));
    scratch.push(work);
    unpack(origin, work, opts);
    dir = join(work, 'package');
  }
  fetched.set(memo, dir);
  return dir;
}

/**
 * Puts an unpacked package into the cache, as if fetched, unless that key is there already.
 * Best effort: a cache that cannot be written costs only a download later.
 */
export function seedPackage(cache: { kind: string; key: string }, dir: string, env: NodeJS.ProcessEnv = process.env): void {
  try {
    const place = privateCachePlace(cache.kind, cache.key, env);
    if (place && !complete(place))
      intoCache(place, (work) => cpSync(dir, join(work, 'package'), { recursive: true, verbatimSymlinks: true }));
  } catch {
    // An unwritable cache is not an error here.
  }
}

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

// Packages outside the cache are needed until the command ends, not after.
process.once('exit', () => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

const fromWhere = (opts: FetchOptions) => (opts.from ? ` from ${opts.from}` : '');

/** Unpacks the package into work/package (npm tarballs hold one folder, `package/`). */
function unpack(origin: PackageOrigin, work: string, opts: FetchOptions): void {
  let tarball: string;
  if ('tarball' in origin) {
    tarball = origin.tarball;
    if (!existsSync(tarball))
      throw new PackageUnavailable(`${opts.what} is not in ${opts.from ?? dirname(tarball)} (no ${basename(tarball)})`);
  } else {
    npm(
      ['pack', origin.npm, '--ignore-scripts', '--pack-destination', work],
      origin.registry,
      `cannot fetch ${opts.what}${fromWhere(opts)}`,
      work,
    );
    const tgz = readdirSync(work).find((f) => f.endsWith('.tgz'));
    if (!tgz) throw new PackageUnavailable(`cannot fetch ${opts.what}${fromWhere(opts)}: npm pack wrote no tarball`);
    tarball = join(work, tgz);
  }
  const untar = spawnSync('tar', ['-xzf', tarball, '-C', work], { encoding: 'utf8' });
  if ('npm' in origin) rmSync(tarball, { force: true });
  const pkgFile = join(work, 'package', 'package.json');
  const found = existsSync(pkgFile) ? (JSON.parse(readFileSync(pkgFile, 'utf8')) as { name?: unknown; version?: unknown }) : undefined;
  const wrong = opts.expect && (found?.name !== opts.expect.name || found.version !== opts.expect.version);
  if (untar.status !== 0 || !found || wrong) {
    const why =
      untar.status !== 0
        ? `tar: ${(untar.stderr || untar.error?.message || '').trim().split('\n')[0]}`
        : `it holds ${found ? `${String(found.name)}@${String(found.version)}` : 'no package.json'}`;
    throw new PackageUnavailable(`${opts.what}${fromWhere(opts)} is not a usable package (${why})`);
  }
}

/** npm's flags for a fetch: the registry, and few quick retries (a fleet run must not hang on a dead registry). */
function npmFlags(registry: string | undefined): string[] {
  return [
    '--loglevel=error',
    '--fetch-retries=1',
    '--fetch-retry-mintimeout=1000',
    '--fetch-retry-maxtimeout=2000',
    '--fetch-timeout=30000',
    ...(registry ? ['--registry', registry] : []),
  ];
}

/** Why npm failed, in a few words: its error code, else its first error line. */
function npmReason(stderr: string): string {
  const code = /^npm (?:error|ERR!) code (\S+)/m.exec(stderr)?.[1];
  if (code === 'E404' || code === 'ETARGET') return 'no such package or version';
  if (code && /^(ECONNREFUSED|ENOTFOUND|ETIMEDOUT|EAI_AGAIN|ECONNRESET|EHOSTUNREACH|ENETUNREACH)$/.test(code))
    return `cannot be reached (${code})`;
  const line = /^npm (?:error|ERR!) (?!code )(.+)$/m.exec(stderr)?.[1];
  return code ? `${code}${line ? `: ${line}` : ''}` : (line ?? (stderr.trim().split('\n')[0] || 'npm failed'));
}

/** Runs npm (pack, view) in `cwd`; its stdout, or PackageUnavailable "<failure>: <why>". */
export function npm(args: string[], registry: string | undefined, failure: string, cwd?: string): string {
  const win = process.platform === 'win32';
  const r = spawnSync(win ? 'npm.cmd' : 'npm', [...args, ...npmFlags(registry)], {
    cwd,
    encoding: 'utf8',
    shell: win,
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 120_000,
  });
  if (r.error || r.status !== 0) {
    const code = (r.error as NodeJS.ErrnoException | undefined)?.code;
    const why = code === 'ENOENT' ? 'npm is not installed' : r.error ? r.error.message : npmReason(r.stderr ?? '');
    throw new PackageUnavailable(`${failure}: ${why}`);
  }
  return r.stdout;
}

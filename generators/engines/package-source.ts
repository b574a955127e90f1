// Where the published releases of this package come from: a directory of `npm pack` tarballs, or
// an npm registry (GO_K8S_SERVICE_PACKAGES or --packages; by default npm's configured registry).
// update fetches the recorded release to rebuild a merge base; outdated asks for the newest.
// Fetched packages are extracted once into the cache (<cache>/packages/<version>/package).
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { privateCacheDir } from '../plumbing/cache-dir.js';
import { compareVersions, GENERATOR_NAME } from '../model/record.js';

export const PACKAGES_ENV = 'GO_K8S_SERVICE_PACKAGES';

export type PackageSource = { kind: 'directory'; dir: string } | { kind: 'registry'; url?: string };

/** A release cannot be had from the source (not there, unreachable): the message is one line. */
export class PackageUnavailable extends Error {}

/** --packages wins over GO_K8S_SERVICE_PACKAGES; an http(s) URL is a registry, anything else a directory. */
export function packageSource(flag: string | undefined, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): PackageSource {
  const value = flag ?? env[PACKAGES_ENV];
  if (!value) return { kind: 'registry' };
  if (/^https?:\/\//i.test(value)) return { kind: 'registry', url: value };
  return { kind: 'directory', dir: resolve(cwd, value) };
}

export function describeSource(source: PackageSource): string {
  if (source.kind === 'directory') return `the directory ${source.dir}`;
  return source.url ? `the registry ${source.url}` : "npm's configured registry";
}

const VERSION = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;
const tarballName = (version: string) => `${GENERATOR_NAME}-${version}.tgz`;

/** The extracted package of `version` (its CLI is dist/cli.cjs in it), from the cache or fetched into it. */
export async function fetchPackage(version: string, source: PackageSource, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (!VERSION.test(version)) throw new PackageUnavailable(`${GENERATOR_NAME} ${JSON.stringify(version)} is not a version that can be fetched`);
  // A cached package is code that will run: only from a directory nobody else can write to.
  const root = privateCacheDir('packages', env) ?? mkdtempSync(join(tmpdir(), `${GENERATOR_NAME}-packages-`));
  const dir = join(root, version);
  const complete = (d: string) => existsSync(join(d, 'package', 'package.json'));
  if (complete(dir)) return join(dir, 'package');
  // Extracted beside and renamed into place: a concurrent run never sees half a package.
  const work = mkdtempSync(join(root, `.${version}-`));
  try {
    const tarball = source.kind === 'directory' ? inDirectory(version, source.dir) : await npmPack(version, source, work);
    await extract(tarball, work, version, source);
    try {
      renameSync(work, dir);
    } catch (err) {
      if (!complete(dir)) throw err; // else another run put it there first
    }
    return join(dir, 'package');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function inDirectory(version: string, dir: string): string {
  const file = join(dir, tarballName(version));
  if (!existsSync(file)) throw new PackageUnavailable(`${GENERATOR_NAME} ${version} is not in ${describeSource({ kind: 'directory', dir })} (no ${tarballName(version)})`);
  return file;
}

/** npm's flags for a lookup: the source's registry, and few quick retries (a fleet run must not hang on a dead registry). */
function npmFlags(source: PackageSource): string[] {
  return ['--loglevel=error', '--fetch-retries=1', '--fetch-retry-mintimeout=1000', '--fetch-retry-maxtimeout=2000', '--fetch-timeout=30000', ...(source.kind === 'registry' && source.url ? ['--registry', source.url] : [])];
}

/** Why npm failed, in a few words: its error code, else its first error line. */
function npmReason(stderr: string): string {
  const code = /^npm (?:error|ERR!) code (\S+)/m.exec(stderr)?.[1];
  if (code === 'E404' || code === 'ETARGET') return 'no such package or version';
  if (code && /^(ECONNREFUSED|ENOTFOUND|ETIMEDOUT|EAI_AGAIN|ECONNRESET|EHOSTUNREACH|ENETUNREACH)$/.test(code)) return `cannot be reached (${code})`;
  const line = /^npm (?:error|ERR!) (?!code )(.+)$/m.exec(stderr)?.[1];
  return code ? `${code}${line ? `: ${line}` : ''}` : (line ?? (stderr.trim().split('\n')[0] || 'npm failed'));
}

async function npm(args: string[], source: PackageSource, what: string): Promise<string> {
  const { execa } = await import('execa');
  const r = await execa('npm', [...args, ...npmFlags(source)], { reject: false, stdin: 'ignore' });
  if (r.exitCode !== 0) {
    const why = (r as { code?: string }).code === 'ENOENT' ? 'npm is not installed' : npmReason(String(r.stderr));
    throw new PackageUnavailable(`${what} could not be fetched from ${describeSource(source)}: ${why}`);
  }
  return String(r.stdout);
}

async function npmPack(version: string, source: PackageSource, into: string): Promise<string> {
  await npm(['pack', `${GENERATOR_NAME}@${version}`, '--pack-destination', into], source, `${GENERATOR_NAME} ${version}`);
  const tgz = readdirSync(into).find((f) => f.endsWith('.tgz'));
  if (!tgz) throw new PackageUnavailable(`${GENERATOR_NAME} ${version}: npm pack wrote no tarball from ${describeSource(source)}`);
  return join(into, tgz);
}

async function extract(tarball: string, into: string, version: string, source: PackageSource): Promise<void> {
  const { execa } = await import('execa');
  const r = await execa('tar', ['-xzf', tarball, '-C', into], { reject: false, stdin: 'ignore' });
  const pkg = join(into, 'package', 'package.json');
  const found = existsSync(pkg) ? (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string; version?: string }) : undefined;
  if (r.exitCode !== 0 || found?.name !== GENERATOR_NAME || found.version !== version) {
    const what = r.exitCode !== 0 ? `tar: ${String(r.stderr).trim().split('\n')[0]}` : `it holds ${found ? `${found.name}@${found.version}` : 'no package.json'}`;
    throw new PackageUnavailable(`${GENERATOR_NAME} ${version} from ${describeSource(source)} is not a usable package (${what})`);
  }
}

/** The newest release the source has: the highest tarball version in a directory, the registry's latest tag. */
export async function latestVersion(source: PackageSource): Promise<string> {
  if (source.kind === 'directory') {
    let names: string[];
    try {
      names = readdirSync(source.dir);
    } catch {
      throw new PackageUnavailable(`${describeSource(source)} cannot be read`);
    }
    const prefix = `${GENERATOR_NAME}-`;
    const versions = names.filter((n) => n.startsWith(prefix) && n.endsWith('.tgz')).map((n) => n.slice(prefix.length, -'.tgz'.length)).filter((v) => VERSION.test(v));
    if (versions.length === 0) throw new PackageUnavailable(`${describeSource(source)} holds no ${tarballName('<version>')}`);
    return versions.sort(compareVersions).at(-1)!;
  }
  const out = await npm(['view', `${GENERATOR_NAME}@latest`, 'version', '--json'], source, `the newest ${GENERATOR_NAME}`);
  let version: unknown;
  try {
    version = JSON.parse(out);
  } catch {
    version = undefined;
  }
  if (typeof version !== 'string' || !VERSION.test(version)) throw new PackageUnavailable(`${describeSource(source)} named no version of ${GENERATOR_NAME} (npm view printed ${JSON.stringify(out.slice(0, 80))})`);
  return version;
}

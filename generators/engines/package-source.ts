// Where the published releases of this package come from: a directory of `npm pack` tarballs, or
// an npm registry (GO_K8S_SERVICE_PACKAGES or --packages; by default npm's configured registry).
// update fetches the recorded release to rebuild a merge base; outdated asks for the newest.
// Fetched through plumbing/npm-package.ts, kept in its cache as <cache>/packages/<version>/package.
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fetchPackage as fetchNpmPackage, npm, PackageUnavailable } from '../plumbing/npm-package.js';
import { compareVersions, GENERATOR_NAME } from '../model/record.js';

export { PackageUnavailable };

export const PACKAGES_ENV = 'GO_K8S_SERVICE_PACKAGES';

export type PackageSource = { kind: 'directory'; dir: string } | { kind: 'registry'; url?: string };

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
export function fetchRelease(version: string, source: PackageSource, env: NodeJS.ProcessEnv = process.env): string {
  if (!VERSION.test(version))
    throw new PackageUnavailable(`${GENERATOR_NAME} ${JSON.stringify(version)} is not a version that can be fetched`);
  const what = `${GENERATOR_NAME} ${version}`;
  const opts = {
    what,
    from: describeSource(source),
    cache: { kind: 'packages', key: version },
    expect: { name: GENERATOR_NAME, version },
    env,
  };
  if (source.kind === 'registry') return fetchNpmPackage({ npm: `${GENERATOR_NAME}@${version}`, registry: source.url }, opts);
  return fetchNpmPackage({ tarball: join(source.dir, tarballName(version)) }, opts);
}

/** The newest release the source has: the highest tarball version in a directory, the registry's latest tag. */
export function latestVersion(source: PackageSource): string {
  if (source.kind === 'directory') {
    let names: string[];
    try {
      names = readdirSync(source.dir);
    } catch {
      throw new PackageUnavailable(`${describeSource(source)} cannot be read`);
    }
    const prefix = `${GENERATOR_NAME}-`;
    const versions = names
      .filter((n) => n.startsWith(prefix) && n.endsWith('.tgz'))
      .map((n) => n.slice(prefix.length, -'.tgz'.length))
      .filter((v) => VERSION.test(v));
    if (versions.length === 0) throw new PackageUnavailable(`${describeSource(source)} holds no ${tarballName('<version>')}`);
    return versions.sort(compareVersions).at(-1)!;
  }
  const out = npm(
    ['view', `${GENERATOR_NAME}@latest`, 'version', '--json'],
    source.url,
    `cannot fetch the newest ${GENERATOR_NAME} from ${describeSource(source)}`,
  );
  let version: unknown;
  try {
    version = JSON.parse(out);
  } catch {
    version = undefined;
  }
  if (typeof version !== 'string' || !VERSION.test(version))
    throw new PackageUnavailable(
      `${describeSource(source)} named no version of ${GENERATOR_NAME} (npm view printed ${JSON.stringify(out.slice(0, 80))})`,
    );
  return version;
}

// Fetches an npm package (a preset) with the npm client the user already has: `npm pack`
// downloads the tarball with their registry and credentials (.npmrc), tar unpacks it.
// One function, so a shared package fetcher can take its place.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Downloads and unpacks the package `spec` (name, name@version, a tarball path); returns its folder. */
export function fetchPackage(spec: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'cgks-package-'));
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
  // npm tarballs hold one folder, `package/`.
  return join(dir, 'package');
}

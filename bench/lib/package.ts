// The package as users get it: `npm pack` of the repo, installed offline into a clean prefix.
// Generation is timed from that installed copy, because a checkout behaves differently:
// bundled code that probes for optional packages (fdir's `require.resolve('picomatch')`)
// finds the repo's devDependencies in a checkout, and nothing in an installed package.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, run } from './util.js';

export const npmEnv = { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };

export interface PackJson {
  filename: string;
  size: number;
  unpackedSize: number;
  entryCount: number;
  files: { path: string; size: number }[];
}

export function pack(args: string[], cwd: string): PackJson {
  const r = run('npm', ['pack', '--json', '--loglevel=error', ...args], { cwd, env: npmEnv });
  const json = JSON.parse(r.stdout.slice(r.stdout.indexOf('['))) as PackJson[];
  return json[0]!;
}

export function installTarball(tarball: string, prefix: string): void {
  mkdirSync(prefix, { recursive: true });
  run('npm', ['install', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', '--loglevel=error', tarball], {
    cwd: prefix,
    env: npmEnv,
  });
}

/** Packs the repo (the bundle must be built) and installs it under dir; returns the installed bin. */
export function installedPackage(dir: string): { tarball: string; pack: PackJson; prefix: string; cli: string } {
  const packDir = join(dir, 'pack');
  mkdirSync(packDir, { recursive: true });
  const p = pack(['--ignore-scripts', '--pack-destination', packDir], ROOT);
  const tarball = join(packDir, p.filename);
  const prefix = join(dir, 'prefix');
  installTarball(tarball, prefix);
  return { tarball, pack: p, prefix, cli: join(prefix, 'node_modules', 'create-go-k8s-service', 'dist', 'cli.cjs') };
}

// This package as released tarballs, for tests of other generator versions without a registry:
// a released commit (git archive, npm ci, npm pack: what its release published; cached by commit,
// as it never changes), and this tree built with another version number (and template changes),
// playing a newer release.
import { execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const PACKAGE = 'create-go-k8s-service';
/** The commit of the release 0.1.0. */
export const RELEASE_0_1_0 = '23a68ef';

const cacheHome = () =>
  process.env.XDG_CACHE_HOME && isAbsolute(process.env.XDG_CACHE_HOME) ? process.env.XDG_CACHE_HOME : join(homedir(), '.cache');

const run = (cmd: string, args: string[], cwd: string) =>
  execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', maxBuffer: 1 << 28 });

/** The one .tgz in dir. */
function tarballIn(dir: string): string {
  const tgz = readdirSync(dir).filter((f) => f.endsWith('.tgz'));
  if (tgz.length !== 1) throw new Error(`expected one tarball in ${dir}, found ${tgz.join(', ') || 'none'}`);
  return join(dir, tgz[0]!);
}

/** The tarball a released commit's `npm pack` makes; built once per commit (≈20 s), then cached. */
export function releasedTarball(commit: string = RELEASE_0_1_0): string {
  let full: string;
  try {
    full = run('git', ['rev-parse', '--verify', '--quiet', `${commit}^{commit}`], ROOT).trim();
  } catch {
    throw new Error(
      `commit ${commit} is not in this clone (a shallow one?): the released tarball is built from it; fetch the history (git fetch --unshallow)`,
    );
  }
  const dir = join(cacheHome(), PACKAGE, 'test-packages', full);
  if (existsSync(dir)) return tarballIn(dir);
  // Test files starting together build it once: the others wait for the first (a lock older than 10 min is stale).
  const lock = `${dir}.lock`;
  mkdirSync(join(cacheHome(), PACKAGE, 'test-packages'), { recursive: true });
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (existsSync(dir)) return tarballIn(dir);
      const since = statSync(lock, { throwIfNoEntry: false })?.mtimeMs;
      if (since !== undefined && Date.now() - since > 600_000) rmSync(lock, { recursive: true, force: true });
      else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
    }
  }
  try {
    return existsSync(dir) ? tarballIn(dir) : buildRelease(full, dir);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function buildRelease(full: string, dir: string): string {
  const work = mkdtempSync(join(tmpdir(), 'cgks-release-'));
  try {
    const src = join(work, 'src');
    mkdirSync(src);
    execFileSync('sh', ['-c', `git -C "$1" archive "$2" | tar -x -C "$3"`, 'sh', ROOT, full, src]);
    run('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], src);
    const out = join(work, 'out');
    mkdirSync(out);
    // Its prepare (or prepack) script builds dist/, as when it was published.
    run('npm', ['pack', '--loglevel=error', '--pack-destination', out], src);
    try {
      renameSync(out, dir);
    } catch (err) {
      if (!existsSync(dir)) throw err; // else another test file built it meanwhile
    }
    return tarballIn(dir);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * This tree (its working files, built) as the tarball of release `version`: `change` edits
 * templates (path relative to templates/ → new text), `changelog` goes on top of CHANGELOG.md's entries.
 */
export function thisTreeTarball(
  version: string,
  opts: { change?: (path: string, text: string) => string; changelog?: string } = {},
): string {
  const work = mkdtempSync(join(tmpdir(), 'cgks-tree-'));
  for (const e of [
    'bin',
    'generators',
    'scripts',
    'schema',
    'templates',
    'tsconfig.json',
    'README.md',
    'LICENSE',
    'CHANGELOG.md',
    'package.json',
  ]) {
    cpSync(join(ROOT, e), join(work, e), { recursive: true });
  }
  symlinkSync(join(ROOT, 'node_modules'), join(work, 'node_modules'), 'dir');
  const pkg = JSON.parse(readFileSync(join(work, 'package.json'), 'utf8')) as { version: string };
  pkg.version = version;
  writeFileSync(join(work, 'package.json'), JSON.stringify(pkg, null, 2) + '\n');
  if (opts.change) {
    const walk = (d: string, rel: string): void => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const r = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory()) walk(join(d, e.name), r);
        else {
          const text = readFileSync(join(d, e.name), 'utf8');
          const changed = opts.change!(r, text);
          if (changed !== text) writeFileSync(join(d, e.name), changed);
        }
      }
    };
    walk(join(work, 'templates'), '');
  }
  if (opts.changelog) {
    const log = readFileSync(join(work, 'CHANGELOG.md'), 'utf8');
    const at = log.indexOf('\n## ');
    writeFileSync(join(work, 'CHANGELOG.md'), `${log.slice(0, at + 1)}${opts.changelog.trim()}\n\n${log.slice(at + 1)}`);
  }
  run(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'scripts/build.ts'], work);
  const out = join(work, 'out');
  mkdirSync(out);
  run('npm', ['pack', '--ignore-scripts', '--loglevel=error', '--pack-destination', out], work);
  return tarballIn(out);
}

/** A directory of tarballs, as GO_K8S_SERVICE_PACKAGES names one. */
export function packagesDir(tarballs: readonly string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'cgks-packages-'));
  for (const t of tarballs) cpSync(t, join(dir, t.slice(t.lastIndexOf('/') + 1)));
  return dir;
}

/** A tarball's package, extracted: its CLI is <dir>/package/dist/cli.cjs. */
export function extracted(tarball: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'cgks-pkg-'));
  run('tar', ['-xzf', tarball, '-C', dir], dir);
  return join(dir, 'package');
}

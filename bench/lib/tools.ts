// Benchmark-only tools, provisioned on demand and never into the repo's node_modules:
//   wrk            Debian package, pinned (apt-get, as root); else hey via `go install`, pinned
//   create-vite    npm package, pinned, into $CACHE_DIR/npm (a private prefix)
//   helm           scripts/install-tools.sh helm (the test suite's pinned helm)
//   plop           the repo's own devDependency (node_modules/plop), never installed here
// Every install is announced on stderr and recorded for the report.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CACHE_DIR, ROOT, TOOLS_BIN, run, say, which } from './util.js';

export const WRK_DEB_VERSION = '4.1.0-3+b2'; // Debian 12 (bookworm)
export const HEY_MODULE = 'github.com/rakyll/hey@v0.1.4';
export const CREATE_VITE_VERSION = '9.3.0';

export interface Tool {
  name: string;
  path: string;
  version: string;
  /** How it got here: 'found', or what this run installed. */
  provenance: string;
}

export const installed: string[] = [];

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

export function loadGenerator(): { kind: 'wrk' | 'hey'; tool: Tool } {
  const found = which('wrk');
  if (found) {
    return { kind: 'wrk', tool: { name: 'wrk', path: found, version: debVersion('wrk'), provenance: 'found on PATH' } };
  }
  if (isRoot() && which('apt-get')) {
    say(`installing wrk ${WRK_DEB_VERSION} with apt-get (benchmark-only load generator)`);
    run('apt-get', ['update', '-qq'], { allowFail: true, stdio: 'ignore' });
    let r = run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', `wrk=${WRK_DEB_VERSION}`], {
      allowFail: true,
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    if (r.code !== 0) {
      say(`wrk=${WRK_DEB_VERSION} is not available here; installing the distribution's wrk`);
      r = run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'wrk'], {
        allowFail: true,
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      });
    }
    const path = which('wrk');
    if (r.code === 0 && path) {
      const version = debVersion('wrk');
      installed.push(`wrk ${version} (apt-get install wrk)`);
      return { kind: 'wrk', tool: { name: 'wrk', path, version, provenance: `installed by this run (apt-get, Debian ${version})` } };
    }
  }
  const gobin = join(CACHE_DIR, 'bin');
  const hey = join(gobin, 'hey');
  if (!existsSync(hey)) {
    say(`wrk unavailable: installing ${HEY_MODULE} with go install into ${gobin}`);
    mkdirSync(gobin, { recursive: true });
    run('go', ['install', HEY_MODULE], { env: { ...process.env, GOBIN: gobin, GOTOOLCHAIN: 'local' } });
    installed.push(`hey (go install ${HEY_MODULE})`);
  }
  return { kind: 'hey', tool: { name: 'hey', path: hey, version: HEY_MODULE.split('@')[1]!, provenance: `go install ${HEY_MODULE}` } };
}

function debVersion(pkg: string): string {
  const r = run('dpkg-query', ['-W', '-f=${Version}', pkg], { allowFail: true });
  return r.code === 0 && r.stdout ? r.stdout : 'unknown';
}

/** create-vite, pinned, in a private npm prefix under the bench cache. */
export function loadCreateVite(): Tool {
  const prefix = join(CACHE_DIR, 'npm');
  const pkgJson = join(prefix, 'node_modules', 'create-vite', 'package.json');
  const current = existsSync(pkgJson) ? (JSON.parse(readFileSync(pkgJson, 'utf8')) as { version: string }).version : undefined;
  let provenance = `found in ${prefix}`;
  if (current !== CREATE_VITE_VERSION) {
    say(`installing create-vite@${CREATE_VITE_VERSION} into ${prefix} (benchmark baseline only)`);
    mkdirSync(prefix, { recursive: true });
    run('npm', ['install', '--prefix', prefix, '--no-audit', '--no-fund', '--loglevel=error', `create-vite@${CREATE_VITE_VERSION}`]);
    installed.push(`create-vite@${CREATE_VITE_VERSION} (npm install --prefix ${prefix})`);
    provenance = `installed by this run into ${prefix}`;
  }
  const pkg = JSON.parse(readFileSync(pkgJson, 'utf8')) as { version: string; bin: string | Record<string, string> };
  const bin = typeof pkg.bin === 'string' ? pkg.bin : (pkg.bin['create-vite'] ?? Object.values(pkg.bin)[0]!);
  return { name: 'create-vite', path: join(prefix, 'node_modules', 'create-vite', bin), version: pkg.version, provenance };
}

/** helm from the test suite's tool cache; installed (pinned, ~2 min to build) when missing. */
export function loadHelm(): Tool | undefined {
  const helm = join(TOOLS_BIN, 'helm');
  let provenance = `found in ${TOOLS_BIN}`;
  if (!existsSync(helm)) {
    say('helm missing: running scripts/install-tools.sh helm (pinned; builds with go, about 2 minutes)');
    const r = run('bash', [join(ROOT, 'scripts', 'install-tools.sh'), 'helm'], { allowFail: true, stdio: ['ignore', 'ignore', 'inherit'] });
    if (r.code !== 0 || !existsSync(helm)) return undefined;
    installed.push('helm (scripts/install-tools.sh helm)');
    provenance = 'installed by this run (scripts/install-tools.sh helm)';
  }
  const v = run(helm, ['version', '--short'], { allowFail: true });
  return { name: 'helm', path: helm, version: v.stdout.trim() || 'unknown', provenance };
}

/** plop's own CLI from the repo's devDependency. */
export function loadPlop(): Tool | undefined {
  const dir = join(ROOT, 'node_modules', 'plop');
  if (!existsSync(join(dir, 'package.json'))) return undefined;
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string; bin: string };
  return { name: 'plop', path: join(dir, pkg.bin), version: pkg.version, provenance: "the repo's devDependency (node_modules/plop)" };
}

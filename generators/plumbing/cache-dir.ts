// Where this package keeps caches between runs: $XDG_CACHE_HOME or ~/.cache (%LOCALAPPDATA% on
// Windows), then create-go-k8s-service/. Compiled code (bin/code-cache.ts) and fetched npm
// packages (npm-package.ts: presets, other releases of this generator) live there.
import { lstatSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';

/** The cache root, or undefined when there is no home to put it in. */
export function cacheRoot(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): string | undefined {
  // The XDG spec: a relative path is invalid and to be ignored (it would write into the cwd).
  const absolute = (p: string | undefined) => (p && isAbsolute(p) ? p : undefined);
  let base = absolute(env.XDG_CACHE_HOME) ?? (platform === 'win32' ? absolute(env.LOCALAPPDATA) : undefined);
  if (!base) {
    try {
      base = join(homedir(), '.cache');
    } catch {
      return undefined;
    }
  }
  return join(base, 'create-go-k8s-service');
}

/**
 * <cache root>/<name>, made if missing, when it and the cache root belong to this user and no one
 * else may write to them: what is cached there is code that will run. Else undefined.
 */
export function privateCacheDir(name: string, env: NodeJS.ProcessEnv): string | undefined {
  const root = cacheRoot(env);
  if (!root) return undefined;
  const dir = join(root, name);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch {
    return undefined;
  }
  return privateDir(dir) && privateDir(dirname(dir)) ? dir : undefined;
}

/** A directory of this user that no one else may write to (Windows has no uid: a profile is private). */
function privateDir(dir: string): boolean {
  if (typeof process.getuid !== 'function') return true;
  try {
    const s = lstatSync(dir);
    return s.isDirectory() && s.uid === process.getuid() && (s.mode & 0o022) === 0;
  } catch {
    return false;
  }
}

/**
 * The one layout of cached packages: <cache root>/<kind>/<key>, the unpacked package in its
 * `package/` folder (npm-package.ts). A scoped name's slash becomes '+'. Undefined without a
 * private cache.
 */
export function privateCachePlace(kind: string, key: string, env: NodeJS.ProcessEnv): string | undefined {
  const dir = privateCacheDir(kind, env);
  return dir && join(dir, key.replace('/', '+'));
}

// Where this package keeps caches between runs: $XDG_CACHE_HOME or ~/.cache (%LOCALAPPDATA% on
// Windows), then create-go-k8s-service/. Compiled code (bin/code-cache.ts) and other releases'
// packages (package-source.ts) live there.
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

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

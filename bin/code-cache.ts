// Runs the bundled program through V8's code cache. Compiling the 1.5 MB bundle costs more than
// create's own work, and Node 20 has neither module.enableCompileCache() nor a code cache for ES
// modules, so the program is one CommonJS file run with vm.Script and cachedData. One cache file
// per command (create compiles other functions than regen), written only after a successful run.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';

export type CodeCacheState = 'off' | 'hit' | 'miss' | 'rejected';

/** $XDG_CACHE_HOME or ~/.cache (per user: a cache holds code that will run); undefined when off. */
export function codeCacheDir(env: NodeJS.ProcessEnv): string | undefined {
  // Node's own switch for its compile cache (Node >= 22) turns ours off too.
  if (env.NODE_DISABLE_COMPILE_CACHE) return undefined;
  let base = env.XDG_CACHE_HOME;
  if (!base) {
    try {
      base = join(homedir(), '.cache');
    } catch {
      return undefined;
    }
  }
  return join(base, 'create-go-k8s-service', 'v8');
}

/** The cache a run uses: each command compiles other parts of the program. */
export function cacheCommand(args: readonly string[]): string {
  if (args.some((a) => a === '--help' || a === '-h' || a === '--version' || a === '-v')) return 'help';
  const first = args.find((a) => !a.startsWith('-'));
  return first === 'regen' || first === 'update' || first === 'check' ? first : 'create';
}

/** Runs `program` (a CommonJS file) as Node would, with its compiled code cached under `key`. */
export function runProgram(program: string, key: string, args: readonly string[], env: NodeJS.ProcessEnv): void {
  const dir = codeCacheDir(env);
  const command = cacheCommand(args);
  const file = dir ? join(dir, `${key}-${process.version}-${process.arch}-${command}.bin`) : undefined;
  let cachedData: Buffer | undefined;
  if (file) {
    try {
      cachedData = readFileSync(file);
    } catch {
      // Not there yet.
    }
  }
  const script = new Script(Module.wrap(readFileSync(program, 'utf8')), { filename: program, cachedData });
  const state: CodeCacheState = !file ? 'off' : !cachedData ? 'miss' : script.cachedDataRejected ? 'rejected' : 'hit';
  if (env.CGKS_DEBUG) process.stderr.write(`code cache: ${state}${file ? ` ${file}` : ''}\n`);
  // After the run, so the cache also holds the functions compiled lazily while it ran.
  if (file && state !== 'hit') process.once('exit', (code) => code === 0 && save(file, key, script));
  const mod = new Module(program);
  mod.filename = program;
  const wrapper = script.runInThisContext() as (...a: unknown[]) => void;
  wrapper.call(mod.exports, mod.exports, createRequire(program), mod, program, dirname(program));
}

function save(file: string, key: string, script: Script): void {
  try {
    const dir = dirname(file);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    // Written beside and renamed, so a concurrent run never reads half a file.
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
    renameSync(tmp, file);
    // Caches of other builds are dead weight.
    for (const f of readdirSync(dir)) if (!f.startsWith(key)) rmSync(join(dir, f), { force: true });
  } catch {
    // A cache that cannot be written only makes the next run slower.
  }
}

// Runs the bundled program through V8's code cache. Compiling the bundle costs more than
// create's own work, and Node 20 has neither module.enableCompileCache() nor a code cache for ES
// modules, so the program is one CommonJS file run with vm.Script and cachedData. One cache file
// per command (create compiles other functions than regen), written only after a successful run.
// Node 22+'s own compile cache keeps only what compiles while the program loads, so create is
// 15-29 ms slower with it (bench/FINDINGS.md): this stays for every Node.
//
// A cache is code that will run, so it is read only from a directory this user owns and nobody
// else can write to, and only with our own checksum intact: V8 checks no more than a cache's
// header and source length, and a damaged payload crashes it.
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';
import { cacheRoot } from '../generators/plumbing/cache-dir.js';

export type CodeCacheState = 'off' | 'untrusted' | 'hit' | 'miss' | 'rejected';

const MAGIC = Buffer.from('create-go-k8s-service code cache 1\n');
const DIGEST_BYTES = 32;
/** Caches of other builds are removed once this old (two versions in use keep theirs). */
const STALE_MS = 30 * 24 * 3600_000;

/** $XDG_CACHE_HOME or ~/.cache (%LOCALAPPDATA% on Windows), then create-go-k8s-service/v8; undefined when off. */
function codeCacheDir(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): string | undefined {
  // Node's own switch for its compile cache (Node >= 22) turns ours off too.
  if (env.NODE_DISABLE_COMPILE_CACHE) return undefined;
  const root = cacheRoot(env, platform);
  return root && join(root, 'v8');
}

/** The cache a run uses: each command compiles other parts of the program. */
function cacheCommand(args: readonly string[]): string {
  if (args[0] === 'help' || args[0] === 'version') return 'help';
  if (args.some((a) => a === '--help' || a === '-h' || a === '--version' || a === '-v')) return 'help';
  const first = args.find((a) => !a.startsWith('-'));
  return first === 'regen' || first === 'update' || first === 'check' || first === 'remove' || first === 'outdated' ? first : 'create';
}

/** Whether dir and its parent are directories of this user that no one else may write to. */
function trustedDir(dir: string): boolean {
  // Windows has no uid; a profile's AppData is private to its user.
  if (typeof process.getuid !== 'function') return true;
  const uid = process.getuid();
  return [dir, dirname(dir)].every((d) => {
    try {
      const s = lstatSync(d);
      return s.isDirectory() && s.uid === uid && (s.mode & 0o022) === 0;
    } catch {
      return false;
    }
  });
}

const digest = (data: Uint8Array) => createHash('sha256').update(data).digest();

/** The V8 data inside a cache file, or undefined when the file is not one of ours, intact. */
function unwrapCache(bytes: Buffer): Buffer | undefined {
  const start = MAGIC.length + DIGEST_BYTES;
  if (bytes.length <= start || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  const data = bytes.subarray(start);
  return digest(data).equals(bytes.subarray(MAGIC.length, start)) ? data : undefined;
}

function wrapCache(data: Buffer): Buffer {
  return Buffer.concat([MAGIC, digest(data), data]);
}

/** What a run finds in its cache file: the V8 data only when the file may be trusted and is intact. */
function readCache(file: string): { state: CodeCacheState; data?: Buffer } {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    return { state: 'miss' }; // not there yet, or no directory at all
  }
  if (!trustedDir(dirname(file))) return { state: 'untrusted' };
  const data = unwrapCache(bytes);
  return data ? { state: 'hit', data } : { state: 'rejected' };
}

/** Runs `program` (a CommonJS file) as Node would, with its compiled code cached under `key`. */
export function runProgram(program: string, key: string, args: readonly string[], env: NodeJS.ProcessEnv): void {
  const dir = codeCacheDir(env);
  const file = dir && join(dir, `${key}-${process.version}-${process.platform}-${process.arch}-${cacheCommand(args)}.bin`);
  const found = file ? readCache(file) : { state: 'off' as const, data: undefined };
  const script = new Script(Module.wrap(readFileSync(program, 'utf8')), { filename: program, cachedData: found.data });
  const state: CodeCacheState = found.data && script.cachedDataRejected ? 'rejected' : found.state;
  if (env.CGKS_DEBUG) process.stderr.write(`code cache: ${state}${file ? ` ${file}` : ''}\n`);
  // After the run, so the cache also holds the functions compiled lazily while it ran.
  if (file && (state === 'miss' || state === 'rejected')) process.once('exit', (code) => code === 0 && save(file, key, script));
  const mod = new Module(program);
  mod.filename = program;
  const wrapper = script.runInThisContext() as (...a: unknown[]) => void;
  wrapper.call(mod.exports, mod.exports, createRequire(program), mod, program, dirname(program));
}

function save(file: string, key: string, script: Script): void {
  // Runs in an 'exit' listener: nothing may throw from here.
  const dir = dirname(file);
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!trustedDir(dir)) return;
    // 'wx': never through a file or link already there. Renamed into place, so a concurrent run
    // never reads half a file.
    writeFileSync(tmp, wrapCache(script.createCachedData()), { mode: 0o600, flag: 'wx' });
    renameSync(tmp, file);
    const now = Date.now();
    for (const f of readdirSync(dir)) {
      if (f.startsWith(key) && !f.endsWith('.tmp')) continue;
      const old = now - statSync(join(dir, f)).mtimeMs > (f.endsWith('.tmp') ? 3600_000 : STALE_MS);
      if (old) rmSync(join(dir, f), { force: true });
    }
  } catch {
    // A cache that cannot be written only makes the next run slower.
    try {
      rmSync(tmp, { force: true });
    } catch {
      // Nothing more to do.
    }
  }
}

// Small helpers shared by the bench phases: progress output, a time budget, statistics,
// process helpers and temp dirs. Nothing here is specific to one measurement.
import { spawn, spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BENCH_DIR = join(ROOT, 'bench');
export const CACHE_DIR = process.env.CGKS_BENCH_CACHE ?? join(homedir(), '.cache', 'create-go-k8s-service', 'bench');
export const TOOLS_BIN = join(process.env.CGKS_TOOLS_DIR ?? join(homedir(), '.cache', 'create-go-k8s-service', 'tools'), 'bin');

const started = Date.now();

/** A progress line on stderr, prefixed with the elapsed time. */
export function say(msg: string): void {
  const s = ((Date.now() - started) / 1000).toFixed(1).padStart(6);
  process.stderr.write(`[bench ${s}s] ${msg}\n`);
}

export function elapsedSeconds(): number {
  return (Date.now() - started) / 1000;
}

/** The whole run's time budget: phases ask how much is left and shrink their rounds. */
export class Budget {
  readonly deadline: number;
  constructor(readonly seconds: number) {
    this.deadline = started + seconds * 1000;
  }
  left(): number {
    return (this.deadline - Date.now()) / 1000;
  }
  over(): boolean {
    return Date.now() > this.deadline;
  }
}

// ---- statistics ----------------------------------------------------------------------------

export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}
export const median = (xs: readonly number[]): number => quantile(xs, 0.5);

export interface Summary {
  n: number;
  median: number;
  p25: number;
  p75: number;
  min: number;
  max: number;
}

export function summarize(xs: readonly number[]): Summary {
  return {
    n: xs.length,
    median: median(xs),
    p25: quantile(xs, 0.25),
    p75: quantile(xs, 0.75),
    min: xs.length ? Math.min(...xs) : Number.NaN,
    max: xs.length ? Math.max(...xs) : Number.NaN,
  };
}

export { seededRandom } from '../../test/support/random.js';

/** A deterministic shuffle, so a run's order can be reproduced from its seed. */
export function shuffle<T>(xs: readonly T[], rnd: () => number): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

// ---- processes -----------------------------------------------------------------------------

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion, capturing its output; throws with the tail of stderr on failure. */
export function run(cmd: string, args: readonly string[], opts: SpawnSyncOptions & { allowFail?: boolean } = {}): RunResult {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, ...opts });
  if (r.error) {
    if (opts.allowFail) return { code: -1, stdout: '', stderr: String(r.error.message) };
    throw new Error(`${cmd} ${args.join(' ')}: ${r.error.message}`);
  }
  const res = { code: r.status ?? -1, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? '') };
  if (res.code !== 0 && !opts.allowFail) {
    throw new Error(`${cmd} ${args.join(' ')} exited ${res.code}${r.signal ? ` (${r.signal})` : ''}: ${tail(res.stderr || res.stdout)}`);
  }
  return res;
}

/** The same, asynchronously (for long steps while progress is printed). */
export function runAsync(cmd: string, args: readonly string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => {
      if (code === 0) resolve({ code, stdout, stderr });
      else reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${tail(stderr || stdout)}`));
    });
  });
}

export function tail(s: string, lines = 15): string {
  return s.trim().split('\n').slice(-lines).join('\n');
}

export function which(cmd: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// ---- files ---------------------------------------------------------------------------------

/**
 * Where generated trees go. The disks of our shared CI machines take anywhere from 13 to 160 ms
 * to take the same 53 small files (other jobs' I/O), which would swamp what we measure: the
 * generators' own cost. So generation runs write to tmpfs (/dev/shm) unless CGKS_BENCH_TMP or
 * --disk says otherwise; the report shows the disk's figure for the same files beside it.
 */
export function fastTmpBase(): string {
  if (process.env.CGKS_BENCH_TMP) return process.env.CGKS_BENCH_TMP;
  try {
    accessSync('/dev/shm', constants.W_OK);
    return '/dev/shm';
  } catch {
    return tmpdir();
  }
}

export function freshTempDir(label: string, base = tmpdir()): string {
  mkdirSync(base, { recursive: true });
  return mkdtempSync(join(base, `cgks-bench-${label}-`));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Every regular file under dir (relative paths, sorted). */
export function listFiles(dir: string, base = dir): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    const st = statSync(p);
    if (st.isDirectory()) out.push(...listFiles(p, base));
    else if (st.isFile()) out.push(p.slice(base.length + 1));
  }
  return out.sort();
}

/** Total bytes of the regular files under dir (apparent size, like `du -sb`). */
export function treeBytes(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    const st = statSync(p);
    if (st.isDirectory()) total += treeBytes(p);
    else if (st.isFile()) total += st.size;
  }
  return total;
}

// ---- formatting ----------------------------------------------------------------------------

export const fmtMs = (ms: number): string => (Number.isFinite(ms) ? `${ms.toFixed(ms < 10 ? 2 : 1)} ms` : 'n/a');
export const fmtRatio = (r: number): string => (Number.isFinite(r) ? `${r.toFixed(2)}×` : 'n/a');
export function fmtBytes(b: number): string {
  if (!Number.isFinite(b)) return 'n/a';
  if (b >= 1024 * 1024) return `${(b / 1024 / 1024).toFixed(2)} MiB`;
  if (b >= 1024) return `${(b / 1024).toFixed(1)} KiB`;
  return `${b} B`;
}

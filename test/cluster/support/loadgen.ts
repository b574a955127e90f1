// The load generator of the real-cluster suite (test/cluster/loadgen, a tiny Go module of its
// own): built once per run, started inside a network namespace (or on this machine, for its
// own test), told where each phase starts through its stdin, and read back as JSON.
import { execa } from 'execa';
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { goEnv } from '../../support/go.js';

const SOURCE = fileURLToPath(new URL('../loadgen/', import.meta.url));

/** Figures of one phase of a run (or of the whole run), as loadgen prints them. */
export interface LoadStats {
  name: string;
  startSeconds: number;
  seconds: number;
  requests: number;
  ok: number;
  failedStatus: number;
  reset: number;
  otherError: number;
  statuses: Record<string, number>;
  errors: Record<string, number>;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface LoadResult {
  target: string;
  connections: number;
  rate: number;
  stopReason: string;
  connects: number;
  total: LoadStats;
  phases: LoadStats[];
}

export interface LoadOptions {
  /** host:port */
  target: string;
  path?: string;
  connections?: number;
  /** Requests per second over all connections. */
  rate?: number;
  maxRequests: number;
  durationSeconds: number;
  timeoutSeconds?: number;
  /** Run inside this network namespace (`ip netns exec`). */
  netns?: string;
}

export interface Load {
  /** Resolves once a first request has succeeded; rejects if loadgen exits first. */
  started: Promise<void>;
  /** Starts a new phase named NAME (its figures are reported apart). */
  phase(name: string): void;
  /** Ends the run (closes stdin) and resolves with the figures. */
  stop(): Promise<LoadResult>;
  /** Resolves when loadgen ends on its own (a bound reached) or after stop(). */
  result: Promise<LoadResult>;
  stderr: string[];
}

let built: Promise<string> | undefined;

/** Builds loadgen (static, CGO off) into the suite's cache; once per process. */
export function buildLoadgen(): Promise<string> {
  built ??= (async () => {
    const dir = join(process.env.CGKS_CLUSTER_CACHE || join(homedir(), '.cache', 'create-go-k8s-service', 'cluster'), 'loadgen');
    mkdirSync(dir, { recursive: true });
    const out = join(dir, 'loadgen');
    const r = await execa('go', ['build', '-trimpath', '-o', out, '.'], {
      cwd: SOURCE,
      env: goEnv({ cgo: false }),
      reject: false,
      all: true,
      stdin: 'ignore',
    });
    if (r.exitCode !== 0) throw new Error(`go build of test/cluster/loadgen failed:\n${r.all}`);
    return out;
  })();
  built.catch(() => (built = undefined));
  return built;
}

/** Starts loadgen; nothing is sent before `started` resolves except the first requests. */
export async function startLoad(o: LoadOptions): Promise<Load> {
  const bin = await buildLoadgen();
  const args = [
    `-target=${o.target}`,
    `-path=${o.path ?? '/'}`,
    `-connections=${o.connections ?? 4}`,
    `-rate=${o.rate ?? 200}`,
    `-max-requests=${o.maxRequests}`,
    `-duration=${o.durationSeconds}s`,
    `-timeout=${o.timeoutSeconds ?? 5}s`,
  ];
  const argv = o.netns ? ['ip', 'netns', 'exec', o.netns, bin, ...args] : [bin, ...args];
  const proc = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  const stderr: string[] = [];
  let onStarted: () => void = () => {};
  let buf = '';
  proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  proc.stderr.on('data', (d: Buffer) => {
    buf += d.toString();
    const lines = buf.split('\n');
    buf = lines.pop() ?? '';
    for (const l of lines) {
      stderr.push(l);
      if (l === 'loadgen: started') onStarted();
    }
  });
  const result = new Promise<LoadResult>((resolve, reject) => {
    proc.on('error', reject);
    proc.on('close', (code) => {
      if (code !== 0) return reject(new Error(`loadgen exited with ${code}: ${stderr.slice(-5).join(' | ')}`));
      try {
        resolve(JSON.parse(stdout) as LoadResult);
      } catch (e) {
        reject(new Error(`loadgen printed no JSON (${(e as Error).message}): ${stdout.slice(0, 500)}`));
      }
    });
  });
  const started = new Promise<void>((resolve, reject) => {
    onStarted = resolve;
    result.then(
      (r) =>
        reject(
          new Error(
            `loadgen ended (${r.stopReason}) before a request succeeded: ${JSON.stringify(r.total.errors)} ${JSON.stringify(r.total.statuses)}`,
          ),
        ),
      reject,
    );
  });
  started.catch(() => {}); // a caller that never awaits it must not crash the process
  return {
    started,
    phase: (name) => {
      if (!proc.stdin.destroyed) proc.stdin.write(`${name}\n`);
    },
    stop: () => {
      proc.stdin.end();
      return result;
    },
    result,
    stderr,
  };
}

/** Failures of any kind in STATS: failed statuses, resets and other errors. */
export const failures = (s: LoadStats): number => s.failedStatus + s.reset + s.otherError;

/** A one-line account of a phase, for messages and progress. */
export function describeStats(s: LoadStats): string {
  const errs = Object.entries(s.errors)
    .map(([k, v]) => `${v}× ${k}`)
    .join(', ');
  const bad = Object.entries(s.statuses)
    .filter(([k]) => !k.startsWith('2'))
    .map(([k, v]) => `${v}× HTTP ${k}`)
    .join(', ');
  return (
    `${s.name}: ${s.requests} requests in ${s.seconds.toFixed(1)} s, ${s.ok} ok, ${s.failedStatus} failed status, ` +
    `${s.reset} reset, ${s.otherError} other errors; p50 ${s.p50Ms.toFixed(1)} ms, p99 ${s.p99Ms.toFixed(1)} ms, max ${s.maxMs.toFixed(1)} ms` +
    (errs || bad ? ` (${[bad, errs].filter(Boolean).join('; ')})` : '')
  );
}

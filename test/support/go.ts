// Go toolchain and built-binary helpers for end-to-end tests. Every generated repo shares
// the machine's module and build caches, so repeated builds stay fast.
// goEnv() is the one place a test's Go environment is made (test/unit/go-env.test.ts fails on a
// test that sets GOTOOLCHAIN itself): the installed Go only (GOTOOLCHAIN=local: never a download
// of another toolchain), none of the caller's GOFLAGS, and each difference a named option.
import { execa } from 'execa';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

export interface GoEnvOptions {
  /** cgo on or off (CGO_ENABLED); default: the caller's CGO_ENABLED, else on (-race needs it). Off for a static binary. */
  cgo?: boolean;
  /** GOWORK=off: the module builds as itself, whatever go.work a folder above it holds. */
  noWorkspace?: boolean;
  /** GOFLAGS (default none: the caller's never leak in), e.g. -mod=mod. */
  flags?: string;
  /** Modules without the network: 'off' (GOPROXY=off), or 'module-cache' (the module cache as a file proxy, GOSUMDB off: `go install pkg@version` needs a proxy). */
  proxy?: 'off' | 'module-cache';
  /** GOCACHE and GOMODCACHE named: the machine's caches also for a command run with a HOME of its own. */
  sharedCaches?: boolean;
}

let caches: { GOCACHE: string; GOMODCACHE: string } | undefined;
/** The machine's build and module caches, as go itself reports them (asked once). */
function machineCaches(): { GOCACHE: string; GOMODCACHE: string } {
  if (!caches) {
    const [GOCACHE, GOMODCACHE] = execFileSync('go', ['env', 'GOCACHE', 'GOMODCACHE'], {
      encoding: 'utf8',
      env: { ...process.env, GOTOOLCHAIN: 'local' },
    })
      .trim()
      .split('\n');
    caches = { GOCACHE: GOCACHE!, GOMODCACHE: GOMODCACHE! };
  }
  return caches;
}

/** The environment variables a test runs go (or make, or a tool built with go) with. */
export function goEnv(opts: GoEnvOptions = {}): Record<string, string> {
  const env: Record<string, string> = {
    GOTOOLCHAIN: 'local',
    GOFLAGS: opts.flags ?? '',
    CGO_ENABLED: opts.cgo === undefined ? (process.env.CGO_ENABLED ?? '1') : opts.cgo ? '1' : '0',
  };
  if (opts.noWorkspace) env.GOWORK = 'off';
  if (opts.sharedCaches || opts.proxy === 'module-cache') Object.assign(env, machineCaches());
  if (opts.proxy === 'off') env.GOPROXY = 'off';
  if (opts.proxy === 'module-cache') Object.assign(env, { GOPROXY: `file://${machineCaches().GOMODCACHE}/cache/download`, GOSUMDB: 'off' });
  return env;
}

/** The default: the installed Go, no caller's GOFLAGS, cgo as the caller has it. */
export const GO_ENV = goEnv();

export async function go(dir: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  return execa('go', args, { cwd: dir, env: { ...GO_ENV, ...env }, reject: false, stdin: 'ignore', all: true, timeout: 600_000 });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

export interface RunningService {
  proc: ChildProcess;
  port: number;
  /** Every stdout line so far. */
  stdout: string[];
  stderr: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  url(path: string): string;
}

export interface WatchedProcess {
  stdout: string[];
  stderr: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

/** Collects a child's output line by line and notes when it exits. */
export function watchProcess(proc: ChildProcess): WatchedProcess {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const collect = (sink: string[]) => {
    let buf = '';
    return (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      sink.push(...lines.filter((l) => l.length > 0));
    };
  };
  proc.stdout!.on('data', collect(stdout));
  proc.stderr!.on('data', collect(stderr));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    proc.on('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  return { stdout, stderr, exited };
}

/** Starts the service on port; its admin port (metrics, pprof) is a free one unless env names it. */
export function startService(bin: string, env: NodeJS.ProcessEnv, port: number, args: string[] = []): RunningService {
  const proc = spawn(bin, args, {
    env: { PATH: process.env.PATH, PORT: String(port), ADMIN_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return { proc, port, ...watchProcess(proc), url: (p) => `http://127.0.0.1:${port}${p}` };
}

export async function get(url: string, timeoutMs = 2000): Promise<{ status: number; body: string; headers: Headers } | undefined> {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return { status: r.status, body: await r.text(), headers: r.headers };
  } catch {
    return undefined;
  }
}

/** Polls until the URL answers with the status, or fails after the deadline. */
export async function waitForStatus(url: string, status: number, deadlineMs = 10_000): Promise<number> {
  const start = Date.now();
  for (;;) {
    const r = await get(url, 500);
    if (r?.status === status) return Date.now() - start;
    if (Date.now() - start > deadlineMs)
      throw new Error(`${url} did not answer ${status} within ${deadlineMs} ms (last: ${r?.status ?? 'no answer'})`);
    await new Promise((res) => setTimeout(res, 25));
  }
}

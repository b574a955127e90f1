// Drives a command in a real pseudo-terminal (through python3's pty module, see
// pty-host.py): type keys, wait for text on the screen, send signals, collect the exit.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const HOST = fileURLToPath(new URL('./pty-host.py', import.meta.url));

/** Keys as a terminal sends them. */
export const KEY = {
  enter: '\r',
  up: '\u001b[A',
  down: '\u001b[B',
  ctrlC: '\u0003',
  /** Erase the line typed so far (readline's Ctrl-U). */
  clearLine: '\u0015',
} as const;

// CSI and OSC sequences, and lone ESC-letter sequences.
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_]/g;
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export const stripAnsi = (s: string): string => s.replace(ANSI, '');

export interface PtyExit {
  /** Exit code, or null when a signal ended the process. */
  code: number | null;
  signal: number | null;
}

export interface Pty {
  /** The command's pid (signals go straight to it). */
  pid: number;
  /** Everything written to the terminal so far, escape sequences removed. */
  text(): string;
  /** Everything written to the terminal so far, as is. */
  raw(): string;
  write(keys: string): void;
  /** Types text and Enter. */
  line(text: string): void;
  /**
   * Waits for the pattern in the output that arrived since the previous expect, and returns
   * that output. Fails with the screen so far after the timeout. In a string pattern, a
   * space matches any run of white space (line breaks included).
   */
  expect(pattern: RegExp | string, timeoutMs?: number): Promise<string>;
  exited: Promise<PtyExit>;
  /** `exited`, failing with the screen when the process is still running after the timeout. */
  waitExit(timeoutMs?: number): Promise<PtyExit>;
  kill(signal?: NodeJS.Signals): void;
}

export interface PtyOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  cols?: number;
  rows?: number;
}

export async function spawnPty(cmd: string, args: string[], opts: PtyOptions = {}): Promise<Pty> {
  const env: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm-256color' };
  // A CI variable would make the CLI refuse to prompt, which is what these tests exercise.
  delete env.CI;
  Object.assign(env, opts.env);
  const host = spawn('python3', [HOST, String(opts.cols ?? 80), String(opts.rows ?? 40), cmd, ...args], {
    cwd: opts.cwd,
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let raw = '';
  let control = '';
  let cursor = 0;
  const waiters = new Set<() => void>();
  host.stdout.setEncoding('utf8');
  host.stdout.on('data', (d: string) => {
    raw += d;
    for (const w of waiters) w();
  });
  host.stderr.setEncoding('utf8');
  let pidResolve!: (pid: number) => void;
  const pidPromise = new Promise<number>((r) => (pidResolve = r));
  host.stderr.on('data', (d: string) => {
    control += d;
    const m = /^pid (\d+)$/m.exec(control);
    if (m) pidResolve(Number(m[1]));
  });
  const exited = new Promise<PtyExit>((resolve, reject) => {
    host.on('error', reject);
    host.on('close', () => {
      const m = /^(exit|signal) (\d+)$/m.exec(control);
      if (!m) reject(new Error(`pty host ended without a status: ${control}`));
      else resolve(m[1] === 'exit' ? { code: Number(m[2]), signal: null } : { code: null, signal: Number(m[2]) });
      for (const w of waiters) w();
    });
  });
  let ended = false;
  void exited.then(
    () => (ended = true),
    () => (ended = true),
  );
  const pid = await Promise.race([pidPromise, exited.then(() => -1)]);
  if (pid < 0) throw new Error(`could not start ${cmd} in a pty: ${control}`);

  const text = () => stripAnsi(raw);
  const stop = () => {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  const pty: Pty = {
    pid,
    text,
    raw: () => raw,
    write: (keys) => void host.stdin.write(keys),
    line: (t) => void host.stdin.write(t + KEY.enter),
    expect(pattern, timeoutMs = 15_000) {
      // A string matches whatever way the terminal's width broke its lines.
      const re = typeof pattern === 'string' ? new RegExp(pattern.split(/\s+/).map(escapeRegExp).join('\\s+')) : pattern;
      const test = (s: string) => re.test(s);
      return new Promise((resolve, reject) => {
        const check = () => {
          const all = text();
          const fresh = all.slice(cursor);
          if (test(fresh)) {
            cleanup();
            cursor = all.length;
            resolve(fresh);
          } else if (ended) {
            cleanup();
            reject(new Error(`process ended before ${pattern} appeared; screen:\n${fresh}`));
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          // A failed test must not leave the program waiting for keys that never come: it
          // would keep the test file running until the runner's budget ends it.
          stop();
          reject(
            new Error(`timed out after ${timeoutMs} ms waiting for ${pattern}; screen since the last match:\n${text().slice(cursor)}`),
          );
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    exited,
    waitExit(timeoutMs = 20_000) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          stop();
          reject(new Error(`still running after ${timeoutMs} ms (killed); screen:\n${text()}`));
        }, timeoutMs);
      });
      return Promise.race([exited, timeout]).finally(() => clearTimeout(timer));
    },
    kill: (signal = 'SIGINT') => process.kill(pid, signal),
  };
  return pty;
}

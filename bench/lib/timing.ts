// Wall-clock timing of whole processes, compared commands interleaved: every round runs each
// case once, in a shuffled order, so slow phases of a noisy machine hit all of them alike.
// Untimed `prepare` and `cleanup` hooks give each run a fresh target directory.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { say, seededRandom, shuffle, summarize, tail, type Budget, type Summary } from './util.js';

export interface TimedCase {
  id: string;
  label: string;
  /** argv; the first element is the program. */
  cmd: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Untimed, before every run (e.g. create a fresh empty parent dir). */
  prepare?: (run: number) => void;
  /** Untimed, after every run: throw to reject the run's output. */
  check?: (run: number, out: { stdout: string; stderr: string }) => void;
  /** Untimed, after every run (e.g. remove the output). */
  cleanup?: (run: number) => void;
}

export interface CaseResult {
  id: string;
  label: string;
  command: string;
  samplesMs: number[];
  summary: Summary;
  /** Per-run CPU time of the process (user + system, 10 ms resolution) and its mean. */
  cpuMs: number[];
  cpuMeanMs: number;
  failures: string[];
}

export interface TimingResult {
  rounds: number;
  warmup: number;
  seed: number;
  cases: Record<string, CaseResult>;
  /** Per round, the ms of each case (for paired ratios). */
  perRound: Record<string, number>[];
}

/**
 * CPU time (user + system) of this process's waited-for children, in ms, from
 * /proc/self/stat (cutime + cstime, in clock ticks of 10 ms). Less sensitive than wall time
 * to other jobs on a shared machine; per run it is coarse, so the report gives its mean.
 */
function childrenCpuMs(): number {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[13]) + Number(f[14])) * (1000 / CLK_TCK);
  } catch {
    return Number.NaN;
  }
}
const CLK_TCK = 100;

function once(c: TimedCase, run: number): { ms: number; cpuMs: number; error?: string } {
  c.prepare?.(run);
  const cpu0 = childrenCpuMs();
  const t0 = process.hrtime.bigint();
  const r = spawnSync(c.cmd[0]!, c.cmd.slice(1), {
    cwd: c.cwd,
    env: c.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpuMs = childrenCpuMs() - cpu0;
  let error: string | undefined;
  if (r.error) error = r.error.message;
  else if (r.status !== 0) error = `exit ${r.status}${r.signal ? ` ${r.signal}` : ''}: ${tail(r.stderr || r.stdout, 4)}`;
  else {
    try {
      c.check?.(run, { stdout: r.stdout, stderr: r.stderr });
    } catch (err) {
      error = `check failed: ${(err as Error).message}`;
    }
  }
  c.cleanup?.(run);
  return { ms, cpuMs, error };
}

export function timeInterleaved(
  cases: readonly TimedCase[],
  opts: { rounds: number; warmup: number; seed?: number; budget?: Budget; reserveSeconds?: number; title: string },
): TimingResult {
  const seed = opts.seed ?? 20261122;
  const rnd = seededRandom(seed);
  const results: Record<string, CaseResult> = {};
  for (const c of cases) {
    results[c.id] = {
      id: c.id,
      label: c.label,
      command: c.cmd.join(' '),
      samplesMs: [],
      summary: summarize([]),
      cpuMs: [],
      cpuMeanMs: Number.NaN,
      failures: [],
    };
  }
  let run = 0;
  for (let w = 0; w < opts.warmup; w++) {
    for (const c of shuffle(cases, rnd)) {
      const r = once(c, run++);
      if (r.error) results[c.id]!.failures.push(`warm-up: ${r.error}`);
    }
  }
  say(`${opts.title}: warm-up done (${opts.warmup} round(s)), timing up to ${opts.rounds} interleaved rounds`);
  const perRound: Record<string, number>[] = [];
  const t0 = Date.now();
  for (let i = 0; i < opts.rounds; i++) {
    if (opts.budget && i >= 5 && opts.budget.left() < (opts.reserveSeconds ?? 0)) {
      say(`${opts.title}: time budget reached after ${i} rounds`);
      break;
    }
    const row: Record<string, number> = {};
    for (const c of shuffle(cases, rnd)) {
      const r = once(c, run++);
      if (r.error) {
        results[c.id]!.failures.push(r.error);
        continue;
      }
      results[c.id]!.samplesMs.push(r.ms);
      results[c.id]!.cpuMs.push(r.cpuMs);
      row[c.id] = r.ms;
    }
    perRound.push(row);
    if ((i + 1) % 5 === 0 || i + 1 === opts.rounds) {
      const line = cases.map((c) => `${c.id} ${summarize(results[c.id]!.samplesMs).median.toFixed(0)}`).join(', ');
      say(`${opts.title}: round ${i + 1}/${opts.rounds} (${((Date.now() - t0) / 1000).toFixed(0)} s) medians ms: ${line}`);
    }
  }
  for (const r of Object.values(results)) {
    r.summary = summarize(r.samplesMs);
    r.cpuMeanMs = r.cpuMs.length ? r.cpuMs.reduce((a, b) => a + b, 0) / r.cpuMs.length : Number.NaN;
  }
  return { rounds: perRound.length, warmup: opts.warmup, seed, cases: results, perRound };
}

/** Median over rounds of a/b measured in the same round (a paired ratio). */
export function pairedRatio(t: TimingResult, a: string, b: string): Summary {
  const ratios = t.perRound.filter((r) => r[a] !== undefined && r[b] !== undefined).map((r) => r[a]! / r[b]!);
  return summarize(ratios);
}

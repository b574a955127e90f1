// CPU per request at a fixed, moderate rate (issue #18): the open-loop sender
// bench/go/fixedrate holds the rate; the server's CPU time over the window comes from the
// kernel's per-thread accounting. The pure parts (parsing, the rate, the ratio) are tested in
// test/unit/bench-fixed-rate.test.ts.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { summarize, type Summary } from './util.js';

/** The fixed rate, as a share of the slower server's full-load req/s (issue #18: 30–50 %). */
export const FIXED_RATE_SHARE = 0.3;
/**
 * Requests the sender keeps outstanding at most: room for a stall of ≈ 100 ms at 10,000 req/s
 * (the other jobs on a shared machine cause stalls of tens of ms).
 */
export const FIXED_RATE_INFLIGHT = 1024;

/** What bench/go/fixedrate prints (one JSON object). */
export interface FixedRateRun {
  rate: number;
  due: number;
  sent: number;
  ok: number;
  errors: number;
  skipped: number;
  elapsedMs: number;
  achievedRate: number;
  p50Ms: number;
  p99Ms: number;
  maxLagMs: number;
}

/** One round for one server: the sender's figures and the server's CPU over the same window. */
export interface FixedRateSample extends FixedRateRun {
  cpuNs: number;
  cpuUsPerReq: number;
}

const FIELDS: (keyof FixedRateRun)[] = [
  'rate',
  'due',
  'sent',
  'ok',
  'errors',
  'skipped',
  'elapsedMs',
  'achievedRate',
  'p50Ms',
  'p99Ms',
  'maxLagMs',
];

export function parseFixedRate(stdout: string): FixedRateRun {
  const line = stdout.trim().split('\n').pop() ?? '';
  let v: Record<string, unknown>;
  try {
    v = JSON.parse(line) as Record<string, unknown>;
  } catch {
    throw new Error(`fixedrate printed no JSON object: ${JSON.stringify(line.slice(0, 200))}`);
  }
  for (const f of FIELDS) {
    if (typeof v[f] !== 'number' || !Number.isFinite(v[f])) throw new Error(`fixedrate output: ${f} is not a number`);
  }
  return v as unknown as FixedRateRun;
}

/**
 * Most requests a round may skip and still count. A skipped request was due while
 * FIXED_RATE_INFLIGHT were outstanding: the server or the sender stalled (on this shared
 * 2-core machine, stalls of 100–500 ms under the other jobs' builds). The server's CPU per
 * answered request stays meaningful; the report gives the skips of every run.
 */
export const FIXED_RATE_MAX_SKIPPED = 0.1;

/**
 * The server's CPU per answered request, in µs. Undefined when the round does not measure
 * what it should: errors, more than FIXED_RATE_MAX_SKIPPED of the due requests skipped, or
 * fewer than 90 % of the due requests answered.
 */
export function cpuUsPerRequest(run: FixedRateRun, cpuNs: number): number | undefined {
  if (run.ok === 0 || run.errors > 0 || run.skipped > FIXED_RATE_MAX_SKIPPED * run.due || run.ok < 0.9 * run.due) return undefined;
  return cpuNs / 1000 / run.ok;
}

/**
 * The fixed rate for both servers: a share of the slower one's full-load throughput, rounded
 * down to 100 req/s, at least 100.
 */
export function moderateRate(fullLoadRps: readonly number[], share = FIXED_RATE_SHARE): number {
  const slowest = Math.min(...fullLoadRps.filter((x) => Number.isFinite(x) && x > 0));
  if (!Number.isFinite(slowest)) throw new Error('no full-load throughput to derive a moderate rate from');
  return Math.max(100, Math.floor((slowest * share) / 100) * 100);
}

export interface FixedRateComparison {
  /** a's CPU per request ÷ b's, per round (rounds where either is invalid are left out). */
  ratios: number[];
  ratio: Summary;
  a: Summary;
  b: Summary;
  invalidRounds: number;
}

/** Pairs round i of a with round i of b (they ran back to back, in shuffled order). */
export function compareCpuPerRequest(a: readonly FixedRateSample[], b: readonly FixedRateSample[]): FixedRateComparison {
  const n = Math.min(a.length, b.length);
  const ratios: number[] = [];
  const as: number[] = [];
  const bs: number[] = [];
  let invalidRounds = 0;
  for (let i = 0; i < n; i++) {
    const x = a[i]!.cpuUsPerReq;
    const y = b[i]!.cpuUsPerReq;
    if (!Number.isFinite(x) || !Number.isFinite(y) || y <= 0) {
      invalidRounds++;
      continue;
    }
    ratios.push(x / y);
    as.push(x);
    bs.push(y);
  }
  return { ratios, ratio: summarize(ratios), a: summarize(as), b: summarize(bs), invalidRounds };
}

/** Sums the first field of /proc/<pid>/task/<tid>/schedstat (ns on CPU) over the threads. */
export function sumSchedstat(texts: readonly string[]): number {
  let ns = 0;
  for (const t of texts) {
    const v = Number(t.trim().split(/\s+/)[0]);
    if (Number.isFinite(v)) ns += v;
  }
  return ns;
}

/**
 * CPU time of a process in ns, all its threads: schedstat (ns resolution) when the kernel has
 * it, else utime + stime from /proc/<pid>/stat (clock ticks, 10 ms).
 */
export function processCpuNs(pid: number): number {
  if (!existsSync(`/proc/${pid}/schedstat`)) {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * 10_000_000;
  }
  const texts: string[] = [];
  for (const t of readdirSync(`/proc/${pid}/task`)) {
    try {
      texts.push(readFileSync(`/proc/${pid}/task/${t}/schedstat`, 'utf8'));
    } catch {
      // the thread exited since the listing (Go seldom ends threads)
    }
  }
  return sumSchedstat(texts);
}

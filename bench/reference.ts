// The generated service against the same work written by hand (bench/go/handwritten: net/http
// with the service's timeouts, limits, request deadline and panic recovery, one zerolog access
// line with the same fields, client_golang RED metrics on an admin port, /healthz, /ready, one
// JSON route, graceful shutdown). Figures, never assertions:
//   - stripped binary size (the image's binary layer);
//   - RSS after a fixed number of requests;
//   - server CPU time per request (schedstat, ns) over a fixed number of requests;
//   - instructions per request with Valgrind's cachegrind: a server started under cachegrind
//     answers N1 and, in another run, N2 sequential requests; (Ir(N2) − Ir(N1)) ÷ (N2 − N1)
//     cancels start-up and shutdown and does not depend on the machine's load.
// Runs are interleaved in rounds, each round in shuffled order; ratios are paired by round.
// Every server listens on 127.0.0.1; every loop is bounded by its request count.
//
// Run alone: `npx tsx bench/reference.ts [rounds]` prints the figures as JSON.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { Agent, get as httpGet } from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { generate } from '../test/support/generate.js';
import { freePort } from '../test/support/go.js';
import { processCpuNs } from './lib/fixed-rate.js';
import { BENCH_DIR, freshTempDir, runAsync, say, seededRandom, shuffle, summarize, which, type Summary } from './lib/util.js';

const BUILD_FLAGS = ['-trimpath', '-ldflags', '-s -w'];
const goEnv = () => ({ ...process.env, GOTOOLCHAIN: 'local', CGO_ENABLED: '0' });
const ROUTE = '/api/v1/hello';

export type Subject = 'service' | 'handwritten';

export interface ReferenceResult {
  go: string;
  binaryBytes: Record<Subject, number>;
  rounds: number;
  /** VmRSS after `requests` requests, KiB. */
  rssKiB: Record<Subject, Summary>;
  /** Server CPU time per request, µs, over `requests` sequential keep-alive requests. */
  cpuUsPerRequest: Record<Subject, Summary>;
  cpuRatio: Summary;
  requests: number;
  instructions?: {
    n1: number;
    n2: number;
    perRequest: Record<Subject, Summary>;
    ratio: Summary;
    how: string;
  };
  instructionsSkipped?: string;
}

interface Started {
  pid: number;
  url: string;
  stop(): Promise<void>;
}

function start(argv: string[], env: NodeJS.ProcessEnv): Promise<Started> {
  return (async () => {
    const port = await freePort();
    const admin = await freePort();
    const proc = spawn(argv[0]!, argv.slice(1), {
      env: { PATH: process.env.PATH, HOST: '127.0.0.1', PORT: String(port), ADMIN_PORT: String(admin), SHUTDOWN_DELAY: '0s', ...env },
      stdio: 'ignore',
    });
    const exited = new Promise<void>((r) => proc.on('exit', () => r()));
    const url = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      if (i > 1200) throw new Error(`${argv.join(' ')}: /healthz not 200 within 120 s`);
      // A connection of its own each time (agent: false), closed after: a keep-alive one
      // left open would hold the server's drain at stop.
      const ok = await get(`${url}/healthz`, false).then(
        (status) => status === 200,
        () => false,
      );
      if (ok) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    return {
      pid: proc.pid!,
      url,
      stop: async () => {
        proc.kill('SIGTERM');
        await exited;
      },
    };
  })();
}

/** GET url through agent (false: a connection of its own, closed after); resolves to the status. */
function get(url: string, agent: Agent | false): Promise<number> {
  return new Promise((resolve, reject) => {
    httpGet(url, { agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    }).on('error', reject);
  });
}

/**
 * n sequential requests on one keep-alive connection, closed at the end: at stop, the drain
 * then has nothing to wait for, so that start and stop cost the same in every run whatever
 * the timing (cachegrind counts the instructions of a server that lingers too).
 */
async function send(url: string, n: number): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    for (let i = 0; i < n; i++) {
      const status = await get(`${url}${ROUTE}`, agent);
      if (status !== 200) throw new Error(`${ROUTE} answered ${status}`);
    }
  } finally {
    agent.destroy();
  }
}

/** Instructions a server executes to answer n requests, start and stop included (cachegrind's Ir). */
async function instructions(bin: string, n: number, out: string): Promise<number> {
  // Go's asynchronous preemption signals trip Valgrind's tools; with it off the scheduler
  // preempts at function calls only, the same for both servers.
  const s = await start(['valgrind', '--tool=cachegrind', '--cache-sim=no', `--cachegrind-out-file=${out}`, bin], {
    GODEBUG: 'asyncpreemptoff=1',
  });
  await send(s.url, n);
  await s.stop();
  const m = /^summary:\s+(\d+)/m.exec(readFileSync(out, 'utf8'));
  rmSync(out, { force: true });
  if (!m) throw new Error(`no cachegrind summary for ${bin}`);
  return Number(m[1]);
}

export async function benchReference(
  opts: { rounds?: number; requests?: number; n1?: number; n2?: number } = {},
): Promise<ReferenceResult> {
  const rounds = opts.rounds ?? 3;
  const requests = opts.requests ?? 3000;
  const [n1, n2] = [opts.n1 ?? 200, opts.n2 ?? 1200];
  const work = freshTempDir('reference');
  const cleanup = [work];
  try {
    say('reference: generating the default service and building it and bench/go/handwritten');
    const repo = generate({}, 'cgks-bench-ref-');
    cleanup.push(repo);
    const bin: Record<Subject, string> = { service: join(work, 'service'), handwritten: join(work, 'handwritten') };
    await runAsync('go', ['build', ...BUILD_FLAGS, '-o', bin.service, './cmd/demo-svc'], { cwd: repo, env: goEnv() });
    await runAsync('go', ['build', ...BUILD_FLAGS, '-o', bin.handwritten, './handwritten'], { cwd: join(BENCH_DIR, 'go'), env: goEnv() });
    const go = (await runAsync('go', ['version'], { env: goEnv() })).stdout.trim();
    const binaryBytes = { service: statSync(bin.service).size, handwritten: statSync(bin.handwritten).size };
    say(`reference: binaries ${binaryBytes.service} B (service), ${binaryBytes.handwritten} B (hand-written)`);

    const rnd = seededRandom(29);
    const rss: Record<Subject, number[]> = { service: [], handwritten: [] };
    const cpu: Record<Subject, number[]> = { service: [], handwritten: [] };
    const cpuRatios: number[] = [];
    for (let round = 0; round < rounds; round++) {
      for (const id of shuffle(['service', 'handwritten'] as const, rnd)) {
        const s = await start([bin[id]], {});
        await send(s.url, 200); // warm-up: connection, pools, first allocations
        const before = processCpuNs(s.pid);
        await send(s.url, requests);
        cpu[id].push((processCpuNs(s.pid) - before) / requests / 1000);
        rss[id].push(Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${s.pid}/status`, 'utf8'))?.[1]));
        await s.stop();
      }
      cpuRatios.push(cpu.service.at(-1)! / cpu.handwritten.at(-1)!);
      say(
        `reference: round ${round + 1}/${rounds}: CPU per request ${cpu.service.at(-1)!.toFixed(1)} vs ${cpu.handwritten.at(-1)!.toFixed(1)} µs`,
      );
    }
    const result: ReferenceResult = {
      go,
      binaryBytes,
      rounds,
      requests,
      rssKiB: { service: summarize(rss.service), handwritten: summarize(rss.handwritten) },
      cpuUsPerRequest: { service: summarize(cpu.service), handwritten: summarize(cpu.handwritten) },
      cpuRatio: summarize(cpuRatios),
    };

    if (!which('valgrind')) {
      result.instructionsSkipped = 'valgrind is not installed (apt-get install valgrind)';
      return result;
    }
    const per: Record<Subject, number[]> = { service: [], handwritten: [] };
    const ratios: number[] = [];
    for (let round = 0; round < rounds; round++) {
      for (const id of shuffle(['service', 'handwritten'] as const, rnd)) {
        const a = await instructions(bin[id], n1, join(work, `cg-${id}-${round}-a.out`));
        const b = await instructions(bin[id], n2, join(work, `cg-${id}-${round}-b.out`));
        per[id].push((b - a) / (n2 - n1));
      }
      ratios.push(per.service.at(-1)! / per.handwritten.at(-1)!);
      say(
        `reference: cachegrind round ${round + 1}/${rounds}: ${per.service.at(-1)!.toFixed(0)} vs ${per.handwritten.at(-1)!.toFixed(0)} instructions per request`,
      );
    }
    result.instructions = {
      n1,
      n2,
      perRequest: { service: summarize(per.service), handwritten: summarize(per.handwritten) },
      ratio: summarize(ratios),
      how: `valgrind --tool=cachegrind --cache-sim=no, GODEBUG=asyncpreemptoff=1; (Ir(${n2}) − Ir(${n1})) ÷ ${n2 - n1} sequential keep-alive GET ${ROUTE}`,
    };
    return result;
  } finally {
    for (const d of cleanup) if (existsSync(d)) rmSync(d, { recursive: true, force: true });
  }
}

export const ratioOf = (s: Summary): string => `${s.median.toFixed(3)}× (${s.min.toFixed(3)}–${s.max.toFixed(3)})`;

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rounds = process.argv[2] ? Number(process.argv[2]) : undefined;
  process.stdout.write(`${JSON.stringify(await benchReference({ rounds }), null, 2)}\n`);
}

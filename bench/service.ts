// The generated service (defaults: metrics on) against a bare net/http server (bench/go/bare)
// serving the same JSON routes, both built here with the same Go and flags: stripped binary
// size, start-to-ready, idle RSS, and throughput / p99 on /healthz and /api/v1/hello.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer } from 'node:net';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { SERVICE_NAME, generateReference } from './generation.js';
import {
  compareCpuPerRequest,
  cpuUsPerRequest,
  FIXED_RATE_INFLIGHT,
  FIXED_RATE_SHARE,
  moderateRate,
  parseFixedRate,
  processCpuNs,
  type FixedRateComparison,
  type FixedRateSample,
} from './lib/fixed-rate.js';
import { dockerfileBuildTags, elfSections, modulesOf, sizeByModule, type SizeBreakdown } from './lib/binsize.js';
import { loadGenerator, type Tool } from './lib/tools.js';
import {
  BENCH_DIR,
  freshTempDir,
  removeDir,
  ROOT,
  run,
  runAsync,
  say,
  seededRandom,
  shuffle,
  sleep,
  summarize,
  which,
  type Budget,
  type Summary,
} from './lib/util.js';

export const BUILD_FLAGS = ['-trimpath', '-ldflags', '-s -w'];
/**
 * Compressed size of the distroless base the Dockerfile uses by default, when bench/image.ts
 * does not measure one: the distroless project's README describes static-debian12 as "around
 * 2 MiB". Override with CGKS_BENCH_BASE_IMAGE_BYTES.
 */
export const DISTROLESS_STATIC_BYTES = Number(process.env.CGKS_BENCH_BASE_IMAGE_BYTES ?? 2 * 1024 * 1024);
export const IMAGE_LIMIT_BYTES = 9 * 1000 * 1000;

export interface LoadRun {
  rps: number;
  p99Ms: number;
  p50Ms: number;
  errors: number;
  requests: number;
  /**
   * The server's CPU time (user + system, from /proc/<pid>/stat) per request answered, in µs.
   * On a shared machine throughput swings with other jobs; the work per request does not.
   */
  cpuUsPerReq: number;
}

/** utime + stime of a process in ms (clock ticks of 10 ms). */
function cpuMsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
}

type StartId = 'service' | 'bare' | 'serviceNoMetrics';
type LoadId = 'service' | 'bare' | 'serviceNoAccessLog' | 'serviceNoMetrics' | 'handwritten' | 'tracingOff' | 'tracingOn';
export const VARIANT_LABELS: Record<LoadId, string> = {
  service: 'service',
  bare: 'bare',
  serviceNoAccessLog: 'service with LOG_LEVEL=warn (no access log)',
  serviceNoMetrics: 'service generated with --no-metrics',
  handwritten: 'hand-written net/http + zerolog access line (bench/go/handwritten)',
  tracingOff: 'service generated with --tracing, no OTLP endpoint (tracing off)',
  tracingOn: 'service generated with --tracing, exporting to a local OTLP sink (default sampling)',
};

export interface InitTrace {
  runs: number;
  /** Sum of the packages' init clock time. */
  totalMs: number;
  packages: number;
  top: { pkg: string; ms: number }[];
}

/** Runs a binary that exits right after start-up with GODEBUG=inittrace=1 and sums its package inits. */
function initTrace(argv: string[], env: NodeJS.ProcessEnv, runs = 7): InitTrace {
  const perPkg = new Map<string, number[]>();
  const totals: number[] = [];
  for (let i = 0; i < runs; i++) {
    const r = run(argv[0]!, argv.slice(1), { env: { ...process.env, ...env, GODEBUG: 'inittrace=1' }, allowFail: true });
    let total = 0;
    for (const m of r.stderr.matchAll(/^init (\S+) @[\d.]+ ms, ([\d.]+) ms clock/gm)) {
      const ms = Number(m[2]);
      total += ms;
      if (!perPkg.has(m[1]!)) perPkg.set(m[1]!, []);
      perPkg.get(m[1]!)!.push(ms);
    }
    totals.push(total);
  }
  const top = [...perPkg]
    .map(([pkg, xs]) => ({ pkg, ms: summarize(xs).median }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, 6);
  return { runs, totalMs: summarize(totals).median, packages: perPkg.size, top };
}

export interface ServiceResult {
  go: string;
  buildFlags: string;
  buildSeconds: { service: number; bare: number };
  binaryBytes: { service: number; bare: number };
  binaryGzipBytes: { service: number; bare: number };
  /** The same service generated with --no-metrics: what the metrics stack weighs. */
  noMetricsBinaryBytes?: number;
  /** The same service generated with --tracing, built with its Dockerfile's tags. */
  tracingBinaryBytes?: number;
  tracingBuildTags?: string;
  /** Where the bytes of the default and the tracing binaries go, by module (bench/lib/binsize.ts). */
  sizeBreakdown?: Partial<Record<'service' | 'tracing', SizeBreakdown>>;
  /** Modules linked into the service binary (go version -m). */
  modules: string[];
  imageEstimate: { baseBytes: number; baseSource: string; totalBytes: number };
  readyMs: { service: Summary; bare: Summary };
  rssKiB: { service: Summary; bare: Summary };
  rssAfterLoadKiB?: { service: number; bare: number };
  /** The --no-metrics build in the same start-to-ready rounds (attribution). */
  noMetrics?: { readyMs: Summary; rssKiB: Summary };
  /** GODEBUG=inittrace=1: package initialisation before main(), median of runs. */
  init: Partial<Record<StartId, InitTrace>>;
  load: Record<
    string,
    {
      service: LoadRun[];
      bare: LoadRun[];
      medians: { service: LoadRun; bare: LoadRun };
      /** Variants of the service measured in the same rounds, by label. */
      variants: Record<string, { runs: LoadRun[]; median: LoadRun }>;
    }
  >;
  loadConfig: { tool: Tool; kind: string; connections: number; threads: number; seconds: number; rounds: number; pinned: string };
  /**
   * CPU per request at a fixed moderate rate (bench/go/fixedrate, open loop): the service and
   * the hand-written server in interleaved rounds at the same rate.
   */
  fixedRate?: {
    route: string;
    rate: number;
    share: number;
    requestsPerRun: number;
    rounds: number;
    service: FixedRateSample[];
    handwritten: FixedRateSample[];
    comparison: FixedRateComparison;
  };
  responses: Record<string, { service: string; bare: string }>;
  metricsEndpoint: string;
  notes: string[];
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

const goEnv = () => ({ ...process.env, GOTOOLCHAIN: 'local', CGO_ENABLED: '0' });

/** Environment for the servers: loopback only, no drain delay, logs at their defaults. */
function serverEnv(port: number): NodeJS.ProcessEnv {
  return { ...process.env, HOST: '127.0.0.1', PORT: String(port), ADMIN_PORT: '0', SHUTDOWN_DELAY: '0s' };
}

function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : Number.NaN;
}

function toMs(v: string, unit: string): number {
  const n = Number(v);
  return unit === 'us' ? n / 1000 : unit === 'ms' ? n : unit === 's' ? n * 1000 : unit === 'm' ? n * 60000 : Number.NaN;
}

export function parseWrk(out: string): LoadRun {
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  const p = (q: string) => {
    const m = new RegExp(`^\\s*${q}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(out);
    return m ? toMs(m[1]!, m[2]!) : Number.NaN;
  };
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const errors = non2xx + (sock ? Number(sock[1]) + Number(sock[2]) + Number(sock[3]) + Number(sock[4]) : 0);
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? Number.NaN);
  return { rps, p99Ms: p('99'), p50Ms: p('50'), errors, requests, cpuUsPerReq: Number.NaN };
}

export function parseHey(out: string): LoadRun {
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  const q = (x: string) => Number(new RegExp(`${x}% in ([\\d.]+) secs`).exec(out)?.[1]) * 1000;
  const codes = [...out.matchAll(/\[(\d{3})\]\s+(\d+) responses/g)];
  const errors = codes.filter((c) => c[1] !== '200').reduce((n, c) => n + Number(c[2]), 0) + (/Error distribution/.test(out) ? 1 : 0);
  const requests = codes.reduce((n, c) => n + Number(c[2]), 0);
  return { rps, p99Ms: q('99'), p50Ms: q('50'), errors, requests, cpuUsPerReq: Number.NaN };
}

async function waitFor(url: string, timeoutMs = 15000): Promise<string> {
  const t0 = Date.now();
  for (;;) {
    try {
      const r = await fetch(url);
      const body = await r.text();
      if (r.status === 200) return body;
    } catch {
      // not listening yet
    }
    if (Date.now() - t0 > timeoutMs) throw new Error(`${url} not 200 within ${timeoutMs} ms`);
    await sleep(20);
  }
}

export function medianRun(runs: LoadRun[]): LoadRun {
  const m = (k: keyof LoadRun) => summarize(runs.map((r) => r[k])).median;
  return {
    rps: m('rps'),
    p99Ms: m('p99Ms'),
    p50Ms: m('p50Ms'),
    errors: runs.reduce((n, r) => n + r.errors, 0),
    requests: m('requests'),
    cpuUsPerReq: m('cpuUsPerReq'),
  };
}

/** Median over rounds of a's throughput ÷ b's in the same round (runs are in round order). */
export function pairedRpsRatio(a: LoadRun[], b: LoadRun[]): number {
  return pairedRpsRatios(a, b).median;
}

/** The ratios of requests/s of A ÷ B round by round (runs interleaved in the same round): median, min, max, rounds. */
export function pairedRpsRatios(a: LoadRun[], b: LoadRun[]): { median: number; min: number; max: number; rounds: number } {
  const n = Math.min(a.length, b.length);
  const ratios = Array.from({ length: n }, (_, i) => a[i]!.rps / b[i]!.rps);
  const s = summarize(ratios);
  return { median: s.median, min: Math.min(...ratios), max: Math.max(...ratios), rounds: n };
}

export async function benchService(opts: {
  readyRounds: number;
  loadRounds: number;
  loadSeconds: number;
  connections: number;
  settleMs: number;
  budget: Budget;
  pin: boolean;
}): Promise<ServiceResult> {
  const notes: string[] = [];
  const work = freshTempDir('svc');
  const children: ChildProcess[] = [];
  const sinks: HttpServer[] = [];
  try {
    const go = run('go', ['version'], { env: goEnv() }).stdout.trim();
    say('service: generating the default repo (metrics on)');
    const repo = generateReference(join(work, 'gen'));
    const record = JSON.parse(readFileSync(join(repo, '.go-k8s-service.json'), 'utf8')) as { answers: { metrics?: boolean } };
    if (record.answers.metrics !== true) notes.push('the default answers have metrics off; the bench expects them on');

    const bin = { service: join(work, 'bin', 'service'), bare: join(work, 'bin', 'bare'), probe: join(work, 'bin', 'startprobe') };
    say(`service: go build ${BUILD_FLAGS.join(' ')} (the generated service downloads its modules on first build)`);
    let t0 = Date.now();
    try {
      await runAsync('go', ['build', ...BUILD_FLAGS, '-o', bin.service, `./cmd/${SERVICE_NAME}`], { cwd: repo, env: goEnv() });
    } catch (err) {
      notes.push(`go build failed with the generated go.sum; retried with -mod=mod: ${(err as Error).message.split('\n')[0]}`);
      await runAsync('go', ['build', '-mod=mod', ...BUILD_FLAGS, '-o', bin.service, `./cmd/${SERVICE_NAME}`], { cwd: repo, env: goEnv() });
    }
    const serviceBuild = (Date.now() - t0) / 1000;
    t0 = Date.now();
    const goDir = join(BENCH_DIR, 'go');
    await runAsync('go', ['build', ...BUILD_FLAGS, '-o', bin.bare, './bare'], { cwd: goDir, env: goEnv() });
    const bareBuild = (Date.now() - t0) / 1000;
    await runAsync('go', ['build', ...BUILD_FLAGS, '-o', bin.probe, './startprobe'], { cwd: goDir, env: goEnv() });
    const hwBin = join(work, 'bin', 'handwritten');
    await runAsync('go', ['build', ...BUILD_FLAGS, '-o', hwBin, './handwritten'], { cwd: goDir, env: goEnv() });
    const fixedRateBin = join(work, 'bin', 'fixedrate');
    await runAsync('go', ['build', ...BUILD_FLAGS, '-o', fixedRateBin, './fixedrate'], { cwd: goDir, env: goEnv() });

    // The same service with tracing compiled in: off at run time, and on with its default sampling.
    let tracingBinaryBytes: number | undefined;
    let tracingTags = '';
    const trBin = join(work, 'bin', 'service-tracing');
    try {
      const tr = join(work, 'gen-tracing', SERVICE_NAME);
      run(process.execPath, [join(ROOT, 'dist', 'cli.cjs'), tr, '--yes', '--tracing', '--no-git', '--no-install'], { cwd: work });
      // The build tags of its Dockerfile (grpcnotrace), so that the size is the image's.
      tracingTags = dockerfileBuildTags(readFileSync(join(tr, 'Dockerfile'), 'utf8'));
      await runAsync('go', ['build', '-mod=mod', ...BUILD_FLAGS, `-tags=${tracingTags}`, '-o', trBin, `./cmd/${SERVICE_NAME}`], {
        cwd: tr,
        env: goEnv(),
      });
      tracingBinaryBytes = statSync(trBin).size;
    } catch (err) {
      notes.push(`--tracing variant not built: ${(err as Error).message.split('\n')[0]}`);
    }

    // What the metrics stack weighs: the same service without it.
    let noMetricsBinaryBytes: number | undefined;
    try {
      const nm = join(work, 'gen-nometrics', SERVICE_NAME);
      run(process.execPath, [join(ROOT, 'dist', 'cli.cjs'), nm, '--yes', '--no-metrics', '--no-git', '--no-install'], { cwd: work });
      await runAsync('go', ['build', '-mod=mod', ...BUILD_FLAGS, '-o', join(work, 'bin', 'service-nometrics'), `./cmd/${SERVICE_NAME}`], {
        cwd: nm,
        env: goEnv(),
      });
      noMetricsBinaryBytes = statSync(join(work, 'bin', 'service-nometrics')).size;
    } catch (err) {
      notes.push(`--no-metrics variant not built: ${(err as Error).message.split('\n')[0]}`);
    }
    // Where the bytes go: the same builds without -s -w keep the symbol table to attribute them.
    const sizeBreakdown: ServiceResult['sizeBreakdown'] = {};
    for (const [id, dir, stripped] of [
      ['service', repo, bin.service],
      ['tracing', join(work, 'gen-tracing', SERVICE_NAME), trBin],
    ] as const) {
      if (id === 'tracing' && tracingBinaryBytes === undefined) continue;
      try {
        const full = `${stripped}-symbols`;
        const tags = id === 'tracing' ? [`-tags=${tracingTags}`] : [];
        await runAsync('go', ['build', '-mod=mod', '-trimpath', ...tags, '-o', full, `./cmd/${SERVICE_NAME}`], { cwd: dir, env: goEnv() });
        const nm = run('go', ['tool', 'nm', '-size', full], { env: goEnv() }).stdout;
        const mods = modulesOf(run('go', ['version', '-m', full], { env: goEnv() }).stdout);
        sizeBreakdown[id] = sizeByModule(nm, elfSections(readFileSync(full)), mods, statSync(stripped).size);
      } catch (err) {
        notes.push(`size breakdown of the ${id} binary failed: ${(err as Error).message.split('\n')[0]}`);
      }
    }
    const modules = run('go', ['version', '-m', bin.service], { env: goEnv() })
      .stdout.split('\n')
      .filter((l) => l.trim().startsWith('dep'))
      .map((l) => l.trim().split(/\s+/).slice(1, 3).join('@'));
    const size = (p: string) => statSync(p).size;
    const gz = (p: string) => gzipSync(readFileSync(p), { level: 6 }).length;
    const binaryBytes = { service: size(bin.service), bare: size(bin.bare) };
    const binaryGzipBytes = { service: gz(bin.service), bare: gz(bin.bare) };
    say(`service: binaries ${binaryBytes.service} B (service), ${binaryBytes.bare} B (bare)`);

    // CPU pinning: servers on the last core, the load generator on the first, so they do not
    // take turns on one core. Both servers get the same treatment.
    const ncpu = cpus().length;
    const taskset = opts.pin && ncpu >= 2 ? which('taskset') : undefined;
    const serverCpu = String(ncpu - 1);
    const pinned = taskset ? `servers on CPU ${serverCpu}, load generator on CPU 0 (taskset)` : 'not pinned';
    const onServerCpu = (argv: string[]) => (taskset ? [taskset, '-c', serverCpu, ...argv] : argv);

    // ---- start-to-ready and idle RSS ------------------------------------------------------
    // The service, bare, and (for attribution) the service generated with --no-metrics.
    const nmBin = join(work, 'bin', 'service-nometrics');
    const haveNm = noMetricsBinaryBytes !== undefined;
    const starters: { id: StartId; argv: string[]; ready: string }[] = [
      { id: 'service', argv: [bin.service], ready: '/ready' },
      { id: 'bare', argv: [bin.bare], ready: '/api/v1/hello' },
      ...(haveNm ? [{ id: 'serviceNoMetrics' as const, argv: [nmBin], ready: '/ready' }] : []),
    ];
    const ready: Record<StartId, number[]> = { service: [], bare: [], serviceNoMetrics: [] };
    const rss: Record<StartId, number[]> = { service: [], bare: [], serviceNoMetrics: [] };
    const rnd = seededRandom(42);
    say(`service: start-to-ready and idle RSS, ${opts.readyRounds} interleaved rounds (+1 warm-up), settle ${opts.settleMs} ms`);
    for (let i = 0; i <= opts.readyRounds; i++) {
      if (i > 3 && opts.budget.left() < 150) {
        notes.push(`start-to-ready: stopped after ${i - 1} rounds (time budget)`);
        break;
      }
      for (const s of shuffle(starters, rnd)) {
        const port = await freePort();
        const out = run(
          bin.probe,
          // Not pinned: taskset's own exec would add the same ~1 ms to each and blur the ratio.
          [`-url=http://127.0.0.1:${port}${s.ready}`, `-settle=${opts.settleMs}ms`, '--', ...s.argv],
          { env: serverEnv(port) },
        ).stdout;
        const r = JSON.parse(out) as { readyMs: number; rssKiB: number };
        if (i === 0) continue; // warm-up: page cache, first exec
        ready[s.id].push(r.readyMs);
        rss[s.id].push(r.rssKiB);
      }
    }
    // Where start-up goes before main(): Go's package initialisation, per package.
    const init: ServiceResult['init'] = {
      service: initTrace([bin.service, 'version'], {}),
      bare: initTrace([bin.bare], { PORT: 'not-a-port' }),
      ...(haveNm ? { serviceNoMetrics: initTrace([nmBin, 'version'], {}) } : {}),
    };

    // ---- load ------------------------------------------------------------------------------
    // Long-running servers: the two compared, plus two variants of the service that say where
    // its per-request cost goes (access log off via LOG_LEVEL=warn; metrics compiled out).
    const gen = loadGenerator();
    // An OTLP/HTTP sink for the tracing-on variant: accepts every export, keeps nothing.
    const sink = createHttpServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(200, { 'Content-Type': 'application/x-protobuf' }).end());
    });
    await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
    sinks.push(sink);
    const sinkUrl = `http://127.0.0.1:${(sink.address() as { port: number }).port}`;
    const haveTr = tracingBinaryBytes !== undefined;
    const targets: { id: LoadId; argv: string[]; env: NodeJS.ProcessEnv; ready: string }[] = [
      { id: 'service', argv: [bin.service], env: {}, ready: '/ready' },
      { id: 'bare', argv: [bin.bare], env: {}, ready: '/healthz' },
      { id: 'handwritten', argv: [hwBin], env: {}, ready: '/healthz' },
      { id: 'serviceNoAccessLog', argv: [bin.service], env: { LOG_LEVEL: 'warn' }, ready: '/ready' },
      ...(haveNm ? [{ id: 'serviceNoMetrics' as const, argv: [nmBin], env: {}, ready: '/ready' }] : []),
      ...(haveTr
        ? [
            { id: 'tracingOff' as const, argv: [trBin], env: {}, ready: '/ready' },
            { id: 'tracingOn' as const, argv: [trBin], env: { OTEL_EXPORTER_OTLP_ENDPOINT: sinkUrl }, ready: '/ready' },
          ]
        : []),
    ];
    const urls = {} as Record<LoadId, string>;
    const pids = {} as Record<LoadId, number>;
    const adminPort = await freePort();
    targets[0]!.env = { ADMIN_PORT: String(adminPort) }; // the service: /metrics is on its admin port
    for (const t of targets) {
      const port = await freePort();
      urls[t.id] = `http://127.0.0.1:${port}`;
      const argv = onServerCpu([...t.argv]);
      const child = spawn(argv[0]!, argv.slice(1), { env: { ...serverEnv(port), ...t.env }, stdio: 'ignore' });
      children.push(child);
      pids[t.id] = child.pid!; // with taskset, the server is taskset's exec'd program: same pid
    }
    for (const t of targets) await waitFor(urls[t.id] + t.ready);
    const responses: ServiceResult['responses'] = {};
    for (const route of ['/healthz', '/api/v1/hello']) {
      responses[route] = { service: (await waitFor(urls.service + route)).trim(), bare: (await waitFor(urls.bare + route)).trim() };
    }
    let metricsEndpoint = 'not checked';
    try {
      const r = await fetch(`http://127.0.0.1:${adminPort}/metrics`);
      const text = await r.text();
      metricsEndpoint = `GET /metrics → ${r.status}, ${text.split('\n').filter((l) => l && !l.startsWith('#')).length} samples`;
    } catch (err) {
      metricsEndpoint = `GET /metrics failed: ${(err as Error).message}`;
    }

    const threads = 1;
    const loadCmd = (url: string, seconds: number): string[] => {
      const base =
        gen.kind === 'wrk'
          ? [gen.tool.path, `-t${threads}`, `-c${opts.connections}`, `-d${seconds}s`, '--latency', url]
          : [gen.tool.path, '-z', `${seconds}s`, '-c', String(opts.connections), url];
      return taskset ? [taskset, '-c', '0', ...base] : base;
    };
    const load1 = async (url: string, seconds: number, pid?: number): Promise<LoadRun> => {
      const argv = loadCmd(url, seconds);
      const cpu0 = pid ? cpuMsOf(pid) : 0;
      const { stdout } = await runAsync(argv[0]!, argv.slice(1));
      const cpu = pid ? cpuMsOf(pid) - cpu0 : Number.NaN;
      const r = gen.kind === 'wrk' ? parseWrk(stdout) : parseHey(stdout);
      return { ...r, cpuUsPerReq: (cpu * 1000) / r.requests };
    };
    // Which server answers which route in the rounds: the variants only on the API route.
    const plan: [string, LoadId][] = [
      ['/healthz', 'service'],
      ['/healthz', 'bare'],
      ['/api/v1/hello', 'service'],
      ['/api/v1/hello', 'bare'],
      ...targets.filter((t) => t.id !== 'service' && t.id !== 'bare').map((t) => ['/api/v1/hello', t.id] as [string, LoadId]),
    ];
    say(`service: load warm-up (1 s per server and route) with ${gen.tool.name}`);
    for (const [route, id] of plan) await load1(urls[id] + route, 1);
    const raw: Record<string, Partial<Record<LoadId, LoadRun[]>>> = {};
    for (const [route, id] of plan) {
      raw[route] ??= {};
      raw[route][id] = [];
    }
    const perRound = plan.length * opts.loadSeconds + 2;
    let rounds = 0;
    for (let i = 0; i < opts.loadRounds; i++) {
      if (i >= 2 && opts.budget.left() < perRound + 30) {
        notes.push(`load: stopped after ${i} rounds (time budget)`);
        break;
      }
      for (const [route, id] of shuffle(plan, rnd)) raw[route]![id]!.push(await load1(urls[id] + route, opts.loadSeconds, pids[id]));
      rounds++;
      const line = Object.entries(raw)
        .map(
          ([rt, by]) =>
            `${rt} ${Object.entries(by)
              .map(([id, runs]) => `${id} ${medianRun(runs!).rps.toFixed(0)}`)
              .join(', ')}`,
        )
        .join('; ');
      say(`service: load round ${i + 1}/${opts.loadRounds}: median req/s: ${line}`);
    }
    const load: ServiceResult['load'] = {};
    for (const [route, by] of Object.entries(raw)) {
      const service = by.service ?? [];
      const bare = by.bare ?? [];
      const variants: Record<string, { runs: LoadRun[]; median: LoadRun }> = {};
      for (const [id, runs] of Object.entries(by)) {
        if (id !== 'service' && id !== 'bare') variants[VARIANT_LABELS[id as LoadId]] = { runs: runs!, median: medianRun(runs!) };
      }
      load[route] = { service, bare, medians: { service: medianRun(service), bare: medianRun(bare) }, variants };
      const errs = Object.entries(by).filter(([, runs]) => runs!.some((r) => r.errors > 0));
      if (errs.length) notes.push(`${route}: errors or non-2xx under load from ${errs.map(([id]) => id).join(', ')}`);
    }
    const rssAfterLoadKiB = { service: rssOf(pids.service), bare: rssOf(pids.bare) };

    // ---- CPU per request at a fixed moderate rate ------------------------------------------
    // Full-load CPU per request includes what a saturated server does differently (batching
    // in the kernel, fewer idle wake-ups); the target is at a rate both keep up with easily.
    let fixedRate: ServiceResult['fixedRate'];
    const hwLoad = raw['/api/v1/hello']?.handwritten;
    const svcLoad = raw['/api/v1/hello']?.service;
    if (hwLoad?.length && svcLoad?.length) {
      const route = '/api/v1/hello';
      const share = FIXED_RATE_SHARE;
      const rate = moderateRate([medianRun(svcLoad).rps, medianRun(hwLoad).rps], share);
      const requestsPerRun = Math.round(rate * opts.loadSeconds);
      const fixed1 = async (id: 'service' | 'handwritten', n: number): Promise<FixedRateSample> => {
        const base = [
          fixedRateBin,
          `-url=${urls[id]}${route}`,
          `-rate=${rate}`,
          `-n=${n}`,
          `-max=${opts.loadSeconds * 2 + 5}s`,
          `-inflight=${FIXED_RATE_INFLIGHT}`,
        ];
        const argv = taskset ? [taskset, '-c', '0', ...base] : base;
        const cpu0 = processCpuNs(pids[id]);
        const { stdout } = await runAsync(argv[0]!, argv.slice(1));
        const cpuNs = processCpuNs(pids[id]) - cpu0;
        const r = parseFixedRate(stdout);
        return { ...r, cpuNs, cpuUsPerReq: cpuUsPerRequest(r, cpuNs) ?? Number.NaN };
      };
      say(
        `service: CPU per request at a fixed ${rate} req/s (${share * 100} % of the slower server's full load), ${requestsPerRun} requests per run`,
      );
      for (const id of ['service', 'handwritten'] as const) await fixed1(id, Math.round(rate / 2)); // warm-up: connections, pools
      const samples = { service: [] as FixedRateSample[], handwritten: [] as FixedRateSample[] };
      for (let i = 0; i < opts.loadRounds; i++) {
        if (i >= 2 && opts.budget.left() < 2 * opts.loadSeconds + 20) {
          notes.push(`fixed rate: stopped after ${i} rounds (time budget)`);
          break;
        }
        for (const id of shuffle(['service', 'handwritten'] as const, rnd)) samples[id].push(await fixed1(id, requestsPerRun));
        const c = compareCpuPerRequest(samples.service, samples.handwritten);
        say(
          `service: fixed-rate round ${i + 1}/${opts.loadRounds}: CPU per request ${c.a.median.toFixed(2)} vs ${c.b.median.toFixed(2)} µs (paired ${c.ratio.median.toFixed(3)}×)`,
        );
      }
      const comparison = compareCpuPerRequest(samples.service, samples.handwritten);
      if (comparison.invalidRounds)
        notes.push(`fixed rate: ${comparison.invalidRounds} round(s) left out (errors, skipped requests, or the rate not held)`);
      fixedRate = { route, rate, share, requestsPerRun, rounds: samples.service.length, ...samples, comparison };
    }

    return {
      go,
      buildFlags: BUILD_FLAGS.map((f) => (f.includes(' ') ? `"${f}"` : f)).join(' '),
      buildSeconds: { service: serviceBuild, bare: bareBuild },
      binaryBytes,
      binaryGzipBytes,
      noMetricsBinaryBytes,
      tracingBinaryBytes,
      tracingBuildTags: tracingTags,
      sizeBreakdown,
      modules,
      imageEstimate: {
        baseBytes: DISTROLESS_STATIC_BYTES,
        baseSource: process.env.CGKS_BENCH_BASE_IMAGE_BYTES
          ? 'CGKS_BENCH_BASE_IMAGE_BYTES'
          : 'the distroless README (GoogleContainerTools/distroless): the static image "is around 2 MiB"; 2 MiB = 2,097,152 B used, the same figure as test/support/image.ts',
        totalBytes: binaryBytes.service + DISTROLESS_STATIC_BYTES,
      },
      readyMs: { service: summarize(ready.service), bare: summarize(ready.bare) },
      rssKiB: { service: summarize(rss.service), bare: summarize(rss.bare) },
      noMetrics: haveNm ? { readyMs: summarize(ready.serviceNoMetrics), rssKiB: summarize(rss.serviceNoMetrics) } : undefined,
      init,
      rssAfterLoadKiB,
      load,
      fixedRate,
      loadConfig: { tool: gen.tool, kind: gen.kind, connections: opts.connections, threads, seconds: opts.loadSeconds, rounds, pinned },
      responses,
      metricsEndpoint,
      notes,
    };
  } finally {
    for (const c of children) {
      if (c.exitCode === null) c.kill('SIGKILL');
    }
    for (const k of sinks) k.close();
    removeDir(work);
  }
}

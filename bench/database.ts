// The generated service's example database route (GET /api/v1/notes/{id}, --database postgres,
// metrics on) against a hand-written pgx handler doing the same query (bench/database/pgxbare),
// side by side in one run: throughput and p99 under the same load, the same pool size, one
// throwaway PostgreSQL cluster (test/support/postgres.ts) on this machine.
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../test/support/go.js';
import { startCluster, type Cluster } from '../test/support/postgres.js';
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
  which,
  type Budget,
} from './lib/util.js';
import { BUILD_FLAGS, medianRun, parseHey, parseWrk, type LoadRun } from './service.js';

const NAME = 'notes';
const POOL = 10;

export interface DatabaseResult {
  route: string;
  pool: number;
  postgres: string;
  runs: { service: LoadRun[]; pgx: LoadRun[] };
  medians: { service: LoadRun; pgx: LoadRun };
  loadConfig: { tool: Tool; kind: string; connections: number; seconds: number; rounds: number; pinned: string };
  notes: string[];
}

const goEnv = () => ({ ...process.env, GOTOOLCHAIN: 'local', CGO_ENABLED: '0' });

async function waitFor(url: string, timeoutMs = 20_000): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    try {
      if ((await fetch(url)).status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() - t0 > timeoutMs) throw new Error(`${url} not 200 within ${timeoutMs} ms`);
    await sleep(50);
  }
}

export async function benchDatabase(opts: {
  loadRounds: number;
  loadSeconds: number;
  connections: number;
  budget: Budget;
  pin: boolean;
}): Promise<DatabaseResult> {
  const notes: string[] = [];
  const work = freshTempDir('db');
  const children: ChildProcess[] = [];
  let cluster: Cluster | undefined;
  try {
    say('database: generating a repo with --database postgres');
    const repo = join(work, NAME);
    run(process.execPath, [join(ROOT, 'dist', 'cli.cjs'), repo, '--yes', '--database', 'postgres', '--no-git', '--no-install'], {
      cwd: work,
    });
    mkdirSync(join(repo, 'cmd', 'pgxbare'), { recursive: true });
    copyFileSync(join(BENCH_DIR, 'database', 'pgxbare', 'main.go'), join(repo, 'cmd', 'pgxbare', 'main.go'));
    const bin = { service: join(work, 'bin', 'service'), pgx: join(work, 'bin', 'pgxbare') };
    say('database: go build (service and pgxbare, one go.mod)');
    await runAsync('go', ['build', ...BUILD_FLAGS, '-o', bin.service, `./cmd/${NAME}`], { cwd: repo, env: goEnv() });
    await runAsync('go', ['build', ...BUILD_FLAGS, '-o', bin.pgx, './cmd/pgxbare'], { cwd: repo, env: goEnv() });

    say('database: starting a throwaway PostgreSQL cluster');
    cluster = await startCluster();
    await cluster.start();
    const postgres = run('psql', ['-At', '-c', 'SHOW server_version', cluster.url], { allowFail: true }).stdout.trim() || 'unknown';
    const env = { ...process.env, DATABASE_URL: cluster.url, DATABASE_MAX_CONNS: String(POOL), HOST: '127.0.0.1', SHUTDOWN_DELAY: '0s' };
    run(bin.service, ['migrate', 'up'], { env });
    const insert = run('psql', ['-At', '-c', "INSERT INTO notes (body) VALUES ('a note to read under load') RETURNING id", cluster.url]);
    const id = insert.stdout.trim().split('\n')[0];
    const route = `/api/v1/notes/${id}`;

    const ncpu = cpus().length;
    const taskset = opts.pin && ncpu >= 2 ? which('taskset') : undefined;
    const pinned = taskset ? `servers on CPU ${ncpu - 1}, load generator on CPU 0 (taskset); PostgreSQL not pinned` : 'not pinned';
    const urls = {} as Record<'service' | 'pgx', string>;
    for (const id of ['service', 'pgx'] as const) {
      const port = await freePort();
      urls[id] = `http://127.0.0.1:${port}`;
      const argv = taskset ? [taskset, '-c', String(ncpu - 1), bin[id]] : [bin[id]];
      // Access log at warn: the comparison is the database path, not logging (bench/service.ts covers that).
      children.push(spawn(argv[0]!, argv.slice(1), { env: { ...env, PORT: String(port), LOG_LEVEL: 'warn' }, stdio: 'ignore' }));
    }
    await waitFor(`${urls.service}/ready`);
    await waitFor(`${urls.pgx}${route}`);
    await waitFor(`${urls.service}${route}`);

    const gen = loadGenerator();
    const load1 = async (url: string, seconds: number): Promise<LoadRun> => {
      const base =
        gen.kind === 'wrk'
          ? [gen.tool.path, '-t1', `-c${opts.connections}`, `-d${seconds}s`, '--latency', url]
          : [gen.tool.path, '-z', `${seconds}s`, '-c', String(opts.connections), url];
      const argv = taskset ? [taskset, '-c', '0', ...base] : base;
      const { stdout } = await runAsync(argv[0]!, argv.slice(1));
      return gen.kind === 'wrk' ? parseWrk(stdout) : parseHey(stdout);
    };
    say(`database: warm-up, then ${opts.loadRounds} interleaved rounds of ${opts.loadSeconds} s on ${route} with ${gen.tool.name}`);
    for (const id of ['service', 'pgx'] as const) await load1(urls[id] + route, 1);
    const runs: DatabaseResult['runs'] = { service: [], pgx: [] };
    const rnd = seededRandom(7);
    let rounds = 0;
    for (let i = 0; i < opts.loadRounds; i++) {
      if (i >= 2 && opts.budget.left() < 2 * opts.loadSeconds + 20) {
        notes.push(`stopped after ${i} rounds (time budget)`);
        break;
      }
      for (const id of shuffle(['service', 'pgx'] as const, rnd)) runs[id].push(await load1(urls[id] + route, opts.loadSeconds));
      rounds++;
      say(`database: round ${i + 1}: service ${runs.service.at(-1)!.rps.toFixed(0)} req/s, pgx ${runs.pgx.at(-1)!.rps.toFixed(0)} req/s`);
    }
    const medians = { service: medianRun(runs.service), pgx: medianRun(runs.pgx) };
    if (medians.service.errors || medians.pgx.errors) notes.push('errors or non-2xx responses under load');
    return {
      route: '/api/v1/notes/{id}',
      pool: POOL,
      postgres,
      runs,
      medians,
      loadConfig: { tool: gen.tool, kind: gen.kind, connections: opts.connections, seconds: opts.loadSeconds, rounds, pinned },
      notes,
    };
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await cluster?.destroy();
    removeDir(work);
  }
}

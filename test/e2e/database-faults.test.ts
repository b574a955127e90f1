// --database postgres under real production faults, against a real PostgreSQL server (a
// throwaway cluster from test/support/postgres.ts): a table locked by another session while
// clients keep asking for it, with a pool smaller than the clients.
// - Requests end within REQUEST_TIMEOUT + 1 s, answered 5xx, and logs and metrics record
//   what the clients got: no request that failed is counted as a 200.
// - DATABASE_STATEMENT_TIMEOUT ends a blocked query on the server, before REQUEST_TIMEOUT.
// - /ready stays 200 while the server answers (the watcher does not queue behind the pool),
//   and routes without the database keep answering 200.
// - With the server stopped, database routes fail fast with Retry-After, without one error
//   line per request.
// test-budget: 420 s (one go build with pgx, three lock phases of a few seconds)
import { rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execa } from 'execa';
import { freePort, get, go, startService, waitForStatus, type RunningService } from '../support/go.js';
import { startCluster, type Cluster } from '../support/postgres.js';
import { generate } from '../support/generate.js';

const NAME = 'demo-svc';
const NOTE_ROUTE = '/api/v1/notes/{id}';

let dir = '';
let bin = '';
let cluster: Cluster;
let noteId = 0;

interface Answer {
  status?: number;
  error?: string;
  ms: number;
  retryAfter?: string;
}

/** One GET on a keep-alive agent: the status (or the socket error) and how long it took. */
function send(agent: Agent, port: number, path: string): Promise<Answer> {
  const start = Date.now();
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, agent, timeout: 30_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode, ms: Date.now() - start, retryAfter: res.headers['retry-after'] }));
      res.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message, ms: Date.now() - start }));
    });
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message, ms: Date.now() - start }));
    req.end();
  });
}

/** Holds an ACCESS EXCLUSIVE lock on notes for ms, from a psql session of its own. */
function lockNotes(ms: number) {
  const psql = join(cluster.binDir, 'psql');
  return execa(
    psql,
    [
      cluster.url,
      '-v',
      'ON_ERROR_STOP=1',
      '-c',
      `BEGIN; LOCK TABLE notes IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(${ms / 1000}); COMMIT;`,
    ],
    {
      reject: false,
      all: true,
      stdin: 'ignore',
    },
  );
}

/** The value of one series of the service's metrics, 0 when absent. */
async function metric(adminPort: number, series: string): Promise<number> {
  const body = (await get(`http://127.0.0.1:${adminPort}/metrics`))?.body ?? '';
  const line = body.split('\n').find((l) => l.startsWith(series + ' '));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

interface Load {
  answers: Answer[];
  ready: number[];
  hello: number[];
}

/** 8 clients on the note route and a prober of /ready and /hello, for ms (bounded). */
async function underLoad(svc: RunningService, during: Promise<unknown>, ms: number): Promise<Load> {
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  const load: Load = { answers: [], ready: [], hello: [] };
  let stop = false;
  const until = Date.now() + ms;
  const clients = Array.from({ length: 8 }, async () => {
    while (!stop && Date.now() < until) load.answers.push(await send(agent, svc.port, `/api/v1/notes/${noteId}`));
  });
  const prober = (async () => {
    while (!stop && Date.now() < until) {
      load.ready.push((await get(svc.url('/ready'), 1500))?.status ?? 0);
      load.hello.push((await get(svc.url('/api/v1/hello'), 1500))?.status ?? 0);
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  await during;
  stop = true;
  await Promise.all([...clients, prober]);
  agent.destroy();
  return load;
}

const setup = suite('database faults: setup');
setup('a --database postgres repo builds; the cluster runs with the schema migrated and one note', async () => {
  dir = generate({ name: NAME, database: 'postgres' }, 'cgks-dbfaults-');
  bin = join(dir, 'bin', NAME);
  const b = await go(dir, ['build', '-o', bin, `./cmd/${NAME}`]);
  assert.is(b.exitCode, 0, b.all);
  cluster = await startCluster();
  await cluster.start();
  const up = await execa(bin, ['migrate', 'up'], { env: { PATH: process.env.PATH, DATABASE_URL: cluster.url }, reject: false, all: true });
  assert.is(up.exitCode, 0, up.all);
  const psql = join(cluster.binDir, 'psql');
  const ins = await execa(psql, [cluster.url, '-qAt', '-c', `INSERT INTO notes (body) VALUES ('seed') RETURNING id`], {
    reject: false,
    all: true,
  });
  assert.is(ins.exitCode, 0, ins.all);
  noteId = Number(ins.stdout.trim());
  assert.ok(noteId > 0, ins.all);
});
setup.run();

const faults = suite('database faults: a locked table under load');

faults(
  'REQUEST_TIMEOUT ends every blocked request within the deadline + 1 s with a 5xx; metrics and logs count no failure as 200; /ready stays 200',
  async () => {
    const port = await freePort();
    const admin = await freePort();
    const svc = startService(
      bin,
      {
        DATABASE_URL: cluster.url,
        DATABASE_MAX_CONNS: '4',
        REQUEST_TIMEOUT: '2s',
        WRITE_TIMEOUT: '5s',
        DATABASE_STATEMENT_TIMEOUT: '0s',
        SHUTDOWN_DELAY: '0s',
        ADMIN_PORT: String(admin),
      },
      port,
    );
    try {
      await waitForStatus(svc.url('/ready'), 200);
      const okBefore = await metric(admin, `http_requests_total{code="200",method="GET",route="${NOTE_ROUTE}"}`);
      // Probes before the watcher's first ping fail, rightly: only what follows counts.
      const startedLines = svc.stdout.length;
      const load = await underLoad(svc, lockNotes(7000), 9000);
      const { answers } = load;
      const late = answers.filter((a) => a.ms > 2000 + 1000);
      const broken = answers.filter((a) => a.error);
      const failed = answers.filter((a) => (a.status ?? 0) >= 500);
      const ok = answers.filter((a) => a.status === 200).length;
      console.log(
        `locked 7 s: ${answers.length} requests, ${ok} 200, ${failed.length} 5xx (${[...new Set(failed.map((a) => a.status))].join(', ')}), ${broken.length} broken, slowest ${Math.max(...answers.map((a) => a.ms))} ms; /ready ${summary(load.ready)}; /hello ${summary(load.hello)}`,
      );
      assert.ok(failed.length >= 8, `only ${failed.length} requests failed while the table was locked`);
      assert.equal(late.slice(0, 3), [], `${late.length} requests took longer than REQUEST_TIMEOUT + 1 s`);
      assert.equal(broken.slice(0, 3), [], `${broken.length} requests got no HTTP answer`);
      assert.ok(load.ready.length > 20, `only ${load.ready.length} readiness probes`);
      assert.equal(
        load.ready.filter((s) => s !== 200),
        [],
        '/ready must stay 200 while the server answers',
      );
      assert.equal(
        load.hello.filter((s) => s !== 200),
        [],
        'a route without the database must keep answering',
      );

      // What the clients saw is what the metrics count.
      const okCounted = (await metric(admin, `http_requests_total{code="200",method="GET",route="${NOTE_ROUTE}"}`)) - okBefore;
      assert.is(okCounted, ok, `${okCounted} requests counted as 200, clients got ${ok}`);
      const failedCounted = await sum(
        admin,
        (l) => l.startsWith('http_requests_total{') && l.includes(`route="${NOTE_ROUTE}"`) && /code="5\d\d"/.test(l),
      );
      assert.is(failedCounted, failed.length, `${failedCounted} 5xx counted, clients got ${failed.length}`);
      // The pool's saturation is visible.
      assert.ok((await metric(admin, 'database_pool_empty_acquires_total')) > 0, 'empty acquires counted');

      // And the access log: the failures at warn, not as 200.
      const lines = svc.stdout.map((l) => JSON.parse(l) as { message: string; level: string; route?: string; status?: number });
      const logged = lines.filter((l) => l.message === 'request' && l.route === NOTE_ROUTE);
      assert.is(logged.filter((l) => l.status === 200).length, ok, 'access lines with status 200');
      assert.ok(
        logged.filter((l) => (l.status ?? 0) >= 500).every((l) => l.level === 'warn'),
        'timeouts are logged at warn',
      );
      assert.ok(
        !lines.slice(startedLines).some((l) => l.message === 'readiness check failed'),
        'no readiness failure was logged under load',
      );
      // The start-up line names every setting, the database's included, the URL redacted.
      const starting = svc.stdout
        .map((l) => JSON.parse(l) as { message: string; config?: Record<string, string> })
        .find((l) => l.message === 'starting');
      assert.is(starting?.config?.REQUEST_TIMEOUT, '2s');
      assert.is(starting?.config?.DATABASE_STATEMENT_TIMEOUT, '0s');
      assert.is(starting?.config?.DATABASE_MAX_CONNS, '4');
      assert.is(starting?.config?.DATABASE_URL, '[redacted]');
    } finally {
      svc.proc.kill('SIGKILL');
    }
  },
);

faults('DATABASE_STATEMENT_TIMEOUT ends a blocked query on the server before REQUEST_TIMEOUT', async () => {
  const port = await freePort();
  const svc = startService(
    bin,
    {
      DATABASE_URL: cluster.url,
      DATABASE_MAX_CONNS: '4',
      REQUEST_TIMEOUT: '6s',
      WRITE_TIMEOUT: '10s',
      DATABASE_STATEMENT_TIMEOUT: '1s',
      SHUTDOWN_DELAY: '0s',
    },
    port,
  );
  try {
    await waitForStatus(svc.url('/ready'), 200);
    const load = await underLoad(svc, lockNotes(5000), 7000);
    const failed = load.answers.filter((a) => (a.status ?? 0) >= 500);
    const slowest = Math.max(...load.answers.map((a) => a.ms));
    console.log(
      `statement_timeout 1s: ${load.answers.length} requests, ${failed.length} 5xx, slowest ${slowest} ms; /ready ${summary(load.ready)}`,
    );
    assert.ok(failed.length >= 8, `only ${failed.length} requests failed while the table was locked`);
    // Pool waits add to a query's time, but never up to REQUEST_TIMEOUT.
    assert.ok(slowest < 6000, `a request took ${slowest} ms: statement_timeout did not end it`);
    assert.equal(
      load.ready.filter((s) => s !== 200),
      [],
      '/ready must stay 200 while the server answers',
    );
  } finally {
    svc.proc.kill('SIGKILL');
  }
});

faults(
  'with the server stopped, database routes fail fast with 503 and Retry-After, and errors are not logged once per request',
  async () => {
    const port = await freePort();
    const svc = startService(
      bin,
      { DATABASE_URL: cluster.url, SHUTDOWN_DELAY: '0s', DATABASE_CHECK_INTERVAL: '500ms', DATABASE_CHECK_TIMEOUT: '400ms' },
      port,
    );
    try {
      await waitForStatus(svc.url('/ready'), 200);
      await cluster.stop();
      const agent = new Agent({ keepAlive: true, maxSockets: 4 });
      // Wait until the watcher has seen the outage, then a bounded burst.
      const deadline = Date.now() + 5000;
      let first = await send(agent, port, `/api/v1/notes/${noteId}`);
      while (first.retryAfter === undefined && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        first = await send(agent, port, `/api/v1/notes/${noteId}`);
      }
      // DATABASE_READINESS=startup (the default): the pod stays in the Service.
      assert.is((await get(svc.url('/ready')))?.status, 200, '/ready during an outage after start-up');
      assert.is((await get(svc.url('/api/v1/hello')))?.status, 200, 'a route without the database during the outage');
      const before = svc.stdout.length;
      const burst: Answer[] = [];
      for (let i = 0; i < 200; i++) burst.push(await send(agent, port, `/api/v1/notes/${noteId}`));
      agent.destroy();
      const lines = svc.stdout.slice(before).map((l) => JSON.parse(l) as { message: string; level: string; route?: string });
      const nonAccess = lines.filter((l) => l.message !== 'request');
      const slowest = Math.max(...burst.map((a) => a.ms));
      console.log(
        `database down: 200 requests, statuses ${summary(burst.map((a) => a.status ?? 0))}, slowest ${slowest} ms, ${lines.length} log lines (${nonAccess.length} besides the access lines)`,
      );
      assert.equal(
        burst.filter((a) => a.status !== 503),
        [],
        'every request answered 503',
      );
      assert.ok(
        burst.every((a) => a.retryAfter !== undefined && Number(a.retryAfter) > 0),
        'every 503 carries Retry-After',
      );
      assert.ok(slowest < 500, `fail fast: a request took ${slowest} ms`);
      const failures = lines.filter((l) => l.message === 'request' && l.route === NOTE_ROUTE);
      assert.ok(failures.length > 0 && failures.every((l) => l.level === 'warn'), '503s are logged at warn');
      assert.ok(nonAccess.length <= 20, `${nonAccess.length} lines besides the access log for 200 failed requests`);
      assert.ok(!lines.some((l) => l.level === 'error'), 'nothing at error level');
    } finally {
      svc.proc.kill('SIGKILL');
      await cluster.start();
    }
  },
);

faults.after(async () => {
  await cluster?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});
faults.run();

/** "200×41, 503×2": each value with its count. */
function summary(values: number[]): string {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].map(([v, n]) => `${v}×${n}`).join(', ');
}

/** The sum of the metric lines that match. */
async function sum(adminPort: number, match: (line: string) => boolean): Promise<number> {
  const body = (await get(`http://127.0.0.1:${adminPort}/metrics`))?.body ?? '';
  return body
    .split('\n')
    .filter(match)
    .reduce((n, l) => n + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

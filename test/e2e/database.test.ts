// --database postgres, proven against a real PostgreSQL server (a throwaway cluster from
// test/support/postgres.ts): the generated Go tests pass against it, migrations run from the
// binary, the example route writes and reads, /ready follows the database down and up while
// /healthz stays 200, SIGTERM under load with queries in flight drains with no failed request
// and closes the pool after the drain, and a bad DATABASE_URL exits 2 with one line.
// test-budget: 900 s (go test -race of a repo with pgx and goose, several service runs)
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execa } from 'execa';
import { runCli } from '../support/cli.js';
import { freePort, get, go, startService, waitForStatus, type RunningService } from '../support/go.js';
import { startCluster, type Cluster } from '../support/postgres.js';
import { generate } from '../support/generate.js';
import { staticcheck } from '../support/tools.js';
import type { Answers } from '../../generators/model/questions.js';

const NAME = 'notes-svc';
// The readiness probe's period in the chart (values.yaml); /ready must follow the database within it.
const PROBE_PERIOD_MS = 5000;

let parent = '';
let dir = '';
let bin = '';
let cluster: Cluster;

const setup = suite('database: setup');
setup('--database postgres writes a repo that records the answer; it builds with the e2e route', async () => {
  parent = mkdtempSync(join(tmpdir(), 'cgks-database-'));
  dir = join(parent, NAME);
  const r = await runCli([dir, '--yes', '--no-git', '--no-install', '--json', '--database', 'postgres']);
  assert.is(r.exitCode, 0, r.stderr);
  const rec = JSON.parse(readFileSync(join(dir, '.go-k8s-service.json'), 'utf8'));
  assert.is(rec.answers.database, 'postgres');
  bin = join(dir, 'bin', NAME);
  const b = await go(dir, ['build', '-tags', 'e2e', '-o', bin, `./cmd/${NAME}`]);
  assert.is(b.exitCode, 0, b.all);
  cluster = await startCluster();
  await cluster.start();
});
setup.run();

const goTests = suite('database: the generated Go code');
goTests('go vet, gofmt and go mod tidy -diff are clean', async () => {
  const vet = await go(dir, ['vet', './...']);
  assert.is(vet.exitCode, 0, vet.all);
  const fmt = await execa('gofmt', ['-l', '.'], { cwd: dir, reject: false });
  assert.is(fmt.stdout.trim(), '', `not gofmt-clean:\n${fmt.stdout}`);
  const tidy = await go(dir, ['mod', 'tidy', '-diff']);
  assert.is(tidy.exitCode, 0, tidy.all);
});
goTests('go test -race passes with TEST_DATABASE_URL, the database tests not skipped', async () => {
  const r = await go(dir, ['test', '-race', '-count=1', '-v', './internal/database/', './...'], { TEST_DATABASE_URL: cluster.url });
  assert.is(r.exitCode, 0, r.all);
  assert.match(r.all, /--- PASS: TestWithServer/);
  assert.not.match(r.all, /--- SKIP/);
});
goTests('staticcheck is clean', async () => {
  const r = await staticcheck(dir);
  assert.ok(r.ok, r.output);
});
goTests.run();

// The other Go-relevant combinations with postgres: no metrics and no tracing (no query
// tracer at all), and every other answer flipped (metrics off, tracing on, the oldest Go).
const COMBOS: { label: string; answers: Partial<Answers> }[] = [
  { label: 'metrics and tracing off', answers: { database: 'postgres', metrics: false, tracing: false } },
  {
    label: 'every other answer flipped',
    answers: {
      database: 'postgres',
      name: 'orders-api',
      module: 'example.com/acme/orders-api/v2',
      metrics: false,
      tracing: true,
      goVersion: '1.25',
      port: 9090,
      ci: 'gitlab',
      baseImage: 'scratch',
    },
  },
];
for (const c of COMBOS) {
  const t = suite(`database: ${c.label}`);
  let repo = '';
  t.before(() => {
    repo = generate(c.answers, 'cgks-database-combo-');
  });
  t.after(() => rmSync(repo, { recursive: true, force: true }));
  t('go build, vet, test -race (against the cluster), gofmt, tidy and staticcheck pass', async () => {
    for (const args of [
      ['build', './...'],
      ['vet', './...'],
      ['test', '-race', '-count=1', './...'],
    ]) {
      const r = await go(repo, args, { TEST_DATABASE_URL: cluster.url });
      assert.is(r.exitCode, 0, `go ${args.join(' ')}:\n${r.all}`);
    }
    const fmt = await execa('gofmt', ['-l', '.'], { cwd: repo, reject: false });
    assert.is(fmt.stdout.trim(), '', `not gofmt-clean:\n${fmt.stdout}`);
    const tidy = await go(repo, ['mod', 'tidy', '-diff']);
    assert.is(tidy.exitCode, 0, tidy.all);
    const lint = await staticcheck(repo);
    assert.ok(lint.ok, lint.output);
  });
  t.run();
}

function exitWithin(svc: RunningService, ms: number) {
  return Promise.race([svc.exited, new Promise<never>((_, rej) => setTimeout(() => rej(new Error(`no exit within ${ms} ms`)), ms))]);
}

async function migrate(...args: string[]) {
  return execa(bin, ['migrate', ...args], { env: { PATH: process.env.PATH, DATABASE_URL: cluster.url }, reject: false, all: true });
}

/** One HTTP request on a keep-alive agent; resolves with the status or the error code. */
function send(
  agent: Agent,
  port: number,
  method: string,
  path: string,
  body?: string,
): Promise<{ status?: number; error?: string; start: number; text: string }> {
  const start = Date.now();
  return new Promise((resolve) => {
    const req = request(
      { host: '127.0.0.1', port, path, method, agent, timeout: 10_000, headers: body ? { 'content-type': 'application/json' } : {} },
      (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode, start, text }));
        res.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message, start, text }));
      },
    );
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message, start, text: '' }));
    req.end(body);
  });
}

const svcSuite = suite('database: the service');

svcSuite('migrate up, status, down and up again run from the binary', async () => {
  const up = await migrate('up');
  assert.is(up.exitCode, 0, up.all);
  const status = await migrate('status');
  assert.match(status.all, /00001_create_notes\.sql\s+applied/);
  const down = await migrate('down');
  assert.is(down.exitCode, 0, down.all);
  assert.match((await migrate('status')).all, /00001_create_notes\.sql\s+pending/);
  const again = await migrate('up');
  assert.is(again.exitCode, 0, again.all);
  const usage = await migrate('sideways');
  assert.is(usage.exitCode, 2, usage.all);
});

svcSuite(
  'DATABASE_READINESS=always: /ready 503 before the database is up, 200 after, 503 within a probe period when it stops, 200 when it returns; /healthz 200 throughout; the route writes and reads',
  async () => {
    await cluster.stop();
    const port = await freePort();
    // Metrics are served on the admin port, off the public one.
    const admin = await freePort();
    const metricsUrl = `http://127.0.0.1:${admin}/metrics`;
    const svc = startService(
      bin,
      { DATABASE_URL: cluster.url, SHUTDOWN_DELAY: '0s', ADMIN_PORT: String(admin), DATABASE_READINESS: 'always' },
      port,
    );
    const health: number[] = [];
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        health.push((await get(svc.url('/healthz'), 1000))?.status ?? 0);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    try {
      await waitForStatus(svc.url('/healthz'), 200);
      const before = await get(svc.url('/ready'));
      assert.is(before?.status, 503);
      assert.match(before!.body, /postgres/);
      // It stays alive and unready while the database is down.
      await new Promise((r) => setTimeout(r, 1500));
      assert.is((await get(svc.url('/ready')))?.status, 503);

      await cluster.start();
      const upMs = await waitForStatus(svc.url('/ready'), 200, PROBE_PERIOD_MS);
      console.log(`database up: /ready 200 after ${upMs} ms`);

      const agent = new Agent({ keepAlive: true });
      const created = await send(agent, port, 'POST', '/api/v1/notes', JSON.stringify({ body: 'written by the e2e test' }));
      assert.is(created.status, 201, created.text);
      const note = JSON.parse(created.text) as { id: number; body: string };
      const read = await send(agent, port, 'GET', `/api/v1/notes/${note.id}`);
      assert.is(read.status, 200, read.text);
      assert.is(JSON.parse(read.text).body, 'written by the e2e test');
      const list = await send(agent, port, 'GET', '/api/v1/notes');
      assert.ok((JSON.parse(list.text).notes as { id: number }[]).some((n) => n.id === note.id));
      agent.destroy();
      // The dependency's state and the pool in the metrics, next to the HTTP ones.
      const up = (await get(metricsUrl))!.body;
      assert.match(up, /^database_up 1$/m);
      assert.match(up, /^database_pool_max_connections 10$/m);
      assert.match(up, /^database_query_duration_seconds_count\{outcome="ok"\} [1-9]/m);
      assert.match(up, /^http_requests_total\{code="201",method="POST",route="\/api\/v1\/notes"\} 1$/m);
      // Probes read the watcher's last ping: 300 of them take no connection from the pool
      // beyond the watcher's own pings (one per DATABASE_CHECK_INTERVAL, 2s).
      const acquires = async () => Number(/^database_pool_acquires_total (\d+)$/m.exec((await get(metricsUrl))!.body)?.[1]);
      const acquiredBefore = await acquires();
      const probing = Date.now();
      for (let i = 0; i < 300; i++) assert.is((await get(svc.url('/ready')))?.status, 200);
      const pings = Math.ceil((Date.now() - probing) / 2000) + 1;
      const taken = (await acquires()) - acquiredBefore;
      console.log(`300 probes in ${Date.now() - probing} ms took ${taken} pool connections (watcher pings allowed: ${pings})`);
      assert.ok(taken <= pings, `300 probes took ${taken} connections from the pool`);

      const stopped = Date.now();
      await cluster.stop();
      const downMs = await waitForStatus(svc.url('/ready'), 503, PROBE_PERIOD_MS);
      console.log(
        `database stopped: /ready 503 ${downMs} ms after pg_ctl stop returned (the stop itself took ${Date.now() - stopped - downMs} ms)`,
      );
      const failing = await get(svc.url('/api/v1/notes'));
      assert.is(failing?.status, 503);
      assert.match((await get(metricsUrl))!.body, /^database_up 0$/m);

      await cluster.start();
      const backMs = await waitForStatus(svc.url('/ready'), 200, PROBE_PERIOD_MS);
      console.log(`database back: /ready 200 after ${backMs} ms`);

      watching = false;
      await watcher;
      assert.ok(health.length > 20, `only ${health.length} liveness probes`);
      assert.equal(
        health.filter((s) => s !== 200),
        [],
        '/healthz answered something else than 200',
      );
      const logs = svc.stdout.map((l) => JSON.parse(l) as { message: string; level: string });
      assert.ok(logs.some((l) => l.message === 'database is not answering' && l.level === 'warn'));
      assert.ok(logs.some((l) => l.message === 'database is answering'));
    } finally {
      watching = false;
      await watcher;
      svc.proc.kill('SIGKILL');
    }
  },
);

svcSuite('under load with queries in flight, SIGTERM drains with no failed request, then closes the pool', async () => {
  const port = await freePort();
  const svc = startService(
    bin,
    { DATABASE_URL: cluster.url, SHUTDOWN_DELAY: '1500ms', SHUTDOWN_TIMEOUT: '5s', DATABASE_MAX_CONNS: '4' },
    port,
  );
  try {
    await waitForStatus(svc.url('/ready'), 200);
    const agent = new Agent({ keepAlive: true, maxSockets: 16 });
    const seed = await send(agent, port, 'POST', '/api/v1/notes', JSON.stringify({ body: 'seed' }));
    const id = JSON.parse(seed.text).id as number;
    const results: Awaited<ReturnType<typeof send>>[] = [];
    let stop = false;
    const deadline = Date.now() + 15_000;
    // 16 clients on a pool of 4: requests queue for connections, so queries are always in flight.
    const clients = Array.from({ length: 16 }, async (_, i) => {
      for (let n = 0; !stop && Date.now() < deadline; n++) {
        const r =
          n % 4 === 0
            ? await send(agent, port, 'POST', '/api/v1/notes', JSON.stringify({ body: `load ${i}/${n}` }))
            : await send(agent, port, 'GET', `/api/v1/notes/${id}`);
        results.push(r);
        if (r.error === 'ECONNREFUSED') break;
      }
    });
    await new Promise((r) => setTimeout(r, 700));
    const signalled = Date.now();
    svc.proc.kill('SIGTERM');
    const exit = await exitWithin(svc, 1500 + 5000 + 3000);
    stop = true;
    await Promise.all(clients);
    agent.destroy();
    assert.is(exit.code, 0, svc.stderr.join('\n'));
    const refused = results.filter((r) => r.error === 'ECONNREFUSED');
    const listenerClosed = refused.length ? Math.min(...refused.map((r) => r.start)) : exit.at;
    const failed = results.filter((r) => r.start < listenerClosed && (r.error || (r.status ?? 0) >= 300));
    const servedDuringDrain = results.filter((r) => r.start > signalled && (r.status === 200 || r.status === 201)).length;
    console.log(
      `drain: ${results.length} requests, ${servedDuringDrain} served after SIGTERM, ${failed.length} failed, exit ${exit.code} after ${exit.at - signalled} ms`,
    );
    assert.ok(results.length > 200, `only ${results.length} requests were sent`);
    assert.ok(servedDuringDrain > 50, `only ${servedDuringDrain} requests were served during the drain`);
    assert.equal(failed.slice(0, 5), [], `${failed.length} of ${results.length} requests failed before the listener closed`);
    const messages = svc.stdout.map((l) => (JSON.parse(l) as { message: string }).message);
    const drained = messages.indexOf('delay over: closing the listener, draining connections');
    const closed = messages.indexOf('database pool closed');
    assert.ok(drained >= 0 && closed > drained, `the pool must close after the drain: ${messages.join(' | ')}`);
    assert.is(messages.at(-1), 'stopped');
  } finally {
    svc.proc.kill('SIGKILL');
  }
});

svcSuite('a bad DATABASE_URL exits 2 with one line naming it, the password masked, nothing logged', async () => {
  const r = await execa(bin, [], {
    env: { PATH: process.env.PATH, PORT: String(await freePort()), DATABASE_URL: 'postgres://app:s3cret@db:5432/app?sslmode=maybe' },
    reject: false,
    timeout: 10_000,
  });
  assert.is(r.exitCode, 2);
  assert.is(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /DATABASE_URL/);
  assert.not.match(r.stderr + r.stdout, /s3cret/);
  assert.is(r.stdout, '');
});

svcSuite('the password of a good DATABASE_URL never reaches the log', async () => {
  const port = await freePort();
  const url = cluster.url.replace('app@', 'app:pw-not-for-logs@');
  const svc = startService(bin, { DATABASE_URL: url, SHUTDOWN_DELAY: '0s' }, port);
  try {
    await waitForStatus(svc.url('/ready'), 200);
    svc.proc.kill('SIGTERM');
    await exitWithin(svc, 10_000);
    const all = [...svc.stdout, ...svc.stderr].join('\n');
    assert.match(all, /database pool opened/);
    assert.not.match(all, /pw-not-for-logs/);
  } finally {
    svc.proc.kill('SIGKILL');
  }
});

svcSuite.after(async () => {
  await cluster?.destroy();
  if (parent) rmSync(parent, { recursive: true, force: true });
});
svcSuite.run();

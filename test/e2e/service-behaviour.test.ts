// The generated service's behaviour, proven from outside against the built binary:
// draining under load on SIGTERM, in-flight requests completing, faults that exit with one
// clear line, a second signal, Slowloris, the access log and the RED metrics.
import { connect } from 'node:net';
import { join } from 'node:path';
import { Agent, request } from 'node:http';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { freePort, get, go, startService, waitForStatus, type RunningService } from '../support/go.js';
import { generate } from '../support/generate.js';
import { addSlowRoute } from '../support/slow-route.js';

const NAME = 'demo-svc';
let bin = '';
/** The same service built with -tags pprof: the only build that has Go's profiles. */
let pprofBin = '';

function exitWithin(svc: RunningService, ms: number) {
  return Promise.race([svc.exited, new Promise<never>((_, rej) => setTimeout(() => rej(new Error(`no exit within ${ms} ms`)), ms))]);
}

/** One HTTP GET on a keep-alive agent; resolves with the status or the error code. */
function hit(agent: Agent, port: number, path: string): Promise<{ status?: number; error?: string; start: number; end: number }> {
  const start = Date.now();
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, agent, timeout: 10_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode, start, end: Date.now() }));
      res.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message, start, end: Date.now() }));
    });
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message, start, end: Date.now() }));
    req.end();
  });
}

const setup = suite('service: build');
setup('builds the default service with the e2e test route', async () => {
  const dir = generate({ name: NAME }, 'cgks-behaviour-');
  addSlowRoute(dir);
  bin = join(dir, 'bin', NAME);
  const r = await go(dir, ['build', '-o', bin, `./cmd/${NAME}`]);
  assert.is(r.exitCode, 0, r.all);
  pprofBin = join(dir, 'bin', `${NAME}-pprof`);
  const p = await go(dir, ['build', '-tags', 'pprof', '-o', pprofBin, `./cmd/${NAME}`]);
  assert.is(p.exitCode, 0, p.all);
});
setup.run();

const shutdown = suite('service: shutdown');

shutdown(
  'under load, SIGTERM turns /ready 503 at once, every request sent before the listener closes succeeds, and it exits 0',
  async () => {
    const port = await freePort();
    const svc = startService(bin, { SHUTDOWN_DELAY: '1500ms', SHUTDOWN_TIMEOUT: '5s' }, port);
    try {
      await waitForStatus(svc.url('/ready'), 200);
      const agent = new Agent({ keepAlive: true, maxSockets: 8 });
      const results: Awaited<ReturnType<typeof hit>>[] = [];
      let stop = false;
      const deadline = Date.now() + 15_000;
      const workers = Array.from({ length: 8 }, async () => {
        for (let i = 0; i < 5000 && !stop && Date.now() < deadline; i++) {
          const r = await hit(agent, port, '/api/v1/hello');
          results.push(r);
          if (r.error === 'ECONNREFUSED') break;
        }
      });
      await new Promise((r) => setTimeout(r, 500));
      const signalled = Date.now();
      svc.proc.kill('SIGTERM');
      const readyAfterMs = await waitForStatus(svc.url('/ready'), 503, 1000);
      assert.ok(readyAfterMs < 500, `/ready took ${readyAfterMs} ms to turn 503`);
      const exit = await exitWithin(svc, 1500 + 5000 + 2000);
      stop = true;
      await Promise.all(workers);
      agent.destroy();
      assert.is(exit.code, 0, svc.stderr.join('\n'));
      const refused = results.filter((r) => r.error === 'ECONNREFUSED');
      const listenerClosed = refused.length ? Math.min(...refused.map((r) => r.start)) : exit.at;
      const failed = results.filter((r) => r.start < listenerClosed && (r.error || (r.status ?? 0) >= 300));
      const okAfterSignal = results.filter((r) => r.start > signalled && r.status === 200).length;
      assert.ok(results.length > 200, `only ${results.length} requests were sent`);
      assert.ok(okAfterSignal > 50, `only ${okAfterSignal} requests were served during the drain`);
      assert.equal(failed.slice(0, 5), [], `${failed.length} of ${results.length} requests failed before the listener closed`);
    } finally {
      svc.proc.kill('SIGKILL');
    }
  },
);

shutdown('a slow request in flight at SIGTERM completes before the process exits 0', async () => {
  const port = await freePort();
  const svc = startService(bin, { SHUTDOWN_DELAY: '0s', SHUTDOWN_TIMEOUT: '10s' }, port);
  try {
    await waitForStatus(svc.url('/ready'), 200);
    const slow = get(svc.url('/debug/slow?d=2s'), 10_000);
    await new Promise((r) => setTimeout(r, 300));
    svc.proc.kill('SIGTERM');
    const r = await slow;
    assert.is(r?.status, 200, 'the in-flight request did not complete');
    const exit = await exitWithin(svc, 10_000);
    assert.is(exit.code, 0);
  } finally {
    svc.proc.kill('SIGKILL');
  }
});

// A SIGTERM within a second of the first is the same request sent twice (process-group
// delivery: tini -g, timeout, kill -- -PGID) and is ignored; a later one forces the exit.
const DUPLICATE_WINDOW_MS = 1000;

shutdown('a second SIGTERM during the drain, after the duplicate window, exits at once, non-zero', async () => {
  const port = await freePort();
  const svc = startService(bin, { SHUTDOWN_DELAY: '20s', SHUTDOWN_TIMEOUT: '20s' }, port);
  try {
    await waitForStatus(svc.url('/ready'), 200);
    const first = Date.now();
    svc.proc.kill('SIGTERM');
    await waitForStatus(svc.url('/ready'), 503, 1000);
    await new Promise((r) => setTimeout(r, first + DUPLICATE_WINDOW_MS + 200 - Date.now()));
    const second = Date.now();
    svc.proc.kill('SIGTERM');
    const exit = await exitWithin(svc, 3000);
    assert.ok(exit.at - second < 1500, `took ${exit.at - second} ms after the second signal`);
    assert.is.not(exit.code, 0);
  } finally {
    svc.proc.kill('SIGKILL');
  }
});

/** Sends a second SIGTERM once the service has acted on the first (/ready answers 503) and
 *  expects it to exit at once, non-zero, naming the second signal. Two signals sent closer
 *  together than that may be merged into one by the kernel or the Go runtime. */
async function secondSigtermExitsAtOnce(svc: RunningService, run: number, beforeSecond: () => void = () => undefined) {
  const first = Date.now();
  await waitForStatus(svc.url('/ready'), 503, 2000);
  beforeSecond();
  await new Promise((r) => setTimeout(r, first + DUPLICATE_WINDOW_MS + 200 - Date.now()));
  const second = Date.now();
  svc.proc.kill('SIGTERM');
  const exit = await exitWithin(svc, 3000).catch((e: Error) => {
    throw new Error(`run ${run}: ${e.message}: the second signal was lost and the drain went on`);
  });
  assert.ok(exit.at - second < 2000, `run ${run}: took ${exit.at - second} ms after the second signal`);
  assert.is.not(exit.code, 0, `run ${run}`);
  assert.match(svc.stderr.join('\n'), /second signal/, `run ${run}`);
}

shutdown('a duplicate SIGTERM right after the first is ignored: the drain completes and exits 0 (10 runs)', async () => {
  for (let run = 1; run <= 10; run++) {
    const port = await freePort();
    const svc = startService(bin, { SHUTDOWN_DELAY: '300ms', SHUTDOWN_TIMEOUT: '5s' }, port);
    try {
      await waitForStatus(svc.url('/ready'), 200);
      svc.proc.kill('SIGTERM');
      svc.proc.kill('SIGTERM');
      const exit = await exitWithin(svc, 5000);
      assert.is(exit.code, 0, `run ${run}: ${svc.stderr.join('\n')}`);
      assert.not.match(svc.stderr.join('\n'), /second signal/, `run ${run}`);
    } finally {
      svc.proc.kill('SIGKILL');
    }
  }
});

shutdown('a second SIGTERM after the duplicate window always exits at once (20 runs)', async () => {
  for (let run = 1; run <= 20; run++) {
    const port = await freePort();
    const svc = startService(bin, { SHUTDOWN_DELAY: '20s', SHUTDOWN_TIMEOUT: '20s' }, port);
    try {
      await waitForStatus(svc.url('/ready'), 200);
      svc.proc.kill('SIGTERM');
      await secondSigtermExitsAtOnce(svc, run);
    } finally {
      svc.proc.kill('SIGKILL');
    }
  }
});

shutdown('a second SIGTERM is not lost while the service is busy logging the first (5 runs)', async () => {
  // Not reading the service's stdout fills the pipe, so its next log line blocks: the
  // first signal's "shutdown requested" line holds the service between acting on that
  // signal and going on with the shutdown, where a late-registered handler missed the second.
  for (let run = 1; run <= 5; run++) {
    const port = await freePort();
    const svc = startService(bin, { SHUTDOWN_DELAY: '20s', SHUTDOWN_TIMEOUT: '20s' }, port);
    try {
      await waitForStatus(svc.url('/ready'), 200);
      svc.proc.stdout!.pause();
      const longId = { 'X-Request-Id': 'x'.repeat(128) };
      for (let i = 0; i < 5000; i++) {
        const r = await fetch(svc.url('/api/v1/hello'), { headers: longId, signal: AbortSignal.timeout(300) }).catch(() => undefined);
        if (!r) break; // its access log line is stuck: stdout is full
        await r.text();
      }
      svc.proc.kill('SIGTERM');
      await secondSigtermExitsAtOnce(svc, run, () => {
        setTimeout(() => svc.proc.stdout!.resume(), 300);
      });
    } finally {
      svc.proc.kill('SIGKILL');
    }
  }
});

shutdown('when the shutdown timeout forces connections closed, the exit code is non-zero', async () => {
  const port = await freePort();
  const svc = startService(bin, { SHUTDOWN_DELAY: '0s', SHUTDOWN_TIMEOUT: '500ms' }, port);
  try {
    await waitForStatus(svc.url('/ready'), 200);
    void get(svc.url('/debug/slow?d=5s'), 10_000);
    await new Promise((r) => setTimeout(r, 300));
    svc.proc.kill('SIGTERM');
    const exit = await exitWithin(svc, 4000);
    assert.is.not(exit.code, 0);
  } finally {
    svc.proc.kill('SIGKILL');
  }
});

shutdown.run();

const faults = suite('service: faults');

async function failsWithOneLine(env: NodeJS.ProcessEnv, port: number, mention: RegExp) {
  const svc = startService(bin, env, port);
  const exit = await exitWithin(svc, 5000);
  assert.is.not(exit.code, 0, 'it should not start');
  const lines = [...svc.stdout, ...svc.stderr];
  const errors = lines.filter((l) => !/"level":"(debug|info|trace)"/.test(l));
  assert.is(errors.length, 1, `expected one line, got:\n${lines.join('\n')}`);
  assert.match(errors[0]!, mention);
  assert.not.match(lines.join('\n'), /goroutine \d+ \[|panic:/);
}

faults('an invalid PORT exits non-zero with one line naming it', async () => {
  await failsWithOneLine({ PORT: 'abc' }, 0, /PORT/);
});

faults('an unknown LOG_LEVEL exits non-zero with one line naming it', async () => {
  await failsWithOneLine({ LOG_LEVEL: 'loud' }, await freePort(), /LOG_LEVEL/);
});

faults('a port already in use exits non-zero with one clear line', async () => {
  const port = await freePort();
  const { createServer } = await import('node:net');
  const blocker = createServer().listen(port, '0.0.0.0');
  await new Promise((r) => blocker.once('listening', r));
  try {
    const svc = startService(bin, {}, port);
    const exit = await exitWithin(svc, 5000);
    assert.is.not(exit.code, 0);
    const errors = [...svc.stdout, ...svc.stderr].filter((l) => !/"level":"(debug|info|trace)"/.test(l));
    assert.is(errors.length, 1, errors.join('\n'));
    assert.match(errors[0]!, /address already in use|in use/);
  } finally {
    blocker.close();
  }
});

faults.run();

const http = suite('service: HTTP');

http('REQUEST_TIMEOUT: a handler out of time answers 503 in JSON at the deadline, logged at warn and counted as 503', async () => {
  const port = await freePort();
  const admin = await freePort();
  const svc = startService(bin, { REQUEST_TIMEOUT: '1s', WRITE_TIMEOUT: '3s', ADMIN_PORT: String(admin) }, port);
  try {
    await waitForStatus(svc.url('/ready'), 200);
    const start = Date.now();
    const r = await fetch(svc.url('/debug/slow?d=10s'), { headers: { 'X-Request-Id': 'req-deadline' }, signal: AbortSignal.timeout(8000) });
    const took = Date.now() - start;
    assert.is(r.status, 503);
    assert.equal(await r.json(), { error: 'request timed out' });
    assert.ok(took >= 1000 && took < 2000, `answered after ${took} ms, want REQUEST_TIMEOUT (1 s)`);
    const metrics = (await get(`http://127.0.0.1:${admin}/metrics`))!.body;
    assert.match(metrics, /^http_requests_total\{code="503",method="GET",route="\/debug\/slow"\} 1$/m);
    const line = svc.stdout
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((e) => e.request_id === 'req-deadline' && e.message === 'request');
    assert.is(line?.status, 503, JSON.stringify(line));
    assert.is(line?.level, 'warn');
    // REQUEST_TIMEOUT must leave the handler time to answer before WRITE_TIMEOUT.
    const bad = startService(bin, { REQUEST_TIMEOUT: '30s', WRITE_TIMEOUT: '30s' }, await freePort());
    const exit = await exitWithin(bad, 5000);
    assert.is(exit.code, 2);
    assert.match(bad.stderr.join('\n'), /REQUEST_TIMEOUT/);
  } finally {
    svc.proc.kill('SIGKILL');
  }
});

http('a wrong method gets a JSON 405 with Allow, counted under its route; an unknown path a JSON 404', async () => {
  const port = await freePort();
  const admin = await freePort();
  const svc = startService(bin, { ADMIN_PORT: String(admin) }, port);
  try {
    await waitForStatus(svc.url('/ready'), 200);
    const r405 = await fetch(svc.url('/api/v1/hello'), { method: 'DELETE' });
    assert.is(r405.status, 405);
    assert.is(r405.headers.get('allow'), 'GET, HEAD');
    assert.is(r405.headers.get('content-type'), 'application/json');
    assert.equal(await r405.json(), { error: 'method not allowed' });
    const r404 = await fetch(svc.url('/no/such/thing'));
    assert.is(r404.status, 404);
    assert.equal(await r404.json(), { error: 'not found' });
    const metrics = (await get(`http://127.0.0.1:${admin}/metrics`))!.body;
    assert.match(metrics, /^http_requests_total\{code="405",method="DELETE",route="\/api\/v1\/hello"\} 1$/m);
    assert.match(metrics, /^http_requests_total\{code="404",method="GET",route="unmatched"\} 1$/m);
    assert.match(metrics, /^build_info\{commit="[^"]+",goversion="go[^"]+",version="[^"]+"\} 1$/m);
  } finally {
    svc.proc.kill('SIGKILL');
  }
});

http('a slow-header client (Slowloris) is cut off by ReadHeaderTimeout', async () => {
  const port = await freePort();
  const svc = startService(bin, { READ_HEADER_TIMEOUT: '1s' }, port);
  try {
    await waitForStatus(svc.url('/ready'), 200);
    const closedAfter = await new Promise<number>((resolve, reject) => {
      const started = Date.now();
      const sock = connect(port, '127.0.0.1', () => sock.write('GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: '));
      sock.on('close', () => resolve(Date.now() - started));
      sock.on('error', () => undefined);
      setTimeout(() => reject(new Error('connection still open after 8 s')), 8000).unref();
    });
    assert.ok(closedAfter < 4000, `closed after ${closedAfter} ms`);
  } finally {
    svc.proc.kill('SIGKILL');
  }
});

http('the access log carries the request id, route, status and duration; probes stay out of it', async () => {
  const port = await freePort();
  const svc = startService(bin, {}, port);
  try {
    await waitForStatus(svc.url('/ready'), 200);
    const r = await fetch(svc.url('/api/v1/hello?name=e2e'), { headers: { 'X-Request-Id': 'req-12345' } });
    assert.is(r.status, 200);
    assert.is(r.headers.get('x-request-id'), 'req-12345');
    const generated = await fetch(svc.url('/api/v1/hello'));
    assert.ok((generated.headers.get('x-request-id') ?? '').length >= 8, 'no request id was generated');
    await get(svc.url('/healthz'));
    await new Promise((res) => setTimeout(res, 200));
    const entries = svc.stdout.map((l) => JSON.parse(l) as Record<string, unknown>);
    const access = entries.filter((e) => JSON.stringify(e).includes('req-12345'));
    assert.is(access.length, 1, svc.stdout.join('\n'));
    const line = JSON.stringify(access[0]);
    for (const want of ['/api/v1/hello', '200', 'GET']) assert.ok(line.includes(want), `access log lacks ${want}: ${line}`);
    assert.not.ok(
      entries.some((e) => JSON.stringify(e).includes('/healthz') && JSON.stringify(e).includes('"status"')),
      'probe in the access log',
    );
    // A 404 names the path it was asked for, the client and its user agent.
    await fetch(svc.url('/no/such/thing?token=t'), { headers: { 'User-Agent': 'e2e-agent', 'X-Request-Id': 'req-404' } }).then((r) =>
      r.text(),
    );
    await new Promise((res) => setTimeout(res, 200));
    const notFound = svc.stdout.map((l) => JSON.parse(l) as Record<string, unknown>).find((e) => e.request_id === 'req-404');
    assert.equal(
      notFound && [notFound.status, notFound.route, notFound.path, notFound.client, notFound.user_agent],
      [404, 'unmatched', '/no/such/thing', '127.0.0.1', 'e2e-agent'],
      JSON.stringify(notFound),
    );
    // The effective settings, once, at start.
    const starting = entries.filter((e) => e.message === 'starting');
    assert.is(starting.length, 1);
    const config = starting[0]!.config as Record<string, string>;
    assert.equal([config.PORT, config.SHUTDOWN_TIMEOUT, config.LOG_LEVEL], [String(port), '20s', 'info'], JSON.stringify(starting[0]));
  } finally {
    svc.proc.kill('SIGKILL');
  }
});

http('/metrics and pprof are served on the admin port only, pprof only with PPROF=true in a build with -tags pprof', async () => {
  for (const [binary, pprof] of [
    [bin, false],
    [pprofBin, false],
    [pprofBin, true],
  ] as const) {
    const port = await freePort();
    const admin = await freePort();
    const svc = startService(binary, { ADMIN_PORT: String(admin), ...(pprof ? { PPROF: 'true' } : {}) }, port);
    try {
      await waitForStatus(svc.url('/ready'), 200);
      assert.is((await get(svc.url('/metrics')))?.status, 404, '/metrics answered on the public port');
      assert.is((await get(svc.url('/debug/pprof/')))?.status, 404, 'pprof answered on the public port');
      assert.is((await get(`http://127.0.0.1:${admin}/metrics`))?.status, 200, '/metrics not on the admin port');
      const prof = await get(`http://127.0.0.1:${admin}/debug/pprof/goroutine?debug=1`);
      assert.is(prof?.status, pprof ? 200 : 404, `pprof with PPROF=${pprof}`);
      if (pprof) assert.match(prof!.body, /goroutine profile/);
    } finally {
      svc.proc.kill('SIGKILL');
    }
  }
});

http('PPROF=true in the default build (no -tags pprof): exit 2, one line naming PPROF and the tag', async () => {
  const svc = startService(bin, { PPROF: 'true' }, await freePort());
  const exit = await svc.exited;
  assert.is(exit.code, 2, svc.stdout.concat(svc.stderr).join('\n'));
  assert.is(svc.stderr.length, 1, svc.stderr.join('\n'));
  assert.match(svc.stderr[0]!, /PPROF="true".*-tags pprof/);
});

http('/metrics exposes RED series by route, and the counters move between scrapes', async () => {
  const port = await freePort();
  const admin = await freePort();
  const svc = startService(bin, { ADMIN_PORT: String(admin) }, port);
  const metricsUrl = `http://127.0.0.1:${admin}/metrics`;
  try {
    await waitForStatus(svc.url('/ready'), 200);
    const count = async () => {
      const m = await get(metricsUrl);
      assert.is(m?.status, 200);
      const series = m!.body.split('\n').filter((l) => !l.startsWith('#') && l.includes('/api/v1/hello'));
      assert.ok(
        series.some((l) => /_bucket\{/.test(l)),
        'no duration histogram for the route',
      );
      const counter = series.find((l) => /_total\{/.test(l) && /code="200"|status="200"/.test(l));
      assert.ok(counter, `no request counter for the route:\n${series.join('\n')}`);
      return Number(counter!.split(' ').pop());
    };
    await fetch(svc.url('/api/v1/hello')).then((r) => r.text());
    const first = await count();
    for (let i = 0; i < 5; i++) await fetch(svc.url('/api/v1/hello')).then((r) => r.text());
    const second = await count();
    assert.is(second - first, 5);
    const m = (await get(metricsUrl))!.body;
    assert.match(m, /go_goroutines/);
    assert.match(m, /process_resident_memory_bytes/);
    assert.match(m, /in_flight/);
  } finally {
    svc.proc.kill('SIGKILL');
  }
});

http.run();

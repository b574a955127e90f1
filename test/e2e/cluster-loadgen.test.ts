// The real-cluster suite's load generator (test/cluster/loadgen), proven on loopback before it
// is trusted on a node: every request is counted under exactly one outcome (ok, failed
// status, connection reset, other error), both bounds stop it, phases split the figures,
// "Connection: close" is honoured, and against the generated service it sees a graceful drain
// as it is: requests during the drain delay succeed, nothing is reset.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { buildLoadgen, failures, startLoad, type LoadResult } from '../cluster/support/loadgen.js';
import { generate } from '../support/generate.js';
import { freePort, go, startService, waitForStatus } from '../support/go.js';

/** A loopback HTTP server whose every request goes to HANDLER; resolves with its host:port. */
async function serve(
  handler: (req: IncomingMessage, res: ServerResponse, n: number) => void,
): Promise<{ server: Server; target: string; sockets: Set<Socket> }> {
  let n = 0;
  const sockets = new Set<Socket>();
  const server = createServer({ keepAliveTimeout: 30_000 }, (req, res) => handler(req, res, ++n));
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  return { server, target: `127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`, sockets };
}

const close = (s: Server, sockets: Set<Socket>) => {
  for (const so of sockets) so.destroy();
  return new Promise<void>((r) => s.close(() => r()));
};

const sum = (r: LoadResult) => r.total.ok + r.total.failedStatus + r.total.reset + r.total.otherError;

const counting = suite('loadgen: counting');

counting.before(async () => {
  await buildLoadgen();
});

counting('stops at -max-requests and counts every request once, over keep-alive connections', async () => {
  const { server, target, sockets } = await serve((_q, res) => res.end('ok'));
  try {
    const load = await startLoad({ target, maxRequests: 300, durationSeconds: 30, rate: 0, connections: 3 });
    const r = await load.result;
    assert.is(r.stopReason, 'max-requests');
    assert.is(r.total.requests, 300);
    assert.is(r.total.ok, 300);
    assert.is(sum(r), r.total.requests);
    assert.is(r.connects, 3, 'one connection per worker: keep-alive');
    assert.ok(r.total.p50Ms > 0 && r.total.p99Ms >= r.total.p50Ms && r.total.maxMs >= r.total.p99Ms, JSON.stringify(r.total));
  } finally {
    await close(server, sockets);
  }
});

counting('stops at -duration, paced at -rate', async () => {
  const { server, target, sockets } = await serve((_q, res) => res.end('ok'));
  try {
    const t0 = Date.now();
    const load = await startLoad({ target, maxRequests: 100_000, durationSeconds: 2, rate: 50, connections: 2 });
    const r = await load.result;
    const took = Date.now() - t0;
    assert.is(r.stopReason, 'duration');
    assert.ok(took < 6000, `took ${took} ms`);
    assert.ok(r.total.requests >= 60 && r.total.requests <= 110, `${r.total.requests} requests in 2 s at 50/s`);
    assert.is(failures(r.total), 0);
  } finally {
    await close(server, sockets);
  }
});

counting(
  'a non-2xx answer is a failed status; a reset connection a reset; a connection closed without an answer another error',
  async () => {
    const { server, target, sockets } = await serve((req, res, n) => {
      if (n % 10 === 3) {
        res.statusCode = 503;
        res.end('draining');
      } else if (n % 10 === 6) {
        req.socket.resetAndDestroy();
      } else if (n % 10 === 9) {
        req.socket.destroy();
      } else {
        res.end('ok');
      }
    });
    try {
      const load = await startLoad({ target, maxRequests: 200, durationSeconds: 30, rate: 0, connections: 1 });
      const r = await load.result;
      assert.is(r.total.requests, 200);
      assert.is(sum(r), 200);
      assert.is(r.total.failedStatus, 20, JSON.stringify(r.total));
      assert.is(r.total.statuses['503'], 20);
      assert.is(r.total.reset, 20, JSON.stringify(r.total.errors));
      assert.is(r.total.otherError, 20, JSON.stringify(r.total.errors));
      assert.is(r.total.errors['request: connection closed without a response'], 20);
      assert.is(r.total.ok, 140);
      assert.is(r.connects, 1 + 40, 'a new connection after each reset and close');
    } finally {
      await close(server, sockets);
    }
  },
);

counting('"Connection: close" is honoured: a new connection for the next request, no error', async () => {
  const { server, target, sockets } = await serve((_q, res) => {
    res.setHeader('Connection', 'close');
    res.end('bye');
  });
  try {
    const r = await (await startLoad({ target, maxRequests: 50, durationSeconds: 30, rate: 0, connections: 1 })).result;
    assert.is(r.total.ok, 50, JSON.stringify(r.total));
    assert.is(r.connects, 50);
  } finally {
    await close(server, sockets);
  }
});

counting('nothing listening: connection refused, counted as another error, bounded by -max-requests', async () => {
  const port = await freePort();
  const r = await (await startLoad({ target: `127.0.0.1:${port}`, maxRequests: 20, durationSeconds: 30, rate: 100, connections: 2 }))
    .result;
  assert.is(r.total.requests, 20);
  assert.is(r.total.otherError, 20);
  assert.is(r.total.errors['connect: connection refused'], 20);
  assert.is(r.connects, 0);
});

counting('phases from stdin split the figures; closing stdin stops it; started resolves after a first success', async () => {
  const { server, target, sockets } = await serve((_q, res, n) => {
    res.statusCode = n > 1_000_000 ? 500 : 200;
    res.end();
  });
  try {
    const load = await startLoad({ target, maxRequests: 100_000, durationSeconds: 30, rate: 100, connections: 2 });
    await load.started;
    await new Promise((r) => setTimeout(r, 500));
    load.phase('roll');
    await new Promise((r) => setTimeout(r, 500));
    const r = await load.stop();
    assert.is(r.stopReason, 'stdin closed');
    assert.equal(
      r.phases.map((p) => p.name),
      ['start', 'roll'],
    );
    assert.is(r.phases[0]!.requests + r.phases[1]!.requests, r.total.requests);
    assert.ok(r.phases[1]!.requests >= 25, `roll phase: ${r.phases[1]!.requests} requests`);
    assert.ok(Math.abs(r.phases[1]!.startSeconds - r.phases[0]!.seconds) < 0.01);
  } finally {
    await close(server, sockets);
  }
});

counting.run();

const drain = suite('loadgen: against the generated service');
let bin = '';

drain('builds the default service', async () => {
  const dir = generate({ name: 'demo-svc' }, 'cgks-loadgen-');
  bin = join(dir, 'bin', 'demo-svc');
  const r = await go(dir, ['build', '-o', bin, './cmd/demo-svc'], { CGO_ENABLED: '0' });
  assert.is(r.exitCode, 0, r.all);
});

drain('steady load: all ok; SIGTERM: every request of the drain delay ok, none reset, then refused once the listener closes', async () => {
  const port = await freePort();
  const svc = startService(bin, { SHUTDOWN_DELAY: '1500ms', SHUTDOWN_TIMEOUT: '5s' }, port);
  try {
    await waitForStatus(svc.url('/ready'), 200);
    const load = await startLoad({
      target: `127.0.0.1:${port}`,
      path: '/api/v1/hello',
      maxRequests: 20_000,
      durationSeconds: 20,
      rate: 300,
      connections: 4,
    });
    await load.started;
    await new Promise((r) => setTimeout(r, 1000));
    load.phase('sigterm');
    svc.proc.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 1200)); // inside the 1.5 s delay
    load.phase('listener-closing');
    const exit = await svc.exited;
    await new Promise((r) => setTimeout(r, 300));
    const r = await load.stop();
    const [steady, delay, after] = r.phases;
    assert.is(exit.code, 0);
    assert.is(failures(steady!), 0, JSON.stringify(steady));
    assert.ok(steady!.ok > 100, `${steady!.ok} ok`);
    assert.is(failures(delay!), 0, JSON.stringify(delay));
    assert.ok(delay!.ok > 100, `${delay!.ok} ok in the delay`);
    assert.is(r.total.reset, 0, JSON.stringify(r.total.errors));
    assert.ok(after!.ok > 0, 'requests after the delay until the listener closed');
    assert.ok((after!.errors['connect: connection refused'] ?? 0) > 0, JSON.stringify(after));
    assert.is(after!.otherError, after!.errors['connect: connection refused'], JSON.stringify(after!.errors));
  } finally {
    if (svc.proc.exitCode === null) svc.proc.kill('SIGKILL');
  }
});

drain.run();

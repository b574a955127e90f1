// The tracing variant's behaviour, proven from outside against the built binary: a hung
// OTLP collector costs a pod stop a bounded share of the shutdown budget, never an error.
import { createServer, type Server, type Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { execa } from 'execa';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { dockerfileBuildTags } from '../../bench/lib/binsize.js';
import { freePort, go, startService, waitForStatus, type RunningService } from '../support/go.js';
import { generate } from '../support/generate.js';

const NAME = 'traced-svc';
let bin = '';
let dir = '';

function exitWithin(svc: RunningService, ms: number) {
  return Promise.race([svc.exited, new Promise<never>((_, rej) => setTimeout(() => rej(new Error(`no exit within ${ms} ms`)), ms))]);
}

/** A collector that accepts connections and never answers. */
async function hungCollector(): Promise<{ url: string; close(): void; connections(): number }> {
  const sockets: Socket[] = [];
  const srv: Server = createServer((s) => {
    sockets.push(s);
    s.on('error', () => undefined);
    s.resume();
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => sockets.length,
    close: () => {
      for (const s of sockets) s.destroy();
      srv.close();
    },
  };
}

const setup = suite('tracing: build');
setup('builds the tracing variant', async () => {
  dir = generate({ name: NAME, tracing: true }, 'cgks-tracing-');
  bin = join(dir, 'bin', NAME);
  const r = await go(dir, ['build', '-o', bin, `./cmd/${NAME}`]);
  assert.is(r.exitCode, 0, r.all);
});

setup("the image's build leaves out gRPC's debug pages, whose text/template would keep every unused method", async () => {
  const tags = dockerfileBuildTags(readFileSync(join(dir, 'Dockerfile'), 'utf8'));
  assert.is(tags, 'grpcnotrace');
  const deps = await go(dir, ['list', '-deps', `-tags=${tags}`, `./cmd/${NAME}`]);
  assert.is(deps.exitCode, 0, deps.all);
  const linked = deps.stdout.split('\n');
  for (const pkg of ['golang.org/x/net/trace', 'text/template', 'html/template']) {
    assert.not.ok(linked.includes(pkg), `${pkg} is linked with -tags=${tags}`);
  }
  assert.ok(linked.includes('go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp'), 'the OTLP exporter is linked');
});

setup('OTLP over gRPC: refused with the variable and the build tag named, and there with -tags otlpgrpc', async () => {
  const env = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', PORT: '0', ADMIN_PORT: '0' };
  const r = await execa(bin, [], { env, reject: false, all: true, stdin: 'ignore', timeout: 10_000 });
  assert.is(r.exitCode, 2, r.all);
  assert.match(r.all, /OTEL_EXPORTER_OTLP_PROTOCOL="grpc".*-tags otlpgrpc/);
  for (const args of [
    ['vet', '-tags=grpcnotrace,otlpgrpc', './...'],
    ['test', '-count=1', '-tags=grpcnotrace,otlpgrpc', './internal/tracing'],
  ]) {
    const t = await go(dir, args);
    assert.is(t.exitCode, 0, `go ${args.join(' ')}:\n${t.all}`);
  }
  const deps = await go(dir, ['list', '-deps', '-tags=grpcnotrace,otlpgrpc', `./cmd/${NAME}`]);
  assert.ok(deps.stdout.split('\n').includes('go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc'), deps.all);
});
setup('a malformed OTLP endpoint, trust setting or propagator list exits 2 with one line naming it', async () => {
  for (const [key, value] of [
    ['OTEL_EXPORTER_OTLP_ENDPOINT', 'not-a-url'],
    ['TRACING_TRUST_REMOTE_PARENT', 'maybe'],
    ['OTEL_PROPAGATORS', 'b3'],
  ] as const) {
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1', [key]: value, PORT: '0', ADMIN_PORT: '0', PATH: process.env.PATH };
    const r = await execa(bin, [], { env, reject: false, all: true, stdin: 'ignore', timeout: 10_000 });
    assert.is(r.exitCode, 2, `${key}=${value}: ${r.all}`);
    assert.is(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, new RegExp(key));
  }
});
setup.run();

const flush = suite('tracing: shutdown');

flush('a hung OTLP collector: the flush gets a bounded share of SHUTDOWN_TIMEOUT, a warning naming tracing, and exit 0', async () => {
  const collector = await hungCollector();
  const port = await freePort();
  const svc = startService(
    bin,
    {
      SHUTDOWN_DELAY: '0s',
      SHUTDOWN_TIMEOUT: '8s',
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      OTEL_TRACES_SAMPLER: 'always_on',
    },
    port,
  );
  try {
    await waitForStatus(svc.url('/ready'), 200);
    for (let i = 0; i < 3; i++) await fetch(svc.url('/api/v1/hello')).then((r) => r.text());
    const signalled = Date.now();
    svc.proc.kill('SIGTERM');
    const exit = await exitWithin(svc, 12_000);
    const took = exit.at - signalled;
    assert.is(exit.code, 0, `exit ${exit.code} after ${took} ms:\n${[...svc.stdout, ...svc.stderr].join('\n')}`);
    assert.ok(took < 4000, `took ${took} ms: the flush used more than its share (2s of 8s)`);
    const warning = svc.stdout.find((l) => /"level":"warn"/.test(l) && /tracing/i.test(l) && /flush|export/i.test(l));
    assert.ok(warning, `no warning naming tracing:\n${svc.stdout.join('\n')}`);
    assert.equal(svc.stderr, [], 'an error line on stderr');
  } finally {
    svc.proc.kill('SIGKILL');
    collector.close();
  }
});

flush.run();

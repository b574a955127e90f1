// Tracing for a service facing the internet, proven from outside: the built tracing variant
// exports over OTLP/HTTP to a collector stand-in on loopback that decodes and counts what it
// receives. A caller that sends a sampled `traceparent …-01` must not raise what is exported
// (a client could otherwise choose to be traced and multiply the exported bytes), and W3C
// Baggage from a caller must not ride along on outbound calls unless asked for.
//
// Deterministic on purpose: the default sampler decides by trace id (TraceIDRatioBased), so
// for the trace ids the test chooses (a seeded generator) it knows exactly which requests must
// be sampled, whatever their flag says. Only the requests without a traceparent get random ids
// from the service, and they are held to a generous binomial bound.
import { createServer, type IncomingMessage } from 'node:http';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { freePort, go, startService, waitForStatus } from '../support/go.js';
import { generate } from '../support/generate.js';
import { seededRandom } from '../support/random.js';
import { otlpCollector, type Collector } from '../support/otlp-collector.js';

const NAME = 'edge-svc';
const N = 200;
const RATIO = 0.1;
let bin = '';
let dir = '';

/** An upstream the service calls: it remembers the headers of every request. */
async function recordingUpstream(): Promise<{ url: string; seen: IncomingMessage['headers'][]; close(): void }> {
  const seen: IncomingMessage['headers'][] = [];
  const srv = createServer((req, res) => {
    seen.push(req.headers);
    res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"ok":true}');
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(srv.address() as { port: number }).port}`, seen, close: () => srv.close() };
}

// ---- the sampler's rule, from outside --------------------------------------------------------

const hex = (rand: () => number, bytes: number): string =>
  Array.from({ length: bytes }, () =>
    Math.floor(rand() * 256)
      .toString(16)
      .padStart(2, '0'),
  ).join('');

/**
 * What TraceIDRatioBased decides for a trace id (go.opentelemetry.io/otel/sdk/trace): sampled
 * when the id's last 8 bytes, big-endian and shifted right by one, are below ratio × 2^63.
 */
const sampledByRatio = (traceId: string, ratio: number): boolean => BigInt(`0x${traceId.slice(16)}`) >> 1n < BigInt(ratio * 2 ** 63);

// ---- running the service -------------------------------------------------------------------

interface Run {
  bytes: number;
  traceIds: string[];
}

/** Starts the service exporting to the collector, sends the requests, stops it (which flushes) and returns what arrived. */
async function runExporting(
  collector: Collector,
  requests: Record<string, string>[],
  env: NodeJS.ProcessEnv = {},
  path = '/api/v1/hello',
): Promise<Run> {
  collector.reset();
  const port = await freePort();
  const svc = startService(bin, { SHUTDOWN_DELAY: '0s', SHUTDOWN_TIMEOUT: '8s', OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, ...env }, port);
  try {
    await waitForStatus(svc.url('/ready'), 200);
    // Readiness probes are not traced; start counting from here.
    collector.reset();
    for (let i = 0; i < requests.length; i += 10) {
      await Promise.all(
        requests.slice(i, i + 10).map(async (headers) => {
          const r = await fetch(svc.url(path), { headers });
          await r.text();
          assert.is(r.status, 200);
        }),
      );
    }
    svc.proc.kill('SIGTERM');
    const exit = await svc.exited;
    assert.is(exit.code, 0, [...svc.stdout, ...svc.stderr].join('\n'));
    assert.not.ok(
      svc.stdout.some((l) => /"level":"(warn|error)"/.test(l) && /opentelemetry|tracing/.test(l)),
      `the export did not go through:\n${svc.stdout.join('\n')}`,
    );
    return collector.received();
  } finally {
    svc.proc.kill('SIGKILL');
  }
}

// ---- the tests -----------------------------------------------------------------------------

// A route that calls an upstream the way any instrumented client does: the global propagator
// injects what the request's context carries. (internal/client, which does the same through
// otelhttp, is generated with the database option only.)
const ROUTES = `package api

import (
	"io"
	"net/http"
	"os"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
)

// RegisterRoutes adds a route that calls an upstream.
func RegisterRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/relay", func(w http.ResponseWriter, r *http.Request) {
		req, err := http.NewRequestWithContext(r.Context(), http.MethodGet, os.Getenv("UPSTREAM_URL")+"/echo", nil)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		otel.GetTextMapPropagator().Inject(r.Context(), propagation.HeaderCarrier(req.Header))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.Copy(w, resp.Body)
	})
}
`;

const t = suite('tracing: what a caller can and cannot choose');
let collector: Collector;

t.before(async () => {
  const answers = { name: NAME, tracing: true };
  dir = generate(answers, 'cgks-edge-');
  writeFileSync(join(dir, 'internal', 'api', 'routes.go'), ROUTES);
  bin = join(dir, 'bin', NAME);
  const r = await go(dir, ['build', '-o', bin, `./cmd/${NAME}`]);
  assert.is(r.exitCode, 0, r.all);
  collector = await otlpCollector();
});

t.after(() => {
  collector?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

t('a sampled traceparent (-01) from the caller exports no more than an unsampled one (-00), and the ratio holds', async () => {
  const rand = seededRandom(29);
  const ids = Array.from({ length: N }, () => ({ trace: hex(rand, 16), span: hex(rand, 8) }));
  const expected = new Set(ids.map((i) => i.trace).filter((id) => sampledByRatio(id, RATIO)));
  const withFlag = (flag: string) => ids.map((i) => ({ traceparent: `00-${i.trace}-${i.span}-${flag}` }));

  const sampled = await runExporting(collector, withFlag('01'));
  const unsampled = await runExporting(collector, withFlag('00'));
  const fresh = await runExporting(
    collector,
    Array.from({ length: N }, () => ({})),
  );
  const traces = (run: Run) => new Set(run.traceIds);
  console.log(
    `  ${N} requests each: -01 ${sampled.traceIds.length} spans ${sampled.bytes} B; -00 ${unsampled.traceIds.length} spans ${unsampled.bytes} B; ` +
      `no traceparent ${fresh.traceIds.length} spans ${fresh.bytes} B; the ratio rule picks ${expected.size} of the chosen ids`,
  );

  // Exactly the ids the ratio picks, whatever the flag: the caller's choice changes nothing.
  assert.is(
    sampled.traceIds.length,
    expected.size,
    `with -01: ${sampled.traceIds.length} spans exported (${sampled.bytes} B), the ratio picks ${expected.size}`,
  );
  assert.is(
    unsampled.traceIds.length,
    expected.size,
    `with -00: ${unsampled.traceIds.length} spans exported, the ratio picks ${expected.size}`,
  );
  assert.equal([...traces(sampled)].sort(), [...expected].sort(), 'with -01: the spans exported are not the ones the ratio picks');
  assert.equal([...traces(unsampled)].sort(), [...expected].sort(), 'with -00: the spans exported are not the ones the ratio picks');
  assert.ok(sampled.bytes <= unsampled.bytes * 1.1 + 512, `-01 exported ${sampled.bytes} B against ${unsampled.bytes} B for -00`);
  // And about the share of requests without a trace context (binomial, N = 200, p = 0.1: mean
  // 20, sd 4.2; the bounds are 4 sd or more away).
  assert.ok(expected.size >= 5 && expected.size <= 40, `the chosen ids give ${expected.size}: reseed`);
  assert.ok(fresh.traceIds.length >= 3 && fresh.traceIds.length <= 40, `${fresh.traceIds.length} of ${N} new traces sampled at ${RATIO}`);
  assert.ok(Math.abs(sampled.traceIds.length - fresh.traceIds.length) <= 25, 'a sampled parent changed the share of traces exported');
});

t(
  "a caller's W3C Baggage does not reach outbound calls; the trace context does (and baggage with OTEL_PROPAGATORS naming it)",
  async () => {
    const upstream = await recordingUpstream();
    try {
      const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
      const headers = { traceparent: `00-${traceId}-00f067aa0ba902b7-01`, baggage: 'user=mallory,tenant=acme' };
      await runExporting(collector, [headers], { UPSTREAM_URL: upstream.url }, '/api/v1/relay');
      assert.is(upstream.seen.length, 1);
      assert.match(String(upstream.seen[0]!.traceparent), new RegExp(`^00-${traceId}-`), 'the trace context was not passed on');
      assert.is(upstream.seen[0]!.baggage, undefined, `baggage passed on: ${upstream.seen[0]!.baggage}`);
      // The control: asked for, baggage does go along (so the check above can see it).
      await runExporting(collector, [headers], { UPSTREAM_URL: upstream.url, OTEL_PROPAGATORS: 'tracecontext,baggage' }, '/api/v1/relay');
      assert.is(upstream.seen.length, 2);
      assert.match(String(upstream.seen[1]!.baggage), /user=mallory/);
    } finally {
      upstream.close();
    }
  },
);

t.run();

// The bench's CPU-per-request-at-a-fixed-rate figure (issue #18): a round counts only when the
// rate was held and every request answered; the comparison pairs rounds run back to back.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  compareCpuPerRequest,
  cpuUsPerRequest,
  moderateRate,
  parseFixedRate,
  processCpuNs,
  sumSchedstat,
  type FixedRateRun,
  type FixedRateSample,
} from '../../bench/lib/fixed-rate.js';

const RUN: FixedRateRun = {
  rate: 3000,
  due: 9000,
  sent: 9000,
  ok: 9000,
  errors: 0,
  skipped: 0,
  elapsedMs: 3000.2,
  achievedRate: 2999.9,
  p50Ms: 0.8,
  p99Ms: 11.2,
  maxLagMs: 9.8,
};

test('parseFixedRate reads the JSON line the sender prints last', () => {
  assert.equal(parseFixedRate(`warming up\n${JSON.stringify(RUN)}\n`), RUN);
});

test('parseFixedRate names the field that is missing or not a number', () => {
  const { ok: _ok, ...noOk } = RUN;
  assert.throws(() => parseFixedRate(JSON.stringify(noOk)), /ok is not a number/);
  assert.throws(() => parseFixedRate(JSON.stringify({ ...RUN, p99Ms: 'x' })), /p99Ms is not a number/);
  assert.throws(() => parseFixedRate('panic: boom'), /no JSON object/);
});

test('cpuUsPerRequest divides the server CPU by the answered requests', () => {
  // 9000 requests, 135 ms of CPU: 15 µs each.
  assert.is(cpuUsPerRequest(RUN, 135_000_000), 15);
});

test('cpuUsPerRequest allows some skipped requests (stalls of the shared machine), not more than 10 %', () => {
  assert.is(cpuUsPerRequest({ ...RUN, skipped: 900, sent: 8100, ok: 8100 }, 81_000_000), 10);
});

test('cpuUsPerRequest refuses a round that did not hold the rate or lost requests', () => {
  assert.is(cpuUsPerRequest({ ...RUN, skipped: 901, sent: 8099, ok: 8099 }, 1e8), undefined, 'sender fell behind');
  assert.is(cpuUsPerRequest({ ...RUN, errors: 2, ok: 8998 }, 1e8), undefined, 'errors');
  assert.is(cpuUsPerRequest({ ...RUN, ok: 8000, sent: 8000, due: 9000 }, 1e8), undefined, 'time limit hit before 90 % answered');
  assert.is(cpuUsPerRequest({ ...RUN, ok: 0, sent: 0, due: 0 }, 1e8), undefined, 'nothing answered');
});

test('moderateRate takes a share of the slower server, rounded down to 100 req/s', () => {
  assert.is(moderateRate([15_432, 17_900]), 4600, 'by default 30 %');
  assert.is(moderateRate([15_432, Number.NaN, 0]), 4600, 'ignores missing figures');
  assert.is(moderateRate([150]), 100, 'never below 100 req/s');
  assert.is(moderateRate([10_000], 0.4), 4000);
  assert.throws(() => moderateRate([Number.NaN]), /no full-load throughput/);
});

const sample = (cpuUsPerReq: number): FixedRateSample => ({ ...RUN, cpuNs: cpuUsPerReq * 1000 * RUN.ok, cpuUsPerReq });

test('compareCpuPerRequest pairs rounds and leaves out a round where either side is invalid', () => {
  const a = [sample(10), sample(12), sample(Number.NaN), sample(11)];
  const b = [sample(10), sample(10), sample(9), sample(10)];
  const c = compareCpuPerRequest(a, b);
  assert.equal(c.ratios, [1, 1.2, 1.1]);
  assert.is(c.invalidRounds, 1);
  assert.is(c.ratio.median, 1.1);
  assert.is(c.a.median, 11);
  assert.is(c.b.median, 10);
});

test('sumSchedstat adds the on-CPU ns of every thread', () => {
  assert.is(sumSchedstat(['175763506 129640459 254\n', '1000 5 1', '']), 175764506);
});

test('processCpuNs of this process grows while it computes', () => {
  // Spin until this process's own CPU clock (not the wall clock, which a loaded machine
  // stretches) has moved 60 ms: the reader must count at least a third of that.
  const before = processCpuNs(process.pid);
  const cpu0 = process.cpuUsage();
  let x = 0;
  for (let spun = 0; spun < 60_000; ) {
    for (let i = 0; i < 10_000; i++) x += Math.sqrt(x + 1);
    const u = process.cpuUsage(cpu0);
    spun = u.user + u.system;
  }
  const spent = processCpuNs(process.pid) - before;
  assert.ok(x > 0);
  assert.ok(spent >= 20_000_000, `only ${spent} ns counted for 60 ms of CPU time`);
});

test.run();

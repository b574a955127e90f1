// Rolling updates under load on a real node: keep-alive traffic from a network namespace of the
// suite's own to the Service's cluster IP (through kube-proxy) while `helm upgrade` rolls every
// pod, twice; then a scale-down and a pod deletion, still under load. Every request is counted
// (test/cluster/loadgen): zero failed, zero reset, zero other errors. Each roll must replace every
// pod (UIDs and pod-template-hash before and after) and the connections after it must reach the
// new pods (the node's connection tracking). Negative control: a copy of the chart that ignores
// podAnnotations "rolls" nothing, and the same roll check must fail on it. The report has p99 per phase.
// test-budget: 1800 s (two rolls of three pods with a 10 s drain delay each, a control roll, a negative control)
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import * as assert from 'uvu/assert';
import { describeStats, failures, startLoad, type Load, type LoadResult } from './support/loadgen.js';
import {
  clusterSuite,
  imageSets,
  pods,
  restrictedNamespace,
  serviceTarget,
  sleep,
  until,
  type Cluster,
  type PodInfo,
} from './support/harness.js';
import { parseConntrack, rollVerdict, servedBy, verdict, type RollPod, type Verdict } from './support/verdicts.js';

const NS = 'cgks-rolling';
/** Named as the chart, so every object's full name is the release name. */
const RELEASE = 'demo-svc';
const POD_SELECTOR = `app.kubernetes.io/name=demo-svc,app.kubernetes.io/instance=${RELEASE}`;
const REPLICAS = 3;

/** Every pod of the release Ready, none terminating, all from the newest ReplicaSet. */
async function settled(c: Cluster, ns: string, replicas: number, timeoutMs = 4 * 60_000) {
  return until(
    `${replicas} Ready pods and none terminating`,
    () => pods(c, ns, POD_SELECTOR),
    (ps) =>
      ps.length === replicas &&
      ps.every((p) => p.ready && !p.deleting) &&
      new Set(ps.map((p) => p.raw.metadata.labels['pod-template-hash'])).size === 1,
    timeoutMs,
    500,
  );
}

const rollPods = (ps: PodInfo[]): RollPod[] =>
  ps
    .filter((p) => !p.deleting)
    .map((p) => ({ name: p.name, uid: p.uid, templateHash: p.raw.metadata.labels['pod-template-hash'] ?? '', podIP: p.podIP }));

/** The pod IPs behind connections to TARGET (clusterIP:port) that carried traffic in the last few seconds. */
async function servedNow(target: string): Promise<string[]> {
  const [ip, port] = target.split(':');
  const r = await execa('conntrack', ['-L', '-p', 'tcp', '--orig-dst', ip!], { reject: false, timeout: 30_000 });
  const sysctl = (name: string) => Number(readFileSync(`/proc/sys/net/netfilter/nf_conntrack_tcp_timeout_${name}`, 'utf8').trim());
  // Every connection of the load sends a request every few tens of ms: its entry was refreshed
  // just now, to the established timeout, or to the unacknowledged one while a request awaits its ACK.
  return servedBy(parseConntrack(String(r.stdout)), ip!, Number(port), [
    sysctl('established'),
    sysctl('unacknowledged'),
    sysctl('max_retrans'),
  ]);
}

/**
 * One `helm upgrade` with SETS under LOAD (a new phase), judged by rollVerdict: returns the
 * verdict (the caller records or asserts it) and the seconds until every old pod had exited.
 */
async function roll(
  c: Cluster,
  o: { ns: string; chartDir: string; sets: string[]; replicas: number; load: Load; phase: string; target: string },
): Promise<{ v: Verdict; seconds: number }> {
  const before = rollPods(await pods(c, o.ns, POD_SELECTOR));
  o.load.phase(o.phase);
  const t0 = Date.now();
  const up = await c.helm(['upgrade', RELEASE, o.chartDir, '-n', o.ns, ...o.sets, '--wait', '--timeout', '5m'], { timeoutMs: 6 * 60_000 });
  assert.is(up.exitCode, 0, up.stderr);
  const after = await settled(c, o.ns, o.replicas); // the old pods' drain is part of the roll
  const seconds = (Date.now() - t0) / 1000;
  o.load.phase(`after ${o.phase}`);
  await sleep(3000); // the load goes on: its connections are on the new pods by now
  const served = await servedNow(o.target);
  return { v: rollVerdict(before, rollPods(after), served, o.replicas), seconds };
}

await clusterSuite('rolling', 'Rolling update under load', (c, t) => {
  let result: LoadResult | undefined;
  const timings: Record<string, number> = {};

  t('two helm upgrades replace every pod, then a scale-down and a pod deletion, under keep-alive load: no request fails', async () => {
    await restrictedNamespace(c, NS);
    const base = ['-n', NS, ...imageSets(c.images), '--set', `replicaCount=${REPLICAS}`];
    const inst = await c.helm(['install', RELEASE, c.images.chartDir, ...base, '--wait', '--timeout', '5m'], { timeoutMs: 6 * 60_000 });
    assert.is(inst.exitCode, 0, inst.stderr);
    await settled(c, NS, REPLICAS);
    const target = await serviceTarget(c, NS, RELEASE);
    c.log(`load: ${target} from netns ${c.node.loadNetns}`);

    // Bounded in count and time; 100 requests/s over 4 keep-alive connections.
    const load = await startLoad({
      target,
      path: '/api/v1/hello',
      netns: c.node.loadNetns,
      connections: 4,
      rate: 100,
      maxRequests: 90_000,
      durationSeconds: 840,
    });
    try {
      await load.started;
      load.phase('steady');
      await sleep(5000);
      for (const n of [1, 2]) {
        // A pod annotation changes the pod template: every pod must be replaced.
        const sets = [...imageSets(c.images), '--set', `replicaCount=${REPLICAS}`, '--set-string', `podAnnotations.cgks-roll=${n}`];
        const r = await roll(c, {
          ns: NS,
          chartDir: c.images.chartDir,
          sets,
          replicas: REPLICAS,
          load,
          phase: `helm upgrade ${n}`,
          target,
        });
        timings[`helm upgrade ${n}: until every old pod had exited`] = r.seconds;
        c.report.expect(
          `helm upgrade ${n}: every pod replaced, connections reached the new pods`,
          'new UIDs, a new template hash, traffic on new pods only',
          r.v,
        );
      }
      load.phase('scale-down 3→2');
      let t0 = Date.now();
      const sc = await c.kubectl(['scale', 'deployment', '-n', NS, RELEASE, `--replicas=${REPLICAS - 1}`]);
      assert.is(sc.exitCode, 0, sc.stderr);
      await settled(c, NS, REPLICAS - 1);
      timings['scale-down: until the removed pod had exited'] = (Date.now() - t0) / 1000;
      load.phase('after scale-down');
      await sleep(3000);
      load.phase('pod deleted');
      const victim = (await pods(c, NS, POD_SELECTOR))[0]!;
      t0 = Date.now();
      const del = await c.kubectl(['delete', 'pod', '-n', NS, victim.name, '--wait=true', '--timeout=120s'], { timeoutMs: 130_000 });
      assert.is(del.exitCode, 0, del.stderr);
      const replaced = await settled(c, NS, REPLICAS - 1);
      assert.ok(!replaced.some((p) => p.uid === victim.uid), `the deleted pod ${victim.name} is still listed`);
      timings['pod deletion: until it had exited and its replacement was Ready'] = (Date.now() - t0) / 1000;
      load.phase('after pod deletion');
      await sleep(3000);
    } finally {
      result = await load.stop();
    }
    for (const p of result.phases) c.log(describeStats(p));
    const r = result;
    const bad = r.phases.filter((p) => failures(p) > 0).map(describeStats);
    c.report.expect(
      'failed requests (any kind) over the whole run',
      '0',
      verdict(
        `${failures(r.total)} of ${r.total.requests.toLocaleString('en-US')}`,
        bad.map((b) => `requests failed in ${b}`),
      ),
    );
    // New connections during the rolls: the draining pods closed theirs and the load reconnected.
    c.report.expect(
      'connections re-opened during the rolls (draining pods closed theirs)',
      `more than the ${r.connections} first connections`,
      verdict(
        `${r.connects} TCP connections opened`,
        r.connects > r.connections ? [] : [`only the ${r.connects} first connections were ever opened: no pod closed one`],
      ),
    );
    assert.ok(r.total.ok > 1000, `only ${r.total.ok} requests succeeded`);
  });

  let control: LoadResult | undefined;
  t(
    'control: one roll with shutdown.delaySeconds=0 (no drain delay) replaces every pod; its failed requests are reported, not asserted',
    async () => {
      const target = await serviceTarget(c, NS, RELEASE);
      const load = await startLoad({
        target,
        path: '/api/v1/hello',
        netns: c.node.loadNetns,
        connections: 4,
        rate: 100,
        maxRequests: 30_000,
        durationSeconds: 240,
      });
      let r: { v: Verdict; seconds: number } | undefined;
      try {
        await load.started;
        const sets = [
          ...imageSets(c.images),
          '--set',
          `replicaCount=${REPLICAS - 1}`,
          '--set',
          'shutdown.delaySeconds=0',
          '--set-string',
          'podAnnotations.cgks-roll=control',
        ];
        r = await roll(c, {
          ns: NS,
          chartDir: c.images.chartDir,
          sets,
          replicas: REPLICAS - 1,
          load,
          phase: 'roll without a drain delay',
          target,
        });
      } finally {
        control = await load.stop();
      }
      c.log(`control: ${describeStats(control.phases.find((p) => p.name === 'roll without a drain delay')!)}`);
      c.report.expect(
        'control roll (no drain delay): every pod replaced, connections reached the new pods',
        'new UIDs, a new template hash, traffic on new pods only',
        r.v,
      );
    },
  );

  t('negative control: a chart that ignores podAnnotations replaces nothing, and the roll check fails on it', async () => {
    const ns = 'cgks-rolling-neg';
    await restrictedNamespace(c, ns);
    // The generated chart with the pod annotations left out of the pod template.
    const chartDir = join(c.work, 'chart-ignoring-pod-annotations');
    cpSync(c.images.chartDir, chartDir, { recursive: true });
    const deployment = join(chartDir, 'templates', 'deployment.yaml');
    const text = readFileSync(deployment, 'utf8');
    const uses = '(.Values.podAnnotations | default dict)';
    assert.ok(text.includes(uses), `the chart's deployment.yaml no longer reads ${uses}: update this control`);
    writeFileSync(deployment, text.replace(uses, '(dict)'));
    const sets = [...imageSets(c.images), '--set', 'replicaCount=2', '--set', 'podDisruptionBudget.enabled=false'];
    const inst = await c.helm(['install', RELEASE, chartDir, '-n', ns, ...sets, '--wait', '--timeout', '5m'], { timeoutMs: 6 * 60_000 });
    assert.is(inst.exitCode, 0, inst.stderr);
    await settled(c, ns, 2);
    const target = await serviceTarget(c, ns, RELEASE);
    const load = await startLoad({
      target,
      path: '/api/v1/hello',
      netns: c.node.loadNetns,
      connections: 2,
      rate: 20,
      maxRequests: 2_000,
      durationSeconds: 90,
    });
    let r: { v: Verdict; seconds: number } | undefined;
    try {
      await load.started;
      r = await roll(c, {
        ns,
        chartDir,
        sets: [...sets, '--set-string', 'podAnnotations.cgks-roll=1'],
        replicas: 2,
        load,
        phase: 'roll of the control chart',
        target,
      });
    } finally {
      await load.stop();
      await c.helm(['uninstall', RELEASE, '-n', ns, '--wait', '--timeout', '3m'], { timeoutMs: 4 * 60_000 });
    }
    c.log(`negative control: ${r.v.measured}; ${r.v.problems.join('; ')}`);
    assert.ok(
      r.v.problems.filter((p) => / was not replaced$/.test(p)).length === 2,
      `the roll check did not name both unreplaced pods: ${r.v.problems.join('; ')}`,
    );
    assert.ok(
      r.v.problems.some((p) => /^pod-template-hash \S+ unchanged/.test(p)),
      `the roll check did not see the unchanged template: ${r.v.problems.join('; ')}`,
    );
    c.report.note(
      `Negative control: the same roll on a chart that ignores podAnnotations fails the roll check (${r.v.problems.length} problems: ${r.v.problems.join('; ')}).`,
    );
  });

  t.after(() => {
    if (control) {
      const p = control.phases.find((x) => x.name === 'roll without a drain delay');
      if (p) c.report.figure('control: failed requests in one roll with shutdown.delaySeconds=0', failures(p), 'count', describeStats(p));
      c.report.note(
        'The control roll (no drain delay) asserts that it replaced every pod; its failed requests are a figure, not a check: whether requests fail ' +
          'without the delay depends on how fast kube-proxy drops the endpoint on this node. test/e2e/cluster-loadgen.test.ts proves the counting itself.',
      );
    }
    if (!result) return;
    const r = result;
    const rolls = r.phases.filter((p) => p.name.startsWith('helm upgrade'));
    for (const p of rolls) c.report.figure(`p99 during ${p.name}`, p.p99Ms, 'ms', `${p.requests} requests, max ${p.maxMs.toFixed(1)} ms`);
    const steady = r.phases.find((p) => p.name === 'steady');
    if (steady) c.report.figure('p99 steady (before the first roll)', steady.p99Ms, 'ms');
    c.report.figure(
      'requests sent',
      r.total.requests,
      'count',
      `${r.connections} keep-alive connections, ${r.rate}/s, stopped by ${r.stopReason}`,
    );
    c.report.figure('connection resets', r.total.reset, 'count');
    for (const [k, v] of Object.entries(timings)) c.report.figure(k, v, 's');
    c.report.table(
      'Load by phase',
      ['phase', 'seconds', 'requests', 'ok', 'failed status', 'reset', 'other errors', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms'],
      r.phases.map((p) => [
        p.name,
        p.seconds.toFixed(1),
        p.requests,
        p.ok,
        p.failedStatus,
        p.reset,
        p.otherError,
        p.p50Ms.toFixed(2),
        p.p90Ms.toFixed(2),
        p.p99Ms.toFixed(2),
        p.maxMs.toFixed(1),
      ]),
    );
  });
});

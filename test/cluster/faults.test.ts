// Faults on a real node, with the chart's own probes and limits:
// - a container whose process hangs (SIGSTOP from the node) is restarted by its liveness probe;
// - a pod whose live memory goes past its limit is OOM-killed and restarted;
// - GOMEMLIMIT (set by the binary to 90% of the cgroup limit) keeps a pod under steady load and
//   memory pressure below its limit, read from its memory cgroup, while the same pod without it
//   (GOMEMLIMIT=off) is OOM-killed: the control that shows the pressure was enough;
// - the shutdown budget (SHUTDOWN_DELAY + SHUTDOWN_TIMEOUT) measured from the pod's deletion to
//   the container's exit fits terminationGracePeriodSeconds, with no request failing meanwhile.
// Memory pressure comes from the "debug" image: the generated service plus
// test/cluster/fixtures/memdebug.go, driven by environment variables (no endpoint).
// test-budget: 2400 s (node start, image builds on the layer cache prepare.ts warmed, a liveness restart after 30 s of failures and a 35 s grace period, memory runs)
import { existsSync } from 'node:fs';
import * as assert from 'uvu/assert';
import { describeStats, failures, startLoad } from './support/loadgen.js';
import { shutdownVerdict, verdict } from './support/verdicts.js';
import {
  clusterSuite,
  containerLog,
  imageSets,
  memoryCgroupDir,
  podInfo,
  pods,
  readMemory,
  restrictedNamespace,
  serviceTarget,
  sleep,
  until,
  type Cluster,
  type PodInfo,
} from './support/harness.js';

const NS = 'cgks-faults';
/** Keeps a deleted pod's object (and its final status) until the test has read it. */
const HOLD_FINALIZER = 'cgks.test/hold-status';
const MiB = 1024 * 1024;
const selector = (release: string) => `app.kubernetes.io/instance=${release},app.kubernetes.io/name=demo-svc`;

/** Installs RELEASE (one pod unless told) and resolves with its Ready pods, or (ready false) its pods once created. */
async function installOne(
  c: Cluster,
  release: string,
  which: 'app' | 'debug',
  sets: string[] = [],
  replicas = 1,
  ready = true,
): Promise<PodInfo[]> {
  const r = await c.helm(
    [
      'install',
      release,
      c.images.chartDir,
      '-n',
      NS,
      ...imageSets(c.images, which),
      '--set',
      `replicaCount=${replicas}`,
      // One pod may not be disrupted at all under maxUnavailable 1 of 1: no budget needed here.
      ...(replicas === 1 ? ['--set', 'podDisruptionBudget.enabled=false'] : []),
      ...sets,
      ...(ready ? ['--wait', '--timeout', '5m'] : []),
    ],
    { timeoutMs: 6 * 60_000 },
  );
  assert.is(r.exitCode, 0, `helm install ${release}: ${r.stderr}`);
  if (!ready)
    return until(
      `${replicas} pod(s) of ${release} running`,
      () => pods(c, NS, selector(release)),
      (ps) => ps.filter((p) => p.containerID).length === replicas,
      3 * 60_000,
    );
  return until(
    `${replicas} Ready pod(s) of ${release}`,
    () => pods(c, NS, selector(release)),
    (ps) => ps.filter((p) => p.ready && !p.deleting).length === replicas,
    3 * 60_000,
  );
}

const podNamed = async (c: Cluster, name: string) => podInfo(await c.getJson(['get', 'pod', '-n', NS, name]));

async function uninstall(c: Cluster, release: string): Promise<void> {
  await c.helm(['uninstall', release, '-n', NS, '--wait', '--timeout', '3m'], { timeoutMs: 4 * 60_000 });
}

const envSets = (env: Record<string, string>) => Object.entries(env).flatMap(([k, v]) => ['--set-string', `env.${k}=${v}`]);

await clusterSuite('faults', 'Faults', (c, t) => {
  t.before(async () => {
    await restrictedNamespace(c, NS);
  });

  t('a hung process (SIGSTOP) fails its liveness probe and the kubelet restarts the container', async () => {
    const [pod] = await installOne(c, 'hang', 'app');
    const pid = await c.node.containerPid(pod!.containerID);
    const t0 = Date.now();
    process.kill(pid, 'SIGSTOP');
    const restarted = await until(
      'a restart of the stopped container',
      () => podNamed(c, pod!.name),
      (p) => p.restartCount >= 1,
      4 * 60_000,
      1000,
    );
    const restartSeconds = (Date.now() - t0) / 1000;
    const ready = await until(
      'the restarted container Ready',
      () => podNamed(c, pod!.name),
      (p) => p.ready && p.restartCount >= 1,
      3 * 60_000,
      1000,
    );
    const readySeconds = (Date.now() - t0) / 1000;
    const events = await c.kubectl([
      'get',
      'events',
      '-n',
      NS,
      '--field-selector',
      `involvedObject.name=${pod!.name}`,
      '-o',
      'custom-columns=REASON:.reason,MESSAGE:.message',
      '--no-headers',
    ]);
    const last = ready.lastTerminated;
    const problems: string[] = [];
    if (!/Liveness probe failed/.test(events.stdout)) problems.push(`no "Liveness probe failed" event: ${events.stdout}`);
    if (!/failed liveness probe, will be restarted/.test(events.stdout))
      problems.push(`no restart for the liveness probe in the events: ${events.stdout}`);
    if (restarted.uid !== pod!.uid) problems.push('a new pod, not the same pod with its container restarted');
    if (existsSync(`/proc/${pid}`)) problems.push(`the stopped process ${pid} is still there`);
    c.report.figure(
      'SIGSTOP → container restarted',
      restartSeconds,
      's',
      'liveness 3 × 10 s, then SIGTERM (pending on a stopped process) and SIGKILL after terminationGracePeriodSeconds 35',
    );
    c.report.figure('SIGSTOP → Ready again', readySeconds, 's');
    c.report.figure('SIGSTOP: last termination', `${last?.reason ?? '?'} (exit ${last?.exitCode ?? '?'})`);
    c.report.expect(
      'SIGSTOP: liveness restarts the container',
      'restarted by the liveness probe, same pod, Ready again',
      verdict(
        `restartCount ${ready.restartCount} after ${restartSeconds.toFixed(1)} s, Ready again after ${readySeconds.toFixed(1)} s`,
        problems,
      ),
    );
    await uninstall(c, 'hang');
  });

  t('live memory past the limit: OOM-killed and restarted', async () => {
    const [pod] = await installOne(c, 'oom', 'debug', envSets({ CGKS_DEBUG_GROW_AFTER: '30s', CGKS_DEBUG_GROW_MIB: '256' }));
    const t0 = Date.now();
    const killed = await until(
      'an OOM kill',
      () => podNamed(c, pod!.name),
      (p) => p.restartCount >= 1,
      3 * 60_000,
      500,
    );
    c.report.figure('OOM: Ready → restarted (grows 256 MiB 30 s after start, limit 128 MiB)', (Date.now() - t0) / 1000, 's');
    const ready = await until(
      'Ready again after the restart',
      () => podNamed(c, pod!.name),
      (p) => p.ready && p.restartCount >= 1,
      2 * 60_000,
      500,
    );
    const reason = killed.lastTerminated?.reason;
    c.report.expect(
      'past the memory limit: OOM-killed, restarted',
      'OOMKilled and Ready again',
      verdict(
        `${reason}, restartCount ${ready.restartCount}, Ready again`,
        reason === 'OOMKilled' ? [] : [`last termination ${JSON.stringify(killed.lastTerminated)}, not OOMKilled`],
      ),
    );
    await uninstall(c, 'oom');
  });

  t('GOMEMLIMIT keeps a pod under load and memory pressure below its limit; without it the same pod is OOM-killed', async () => {
    // 72 MiB held, 64 MiB/s of garbage: GOGC alone lets the heap reach about twice the live
    // heap (144 MiB, over the 128 MiB limit); GOMEMLIMIT (115 MiB) makes the GC run before.
    const pressure = { CGKS_DEBUG_BALLAST_MIB: '72', CGKS_DEBUG_CHURN_MIB_PER_SEC: '64' };
    const [pod] = await installOne(c, 'memlimit', 'debug', envSets(pressure));
    // The control may be killed before it is ever Ready: installed without --wait.
    const [control] = await installOne(c, 'nolimit', 'debug', envSets({ ...pressure, GOMEMLIMIT: 'off' }), 1, false);
    const logs = containerLog(c, NS, pod!);
    const gomemlimit = Number(/"gomemlimit":(\d+)/.exec(logs)?.[1] ?? Number.NaN);
    assert.ok(gomemlimit > 0, `no GOMEMLIMIT line in the log:\n${logs.slice(0, 2000)}`);
    const dir = memoryCgroupDir(await c.node.containerPid(pod!.containerID));
    const load = await startLoad({
      target: await serviceTarget(c, NS, 'memlimit-demo-svc'),
      path: '/api/v1/hello',
      netns: c.node.loadNetns,
      connections: 2,
      rate: 50,
      maxRequests: 10_000,
      durationSeconds: 120,
    });
    let peakUsage = 0;
    let peakRss = 0;
    let limit = 0;
    let samples = 0;
    try {
      await load.started;
      // 60 s of samples, every 250 ms.
      for (let i = 0; i < 240; i++) {
        const m = readMemory(dir);
        limit = m.limit;
        peakUsage = Math.max(peakUsage, m.usage);
        peakRss = Math.max(peakRss, m.rss);
        samples++;
        await sleep(250);
      }
    } finally {
      const r = await load.stop();
      c.log(describeStats(r.total));
      c.report.figure('GOMEMLIMIT run: requests through the Service', r.total.requests, 'count', describeStats(r.total));
      c.report.expect(
        'no request failed under memory pressure (GOMEMLIMIT)',
        '0 failed',
        verdict(describeStats(r.total), failures(r.total) === 0 ? [] : [`${failures(r.total)} requests failed`]),
      );
    }
    const kernelPeak = readMemory(dir).peak;
    const after = await podNamed(c, pod!.name);
    const ctl = await podNamed(c, control!.name);
    c.report.figure('memory limit (cgroup)', limit, 'bytes');
    c.report.figure('GOMEMLIMIT (logged by the service)', gomemlimit, 'bytes', `${((gomemlimit / limit) * 100).toFixed(1)}% of the limit`);
    c.report.figure('peak cgroup usage, sampled every 250 ms for 60 s', peakUsage, 'bytes', `${samples} samples`);
    c.report.figure('peak cgroup rss (memory.stat), sampled', peakRss, 'bytes');
    c.report.figure(
      "peak cgroup usage (the kernel's max_usage_in_bytes)",
      kernelPeak,
      'bytes',
      'page cache included, which the kernel reclaims before an OOM kill',
    );
    c.report.figure(
      'control (GOMEMLIMIT=off): restarts in the same time',
      ctl.restartCount,
      'count',
      `last termination: ${ctl.lastTerminated?.reason ?? 'none'}`,
    );
    const problems: string[] = [];
    if (!(ctl.restartCount >= 1 && ctl.lastTerminated?.reason === 'OOMKilled'))
      problems.push(`the control was not OOM-killed (${JSON.stringify(ctl.lastTerminated)}): the pressure proves nothing`);
    if (after.restartCount !== 0) problems.push(`the pod with GOMEMLIMIT restarted: ${JSON.stringify(after.lastTerminated)}`);
    if (!(peakRss < limit)) problems.push(`rss reached ${peakRss} of ${limit}`);
    c.report.expect(
      'GOMEMLIMIT under load and pressure',
      'below the limit, control OOM-killed',
      verdict(
        `${after.restartCount} restarts, peak rss ${(peakRss / MiB).toFixed(1)} MiB of ${(limit / MiB).toFixed(0)} MiB; control OOM-killed ${ctl.restartCount}×`,
        problems,
      ),
    );
    await uninstall(c, 'memlimit');
    await uninstall(c, 'nolimit');
  });

  t(
    'the shutdown budget, measured from deletion to exit under load, fits terminationGracePeriodSeconds; the container exits 0',
    async () => {
      const ps = await installOne(c, 'drain', 'app', [], 2);
      const victim = ps.find((p) => p.ready)!;
      const spec = victim.raw.spec;
      const grace = Number(spec.terminationGracePeriodSeconds);
      const env = Object.fromEntries((spec.containers[0].env ?? []).map((e: { name: string; value?: string }) => [e.name, e.value ?? '']));
      const pid = await c.node.containerPid(victim.containerID);
      // A finalizer of the test's own keeps the pod object after its containers have exited, so the
      // kubelet's final status (the exit code) can always be read; removed once read.
      const hold = await c.kubectl([
        'patch',
        'pod',
        '-n',
        NS,
        victim.name,
        '--type=merge',
        '-p',
        JSON.stringify({ metadata: { finalizers: [HOLD_FINALIZER] } }),
      ]);
      assert.is(hold.exitCode, 0, hold.stderr);
      const load = await startLoad({
        target: await serviceTarget(c, NS, 'drain-demo-svc'),
        path: '/api/v1/hello',
        netns: c.node.loadNetns,
        connections: 4,
        rate: 100,
        maxRequests: 20_000,
        durationSeconds: 150,
      });
      let exitSeconds = Number.NaN;
      let exitCode: number | undefined;
      try {
        await load.started;
        await sleep(2000);
        load.phase('deleted');
        const t0 = Date.now();
        const del = await c.kubectl(['delete', 'pod', '-n', NS, victim.name, '--wait=false']);
        assert.is(del.exitCode, 0, del.stderr);
        // Until the container's process is gone (bounded: twice the grace period).
        for (let i = 0; i < 20 * 2 * grace && Number.isNaN(exitSeconds); i++) {
          if (!existsSync(`/proc/${pid}`)) exitSeconds = (Date.now() - t0) / 1000;
          else await sleep(50);
        }
        // The kubelet reports the terminated state shortly after; the finalizer keeps the object.
        const terminated = await until(
          "the terminated state of the deleted pod's container",
          async () =>
            (
              await c.kubectl([
                'get',
                'pod',
                '-n',
                NS,
                victim.name,
                '-o',
                'jsonpath={.status.containerStatuses[0].state.terminated.exitCode}',
              ])
            ).stdout.trim(),
          (v) => v !== '',
          60_000,
          250,
        ).catch(() => '');
        if (terminated !== '') exitCode = Number(terminated);
        await sleep(2000);
      } finally {
        await c.kubectl(['patch', 'pod', '-n', NS, victim.name, '--type=merge', '-p', JSON.stringify({ metadata: { finalizers: null } })]);
        const r = await load.stop();
        for (const p of r.phases) c.log(describeStats(p));
        c.report.figure('during the deletion: requests through the Service', r.total.requests, 'count', describeStats(r.total));
        c.report.expect(
          'no request failed while a pod shut down',
          '0 failed',
          verdict(describeStats(r.total), failures(r.total) === 0 ? [] : [`${failures(r.total)} requests failed`]),
        );
      }
      const delay = env.SHUTDOWN_DELAY ?? '?';
      const timeout = env.SHUTDOWN_TIMEOUT ?? '?';
      c.report.figure(
        'shutdown: deletion → container exit (measured)',
        exitSeconds,
        's',
        `SHUTDOWN_DELAY ${delay}, SHUTDOWN_TIMEOUT ${timeout}`,
      );
      c.report.figure('terminationGracePeriodSeconds', grace, 's');
      c.report.expect(
        'shutdown budget fits the grace period (measured), exit code 0',
        `< ${grace} s, ≥ SHUTDOWN_DELAY ${delay}, exit 0`,
        shutdownVerdict({ exitSeconds, exitCode, graceSeconds: grace, delay }),
      );
      await uninstall(c, 'drain');
    },
  );
});

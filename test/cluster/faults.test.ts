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
// test-budget: 2400 s (node start, image builds on a cold cache, a liveness restart after 30 s of failures and a 35 s grace period, memory runs)
import { existsSync } from 'node:fs';
import * as assert from 'uvu/assert';
import { describeStats, failures, startLoad } from './support/loadgen.js';
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
const MiB = 1024 * 1024;
const selector = (release: string) => `app.kubernetes.io/instance=${release},app.kubernetes.io/name=demo-svc`;

/** Installs RELEASE (one pod unless told) and resolves with its Ready pods, or (ready false) its pods once created. */
async function installOne(c: Cluster, release: string, which: 'app' | 'debug', sets: string[] = [], replicas = 1, ready = true): Promise<PodInfo[]> {
  const r = await c.helm(
    [
      'install', release, c.images.chartDir, '-n', NS, ...imageSets(c.images, which),
      '--set', `replicaCount=${replicas}`,
      // One pod may not be disrupted at all under maxUnavailable 1 of 1: no budget needed here.
      ...(replicas === 1 ? ['--set', 'podDisruptionBudget.enabled=false'] : []),
      ...sets, ...(ready ? ['--wait', '--timeout', '5m'] : []),
    ],
    { timeoutMs: 6 * 60_000 },
  );
  assert.is(r.exitCode, 0, `helm install ${release}: ${r.stderr}`);
  if (!ready) return until(`${replicas} pod(s) of ${release} running`, () => pods(c, NS, selector(release)), (ps) => ps.filter((p) => p.containerID).length === replicas, 3 * 60_000);
  return until(`${replicas} Ready pod(s) of ${release}`, () => pods(c, NS, selector(release)), (ps) => ps.filter((p) => p.ready && !p.deleting).length === replicas, 3 * 60_000);
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
    const restarted = await until('a restart of the stopped container', () => podNamed(c, pod!.name), (p) => p.restartCount >= 1, 4 * 60_000, 1000);
    const restartSeconds = (Date.now() - t0) / 1000;
    const ready = await until('the restarted container Ready', () => podNamed(c, pod!.name), (p) => p.ready && p.restartCount >= 1, 3 * 60_000, 1000);
    const readySeconds = (Date.now() - t0) / 1000;
    const events = await c.kubectl(['get', 'events', '-n', NS, '--field-selector', `involvedObject.name=${pod!.name}`, '-o', 'custom-columns=REASON:.reason,MESSAGE:.message', '--no-headers']);
    assert.match(events.stdout, /Liveness probe failed/, events.stdout);
    assert.match(events.stdout, /failed liveness probe, will be restarted/, events.stdout);
    assert.is(restarted.uid, pod!.uid, 'the same pod, its container restarted');
    assert.ok(!existsSync(`/proc/${pid}`), 'the stopped process is gone');
    const last = ready.lastTerminated;
    c.report.check('SIGSTOP: liveness restarts the container', `restartCount ${ready.restartCount} after ${restartSeconds.toFixed(1)} s, Ready again after ${readySeconds.toFixed(1)} s`, 'restarted', true);
    c.report.figure('SIGSTOP → container restarted', restartSeconds, 's', 'liveness 3 × 10 s, then SIGTERM (pending on a stopped process) and SIGKILL after terminationGracePeriodSeconds 35');
    c.report.figure('SIGSTOP → Ready again', readySeconds, 's');
    c.report.figure('SIGSTOP: last termination', `${last?.reason ?? '?'} (exit ${last?.exitCode ?? '?'})`);
    await uninstall(c, 'hang');
  });

  t('live memory past the limit: OOM-killed and restarted', async () => {
    const [pod] = await installOne(c, 'oom', 'debug', envSets({ CGKS_DEBUG_GROW_AFTER: '30s', CGKS_DEBUG_GROW_MIB: '256' }));
    const t0 = Date.now();
    const killed = await until('an OOM kill', () => podNamed(c, pod!.name), (p) => p.restartCount >= 1, 3 * 60_000, 500);
    assert.is(killed.lastTerminated?.reason, 'OOMKilled', JSON.stringify(killed.lastTerminated));
    const ready = await until('Ready again after the OOM kill', () => podNamed(c, pod!.name), (p) => p.ready && p.restartCount >= 1, 2 * 60_000, 500);
    c.report.check('past the memory limit: OOM-killed, restarted', `${killed.lastTerminated?.reason}, restartCount ${ready.restartCount}, Ready again`, 'OOMKilled and restarted', true);
    c.report.figure('OOM: Ready → OOM-killed (grows 256 MiB 30 s after start, limit 128 MiB)', (Date.now() - t0) / 1000, 's');
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
    const load = await startLoad({ target: await serviceTarget(c, NS, 'memlimit-demo-svc'), path: '/api/v1/hello', netns: c.node.loadNetns, connections: 2, rate: 50, maxRequests: 10_000, durationSeconds: 120 });
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
      assert.is(failures(r.total), 0, describeStats(r.total));
    }
    const kernelPeak = readMemory(dir).peak;
    const after = await podNamed(c, pod!.name);
    const ctl = await podNamed(c, control!.name);
    c.report.figure('memory limit (cgroup)', limit, 'bytes');
    c.report.figure('GOMEMLIMIT (logged by the service)', gomemlimit, 'bytes', `${((gomemlimit / limit) * 100).toFixed(1)}% of the limit`);
    c.report.figure('peak cgroup usage, sampled every 250 ms for 60 s', peakUsage, 'bytes', `${samples} samples`);
    c.report.figure('peak cgroup rss (memory.stat), sampled', peakRss, 'bytes');
    c.report.figure('peak cgroup usage (the kernel\'s max_usage_in_bytes)', kernelPeak, 'bytes', 'page cache included, which the kernel reclaims before an OOM kill');
    c.report.figure('control (GOMEMLIMIT=off): restarts in the same time', ctl.restartCount, 'count', `last termination: ${ctl.lastTerminated?.reason ?? 'none'}`);
    assert.ok(ctl.restartCount >= 1 && ctl.lastTerminated?.reason === 'OOMKilled', `the control was not OOM-killed (${JSON.stringify(ctl.lastTerminated)}): the pressure proves nothing`);
    assert.is(after.restartCount, 0, `the pod with GOMEMLIMIT restarted: ${JSON.stringify(after.lastTerminated)}`);
    assert.ok(peakRss < limit, `rss reached ${peakRss} of ${limit}`);
    c.report.check('GOMEMLIMIT under load and pressure', `no restart, peak rss ${(peakRss / MiB).toFixed(1)} MiB of ${(limit / MiB).toFixed(0)} MiB; control OOM-killed ${ctl.restartCount}×`, 'below the limit, control OOM-killed', true);
    await uninstall(c, 'memlimit');
    await uninstall(c, 'nolimit');
  });

  t('the shutdown budget, measured from deletion to exit under load, fits terminationGracePeriodSeconds', async () => {
    const ps = await installOne(c, 'drain', 'app', [], 2);
    const victim = ps.find((p) => p.ready)!;
    const spec = victim.raw.spec;
    const grace = Number(spec.terminationGracePeriodSeconds);
    const env = Object.fromEntries((spec.containers[0].env ?? []).map((e: { name: string; value?: string }) => [e.name, e.value ?? '']));
    const pid = await c.node.containerPid(victim.containerID);
    const load = await startLoad({ target: await serviceTarget(c, NS, 'drain-demo-svc'), path: '/api/v1/hello', netns: c.node.loadNetns, connections: 4, rate: 100, maxRequests: 20_000, durationSeconds: 150 });
    let exitSeconds = Number.NaN;
    let exitCode: number | undefined;
    try {
      await load.started;
      await sleep(2000);
      load.phase('deleted');
      const t0 = Date.now();
      const del = await c.kubectl(['delete', 'pod', '-n', NS, victim.name, '--wait=false']);
      assert.is(del.exitCode, 0, del.stderr);
      // Until the container's process is gone (bounded: twice the grace period), catching its
      // terminated state if the API still shows it.
      for (let i = 0; i < 20 * 2 * grace && Number.isNaN(exitSeconds); i++) {
        if (!existsSync(`/proc/${pid}`)) exitSeconds = (Date.now() - t0) / 1000;
        if (exitCode === undefined && i % 5 === 0) {
          const p = await c.kubectl(['get', 'pod', '-n', NS, victim.name, '-o', 'jsonpath={.status.containerStatuses[0].state.terminated.exitCode}']);
          if (p.exitCode === 0 && p.stdout.trim() !== '') exitCode = Number(p.stdout.trim());
        }
        await sleep(50);
      }
      await sleep(2000);
    } finally {
      const r = await load.stop();
      for (const p of r.phases) c.log(describeStats(p));
      c.report.figure('during the deletion: requests through the Service', r.total.requests, 'count', describeStats(r.total));
      assert.is(failures(r.total), 0, describeStats(r.total));
    }
    const delay = env.SHUTDOWN_DELAY ?? '?';
    const timeout = env.SHUTDOWN_TIMEOUT ?? '?';
    c.report.figure('shutdown: deletion → container exit (measured)', exitSeconds, 's', `SHUTDOWN_DELAY ${delay}, SHUTDOWN_TIMEOUT ${timeout}`);
    c.report.figure('terminationGracePeriodSeconds', grace, 's');
    c.report.figure('exit code seen by the kubelet', exitCode === undefined ? 'not caught before the pod object was removed' : String(exitCode));
    assert.ok(Number.isFinite(exitSeconds), 'the container did not exit');
    assert.ok(exitSeconds < grace, `exit after ${exitSeconds} s, grace period ${grace} s`);
    assert.ok(exitSeconds >= parseFloat(delay) - 0.5, `exit after ${exitSeconds} s: sooner than SHUTDOWN_DELAY ${delay}`);
    if (exitCode !== undefined) assert.is(exitCode, 0);
    c.report.check('shutdown budget fits the grace period (measured)', `${exitSeconds.toFixed(1)} s from deletion to exit`, `< ${grace} s and ≥ SHUTDOWN_DELAY ${delay}`, true);
    await uninstall(c, 'drain');
  });
});

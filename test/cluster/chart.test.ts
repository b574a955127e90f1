// The generated chart on a real node: `helm install --wait` once per environment values file and
// once with every option one node can run, each into a namespace that enforces Pod Security
// "restricted"; the pods become Ready through the kubelet's own probes; the container runtime
// runs them as the chart says (uid 65532, no capabilities, no_new_privs, seccomp filter, read-only
// root); `helm test` passes. The namespace's enforcement is proven by a pod it refuses.
// test-budget: 2400 s (node start, image builds on the layer cache prepare.ts warmed, four installs of up to 5 min each)
// test-tools: helm crds
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { stringify as stringifyYaml } from 'yaml';
import { allOnOneNode, allOnPrerequisites, ENVIRONMENTS } from './support/chart-values.js';
import {
  applyObjects,
  clusterSuite,
  containerLog,
  imageSets,
  podInfo,
  pods,
  processFacts,
  restrictedNamespace,
  until,
  type Cluster,
  type PodInfo,
} from './support/harness.js';
import { toolsDir } from '../support/tools.js';
import { verdict } from './support/verdicts.js';

const RELEASE = 'demo';
/** The release's own objects; with the name too, only the Deployment's pods (not the `helm test` pod). */
const SELECTOR = `app.kubernetes.io/instance=${RELEASE}`;
const POD_SELECTOR = `app.kubernetes.io/name=demo-svc,${SELECTOR}`;
const NONROOT = 65532;

/** Problems with how the runtime runs a pod's service container, read from /proc on the node. */
async function runtimeProblems(c: Cluster, p: PodInfo): Promise<string[]> {
  const f = processFacts(await c.node.containerPid(p.containerID));
  const out: string[] = [];
  if (!f.uid.every((u) => u === NONROOT)) out.push(`uids ${f.uid}`);
  if (!f.gid.every((g) => g === NONROOT)) out.push(`gids ${f.gid}`);
  if (!/^0+$/.test(f.capEff)) out.push(`effective capabilities ${f.capEff}`);
  if (f.noNewPrivs !== 1) out.push(`NoNewPrivs ${f.noNewPrivs}`);
  if (f.seccomp !== 2) out.push(`Seccomp ${f.seccomp} (2 is filter mode)`);
  if (!f.rootReadOnly) out.push('root file system writable');
  return out;
}

/** The `helm test` pod's state and log, for a failure's message. */
async function testPodAccount(c: Cluster, ns: string): Promise<string> {
  try {
    const p = podInfo(await c.getJson(['get', 'pod', '-n', ns, 'demo-demo-svc-test-connection']));
    return `test pod: ${JSON.stringify(p.raw.status.containerStatuses?.[0]?.state)}\n${containerLog(c, ns, p, 'wget')}`;
  } catch (e) {
    return `test pod: ${(e as Error).message}`;
  }
}

/** The service container's probes in the live pod: Ready can only have come through them. */
function probeProblems(p: PodInfo): string[] {
  const ctr = p.raw.spec.containers[0];
  const cs = p.raw.status.containerStatuses?.[0] ?? {};
  const out: string[] = [];
  if (ctr.readinessProbe?.httpGet?.path !== '/ready') out.push(`readiness probe ${JSON.stringify(ctr.readinessProbe)}`);
  if (ctr.livenessProbe?.httpGet?.path !== '/healthz') out.push(`liveness probe ${JSON.stringify(ctr.livenessProbe)}`);
  if (!ctr.startupProbe) out.push('no startup probe');
  if (cs.started !== true) out.push('not started (startup probe)');
  if (!p.ready) out.push('not Ready');
  if (p.restartCount !== 0) out.push(`${p.restartCount} restarts`);
  return out;
}

await clusterSuite('chart', 'Chart installs', (c, t) => {
  const installs: (string | number)[][] = [];

  t('the namespaces enforce "restricted": a pod asking for root is refused', async () => {
    await restrictedNamespace(c, 'cgks-psa');
    const r = await c.kubectl(['apply', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'root', namespace: 'cgks-psa' },
        spec: { containers: [{ name: 'c', image: `${c.images.tests.ref}`, imagePullPolicy: 'Never', securityContext: { runAsUser: 0 } }] },
      }),
    });
    const problems: string[] = [];
    if (r.exitCode === 0) problems.push('a root pod was admitted');
    else if (!/violates PodSecurity "restricted/.test(r.stderr)) problems.push(`refused for another reason: ${r.stderr.trim()}`);
    c.report.expect(
      'Pod Security "restricted" enforced',
      'refused by admission',
      verdict(r.exitCode === 0 ? 'a root pod admitted' : `refused: ${r.stderr.trim().split('\n')[0]}`, problems),
    );
  });

  const install = (label: string, ns: string, values: string[], wantReplicas: number) =>
    c.report.judge(
      `${label}: helm install --wait, ${wantReplicas} pods Ready by the kubelet's probes, run as restricted, helm test`,
      'all pass',
      async (problems) => {
        await restrictedNamespace(c, ns);
        const t0 = Date.now();
        const r = await c.helm(
          ['install', RELEASE, c.images.chartDir, '-n', ns, ...values, ...imageSets(c.images), '--wait', '--timeout', '5m'],
          { timeoutMs: 6 * 60_000 },
        );
        const installSeconds = (Date.now() - t0) / 1000;
        if (r.exitCode !== 0) throw new Error(`helm install (${label}) exited with ${r.exitCode}: ${r.stderr}`);
        // With the HPA in charge the Deployment starts at one pod; the HPA raises it to minReplicas.
        const ready = await until(
          `${wantReplicas} Ready pods (${label})`,
          () => pods(c, ns, POD_SELECTOR),
          (ps) => ps.filter((p) => p.ready && !p.deleting).length >= wantReplicas,
          3 * 60_000,
          1000,
        );
        const allReadySeconds = (Date.now() - t0) / 1000;
        for (const p of ready.filter((x) => x.ready && !x.deleting)) {
          for (const x of [...probeProblems(p), ...(await runtimeProblems(c, p))]) problems.push(`${p.name}: ${x}`);
        }
        const t1 = Date.now();
        const test = await c.helm(['test', RELEASE, '-n', ns, '--timeout', '3m'], { timeoutMs: 4 * 60_000 });
        const testSeconds = (Date.now() - t1) / 1000;
        if (test.exitCode !== 0)
          problems.push(
            `helm test (${label}) exited with ${test.exitCode}: ${test.stdout}\n${test.stderr}\n${await testPodAccount(c, ns)}`,
          );
        installs.push([label, ns, wantReplicas, installSeconds.toFixed(1), allReadySeconds.toFixed(1), testSeconds.toFixed(1)]);
        const un = await c.helm(['uninstall', RELEASE, '-n', ns, '--wait', '--timeout', '3m'], { timeoutMs: 4 * 60_000 });
        if (un.exitCode !== 0) problems.push(`helm uninstall: ${un.stderr}`);
        return `${ready.filter((x) => x.ready && !x.deleting).length} pods Ready in ${allReadySeconds.toFixed(1)} s, helm test exit ${test.exitCode}`;
      },
    );

  for (const env of ENVIRONMENTS) {
    t(`values-${env}.yaml: installed, Ready through the kubelet's probes, run as restricted, helm test passes`, async () => {
      const replicas = env === 'prod' ? 3 : 2; // prod: the HPA's minReplicas; dev and staging: replicaCount
      await install(`values-${env}.yaml`, `cgks-${env}`, ['-f', join(c.images.chartDir, `values-${env}.yaml`)], replicas);
    });
  }

  t(
    'every option one node can run: ServiceMonitor and HTTPRoute (their CRDs installed), Ingress, NetworkPolicy, HPA, PDB, ConfigMap, init container',
    () =>
      c.report.judge(
        'every option on: helm install --wait, 3 pods Ready, optional objects stored, init container ran, helm test',
        'all pass',
        async (problems) => {
          // The CRDs the chart's optional objects need, from the same pinned sources as kubectl-validate's.
          for (const crd of ['monitoring.coreos.com_servicemonitors.yaml', 'gateway.networking.k8s.io_httproutes.yaml']) {
            const r = await c.kubectl(['apply', '--server-side', '-f', join(toolsDir(), 'crds', crd)]);
            assert.is(r.exitCode, 0, `${crd}: ${r.stderr}`);
          }
          for (const name of ['servicemonitors.monitoring.coreos.com', 'httproutes.gateway.networking.k8s.io']) {
            const w = await c.kubectl(['wait', '--for=condition=Established', `crd/${name}`, '--timeout=60s'], { timeoutMs: 70_000 });
            assert.is(w.exitCode, 0, w.stderr);
          }
          const ns = 'cgks-all-on';
          await restrictedNamespace(c, ns);
          await applyObjects(c, allOnPrerequisites(ns));
          const { values, adjustments } = allOnOneNode();
          const file = join(c.work, 'all-on-one-node.yaml');
          writeFileSync(file, stringifyYaml(values));
          for (const a of adjustments)
            c.report.note(`Every option on: \`${a.key}\` changed from test/fixtures/chart/all-on.yaml: ${a.why}.`);
          c.report.note(
            "Every option on: the NetworkPolicy is accepted by the API server but not enforced: the node's CNI (bridge + host-local) implements no policy. " +
              'The Ingress and the HTTPRoute are stored but nothing serves them (no ingress controller, no Gateway). The ServiceMonitor is stored; no Prometheus Operator reads it.',
          );
          const t0 = Date.now();
          const r = await c.helm(
            ['install', RELEASE, c.images.chartDir, '-n', ns, '-f', file, ...imageSets(c.images), '--wait', '--timeout', '5m'],
            {
              timeoutMs: 6 * 60_000,
            },
          );
          if (r.exitCode !== 0) throw new Error(`helm install (all on) exited with ${r.exitCode}: ${r.stderr}`);
          const installSeconds = (Date.now() - t0) / 1000;
          const kinds = [
            'servicemonitors.monitoring.coreos.com',
            'httproutes.gateway.networking.k8s.io',
            'ingress',
            'networkpolicy',
            'hpa',
            'pdb',
            'configmap',
            'serviceaccount',
          ];
          for (const k of kinds) {
            const got = await c.kubectl(['get', k, '-n', ns, '-l', SELECTOR, '-o', 'name']);
            if (got.exitCode !== 0 || !got.stdout.trim()) problems.push(`no ${k} of the release: ${got.stderr}`);
          }
          const ready = await until(
            '3 Ready pods (all on)',
            () => pods(c, ns, POD_SELECTOR),
            (ps) => ps.filter((p) => p.ready && !p.deleting).length >= 3,
            3 * 60_000,
            1000,
          );
          for (const p of ready.filter((x) => x.ready && !x.deleting)) {
            for (const x of [...probeProblems(p), ...(await runtimeProblems(c, p))]) problems.push(`${p.name}: ${x}`);
            const init = p.raw.status.initContainerStatuses?.[0]?.state?.terminated;
            if (init?.exitCode !== 0) problems.push(`${p.name}: init container ${JSON.stringify(init)}`);
          }
          const readySeconds = (Date.now() - t0) / 1000;
          const t1 = Date.now();
          const test = await c.helm(['test', RELEASE, '-n', ns, '--timeout', '3m'], { timeoutMs: 4 * 60_000 });
          if (test.exitCode !== 0)
            problems.push(
              `helm test (all on) exited with ${test.exitCode}: ${test.stdout}\n${test.stderr}\n${await testPodAccount(c, ns)}`,
            );
          installs.push([
            'every option on (one node)',
            ns,
            3,
            installSeconds.toFixed(1),
            readySeconds.toFixed(1),
            ((Date.now() - t1) / 1000).toFixed(1),
          ]);
          const un = await c.helm(['uninstall', RELEASE, '-n', ns, '--wait', '--timeout', '3m'], { timeoutMs: 4 * 60_000 });
          if (un.exitCode !== 0) problems.push(`helm uninstall: ${un.stderr}`);
          return `${kinds.length} kinds looked up, ${ready.filter((x) => x.ready && !x.deleting).length} pods Ready in ${readySeconds.toFixed(1)} s, helm test exit ${test.exitCode}`;
        },
      ),
  );

  t.after(() => {
    c.report.table('Installs', ['values', 'namespace', 'pods', 'helm install --wait (s)', 'all pods Ready (s)', 'helm test (s)'], installs);
  });
});

// test-budget: 1200 s (two node starts from the binaries `npm run test:cluster` built first, and their teardowns)
// The cluster suite's node (test/cluster/support/node.ts): a real single-node Kubernetes comes up
// from the cached build, runs a Pod Security "restricted" pod of a locally built image behind a
// Service, answers through the Service's cluster IP (kube-proxy) from the suite's own network
// namespace and by name through CoreDNS, and stop() leaves nothing of it on the machine.
// Root on Linux only: elsewhere it fails saying why, under any CI setting (it runs only when asked for).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mustRunHere } from '../support/skip.js';
import { snapshotDiff } from './support/host-snapshot.js';
import { hostSnapshot, NODE_LOCK_FILE, startNode, withNodeLock, type Node } from './support/node.js';

const NS = 'cgks-node-test';
const here = dirname(fileURLToPath(import.meta.url));
const canRun = process.platform === 'linux' && process.getuid?.() === 0;

const pod = (image: string, restricted: boolean) => `apiVersion: v1
kind: Pod
metadata: {name: ${restricted ? 'web' : 'loose'}, namespace: ${NS}, labels: {app: ${restricted ? 'web' : 'loose'}}}
spec:
  automountServiceAccountToken: false
  terminationGracePeriodSeconds: 1
  ${restricted ? 'securityContext: {runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: {type: RuntimeDefault}}' : ''}
  containers:
  - name: web
    image: ${image}
    imagePullPolicy: Never
    args: [httpd, -f, -v, -p, "8080", -h, /www]
    ports: [{name: http, containerPort: 8080}]
    readinessProbe: {httpGet: {path: /, port: http}, periodSeconds: 1}
    ${restricted ? 'securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}' : ''}
`;

const service = `apiVersion: v1
kind: Service
metadata: {name: web, namespace: ${NS}}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
`;

if (!canRun) {
  const why = `needs root on Linux (this is ${process.platform}, uid ${process.getuid?.()})`;
  mustRunHere('the cluster node', why);
} else {
  const workDir = mkdtempSync(join(tmpdir(), 'cgks-node-'));
  let node: Node | undefined;
  let before: Record<string, string[]>;
  let clusterIP = '';

  test.before(async () => {
    // Under the node lock: another suite's node on this machine would otherwise show in it.
    before = await withNodeLock(() => hostSnapshot(workDir));
  });
  test.after(async () => {
    await node?.stop();
  });

  test('the node comes up from the cached build and registers itself Ready', async () => {
    const t0 = Date.now();
    node = await startNode({ workDir, progress: (l) => process.stdout.write(`  node: ${l}\n`) });
    process.stdout.write(`  node: up in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
    const r = await node.kubectl([
      'get',
      'node',
      node.nodeName,
      '-o',
      'jsonpath={.status.conditions[?(@.type=="Ready")].status} {.status.nodeInfo.kubeletVersion} {.status.nodeInfo.containerRuntimeVersion}',
    ]);
    assert.is(r.exitCode, 0, r.stderr);
    assert.match(r.stdout, /^True v1\.35\.4 containerd:\/\//);
    const version = await node.kubectl(['version', '-o', 'json']);
    assert.is(JSON.parse(version.stdout).serverVersion.gitVersion, 'v1.35.4');
  });

  test('a namespace enforcing Pod Security "restricted" admits a compliant pod of a local image, refuses one that is not', async () => {
    const n = node!;
    const ns = await n.kubectl(['create', 'namespace', NS]);
    assert.is(ns.exitCode, 0, ns.stderr);
    const label = await n.kubectl(['label', 'namespace', NS, 'pod-security.kubernetes.io/enforce=restricted']);
    assert.is(label.exitCode, 0, label.stderr);
    const loose = await n.kubectl(['apply', '-f', '-'], { input: pod(n.images.busybox, false) });
    assert.is.not(loose.exitCode, 0, 'a pod without a restricted security context was admitted');
    assert.match(loose.stderr, /violates PodSecurity "restricted:latest"/);
    const web = await n.kubectl(['apply', '-f', '-'], { input: pod(n.images.busybox, true) + '---\n' + service });
    assert.is(web.exitCode, 0, web.stderr);
    const ready = await n.kubectl(['wait', '-n', NS, '--for=condition=Ready', 'pod/web', '--timeout=180s'], { timeoutMs: 200_000 });
    if (ready.exitCode !== 0) {
      const describe = await n.kubectl(['describe', 'pod', '-n', NS, 'web']);
      assert.unreachable(`pod web not Ready: ${ready.stderr}\n${describe.stdout.split('\n').slice(-25).join('\n')}`);
    }
  });

  test('the Service answers through its cluster IP from the load namespace (kube-proxy)', async () => {
    const n = node!;
    clusterIP = (await n.kubectl(['get', 'service', '-n', NS, 'web', '-o', 'jsonpath={.spec.clusterIP}'])).stdout.trim();
    assert.ok(clusterIP.startsWith('10.96.'), `cluster IP ${clusterIP} outside ${n.serviceCIDR}`);
    let last = { stdout: '', stderr: '', exitCode: -1 };
    // kube-proxy programs the rules shortly after the endpoint turns ready: bounded retries.
    for (let i = 0; i < 30 && last.exitCode !== 0; i++) {
      if (i) await new Promise((r) => setTimeout(r, 1000));
      last = await n.inLoadNetns(['curl', '-sS', '--max-time', '3', `http://${clusterIP}/`], { timeoutMs: 10_000 });
    }
    assert.is(last.exitCode, 0, `no answer from http://${clusterIP}/ in ${n.loadNetns}: ${last.stderr}`);
    assert.is(last.stdout.trim(), 'ok');
  });

  test('CoreDNS answers the Service name, to a pod (kubelet clusterDNS) and on the node DNS address', async () => {
    const n = node!;
    const name = `web.${NS}.svc.cluster.local`;
    const inPod = await n.kubectl(['exec', '-n', NS, 'web', '--', '/bin/busybox', 'nslookup', name]);
    assert.is(inPod.exitCode, 0, inPod.stderr + inPod.stdout);
    assert.match(inPod.stdout, new RegExp(`Address:\\s*${clusterIP.replace(/\./g, '\\.')}\\b`));
    const resolv = await n.kubectl(['exec', '-n', NS, 'web', '--', '/bin/busybox', 'cat', '/etc/resolv.conf']);
    assert.match(resolv.stdout, new RegExp(`nameserver ${n.dnsIP.replace(/\./g, '\\.')}`));
    const fromNetns = await n.inLoadNetns(['busybox', 'nslookup', name, n.dnsIP]);
    assert.match(fromNetns.stdout, new RegExp(`Address:\\s*${clusterIP.replace(/\./g, '\\.')}\\b`), fromNetns.stdout + fromNetns.stderr);
  });

  test("containerPid finds the container's process on the host, running as the pod's user", async () => {
    const n = node!;
    const id = (
      await n.kubectl(['get', 'pod', '-n', NS, 'web', '-o', 'jsonpath={.status.containerStatuses[0].containerID}'])
    ).stdout.trim();
    assert.match(id, /^containerd:\/\//);
    const pid = await n.containerPid(id);
    assert.match(readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' '), /httpd -f -v -p 8080/);
    assert.match(readFileSync(`/proc/${pid}/status`, 'utf8'), /^Uid:\s+65532\s/m);
  });

  test('stop() leaves no process, mount, link, route, IPv4 or IPv6 rule, netns, cgroup, CNI file, tracked connection, listening socket, sysctl change or log link behind', async () => {
    const n = node!;
    await n.stop();
    await n.stop(); // idempotent
    const after = await withNodeLock(() => hostSnapshot(workDir));
    assert.equal(snapshotDiff(before, after), [], 'left behind or changed');
    rmSync(workDir, { recursive: true, force: true });
  });

  test('a test process killed with SIGKILL leaves nothing behind either (the watcher tears the node down)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cgks-node-killed-'));
    const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'support', 'hold-node.ts'), dir], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const up = await new Promise<boolean>((ok) => {
      const timer = setTimeout(() => ok(false), 600_000);
      child.stdout.on('data', (d: Buffer) => {
        if (!d.toString().includes('up')) return;
        clearTimeout(timer);
        ok(true);
      });
      child.on('exit', () => {
        clearTimeout(timer);
        ok(false);
      });
    });
    assert.ok(up, `the node did not come up in a child process:\n${err}`);
    assert.ok(((await hostSnapshot(dir)).processes ?? []).length > 0, 'no node process seen while it runs');
    process.kill(-child.pid!, 'SIGKILL');
    // The watcher holds the node lock until its teardown is done.
    const waited = spawnSync('flock', ['-w', '180', NODE_LOCK_FILE, 'true']);
    assert.is(waited.status, 0, 'the watcher did not finish its teardown within 180 s');
    const after = await withNodeLock(() => hostSnapshot(dir));
    assert.equal(snapshotDiff(before, after), [], 'left behind or changed after SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
}

test.run();

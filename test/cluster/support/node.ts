// A real single-node Kubernetes on this machine, up and down from one call: etcd, kube-apiserver,
// kube-controller-manager, kube-scheduler, the kubelet, kube-proxy (iptables), containerd with the
// CNI bridge, CoreDNS; all from binaries built and cached by scripts/cluster/build-node.sh, host
// packages from scripts/cluster/install-host.sh, both run beforehand by scripts/cluster/prepare.ts
// (the first step of `npm run test:cluster`). Root only (Linux).
//
// Traffic stays on this machine: before anything starts, the pod and service ranges are routed to
// nowhere (unreachable routes); the bridge's own /24 is the only way to the pods; the load comes
// from a network namespace of our own, linked to the host by a point-to-point veth.
//
// Nothing is left behind: stop() (and a watcher process, if this process dies in any way) runs
// scripts/cluster/teardown.sh, which undoes what WORK_DIR/state.env lists. One node at a time per
// machine (a lock under /run), since kube-proxy's iptables chains and the ports are global.
import { execa } from 'execa';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { hostSnapshot, readSysctl, SYSCTLS } from './host-snapshot.js';
import {
  API_SERVICE_IP,
  BRIDGE,
  cniConfig,
  containerdConfig,
  corefile,
  type Dirs,
  GATEWAY_IP,
  kubeletConfig,
  kubeProxyConfig,
  LAST_WORKDIR,
  LOAD_HOST_IP,
  LOAD_NETNS,
  LOAD_NS_IP,
  LOAD_PREFIX,
  LOAD_VETH,
  NODE_LOCK_FILE,
  NODE_NAME,
  POD_CIDR,
  SERVICE_CIDR,
} from './node-config.js';
import { onInterrupt } from './leftovers.js';
import { adminKubeconfig, makePki } from './pki.js';
import { repoRoot, toolsDir } from '../../support/tools.js';

export interface NodeOptions {
  workDir: string;
  progress?: (line: string) => void;
}

export interface Node {
  /** Admin kubeconfig (system:masters client certificate). */
  kubeconfig: string;
  /** process.env + KUBECONFIG + PATH with kubectl and helm first. */
  env: NodeJS.ProcessEnv;
  podCIDR: string;
  serviceCIDR: string;
  kubectl(args: string[], opts?: { input?: string; timeoutMs?: number }): Promise<{ stdout: string; stderr: string; exitCode: number }>;
  /** Imports an OCI archive into containerd's k8s.io namespace under `ref` (e.g. localhost/app:1). */
  importImage(ociArchive: string, ref: string): Promise<void>;
  /** A network namespace of the suite's own that reaches the service CIDR through kube-proxy. */
  loadNetns: string;
  /** Host pid of a container's main process (pod status containerID "containerd://..."). */
  containerPid(containerID: string): Promise<number>;
  /** Idempotent; leaves nothing behind. */
  stop(): Promise<void>;

  // ---- additions ----
  /** The node's name as registered. */
  nodeName: string;
  /** The pod bridge's address: the pods' gateway, CoreDNS (port 53), the API server (port 6443). */
  gatewayIP: string;
  /** The kubelet's clusterDNS: CoreDNS on the host, kubernetes plugin, zone cluster.local. */
  dnsIP: string;
  /** Directory of kubenode and its symlinks (kubectl, kube-*), coredns. */
  binDir: string;
  /** Images built with the binaries and already imported (OCI archives beside them). */
  images: { pause: string; busybox: string; busyboxArchive: string };
  /** Runs a command inside loadNetns (`ip netns exec`). */
  inLoadNetns(cmd: string[], opts?: { timeoutMs?: number }): Promise<{ stdout: string; stderr: string; exitCode: number }>;
  /** The components' logs: WORK_DIR/logs/<name>.log. */
  logDir: string;
}

export { hostSnapshot, NODE_LOCK_FILE };
export { BRIDGE, GATEWAY_IP, LOAD_NETNS, LOAD_VETH, NODE_NAME, POD_CIDR, SERVICE_CIDR } from './node-config.js';
const LOCK_FILE = NODE_LOCK_FILE;

type Say = (line: string) => void;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns a value, or throws `what` after `timeoutMs`. */
async function waitFor<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>, everyMs = 500): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await sleep(everyMs);
  }
}

async function run(cmd: string, args: string[], opts: { input?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}) {
  const r = await execa(cmd, args, {
    reject: false,
    input: opts.input,
    timeout: opts.timeoutMs ?? 60_000,
    env: opts.env,
    stdin: opts.input === undefined ? 'ignore' : undefined,
  });
  return { stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? ''), exitCode: r.exitCode ?? (r.timedOut ? 124 : 1) };
}

async function must(
  cmd: string,
  args: string[],
  opts: { input?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<string> {
  const r = await run(cmd, args, opts);
  if (r.exitCode !== 0)
    throw new Error(`${cmd} ${args.join(' ')} failed (${r.exitCode}): ${(r.stderr || r.stdout).trim().split('\n').slice(-5).join(' | ')}`);
  return r.stdout;
}

/** Ranges of the node that must not overlap any route this machine already has. */
function cidrOverlaps(a: string, b: string): boolean {
  const parse = (c: string) => {
    const [ip, len] = c.includes('/') ? c.split('/') : [c, '32'];
    const n = (ip ?? '').split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
    return { n, len: Number(len) };
  };
  const x = parse(a);
  const y = parse(b);
  const len = Math.min(x.len, y.len);
  return Math.floor(x.n / 2 ** (32 - len)) === Math.floor(y.n / 2 ** (32 - len));
}

async function checkRoutesFree(): Promise<void> {
  const routes = JSON.parse(await must('ip', ['-j', 'route', 'show', 'table', 'all'])) as { dst: string; type?: string; table?: string }[];
  for (const r of routes) {
    if (!/^\d+\.\d+\.\d+\.\d+(\/\d+)?$/.test(r.dst) || r.table === 'local') continue;
    for (const mine of [POD_CIDR, SERVICE_CIDR, `${LOAD_HOST_IP}/${LOAD_PREFIX}`]) {
      if (cidrOverlaps(r.dst, mine))
        throw new Error(
          `this machine already routes ${r.dst}, which overlaps the node's ${mine}; is another node running? (scripts/cluster/teardown.sh WORK_DIR)`,
        );
    }
  }
}

// ---- processes ---------------------------------------------------------------------------------

interface Proc {
  name: string;
  child: ChildProcess;
  exited: Promise<number | null>;
}

function startProcess(w: Dirs, name: string, cmd: string, args: string[], env?: NodeJS.ProcessEnv): Proc {
  const log = openSync(join(w.logs, `${name}.log`), 'a');
  // detached: its own process group, so stopping it takes its children too, and a Ctrl-C sent to
  // the test's group reaches the test (which tears down in order) rather than every component.
  const child = spawn(cmd, args, { detached: true, stdio: ['ignore', log, log], env: env ?? process.env });
  closeSync(log);
  if (child.pid === undefined) throw new Error(`could not start ${name} (${cmd})`);
  writeFileSync(join(w.pids, `${name}.pid`), `${child.pid}\n`);
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  child.unref();
  return { name, child, exited };
}

function logTail(w: Dirs, name: string, lines = 15): string {
  try {
    return readFileSync(join(w.logs, `${name}.log`), 'utf8')
      .trimEnd()
      .split('\n')
      .slice(-lines)
      .join('\n');
  } catch {
    return '';
  }
}

/** Waits for `check`, failing early (with the log's tail) when the process exits. */
async function waitReady(w: Dirs, p: Proc, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  let dead = false;
  void p.exited.then(() => (dead = true));
  await waitFor(`${p.name} to be ready (log: ${join(w.logs, p.name + '.log')})`, timeoutMs, async () => {
    if (dead) throw new Error(`${p.name} exited:\n${logTail(w, p.name)}`);
    return (await check()) ? true : undefined;
  }).catch((e: Error) => {
    throw new Error(`${e.message}\n--- ${p.name} log tail ---\n${logTail(w, p.name)}`);
  });
}

async function httpOk(url: string): Promise<boolean> {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(2000) });
    return r.ok;
  } catch {
    return false;
  }
}

// ---- the prepared build ------------------------------------------------------------------------

const BUILD_NODE = () => join(repoRoot(), 'scripts', 'cluster', 'build-node.sh');
export const nodeCacheRoot = (): string => process.env.CGKS_CLUSTER_CACHE || join(homedir(), '.cache', 'create-go-k8s-service', 'cluster');

/**
 * The name build-node.sh gives its output for the current sources: <K8S_VERSION>-<the first 12 hex
 * of sha256 over node/go.mod, go.sum, main.go and the script itself>, as the script computes it.
 */
export function nodeBuildId(): string {
  const script = readFileSync(BUILD_NODE(), 'utf8');
  const version = /^K8S_VERSION=(\S+)/m.exec(script)?.[1];
  if (!version) throw new Error('no K8S_VERSION= line in scripts/cluster/build-node.sh');
  const node = join(repoRoot(), 'scripts', 'cluster', 'node');
  const hash = createHash('sha256');
  for (const f of [join(node, 'go.mod'), join(node, 'go.sum'), join(node, 'main.go'), BUILD_NODE()]) hash.update(readFileSync(f));
  return `${version}-${hash.digest('hex').slice(0, 12)}`;
}

/** The cached binaries of the current sources, or a one-line error saying how to build them. */
export function preparedBinDir(): string {
  const bin = join(nodeCacheRoot(), nodeBuildId(), 'bin');
  for (const f of [join(bin, 'kubenode'), join(bin, 'coredns'), join(bin, '..', 'images', 'refs')]) {
    if (!existsSync(f)) {
      throw new Error(
        `the node's binaries for the current sources are not built (no ${f}): run \`npm run test:cluster\`, whose first step builds them, or \`npx tsx scripts/cluster/prepare.ts\``,
      );
    }
  }
  return bin;
}

// ---- the lock and the watcher ------------------------------------------------------------------

/**
 * Takes the machine-wide node lock through a watcher process in its own process group: it holds
 * the lock while our pipe to it is open, and when the pipe closes (stop(), or this process dying,
 * even by SIGKILL) it runs teardown.sh on the work dir, then releases the lock.
 */
async function takeLock(workDir: string, say: Say, timeoutMs: number): Promise<ChildProcess> {
  const teardown = join(repoRoot(), 'scripts', 'cluster', 'teardown.sh');
  const script = `echo locked; cat >/dev/null; exec bash "$CGKS_TEARDOWN" "$CGKS_WORKDIR" >>"$CGKS_WORKDIR/logs/teardown.log" 2>&1`;
  const watcher = spawn('flock', ['-w', String(Math.ceil(timeoutMs / 1000)), LOCK_FILE, 'bash', '-c', script], {
    detached: true,
    stdio: ['pipe', 'pipe', 'ignore'],
    env: { ...process.env, CGKS_TEARDOWN: teardown, CGKS_WORKDIR: workDir },
  });
  watcher.unref();
  const announced = setTimeout(() => say(`waiting for another node on this machine to stop (${LOCK_FILE})`), 2000);
  try {
    await new Promise<void>((ok, fail) => {
      watcher.stdout!.once('data', () => ok());
      watcher.on('exit', (code) =>
        fail(new Error(`could not take ${LOCK_FILE} within ${timeoutMs / 1000} s (flock exit ${code}): another node is running`)),
      );
    });
  } finally {
    clearTimeout(announced);
  }
  (watcher.stdout as unknown as { unref?: () => void }).unref?.();
  (watcher.stdin as unknown as { unref?: () => void }).unref?.();
  return watcher;
}

/**
 * Runs `fn` while holding the node lock, so no node starts or stops meanwhile (another suite's
 * node on the same machine): for snapshots of the host that must see no node at all.
 */
export async function withNodeLock<T>(fn: () => Promise<T>, timeoutMs = 15 * 60_000): Promise<T> {
  const holder = spawn('flock', ['-w', String(Math.ceil(timeoutMs / 1000)), LOCK_FILE, 'sh', '-c', 'echo locked; exec cat >/dev/null'], {
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  const gone = new Promise<void>((ok) => holder.on('exit', () => ok()));
  try {
    await new Promise<void>((ok, fail) => {
      holder.stdout!.once('data', () => ok());
      holder.on('exit', (code) => fail(new Error(`could not take ${LOCK_FILE} within ${timeoutMs / 1000} s (flock exit ${code})`)));
    });
    return await fn();
  } finally {
    holder.stdin!.end();
    await gone;
  }
}

// ---- the node ----------------------------------------------------------------------------------

export async function startNode(opts: NodeOptions): Promise<Node> {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) throw new Error('startNode needs root on Linux');
  const say: Say = opts.progress ?? (() => {});
  const root = resolve(opts.workDir);
  const w: Dirs = {
    root,
    logs: join(root, 'logs'),
    pids: join(root, 'pids'),
    containerd: join(root, 'containerd'),
    containerdSock: join(root, 'containerd', 'containerd.sock'),
    cniConf: join(root, 'cni', 'net.d'),
  };
  for (const d of [w.root, w.logs, w.pids, w.containerd, w.cniConf, join(root, 'kubelet'), join(root, 'pod-logs')])
    mkdirSync(d, { recursive: true });

  // Built beforehand, outside every test file's budget: `npm run test:cluster` runs
  // scripts/cluster/prepare.ts first (host packages, the node's binaries, the images' cache).
  // CGKS_NODE_BIN_DIR: binaries (and ../images) laid out as build-node.sh does, built elsewhere.
  const binDir = process.env.CGKS_NODE_BIN_DIR || preparedBinDir();
  const kubenode = join(binDir, 'kubenode');
  const imageDir = join(binDir, '..', 'images');
  const refs = Object.fromEntries(
    readFileSync(join(imageDir, 'refs'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split('=') as [string, string]),
  ) as { pause: string; busybox: string };

  // A node from a run killed outright is cleaned by its watcher; if even that died, clean here.
  const watcher = await takeLock(root, say, 30 * 60_000);
  if (existsSync(LAST_WORKDIR)) {
    const last = readFileSync(LAST_WORKDIR, 'utf8').trim();
    if (last && existsSync(join(last, 'state.env'))) {
      say(`cleaning up after an earlier node in ${last}`);
      spawnSync('bash', [join(repoRoot(), 'scripts', 'cluster', 'teardown.sh'), last], { stdio: 'ignore', timeout: 180_000 });
    }
  }
  writeFileSync(LAST_WORKDIR, `${root}\n`);

  const kubeconfig = join(root, 'admin.kubeconfig');
  const procs: Proc[] = [];
  let stopped: Promise<void> | undefined;
  let stoppedFully = false;
  const stop = (): Promise<void> => (stopped ??= doStop());
  const onExit = () => {
    // Synchronous last resort; the watcher does the same when this process is gone.
    if (!stopped) spawnSync('bash', [join(repoRoot(), 'scripts', 'cluster', 'teardown.sh'), root], { stdio: 'ignore', timeout: 120_000 });
  };
  // SIGINT/SIGTERM: one handler runs every cleanup of this process (this stop among them), then exits.
  const forget = onInterrupt(() => {
    say('interrupted: tearing the node down');
    return stop();
  });
  process.once('exit', onExit);

  // Once stopped, the node's addresses are routed like any other: refuse rather than send there.
  const kubectl: Node['kubectl'] = async (args, o = {}) =>
    stoppedFully
      ? { stdout: '', stderr: 'the node is stopped', exitCode: 1 }
      : run(kubenode, ['kubectl', '--kubeconfig', kubeconfig, ...args], { input: o.input, timeoutMs: o.timeoutMs ?? 60_000 });
  const ctr = (args: string[], timeoutMs = 120_000) => must('ctr', ['--address', w.containerdSock, '-n', 'k8s.io', ...args], { timeoutMs });

  async function doStop(): Promise<void> {
    forget();
    const t0 = Date.now();
    say('stopping the node');
    // Pods first, through the kubelet, so CNI releases their addresses and netns; bounded.
    if (procs.some((p) => p.name === 'kubelet') && procs.some((p) => p.name === 'kube-apiserver')) {
      for (const name of ['kube-controller-manager', 'kube-scheduler']) {
        const p = procs.find((x) => x.name === name);
        if (p?.child.pid) {
          try {
            process.kill(-p.child.pid, 'SIGTERM');
          } catch {
            /* gone */
          }
        }
      }
      await kubectl(['delete', 'pods', '--all', '--all-namespaces', '--grace-period=0', '--force', '--wait=false'], { timeoutMs: 30_000 });
      await waitFor('the kubelet to remove every pod sandbox', 60_000, async () => {
        const r = await run('ctr', ['--address', w.containerdSock, '-n', 'k8s.io', 'tasks', 'ls', '-q'], { timeoutMs: 10_000 });
        return r.exitCode === 0 && r.stdout.trim() === '' ? true : undefined;
      }).catch((e: Error) => say(`${e.message}; killing what is left`));
    }
    stoppedFully = true;
    // Not spawnSync: the event loop must keep reaping the components as they exit.
    const r = await run('bash', [join(repoRoot(), 'scripts', 'cluster', 'teardown.sh'), root], { timeoutMs: 180_000 });
    if (r.stderr) appendFileSync(join(w.logs, 'teardown.log'), r.stderr);
    // Let the watcher run teardown once more (a no-op now) and release the lock.
    const watcherGone = new Promise<void>((ok) => (watcher.exitCode !== null ? ok() : watcher.once('exit', () => ok())));
    watcher.stdin?.end();
    await Promise.race([watcherGone, sleep(60_000)]);
    process.removeListener('exit', onExit);
    say(`node stopped in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }

  try {
    // ---- state for teardown, written before anything changes ----
    await checkRoutesFree();
    const sysctlsBefore = SYSCTLS.map((k) => [k, readSysctl(k)] as const).filter(([, v]) => v !== undefined);
    writeFileSync(join(root, 'sysctl.before'), sysctlsBefore.map(([k, v]) => `${k} ${v}`).join('\n') + '\n');
    const netnsDir = '/run/netns';
    writeFileSync(join(root, 'netns.before'), (existsSync(netnsDir) ? readdirSync(netnsDir) : []).join('\n') + '\n');
    const nftTables = await run('nft', ['list', 'tables']);
    writeFileSync(
      join(root, 'nft-tables.before'),
      nftTables.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split(/\s+/).slice(1, 3).join(' '))
        .join('\n') + '\n',
    );
    writeFileSync(
      join(root, 'state.env'),
      [
        `WORK_DIR=${JSON.stringify(root)}`,
        `BIN_DIR=${JSON.stringify(binDir)}`,
        `CONTAINERD_SOCK=${JSON.stringify(w.containerdSock)}`,
        `BRIDGE=${BRIDGE}`,
        `LOAD_VETH=${LOAD_VETH}`,
        `LOAD_NETNS=${LOAD_NETNS}`,
        `UNREACHABLE_ROUTES="${POD_CIDR} ${SERVICE_CIDR}"`,
        `LOAD_RANGE=${LOAD_HOST_IP}/${LOAD_PREFIX}`,
        `RUN_NETNS_WAS_MOUNT=${
          readFileSync('/proc/self/mountinfo', 'utf8')
            .split('\n')
            .some((l) => l.split(' ')[4] === '/run/netns')
            ? 1
            : 0
        }`,
        '',
      ].join('\n'),
    );

    // ---- network, before any component ----
    say(`network: unreachable ${POD_CIDR} and ${SERVICE_CIDR}, bridge ${BRIDGE} ${GATEWAY_IP}/24, netns ${LOAD_NETNS}`);
    await must('ip', ['route', 'add', 'unreachable', POD_CIDR]);
    await must('ip', ['route', 'add', 'unreachable', SERVICE_CIDR]);
    await must('sysctl', ['-q', '-w', 'net.ipv4.ip_forward=1']);
    await must('ip', ['link', 'add', BRIDGE, 'type', 'bridge']);
    await must('ip', ['addr', 'add', `${GATEWAY_IP}/24`, 'dev', BRIDGE]);
    await must('ip', ['link', 'set', BRIDGE, 'up']);
    await must('ip', ['netns', 'add', LOAD_NETNS]);
    await must('ip', ['link', 'add', LOAD_VETH, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', LOAD_NETNS]);
    await must('ip', ['addr', 'add', `${LOAD_HOST_IP}/${LOAD_PREFIX}`, 'dev', LOAD_VETH]);
    await must('ip', ['link', 'set', LOAD_VETH, 'up']);
    const nsIp = (args: string[]) => must('ip', ['-n', LOAD_NETNS, ...args]);
    await nsIp(['link', 'set', 'lo', 'up']);
    await nsIp(['addr', 'add', `${LOAD_NS_IP}/${LOAD_PREFIX}`, 'dev', 'eth0']);
    await nsIp(['link', 'set', 'eth0', 'up']);
    await nsIp(['route', 'add', SERVICE_CIDR, 'via', LOAD_HOST_IP]);
    await nsIp(['route', 'add', POD_CIDR, 'via', LOAD_HOST_IP]);

    // ---- files ----
    say('certificates and configuration');
    const pki = await makePki(join(root, 'pki'), [API_SERVICE_IP, GATEWAY_IP]);
    writeFileSync(kubeconfig, adminKubeconfig(pki, `https://${GATEWAY_IP}:6443`), { mode: 0o600 });
    writeFileSync(join(root, 'containerd', 'config.toml'), containerdConfig(w, refs.pause));
    writeFileSync(join(w.cniConf, '10-cgks.conflist'), cniConfig(w));
    writeFileSync(join(root, 'kubelet.yaml'), kubeletConfig(w, pki.caCert));
    writeFileSync(join(root, 'resolv.conf'), '');
    writeFileSync(join(root, 'kube-proxy.yaml'), kubeProxyConfig(kubeconfig));
    writeFileSync(join(root, 'Corefile'), corefile(kubeconfig));

    // ---- containerd, images ----
    say('starting containerd');
    const containerd = startProcess(w, 'containerd', 'containerd', ['--config', join(root, 'containerd', 'config.toml')]);
    procs.push(containerd);
    await waitReady(
      w,
      containerd,
      60_000,
      async () =>
        existsSync(w.containerdSock) && (await run('ctr', ['--address', w.containerdSock, 'version'], { timeoutMs: 5000 })).exitCode === 0,
    );
    const importImage = async (archive: string, ref: string): Promise<void> => {
      // Imports and unpacks into the CRI's snapshotter; the name is the archive's ref.name annotation.
      const out = await ctr(['images', 'import', archive], 300_000);
      const imported = [...out.matchAll(/^unpacking (\S+) \(/gm)].map((m) => m[1]);
      if (!imported.includes(ref)) {
        if (!imported[0]) throw new Error(`ctr images import ${archive} imported nothing: ${out}`);
        await ctr(['images', 'tag', '--force', imported[0], ref]);
      }
    };
    say(`importing ${refs.pause} and ${refs.busybox}`);
    await importImage(join(imageDir, 'pause.oci.tar'), refs.pause);
    await importImage(join(imageDir, 'busybox.oci.tar'), refs.busybox);

    // ---- control plane ----
    say('starting etcd');
    const etcd = startProcess(w, 'etcd', kubenode, [
      'etcd',
      '--name',
      'cgks',
      '--data-dir',
      join(root, 'etcd'),
      '--listen-client-urls',
      'http://127.0.0.1:2379',
      '--advertise-client-urls',
      'http://127.0.0.1:2379',
      '--listen-peer-urls',
      'http://127.0.0.1:2380',
      '--initial-advertise-peer-urls',
      'http://127.0.0.1:2380',
      '--initial-cluster',
      'cgks=http://127.0.0.1:2380',
      '--unsafe-no-fsync',
      '--log-level',
      'warn',
    ]);
    procs.push(etcd);
    await waitReady(w, etcd, 60_000, () => httpOk('http://127.0.0.1:2379/health'));

    say('starting kube-apiserver');
    const apiserver = startProcess(w, 'kube-apiserver', kubenode, [
      'apiserver',
      '--etcd-servers',
      'http://127.0.0.1:2379',
      '--bind-address',
      GATEWAY_IP,
      '--advertise-address',
      GATEWAY_IP,
      '--secure-port',
      '6443',
      '--tls-cert-file',
      pki.apiserverCert,
      '--tls-private-key-file',
      pki.apiserverKey,
      '--client-ca-file',
      pki.caCert,
      '--service-cluster-ip-range',
      SERVICE_CIDR,
      '--service-account-issuer',
      'https://kubernetes.default.svc.cluster.local',
      '--service-account-key-file',
      pki.serviceAccountPub,
      '--service-account-signing-key-file',
      pki.serviceAccountKey,
      '--authorization-mode',
      'Node,RBAC',
      '--kubelet-client-certificate',
      pki.adminCert,
      '--kubelet-client-key',
      pki.adminKey,
      // By address: the node's name resolves nowhere (and no lookup should leave the machine).
      '--kubelet-preferred-address-types',
      'InternalIP',
      '--cert-dir',
      join(root, 'pki', 'apiserver-generated'),
      '--profiling=false',
    ]);
    procs.push(apiserver);
    await waitReady(
      w,
      apiserver,
      180_000,
      async () => (await kubectl(['get', '--raw', '/readyz'], { timeoutMs: 5000 })).stdout.trim() === 'ok',
    );

    say('starting kube-controller-manager and kube-scheduler');
    procs.push(
      startProcess(w, 'kube-controller-manager', kubenode, [
        'controller-manager',
        '--kubeconfig',
        kubeconfig,
        '--authentication-kubeconfig',
        kubeconfig,
        '--authorization-kubeconfig',
        kubeconfig,
        '--bind-address',
        '127.0.0.1',
        '--leader-elect=false',
        '--use-service-account-credentials',
        '--service-account-private-key-file',
        pki.serviceAccountKey,
        '--root-ca-file',
        pki.caCert,
        '--cluster-signing-cert-file',
        pki.caCert,
        '--cluster-signing-key-file',
        pki.caKey,
        '--allocate-node-cidrs=false',
        '--cert-dir',
        join(root, 'pki', 'controller-manager-generated'),
        '--profiling=false',
      ]),
    );
    procs.push(
      startProcess(w, 'kube-scheduler', kubenode, [
        'scheduler',
        '--kubeconfig',
        kubeconfig,
        '--authentication-kubeconfig',
        kubeconfig,
        '--authorization-kubeconfig',
        kubeconfig,
        '--bind-address',
        '127.0.0.1',
        '--leader-elect=false',
        '--cert-dir',
        join(root, 'pki', 'scheduler-generated'),
        '--profiling=false',
      ]),
    );

    say('starting the kubelet, kube-proxy and CoreDNS');
    const kubelet = startProcess(w, 'kubelet', kubenode, [
      'kubelet',
      '--config',
      join(root, 'kubelet.yaml'),
      '--kubeconfig',
      kubeconfig,
      '--node-ip',
      GATEWAY_IP,
      '--hostname-override',
      NODE_NAME,
      '--root-dir',
      join(root, 'kubelet'),
      '--cert-dir',
      join(root, 'kubelet', 'pki'),
    ]);
    procs.push(kubelet);
    const proxy = startProcess(w, 'kube-proxy', kubenode, ['proxy', '--config', join(root, 'kube-proxy.yaml')]);
    procs.push(proxy);
    const coredns = startProcess(w, 'coredns', join(binDir, 'coredns'), ['-conf', join(root, 'Corefile')]);
    procs.push(coredns);

    await waitReady(w, kubelet, 180_000, async () => {
      const r = await kubectl(['get', 'node', NODE_NAME, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'], {
        timeoutMs: 5000,
      });
      return r.stdout.trim() === 'True';
    });
    await waitReady(w, proxy, 60_000, () => httpOk('http://127.0.0.1:10256/healthz'));
    await waitReady(w, coredns, 60_000, () => httpOk('http://127.0.0.1:8181/ready'));
    await waitFor('the default service account', 60_000, async () =>
      (await kubectl(['get', 'serviceaccount', 'default', '-n', 'default'], { timeoutMs: 5000 })).exitCode === 0 ? true : undefined,
    );
    say('node ready');

    const helmDir = join(toolsDir(), 'bin');
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      KUBECONFIG: kubeconfig,
      PATH: [binDir, helmDir, process.env.PATH ?? ''].join(delimiter),
    };
    return {
      kubeconfig,
      env,
      podCIDR: POD_CIDR,
      serviceCIDR: SERVICE_CIDR,
      kubectl,
      importImage,
      loadNetns: LOAD_NETNS,
      async containerPid(containerID: string): Promise<number> {
        const id = containerID.replace(/^containerd:\/\//, '');
        const out = await ctr(['tasks', 'ls'], 30_000);
        const line = out.split('\n').find((l) => l.split(/\s+/)[0] === id);
        if (!line) throw new Error(`no running task ${id} in containerd`);
        return Number(line.split(/\s+/)[1]);
      },
      stop,
      nodeName: NODE_NAME,
      gatewayIP: GATEWAY_IP,
      dnsIP: GATEWAY_IP,
      binDir,
      images: { pause: refs.pause, busybox: refs.busybox, busyboxArchive: join(imageDir, 'busybox.oci.tar') },
      inLoadNetns: async (cmd, o = {}) =>
        stoppedFully
          ? { stdout: '', stderr: 'the node is stopped', exitCode: 1 }
          : run('ip', ['netns', 'exec', LOAD_NETNS, ...cmd], { timeoutMs: o.timeoutMs ?? 30_000 }),
      logDir: w.logs,
    };
  } catch (e) {
    say(`node failed to start: ${(e as Error).message.split('\n')[0]}; tearing down`);
    await stop();
    throw e;
  }
}

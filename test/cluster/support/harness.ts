// What every test file of the real-cluster suite shares: the node (support/node.ts) started
// once per file and always stopped, the suite's images built and imported, helm and kubectl
// bound to the node's kubeconfig, namespaces that enforce Pod Security "restricted", and
// bounded waits on what the kubelet reports.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { suite, type Test } from 'uvu';
import * as assert from 'uvu/assert';
import { ensureTools, toolPath, toolsDir } from '../../support/tools.js';
import { buildSuiteImages, type SuiteImages } from './images.js';
import { startNode, type Node } from './node.js';
import { cleanLeftovers, forgetTempDirs, onInterrupt, removeWorkingContainers, trackTempDir } from './leftovers.js';
import { ReportSection } from './report.js';

export interface Cluster {
  node: Node;
  images: SuiteImages;
  work: string;
  report: ReportSection;
  log: (line: string) => void;
  helm(args: string[], opts?: { timeoutMs?: number }): Promise<Cmd>;
  kubectl(args: string[], opts?: { input?: string; timeoutMs?: number }): Promise<Cmd>;
  /** kubectl … -o json, parsed; throws on a non-zero exit. */
  getJson<T = any>(args: string[]): Promise<T>; // eslint-disable-line @typescript-eslint/no-explicit-any
  stop(): Promise<void>;
}

export interface Cmd {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** Why the suite cannot run here, or undefined when it can (Linux, root). */
export function unavailableReason(): string | undefined {
  if (process.platform !== 'linux') return `needs Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'needs root (a kubelet, containerd, network namespaces)';
  return undefined;
}

/**
 * Starts the node, builds and imports the images. ID names the file's report section.
 * On failure everything started so far is stopped before the error is thrown.
 */
export async function startCluster(id: string, title: string): Promise<Cluster> {
  const t0 = Date.now();
  const log = (line: string) => process.stdout.write(`[cluster ${((Date.now() - t0) / 1000).toFixed(0).padStart(4)}s] ${line}\n`);
  // What a run cut short left (its node is its watcher's business): temp dirs, working containers.
  await cleanLeftovers(log);
  const work = mkdtempSync(join(tmpdir(), `cgks-cluster-${id}-`));
  trackTempDir(work);
  const dirs = [work];
  let node: Node | undefined;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await node?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    forgetTempDirs();
  };
  // Interrupted while building: the cut-short build's working containers go too (under the store lock).
  const forget = onInterrupt(async () => {
    await stop();
    await removeWorkingContainers();
  });
  const report = new ReportSection(id, title);
  await ensureTools(['helm', 'crds']);
  const images = await buildSuiteImages(join(work, 'images'), log, (dir) => {
    trackTempDir(dir);
    dirs.push(dir);
  }).catch(async (e) => {
    await stop();
    forget();
    throw e;
  });
  report.figure('app image build (buildah, layer cache warm after the first run)', images.app.buildSeconds, 's');
  report.figure('app image as an OCI archive', images.app.archiveBytes, 'bytes');
  const nodeStarted = Date.now();
  try {
    node = await startNode({ workDir: join(work, 'node'), progress: log });
  } catch (e) {
    await stop();
    forget();
    throw e;
  }
  report.figure('node start (startNode)', (Date.now() - nodeStarted) / 1000, 's');
  try {
    for (const i of [images.app, images.debug, images.tests]) await node.importImage(i.archive, i.ref);
    const helmHome = join(toolsDir(), 'helm-home');
    mkdirSync(helmHome, { recursive: true });
    const helmEnv = {
      ...node.env,
      KUBECONFIG: node.kubeconfig,
      HELM_CONFIG_HOME: join(helmHome, 'config'),
      HELM_CACHE_HOME: join(helmHome, 'cache'),
      HELM_DATA_HOME: join(helmHome, 'data'),
    };
    const helm = async (args: string[], opts: { timeoutMs?: number } = {}): Promise<Cmd> => {
      const r = await execa(toolPath('helm'), args, {
        env: helmEnv,
        reject: false,
        stdin: 'ignore',
        timeout: opts.timeoutMs ?? 10 * 60_000,
      });
      return { stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? r.shortMessage ?? ''), exitCode: r.exitCode ?? -1 };
    };
    const n = node;
    const kubectl = (args: string[], opts?: { input?: string; timeoutMs?: number }) => n.kubectl(args, opts);
    const getJson = async (args: string[]) => {
      const r = await n.kubectl([...args, '-o', 'json']);
      if (r.exitCode !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr.trim()}`);
      return JSON.parse(r.stdout);
    };
    return { node: n, images, work, report, log, helm, kubectl, getJson, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

// ---- objects ------------------------------------------------------------------------------------

/** Creates NAME enforcing (and warning on) Pod Security "restricted", latest version. */
export async function restrictedNamespace(c: Cluster, name: string): Promise<void> {
  const r = await c.kubectl(['apply', '-f', '-'], {
    input: JSON.stringify({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name,
        labels: {
          'pod-security.kubernetes.io/enforce': 'restricted',
          'pod-security.kubernetes.io/enforce-version': 'latest',
          'pod-security.kubernetes.io/warn': 'restricted',
        },
      },
    }),
  });
  if (r.exitCode !== 0) throw new Error(`namespace ${name}: ${r.stderr}`);
}

export async function applyObjects(c: Cluster, objects: unknown[]): Promise<void> {
  const r = await c.kubectl(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }) });
  if (r.exitCode !== 0) throw new Error(`kubectl apply: ${r.stderr}`);
}

/** The values every install of the suite passes: the imported images, never pulled. */
type Named = { repository: string; tag: string };
export function imageSets(images: { app: Named; debug: Named; tests: Named }, which: 'app' | 'debug' = 'app'): string[] {
  const img = images[which];
  return [
    '--set',
    `image.repository=${img.repository}`,
    '--set',
    `image.tag=${img.tag}`,
    '--set',
    'image.pullPolicy=Never',
    '--set',
    `tests.image.repository=${images.tests.repository}`,
    '--set',
    `tests.image.tag=${images.tests.tag}`,
    '--set',
    'tests.image.pullPolicy=Never',
  ];
}

// ---- pods -----------------------------------------------------------------------------------------

/* eslint-disable @typescript-eslint/no-explicit-any */
export interface PodInfo {
  name: string;
  uid: string;
  phase: string;
  ready: boolean;
  deleting: boolean;
  podIP: string;
  restartCount: number;
  containerID: string;
  lastTerminated?: { reason?: string; exitCode?: number; startedAt?: string; finishedAt?: string };
  /** Why the container is not running yet (ErrImageNeverPull: …), for a failed wait's message. */
  waiting?: string;
  raw: any;
}

export function podInfo(p: any): PodInfo {
  const cs = (p.status?.containerStatuses ?? [])[0] ?? {};
  return {
    name: p.metadata.name,
    uid: p.metadata.uid,
    phase: p.status?.phase ?? '',
    ready: (p.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True'),
    deleting: Boolean(p.metadata.deletionTimestamp),
    podIP: p.status?.podIP ?? '',
    restartCount: cs.restartCount ?? 0,
    containerID: String(cs.containerID ?? '').replace(/^[a-z]+:\/\//, ''),
    lastTerminated: cs.lastState?.terminated,
    waiting: cs.state?.waiting ? `${cs.state.waiting.reason}: ${cs.state.waiting.message ?? ''}` : undefined,
    raw: p,
  };
}
/* eslint-enable @typescript-eslint/no-explicit-any */

export async function pods(c: Cluster, ns: string, selector: string): Promise<PodInfo[]> {
  const list = await c.getJson<{ items: unknown[] }>(['get', 'pods', '-n', ns, '-l', selector]);
  return list.items.map(podInfo);
}

/** Polls every INTERVAL ms until PRED holds or TIMEOUT passes (then throws with DESCRIBE's text). */
export async function until<T>(
  what: string,
  probe: () => Promise<T>,
  pred: (v: T) => boolean,
  timeoutMs: number,
  intervalMs = 500,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let lastErr: unknown;
  for (let i = 0; Date.now() < deadline && i < 100_000; i++) {
    try {
      last = await probe();
      if (pred(last)) return last;
    } catch (e) {
      lastErr = e;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  const seen =
    last === undefined
      ? `error: ${(lastErr as Error)?.message}`
      : JSON.stringify(last, (k, v) => (k === 'raw' ? undefined : v)).slice(0, 1500);
  throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}; last seen: ${seen}`);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A container's log lines (every restart), read from the kubelet's log files on the node: the
 * API server's log proxy needs the kubelet reachable by name, which the node does not promise.
 */
export function containerLog(c: Cluster, ns: string, pod: PodInfo, container = 'demo-svc'): string {
  const dir = join(c.work, 'node', 'pod-logs', `${ns}_${pod.name}_${pod.uid}`, container);
  if (!existsSync(dir)) return '';
  return readdirSync(dir)
    .filter((f) => f.endsWith('.log'))
    .sort()
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .join('')
    .split('\n')
    .map((l) => l.split(' ').slice(3).join(' ')) // CRI format: time stream tag message
    .join('\n');
}

/** The ClusterIP:port of a Service. */
export async function serviceTarget(c: Cluster, ns: string, name: string): Promise<string> {
  const svc = await c.getJson<{ spec: { clusterIP: string; ports: { name: string; port: number }[] } }>(['get', 'service', '-n', ns, name]);
  const port = svc.spec.ports.find((p) => p.name === 'http') ?? svc.spec.ports[0]!;
  return `${svc.spec.clusterIP}:${port.port}`;
}

/** The memory cgroup directory of a process (v1 hierarchy, or the v2 unified one). */
export function memoryCgroupDir(pid: number): string {
  const line = readFileSync(`/proc/${pid}/cgroup`, 'utf8')
    .split('\n')
    .find((l) => /^\d+:([^:]*,)?memory(,[^:]*)?:/.test(l) || l.startsWith('0::'));
  if (!line) throw new Error(`no memory cgroup in /proc/${pid}/cgroup`);
  const path = line.slice(line.indexOf(':', line.indexOf(':') + 1) + 1);
  return line.startsWith('0::') ? join('/sys/fs/cgroup', path) : join('/sys/fs/cgroup/memory', path);
}

/** Usage, peak (v1 max_usage_in_bytes, v2 memory.peak), limit and anonymous memory, in bytes. */
export function readMemory(dir: string): { usage: number; peak: number; limit: number; rss: number } {
  const num = (f: string) => (existsSync(join(dir, f)) ? Number(readFileSync(join(dir, f), 'utf8').trim()) : Number.NaN);
  if (existsSync(join(dir, 'memory.usage_in_bytes'))) {
    const stat = readFileSync(join(dir, 'memory.stat'), 'utf8');
    const rss = Number(/^total_rss (\d+)$/m.exec(stat)?.[1] ?? /^rss (\d+)$/m.exec(stat)?.[1] ?? Number.NaN);
    return { usage: num('memory.usage_in_bytes'), peak: num('memory.max_usage_in_bytes'), limit: num('memory.limit_in_bytes'), rss };
  }
  // cgroup v2
  const stat = readFileSync(join(dir, 'memory.stat'), 'utf8');
  return {
    usage: num('memory.current'),
    peak: num('memory.peak'),
    limit: num('memory.max'),
    rss: Number(/^anon (\d+)$/m.exec(stat)?.[1] ?? Number.NaN),
  };
}

// ---- a test file's frame -----------------------------------------------------------------------

/**
 * Defines a file's suite around one node: starts it (a single failing test says why when it
 * cannot), lets DEFINE add the tests, and afterwards writes the report section and stops the
 * node, also on SIGINT/SIGTERM. `npm run test:cluster` was asked for: without root on Linux it
 * fails with the reason instead of skipping.
 */
export async function clusterSuite(id: string, title: string, define: (c: Cluster, t: Test) => void): Promise<void> {
  const t = suite(title);
  const reason = unavailableReason();
  let c: Cluster | undefined;
  let startError: Error | undefined;
  if (!reason) {
    try {
      c = await startCluster(id, title);
    } catch (e) {
      startError = e as Error;
    }
  }
  if (!c) {
    t('the node starts', () => {
      assert.unreachable(reason ? `npm run test:cluster ${reason}` : `the node did not start: ${startError?.stack ?? startError}`);
    });
    t.run();
    return;
  }
  const cluster = c;
  const finish = async () => {
    const path = cluster.report.write();
    process.stdout.write(`report: ${path}\n`);
    await cluster.stop();
  };
  onInterrupt(finish);
  define(cluster, t);
  t.after(finish); // after the file's own after hooks, which may still add to the report
  t.run();
}

/** Facts the kernel keeps about a running process: ids, capabilities, no_new_privs, seccomp, root mount. */
export function processFacts(pid: number): {
  uid: number[];
  gid: number[];
  capEff: string;
  noNewPrivs: number;
  seccomp: number;
  rootReadOnly: boolean;
} {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (k: string) => (new RegExp(`^${k}:\\s*(.*)$`, 'm').exec(status)?.[1] ?? '').trim();
  const nums = (k: string) => field(k).split(/\s+/).filter(Boolean).map(Number);
  const root = readFileSync(`/proc/${pid}/mountinfo`, 'utf8')
    .split('\n')
    .map((l) => l.split(' '))
    .filter((f) => f[4] === '/')
    .pop();
  return {
    uid: nums('Uid'),
    gid: nums('Gid'),
    capEff: field('CapEff'),
    noNewPrivs: Number(field('NoNewPrivs')),
    seccomp: Number(field('Seccomp')),
    rootReadOnly: (root?.[5] ?? '').split(',').includes('ro'),
  };
}

// What of this machine a cluster node touches, as a snapshot to compare before start and after
// stop: equal means the node left nothing behind.
import { execa } from 'execa';
import { parseConntrack } from './verdicts.js';
import { type Dirent, existsSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Sysctls the node (or the kubelet, kube-proxy) may change; restored by teardown. */
export const SYSCTLS = [
  'net.ipv4.ip_forward',
  'net.ipv4.conf.all.route_localnet',
  'net.bridge.bridge-nf-call-iptables',
  'vm.overcommit_memory',
  'vm.panic_on_oom',
  'kernel.panic',
  'kernel.panic_on_oops',
  'kernel.keys.root_maxkeys',
  'kernel.keys.root_maxbytes',
];

export const readSysctl = (key: string): string | undefined => {
  const p = `/proc/sys/${key.replace(/\./g, '/')}`;
  return existsSync(p) ? readFileSync(p, 'utf8').trim() : undefined;
};

/** Names and ranges of the node's own: its bridge, veths and netns, the pod, service and load ranges, kube-proxy's and CNI's chains. */
export const NODE_MARK = /(cgks|10\.244\.|10\.96\.|10\.245\.|KUBE-|CNI-|cni-)/;

/** The ports the node's components listen on (kubelet, kube-proxy, etcd, API server, controllers, CoreDNS). */
export const NODE_PORTS = [53, 2379, 2380, 6443, 8181, 10248, 10249, 10250, 10256, 10257, 10259];

/** A node's binaries, by the name the kernel shows for the process. */
const NODE_PROCESSES = [
  'kubenode',
  'coredns',
  'containerd',
  'containerd-shim',
  'containerd-shim-runc-v2',
  'runc',
  'etcd',
  'kube-apiserver',
  'kubelet',
  'kube-proxy',
];

/**
 * iptables-save / ip6tables-save output: the rules and chains of the node's names and ranges, and
 * every table (one that exists only because the node's first rule made it is a leftover too).
 */
export function ruleLines(text: string): string[] {
  return text
    .split('\n')
    .filter((l) => l && !l.startsWith('#') && (l.startsWith('*') || NODE_MARK.test(l)))
    .sort();
}

/**
 * Cgroup directories (paths under /sys/fs/cgroup) that a node makes: the kubelet's kubepods tree
 * (QoS classes, pod<uid>), containers' (64 hex ids) and anything named after the node, in every
 * hierarchy; other programs' cgroups are left out.
 */
export function nodeCgroups(paths: readonly string[]): string[] {
  const ours = (seg: string) =>
    /^kubepods($|[-.])/.test(seg) || /^pod[0-9a-f]{8}[-_][0-9a-f]{4}/.test(seg) || /^[0-9a-f]{64}$/.test(seg) || seg.includes('cgks');
  return paths.filter((p) => p.split('/').some(ours)).sort();
}

/** `ss -Hlntup` output: listening sockets on the node's addresses or ports, or held by its binaries. */
export function nodeSockets(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 5) continue;
    const [proto, , , , local] = f;
    const port = Number(/:(\d+)$/.exec(local ?? '')?.[1]);
    const proc = /users:\(\("([^"]+)"/.exec(line)?.[1] ?? '';
    if (NODE_MARK.test(local ?? '') || NODE_PORTS.includes(port) || NODE_PROCESSES.includes(proc))
      out.push(`${proto} ${local}${proc ? ` ${proc}` : ''}`);
  }
  return out.sort();
}

/** `conntrack -L` output: the tracked connections of the node's ranges, without their timers. */
export function nodeConntrack(text: string): string[] {
  return parseConntrack(text)
    .filter((e) => [e.origSrc, e.origDst, e.replySrc].some((a) => NODE_MARK.test(a)))
    .map((e) => `${e.protocol} ${e.origSrc} > ${e.origDst}:${e.origDport} < ${e.replySrc}:${e.replySport}`)
    .sort();
}

/** What differs between two snapshots, one line per thing left behind or gone; empty when equal. */
export function snapshotDiff(before: Record<string, string[]>, after: Record<string, string[]>): string[] {
  const out: string[] = [];
  for (const kind of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
    const b = new Set(before[kind] ?? []);
    const a = new Set(after[kind] ?? []);
    for (const x of a) if (!b.has(x)) out.push(`${kind}: left behind: ${x}`);
    for (const x of b) if (!a.has(x)) out.push(`${kind}: gone: ${x}`);
  }
  return out;
}

/** Every file and directory under ROOT, as paths (ROOT included when it exists). */
function walk(root: string, maxDepth: number, dirsOnly = false): string[] {
  const out: string[] = [];
  const visit = (dir: string, depth: number) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return; // gone meanwhile, or not a directory
    }
    out.push(dir);
    if (depth >= maxDepth) return;
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory()) visit(p, depth + 1);
      else if (!dirsOnly) out.push(p);
    }
  };
  if (existsSync(root)) visit(root, 0);
  return out;
}

/**
 * What of this machine a node touches, as sorted lines per kind: its processes (the components,
 * containerd's shims, anything in a kubepods cgroup), mounts (the work dir, pods' netns, kubelet and
 * containerd roots), network links, routes, IPv4 and IPv6 rules and network namespaces of the node's
 * names and ranges, every cgroup it makes in every hierarchy, CNI's state (/etc/cni and
 * /var/lib/cni, whole), its tracked connections and listening sockets, the sysctls it may change,
 * and the kubelet's log links into the work dir. Equal before start and after stop() means nothing
 * was left behind; other programs' state is left out so a busy machine does not disturb the comparison.
 */
export async function hostSnapshot(workDir: string): Promise<Record<string, string[]>> {
  const ours = NODE_MARK;
  const lines = async (cmd: string, args: string[]) =>
    String((await execa(cmd, args, { reject: false, timeout: 30_000 })).stdout ?? '')
      .split('\n')
      .filter(Boolean);
  const text = async (cmd: string, args: string[]) => String((await execa(cmd, args, { reject: false, timeout: 30_000 })).stdout ?? '');
  const processes: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const exe = readlinkSync(`/proc/${pid}/exe`);
      const cgroup = readFileSync(`/proc/${pid}/cgroup`, 'utf8');
      const name = exe.split('/').pop() ?? '';
      if (['kubenode', 'coredns', 'containerd', 'containerd-shim-runc-v2', 'runc'].includes(name) || cgroup.includes('/kubepods')) {
        processes.push(`${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim()}`);
      }
    } catch {
      // gone, or a kernel thread
    }
  }
  const dir = resolve(workDir);
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4] ?? '')
    .filter((m) => m.startsWith(dir) || /^\/(var\/)?run\/netns(\/|$)/.test(m) || /kubelet|containerd/.test(m));
  return {
    processes: processes.sort(),
    mounts: mounts.sort(),
    links: (await lines('ip', ['-o', 'link', 'show']))
      .map((l) => l.split(': ')[1]?.split('@')[0] ?? '')
      .filter((n) => /^(cgks|veth|cni)/.test(n))
      .sort(),
    routes: (await lines('ip', ['route', 'show', 'table', 'all'])).filter((l) => ours.test(l)).sort(),
    routes6: (await lines('ip', ['-6', 'route', 'show', 'table', 'all'])).filter((l) => ours.test(l)).sort(),
    iptables: ruleLines(await text('iptables-save', [])),
    ip6tables: ruleLines(await text('ip6tables-save', [])),
    netns: (await lines('ip', ['netns', 'list'])).filter((l) => ours.test(l)).sort(),
    cgroups: nodeCgroups(walk('/sys/fs/cgroup', 8, true)),
    cni: [...walk('/etc/cni', 6), ...walk('/var/lib/cni', 6)].sort(),
    conntrack: nodeConntrack(await text('conntrack', ['-L'])),
    sockets: nodeSockets(await text('ss', ['-Hlntup'])),
    files: [
      ...(existsSync('/var/log/containers')
        ? readdirSync('/var/log/containers').filter((f) => {
            try {
              return readlinkSync(join('/var/log/containers', f)).startsWith(dir + '/');
            } catch {
              return false;
            }
          })
        : []),
      ...(existsSync('/var/log/pods') ? readdirSync('/var/log/pods').map((f) => `/var/log/pods/${f}`) : []),
    ].sort(),
    sysctls: SYSCTLS.map((k) => `${k}=${readSysctl(k) ?? '-'}`),
  };
}

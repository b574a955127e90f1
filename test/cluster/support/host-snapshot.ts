// What of this machine a cluster node touches, as a snapshot to compare before start and after
// stop: equal means the node left nothing behind.
import { execa } from 'execa';
import { existsSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
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


/**
 * What of this machine a node touches, as sorted lines per kind: its processes (the components,
 * containerd's shims, anything in a kubepods cgroup), mounts (the work dir, pods' netns, kubelet and
 * containerd roots), network links, routes, iptables rules and network namespaces of the node's
 * names and ranges, kubepods cgroups, the sysctls it may change, and the files the kubelet and CNI
 * keep outside the work dir (log links into it, CNI's result cache for its network). Equal before start and after
 * stop() means nothing was left behind; other programs' state is left out so a busy machine does
 * not disturb the comparison.
 */
export async function hostSnapshot(workDir: string): Promise<Record<string, string[]>> {
  const ours = /(cgks|10\.244\.|10\.96\.|10\.245\.|KUBE-|CNI-|cni-)/;
  const lines = async (cmd: string, args: string[]) =>
    String((await execa(cmd, args, { reject: false, timeout: 30_000 })).stdout ?? '').split('\n').filter(Boolean);
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
  const cgroups = existsSync('/sys/fs/cgroup')
    ? readdirSync('/sys/fs/cgroup').filter((h) => existsSync(join('/sys/fs/cgroup', h, 'kubepods'))).map((h) => `${h}/kubepods`)
    : [];
  return {
    processes: processes.sort(),
    mounts: mounts.sort(),
    links: (await lines('ip', ['-o', 'link', 'show'])).map((l) => l.split(': ')[1]?.split('@')[0] ?? '').filter((n) => /^(cgks|veth|cni)/.test(n)).sort(),
    routes: (await lines('ip', ['route', 'show', 'table', 'all'])).filter((l) => ours.test(l)).sort(),
    iptables: (await lines('iptables-save', [])).filter((l) => !l.startsWith('#') && ours.test(l)).sort(),
    netns: (await lines('ip', ['netns', 'list'])).filter((l) => ours.test(l)).sort(),
    cgroups: cgroups.sort(),
    files: [
      ...(existsSync('/var/log/containers') ? readdirSync('/var/log/containers').filter((f) => {
        try {
          return readlinkSync(join('/var/log/containers', f)).startsWith(dir + '/');
        } catch {
          return false;
        }
      }) : []),
      ...(existsSync('/var/lib/cni/results') ? readdirSync('/var/lib/cni/results').filter((f) => f.startsWith('cgks-')) : []),
    ].sort(),
    sysctls: SYSCTLS.map((k) => `${k}=${readSysctl(k) ?? '-'}`),
  };
}

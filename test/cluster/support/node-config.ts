// The cluster node's fixed addresses and names, and the configuration files of its components
// (containerd, CNI, the kubelet, kube-proxy, CoreDNS). One node per machine (under a lock), so
// the names and ranges are constants.
import { join } from 'node:path';

// ---- addresses and names (fixed: one node per machine, under a lock) ---------------------------
export const NODE_NAME = 'cgks-node';
export const POD_CIDR = '10.244.0.0/16';
export const NODE_POD_SUBNET = '10.244.0.0/24';
export const GATEWAY_IP = '10.244.0.1';
export const SERVICE_CIDR = '10.96.0.0/16';
export const API_SERVICE_IP = '10.96.0.1';
export const LOAD_HOST_IP = '10.245.0.1';
export const LOAD_NS_IP = '10.245.0.2';
export const LOAD_PREFIX = 30;
export const BRIDGE = 'cgks0';
export const LOAD_VETH = 'cgks-load0';
export const LOAD_NETNS = 'cgks-load';
/** Held while a node runs (and until its teardown is done). */
export const NODE_LOCK_FILE = '/run/cgks-cluster-node.lock';
export const LAST_WORKDIR = '/run/cgks-cluster-node.last';

// ---- configuration files -----------------------------------------------------------------------

export function containerdConfig(w: Dirs, pauseRef: string): string {
  return `version = 2
root = "${w.containerd}/root"
state = "${w.containerd}/state"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs", "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]

[grpc]
  address = "${w.containerdSock}"

[plugins."io.containerd.internal.v1.opt"]
  path = "${w.containerd}/opt"

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "${pauseRef}"
  restrict_oom_score_adj = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  enable_selinux = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "${w.cniConf}"
    max_conf_num = 1
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
`;
}

export function cniConfig(w: Dirs): string {
  return JSON.stringify(
    {
      cniVersion: '1.0.0',
      name: 'cgks',
      plugins: [
        {
          type: 'bridge',
          bridge: BRIDGE,
          isGateway: true,
          ipMasq: false,
          hairpinMode: true,
          ipam: {
            type: 'host-local',
            ranges: [[{ subnet: NODE_POD_SUBNET, gateway: GATEWAY_IP }]],
            routes: [{ dst: '0.0.0.0/0' }],
            dataDir: join(w.root, 'cni', 'ipam'),
          },
        },
      ],
    },
    null,
    2,
  );
}

export function kubeletConfig(w: Dirs, caCert: string): string {
  return `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
failCgroupV1: false
cgroupDriver: cgroupfs
containerRuntimeEndpoint: unix://${w.containerdSock}
failSwapOn: false
address: ${GATEWAY_IP}
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
clusterDNS: [${GATEWAY_IP}]
clusterDomain: cluster.local
resolvConf: ${w.root}/resolv.conf
podLogsDir: ${w.root}/pod-logs
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: ${caCert}}
authorization: {mode: Webhook}
registerNode: true
rotateCertificates: false
serverTLSBootstrap: false
protectKernelDefaults: false
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: {memory.available: 100Mi, nodefs.available: 1%, nodefs.inodesFree: 1%, imagefs.available: 1%}
maxPods: 110
`;
}

export function kubeProxyConfig(kubeconfig: string): string {
  return `apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: iptables
hostnameOverride: ${NODE_NAME}
clusterCIDR: ${POD_CIDR}
clientConnection: {kubeconfig: ${kubeconfig}}
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
nodePortAddresses: [${GATEWAY_IP}/32]
conntrack: {maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
iptables: {localhostNodePorts: false, masqueradeAll: false}
`;
}

export function corefile(kubeconfig: string): string {
  return `.:53 {
    bind ${GATEWAY_IP}
    errors
    ready 127.0.0.1:8181
    kubernetes cluster.local in-addr.arpa ip6.arpa {
        kubeconfig ${kubeconfig} cgks
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
    }
    cache 5
}
`;
}

export interface Dirs {
  root: string;
  logs: string;
  pids: string;
  containerd: string;
  containerdSock: string;
  cniConf: string;
}

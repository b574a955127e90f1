#!/usr/bin/env bash
# Remove everything a cluster-suite node put on this machine, whatever state it was left in.
#
#   scripts/cluster/teardown.sh WORK_DIR
#
# Reads WORK_DIR/state.env (written by test/cluster/support/node.ts before anything starts) and
# undoes it: containers, processes (each component in its own process group), kube-proxy's and the
# kubelet's iptables chains (IPv4 and IPv6), the node's tracked connections, mounts under WORK_DIR and the pods' network namespaces, the bridge, the
# load namespace and its veth, the unreachable routes, the kubepods cgroups, the sysctls it changed.
# Every step is idempotent and bounded in time; the node runs it itself on stop() and, through a
# watcher process, when the test process dies in any way (even SIGKILL).
set -uo pipefail

WORK_DIR="${1:?usage: teardown.sh WORK_DIR}"
STATE="$WORK_DIR/state.env"
say() { printf '%s\n' "teardown: $*" >&2; }
[[ -f "$STATE" ]] || { say "no $STATE: nothing to do"; exit 0; }
# shellcheck disable=SC1090
source "$STATE"

ctr_() { timeout 20 ctr --address "$CONTAINERD_SOCK" -n k8s.io "$@" 2>/dev/null; }
# Running, not a zombie (the node's own process reaps its children only when it gets to).
alive() {
  local state
  state="$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)" || return 1
  [[ -n "$state" && "$state" != Z ]]
}

# 1. Containers: kill every task while containerd still answers.
if [[ -S "$CONTAINERD_SOCK" ]]; then
  for id in $(ctr_ tasks ls -q); do ctr_ tasks kill -s SIGKILL "$id" >/dev/null; done
  for _ in $(seq 1 20); do [[ -z "$(ctr_ tasks ls -q)" ]] && break; sleep 0.25; done
  for id in $(ctr_ tasks ls -q); do ctr_ tasks delete -f "$id" >/dev/null; done
  for id in $(ctr_ containers ls -q); do ctr_ containers rm "$id" >/dev/null; done
fi

# 2. Processes: each component runs in its own process group; TERM, then KILL after 10 s.
#    The kubelet and kube-proxy go first, containerd last.
stop_group() {
  local name="$1" pidfile="$WORK_DIR/pids/$1.pid" pid
  [[ -f "$pidfile" ]] || return 0
  pid="$(cat "$pidfile")"
  if alive "$pid"; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 1 40); do alive "$pid" || break; sleep 0.25; done
    alive "$pid" && { say "$name ($pid) ignored SIGTERM; killing"; kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid"; }
    for _ in $(seq 1 20); do alive "$pid" || break; sleep 0.25; done
  fi
  rm -f "$pidfile"
}
for name in kubelet kube-proxy coredns kube-scheduler kube-controller-manager kube-apiserver etcd containerd; do
  stop_group "$name"
done
# Anything else still running from the node: shims (started with -address <our socket>) and the
# processes left in the pods' cgroups.
for pid in $(pgrep -f -- "-address $CONTAINERD_SOCK" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
for procs in /sys/fs/cgroup/*/kubepods/cgroup.procs; do
  [[ -e "$procs" ]] || continue
  find "$(dirname "$procs")" -name cgroup.procs -exec cat {} + 2>/dev/null | while read -r pid; do kill -KILL "$pid" 2>/dev/null; done
done
for pid in $(pgrep -f -- "$WORK_DIR/" 2>/dev/null); do
  case "$(readlink "/proc/$pid/exe" 2>/dev/null)" in
    "${BIN_DIR:-/nonexistent}"/* | */containerd | */containerd-shim*) kill -KILL "$pid" 2>/dev/null ;;
  esac
done

# 3. iptables: kube-proxy's own cleanup, then any KUBE-/CNI- chain left (the kubelet's too).
if [[ -x "${BIN_DIR:-}/kubenode" ]]; then
  timeout 30 "$BIN_DIR/kubenode" proxy --cleanup >/dev/null 2>&1
fi
for ipt in iptables ip6tables; do
  command -v "$ipt-save" >/dev/null || continue
  saved="$("$ipt-save" 2>/dev/null)"
  if grep -qE '(KUBE-|CNI-)' <<<"$saved"; then
    grep -vE '(KUBE-|CNI-)' <<<"$saved" | "$ipt-restore" 2>/dev/null || say "$ipt-restore failed"
  fi
done
# Tables that existed only because of the node (iptables-nft creates them on first use).
if command -v nft >/dev/null && [[ -f "$WORK_DIR/nft-tables.before" ]]; then
  while read -r family table; do
    [[ -n "$table" ]] || continue
    grep -qx "$family $table" "$WORK_DIR/nft-tables.before" && continue
    # only tables without any rule left
    if ! nft list table "$family" "$table" 2>/dev/null | grep -qE '^\s+(counter|jump|ip|meta|ct|tcp|udp|mark|xt|return|accept|drop|reject|dnat|snat|masquerade)'; then
      nft delete table "$family" "$table" 2>/dev/null
    fi
  done < <(nft list tables 2>/dev/null | awk '{print $2, $3}')
fi

# 4. Mounts: the pods' network namespaces, then everything under WORK_DIR (deepest first).
netns_before="$WORK_DIR/netns.before"
for ns in /run/netns/cni-* /var/run/netns/cni-*; do
  [[ -e "$ns" ]] || continue
  name="$(basename "$ns")"
  [[ -f "$netns_before" ]] && grep -qx "$name" "$netns_before" && continue
  ip netns delete "$name" 2>/dev/null || { umount -l "$ns" 2>/dev/null; rm -f "$ns"; }
done
real_work="$(realpath "$WORK_DIR")"
for _ in 1 2 3; do
  mapfile -t mounts < <(awk -v w="$real_work" '{ gsub(/\\040/, " ", $5); if ($5 == w || index($5, w "/") == 1) print $5 }' /proc/self/mountinfo | awk '{ print length($0) " " $0 }' | sort -rn | cut -d' ' -f2-)
  [[ ${#mounts[@]} -eq 0 ]] && break
  for m in "${mounts[@]}"; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null; done
done

# `ip netns add` made /run/netns a mount point of its own: undo that when it was not one before.
if [[ "${RUN_NETNS_WAS_MOUNT:-1}" == 0 ]] && mountpoint -q /run/netns; then
  others=0
  for ns in /run/netns/*; do [[ -e "$ns" && "$(basename "$ns")" != "${LOAD_NETNS:-}" ]] && others=1; done
  if [[ $others == 0 ]]; then
    [[ -n "${LOAD_NETNS:-}" ]] && ip netns delete "$LOAD_NETNS" 2>/dev/null
    umount /run/netns 2>/dev/null || umount -l /run/netns 2>/dev/null
    rmdir /run/netns 2>/dev/null
  fi
fi

# 5. Network: the load namespace and its veth, the bridge, pods' veths, the routes.
[[ -n "${LOAD_NETNS:-}" ]] && ip netns delete "$LOAD_NETNS" 2>/dev/null
[[ -n "${LOAD_VETH:-}" ]] && ip link delete "$LOAD_VETH" 2>/dev/null
if [[ -n "${BRIDGE:-}" ]] && ip link show "$BRIDGE" >/dev/null 2>&1; then
  for port in $(ip -o link show master "$BRIDGE" 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1); do
    ip link delete "$port" 2>/dev/null
  done
  ip link delete "$BRIDGE" 2>/dev/null
fi
for r in ${UNREACHABLE_ROUTES:-}; do ip route delete unreachable "$r" 2>/dev/null; done
# Tracked connections of the node's ranges: kube-proxy leaves TCP entries to age out (days).
if command -v conntrack >/dev/null; then
  for net in ${UNREACHABLE_ROUTES:-} ${LOAD_RANGE:-}; do
    for dir in --orig-src --orig-dst --reply-src --reply-dst; do conntrack -D "$dir" "$net" >/dev/null 2>&1; done
  done
fi

# 6. Cgroups the kubelet and runc made (every v1 hierarchy, deepest first).
for base in /sys/fs/cgroup/*/kubepods /sys/fs/cgroup/kubepods /sys/fs/cgroup/unified/kubepods; do
  [[ -d "$base" ]] || continue
  for _ in 1 2 3 4 5; do
    find "$base" -depth -type d -exec rmdir {} \; 2>/dev/null
    [[ -d "$base" ]] || break
    sleep 0.5
  done
  [[ -d "$base" ]] && say "could not remove $base"
done

# 7. Sysctls the node changed, back to what they were.
if [[ -f "$WORK_DIR/sysctl.before" ]]; then
  while read -r key value; do
    [[ -n "$key" ]] && sysctl -q -w "$key=$value" >/dev/null 2>&1
  done <"$WORK_DIR/sysctl.before"
fi

# 8. Files the kubelet and CNI keep outside WORK_DIR: log links into it, CNI's result cache for
#    the node's network, the kubelet's fixed device-plugins directory.
find /var/log/containers -maxdepth 1 -lname "$WORK_DIR/*" -delete 2>/dev/null
find /var/lib/cni/results -maxdepth 1 -name 'cgks-*' -delete 2>/dev/null
rmdir /var/lib/kubelet/device-plugins /var/lib/kubelet 2>/dev/null

rm -f "$WORK_DIR/containerd/containerd.sock" "$WORK_DIR/containerd/containerd.sock.ttrpc"
exit 0

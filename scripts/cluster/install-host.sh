#!/usr/bin/env bash
# Install the host packages the cluster suite's node needs (Debian; root only), once.
#
#   scripts/cluster/install-host.sh
#
# containerd (CRI plugin) + runc, the CNI plugins (bridge, host-local, loopback, portmap in /usr/lib/cni),
# iptables, conntrack (kube-proxy; the teardown deletes the node's tracked connections), nftables (the
# teardown deletes the tables the node's first rules made), openssl (certificates), gcc (static pause binary), buildah and
# busybox-static (images), curl (requests from the load namespace: busybox's static wget crashes).
set -euo pipefail

PACKAGES=(containerd runc containernetworking-plugins iptables conntrack openssl gcc libc6-dev buildah busybox-static curl iproute2 util-linux nftables)
say() { printf '%s\n' "install-host: $*" >&2; }

[[ $(id -u) -eq 0 ]] || { say "error: root only (apt-get install, network namespaces, mounts)"; exit 1; }
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [[ ${#missing[@]} -eq 0 ]]; then exit 0; fi
say "installing ${missing[*]}"
exec 9>/var/lib/dpkg/.cgks-install-host.lock
flock 9
log="$(mktemp)"
if ! { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
  tail -n 40 "$log" >&2; rm -f "$log"; exit 1
fi
rm -f "$log"
# Debian starts the packaged containerd; the node runs its own instance, so keep the system one off.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet containerd 2>/dev/null; then
  systemctl disable --now containerd >/dev/null 2>&1 || true
fi
say "installed"

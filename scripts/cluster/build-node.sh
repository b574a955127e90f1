#!/usr/bin/env bash
# Build (once) and cache the binaries of the cluster suite's node.
#
#   scripts/cluster/build-node.sh        # prints the cache's bin directory on stdout
#
# bin/kubenode  one multi-call binary: apiserver, controller-manager, scheduler, kubelet, proxy,
#               kubectl, etcd (wrapper module scripts/cluster/node: k8s.io/kubernetes and every
#               k8s.io staging module pinned to one release, etcd server embedded)
# bin/kubectl, bin/kube-*  symlinks to kubenode
# bin/coredns   CoreDNS, built from the Go module proxy
# images/pause.oci.tar    localhost/cluster/pause:<tag>, pause.c from k8s.io/kubernetes, gcc -static
# images/busybox.oci.tar  localhost/cluster/busybox:<version>, Debian's static busybox, user 65532,
#                         /www/index.html (a workload for the node's own test)
# Cached under ${CGKS_CLUSTER_CACHE:-~/.cache/create-go-k8s-service/cluster}/<version>-<hash of the
# wrapper module>; concurrent runs are serialised by flock; results land by rename. Progress on stderr.
set -euo pipefail

K8S_VERSION=v1.35.4        # k8s.io/kubernetes; staging modules v0.35.4 (newest v1.35.x served)
COREDNS_VERSION=v1.15.0    # github.com/coredns/coredns
PAUSE_TAG=3.10.1           # k8s.io/kubernetes build/pause/Makefile TAG

export GOTOOLCHAIN=local
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
say() { printf '%s\n' "build-node: $*" >&2; }

hash="$(cat "$HERE/node/go.mod" "$HERE/node/go.sum" "$HERE/node/main.go" "${BASH_SOURCE[0]}" | sha256sum | cut -c1-12)"
CACHE_ROOT="${CGKS_CLUSTER_CACHE:-$HOME/.cache/create-go-k8s-service/cluster}"
OUT="$CACHE_ROOT/$K8S_VERSION-$hash"
mkdir -p "$CACHE_ROOT"
exec 9>"$CACHE_ROOT/.lock"
if ! flock -n 9; then say "another build holds $CACHE_ROOT/.lock; waiting"; flock 9; fi

if [[ -x "$OUT/bin/kubenode" && -x "$OUT/bin/coredns" && -f "$OUT/images/busybox.oci.tar" ]]; then
  say "cached: $OUT/bin"
  printf '%s\n' "$OUT/bin"
  exit 0
fi

rm -rf "$CACHE_ROOT"/.build.*   # left by a build that was killed (we hold the lock)
tmp="$(mktemp -d "$CACHE_ROOT/.build.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin"

start=$SECONDS
v="k8s.io/component-base/version"
cv="k8s.io/client-go/pkg/version"
minor="${K8S_VERSION#v1.}"; minor="${minor%%.*}"
ldflags="-s -w"
for p in "$v" "$cv"; do
  ldflags+=" -X $p.gitVersion=$K8S_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor"
  ldflags+=" -X $p.gitTreeState=clean -X $p.buildDate=1970-01-01T00:00:00Z"
done
say "building kubenode $K8S_VERSION (kube-apiserver, controller-manager, scheduler, kubelet, proxy, kubectl, etcd) — 10 to 30 minutes on a cold build cache, about 1 to 3 when warm"
( cd "$HERE/node" && go build -trimpath -ldflags "$ldflags" -o "$tmp/bin/kubenode" . ) &
pid=$!
while kill -0 "$pid" 2>/dev/null; do
  sleep 30
  kill -0 "$pid" 2>/dev/null && say "still building kubenode ($((SECONDS - start)) s)"
done
wait "$pid"
say "kubenode built in $((SECONDS - start)) s"

start=$SECONDS
say "building coredns $COREDNS_VERSION"
GOBIN="$tmp/bin" go install -trimpath -ldflags "-s -w" "github.com/coredns/coredns@$COREDNS_VERSION"
say "coredns built in $((SECONDS - start)) s"

# Images: buildah in a private vfs store under the temp dir (no registry, nothing shared).
say "building images localhost/cluster/pause:$PAUSE_TAG and localhost/cluster/busybox"
mkdir -p "$tmp/images" "$tmp/ctx/www"
bah() { buildah --root "$tmp/buildah/storage" --runroot "$tmp/buildah/run" --storage-driver vfs "$@"; }
kube_src="$(cd "$HERE/node" && go list -m -f '{{.Dir}}' k8s.io/kubernetes)"
gcc -Os -static -DVERSION="v$PAUSE_TAG" -o "$tmp/ctx/pause" "$kube_src/build/pause/linux/pause.c"
strip "$tmp/ctx/pause"
c="$(bah from --quiet scratch)"
bah copy --quiet "$c" "$tmp/ctx/pause" /pause >/dev/null
bah config --entrypoint '["/pause"]' --user 65535:65535 "$c"
bah commit --quiet "$c" "localhost/cluster/pause:$PAUSE_TAG" >/dev/null
bah push --quiet "localhost/cluster/pause:$PAUSE_TAG" "oci-archive:$tmp/images/pause.oci.tar:localhost/cluster/pause:$PAUSE_TAG"
busybox="$(command -v busybox || echo /bin/busybox)"
# awk reads all of the help text: `| head -n1` could close the pipe early, and pipefail turned
# busybox's SIGPIPE into a failed build (exit 141).
bb_version="$("$busybox" | awk 'NR == 1 {print $2}')"; bb_version="${bb_version#v}"
printf 'ok\n' >"$tmp/ctx/www/index.html"
c="$(bah from --quiet scratch)"
bah copy --quiet "$c" "$busybox" /bin/busybox >/dev/null
bah copy --quiet "$c" "$tmp/ctx/www" /www >/dev/null
bah config --entrypoint '["/bin/busybox"]' --cmd '["httpd","-f","-v","-p","8080","-h","/www"]' --user 65532:65532 --port 8080 "$c"
bah commit --quiet "$c" "localhost/cluster/busybox:$bb_version" >/dev/null
bah push --quiet "localhost/cluster/busybox:$bb_version" "oci-archive:$tmp/images/busybox.oci.tar:localhost/cluster/busybox:$bb_version"
printf 'pause=localhost/cluster/pause:%s\nbusybox=localhost/cluster/busybox:%s\n' "$PAUSE_TAG" "$bb_version" >"$tmp/images/refs"
rm -rf "$tmp/buildah" "$tmp/ctx"

for name in kubectl kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy etcd; do
  ln -s kubenode "$tmp/bin/$name"
done
rm -rf "$OUT"
mv "$tmp" "$OUT"
trap - EXIT
say "cached: $OUT/bin"
printf '%s\n' "$OUT/bin"

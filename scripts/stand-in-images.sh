#!/usr/bin/env bash
# Build the stand-in base images the image tests (test/e2e/image.test.ts) and the image bench
# (bench/image.ts) build the generated Dockerfile on. No registry is reachable from our machines,
# so every image is made from scratch with buildah out of what the machine already has.
# How each one differs from the real image: test/STAND-IN-IMAGES.md.
#
#   scripts/stand-in-images.sh                  # build what is missing or out of date, print the names
#   scripts/stand-in-images.sh golang alpine    # only these (golang, distroless, alpine)
#   scripts/stand-in-images.sh --force          # rebuild even when up to date
#
# Output (stdout), one line per image:  <kind> <image name>
#   golang      localhost/cgks-standin/golang:<go minor>          the GO_IMAGE build argument
#   distroless  localhost/cgks-standin/distroless-static:nonroot  RUNTIME_IMAGE for --base-image distroless
#   alpine      localhost/cgks-standin/alpine:latest              RUNTIME_IMAGE for --base-image alpine
#
# Storage: ${CGKS_BUILDAH_ROOT:-$HOME/.cache/create-go-k8s-service/buildah}/{storage,runroot}, vfs driver,
# shared with the tests. An image is rebuilt only when the hash of its inputs (this script, the Go
# toolchain, busybox, the CA bundle, tzdata, the Go proxy settings) differs from the label
# io.github.create-go-k8s-service.stand-in.inputs it carries. Needs root (buildah with vfs, chown).
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SELF="$REPO_ROOT/scripts/stand-in-images.sh"
BUILDAH_ROOT="${CGKS_BUILDAH_ROOT:-$HOME/.cache/create-go-k8s-service/buildah}"
LABEL=io.github.create-go-k8s-service.stand-in.inputs
PREFIX=localhost/cgks-standin
NONROOT=65532
export GOTOOLCHAIN=local

say() { printf 'stand-in-images: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

force=0
kinds=()
for arg in "$@"; do
  case "$arg" in
    --force) force=1 ;;
    golang|distroless|alpine) kinds+=("$arg") ;;
    -h|--help) sed -n '2,19p' "$SELF" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$arg' (golang, distroless, alpine, --force)" ;;
  esac
done
[[ ${#kinds[@]} -gt 0 ]] || kinds=(golang distroless alpine)

[[ "$(id -u)" -eq 0 ]] || die "needs root (buildah with the vfs driver and files owned by uid $NONROOT)"
command -v buildah >/dev/null || die "buildah not found: bash scripts/install-tools.sh buildah"
command -v go >/dev/null || die "go not found on PATH"

# busybox-static: /bin/sh and the shell tools of the builder and alpine stand-ins.
BUSYBOX=/bin/busybox
if ! { [[ -x "$BUSYBOX" ]] && file -L "$BUSYBOX" 2>/dev/null | grep -q 'statically linked'; }; then
  command -v apt-get >/dev/null || die "a static busybox is needed (Debian package busybox-static)"
  say "installing busybox-static with apt-get…"
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq busybox-static >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq busybox-static >/dev/null || die "apt-get install busybox-static failed"
  fi
  file -L "$BUSYBOX" | grep -q 'statically linked' || die "$BUSYBOX is not statically linked"
fi

CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt
ZONEINFO=/usr/share/zoneinfo
[[ -s "$CA_BUNDLE" ]] || die "$CA_BUNDLE missing (Debian package ca-certificates)"
[[ -f "$ZONEINFO/UTC" ]] || die "$ZONEINFO missing (Debian package tzdata)"
GOROOT="$(go env GOROOT)"
GO_FULL="$(go env GOVERSION)"                 # go1.26.8
GO_MINOR="$(sed -E 's/^go([0-9]+\.[0-9]+).*/\1/' <<<"$GO_FULL")"

mkdir -p "$BUILDAH_ROOT"
bah() { buildah --root "$BUILDAH_ROOT/storage" --runroot "$BUILDAH_ROOT/runroot" --storage-driver vfs "$@"; }

# One builder of stand-ins at a time (the test and the bench may start together).
exec 9>"$BUILDAH_ROOT/.stand-in.lock"
flock 9

sha() { sha256sum | cut -d' ' -f1; }
file_sha() { sha256sum "$1" | cut -d' ' -f1; }
tree_sha() { (cd "$1" && find . \( -type f -o -type l \) -printf '%p %s %l\n' | LC_ALL=C sort | sha); }

# Go proxy settings as the host's go sees them (environment or go env file). They become ENV of
# the builder image, so the Dockerfile's RUN go mod download uses the same proxy as the host.
GO_NET_VARS=(GOPROXY GONOPROXY GOSUMDB GONOSUMDB GOPRIVATE GOINSECURE GOFLAGS)
go_net_env() {
  local v val
  for v in "${GO_NET_VARS[@]}"; do
    val="$(go env "$v")"
    [[ -n "$val" ]] && printf '%s=%s\n' "$v" "$val"
  done
  return 0
}

COMMON_INPUTS="$(file_sha "$SELF") $(file_sha "$CA_BUNDLE")"
inputs_for() {
  case "$1" in
    golang) printf '%s %s %s %s %s\n' "$COMMON_INPUTS" "$GO_FULL" "$(stat -c %Y "$GOROOT/bin/go")" "$(file_sha "$BUSYBOX")" "$(go_net_env | sha)" | sha ;;
    distroless) printf '%s %s %s\n' "$COMMON_INPUTS" "$(tree_sha "$ZONEINFO")" "$(cat /etc/protocols /etc/services /etc/rpc /etc/ethertypes /etc/mime.types 2>/dev/null | sha)" | sha ;;
    alpine) printf '%s %s\n' "$COMMON_INPUTS" "$(file_sha "$BUSYBOX")" | sha ;;
  esac
}
name_for() {
  case "$1" in
    golang) printf '%s/golang:%s' "$PREFIX" "$GO_MINOR" ;;
    distroless) printf '%s/distroless-static:nonroot' "$PREFIX" ;;
    alpine) printf '%s/alpine:latest' "$PREFIX" ;;
  esac
}
current_inputs() { bah inspect --type image --format "{{index .OCIv1.Config.Labels \"$LABEL\"}}" "$1" 2>/dev/null || true; }

STAGE=""
CTR=""
cleanup() {
  if [[ -n "$CTR" ]]; then bah rm "$CTR" >/dev/null 2>&1 || true; fi
  [[ -n "$STAGE" ]] && rm -rf "$STAGE"
  return 0
}
trap cleanup EXIT

new_stage() { STAGE="$(mktemp -d "${TMPDIR:-/tmp}/cgks-standin.XXXXXX")"; chmod 755 "$STAGE"; }

# busybox_tree DIR: /bin/busybox and a link for every applet at busybox's own paths.
busybox_tree() {
  local dir="$1" p
  install -D -m 0755 "$BUSYBOX" "$dir/bin/busybox"
  while IFS= read -r p; do
    [[ "$p" == bin/busybox ]] && continue
    mkdir -p "$dir/$(dirname "$p")"
    [[ -e "$dir/$p" || -L "$dir/$p" ]] || ln -s /bin/busybox "$dir/$p"
  done < <("$BUSYBOX" --list-full)
}

# base_dirs DIR: /tmp (1777), /etc, /root, CA bundle.
base_dirs() {
  local dir="$1"
  install -d -m 0755 "$dir/etc" "$dir/etc/ssl/certs" "$dir/usr" "$dir/var"
  install -d -m 1777 "$dir/tmp"
  install -d -m 0700 "$dir/root"
  install -m 0644 "$CA_BUNDLE" "$dir/etc/ssl/certs/ca-certificates.crt"
}

os_release() { # os_release DIR NAME ID
  cat >"$1/etc/os-release" <<EOF
PRETTY_NAME="$2"
NAME="$2"
ID=$3
HOME_URL="https://github.com/create-go-k8s-service"
EOF
}

# commit_stage KIND NAME INPUTS CONFIG-ARGS...: copy $STAGE into a scratch container, configure, commit.
commit_stage() {
  local kind="$1" name="$2" inputs="$3"; shift 3
  CTR="$(bah from --name "cgks-standin-$kind-$$" scratch)"
  bah copy --quiet "$CTR" "$STAGE/" / >/dev/null
  # buildah copy writes everything as 0:0; restore the owners the stage has.
  local mnt; mnt="$(bah mount "$CTR")"
  (cd "$STAGE" && find . ! -uid 0 -printf '%U:%G %p\n') | while read -r owner path; do
    chown -h "$owner" "$mnt/$path"
  done
  bah umount "$CTR" >/dev/null
  bah config "$@" \
    --label "$LABEL=$inputs" \
    --label "org.opencontainers.image.title=$name" \
    --label "org.opencontainers.image.description=create-go-k8s-service test stand-in ($kind); see test/STAND-IN-IMAGES.md" \
    --os linux --arch "$(go env GOARCH)" "$CTR"
  bah commit --quiet --rm --format docker "$CTR" "$name" >/dev/null
  CTR=""
  rm -rf "$STAGE"; STAGE=""
}

build_golang() { # stand-in for golang:<minor> (Debian-based, /usr/local/go, GOPATH=/go)
  new_stage
  base_dirs "$STAGE"
  busybox_tree "$STAGE"
  install -d -m 0755 "$STAGE/usr/local"
  # The toolchain as installed on this machine, without what building a module never reads:
  # Go's own tests (test/, testdata/, *_test.go) and the toolchain's sources (src/cmd; its
  # binaries stay in bin/ and pkg/tool/). A quarter of the files: with vfs every build step
  # copies and later deletes the builder's whole tree, so this is most of a build's time.
  local g; g="$(basename "$GOROOT")"
  (cd "$GOROOT/.." && tar --exclude="./$g/test" --exclude="./$g/src/cmd" --exclude=testdata --exclude='*_test.go' \
    -cf - "./$g") | tar -xf - -C "$STAGE/usr/local"
  [[ -x "$STAGE/usr/local/$g/pkg/tool/$(go env GOOS)_$(go env GOARCH)/compile" ]] || die "no compiler in the copied toolchain"
  [[ "$g" == go ]] || mv "$STAGE/usr/local/$g" "$STAGE/usr/local/go"
  install -d -m 1777 "$STAGE/go" "$STAGE/go/bin" "$STAGE/go/src"
  # No C compiler here. Without any, go would quietly default to CGO_ENABLED=0 and hide a
  # Dockerfile that forgot it; the real image has gcc, so cgo is on by default there. This gcc
  # keeps cgo on by default and fails loudly if a build needs it.
  install -d -m 0755 "$STAGE/usr/bin"
  rm -f "$STAGE/usr/bin/gcc" "$STAGE/usr/bin/cc"
  cat >"$STAGE/usr/bin/gcc" <<'EOF'
#!/bin/sh
echo "gcc: the cgks stand-in golang image has no C compiler; build with CGO_ENABLED=0 (test/STAND-IN-IMAGES.md)" >&2
exit 1
EOF
  chmod 0755 "$STAGE/usr/bin/gcc"; ln -s gcc "$STAGE/usr/bin/cc"
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' >"$STAGE/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$STAGE/etc/group"
  printf 'hosts: files dns\n' >"$STAGE/etc/nsswitch.conf"
  os_release "$STAGE" "cgks stand-in for golang:$GO_MINOR (Go $GO_FULL, busybox)" cgks-standin
  local envs=(--env "PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    --env "GOLANG_VERSION=${GO_FULL#go}" --env GOTOOLCHAIN=local --env GOPATH=/go)
  local kv; while IFS= read -r kv; do envs+=(--env "$kv"); done < <(go_net_env)
  commit_stage golang "$1" "$2" "${envs[@]}" --workingdir /go --cmd '["/bin/sh"]'
}

build_distroless() { # stand-in for gcr.io/distroless/static-debian13:nonroot
  new_stage
  base_dirs "$STAGE"
  # passwd, group, homes: as distroless' common/BUILD.bazel lays them out.
  cat >"$STAGE/etc/passwd" <<EOF
root:x:0:0:root:/root:/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin
nonroot:x:$NONROOT:$NONROOT:nonroot:/home/nonroot:/sbin/nologin
EOF
  cat >"$STAGE/etc/group" <<EOF
root:x:0:
nobody:x:65534:
tty:x:5:
staff:x:50:
nonroot:x:$NONROOT:
EOF
  install -d -m 0755 "$STAGE/home"
  install -d -m 0700 -o "$NONROOT" -g "$NONROOT" "$STAGE/home/nonroot"
  printf 'passwd:         compat\ngroup:          compat\nshadow:         compat\ngshadow:        files\n\nhosts:          files dns\nnetworks:       files\n\nprotocols:      db files\nservices:       db files\nethers:         db files\nrpc:            db files\n\nnetgroup:       nis\n' >"$STAGE/etc/nsswitch.conf"
  # netbase and media-types, as on this machine.
  local f; for f in protocols services rpc ethertypes mime.types; do
    [[ -f "/etc/$f" ]] && install -m 0644 "/etc/$f" "$STAGE/etc/$f"
  done
  # tzdata, as on this machine; Debian 13's tzdata has no right/ (that is tzdata-legacy).
  install -d -m 0755 "$STAGE/usr/share"
  (cd "$(dirname "$ZONEINFO")" && tar --exclude=./zoneinfo/right -cf - ./zoneinfo) | tar -xf - -C "$STAGE/usr/share"
  os_release "$STAGE" "cgks stand-in for distroless static nonroot" cgks-standin
  commit_stage distroless "$1" "$2" \
    --env "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
    --env "SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt" \
    --user "$NONROOT" --workingdir /home/nonroot
}

build_alpine() { # stand-in for alpine:3.x, without apk and musl
  new_stage
  base_dirs "$STAGE"
  busybox_tree "$STAGE"
  [[ -e "$STAGE/sbin/nologin" ]] || { mkdir -p "$STAGE/sbin"; ln -s /bin/busybox "$STAGE/sbin/nologin"; }
  # Debian's busybox is built without the adduser/addgroup applets alpine's has: these two
  # scripts stand in for them (test/STAND-IN-IMAGES.md). They accept only busybox's options.
  cat >"$STAGE/usr/sbin/addgroup" <<'EOF'
#!/bin/sh
# cgks stand-in for busybox addgroup: addgroup [-g GID] [-S] [USER] GROUP
usage() { echo "Usage: addgroup [-g GID] [-S] [USER] GROUP" >&2; exit 1; }
gid=""; system=0
while getopts "g:S" o; do
  case "$o" in g) gid="$OPTARG" ;; S) system=1 ;; *) usage ;; esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] && [ $# -le 2 ] || usage
if [ $# -eq 2 ]; then # add USER to GROUP
  grep -q "^$2:" /etc/group || { echo "addgroup: unknown group '$2'" >&2; exit 1; }
  groups="$(awk -F: -v OFS=: -v g="$2" -v u="$1" '$1 == g { $4 = ($4 == "" ? u : $4 "," u) } { print }' /etc/group)"
  printf '%s\n' "$groups" >/etc/group; exit 0
fi
name="$1"
grep -q "^$name:" /etc/group && { echo "addgroup: group '$name' in use" >&2; exit 1; }
if [ -n "$gid" ]; then
  case "$gid" in *[!0-9]*) echo "addgroup: invalid number '$gid'" >&2; exit 1 ;; esac
  cut -d: -f3 /etc/group | grep -qx "$gid" && { echo "addgroup: gid '$gid' in use" >&2; exit 1; }
else
  if [ $system -eq 1 ]; then gid=100; else gid=1000; fi
  while cut -d: -f3 /etc/group | grep -qx "$gid"; do gid=$((gid + 1)); done
fi
echo "$name:x:$gid:" >>/etc/group
EOF
  cat >"$STAGE/usr/sbin/adduser" <<'EOF'
#!/bin/sh
# cgks stand-in for busybox adduser (loginutils/adduser.c), short options only:
# adduser [-h DIR] [-g GECOS] [-s SHELL] [-G GRP] [-S] [-D] [-H] [-u UID] [-k SKEL] USER [GROUP]
usage() { echo "Usage: adduser [-h DIR] [-g GECOS] [-s SHELL] [-G GRP] [-S] [-D] [-H] [-u UID] [-k SKEL] USER [GROUP]" >&2; exit 1; }
home=""; gecos="Linux User,,,"; shell=""; group=""; system=0; nohome=0; uid=""; opts=0
while getopts "h:g:s:G:SDHu:k:" o; do
  opts=1
  case "$o" in
    h) home="$OPTARG" ;; g) gecos="$OPTARG" ;; s) shell="$OPTARG" ;; G) group="$OPTARG" ;;
    S) system=1 ;; D) ;; H) nohome=1 ;; u) uid="$OPTARG" ;; k) ;;
    *) usage ;;
  esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] && [ $# -le 2 ] || usage
name="$1"
# Two arguments and no options: add an existing user to an existing group.
if [ $opts -eq 0 ] && [ $# -eq 2 ]; then exec addgroup "$name" "$2"; fi
[ -z "$home" ] && home="/home/$name"
if [ $system -eq 1 ]; then [ -z "$group" ] && group=nogroup; [ -z "$shell" ] && shell=/bin/false; fi
[ -z "$shell" ] && shell=/bin/sh
grep -q "^$name:" /etc/passwd && { echo "adduser: user '$name' in use" >&2; exit 1; }
gid=""
if [ -n "$group" ]; then
  gid="$(grep "^$group:" /etc/group | cut -d: -f3)"
  [ -n "$gid" ] || { echo "adduser: unknown group $group" >&2; exit 1; }
fi
if [ -n "$uid" ]; then
  case "$uid" in *[!0-9]*) echo "adduser: invalid number '$uid'" >&2; exit 1 ;; esac
  cut -d: -f3 /etc/passwd | grep -qx "$uid" && { echo "adduser: uid '$uid' in use" >&2; exit 1; }
else
  if [ $system -eq 1 ]; then uid=100; else uid=1000; fi
  while cut -d: -f3 /etc/passwd | grep -qx "$uid"; do uid=$((uid + 1)); done
fi
if [ -z "$gid" ]; then # own group, gid = uid
  gid="$uid"
  grep -q "^$name:" /etc/group && { echo "adduser: group '$name' in use" >&2; exit 1; }
fi
echo "$name:x:$uid:$gid:$gecos:$home:$shell" >>/etc/passwd
[ -f /etc/shadow ] && echo "$name:!:$(($(date +%s) / 86400)):0:99999:7:::" >>/etc/shadow
if [ -n "$group" ]; then addgroup "$name" "$group" || exit 1; else addgroup -g "$gid" "$name" || exit 1; fi
if [ $nohome -eq 0 ]; then mkdir -p "$home" && chown "$uid:$gid" "$home" && chmod 2755 "$home"; fi
exit 0
EOF
  chmod 0755 "$STAGE/usr/sbin/addgroup" "$STAGE/usr/sbin/adduser"
  cat >"$STAGE/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
bin:x:1:1:bin:/bin:/sbin/nologin
daemon:x:2:2:daemon:/sbin:/sbin/nologin
nobody:x:65534:65534:nobody:/:/sbin/nologin
EOF
  cat >"$STAGE/etc/group" <<'EOF'
root:x:0:root
bin:x:1:root,bin,daemon
daemon:x:2:root,bin,daemon
users:x:100:games
nogroup:x:65533:
nobody:x:65534:
EOF
  printf 'root:*::0:::::\nbin:!::0:::::\ndaemon:!::0:::::\nnobody:!::0:::::\n' >"$STAGE/etc/shadow"
  chmod 0640 "$STAGE/etc/shadow"
  printf 'hosts: files dns\n' >"$STAGE/etc/nsswitch.conf"
  install -d -m 0755 "$STAGE/home" "$STAGE/var/empty" "$STAGE/usr/local/bin"
  os_release "$STAGE" "cgks stand-in for Alpine Linux (busybox, no apk, no musl)" cgks-standin
  commit_stage alpine "$1" "$2" \
    --env "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
    --cmd '["/bin/sh"]'
}

for kind in "${kinds[@]}"; do
  name="$(name_for "$kind")"
  want="$(inputs_for "$kind")"
  if [[ $force -eq 0 && "$(current_inputs "$name")" == "$want" ]]; then
    printf '%s %s\n' "$kind" "$name"
    continue
  fi
  say "building $name…"
  started=$SECONDS
  old_id="$(bah inspect --type image --format '{{.FromImageID}}' "$name" 2>/dev/null || true)"
  "build_$kind" "$name" "$want"
  # The image this one replaces, now untagged (kept while a cached build still uses it).
  if [[ -n "$old_id" ]]; then bah rmi "$old_id" >/dev/null 2>&1 || true; fi
  say "  built $name in $((SECONDS - started))s"
  printf '%s %s\n' "$kind" "$name"
done

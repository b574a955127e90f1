#!/usr/bin/env bash
# Provision the pinned validation tools the test suite needs.
#
#   scripts/install-tools.sh                  # the test-suite set (see DEFAULT_TOOLS)
#   scripts/install-tools.sh helm actionlint  # only these
#   scripts/install-tools.sh golangci-lint    # opt-in, takes minutes to build
#   scripts/install-tools.sh buildah          # opt-in, Debian package (root only)
#   scripts/install-tools.sh helmlookup       # opt-in, test/tools/helmlookup (Helm engine + fake lookup)
#   scripts/install-tools.sh sarif-multitool  # opt-in, Microsoft's SARIF validator (npm package, 43 MB)
#   scripts/install-tools.sh postgres         # opt-in, Debian's postgresql (initdb, pg_ctl; root only)
#   scripts/install-tools.sh gitops-crds      # opt-in, Argo CD and Flux CRDs (crds-gitops/)
#   scripts/install-tools.sh --list           # print the known tool names
#
# Everything goes into ${CGKS_TOOLS_DIR:-$HOME/.cache/create-go-k8s-service/tools}:
#   bin/              binaries (put it first on PATH)
#   schemas/<k8s>/    Kubernetes OpenAPI v3 files laid out for `kubectl-validate --local-schemas`
#   crds/             CRD YAML files for `kubectl-validate --local-crds`
#   crds-gitops/      Argo CD Application/ApplicationSet/AppProject, Flux Kustomization/GitRepository CRDs
#   stamps/<tool>     what is installed; a tool is reinstalled only when its stamp differs
# The Go module cache and build cache are the user's own (shared). Concurrent runs are serialised
# with flock on $TOOLS_DIR/.lock; results are built in a temp dir and renamed into place.
set -euo pipefail

# ---- pinned versions -------------------------------------------------------------------------
HELM_VERSION=v3.21.4                # helm.sh/helm/v3/cmd/helm (exists on the module proxy)
KUBECTL_VALIDATE_VERSION=v0.0.4     # sigs.k8s.io/kubectl-validate; built-in schemas stop at 1.30
K8S_SCHEMAS=("1.37=v1.37.2" "1.35=v1.35.4")  # k8s.io/kubernetes; v1.35.4 = newest v1.35.x served
GATEWAY_API_VERSION=v1.4.0          # sigs.k8s.io/gateway-api (HTTPRoute CRD)
PROMETHEUS_OPERATOR_VERSION=v0.85.0 # github.com/prometheus-operator/prometheus-operator (ServiceMonitor CRD)
ACTIONLINT_VERSION=v1.7.12          # github.com/rhysd/actionlint/cmd/actionlint
STATICCHECK_VERSION=v0.7.0          # honnef.co/go/tools/cmd/staticcheck
KUBE_SCORE_VERSION=v1.20.0          # github.com/zegl/kube-score/cmd/kube-score
GOLANGCI_LINT_VERSION=v2.13.1       # github.com/golangci/golangci-lint/v2/cmd/golangci-lint (opt-in)
SARIF_MULTITOOL_VERSION=5.7.0       # npm @microsoft/sarif-multitool-linux (opt-in): SARIF + GitHub ingestion rules
# GitOps controllers' CRDs (their newest releases whose go.mod this Go 1.26 accepts)
ARGO_CD_VERSION=v3.5.8              # github.com/argoproj/argo-cd/v3 (manifests/crds/)
FLUX_KUSTOMIZE_CONTROLLER_VERSION=v1.9.6 # github.com/fluxcd/kustomize-controller (config/crd/bases/)
FLUX_SOURCE_CONTROLLER_VERSION=v1.9.6    # github.com/fluxcd/source-controller (config/crd/bases/)
SARIF_MULTITOOL_INTEGRITY=sha512-NxUbpq6ISCWoTQ/NfOYEwEDKq1Heka/rMoJ5R5LMydcAZQX/X7g5mWHcgxDub+0M07LC96tZ5LZHvF1Qy3gjTA==

DEFAULT_TOOLS=(helm kubectl-validate schemas crds actionlint shellcheck staticcheck kube-score test-tools)
OPTIONAL_TOOLS=(golangci-lint buildah helmlookup sarif-multitool postgres gitops-crds)

# ---- setup -----------------------------------------------------------------------------------
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS_DIR="${CGKS_TOOLS_DIR:-$HOME/.cache/create-go-k8s-service/tools}"
BIN_DIR="$TOOLS_DIR/bin"
STAMP_DIR="$TOOLS_DIR/stamps"
export GOTOOLCHAIN=local

HOLDER="$TOOLS_DIR/.lock.holder" # who holds the lock, since when, and what it is doing now
holding=0
doing="" # what is being installed, for the progress lines of long builds
say() {
  printf '%s\n' "install-tools: $*" >&2
  if [[ "$*" == installing\ * ]]; then doing="${*%% (*}"; fi
  # The runs waiting for the lock show this as the holder's progress.
  if [[ $holding -eq 1 ]]; then printf '%s\n' "$*" >"$HOLDER.now.tmp" && mv -f "$HOLDER.now.tmp" "$HOLDER.now"; fi
  return 0
}
die() { say "error: $*"; exit 1; }
# quietly COMMAND...: run it with its output kept in a log, shown only when it fails. A build can
# take many minutes: every CGKS_TOOLS_PROGRESS seconds (default 60) it says it is still at it.
quietly() {
  local log rc=0 pid started now last
  log="$(mktemp "${TMPDIR:-/tmp}/install-tools.XXXXXX")"
  "$@" >"$log" 2>&1 &
  pid=$!
  started=$SECONDS last=$SECONDS
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1
    now=$SECONDS
    if (( now - last >= ${CGKS_TOOLS_PROGRESS:-60} )) && kill -0 "$pid" 2>/dev/null; then
      last=$now
      local took=$(( now - started )) unit=s
      (( took < 120 )) || { took=$(( took / 60 )); unit=min; }
      say "still ${doing:-working} ($took $unit so far)"
    fi
  done
  wait "$pid" || rc=$?
  [[ $rc -eq 0 ]] || { tail -n 40 "$log" >&2; }
  rm -f "$log"
  return "$rc"
}

if [[ "${1:-}" == "--list" ]]; then
  printf '%s\n' "${DEFAULT_TOOLS[@]}" "${OPTIONAL_TOOLS[@]}" dockerlint psacheck composecheck
  exit 0
fi
exec 1>&2 # everything below is progress output

# Resolve requested names (dockerlint/psacheck/composecheck are one Go module: "test-tools").
requested=()
if [[ $# -eq 0 ]]; then
  requested=("${DEFAULT_TOOLS[@]}")
else
  for name in "$@"; do
    case "$name" in
      dockerlint|psacheck|composecheck|test-tools) name=test-tools ;;
      helm|kubectl-validate|schemas|crds|actionlint|shellcheck|staticcheck|kube-score) ;;
      golangci-lint|buildah|helmlookup|sarif-multitool|postgres|gitops-crds) ;;
      *) die "unknown tool '$name' (try --list)" ;;
    esac
    # de-duplicate, keep order
    dup=0
    for r in ${requested[@]+"${requested[@]}"}; do [[ "$r" == "$name" ]] && dup=1; done
    [[ $dup -eq 0 ]] && requested+=("$name")
  done
fi

mkdir -p "$BIN_DIR" "$STAMP_DIR" "$TOOLS_DIR/schemas"
command -v flock >/dev/null || die "flock not found (util-linux)"
exec 9>"$TOOLS_DIR/.lock"
# Another run (another clone's tests, say) may be installing: wait for it, saying who it is, since
# when and what it is doing, and give up after CGKS_TOOLS_LOCK_TIMEOUT seconds (default 1 hour).
if ! flock -n 9; then
  timeout_s="${CGKS_TOOLS_LOCK_TIMEOUT:-3600}"
  poll_s="${CGKS_TOOLS_LOCK_POLL:-60}"
  [[ "$timeout_s" =~ ^[0-9]+$ && "$poll_s" =~ ^[1-9][0-9]*$ ]] || die "CGKS_TOOLS_LOCK_TIMEOUT and CGKS_TOOLS_LOCK_POLL must be whole numbers of seconds"
  holder() {
    local pid since cmd now alive=""
    if [[ -f "$HOLDER" ]]; then
      read -r pid since cmd <"$HOLDER" || true
      kill -0 "$pid" 2>/dev/null || alive=" (gone: a process it started still holds the lock)"
      now="$(cat "$HOLDER.now" 2>/dev/null || true)"
      printf 'pid %s%s, %s, since %s (%s min ago)%s' "$pid" "$alive" "$cmd" "$since" \
        "$(( ($(date +%s) - $(date -d "$since" +%s 2>/dev/null || date +%s)) / 60 ))" "${now:+; now: $now}"
    else
      printf 'another process (it left no record of itself: an older install-tools.sh?)'
    fi
  }
  say "waiting for the tool cache lock ($TOOLS_DIR/.lock), held by $(holder)"
  waited=0
  until flock -w "$(( timeout_s - waited < poll_s ? timeout_s - waited : poll_s ))" 9; do
    waited=$(( waited + poll_s ))
    if (( waited >= timeout_s )); then
      die "gave up after ${timeout_s} s waiting for the tool cache lock, held by $(holder); let it finish, stop it, or wait longer with CGKS_TOOLS_LOCK_TIMEOUT=<seconds>"
    fi
    say "still waiting (${waited} s of ${timeout_s} s) for the tool cache lock, held by $(holder)"
  done
fi
holding=1
printf '%s %s %s\n' "$$" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "install-tools.sh ${requested[*]} (in $REPO_ROOT)" >"$HOLDER"
rm -f "$HOLDER.now"
trap 'rm -f "$HOLDER" "$HOLDER.now"' EXIT

stamp_ok() { # stamp_ok NAME WANT [FILE...]: true when the stamp says WANT and the files exist
  local name="$1" want="$2" f; shift 2
  [[ -f "$STAMP_DIR/$name" && "$(<"$STAMP_DIR/$name")" == "$want" ]] || return 1
  for f in "$@"; do [[ -e "$f" ]] || return 1; done
}
write_stamp() { printf '%s' "$2" >"$STAMP_DIR/$1.tmp" && mv -f "$STAMP_DIR/$1.tmp" "$STAMP_DIR/$1"; }

need_go() {
  command -v go >/dev/null || die "go not found on PATH (Go 1.26 is needed to build the tools)"
}

# go_install NAME PKG@VERSION ESTIMATE [LDFLAGS]: build into a temp GOBIN, then rename into bin/.
go_install() {
  local name="$1" pkg="$2" estimate="$3" ldflags="${4:-}"
  local want="$pkg"
  stamp_ok "$name" "$want" "$BIN_DIR/$name" && return 0
  need_go
  say "installing $name ${pkg##*@} ($estimate)…"
  local tmp; tmp="$(mktemp -d "$TOOLS_DIR/.build.XXXXXX")"
  # Run outside any module so the caller's go.mod / go.work cannot interfere.
  (cd "$tmp" && GOWORK=off GOBIN="$tmp" quietly go install -ldflags "$ldflags" "$pkg") || { rm -rf "$tmp"; die "go install $pkg failed"; }
  mv -f "$tmp/$name" "$BIN_DIR/$name"
  rm -rf "$tmp"
  write_stamp "$name" "$want"
}

# mod_dir MODULE@VERSION: download a module into the module cache, print its directory.
mod_dir() {
  need_go
  local out dir
  out="$(cd "$TOOLS_DIR" && GOWORK=off go mod download -json "$1" 2>&1)" || { printf "%s\n" "$out" >&2; die "go mod download $1 failed"; }
  dir="$(printf '%s\n' "$out" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p' | head -n1)"
  [[ -n "$dir" && -d "$dir" ]] || die "no module directory for $1"
  printf '%s\n' "$dir"
}

install_schemas() {
  local entry minor version dest want
  for entry in "${K8S_SCHEMAS[@]}"; do
    minor="${entry%%=*}" version="${entry#*=}"
    dest="$TOOLS_DIR/schemas/$minor"
    want="k8s.io/kubernetes@$version layout-v1"
    stamp_ok "schemas-$minor" "$want" "$dest/api/v1.json" && continue
    say "installing Kubernetes $version OpenAPI v3 schemas into schemas/$minor (about 30 seconds)…"
    local src; src="$(mod_dir "k8s.io/kubernetes@$version")/api/openapi-spec/v3"
    [[ -d "$src" ]] || die "$src missing"
    local tmp; tmp="$(mktemp -d "$TOOLS_DIR/.schemas.XXXXXX")"
    # kubectl-validate v0.0.4 (pkg/openapiclient/local_schemas.go) reads api/<version>.json and
    # apis/<group>/<version>.json. Group-only (apis__apps_openapi.json) and non-API files are skipped.
    local f base rest group ver n=0
    for f in "$src"/*_openapi.json; do
      base="${f##*/}"; base="${base%_openapi.json}"
      case "$base" in
        api__*)
          ver="${base#api__}"
          [[ "$ver" == *__* ]] && continue
          mkdir -p "$tmp/api"; cp "$f" "$tmp/api/$ver.json"; n=$((n + 1)) ;;
        apis__*__*)
          rest="${base#apis__}"; group="${rest%__*}"; ver="${rest##*__}"
          [[ "$group" == *__* ]] && continue
          mkdir -p "$tmp/apis/$group"; cp "$f" "$tmp/apis/$group/$ver.json"; n=$((n + 1)) ;;
        *) ;;
      esac
    done
    [[ -f "$tmp/api/v1.json" && -f "$tmp/apis/apps/v1.json" ]] || { rm -rf "$tmp"; die "unexpected layout in $src"; }
    chmod -R u+w,a+rX "$tmp"
    rm -rf "$dest"; mv "$tmp" "$dest"
    write_stamp "schemas-$minor" "$want"
    say "  $n group-versions"
  done
}

install_crds() {
  local want="gateway-api@$GATEWAY_API_VERSION prometheus-operator@$PROMETHEUS_OPERATOR_VERSION"
  local dest="$TOOLS_DIR/crds"
  stamp_ok crds "$want" "$dest/gateway.networking.k8s.io_httproutes.yaml" "$dest/monitoring.coreos.com_servicemonitors.yaml" && return 0
  say "installing CRDs: HTTPRoute (gateway-api $GATEWAY_API_VERSION), ServiceMonitor (prometheus-operator $PROMETHEUS_OPERATOR_VERSION) (about 30 seconds)…"
  local gw po tmp
  gw="$(mod_dir "sigs.k8s.io/gateway-api@$GATEWAY_API_VERSION")"
  po="$(mod_dir "github.com/prometheus-operator/prometheus-operator@$PROMETHEUS_OPERATOR_VERSION")"
  tmp="$(mktemp -d "$TOOLS_DIR/.crds.XXXXXX")"
  cp "$gw/config/crd/standard/gateway.networking.k8s.io_httproutes.yaml" "$tmp/"
  cp "$po/example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml" "$tmp/"
  chmod -R u+w,a+rX "$tmp"
  rm -rf "$dest"; mv "$tmp" "$dest"
  write_stamp crds "$want"
}

install_gitops_crds() {
  local want="argo-cd@$ARGO_CD_VERSION kustomize-controller@$FLUX_KUSTOMIZE_CONTROLLER_VERSION source-controller@$FLUX_SOURCE_CONTROLLER_VERSION"
  local dest="$TOOLS_DIR/crds-gitops"
  stamp_ok gitops-crds "$want" "$dest/application-crd.yaml" "$dest/kustomize.toolkit.fluxcd.io_kustomizations.yaml" && return 0
  say "installing CRDs: Argo CD $ARGO_CD_VERSION, Flux kustomize-controller $FLUX_KUSTOMIZE_CONTROLLER_VERSION, source-controller $FLUX_SOURCE_CONTROLLER_VERSION (about 1 minute)…"
  local argo kc sc tmp
  argo="$(mod_dir "github.com/argoproj/argo-cd/v3@$ARGO_CD_VERSION")"
  kc="$(mod_dir "github.com/fluxcd/kustomize-controller@$FLUX_KUSTOMIZE_CONTROLLER_VERSION")"
  sc="$(mod_dir "github.com/fluxcd/source-controller@$FLUX_SOURCE_CONTROLLER_VERSION")"
  tmp="$(mktemp -d "$TOOLS_DIR/.crds-gitops.XXXXXX")"
  cp "$argo/manifests/crds/application-crd.yaml" "$argo/manifests/crds/applicationset-crd.yaml" "$argo/manifests/crds/appproject-crd.yaml" "$tmp/"
  cp "$kc/config/crd/bases/kustomize.toolkit.fluxcd.io_kustomizations.yaml" "$tmp/"
  cp "$sc/config/crd/bases/source.toolkit.fluxcd.io_gitrepositories.yaml" "$tmp/"
  chmod -R u+w,a+rX "$tmp"
  rm -rf "$dest"; mv "$tmp" "$dest"
  write_stamp gitops-crds "$want"
}

# apt_get WHAT PACKAGE TOOK: installs a Debian package as root; elsewhere it warns and goes on.
apt_get() {
  local what="$1" pkg="$2" took="$3"
  if [[ "$(id -u)" -ne 0 ]]; then
    say "warning: $what is missing and this is not root; install it with: sudo apt-get install -y $pkg"
    return 0
  fi
  command -v apt-get >/dev/null || { say "warning: $what is missing and apt-get is not available"; return 0; }
  say "installing $pkg with apt-get ($took)…"
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$pkg" >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$pkg" >/dev/null || die "apt-get install $pkg failed"
  fi
}

apt_install() { # apt_install COMMAND PACKAGE
  command -v "$1" >/dev/null || apt_get "$1" "$2" "about 30 seconds"
}

# PostgreSQL's server binaries live in /usr/lib/postgresql/<major>/bin, off PATH; the tests
# look there. Debian's package also starts a cluster of its own on port 5432 when a service
# manager runs; the tests never use it.
install_postgres() {
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || apt_get PostgreSQL postgresql "about a minute"
}

install_test_tools() {
  local src="$REPO_ROOT/test/tools" want
  [[ -f "$src/go.mod" ]] || die "$src/go.mod missing"
  # Stamp = hash of the module's Go sources + go.mod + go.sum.
  want="$(cd "$src" && find . \( -path ./helmlookup -o -path ./modfmt \) -prune -o -type f \( -name '*.go' -o -name go.mod -o -name go.sum \) -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)"
  stamp_ok test-tools "$want" "$BIN_DIR/dockerlint" "$BIN_DIR/psacheck" "$BIN_DIR/composecheck" && return 0
  need_go
  say "building dockerlint, psacheck, composecheck from test/tools (about 1 minute the first time)…"
  local tmp; tmp="$(mktemp -d "$TOOLS_DIR/.build.XXXXXX")"
  (cd "$src" && GOWORK=off GOBIN="$tmp" quietly go install ./dockerlint ./psacheck ./composecheck) || { rm -rf "$tmp"; die "building test/tools failed"; }
  local b; for b in dockerlint psacheck composecheck; do mv -f "$tmp/$b" "$BIN_DIR/$b"; done
  rm -rf "$tmp"
  write_stamp test-tools "$want"
}

# helmlookup: a module of its own (Helm's engine and client-go at Helm's versions).
install_helmlookup() {
  local src="$REPO_ROOT/test/tools/helmlookup" want
  [[ -f "$src/go.mod" ]] || die "$src/go.mod missing"
  want="$(cd "$src" && find . -type f \( -name '*.go' -o -name go.mod -o -name go.sum \) -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)"
  stamp_ok helmlookup "$want" "$BIN_DIR/helmlookup" && return 0
  need_go
  say "building helmlookup from test/tools/helmlookup (about 1 minute the first time)…"
  local tmp; tmp="$(mktemp -d "$TOOLS_DIR/.build.XXXXXX")"
  (cd "$src" && GOWORK=off GOBIN="$tmp" quietly go install .) || { rm -rf "$tmp"; die "building test/tools/helmlookup failed"; }
  mv -f "$tmp/helmlookup" "$BIN_DIR/helmlookup"
  rm -rf "$tmp"
  write_stamp helmlookup "$want"
}

# sarif-multitool: a self-contained .NET build in an npm tarball; checked against the pinned
# integrity, unpacked under sarif-multitool/, run through a wrapper (no ICU needed).
install_sarif_multitool() {
  local want="@microsoft/sarif-multitool-linux@$SARIF_MULTITOOL_VERSION"
  local dest="$TOOLS_DIR/sarif-multitool"
  stamp_ok sarif-multitool "$want" "$BIN_DIR/sarif-multitool" "$dest/Sarif.Multitool" && return 0
  command -v npm >/dev/null || die "npm not found on PATH"
  say "installing sarif-multitool $SARIF_MULTITOOL_VERSION (43 MB download, about 20 seconds)…"
  local tmp tgz got; tmp="$(mktemp -d "$TOOLS_DIR/.build.XXXXXX")"
  (cd "$tmp" && quietly npm pack --silent "$want") || { rm -rf "$tmp"; die "npm pack $want failed"; }
  tgz="$(ls "$tmp"/*.tgz)"
  got="$(node -e 'const c=require("crypto");process.stdout.write("sha512-"+c.createHash("sha512").update(require("fs").readFileSync(process.argv[1])).digest("base64"))' "$tgz")"
  [[ "$got" == "$SARIF_MULTITOOL_INTEGRITY" ]] || { rm -rf "$tmp"; die "$want: integrity $got, expected $SARIF_MULTITOOL_INTEGRITY"; }
  mkdir -p "$tmp/out" && tar xzf "$tgz" -C "$tmp/out" --strip-components=1 && chmod +x "$tmp/out/Sarif.Multitool"
  rm -rf "$dest"; mv "$tmp/out" "$dest"; rm -rf "$tmp"
  printf '#!/bin/sh\nDOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 exec "%s/Sarif.Multitool" "$@"\n' "$dest" >"$BIN_DIR/sarif-multitool.tmp"
  chmod +x "$BIN_DIR/sarif-multitool.tmp" && mv -f "$BIN_DIR/sarif-multitool.tmp" "$BIN_DIR/sarif-multitool"
  write_stamp sarif-multitool "$want"
}

# Helm as its release binaries are built (its Makefile's LDFLAGS): its version, and the default
# Kubernetes version of `helm template`/`lint` taken from the client-go it builds with. A plain
# `go install` leaves v1.20.0, which a chart's kubeVersion (">= 1.30.0-0") refuses.
install_helm() {
  local pkg="helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
  # Built before the flags were passed: the stamp matches, the version does not.
  if stamp_ok helm "$pkg" "$BIN_DIR/helm" && [[ "$("$BIN_DIR/helm" version --template '{{.Version}}' 2>/dev/null)" != "$HELM_VERSION" ]]; then
    rm -f "$STAMP_DIR/helm"
  fi
  stamp_ok helm "$pkg" "$BIN_DIR/helm" && return 0
  local minor
  minor="$(sed -n 's/^[[:space:]]*k8s\.io\/client-go v0\.\([0-9]*\)\..*/\1/p' "$(mod_dir "helm.sh/helm/v3@$HELM_VERSION")/go.mod" | head -n1)"
  [[ -n "$minor" ]] || die "no k8s.io/client-go version in helm's go.mod"
  local x="-X helm.sh/helm/v3" flags
  flags="$x/internal/version.version=$HELM_VERSION $x/internal/version.gitTreeState=clean"
  flags+=" $x/pkg/lint/rules.k8sVersionMajor=1 $x/pkg/lint/rules.k8sVersionMinor=$minor"
  flags+=" $x/pkg/chartutil.k8sVersionMajor=1 $x/pkg/chartutil.k8sVersionMinor=$minor"
  go_install helm "$pkg" "about 2 minutes" "$flags"
}

# Downloads go on beside the builds: a build keeps the cores busy, a download waits on the network.
# `go install -n` loads every package a build needs (fetching its modules) and compiles nothing;
# the module cache takes concurrent fetches. A fetch that fails here is reported by its install.
prefetch() { # prefetch NAME STAMP WHAT...: fetch in the background unless NAME is installed as STAMP
  local name="$1" want="$2"; shift 2
  stamp_ok "$name" "$want" || { command -v go >/dev/null && (cd "$TOOLS_DIR" && GOWORK=off "$@" >/dev/null 2>&1 9>&- &) ; }
  return 0
}
for tool in "${requested[@]}"; do
  case "$tool" in
    helm)             prefetch helm "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" go install -n "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" ;;
    kubectl-validate) prefetch "$tool" "sigs.k8s.io/kubectl-validate@$KUBECTL_VALIDATE_VERSION" go install -n "sigs.k8s.io/kubectl-validate@$KUBECTL_VALIDATE_VERSION" ;;
    schemas)          for entry in "${K8S_SCHEMAS[@]}"; do prefetch "schemas-${entry%%=*}" "k8s.io/kubernetes@${entry#*=} layout-v1" go mod download "k8s.io/kubernetes@${entry#*=}"; done ;;
    actionlint)       prefetch "$tool" "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION" go install -n "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION" ;;
    staticcheck)      prefetch "$tool" "honnef.co/go/tools/cmd/staticcheck@$STATICCHECK_VERSION" go install -n "honnef.co/go/tools/cmd/staticcheck@$STATICCHECK_VERSION" ;;
    kube-score)       prefetch "$tool" "github.com/zegl/kube-score/cmd/kube-score@$KUBE_SCORE_VERSION" go install -n "github.com/zegl/kube-score/cmd/kube-score@$KUBE_SCORE_VERSION" ;;
    *) ;;
  esac
done

for tool in "${requested[@]}"; do
  case "$tool" in
    helm)             install_helm ;;
    kubectl-validate) go_install kubectl-validate "sigs.k8s.io/kubectl-validate@$KUBECTL_VALIDATE_VERSION" "about 1 minute" ;;
    schemas)          install_schemas ;;
    crds)             install_crds ;;
    actionlint)       go_install actionlint "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION" "about 20 seconds" ;;
    shellcheck)       apt_install shellcheck shellcheck ;;
    staticcheck)      go_install staticcheck "honnef.co/go/tools/cmd/staticcheck@$STATICCHECK_VERSION" "about 30 seconds" ;;
    kube-score)       go_install kube-score "github.com/zegl/kube-score/cmd/kube-score@$KUBE_SCORE_VERSION" "about 20 seconds" ;;
    golangci-lint)    go_install golangci-lint "github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$GOLANGCI_LINT_VERSION" "several minutes" ;;
    buildah)          apt_install buildah buildah ;;
    test-tools)       install_test_tools ;;
    helmlookup)       install_helmlookup ;;
    sarif-multitool)  install_sarif_multitool ;;
    postgres)         install_postgres ;;
    gitops-crds)      install_gitops_crds ;;
  esac
done

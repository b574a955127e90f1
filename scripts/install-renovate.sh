#!/usr/bin/env bash
# Provision a pinned Renovate (the npm package) and the Node it needs, for proving the generated
# renovate.json with Renovate's own code (test/e2e/renovate.test.ts).
#
#   scripts/install-renovate.sh     # prints two lines: the node binary, the Renovate package dir
#
# Renovate goes with npm into ${CGKS_RENOVATE_DIR:-~/.cache/create-go-k8s-service/renovate}/<version>/;
# it runs on the Node 24 that scripts/install-node.sh provisions (Renovate 44 needs Node ^24.11).
# Concurrent runs are serialised with flock; a version is reinstalled only when its pin changes.
set -euo pipefail

# ---- pinned version ---------------------------------------------------------------------------
RENOVATE_VERSION=44.121.2

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
node="$("$here/install-node.sh" 24)"

base="${CGKS_RENOVATE_DIR:-$HOME/.cache/create-go-k8s-service/renovate}"
dir="$base/$RENOVATE_VERSION"
pkg="$dir/node_modules/renovate"
stamp="$dir/.installed"
want="renovate@$RENOVATE_VERSION"

if [[ "$(cat "$stamp" 2>/dev/null)" != "$want" || ! -f "$pkg/dist/renovate.js" ]]; then
  mkdir -p "$base"
  exec 9>"$base/.lock"
  flock 9
  if [[ "$(cat "$stamp" 2>/dev/null)" != "$want" || ! -f "$pkg/dist/renovate.js" ]]; then
    echo "install-renovate: installing $want into $dir (first use, a minute or two)" >&2
    tmp="$(mktemp -d "$base/.tmp.XXXXXX")"
    trap 'rm -rf "$tmp"' EXIT
    printf '{ "private": true }\n' >"$tmp/package.json"
    # npm runs under Node 24 so engine checks and optional native modules match the runtime.
    # --ignore-scripts: no native builds (re2 is optional; Renovate falls back to RegExp).
    PATH="$(dirname "$node"):$PATH" npm install --prefix "$tmp" --no-audit --no-fund --no-package-lock \
      --ignore-scripts --omit=optional --loglevel=error "$want" >&2
    [[ -f "$tmp/node_modules/renovate/dist/renovate.js" ]] || { echo "install-renovate: $want has no dist/renovate.js" >&2; exit 1; }
    printf '%s\n' "$want" >"$tmp/.installed"
    rm -rf "$dir"
    mv "$tmp" "$dir"
    trap - EXIT
  fi
fi
printf '%s\n%s\n' "$node" "$pkg"

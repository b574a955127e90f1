#!/usr/bin/env bash
# Publishes this package with npm. The release workflow runs it after the tests passed.
#
# Default: the public npm registry with provenance (npm's trusted publishing: the workflow's OIDC
# token, so no token is stored anywhere; NPM_TOKEN is used when set instead).
# A fork or an air-gapped platform team publishes to its own registry instead:
#   NPM_REGISTRY=https://npm.example.internal/ NPM_TOKEN=... bash scripts/release-publish.sh
# There provenance is off unless NPM_PROVENANCE=true: it needs the public Sigstore instance.
# DRY_RUN=1 runs `npm publish --dry-run` (packs, prints the contents, uploads nothing).
#
# The published package.json says where the project lives (repository, homepage, bugs), so a user
# of the package can reach it; npm's provenance check also refuses a package whose repository.url
# is not the repository that built it. The URL is not written in the source tree (a fork publishes
# its own): it comes from PROJECT_URL, else from GitHub Actions' GITHUB_SERVER_URL/GITHUB_REPOSITORY.
set -euo pipefail

die() { printf 'error: release-publish: %s\n' "$1" >&2; exit "$2"; }
cd "$(dirname "${BASH_SOURCE[0]}")/.."

project="${PROJECT_URL:-}"
if [[ -z "$project" && -n "${GITHUB_SERVER_URL:-}" && -n "${GITHUB_REPOSITORY:-}" ]]; then
  project="${GITHUB_SERVER_URL%/}/$GITHUB_REPOSITORY"
fi
[[ -n "$project" ]] ||
  die "the project's URL is unknown: set PROJECT_URL=https://<host>/<owner>/<repo> (GitHub Actions sets GITHUB_SERVER_URL and GITHUB_REPOSITORY), so that the package's repository, homepage and bugs lead to it" 2
[[ "$project" =~ ^https?://[A-Za-z0-9.-]+(:[0-9]+)?(/[A-Za-z0-9._~-]+)+$ ]] ||
  die "PROJECT_URL must be an http(s) URL of the repository such as https://git.example.internal/platform/create-go-k8s-service, got $project" 2
project="${project%.git}"

work="$(mktemp -d "${TMPDIR:-/tmp}/release-publish.XXXXXX")"
trap 'rm -rf "$work"' EXIT

args=(publish --ignore-scripts --access public)
[[ "${DRY_RUN:-}" == 1 ]] && args+=(--dry-run)
provenance="${NPM_PROVENANCE:-}"
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

# Pack once (prepack builds dist/), then publish that unpacked package with the project's URL set:
# the checkout's package.json stays as it is.
npm pack --silent --pack-destination "$work" >/dev/null
mkdir "$work/package-root"
tar -xzf "$work"/*.tgz -C "$work/package-root"
pkg="$work/package-root/package"
(cd "$pkg" && npm pkg set "repository.type=git" "repository.url=git+$project.git" \
  "homepage=$project#readme" "bugs.url=$project/issues")
args+=("$pkg")

npm "${args[@]}" --userconfig "$npmrc"

#!/usr/bin/env bash
# Before a release: the tag names package.json's version and CHANGELOG.md has that version's entry.
#
#   bash scripts/release-check.sh v0.5.0
#
# Exit 0: ready; 1: not ready (one line says why); 2: usage. The release workflow runs it first.
set -euo pipefail

die() { printf 'error: release-check: %s\n' "$1" >&2; exit "$2"; }

[[ $# -eq 1 && -n "$1" ]] || die "name the tag: bash scripts/release-check.sh v1.2.3" 2
tag="$1"
cd "$(dirname "${BASH_SOURCE[0]}")/.."
version="$(node -p 'require("./package.json").version')"
[[ "$tag" == "v$version" ]] || die "tag $tag does not name package.json's version $version (tag v$version, or bump the version)" 1
grep -Eq "^## ${version//./\\.} \\([0-9]{4}-[0-9]{2}-[0-9]{2}\\)$" CHANGELOG.md ||
  die "CHANGELOG.md has no entry for $version (a heading '## $version (YYYY-MM-DD)')" 1
printf 'release-check: %s is package.json'"'"'s version and CHANGELOG.md has its entry\n' "$tag"

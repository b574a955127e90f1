# shellcheck shell=bash
# Sourced by scripts/install-node.sh and scripts/install-renovate.sh: one npm package installed
# into a cache directory of its own, once per pin. Concurrent runs are serialised with flock (the
# lock sits beside DIR); the install is made in a temporary directory and moved into place whole.
#
#   cached_npm_install NAME DIR WANT READY NOTE VERIFY -- NPM_INSTALL...
#
# NAME names the caller in messages; WANT is name@version, recorded in DIR/.installed; READY is
# a path under DIR that exists once installed; NOTE is added to the first-use line; VERIFY is a
# command run on the new READY path before it is moved into place; NPM_INSTALL is the npm command
# and its flags, to which --prefix <tmp> WANT is appended.
cached_npm_install() {
  local name="$1" dir="$2" want="$3" ready="$4" note="$5" verify="$6"
  shift 7
  local base tmp
  base="$(dirname "$dir")"
  installed() { [[ "$(cat "$dir/.installed" 2>/dev/null)" == "$want" && -e "$dir/$ready" ]]; }
  installed && return 0
  mkdir -p "$base"
  exec 9>"$base/.lock"
  flock 9
  installed && return 0
  echo "$name: installing $want into $dir (first use$note)" >&2
  tmp="$(mktemp -d "$base/.tmp.XXXXXX")"
  # shellcheck disable=SC2064 # the path is fixed now, on purpose
  trap "rm -rf '$tmp'" EXIT
  printf '{ "private": true }\n' >"$tmp/package.json"
  "$@" --prefix "$tmp" "$want" >&2
  [[ -e "$tmp/$ready" ]] || { echo "$name: $want has no $ready" >&2; exit 1; }
  "$verify" "$tmp/$ready"
  printf '%s\n' "$want" >"$tmp/.installed"
  rm -rf "$dir"
  mv "$tmp" "$dir"
  trap - EXIT
}

#!/usr/bin/env bash
# GOMAXPROCS under CPU quotas (issue #18, finding 7): the generated service with
# automaxprocs (AUTOMAXPROCS=true) against the Go runtime's own cgroup-aware default
# (AUTOMAXPROCS=false), each in a cgroup v1 cpu hierarchy with quotas of 0.5, 1, 1.5 and 2
# CPUs, under wrk load: requests/s, p99 latency, and throttled periods from cpu.stat.
#
# Needs root, a cgroup v1 cpu controller mounted at /sys/fs/cgroup/cpu, wrk and Go.
# Usage: sudo bench/gomaxprocs.sh [seconds per run, default 8] [rounds, default 2]
# Writes a Markdown table to stdout; the service's own logs go to /dev/null.
set -euo pipefail
secs=${1:-8}
rounds=${2:-2}
here=$(cd "$(dirname "$0")/.." && pwd)
cg=/sys/fs/cgroup/cpu/cgks-gomaxprocs-$$
work=$(mktemp -d)
trap 'kill $(cat "$work"/pid 2>/dev/null) 2>/dev/null || true; rmdir "$cg" 2>/dev/null || true; rm -rf "$work"' EXIT

[ -d /sys/fs/cgroup/cpu ] || { echo "no cgroup v1 cpu controller at /sys/fs/cgroup/cpu" >&2; exit 2; }
command -v wrk >/dev/null || { echo "wrk not found (apt-get install wrk)" >&2; exit 2; }

# The default service (metrics on), built the way the Dockerfile builds it.
dir=$(cd "$here" && npx tsx -e "
import { generate } from './test/support/generate.ts';
console.log(generate({ name: 'demo-svc' }, 'cgks-gomaxprocs-'));")
(cd "$dir" && GOTOOLCHAIN=local CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$work/svc" ./cmd/demo-svc)

mkdir "$cg"
echo 100000 > "$cg/cpu.cfs_period_us"

stat() { awk -v k="$1" '$1 == k { print $2 }' "$cg/cpu.stat"; }

echo "| quota (CPUs) | GOMAXPROCS from | GOMAXPROCS | requests/s | p99 | throttled periods / s | throttled ms / s |"
echo "|---|---|---|---|---|---|---|"
for round in $(seq "$rounds"); do
  for quota in 0.5 1 1.5 2; do
    echo "$(awk -v q="$quota" 'BEGIN { printf "%d", q * 100000 }')" > "$cg/cpu.cfs_quota_us"
    for mode in automaxprocs runtime; do
      auto=$([ "$mode" = automaxprocs ] && echo true || echo false)
      port=$((20000 + RANDOM % 20000))
      # Join the cgroup first, then exec the service: it starts inside the quota.
      sh -c "echo \$\$ > $cg/cgroup.procs; exec env PORT=$port ADMIN_PORT=0 HOST=127.0.0.1 SHUTDOWN_DELAY=0s AUTOMAXPROCS=$auto $work/svc" \
        > "$work/log" 2>&1 &
      echo $! > "$work/pid"
      for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/ready" >/dev/null 2>&1 && break; sleep 0.05; done
      procs=$(grep -o 'GOMAXPROCS[= ][0-9]*\|"gomaxprocs":[0-9]*' "$work/log" | grep -o '[0-9]*$' | tail -1)
      wrk -t1 -c16 -d1s "http://127.0.0.1:$port/api/v1/hello" >/dev/null  # warm-up
      n0=$(stat nr_throttled); t0=$(stat throttled_time)
      out=$(wrk -t1 -c16 -d"${secs}s" --latency "http://127.0.0.1:$port/api/v1/hello")
      n1=$(stat nr_throttled); t1=$(stat throttled_time)
      kill "$(cat "$work/pid")"; wait "$(cat "$work/pid")" 2>/dev/null || true
      rps=$(awk '/^Requests\/sec/ { printf "%.0f", $2 }' <<<"$out")
      p99=$(awk '$1 == "99%" { print $2 }' <<<"$out")
      thr=$(awk -v a="$n0" -v b="$n1" -v s="$secs" 'BEGIN { printf "%.1f", (b - a) / s }')
      thrms=$(awk -v a="$t0" -v b="$t1" -v s="$secs" 'BEGIN { printf "%.0f", (b - a) / 1e6 / s }')
      echo "| $quota | $mode | ${procs:-?} | $rps | $p99 | $thr | $thrms |"
    done
  done
done

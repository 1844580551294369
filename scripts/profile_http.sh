#!/usr/bin/env bash
# Profile the server and its jq workers under the HTTP execute load of
# bench_http.sh: perf record for 6 s while wrk runs 12 s; prints wrk's line.
# Usage: scripts/profile_http.sh BUILD OUTPUT   (then: perf report -i OUTPUT)
set -euo pipefail
build=${1:?build dir}; out=${2:?perf data file}
command -v perf >/dev/null || { echo "perf is missing: apt-get install linux-perf" >&2; exit 2; }
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 2; }
source "$(dirname "$0")/bench_server.sh"
start_bench_server "$build" fsync
wrk -t2 -c64 -d3s -s bench/http/execute.lua "$url" -- "$flow_id" "$token" > /dev/null
wrk -t2 -c64 -d12s --latency -s bench/http/execute.lua "$url" -- "$flow_id" "$token" > "$out.wrk" &
load=$!
sleep 2
workers=$(pgrep -d, -P "$server" || true)
perf record -F 499 -g -o "$out" -p "$server${workers:+,$workers}" -- sleep 6 2> /dev/null
wait $load
tail -n 1 "$out.wrk"

#!/usr/bin/env bash
# HTTP benchmark: POST /execute?wait=5 of the linear conformance flow with
# 64 keep-alive clients (wrk), against a fresh `baley serve` on loopback.
# Usage: scripts/bench_http.sh [build] [fsync|buffered] [seconds] [connections]
set -euo pipefail
build=${1:-build}
durability=${2:-fsync}
seconds=${3:-20}
connections=${4:-64}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 2; }
dir=$(mktemp -d)
"$build/baley" serve --data "$dir/data" --port 0 --durability "$durability" > "$dir/out" 2>&1 &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 1 100); do grep -q '"listening"' "$dir/out" && break; sleep 0.1; done
port=$(sed -n 's/.*"listening".*"port":\([0-9]*\).*/\1/p' "$dir/out")
token=$(head -n 1 "$dir/data/admin-token")
url="http://127.0.0.1:$port"
flow=$(node -e 'const d=require(process.argv[1]); process.stdout.write(JSON.stringify(d.flow))' \
  "$(realpath ../shared/conformance/linear.json)")
id=$(curl -s -H "Authorization: Bearer $token" -d "$flow" "$url/api/flows" |
  sed 's/.*"id":"\([0-9a-f-]*\)","version".*/\1/')
# Warm up (compiles, caches), then measure.
wrk -t2 -c"$connections" -d3s -s bench/http/execute.lua "$url" -- "$id" "$token" > /dev/null
wrk -t2 -c"$connections" -d"${seconds}s" --latency -s bench/http/execute.lua "$url" -- "$id" "$token" | tail -n 1
# How the execute requests were answered (200: terminal within the wait).
curl -s "$url/metrics" | grep 'route="POST /api/flows/{id}/execute"' | grep requests_total

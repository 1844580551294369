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
source "$(dirname "$0")/bench_server.sh"
start_bench_server "$build" "$durability"
# Warm up (compiles, caches), then measure.
wrk -t2 -c"$connections" -d3s -s bench/http/execute.lua "$url" -- "$flow_id" "$token" > /dev/null
wrk -t2 -c"$connections" -d"${seconds}s" --latency -s bench/http/execute.lua "$url" -- "$flow_id" "$token" | tail -n 1
# How the execute requests were answered (200: terminal within the wait).
curl -s "$url/metrics" | grep 'route="POST /api/flows/{id}/execute"' | grep requests_total

#!/usr/bin/env bash
# AI streaming benchmark: N concurrent ai-block executions streaming from the
# mock LLM provider (tools/mock_llm), one SSE client each, against a fresh
# `baley serve` on loopback; one JSON line per concurrency level (completed,
# failed, seconds, tokens_per_s, added latency per token p50/p99/max in ms).
# Builds nothing. Usage: scripts/bench_ai.sh [build] [bench_ai.mjs options] [LEVEL ...]
#   e.g. scripts/bench_ai.sh build 25 50 100 200
#        scripts/bench_ai.sh build --durability buffered 100
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
[ $# -gt 0 ] && shift
command -v node >/dev/null || { echo "node (20+) is missing" >&2; exit 2; }
[ -x "$build/baley" ] || { echo "$build/baley is missing: cmake --build $build --target baley" >&2; exit 2; }
exec node "$root/scripts/bench_ai.mjs" --baley "$build/baley" --mock "$root/tools/mock_llm/server.mjs" "$@"

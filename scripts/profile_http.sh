#!/usr/bin/env bash
# Profile the server and its jq workers under the HTTP execute load of
# bench_http.sh: perf record for 6 s while wrk runs 12 s; prints wrk's line.
# Usage: scripts/profile_http.sh BUILD OUTPUT   (then: perf report -i OUTPUT)
set -euo pipefail
build=${1:?build dir}; out=${2:?perf data file}
command -v perf >/dev/null || { echo "perf is missing: apt-get install linux-perf" >&2; exit 2; }
dir=$(mktemp -d)
"$build/baley" serve --data "$dir/data" --port 0 --durability fsync > "$dir/out" 2>&1 &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 1 100); do grep -q '"listening"' "$dir/out" && break; sleep 0.1; done
port=$(sed -n 's/.*"listening".*"port":\([0-9]*\).*/\1/p' "$dir/out")
token=$(head -n 1 "$dir/data/admin-token")
url="http://127.0.0.1:$port"
flow=$(node -e 'const d=require(process.argv[1]); process.stdout.write(JSON.stringify(d.flow))' "$(realpath ../shared/conformance/linear.json)")
id=$(curl -s -H "Authorization: Bearer $token" -d "$flow" "$url/api/flows" | sed 's/.*"id":"\([0-9a-f-]*\)","version".*/\1/')
wrk -t2 -c64 -d3s -s bench/http/execute.lua "$url" -- "$id" "$token" > /dev/null
wrk -t2 -c64 -d12s --latency -s bench/http/execute.lua "$url" -- "$id" "$token" > "$out.wrk" &
w=$!
sleep 2
pids=$(pgrep -d, -P $server || true)
perf record -F 499 -g -o "$out" -p "$server${pids:+,$pids}" -- sleep 6 2> /dev/null
wait $w
tail -n 1 "$out.wrk"

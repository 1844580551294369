# Sourced by the HTTP benchmark scripts: starts a fresh `baley serve` on
# loopback with the linear conformance flow saved, stopped when the script ends.
# Usage: start_bench_server BUILD DURABILITY; sets server, url, token, flow_id.
start_bench_server() {
  local build=$1 durability=$2
  bench_dir=$(mktemp -d)
  "$build/baley" serve --data "$bench_dir/data" --port 0 --durability "$durability" \
    > "$bench_dir/out" 2>&1 &
  server=$!
  trap 'kill -TERM $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$bench_dir"' EXIT
  for _ in $(seq 1 100); do grep -q '"listening"' "$bench_dir/out" && break; sleep 0.1; done
  local port
  port=$(sed -n 's/.*"listening".*"port":\([0-9]*\).*/\1/p' "$bench_dir/out")
  token=$(head -n 1 "$bench_dir/data/admin-token")
  url="http://127.0.0.1:$port"
  local flow
  flow=$(node -e 'const d=require(process.argv[1]); process.stdout.write(JSON.stringify(d.flow))' \
    "$(realpath ../shared/conformance/linear.json)")
  flow_id=$(curl -s -H "Authorization: Bearer $token" -d "$flow" "$url/api/flows" |
    sed 's/.*"id":"\([0-9a-f-]*\)","version".*/\1/')
}

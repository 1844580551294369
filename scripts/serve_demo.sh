#!/usr/bin/env bash
# `make run`: starts `baley serve` on 127.0.0.1:8080 with the data dir ./data,
# loads the demo flows once, prints the URL and the admin token, and keeps
# the server in the foreground until Ctrl-C (a graceful shutdown).
set -euo pipefail
build=${1:-build}
data=${BALEY_DATA:-data}
port=${BALEY_PORT:-8080}
log=$(mktemp)

"$build/baley" serve --data "$data" --host 127.0.0.1 --port "$port" > "$log" 2>&1 &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server; rm -f "$log"' INT TERM EXIT

for _ in $(seq 1 100); do
  grep -q '"listening"' "$log" && break
  if ! kill -0 $server 2>/dev/null; then cat "$log"; exit 1; fi
  sleep 0.1
done
grep -q '"listening"' "$log" || { cat "$log"; exit 1; }

url="http://127.0.0.1:$port"
token=$(head -n 1 "$data/admin-token")
node scripts/load_demo_flows.mjs "$url" "$token" ../shared/conformance demo

cat <<MSG

Baley Runtime is running at $url
Open the web page, signed in:  $url/signin#token=$token
Admin token ($data/admin-token): $token

Try the ai-block demo (simulated provider, streamed token by token):
  flow=\$(curl -s -H "Authorization: Bearer $token" "$url/api/flows?limit=500" | node -e \
    'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).items.find(f=>f.name==="ai-triage").id))')
  id=\$(curl -s -H "Authorization: Bearer $token" -d '{"input":{"ticket":"Checkout fails for every customer"}}' \
    "$url/api/flows/\$flow/execute" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).executionId))')
  curl -N -H "Authorization: Bearer $token" "$url/api/executions/\$id/stream"

Ctrl-C stops the server.
MSG
tail -f "$log" &
wait $server

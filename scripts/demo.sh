#!/usr/bin/env bash
# `make run`: runs the demo flow on an embedded data dir in the working tree,
# then replays and audits it, so every command of the CLI is seen once.
set -euo pipefail
build=${1:-build}
data=${BALEY_DATA:-data}
baley="$build/baley"
input='{"customer":"ada","items":[{"price":60,"qty":2},{"price":5,"qty":1}]}'

echo "== baley run demo/order-pipeline.json --data $data"
"$baley" run demo/order-pipeline.json --data "$data" --input "$input" | tee /tmp/baley-demo.ndjson
id=$(head -n 1 /tmp/baley-demo.ndjson | sed 's/.*"executionId":"\([^"]*\)".*/\1/')

echo
echo "== baley replay $id --data $data --from 0 (first 3 lines)"
"$baley" replay "$id" --data "$data" | sed -n 1,3p

echo
echo "== baley audit --data $data"
"$baley" audit --data "$data"

echo
echo "Try: $baley run ../shared/conformance/parallel.json --input '{\"x\":2}'"

// Loads demo flows into a running server's default workspace: every valid
// conformance case of ../shared/conformance and the flows of demo/, each
// once (a flow whose name is already there is left alone). A connection named
// "simulated" (the built-in offline provider) is created if missing, and
// "$simulated" in a flow stands for its id. The blocks of demo/blocks are
// created once too ("$block:NAME" stands for a block's id), and a block just
// created with an inputSchema is tested once, and a flow that uses a stored
// ai-block run once, so block tests, decisions and analytics show at once.
// Then the patterns of demo/patterns are created once (by name), so their
// stats count the decisions just made. Last, so that the web page opens on
// something to see: the first time, every conformance case runs once
// (completed and failed executions), and every time, two `long-review`
// executions (waiting in a five-minute delay) and one ai-triage (streaming)
// start.
// Usage: node scripts/load_demo_flows.mjs URL TOKEN DIR...
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

const [url, token, ...dirs] = process.argv.slice(2);
const headers = { Authorization: `Bearer ${token}`, "Content-Type": "application/json" };

const existing = await fetch(`${url}/api/flows?limit=500`, { headers });
if (!existing.ok) throw new Error(`GET /api/flows: ${existing.status}`);
const names = new Set((await existing.json()).items.map((f) => f.name));

const connections = await (await fetch(`${url}/api/connections?limit=500`, { headers })).json();
let simulated = connections.items.find((c) => c.name === "simulated");
if (!simulated) {
  const created = await fetch(`${url}/api/connections`, {
    method: "POST", headers,
    body: JSON.stringify({ name: "simulated", type: "simulated", baseUrl: "simulated://?tokenDelayMs=60" }),
  });
  if (!created.ok) throw new Error(`POST /api/connections: ${created.status}`);
  simulated = await created.json();
}

// Blocks first, in dependency order (a tool block before the block using it).
const blocks = new Map((await (await fetch(`${url}/api/blocks?limit=500`, { headers })).json())
  .items.map((b) => [b.name, b.id]));
const fresh = [];
const substitute = (text) => text.replaceAll("$simulated", simulated.id)
  .replace(/\$block:([a-z0-9-]+)/g, (_, name) => blocks.get(name) ?? `missing-block-${name}`);
// The .json files of a folder, sorted; none when it does not exist.
const jsonFiles = (dir) => {
  try { return readdirSync(dir).filter((f) => f.endsWith(".json")).sort(); } catch { return []; }
};
for (const dir of dirs.map((d) => join(d, "blocks"))) {
  const files = jsonFiles(dir);
  const pending = files.map((f) => JSON.parse(readFileSync(join(dir, f), "utf8")));
  for (let round = 0; round < pending.length && pending.length; ++round) {
    for (const block of [...pending]) {
      const text = JSON.stringify(block);
      const needs = [...text.matchAll(/\$block:([a-z0-9-]+)/g)].map((m) => m[1]);
      if (needs.some((n) => !blocks.has(n))) continue;
      pending.splice(pending.indexOf(block), 1);
      if (blocks.has(block.name)) continue;
      const created = await fetch(`${url}/api/blocks`, { method: "POST", headers, body: substitute(text) });
      if (!created.ok) { console.error(`block ${block.name}: ${created.status} ${await created.text()}`); continue; }
      const id = (await created.json()).id;
      blocks.set(block.name, id);
      if (block.config?.inputSchema) fresh.push(id);
    }
  }
}

let loaded = 0;
const runs = [];
const cases = [];  // [flowId, input] of each conformance case, run the first time
for (const dir of dirs) {
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".json")).sort()) {
    const text = substitute(readFileSync(join(dir, file), "utf8"));
    const doc = JSON.parse(text);
    if (doc.invalid) continue; // conformance cases that must be refused
    const flow = doc.nodes ? doc : doc.flow;
    if (!flow || names.has(flow.name)) continue;
    const created = await fetch(`${url}/api/flows`, { method: "POST", headers, body: JSON.stringify(flow) });
    if (!created.ok) {
      console.error(`${file}: ${created.status} ${await created.text()}`);
      continue;
    }
    names.add(flow.name);
    loaded++;
    const flowId = (await created.clone().json()).id;
    for (const c of doc.cases ?? []) cases.push([flowId, c.input]);
    if (text.includes('"blockId"') && flow.nodes.some((n) => n.type === "ai-block"))
      runs.push((await created.json()).id);
  }
}
const example = { ticket: "Checkout fails with card payments for every customer" };
for (const id of fresh)
  await fetch(`${url}/api/blocks/${id}/test?wait=30`, { method: "POST", headers, body: JSON.stringify({ input: example }) });
for (const id of runs)
  await fetch(`${url}/api/flows/${id}/execute?wait=30`, { method: "POST", headers, body: JSON.stringify({ input: example }) });
const patternNames = new Set((await (await fetch(`${url}/api/patterns?limit=500`, { headers })).json())
  .items.map((p) => p.name));
let patterns = 0;
for (const dir of dirs.map((d) => join(d, "patterns"))) {
  for (const file of jsonFiles(dir)) {
    const text = substitute(readFileSync(join(dir, file), "utf8"));
    if (patternNames.has(JSON.parse(text).name)) continue;
    const created = await fetch(`${url}/api/patterns`, { method: "POST", headers, body: text });
    if (!created.ok) console.error(`${file}: ${created.status} ${await created.text()}`);
    else patterns++;
  }
}
for (const [flowId, input] of cases)
  await fetch(`${url}/api/flows/${flowId}/execute?wait=10`, { method: "POST", headers, body: JSON.stringify({ input }) });
const flows = new Map((await (await fetch(`${url}/api/flows?limit=500`, { headers })).json()).items.map((f) => [f.name, f.id]));
const live = [["long-review", { ticket: "Refund requested twice" }], ["long-review", { ticket: "Invoice address wrong" }],
              ["ai-triage", { ticket: "Checkout fails for every customer since the last deploy" }]];
let started = 0;
for (const [name, input] of live) {
  if (!flows.has(name)) continue;
  const r = await fetch(`${url}/api/flows/${flows.get(name)}/execute`, { method: "POST", headers, body: JSON.stringify({ input }) });
  if (r.ok) started++;
}
console.log(JSON.stringify({ msg: "demo flows loaded", count: loaded, blocksTested: fresh.length, flowsRun: runs.length,
                             casesRun: cases.length, patterns, runningStarted: started }));

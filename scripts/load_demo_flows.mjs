// Loads demo flows into a running server's default workspace: every valid
// conformance case of ../shared/conformance and the flows of demo/, each
// once (a flow whose name is already there is left alone). A connection named
// "simulated" (the built-in offline provider) is created if missing, and
// "$simulated" in a flow stands for its id.
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

let loaded = 0;
for (const dir of dirs) {
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".json")).sort()) {
    const text = readFileSync(join(dir, file), "utf8").replaceAll("$simulated", simulated.id);
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
  }
}
console.log(JSON.stringify({ msg: "demo flows loaded", count: loaded }));

// Loads demo flows into a running server's default workspace: every valid
// conformance case of ../shared/conformance and the flows of demo/, each
// once (a flow whose name is already there is left alone).
// Usage: node scripts/load_demo_flows.mjs URL TOKEN DIR...
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

const [url, token, ...dirs] = process.argv.slice(2);
const headers = { Authorization: `Bearer ${token}`, "Content-Type": "application/json" };

const existing = await fetch(`${url}/api/flows?limit=500`, { headers });
if (!existing.ok) throw new Error(`GET /api/flows: ${existing.status}`);
const names = new Set((await existing.json()).items.map((f) => f.name));

let loaded = 0;
for (const dir of dirs) {
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".json")).sort()) {
    const doc = JSON.parse(readFileSync(join(dir, file), "utf8"));
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

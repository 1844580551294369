// Follows one execution off the page's main thread: reads its SSE stream,
// folds every event, and sends the page only what changed, at most about
// once a frame, without the nodes' input and output values. Those stay here
// until a node card asks for them, so neither 100,000 events nor a 5 MB
// value ever blocks the page. The stream resumes from its last id after a
// drop, and the fold ignores an index it has seen.
import { emptyExecution, foldEvent, keyOf } from './execution_fold.js';
import { prettyText, previewOf } from './value_text.js';
import { followSse } from './sse_follow.js';

const frameMs = 16;
const bulkMs = 100;
let interval = frameMs;
let foldedSinceFlush = 0;
let x = emptyExecution();
let connection = 'connecting';
let dirty = new Set();
let order = [];           // node keys in the order they first appeared
let sentNodes = 0;        // how many of `order` the page has
const sentText = new Map();   // key -> text length the page has
const sentTools = new Map();  // key -> tool events the page has
const prettyCache = new Map();
let timer = null;
let lastFlush = 0;

// A node as the page gets it: no values, no text, no tools (sent apart).
function liteNode(n) {
  return { key: n.key, nodeId: n.nodeId, iteration: n.iteration, status: n.status, attempts: n.attempts,
           startedAt: n.startedAt, completedAt: n.completedAt, durationMs: n.durationMs, error: n.error,
           code: n.code, retries: n.retries, skipped: n.skipped, fallback: n.fallback, model: n.model,
           tokens: n.tokens, cost: n.cost, ttftMs: n.ttftMs, tokensPerSecond: n.tokensPerSecond,
           hasInput: n.input != null, hasOutput: n.output != null };
}

// The header's totals over every node, kept up to date from each changed
// node's share, so that a send costs what changed and not every node.
const totals = { tokens: 0, cost: 0, rateSum: 0, rated: 0, ttft: null };
const shares = new Map();  // key -> {tokens, cost, rate}
const active = new Set();
const isActive = (n) => n.status === 'running' || n.status === 'waiting' || n.status === 'retrying';

function account(n) {
  const old = shares.get(n.key) ?? { tokens: 0, cost: 0, rate: null };
  const share = { tokens: n.tokens ? (n.tokens.input ?? 0) + (n.tokens.output ?? 0) : 0,
                  cost: n.cost ?? 0, rate: n.tokensPerSecond };
  totals.tokens += share.tokens - old.tokens;
  totals.cost += share.cost - old.cost;
  if (old.rate != null) { totals.rateSum -= old.rate; totals.rated -= 1; }
  if (share.rate != null) { totals.rateSum += share.rate; totals.rated += 1; }
  if (n.ttftMs != null) totals.ttft = totals.ttft == null ? n.ttftMs : Math.min(totals.ttft, n.ttftMs);
  shares.set(n.key, share);
  if (isActive(n)) active.add(n.key); else active.delete(n.key);
}

function summary() {
  return { tokens: totals.tokens, cost: totals.cost, ttft: totals.ttft,
           rate: totals.rated ? totals.rateSum / totals.rated : null, active: [...active], nodes: x.nodes.size };
}

function flush() {
  timer = null;
  lastFlush = performance.now();
  // A long replay is sent in fewer, larger pieces; a live stream every frame.
  interval = foldedSinceFlush > 500 ? bulkMs : frameMs;
  foldedSinceFlush = 0;
  const nodes = [];
  const text = [];
  const tools = [];
  for (const key of dirty) {
    const n = x.nodes.get(key);
    if (!n) continue;
    account(n);
    nodes.push(liteNode(n));
    const had = sentText.get(key) ?? 0;
    if (n.text.length < had) text.push([key, n.text, true]);
    else if (n.text.length > had) text.push([key, n.text.slice(had), false]);
    sentText.set(key, n.text.length);
    const toldTools = sentTools.get(key) ?? 0;
    if (n.tools.length > toldTools) tools.push([key, n.tools.slice(toldTools)]);
    sentTools.set(key, n.tools.length);
  }
  dirty = new Set();
  const added = order.slice(sentNodes);
  sentNodes = order.length;
  const { nodes: _all, input, output, ...execution } = x;
  postMessage({ type: 'batch', execution, summary: summary(), added, nodes, text, tools, connection });
}

// Sends what changed now when the interval has passed since the last send
// (so a token after a quiet spell goes at once), else at its end.
function schedule() {
  const since = performance.now() - lastFlush;
  if (since >= interval) {
    clearTimeout(timer);
    flush();
  } else if (timer === null) {
    timer = setTimeout(flush, interval - since);
  }
}

function fold(message) {
  const e = message.event;
  const before = x.nodes.size;
  if (!foldEvent(x, message)) return;
  foldedSinceFlush += 1;
  if (e.nodeId != null) {
    const key = keyOf(e);
    dirty.add(key);
    if (prettyCache.size) {
      prettyCache.delete(`${key}\u0000input`);
      prettyCache.delete(`${key}\u0000output`);
    }
    if (x.nodes.size > before) order.push(key);
  }
  if (e.type === 'execution_cancelled') for (const key of x.nodes.keys()) dirty.add(key);
  schedule();
}

function setConnection(state) {
  connection = state;
  schedule();
}

async function open(id) {
  const end = await followSse(`/api/executions/${encodeURIComponent(id)}/stream`, {
    onState: setConnection,
    onMessages: (messages) => { for (const m of messages) fold(JSON.parse(m.data)); },
  });
  if (end === 'done') { setConnection('done'); return; }
  if (end === 404 && x.lastIndex < 0) postMessage({ type: 'missing' });
  setConnection('closed');
}

// The pretty text of a node's input or output (key null: the execution's).
function textOf(key, which) {
  const cacheKey = `${key}\u0000${which}`;
  if (!prettyCache.has(cacheKey)) {
    const owner = key == null ? x : x.nodes.get(key);
    prettyCache.set(cacheKey, owner ? prettyText(owner[which] ?? undefined) : undefined);
  }
  return prettyCache.get(cacheKey);
}

onmessage = ({ data }) => {
  if (data.type === 'open') open(data.id);
  else if (data.type === 'preview') {
    postMessage({ type: 'preview', req: data.req,
                  input: previewOf(textOf(data.key, 'input')), output: previewOf(textOf(data.key, 'output')) });
  } else if (data.type === 'blob') {
    const text = textOf(data.key, data.which) ?? '';
    postMessage({ type: 'blob', req: data.req, blob: new Blob([text], { type: 'text/plain' }) });
  } else if (data.type === 'value') {
    const owner = data.key == null ? x : x.nodes.get(data.key);
    postMessage({ type: 'value', req: data.req, value: owner?.[data.which] });
  }
};

// An independent SSE client for Baley's execution stream, built on the
// `eventsource` package (the WHATWG EventSource for Node): it drops the
// connection after every message and opens a new EventSource that sends
// `Last-Event-ID` = the last id it saw, until `data: [DONE]`. It checks that
// every index arrives exactly once, in order, from 0, that each message's id
// is its index, and that the last event is terminal.
//
//   node check_reconnect.mjs BASE_URL TOKEN EXECUTION_ID
//
// Exit 0 when all holds; 1 with the reasons on stderr otherwise. Prints one
// JSON summary line on stdout either way.
import { EventSource } from "eventsource";

const [baseUrl, token, executionId] = process.argv.slice(2);
if (!baseUrl || !token || !executionId) {
  console.error("usage: node check_reconnect.mjs BASE_URL TOKEN EXECUTION_ID");
  process.exit(2);
}

const url = `${baseUrl.replace(/\/$/, "")}/api/executions/${executionId}/stream`;
const terminal = new Set(["execution_complete", "execution_error", "execution_cancelled"]);
const problems = [];
const indexes = [];
let lastType = null;
let lastId = null;
let connections = 0;
let source = null;

function finish(ok) {
  if (source) source.close();
  clearTimeout(deadline);
  const summary = { ok, connections, events: indexes.length, lastType, problems };
  console.log(JSON.stringify(summary));
  if (!ok) for (const p of problems) console.error(p);
  process.exit(ok ? 0 : 1);
}

const deadline = setTimeout(() => {
  problems.push(`no [DONE] within 60 s (got ${indexes.length} events)`);
  finish(false);
}, 60_000);

function connect() {
  connections += 1;
  const resumeFrom = lastId;
  // The custom fetch adds what EventSource cannot: the bearer token, and on a
  // fresh EventSource the id where the previous one stopped.
  const es = new EventSource(url, {
    fetch: (input, init) =>
      fetch(input, {
        ...init,
        headers: {
          ...init.headers,
          Authorization: `Bearer ${token}`,
          ...(resumeFrom !== null ? { "Last-Event-ID": resumeFrom } : {}),
        },
      }),
  });
  source = es;
  let handled = false;
  es.onmessage = (e) => {
    if (handled) return; // one message per connection; drop the rest
    handled = true;
    if (e.data === "[DONE]") {
      const expected = indexes.map((_, i) => i);
      if (JSON.stringify(indexes) !== JSON.stringify(expected))
        problems.push(`indexes not 0..n-1 once each in order: ${JSON.stringify(indexes)}`);
      if (!terminal.has(lastType)) problems.push(`[DONE] after a non-terminal event: ${lastType}`);
      finish(problems.length === 0);
      return;
    }
    if (e.type !== "message") problems.push(`event type ${e.type}`);
    let data;
    try {
      data = JSON.parse(e.data);
    } catch {
      problems.push(`data is not JSON: ${e.data.slice(0, 200)}`);
      finish(false);
      return;
    }
    if (typeof data.index !== "number" || typeof data.event !== "object") {
      problems.push(`data is not {index, event}: ${e.data.slice(0, 200)}`);
      finish(false);
      return;
    }
    if (e.lastEventId !== String(data.index))
      problems.push(`id ${e.lastEventId} for index ${data.index}`);
    indexes.push(data.index);
    lastType = data.event.type;
    lastId = e.lastEventId;
    // Drop the connection right after this message and come back from here.
    es.close();
    setImmediate(connect);
  };
  es.onerror = (err) => {
    if (handled) return;
    if (es.readyState === EventSource.CLOSED) {
      problems.push(`connection ${connections} failed: ${err?.message ?? ""} (status ${err?.code ?? "?"})`);
      finish(false);
    }
    // CONNECTING: the package retries by itself, after the server's retry:.
  };
}

connect();

#!/usr/bin/env node
// AI streaming benchmark: N concurrent ai-block executions against the mock
// LLM provider (tools/mock_llm), each followed by its own SSE client, on
// loopback. For every level it prints one JSON line: completed and failed
// executions, wall time, tokens delivered per second, and the latency the
// runtime adds per token, from the mock writing it to the SSE client reading
// the node_stream message that carried it (p50/p99/max).
//
// Usage: node scripts/bench_ai.mjs [--baley build/baley] [--mock tools/mock_llm/server.mjs]
//          [--durability fsync|buffered] [--model mock-tokens-200] [--level-timeout 120]
//          [--max-seconds 240] [LEVEL ...]            (default levels: 25 50 100 200)
//
// Matching a token to its SSE message: the mock's reply to execution i is
// rebuilt from its recorded request exactly as the mock builds it (the user
// message's words, cycled to the model's token count), token k ends at
// character C_k of the reply, and the SSE text_delta whose cumulative content
// first reaches C_k carried it. Latency = arrival - writtenAtMs (both
// performance.timeOrigin + performance.now(), in two processes of the same
// machine).
//
// live_only: a token counts only when the mock wrote it after the SSE client
// had read the stream's first byte; earlier tokens come in the replay part of
// the stream and would measure the stream's opening, not the delivery.
//
// Node 20, no npm dependencies. stdout: the JSON lines only; progress and
// diagnostics go to stderr.

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const nowMs = () => performance.timeOrigin + performance.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (...parts) => process.stderr.write(`bench_ai: ${parts.join(' ')}\n`);

// ---------------------------------------------------------------- arguments

function parseArgs(argv) {
  const o = {
    baley: path.join(root, 'build/baley'),
    mock: path.join(root, 'tools/mock_llm/server.mjs'),
    durability: 'fsync',
    model: 'mock-tokens-200',
    levelTimeout: 120,
    maxSeconds: 240,
    levels: [],
  };
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) fail(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--baley') o.baley = path.resolve(next());
    else if (a === '--mock') o.mock = path.resolve(next());
    else if (a === '--durability') o.durability = next();
    else if (a === '--model') o.model = next();
    else if (a === '--level-timeout') o.levelTimeout = Number(next());
    else if (a === '--max-seconds') o.maxSeconds = Number(next());
    else if (a === '--levels') o.levels.push(...next().split(',').map(Number));
    else if (/^\d+$/.test(a)) o.levels.push(Number(a));
    else if (a === '-h' || a === '--help') {
      process.stdout.write(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1, 13)
        .map((l) => l.replace(/^\/\/ ?/, '')).join('\n') + '\n');
      process.exit(0);
    } else fail(`unknown argument ${a}`);
  }
  if (o.levels.length === 0) o.levels = [25, 50, 100, 200];
  if (o.levels.some((n) => !Number.isInteger(n) || n < 1 || n > 1000)) fail('levels are integers 1..1000');
  if (!(o.levelTimeout > 0) || !(o.maxSeconds > 0)) fail('bad timeout');
  if (!existsSync(o.baley)) fail(`${o.baley} not found (build it: cmake --build build --target baley)`);
  if (!existsSync(o.mock)) fail(`${o.mock} not found`);
  return o;
}

function fail(message) {
  log(message);
  process.exit(2);
}

const opts = parseArgs(process.argv.slice(2));
const startedAt = performance.now();
const deadline = startedAt + opts.maxSeconds * 1000;

// ---------------------------------------------------------------- child processes

const children = [];
let dataDir = null;

// Spawns a process that prints JSON lines on stdout; resolves with the
// {"msg":"listening"} line.
function startListening(name, command, args, timeoutMs = 15000) {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const entry = { name, child, stderr: '' };
  children.push(entry);
  child.stderr.on('data', (d) => { entry.stderr = (entry.stderr + d).slice(-4000); });
  return new Promise((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error(`${name}: no listening line in ${timeoutMs} ms\n${entry.stderr}`)),
                             timeoutMs);
    child.on('exit', (code, signal) => {
      entry.exited = true;
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code ?? signal})\n${entry.stderr}`));
    });
    child.stdout.on('data', (d) => {
      buffer += d;
      let nl;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        let v;
        try { v = JSON.parse(line); } catch { continue; }
        if (v.msg === 'listening') {
          clearTimeout(timer);
          resolve(v);
        }
      }
    });
  });
}

let cleaning = null;
function cleanup() {
  if (cleaning) return cleaning;
  cleaning = (async () => {
    await Promise.all(children.map(async ({ name, child, exited }) => {
      if (exited || child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => { log(`${name} ignored SIGTERM, killing`); child.kill('SIGKILL'); }, 10000);
      await gone;
      clearTimeout(timer);
    }));
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  })();
  return cleaning;
}

for (const sig of ['SIGINT', 'SIGTERM'])
  process.on(sig, () => { log(`${sig}: cleaning up`); cleanup().finally(() => process.exit(130)); });

// The whole run is bounded: past the budget (plus a margin for cleanup), give up.
const watchdog = setTimeout(() => {
  log(`over the ${opts.maxSeconds} s budget: stopping`);
  cleanup().finally(() => process.exit(1));
}, opts.maxSeconds * 1000 + 15000);
watchdog.unref();

// ---------------------------------------------------------------- HTTP

let api = null;    // baley base URL
let token = null;  // admin bearer token
let mockUrl = null;

async function call(method, url, body, { auth = true, timeoutMs = 30000 } = {}) {
  const headers = {};
  if (auth) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const r = await fetch(url, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await r.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
  return { status: r.status, json, text };
}

async function expect(status, method, url, body, options) {
  const r = await call(method, url, body, options);
  if (r.status !== status) throw new Error(`${method} ${url}: ${r.status} ${r.text.slice(0, 500)}`);
  return r.json;
}

// ---------------------------------------------------------------- SSE client

// Follows one execution's stream. Records each node_stream text_delta with
// the time its bytes were read (the chunk that completed the message), the
// time of the stream's first byte, the terminal event, and whether [DONE] came.
function follow(executionId, signal) {
  const s = { id: executionId, openedAt: nowMs(), headersAt: null, firstByteAt: null, deltas: [],
              terminal: null, done: false, error: null, doneAt: null };
  s.finished = (async () => {
    try {
      const r = await fetch(`${api}/api/executions/${executionId}/stream`, {
        headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' }, signal,
      });
      s.headersAt = nowMs();
      if (r.status !== 200) throw new Error(`stream ${r.status} ${(await r.text()).slice(0, 200)}`);
      const reader = r.body.getReader();
      const decoder = new TextDecoder();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        const at = nowMs();
        if (done) break;
        if (s.firstByteAt === null) s.firstByteAt = at;
        buffer += decoder.decode(value, { stream: true });
        if (buffer.includes('\r')) buffer = buffer.replace(/\r\n?/g, '\n');
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const message = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let data = null;
          for (const line of message.split('\n')) {
            if (line.startsWith('data:')) {
              const part = line.slice(line[5] === ' ' ? 6 : 5);
              data = data === null ? part : `${data}\n${part}`;
            }
          }
          if (data === null) continue;  // retry:, comments
          if (data === '[DONE]') {
            s.done = true;
            s.doneAt = at;
            continue;
          }
          let v;
          try { v = JSON.parse(data); } catch { continue; }
          const e = v?.event;
          if (!e) continue;
          if (e.type === 'node_stream' && e.event?.type === 'text_delta')
            s.deltas.push({ at, content: e.event.content ?? '' });
          else if (e.type === 'execution_complete' || e.type === 'execution_error' || e.type === 'execution_cancelled')
            s.terminal = e.type;
        }
      }
      if (!s.done) s.error = 'stream closed without [DONE]';
    } catch (e) {
      s.error = signal.aborted ? 'timed out' : String(e?.message ?? e);
    }
  })();
  return s;
}

// ---------------------------------------------------------------- the mock's reply, rebuilt

// As tools/mock_llm/server.mjs does it (contentText, wordTokens, cycleTokens,
// planReply for a text reply on the OpenAI wire).
function contentText(content) {
  if (typeof content === 'string') return content;
  if (Array.isArray(content))
    return content.map((p) => (p && typeof p === 'object' && typeof p.text === 'string' ? p.text : ''))
      .filter((t) => t !== '').join(' ');
  return '';
}

function wordTokens(text) {
  const pieces = text.match(/\s*\S+/g) ?? [];
  if (pieces.length === 0) return [];
  pieces[0] = pieces[0].trimStart();
  const tail = /\s+$/.exec(text);
  if (tail) pieces[pieces.length - 1] += tail[0];
  return pieces;
}

function cycleTokens(words, n) {
  const out = [];
  for (let i = 0; i < n; ++i) {
    const w = words.length ? words[i % words.length] : `t${i}`;
    out.push(i === 0 ? w : ` ${w}`);
  }
  return out;
}

function replyTokens(record) {
  const body = record.body ?? {};
  const b = record.behaviour ?? {};
  const messages = Array.isArray(body.messages) ? body.messages : [];
  let text;
  if (b.text !== undefined) text = b.text;
  else {
    const lastUser = [...messages].reverse().find((m) => m && m.role === 'user');
    text = lastUser ? contentText(lastUser.content) : '';
  }
  let tokens = wordTokens(text);
  if (b.tokens !== undefined && b.tokens !== tokens.length) tokens = cycleTokens(tokens.map((t) => t.trim()), b.tokens);
  const max = body.max_completion_tokens ?? body.max_tokens;
  if (Number.isInteger(max) && max >= 0 && tokens.length > max) tokens = tokens.slice(0, max);
  return tokens;
}

function runOf(record) {
  const messages = Array.isArray(record.body?.messages) ? record.body.messages : [];
  const lastUser = [...messages].reverse().find((m) => m && m.role === 'user');
  const m = /\{\s*"run"\s*:\s*(\d+)\s*\}/.exec(lastUser ? contentText(lastUser.content) : '');
  return m ? Number(m[1]) : null;
}

// ---------------------------------------------------------------- one level

const percentile = (sorted, p) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] : null;
const round = (x, digits = 2) => (x === null || x === undefined ? null : Number(x.toFixed(digits)));

async function level(flowId, n, timeoutMs) {
  await expect(200, 'POST', `${mockUrl}/_reset`, undefined, { auth: false });
  const load1 = loadavg()[0];
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const t0 = nowMs();

  // Start all N at once; each SSE stream opens right after its 202.
  const runs = await Promise.all(Array.from({ length: n }, async (_, i) => {
    try {
      const r = await fetch(`${api}/api/flows/${flowId}/execute`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ input: { run: i } }),
        signal: controller.signal,
      });
      const text = await r.text();
      if (r.status !== 202) return { i, error: `execute ${r.status} ${text.slice(0, 200)}` };
      const id = JSON.parse(text).executionId;
      return { i, stream: follow(id, controller.signal) };
    } catch (e) {
      return { i, error: `execute: ${e?.message ?? e}` };
    }
  }));
  await Promise.all(runs.map((r) => r.stream?.finished));
  clearTimeout(timer);
  const timedOut = controller.signal.aborted;
  const doneTimes = runs.map((r) => r.stream?.doneAt).filter((t) => t);
  const wall = ((doneTimes.length ? Math.max(...doneTimes) : nowMs()) - t0) / 1000;

  // The mock's side: which request served which run, and when it wrote each token.
  const requests = await expect(200, 'GET', `${mockUrl}/_requests`, undefined, { auth: false });
  const timings = await expect(200, 'GET', `${mockUrl}/_timings`, undefined, { auth: false });
  const timingOf = new Map(timings.map((t) => [t.request, t]));
  const requestOf = new Map();  // run -> its last request (a retry replaces an earlier attempt)
  for (const rec of requests) {
    const run = runOf(rec);
    if (run !== null) requestOf.set(run, rec);
  }

  let completed = 0;
  let failed = 0;
  let tokensDelivered = 0;
  let excluded = 0;
  let unmatched = 0;
  let mismatched = 0;
  const latencies = [];
  const errors = new Map();
  const note = (e) => errors.set(e, (errors.get(e) ?? 0) + 1);
  for (const r of runs) {
    const s = r.stream;
    if (!s) { failed += 1; note(r.error); continue; }
    if (s.done && s.terminal === 'execution_complete') completed += 1;
    else { failed += 1; note(s.error ?? `terminal ${s.terminal}`); }
    const rec = requestOf.get(r.i);
    const timing = rec && timingOf.get(rec.index);
    if (!rec || !timing) { unmatched += 1; continue; }
    const tokens = replyTokens(rec);
    const streamed = s.deltas.map((d) => d.content).join('');
    const reply = tokens.join('');
    if (!reply.startsWith(streamed) || (s.terminal === 'execution_complete' && streamed !== reply)) mismatched += 1;
    // Two pointers: token k ends at C_k; message j ends at S_j.
    let j = 0;
    let sj = s.deltas.length ? s.deltas[0].content.length : 0;
    let ck = 0;
    for (let k = 0; k < tokens.length && k < timing.tokens.length; ++k) {
      ck += tokens[k].length;
      while (j < s.deltas.length && sj < ck) {
        j += 1;
        if (j < s.deltas.length) sj += s.deltas[j].content.length;
      }
      if (j >= s.deltas.length) break;  // never delivered
      tokensDelivered += 1;
      const written = timing.tokens[k].writtenAtMs;
      if (s.firstByteAt === null || written < s.firstByteAt) { excluded += 1; continue; }
      latencies.push(s.deltas[j].at - written);
    }
  }
  latencies.sort((a, b) => a - b);
  const out = {
    concurrency: n,
    completed,
    failed,
    seconds: round(wall, 3),
    tokens_per_s: round(tokensDelivered / wall, 1),
    p50_ms: round(percentile(latencies, 50)),
    p99_ms: round(percentile(latencies, 99)),
    max_ms: round(latencies.length ? latencies[latencies.length - 1] : null),
    min_ms: round(latencies.length ? latencies[0] : null),
    live_only: true,
    live_tokens: latencies.length,
    replayed_tokens_excluded: excluded,
    tokens_delivered: tokensDelivered,
    sse_messages: runs.reduce((a, r) => a + (r.stream?.deltas.length ?? 0), 0),
    mock_requests: requests.length,
    durability: opts.durability,
    model: opts.model,
    load1: round(load1),
  };
  if (timedOut) out.timed_out_after_s = timeoutMs / 1000;
  if (unmatched) out.unmatched_executions = unmatched;
  if (mismatched) out.content_mismatches = mismatched;
  if (errors.size) out.errors = Object.fromEntries([...errors].slice(0, 5));
  return out;
}

// ---------------------------------------------------------------- main

async function main() {
  dataDir = mkdtempSync(path.join(tmpdir(), 'bench_ai-'));
  const [mock, server] = await Promise.all([
    startListening('mock', process.execPath, [opts.mock, '--port', '0']),
    startListening('baley', opts.baley,
                   ['serve', '--data', path.join(dataDir, 'data'), '--port', '0', '--durability', opts.durability]),
  ]);
  mockUrl = mock.url;
  api = server.url.replace('://localhost:', '://127.0.0.1:');
  token = readFileSync(path.join(dataDir, 'data', 'admin-token'), 'utf8').split('\n')[0].trim();
  log(`mock ${mockUrl}, baley ${api} (--durability ${opts.durability}), levels ${opts.levels.join(' ')}`);

  const connection = await expect(201, 'POST', `${api}/api/connections`,
                                  { name: 'bench-mock', type: 'openai', baseUrl: mockUrl, apiKey: 'sk-bench' });
  const flow = await expect(201, 'POST', `${api}/api/flows`, {
    name: 'bench-ai',
    nodes: [
      { id: 'in', type: 'source', data: {} },
      { id: 'ask', type: 'ai-block', data: { connectionId: connection.id, model: opts.model, goal: 'bench' } },
      { id: 'out', type: 'sink', data: {} },
    ],
    edges: [{ id: 'e1', source: 'in', target: 'ask' }, { id: 'e2', source: 'ask', target: 'out' }],
  });

  let status = 0;
  for (const n of opts.levels) {
    const left = deadline - performance.now();
    if (left < 5000) {
      log(`skipping level ${n} and the rest: the ${opts.maxSeconds} s budget is spent`);
      status = 1;
      break;
    }
    const timeoutMs = Math.min(opts.levelTimeout * 1000, left);
    log(`level ${n}: starting (timeout ${Math.round(timeoutMs / 1000)} s, load ${loadavg().map((x) => x.toFixed(2)).join(' ')})`);
    const result = await level(flow.id, n, timeoutMs);
    if (result.tokens_delivered && result.live_tokens < result.tokens_delivered / 2)
      log(`level ${n}: only ${result.live_tokens} of ${result.tokens_delivered} tokens were written after their `
          + 'stream opened (the rest came in the replay): pace the mock, e.g. --model mock-tokens-200-at-50');
    process.stdout.write(`${JSON.stringify(result)}\n`);
    if (result.failed) status = 1;
    await sleep(500);  // let the last connections close
  }
  return status;
}

let code = 1;
try {
  code = await main();
} catch (e) {
  log(`error: ${e?.stack ?? e}`);
  for (const { name, stderr } of children) if (stderr) log(`${name} stderr (tail):\n${stderr}`);
}
await cleanup();
process.exit(code);

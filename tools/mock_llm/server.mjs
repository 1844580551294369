#!/usr/bin/env node
// Mock LLM provider for tests: speaks the OpenAI-compatible chat completions
// wire (POST /v1/chat/completions, streaming SSE or plain JSON) and the
// Anthropic messages wire (POST /v1/messages), and is scripted per request
// through a FIFO queue (POST /_script) or the model name (mock-429, ...).
// Records every LLM request (secrets redacted) and, per streamed token, the
// time it was written, for assertions and latency measurement.
//
// Contract: stdout carries exactly one line, {"msg":"listening","port":N,...},
// once the port is bound; nothing else is written there (a parent that stops
// reading stdout never blocks us). SIGTERM/SIGINT close every connection and
// exit 0. A bad request is a 400 JSON error, never a crash; request bodies are
// capped at 1 MiB (413). Node 20, node:http only, no npm dependencies.
//
// See README.md for the behaviours and curl examples.

import http from 'node:http';
import { performance } from 'node:perf_hooks';

const BODY_LIMIT = 1024 * 1024;
const MAX_RECORDS = 1000;  // recorded requests and timings kept (oldest dropped)

// ---------------------------------------------------------------- arguments

function parseArgs(argv) {
  const out = { port: 0, host: '127.0.0.1', verbose: false };
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) usage(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--port') out.port = Number(next());
    else if (a.startsWith('--port=')) out.port = Number(a.slice(7));
    else if (a === '--host') out.host = next();
    else if (a.startsWith('--host=')) out.host = a.slice(7);
    else if (a === '--verbose') out.verbose = true;
    else if (a === '--help' || a === '-h') usage(null);
    else usage(`unknown argument ${a}`);
  }
  if (!Number.isInteger(out.port) || out.port < 0 || out.port > 65535) usage('bad --port');
  return out;
}

function usage(problem) {
  const text = 'usage: node server.mjs [--port N (0 = any free port)] [--host 127.0.0.1] [--verbose]\n';
  if (problem) {
    process.stderr.write(`mock_llm: ${problem}\n${text}`);
    process.exit(2);
  }
  process.stdout.write(text);
  process.exit(0);
}

const options = parseArgs(process.argv.slice(2));
const log = (...parts) => { if (options.verbose) process.stderr.write(`mock_llm: ${parts.join(' ')}\n`); };

// ---------------------------------------------------------------- state

const state = {
  script: [],    // behaviours, consumed FIFO, one per LLM request
  requests: [],  // recorded LLM requests
  timings: [],   // per LLM request: token write times
  served: 0,     // LLM requests seen, ever (the `index` of records)
};

const nowMs = () => performance.timeOrigin + performance.now();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function pushBounded(list, item) {
  list.push(item);
  if (list.length > MAX_RECORDS) list.splice(0, list.length - MAX_RECORDS);
}

// ---------------------------------------------------------------- behaviours

const BEHAVIOUR_KEYS = new Set([
  'tokens', 'tokensPerSecond', 'text', 'json', 'toolCall', 'toolCalls',
  'status', 'retryAfter', 'retryAfterMs', 'errorType', 'errorMessage', 'headers',
  'stall', 'stallBeforeHeadersMs', 'stallAfterTokens', 'cutAfterTokens',
  'streamError', 'stopReason', 'inputTokens', 'raw', 'rawContentType',
  'expectAuthorization', 'expectApiKey', 'comment',
]);

// A problem with a behaviour as text, or null when it is fine.
function checkBehaviour(b, where) {
  if (b === null || typeof b !== 'object' || Array.isArray(b)) return `${where}: a behaviour is a JSON object`;
  for (const k of Object.keys(b))
    if (!BEHAVIOUR_KEYS.has(k)) return `${where}: unknown behaviour key "${k}"`;
  const nonNegInt = (k) => b[k] === undefined || (Number.isInteger(b[k]) && b[k] >= 0);
  for (const k of ['tokens', 'stallBeforeHeadersMs', 'stallAfterTokens', 'cutAfterTokens', 'inputTokens'])
    if (!nonNegInt(k)) return `${where}: "${k}" must be a non-negative integer`;
  if (b.tokensPerSecond !== undefined && !(typeof b.tokensPerSecond === 'number' && b.tokensPerSecond >= 0))
    return `${where}: "tokensPerSecond" must be a number >= 0`;
  if (b.status !== undefined && !(Number.isInteger(b.status) && b.status >= 200 && b.status <= 599))
    return `${where}: "status" must be an HTTP status`;
  for (const k of ['text', 'raw', 'rawContentType', 'errorType', 'errorMessage', 'stopReason',
                   'expectAuthorization', 'expectApiKey'])
    if (b[k] !== undefined && typeof b[k] !== 'string') return `${where}: "${k}" must be a string`;
  if (b.retryAfter !== undefined && !['string', 'number'].includes(typeof b.retryAfter))
    return `${where}: "retryAfter" must be a string or number`;
  if (b.retryAfterMs !== undefined && !['string', 'number'].includes(typeof b.retryAfterMs))
    return `${where}: "retryAfterMs" must be a string or number`;
  if (b.headers !== undefined && (typeof b.headers !== 'object' || b.headers === null || Array.isArray(b.headers)))
    return `${where}: "headers" must be an object`;
  const calls = b.toolCalls ?? (b.toolCall !== undefined ? [b.toolCall] : []);
  if (!Array.isArray(calls)) return `${where}: "toolCalls" must be an array`;
  for (const c of calls)
    if (c === null || typeof c !== 'object' || typeof c.name !== 'string')
      return `${where}: a tool call is {"name": "...", "arguments": {...}}`;
  if (b.streamError !== undefined) {
    const e = b.streamError;
    if (e === null || typeof e !== 'object') return `${where}: "streamError" is {"type", "message"}`;
    if (e.afterTokens !== undefined && !(Number.isInteger(e.afterTokens) && e.afterTokens >= 0))
      return `${where}: "streamError.afterTokens" must be a non-negative integer`;
  }
  return null;
}

// Quick behaviours named by the model, used when the script queue is empty.
function behaviourFromModel(model) {
  if (typeof model !== 'string' || !model.startsWith('mock-')) return null;
  let m;
  if ((m = /^mock-tokens-(\d+)(?:-at-(\d+(?:\.\d+)?))?$/.exec(model)))
    return { tokens: Number(m[1]), tokensPerSecond: m[2] ? Number(m[2]) : 0 };
  if (model === 'mock-429') return { status: 429, retryAfter: '1' };
  if ((m = /^mock-429-retry-(\d+)$/.exec(model))) return { status: 429, retryAfter: m[1] };
  if ((m = /^mock-(\d{3})$/.exec(model))) return { status: Number(m[1]) };
  if (model === 'mock-stall') return { stall: true };
  if ((m = /^mock-stall-after-(\d+)$/.exec(model))) return { stallAfterTokens: Number(m[1]) };
  if ((m = /^mock-cut-after-(\d+)$/.exec(model))) return { cutAfterTokens: Number(m[1]) };
  if (model === 'mock-invalid-json') return { text: '{"answer": "this is not valid json' };
  if (model === 'mock-tool-call') return { toolCall: { name: 'lookup', arguments: { query: 'mock' } } };
  if (model === 'mock-overloaded')
    return { streamError: { type: 'overloaded_error', message: 'Overloaded (mock)' } };
  return null;
}

// ---------------------------------------------------------------- wire helpers

const ERROR_TYPES = {
  openai: {
    400: 'invalid_request_error', 401: 'authentication_error', 403: 'permission_error',
    404: 'not_found_error', 413: 'invalid_request_error', 429: 'rate_limit_exceeded',
  },
  anthropic: {
    400: 'invalid_request_error', 401: 'authentication_error', 403: 'permission_error',
    404: 'not_found_error', 413: 'request_too_large', 429: 'rate_limit_error', 529: 'overloaded_error',
  },
};

function errorType(wire, status) {
  return ERROR_TYPES[wire][status] ?? (status >= 500 ? (wire === 'openai' ? 'server_error' : 'api_error')
                                                     : 'invalid_request_error');
}

// An error body in the provider's own format.
function errorBody(wire, status, message, type) {
  type = type ?? errorType(wire, status);
  if (wire === 'anthropic') return { type: 'error', error: { type, message } };
  return { error: { message, type, param: null, code: status === 429 ? 'rate_limit_exceeded' : null } };
}

function sendJson(res, status, value, headers = {}) {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(value);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

// The text of an OpenAI/Anthropic message content: a string, or the text
// parts of an array of content blocks.
function contentText(content) {
  if (typeof content === 'string') return content;
  if (Array.isArray(content))
    return content
      .map((p) => (p && typeof p === 'object' && typeof p.text === 'string' ? p.text : ''))
      .filter((t) => t !== '')
      .join(' ');
  return '';
}

const wordCount = (text) => (text.match(/\S+/g) ?? []).length;

// Splits text into word tokens whose concatenation is the text (trailing
// whitespace stays on the last token, leading whitespace is dropped).
function wordTokens(text) {
  const pieces = text.match(/\s*\S+/g) ?? [];
  if (pieces.length === 0) return [];
  pieces[0] = pieces[0].trimStart();
  const tail = /\s+$/.exec(text);
  if (tail) pieces[pieces.length - 1] += tail[0];
  return pieces;
}

// Fixed-size pieces, for text without whitespace (JSON, tool arguments).
function chunks(text, size) {
  const out = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

// Exactly n tokens cycling through `words` (bare words, no whitespace).
function cycleTokens(words, n) {
  const out = [];
  for (let i = 0; i < n; ++i) {
    const w = words.length ? words[i % words.length] : `t${i}`;
    out.push(i === 0 ? w : ` ${w}`);
  }
  return out;
}

// ---------------------------------------------------------------- the plan of a reply

// What the reply says, from the request and the behaviour: text tokens, tool
// calls (with argument fragments), stop reason, usage.
function planReply(wire, body, b, index) {
  const messages = Array.isArray(body.messages) ? body.messages : [];
  let inputWords = messages.reduce((n, m) => n + wordCount(contentText(m?.content)), 0);
  if (wire === 'anthropic' && body.system !== undefined) inputWords += wordCount(contentText(body.system));

  let tokens;
  const minTokens = Math.max(
    b.cutAfterTokens !== undefined ? b.cutAfterTokens + 1 : 0,
    b.stallAfterTokens !== undefined ? b.stallAfterTokens + 1 : 0,
    b.streamError?.afterTokens ?? 0);
  if (b.json !== undefined) {
    tokens = chunks(JSON.stringify(b.json), 8);
  } else {
    let text;
    if (b.text !== undefined) text = b.text;
    else if (b.toolCall !== undefined || b.toolCalls !== undefined) text = '';
    else {
      const lastUser = [...messages].reverse().find((m) => m && m.role === 'user');
      text = lastUser ? contentText(lastUser.content) : '';
    }
    tokens = wordTokens(text);
    let want = b.tokens;
    if (want === undefined && tokens.length < minTokens) want = minTokens;
    if (want !== undefined && want !== tokens.length)
      tokens = cycleTokens(tokens.map((t) => t.trim()), want);
  }

  let stopped = false;
  const maxTokens = body.max_completion_tokens ?? body.max_tokens;
  if (Number.isInteger(maxTokens) && maxTokens >= 0 && tokens.length > maxTokens) {
    tokens = tokens.slice(0, maxTokens);
    stopped = true;
  }

  const callSpecs = b.toolCalls ?? (b.toolCall !== undefined ? [b.toolCall] : []);
  const toolCalls = callSpecs.map((c, i) => {
    const args = typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments ?? {});
    const size = Math.max(1, Math.min(8, Math.ceil(args.length / 3)));
    return {
      id: c.id ?? (wire === 'anthropic' ? `toolu_mock_${index}_${i}` : `call_mock_${index}_${i}`),
      name: c.name,
      arguments: args,
      fragments: args.length ? chunks(args, size) : [''],
    };
  });

  let stopReason = b.stopReason;
  if (stopReason === undefined) {
    if (wire === 'openai') stopReason = stopped ? 'length' : toolCalls.length ? 'tool_calls' : 'stop';
    else stopReason = stopped ? 'max_tokens' : toolCalls.length ? 'tool_use' : 'end_turn';
  }
  const toolTokens = toolCalls.reduce((n, c) => n + c.fragments.length, 0);
  return {
    tokens,
    toolCalls,
    stopReason,
    inputTokens: b.inputTokens ?? inputWords,
    outputTokens: tokens.length + toolTokens,
  };
}

// ---------------------------------------------------------------- streaming

// One streamed response: writes with backpressure, notices the client going
// away, counts token writes (for cut/stall/timings).
class stream_writer {
  constructor(req, res, timing, b) {
    this.res = res;
    this.timing = timing;
    this.b = b;
    this.closed = false;
    this.tokenIndex = 0;
    this.waiters = new Set();
    this.interval = b.tokensPerSecond > 0 ? 1000 / b.tokensPerSecond : 0;
    this.started = 0;
    res.on('close', () => {
      this.closed = true;
      for (const w of this.waiters) w();
      this.waiters.clear();
    });
  }

  // Resolves on `event` of the response or when the client goes away.
  wait(event) {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => { this.waiters.delete(done); resolve(); };
      this.waiters.add(done);
      if (event) this.res.once(event, done);
    });
  }

  async sleep(ms) {
    if (this.closed || ms <= 0) return;
    let timer;
    await Promise.race([new Promise((r) => { timer = setTimeout(r, ms); }), this.wait(null)]);
    clearTimeout(timer);
  }

  async write(text) {
    if (this.closed) return false;
    const ok = this.res.write(text);
    if (!ok) await this.wait('drain');
    return !this.closed;
  }

  // A token's chunk: paced, cut or stalled per the behaviour, its write time
  // recorded. False when the stream must not go on.
  async token(text) {
    if (this.closed) return false;
    const index = this.tokenIndex;
    if (this.b.cutAfterTokens !== undefined && index >= this.b.cutAfterTokens) {
      await this.cut();
      return false;
    }
    if (this.b.stallAfterTokens !== undefined && index >= this.b.stallAfterTokens) {
      await this.stall();
      return false;
    }
    if (this.interval > 0) {
      if (index === 0) this.started = performance.now();
      else await this.sleep(this.started + index * this.interval - performance.now());
      if (this.closed) return false;
    }
    this.tokenIndex += 1;
    this.timing.tokens.push({ index, writtenAtMs: nowMs() });
    return this.write(text);
  }

  // Destroys the socket once what was written reached the kernel.
  async cut() {
    if (this.closed) return;
    // writableLength counts bytes not yet taken by the kernel; 'drain' only
    // fires after a full buffer, so poll (for at most 2 s).
    const deadline = performance.now() + 2000;
    while (!this.closed && this.res.socket && this.res.socket.writableLength > 0 && performance.now() < deadline)
      await sleep(2);
    log('cutting the connection after', this.tokenIndex, 'tokens');
    this.res.socket?.destroy();
    this.res.destroy();
  }

  // Nothing more until the client goes away.
  async stall() {
    log('stalling after', this.tokenIndex, 'tokens');
    await this.wait(null);
  }

  end() {
    if (!this.closed) this.res.end();
  }
}

function streamHeaders(req, extra) {
  return {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    ...extra,
  };
}

async function streamOpenAI(w, body, plan, b) {
  const id = `chatcmpl-mock-${w.timing.request}`;
  const created = Math.floor(Date.now() / 1000);
  const model = body.model;
  const chunk = (delta, finish = null, extra = {}) =>
    `data: ${JSON.stringify({
      id, object: 'chat.completion.chunk', created, model, system_fingerprint: null,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...extra,
    })}\n\n`;

  const errAfter = b.streamError ? (b.streamError.afterTokens ?? 0) : Infinity;
  const streamError = async () => {
    const e = b.streamError;
    await w.write(`data: ${JSON.stringify({
      error: { message: e.message ?? 'mock stream error', type: e.type ?? 'server_error', param: null, code: e.code ?? null },
    })}\n\n`);
    w.end();
  };

  if (!(await w.write(chunk({ role: 'assistant', content: plan.toolCalls.length && !plan.tokens.length ? null : '' }))))
    return;
  for (const t of plan.tokens) {
    if (w.tokenIndex >= errAfter) return streamError();
    if (!(await w.token(chunk({ content: t })))) return;
  }
  for (let i = 0; i < plan.toolCalls.length; ++i) {
    const c = plan.toolCalls[i];
    for (let f = 0; f < c.fragments.length; ++f) {
      if (w.tokenIndex >= errAfter) return streamError();
      const call = f === 0
        ? { index: i, id: c.id, type: 'function', function: { name: c.name, arguments: c.fragments[0] } }
        : { index: i, function: { arguments: c.fragments[f] } };
      if (!(await w.token(chunk({ tool_calls: [call] })))) return;
    }
  }
  if (b.streamError) return streamError();
  if (!(await w.write(chunk({}, plan.stopReason)))) return;
  if (body.stream_options?.include_usage === true) {
    const usage = {
      prompt_tokens: plan.inputTokens,
      completion_tokens: w.tokenIndex,
      total_tokens: plan.inputTokens + w.tokenIndex,
    };
    const line = { id, object: 'chat.completion.chunk', created, model, system_fingerprint: null, choices: [], usage };
    if (!(await w.write(`data: ${JSON.stringify(line)}\n\n`))) return;
  }
  await w.write('data: [DONE]\n\n');
  w.end();
}

async function streamAnthropic(w, body, plan, b) {
  const ev = (type, data) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
  const errAfter = b.streamError ? (b.streamError.afterTokens ?? 0) : Infinity;
  const streamError = async () => {
    const e = b.streamError;
    await w.write(ev('error', { error: { type: e.type ?? 'api_error', message: e.message ?? 'mock stream error' } }));
    w.end();
  };

  const message = {
    id: `msg_mock_${w.timing.request}`, type: 'message', role: 'assistant', model: body.model,
    content: [], stop_reason: null, stop_sequence: null,
    usage: { input_tokens: plan.inputTokens, output_tokens: 1 },
  };
  if (!(await w.write(ev('message_start', { message })))) return;
  if (!(await w.write(ev('ping', {})))) return;

  let block = 0;
  let sincePing = 0;
  const ping = async () => {
    if (++sincePing < 25) return true;
    sincePing = 0;
    return w.write(ev('ping', {}));
  };

  if (plan.tokens.length || !plan.toolCalls.length) {
    if (w.tokenIndex >= errAfter) return streamError();
    if (!(await w.write(ev('content_block_start', { index: block, content_block: { type: 'text', text: '' } })))) return;
    for (const t of plan.tokens) {
      if (w.tokenIndex >= errAfter) return streamError();
      if (!(await w.token(ev('content_block_delta', { index: block, delta: { type: 'text_delta', text: t } })))) return;
      if (!(await ping())) return;
    }
    if (w.tokenIndex >= errAfter) return streamError();
    if (!(await w.write(ev('content_block_stop', { index: block })))) return;
    block += 1;
  }
  for (const c of plan.toolCalls) {
    if (w.tokenIndex >= errAfter) return streamError();
    const start = { index: block, content_block: { type: 'tool_use', id: c.id, name: c.name, input: {} } };
    if (!(await w.write(ev('content_block_start', start)))) return;
    for (const f of c.fragments) {
      if (w.tokenIndex >= errAfter) return streamError();
      const delta = { index: block, delta: { type: 'input_json_delta', partial_json: f } };
      if (!(await w.token(ev('content_block_delta', delta)))) return;
    }
    if (!(await w.write(ev('content_block_stop', { index: block })))) return;
    block += 1;
  }
  if (b.streamError) return streamError();
  const delta = { delta: { stop_reason: plan.stopReason, stop_sequence: null }, usage: { output_tokens: w.tokenIndex } };
  if (!(await w.write(ev('message_delta', delta)))) return;
  await w.write(ev('message_stop', {}));
  w.end();
}

// ---------------------------------------------------------------- non-streaming

function completeOpenAI(body, plan, index) {
  const text = plan.tokens.join('');
  const message = { role: 'assistant', content: plan.toolCalls.length && !text ? null : text, refusal: null };
  if (plan.toolCalls.length)
    message.tool_calls = plan.toolCalls.map((c) => ({
      id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments },
    }));
  const outputTokens = plan.outputTokens;
  return {
    id: `chatcmpl-mock-${index}`, object: 'chat.completion', created: Math.floor(Date.now() / 1000),
    model: body.model, system_fingerprint: null,
    choices: [{ index: 0, message, logprobs: null, finish_reason: plan.stopReason }],
    usage: { prompt_tokens: plan.inputTokens, completion_tokens: outputTokens, total_tokens: plan.inputTokens + outputTokens },
  };
}

function completeAnthropic(body, plan, index) {
  const content = [];
  if (plan.tokens.length || !plan.toolCalls.length) content.push({ type: 'text', text: plan.tokens.join('') });
  for (const c of plan.toolCalls) {
    let input;
    try { input = JSON.parse(c.arguments); } catch { input = c.arguments; }
    content.push({ type: 'tool_use', id: c.id, name: c.name, input });
  }
  return {
    id: `msg_mock_${index}`, type: 'message', role: 'assistant', model: body.model, content,
    stop_reason: plan.stopReason, stop_sequence: null,
    usage: { input_tokens: plan.inputTokens, output_tokens: plan.outputTokens },
  };
}

// ---------------------------------------------------------------- LLM requests

const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'x-api-key', 'api-key', 'cookie']);

// The request as recorded: headers with secrets replaced, and for the
// Authorization and x-api-key headers only their presence, scheme and whether
// they equal what the behaviour expected.
function recordRequest(index, req, wire, body, bodyError, b, receivedAtMs) {
  const headers = {};
  for (const [k, v] of Object.entries(req.headers)) headers[k] = SECRET_HEADERS.has(k) ? '[redacted]' : v;
  const authorization = req.headers.authorization;
  const apiKey = req.headers['x-api-key'];
  const record = {
    index,
    wire,
    method: req.method,
    path: req.url,
    receivedAtMs,
    headers,
    hasAuthorization: authorization !== undefined,
    authorization: {
      present: authorization !== undefined,
      scheme: authorization !== undefined ? (authorization.split(' ')[0] || null) : null,
      matches: b?.expectAuthorization !== undefined ? authorization === b.expectAuthorization : null,
    },
    apiKey: {
      present: apiKey !== undefined,
      matches: b?.expectApiKey !== undefined ? apiKey === b.expectApiKey : null,
    },
    body,
  };
  if (bodyError) record.bodyError = bodyError;
  if (b) {
    const shown = { ...b };
    if (shown.expectAuthorization !== undefined) shown.expectAuthorization = '[redacted]';
    if (shown.expectApiKey !== undefined) shown.expectApiKey = '[redacted]';
    record.behaviour = shown;
  }
  pushBounded(state.requests, record);
  return record;
}

function validateLlmBody(wire, body) {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return 'the body must be a JSON object';
  if (typeof body.model !== 'string' || body.model === '') return 'model: a non-empty string is required';
  if (!Array.isArray(body.messages)) return 'messages: an array is required';
  for (const m of body.messages)
    if (m === null || typeof m !== 'object' || typeof m.role !== 'string') return 'messages: each message needs a role';
  if (body.stream !== undefined && typeof body.stream !== 'boolean') return 'stream: must be a boolean';
  if (wire === 'anthropic' && !Number.isInteger(body.max_tokens)) return 'max_tokens: Field required';
  return null;
}

async function handleLlm(req, res, wire, rawBody) {
  const receivedAtMs = nowMs();
  let body = null;
  let bodyError = null;
  try {
    body = JSON.parse(rawBody.toString('utf8'));
  } catch (e) {
    bodyError = `invalid JSON: ${e.message}`;
  }
  if (!bodyError) bodyError = validateLlmBody(wire, body);
  if (bodyError) {
    recordRequest(state.served++, req, wire, body, bodyError, null, receivedAtMs);
    return sendJson(res, 400, errorBody(wire, 400, bodyError));
  }

  const b = state.script.length ? state.script.shift() : (behaviourFromModel(body.model) ?? {});
  const record = recordRequest(state.served++, req, wire, body, null, b, receivedAtMs);
  const timing = { request: record.index, wire, path: req.url, model: body.model, stream: body.stream === true, tokens: [] };
  pushBounded(state.timings, timing);
  log(req.method, req.url, 'model', body.model, 'behaviour', JSON.stringify(record.behaviour));

  const extra = { 'x-request-id': `req_mock_${record.index}`, ...(b.headers ?? {}) };
  if (b.retryAfter !== undefined) extra['retry-after'] = String(b.retryAfter);
  if (b.retryAfterMs !== undefined) extra['retry-after-ms'] = String(b.retryAfterMs);

  const w = new stream_writer(req, res, timing, b);
  if (b.stallBeforeHeadersMs) {
    await w.sleep(b.stallBeforeHeadersMs);
    if (w.closed) return;
  }

  if (b.status !== undefined && b.status >= 300) {
    const message = b.errorMessage ?? `mock ${b.status} (${http.STATUS_CODES[b.status] ?? 'error'})`;
    return sendJson(res, b.status, errorBody(wire, b.status, message, b.errorType), extra);
  }
  if (b.raw !== undefined) {
    res.writeHead(b.status ?? 200, { 'content-type': b.rawContentType ?? 'text/event-stream', ...extra });
    return res.end(b.raw);
  }

  const plan = planReply(wire, body, b, record.index);
  const stream = body.stream === true;

  if (b.stall) {
    res.writeHead(200, stream ? streamHeaders(req, extra) : { 'content-type': 'application/json', ...extra });
    res.flushHeaders();
    return w.stall();
  }

  if (!stream) {
    if (b.streamError) {
      const e = b.streamError;
      const type = e.type ?? (wire === 'openai' ? 'server_error' : 'api_error');
      const status = type === 'overloaded_error' ? 529 : type === 'rate_limit_error' ? 429 : 500;
      return sendJson(res, status, errorBody(wire, status, e.message ?? 'mock error', type), extra);
    }
    const reply = wire === 'openai' ? completeOpenAI(body, plan, record.index) : completeAnthropic(body, plan, record.index);
    const text = JSON.stringify(reply);
    if (b.cutAfterTokens !== undefined || b.stallAfterTokens !== undefined) {
      // Half the body, then the cut (or silence).
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...extra });
      await w.write(text.slice(0, Math.floor(text.length / 2)));
      return b.cutAfterTokens !== undefined ? w.cut() : w.stall();
    }
    return sendJson(res, b.status ?? 200, reply, extra);
  }

  res.writeHead(b.status ?? 200, streamHeaders(req, extra));
  res.flushHeaders();
  if (wire === 'openai') await streamOpenAI(w, body, plan, b);
  else await streamAnthropic(w, body, plan, b);
}

// ---------------------------------------------------------------- control endpoints

function handleControl(req, res, path, rawBody) {
  if (path === '/_script') {
    if (req.method === 'GET') return sendJson(res, 200, state.script);
    if (req.method === 'DELETE') {
      state.script = [];
      return sendJson(res, 200, { queued: 0 });
    }
    if (req.method === 'POST') {
      let value;
      try {
        value = JSON.parse(rawBody.toString('utf8'));
      } catch (e) {
        return sendJson(res, 400, { error: `invalid JSON: ${e.message}` });
      }
      const list = Array.isArray(value) ? value : [value];
      for (let i = 0; i < list.length; ++i) {
        const problem = checkBehaviour(list[i], `behaviour ${i}`);
        if (problem) return sendJson(res, 400, { error: problem });
      }
      state.script.push(...list);
      return sendJson(res, 200, { queued: state.script.length });
    }
  } else if (path === '/_requests') {
    if (req.method === 'GET') return sendJson(res, 200, state.requests);
    if (req.method === 'DELETE') {
      state.requests = [];
      return sendJson(res, 200, { cleared: true });
    }
  } else if (path === '/_timings') {
    if (req.method === 'GET') return sendJson(res, 200, state.timings);
    if (req.method === 'DELETE') {
      state.timings = [];
      return sendJson(res, 200, { cleared: true });
    }
  } else if (path === '/_reset') {
    if (req.method === 'POST') {
      state.script = [];
      state.requests = [];
      state.timings = [];
      return sendJson(res, 200, { reset: true });
    }
  } else if (path === '/_health') {
    if (req.method === 'GET') return sendJson(res, 200, { ok: true, queued: state.script.length, served: state.served });
  } else {
    return sendJson(res, 404, { error: `no such path: ${path}` });
  }
  return sendJson(res, 405, { error: `${req.method} not allowed on ${path}` });
}

function wireOf(path) {
  if (path === '/v1/chat/completions' || path === '/chat/completions') return 'openai';
  if (path === '/v1/messages' || path === '/messages') return 'anthropic';
  return null;
}

// Reads the body up to BODY_LIMIT; null after answering 413.
function readBody(req, res, wire) {
  return new Promise((resolve) => {
    const tooLarge = () => {
      const body = wire ? errorBody(wire, 413, 'request body exceeds 1 MiB') : { error: 'request body exceeds 1 MiB' };
      sendJson(res, 413, body, { connection: 'close' });
      res.on('finish', () => setTimeout(() => req.socket?.destroy(), 100));
      req.resume();
      resolve(null);
    };
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > BODY_LIMIT) return tooLarge();
    const parts = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk) => {
      if (done) return;
      size += chunk.length;
      if (size > BODY_LIMIT) {
        done = true;
        return tooLarge();
      }
      parts.push(chunk);
    });
    req.on('end', () => { if (!done) { done = true; resolve(Buffer.concat(parts)); } });
    req.on('error', () => { if (!done) { done = true; resolve(null); } });
    req.on('close', () => { if (!done) { done = true; resolve(null); } });
  });
}

async function handle(req, res) {
  const path = (req.url ?? '/').split('?')[0];
  const wire = wireOf(path);
  if (wire && req.method !== 'POST')
    return sendJson(res, 405, errorBody(wire, 405, `${req.method} not allowed on ${path}`), { allow: 'POST' });
  if (!wire && path === '/v1/models' && req.method === 'GET')
    return sendJson(res, 200, { object: 'list', data: [{ id: 'mock', object: 'model', owned_by: 'mock_llm' }] });
  const rawBody = await readBody(req, res, wire);
  if (rawBody === null) return;
  if (wire) return handleLlm(req, res, wire, rawBody);
  return handleControl(req, res, path, rawBody);
}

// ---------------------------------------------------------------- server

const sockets = new Set();
const server = http.createServer({ noDelay: true, keepAliveTimeout: 5000 }, (req, res) => {
  handle(req, res).catch((e) => {
    process.stderr.write(`mock_llm: handler error: ${e?.stack ?? e}\n`);
    if (!res.headersSent) sendJson(res, 500, { error: 'mock server error' });
    else res.destroy();
  });
});
server.on('connection', (socket) => {
  socket.setNoDelay(true);
  sockets.add(socket);
  socket.on('close', () => sockets.delete(socket));
});
server.on('clientError', (err, socket) => {
  if (socket.writable && !socket.destroyed) {
    const text = JSON.stringify({ error: `bad request: ${err.code ?? err.message}` });
    socket.end(`HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`);
  } else {
    socket.destroy();
  }
});
server.on('error', (e) => {
  process.stderr.write(`mock_llm: ${e.message}\n`);
  process.exit(1);
});
process.on('uncaughtException', (e) => process.stderr.write(`mock_llm: uncaught: ${e?.stack ?? e}\n`));
process.on('unhandledRejection', (e) => process.stderr.write(`mock_llm: unhandled: ${e?.stack ?? e}\n`));

function shutdown() {
  server.close();
  for (const s of sockets) s.destroy();
  process.exit(0);
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

server.listen(options.port, options.host, () => {
  const { port } = server.address();
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  process.stdout.write(`${JSON.stringify({ msg: 'listening', port, url: `http://${host}:${port}` })}\n`);
});

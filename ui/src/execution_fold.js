// An execution as its events make it: the same fold for a live stream and a
// replay. Pure (no DOM), so it can be tested and, later, moved to a worker.
// A node run is keyed by nodeId and, inside a loop, its iteration.

export function emptyExecution() {
  return { lastIndex: -1, status: 'pending', flowId: null, input: null, output: null,
           error: null, errorNode: null, startedAt: null, completedAt: null, metrics: null,
           nodes: new Map() };
}

export const keyOf = (e) => (e.iteration == null ? e.nodeId : `${e.nodeId}#${e.iteration}`);

function nodeOf(x, e) {
  const key = keyOf(e);
  let n = x.nodes.get(key);
  if (!n) {
    n = { key, nodeId: e.nodeId, iteration: e.iteration ?? null, status: 'pending', attempts: 0,
          startedAt: null, completedAt: null, durationMs: null, input: null, output: null,
          error: null, code: null, text: '', tools: [], retries: [], skipped: null, fallback: null,
          model: null, tokens: null, cost: null, ttftMs: null, tokensPerSecond: null };
    x.nodes.set(key, n);
  }
  return n;
}

// Folds one {index, event} into `x` (changed in place); an index at or
// below the last one folded is ignored, so a resumed stream never counts an
// event twice.
export function foldEvent(x, { index, event: e }) {
  if (index <= x.lastIndex) return false;
  x.lastIndex = index;
  switch (e.type) {
    case 'execution_start':
      Object.assign(x, { status: 'running', flowId: e.flowId, input: e.input, startedAt: e.ts });
      break;
    // The two events of every node run set their fields one by one: with a
    // hundred thousand events, a temporary object each shows in the profile.
    case 'node_start': {
      const n = nodeOf(x, e);
      n.status = e.deadline ? 'waiting' : 'running';
      n.attempts += 1;
      n.startedAt ??= e.ts;
      n.input = e.input;
      n.error = null;
      n.code = null;
      if (n.attempts > 1) n.text = '';
      break;
    }
    case 'node_stream': {
      const n = nodeOf(x, e);
      const s = e.event ?? {};
      if (s.type === 'text_delta') n.text += s.content ?? '';
      else if (s.type === 'tool_call' || s.type === 'tool_result') n.tools.push(s);
      break;
    }
    case 'node_complete': {
      const n = nodeOf(x, e);
      n.status = 'completed';
      n.completedAt = e.ts;
      n.output = e.output;
      n.durationMs = e.durationMs;
      n.model = e.model ?? null;
      n.tokens = e.tokens ?? null;
      n.cost = e.cost ?? null;
      n.ttftMs = e.ttftMs ?? null;
      n.tokensPerSecond = e.tokensPerSecond ?? null;
      break;
    }
    case 'node_error':
      Object.assign(nodeOf(x, e), { status: e.retryable ? 'retrying' : 'failed', completedAt: e.ts,
                                    error: e.error, code: e.code ?? null });
      break;
    case 'node_retry':
      nodeOf(x, e).retries.push({ attempt: e.attempt, delayMs: e.delayMs, error: e.error, at: e.ts });
      nodeOf(x, e).status = 'retrying';
      break;
    case 'node_skipped':
      Object.assign(nodeOf(x, e), { status: 'skipped', skipped: e.reason });
      break;
    case 'node_fallback':
      nodeOf(x, e).fallback = { from: e.from, to: e.to };
      break;
    case 'execution_complete':
      Object.assign(x, { status: 'completed', output: e.output, metrics: e.metrics, completedAt: e.ts });
      break;
    case 'execution_error':
      Object.assign(x, { status: 'failed', error: e.error, errorNode: e.nodeId ?? null, completedAt: e.ts });
      break;
    case 'execution_cancelled':
      Object.assign(x, { status: 'cancelled', error: e.reason ?? null, completedAt: e.ts });
      for (const n of x.nodes.values())
        if (n.status === 'running' || n.status === 'waiting' || n.status === 'retrying') n.status = 'cancelled';
      break;
    default:
      break;
  }
  return true;
}

export const isTerminal = (status) => status === 'completed' || status === 'failed' || status === 'cancelled';

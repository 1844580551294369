// One execution, live: its events arrive over its SSE stream (a finished one
// replays the same way) and are folded into nodes on a shared time axis; the
// running node is highlighted and an ai-block's text grows token by token.
// EventSource resumes from its last id after a drop, and the fold ignores an
// index it has seen, so no token is missing or shown twice.
import { useEffect, useState } from 'preact/hooks';
import { html } from '../html.js';
import { post } from '../api.js';
import { navigate, route } from '../router.js';
import { cost, count, duration, time } from '../format.js';
import { isTerminal } from '../execution_fold.js';
import { useExecutionStream } from '../execution_stream.js';
import { ToolCalls } from '../tool_calls.js';
import { JsonView } from '../json_view.js';
import { StatusBadge } from '../status.js';

function Timeline({ x, open, now }) {
  const nodes = [...x.nodes.values()];
  const start = x.startedAt ? Date.parse(x.startedAt) : now;
  const end = x.completedAt ? Date.parse(x.completedAt) : now;
  const span = Math.max(end - start, 1);
  const place = (n) => {
    const from = n.startedAt ? Date.parse(n.startedAt) : end;
    const to = n.completedAt ? Date.parse(n.completedAt) : (isTerminal(x.status) ? end : now);
    return { left: `${(100 * (from - start)) / span}%`, width: `${Math.max((100 * (to - from)) / span, 0.5)}%` };
  };
  return html`
    <ol class="timeline" aria-label="Nodes">
      ${nodes.map((n) => html`
        <li key=${n.key} class=${`node ${n.status}${n.key === open ? ' open' : ''}${x.errorNode === n.nodeId ? ' errored' : ''}`}
            data-node=${n.key} data-status=${n.status}>
          <a class="node-name" href=${`?node=${encodeURIComponent(n.key)}`}>${n.key}</a>
          <span class="track"><span class="span" style=${place(n)}></span></span>
          <${StatusBadge} status=${n.status} />
          <span class="num">${n.attempts > 1 ? `${n.attempts} attempts` : ''}</span>
          <span class="num">${duration(n.durationMs ?? (n.startedAt ? (n.completedAt ? Date.parse(n.completedAt) : now) - Date.parse(n.startedAt) : null))}</span>
        </li>`)}
    </ol>`;
}

function NodeCard({ n }) {
  if (!n) return null;
  return html`
    <section class="card" aria-label=${`Node ${n.key}`}>
      <h2>${n.key} <${StatusBadge} status=${n.status} /></h2>
      ${n.error && html`<p class="problem">${n.code ? html`<code>${n.code}</code> ` : ''}${n.error}</p>`}
      ${n.model && html`<p class="facts">
        <span>model <b>${n.model}</b></span>
        <span>tokens <b>${count(n.tokens?.input)} in / ${count(n.tokens?.output)} out</b></span>
        <span>cost <b>${cost(n.cost)}</b></span>
        <span>TTFT <b>${duration(n.ttftMs)}</b></span>
        <span>tokens/s <b>${n.tokensPerSecond == null ? '–' : n.tokensPerSecond.toFixed(1)}</b></span></p>`}
      ${n.retries.map((r) => html`<p class="muted">retry ${r.attempt} after ${duration(r.delayMs)}: ${r.error}</p>`)}
      <${ToolCalls} tools=${n.tools} />
      <h3>Input</h3><${JsonView} value=${n.input} name=${`${n.key}-input`} />
      <h3>Output</h3><${JsonView} value=${n.output ?? undefined} name=${`${n.key}-output`} />
    </section>`;
}

export function Execution({ id }) {
  const { x, connection, missing } = useExecutionStream(id);
  const [now, setNow] = useState(Date.now());
  const [problem, setProblem] = useState('');
  const open = route.value.query.get('node');

  useEffect(() => {
    if (isTerminal(x.status)) return undefined;
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, [x.status]);

  if (missing) return html`<section><h1>Execution not found</h1><p><a href="/executions">All executions</a></p></section>`;

  const nodes = [...x.nodes.values()];
  const active = nodes.filter((n) => n.status === 'running' || n.status === 'waiting' || n.status === 'retrying');
  const tokens = nodes.reduce((s, n) => s + (n.tokens ? (n.tokens.input ?? 0) + (n.tokens.output ?? 0) : 0), 0);
  const spent = nodes.reduce((s, n) => s + (n.cost ?? 0), 0);
  const total = x.startedAt ? (x.completedAt ? Date.parse(x.completedAt) : now) - Date.parse(x.startedAt) : null;
  const streaming = nodes.filter((n) => n.text);

  async function cancel() {
    try { await post(`/api/executions/${id}/cancel`); } catch (err) { setProblem(err.message); }
  }
  async function retry() {
    try {
      const started = await post(`/api/flows/${x.flowId}/execute`, { input: x.input });
      navigate(`/executions/${started.executionId}`);
    } catch (err) { setProblem(err.message); }
  }

  return html`
    <section class="execution" data-status=${x.status}>
      <header class="bar">
        <h1>Execution <code>${id}</code></h1>
        <${StatusBadge} status=${x.status} />
        <span class=${`connection ${connection}`}>${connection}</span>
        ${!isTerminal(x.status) && x.startedAt && html`<button type="button" onClick=${cancel}>Cancel</button>`}
        ${isTerminal(x.status) && x.flowId && html`<button type="button" onClick=${retry}>Retry</button>`}
      </header>
      <p class="facts">
        <span>started <b>${time(x.startedAt)}</b></span>
        <span>duration <b>${duration(total)}</b></span>
        <span>tokens <b>${count(tokens)}</b></span>
        <span>cost <b>${cost(spent)}</b></span>
        <span>active <b class="active-node">${active.map((n) => n.key).join(', ') || '–'}</b></span>
      </p>
      ${problem && html`<p class="problem" role="alert">${problem}</p>`}
      ${x.status === 'failed' && html`<p class="problem execution-error" role="alert">
        ${x.errorNode ? html`Node <b>${x.errorNode}</b>: ` : ''}${x.error}</p>`}
      <${Timeline} x=${x} open=${open} now=${now} />
      ${streaming.map((n) => html`
        <section class="stream" key=${n.key} aria-label=${`Text of ${n.key}`}>
          <h2>${n.key}</h2><pre class="tokens" data-node=${n.key}>${n.text}</pre>
        </section>`)}
      <${NodeCard} n=${open ? x.nodes.get(open) : null} />
    </section>`;
}

// One execution, live: a worker follows its SSE stream (a finished one
// replays the same way) and hands over its nodes, drawn on a shared time
// axis with only the rows on screen rendered; the running node is
// highlighted and an ai-block's text grows token by token. A node card asks
// the worker for the node's values when it opens.
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from '../html.js';
import { post } from '../api.js';
import { navigate, route } from '../router.js';
import { cost, count, duration, time } from '../format.js';
import { isTerminal } from '../execution_fold.js';
import { useExecutionView } from '../execution_view.js';
import { ToolCalls } from '../tool_calls.js';
import { ValuePreview } from '../json_view.js';
import { useVisibleRows } from '../virtual_rows.js';
import { StatusBadge } from '../status.js';

const rowHeight = 30;
const isActive = (n) => n.status === 'running' || n.status === 'waiting' || n.status === 'retrying';

function place(x, n, now) {
  const start = x.startedAt ? Date.parse(x.startedAt) : now;
  const end = x.completedAt ? Date.parse(x.completedAt) : now;
  const span = Math.max(end - start, 1);
  const from = n.startedAt ? Date.parse(n.startedAt) : end;
  const to = n.completedAt ? Date.parse(n.completedAt) : (isTerminal(x.status) ? end : now);
  return { left: `${(100 * (from - start)) / span}%`, width: `${Math.max((100 * (to - from)) / span, 0.5)}%` };
}

function nodeDuration(n, now) {
  if (n.durationMs != null) return n.durationMs;
  if (!n.startedAt) return null;
  return (n.completedAt ? Date.parse(n.completedAt) : now) - Date.parse(n.startedAt);
}

// Every node run on one time axis; only the rows on screen are drawn.
function Timeline({ x, open, now, selected }) {
  const rows = useVisibleRows(x.order.length, rowHeight, selected);
  const shown = x.order.slice(rows.first, rows.last);
  return html`
    <div class="timeline-box" ref=${rows.box} onScroll=${rows.onScroll}>
      <ol class="timeline" aria-label="Nodes" style=${{ paddingTop: `${rows.before}px`, paddingBottom: `${rows.after}px` }}>
        ${shown.map((key, i) => {
          const n = x.nodes.get(key);
          const classes = `node ${n.status}${key === open ? ' open' : ''}${rows.first + i === selected ? ' selected' : ''}`
            + `${x.errorNode === n.nodeId ? ' errored' : ''}`;
          return html`
          <li key=${key} class=${classes} data-node=${key} data-status=${n.status}>
            <a class="node-name" href=${`?node=${encodeURIComponent(key)}`}>${key}</a>
            <span class="track"><span class="span" style=${place(x, n, now)}></span></span>
            <${StatusBadge} status=${n.status} />
            <span class="num">${n.attempts > 1 ? `${n.attempts} attempts` : n.fallback ? `→ ${n.fallback.to}` : ''}</span>
            <span class="num">${duration(nodeDuration(n, now))}</span>
          </li>`;
        })}
      </ol>
    </div>`;
}

// A node's input and output, asked of the worker when the card opens (and
// again when the node changes), shown as previews.
function useNodeValues(ask, n) {
  const [values, setValues] = useState(null);
  useEffect(() => {
    if (!n) return undefined;
    let current = true;
    ask({ type: 'preview', key: n.key }).then((v) => { if (current) setValues(v); });
    return () => { current = false; };
  }, [n?.key, n?.status, n?.attempts]);
  return values;
}

function NodeCard({ n, ask }) {
  const values = useNodeValues(ask, n);
  if (!n) return null;
  const whole = (which) => async () => (await ask({ type: 'blob', key: n.key, which })).blob;
  return html`
    <section class="card" aria-label=${`Node ${n.key}`} data-card=${n.key}>
      <h2>${n.key} <${StatusBadge} status=${n.status} /></h2>
      ${n.error && html`<p class="problem">${n.code ? html`<code>${n.code}</code> ` : ''}${n.error}</p>`}
      ${n.fallback && html`<p class="muted">fell back from ${n.fallback.from} to ${n.fallback.to}</p>`}
      ${n.model && html`<p class="facts">
        <span>model <b>${n.model}</b></span>
        <span>tokens <b>${count(n.tokens?.input)} in / ${count(n.tokens?.output)} out</b></span>
        <span>cost <b>${cost(n.cost)}</b></span>
        <span>TTFT <b>${duration(n.ttftMs)}</b></span>
        <span>tokens/s <b>${n.tokensPerSecond == null ? '–' : n.tokensPerSecond.toFixed(1)}</b></span></p>`}
      ${n.retries.map((r) => html`<p class="muted">retry ${r.attempt} after ${duration(r.delayMs)}: ${r.error}</p>`)}
      <${ToolCalls} tools=${n.tools} />
      <h3>Input</h3>
      ${values ? html`<${ValuePreview} shown=${values.input} whole=${whole('input')} name=${`${n.key}-input`} />`
               : html`<p class="muted">…</p>`}
      <h3>Output</h3>
      ${values ? html`<${ValuePreview} shown=${values.output} whole=${whole('output')} name=${`${n.key}-output`} />`
               : html`<p class="muted">…</p>`}
    </section>`;
}

// The nodes whose text is worth showing: all of them when few have text,
// else the active ones and the open one.
function streamingNodes(x, open) {
  const withText = [];
  for (const key of x.withText) { const n = x.nodes.get(key); if (n.text) withText.push(n); }
  if (withText.length <= 8) return withText;
  return withText.filter((n) => isActive(n) || n.key === open);
}

// j/k move through the nodes, Enter opens the selected one's card. The
// handler reads the selection when the key comes, not when it was attached.
function useNodeKeys(x) {
  const [selected, setSelected] = useState(null);
  const current = useRef(null);
  current.current = selected;
  useEffect(() => {
    function onKey(e) {
      if (!x.order.length || e.target.closest('input, select, textarea, button, a')) return;
      const at = current.current;
      if (e.key === 'Enter' && at != null && x.order[at]) {
        navigate(`?node=${encodeURIComponent(x.order[at])}`);
        return;
      }
      let next;
      if (e.key === 'j') next = Math.min((at ?? -1) + 1, x.order.length - 1);
      else if (e.key === 'k') next = Math.max((at ?? 1) - 1, 0);
      else return;
      current.current = next;
      setSelected(next);
    }
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, [x]);
  return selected;
}

export function Execution({ id }) {
  const { x, connection, missing, ask } = useExecutionView(id);
  const [now, setNow] = useState(Date.now());
  const [problem, setProblem] = useState('');
  const selected = useNodeKeys(x);
  const open = route.value.query.get('node');

  useEffect(() => {
    if (isTerminal(x.status)) return undefined;
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, [x.status]);

  if (missing) return html`<section><h1>Execution not found</h1><p><a href="/executions">All executions</a></p></section>`;

  const { tokens, cost: spent, ttft, rate, active } = x.summary;
  const total = x.startedAt ? (x.completedAt ? Date.parse(x.completedAt) : now) - Date.parse(x.startedAt) : null;
  const streaming = streamingNodes(x, open);

  async function cancel() {
    try { await post(`/api/executions/${id}/cancel`); } catch (err) { setProblem(err.message); }
  }
  async function retry() {
    try {
      const { value: input } = await ask({ type: 'value', key: null, which: 'input' });
      const started = await post(`/api/flows/${x.flowId}/execute`, { input });
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
        <span>TTFT <b>${duration(ttft)}</b></span>
        <span>tokens/s <b>${rate == null ? '–' : rate.toFixed(1)}</b></span>
        <span>nodes <b class="node-count">${count(x.order.length)}</b></span>
        <span>active <b class="active-node">${active.join(', ') || '–'}</b></span>
      </p>
      ${problem && html`<p class="problem" role="alert">${problem}</p>`}
      ${x.status === 'failed' && html`<p class="problem execution-error" role="alert">
        ${x.errorNode ? html`Node <b>${x.errorNode}</b>: ` : ''}${x.error}</p>`}
      <${Timeline} x=${x} version=${x.version} open=${open} now=${now} selected=${selected} />
      ${streaming.map((n) => html`
        <section class="stream" key=${n.key} aria-label=${`Text of ${n.key}`}>
          <h2>${n.key}</h2><pre class="tokens" data-node=${n.key}>${n.text}</pre>
        </section>`)}
      <${NodeCard} n=${open ? x.nodes.get(open) : null} ask=${ask} key=${open} />
    </section>`;
}

// One test run followed live: its status, an ai-block's text as it streams
// (in a box of fixed height, so nothing below moves), its tool calls, and
// when it ends TTFT, tokens/s, tokens, cost, duration and the output.
import { useEffect, useState } from 'preact/hooks';
import { html } from '../html.js';
import { cost, count, duration } from '../format.js';
import { isTerminal } from '../execution_fold.js';
import { JsonView } from '../json_view.js';
import { StatusBadge } from '../status.js';
import { ToolCalls } from '../tool_calls.js';

// A test run is in -> block -> out: the block's node is the one to show.
function blockNode(x) {
  return x.nodes.get('block') ?? [...x.nodes.values()].find((n) => n.nodeId !== 'in' && n.nodeId !== 'out') ?? null;
}

// Tool results carry only the call's id: give them the call's name.
function namedTools(tools) {
  const names = new Map(tools.filter((t) => t.type === 'tool_call').map((t) => [t.id, t.name]));
  return tools.map((t) => (t.name || !names.has(t.id) ? t : { ...t, name: names.get(t.id) }));
}

// Now, every 250 ms while the run goes on, for a duration that grows.
function useClock(running) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!running) return undefined;
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, [running]);
  return now;
}

function Facts({ x, n, now, ai }) {
  const ended = isTerminal(x.status);
  const took = n?.durationMs ?? x.metrics?.totalDurationMs
    ?? (x.startedAt ? (x.completedAt ? Date.parse(x.completedAt) : now) - Date.parse(x.startedAt) : null);
  const rate = n?.tokensPerSecond;
  return html`
    <p class="facts run-facts">
      ${ai && html`
        <span>TTFT <b class="ttft">${duration(n?.ttftMs)}</b></span>
        <span>tokens/s <b class="tps">${rate == null ? '–' : rate.toFixed(1)}</b></span>
        <span>tokens <b class="tokens-count">${n?.tokens ? `${count(n.tokens.input)} in / ${count(n.tokens.output)} out` : '–'}</b></span>
        <span>cost <b class="cost">${cost(n?.cost)}</b></span>`}
      <span>${ended ? 'duration' : 'elapsed'} <b class="duration">${duration(took)}</b></span>
    </p>`;
}

export function RunView({ runId, x, connection, missing, streams, onCancel, problem }) {
  const running = !isTerminal(x.status);
  const now = useClock(running && !missing);
  if (missing) return html`<section class="run card"><p class="problem">No test run <code>${runId}</code> here.</p></section>`;
  const n = blockNode(x);
  const failed = x.status === 'failed' ? (n?.error ?? x.error) : null;
  return html`
    <section class="run card" data-status=${x.status} aria-label="Test run">
      <header class="bar">
        <h2>Run <a href=${`/executions/${runId}`}><code>${runId.slice(-12)}</code></a></h2>
        <${StatusBadge} status=${x.status} />
        <span class=${`connection ${connection}`}>${connection}</span>
        <span class="spacer"></span>
        ${running && html`<button type="button" class="cancel" onClick=${onCancel}>Cancel</button>`}
      </header>
      ${problem && html`<p class="problem" role="alert">${problem}</p>`}
      ${failed && html`<p class="problem run-error" role="alert">${n?.code ? html`<code>${n.code}</code> ` : ''}${failed}</p>`}
      ${streams && html`<pre class="tokens" aria-live="off">${n?.text || (running ? '' : html`<span class="muted">No text.</span>`)}</pre>`}
      <${ToolCalls} tools=${namedTools(n?.tools ?? [])} />
      <${Facts} x=${x} version=${x.lastIndex} n=${n} now=${now} ai=${streams} />
      <h3>Output</h3>
      <div class="output">${x.status === 'completed' ? html`<${JsonView} value=${x.output} name="output" />`
        : html`<span class="muted">${running ? 'When it ends.' : '–'}</span>`}</div>
    </section>`;
}

// Failure patterns of the workspace (GET /api/analytics/failures): each
// error signature with its count, when it was seen, and up to five examples
// that link to the node that failed in its execution.
import { html } from '../html.js';
import { count, time } from '../format.js';

function Example({ example }) {
  const href = `/executions/${example.executionId}?node=${encodeURIComponent(example.nodeId)}`;
  return html`<li><a href=${href} data-execution=${example.executionId}>${time(example.at)} · ${example.nodeId}</a>
    <span class="muted"> ${example.error}</span></li>`;
}

export function Failures({ answer }) {
  if (!answer) return html`<p class="muted">Loading…</p>`;
  if (!answer.items.length) return html`<p class="muted">No failures in this range.</p>`;
  return html`<ul class="failures">${answer.items.map((f) => html`
    <li class="failure" data-signature=${f.signature}>
      <div class="failure-head"><b class="count">${count(f.count)}×</b> <code>${f.signature}</code>
        ${f.code && html` <span class="badge failed">${f.code}</span>`}</div>
      <div class="muted">first ${time(f.firstSeen)}, last ${time(f.lastSeen)} · nodes ${f.nodeIds.join(', ')}</div>
      <ol class="examples">${f.examples.map((e) => html`<${Example} example=${e} />`)}</ol>
    </li>`)}</ul>`;
}

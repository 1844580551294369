// Cost and usage grouped by block or by model, most expensive first, with the
// total in the table's footer (GET /api/analytics/cost).
import { html } from '../html.js';
import { cost, count } from '../format.js';
import { tokens } from './numbers.js';

// An inline ai-block's key is flowId/nodeId: it has no page of its own.
function keyCell(groupBy, item) {
  if (groupBy === 'block' && !item.key.includes('/'))
    return html`<a href=${`/blocks/${item.key}/analytics`}>${item.label || item.key}</a>`;
  return item.label || item.key;
}

export function CostTable({ title, answer }) {
  if (!answer) return html`<div class="cost"><h2>${title}</h2><p class="muted">Loading…</p></div>`;
  const { groupBy, items, total } = answer;
  return html`
    <div class="cost" data-group-by=${groupBy}>
      <h2>${title}</h2>
      ${items.length === 0 ? html`<p class="muted">No cost yet: run a flow with an ai-block.</p>` : html`
      <table class="list compact">
        <thead><tr><th>${groupBy}</th><th class="num">Decisions</th><th class="num">Tokens</th>
          <th class="num">Cost</th></tr></thead>
        <tbody>${items.map((item) => html`
          <tr data-key=${item.key}><td>${keyCell(groupBy, item)}</td><td class="num">${count(item.decisions)}</td>
            <td class="num">${tokens(item.tokens)}</td><td class="num">${cost(item.cost)}</td></tr>`)}</tbody>
        <tfoot><tr class="total"><th>Total</th><td class="num">${count(total.decisions)}</td>
          <td class="num">${tokens(total.tokens)}</td><td class="num">${cost(total.cost)}</td></tr></tfoot>
      </table>`}
    </div>`;
}

// /analytics: the workspace's accuracy over time per ai-block, its ai-blocks
// with links to their analytics and tester, cost by block and by model, and
// its failure patterns; range and bucket live in the URL.
import { html } from '../html.js';
import { get } from '../api.js';
import { cost, count } from '../format.js';
import { AccuracyChart } from './chart.js';
import { CostTable } from './cost.js';
import { Failures } from './failures.js';
import { percent } from './numbers.js';
import { FilterBar, fromOf, ranges, readFilters } from './range.js';
import { useLoad } from './use_load.js';

// Every stored ai-block of the workspace with its analytics over the range.
async function loadBlocks(from, bucket) {
  const page = await get('/api/blocks?limit=500');
  const blocks = page.items.filter((b) => b.type === 'ai-block');
  const query = new URLSearchParams({ from, bucket });
  const answers = await Promise.all(blocks.map((b) => get(`/api/analytics/blocks/${b.id}?${query}`)));
  return blocks.map((b, i) => ({ id: b.id, name: b.name, ...answers[i] }));
}

async function loadCostsAndFailures(from) {
  const [byBlock, byModel, failures] = await Promise.all([
    get('/api/analytics/cost?' + new URLSearchParams({ groupBy: 'block', from })),
    get('/api/analytics/cost?' + new URLSearchParams({ groupBy: 'model', from })),
    get('/api/analytics/failures?' + new URLSearchParams({ from })),
  ]);
  return { byBlock, byModel, failures };
}

function BlocksTable({ blocks }) {
  if (!blocks.length)
    return html`<p class="muted">No ai-blocks yet: save an ai-block (POST /api/blocks) and use it in a flow.</p>`;
  return html`
    <table class="list compact ai-blocks">
      <thead><tr><th>Block</th><th class="num">Decisions</th><th class="num">With feedback</th>
        <th class="num">Accuracy</th><th class="num">Cost</th><th></th></tr></thead>
      <tbody>${blocks.map((b) => html`
        <tr data-block=${b.id}>
          <td><a href=${`/blocks/${b.id}/analytics`}>${b.name}</a></td>
          <td class="num">${count(b.totals.decisions)}</td>
          <td class="num">${count(b.totals.withFeedback)}</td>
          <td class="num">${percent(b.totals.accuracy)}</td>
          <td class="num">${cost(b.totals.cost)}</td>
          <td><a href=${`/blocks/${b.id}/analytics`}>analytics</a> · <a href=${`/blocks/${b.id}/test`}>test</a></td>
        </tr>`)}</tbody>
    </table>`;
}

export function WorkspaceAnalytics() {
  const filters = readFilters();
  const from = fromOf(filters.range);
  const blocks = useLoad(() => loadBlocks(from, filters.bucket), [filters.range, filters.bucket]);
  const rest = useLoad(() => loadCostsAndFailures(from), [filters.range]);
  const series = (blocks.data ?? []).map((b) => ({ label: b.name, buckets: b.buckets }));
  const refresh = () => { blocks.reload(); rest.reload(); };
  return html`
    <section class="analytics">
      <header class="bar">
        <h1>Analytics</h1>
        <${FilterBar} filters=${filters} />
        <button type="button" onClick=${refresh}>Refresh</button>
      </header>
      ${(blocks.problem || rest.problem) && html`<p class="problem" role="alert">${blocks.problem || rest.problem}</p>`}
      <section class="card">
        <h2>Accuracy over time</h2>
        <${AccuracyChart} series=${series} bucket=${filters.bucket} hours=${ranges[filters.range]}
          empty=${blocks.data ? 'No feedback yet: give feedback on a block\u2019s decisions to see its accuracy.' : 'Loading…'} />
      </section>
      <section class="card">
        <h2>AI blocks</h2>
        ${blocks.data ? html`<${BlocksTable} blocks=${blocks.data} />` : html`<p class="muted">Loading…</p>`}
      </section>
      <section class="card cost-grid">
        <${CostTable} title="Cost by block" answer=${rest.data?.byBlock} />
        <${CostTable} title="Cost by model" answer=${rest.data?.byModel} />
      </section>
      <section class="card">
        <h2>Failures</h2>
        <${Failures} answer=${rest.data?.failures} />
      </section>
    </section>`;
}

// /blocks/{id}/analytics: one ai-block's accuracy over time, cost and
// latency, its decisions with the feedback form, and its patterns; range and
// bucket live in the URL.
import { html } from '../html.js';
import { get } from '../api.js';
import { cost, count, duration } from '../format.js';
import { AccuracyChart } from './chart.js';
import { Decisions } from './decisions.js';
import { percent, tokens } from './numbers.js';
import { Patterns } from './patterns.js';
import { FilterBar, fromOf, ranges, readFilters } from './range.js';
import { useLoad } from './use_load.js';

function Totals({ totals }) {
  if (!totals) return html`<div class="facts totals"><span class="muted">Loading…</span></div>`;
  const latency = totals.latencyMs ?? {};
  return html`
    <div class="facts totals" data-accuracy=${totals.accuracy ?? ''}>
      <span>Decisions <b data-total="decisions">${count(totals.decisions)}</b></span>
      <span>With feedback <b data-total="withFeedback">${count(totals.withFeedback)}</b></span>
      <span>Accuracy <b data-total="accuracy">${percent(totals.accuracy)}</b>
        ${totals.withFeedback > 0 && html` <span class="muted">(${totals.correct} of ${totals.withFeedback})</span>`}</span>
      <span>Cost <b data-total="cost">${cost(totals.cost)}</b></span>
      <span>Tokens <b>${tokens(totals.tokens)}</b></span>
      <span>Latency p50/p95 <b>${duration(latency.p50)} / ${duration(latency.p95)}</b></span>
    </div>`;
}

export function BlockAnalytics({ blockId }) {
  const filters = readFilters();
  const from = fromOf(filters.range);
  const block = useLoad(() => get(`/api/blocks/${blockId}`), [blockId]);
  const categories = useLoad(() => get('/api/feedback/categories'), []);
  const analytics = useLoad(() => get(`/api/analytics/blocks/${blockId}?` + new URLSearchParams({ from, bucket: filters.bucket })),
                            [blockId, filters.range, filters.bucket]);
  if (block.missing)
    return html`<section><h1>No such block</h1><p>There is no block <code>${blockId}</code> in this workspace.</p>
      <p><a href="/analytics">Analytics</a></p></section>`;
  const name = block.data?.name ?? '…';
  const series = analytics.data ? [{ label: name, buckets: analytics.data.buckets }] : [];
  return html`
    <section class="analytics block-analytics" data-block=${blockId}>
      <header class="bar">
        <h1><a href="/analytics">Analytics</a> / ${name}</h1>
        <${FilterBar} filters=${filters} />
        <a href=${`/blocks/${blockId}/test`}>Test this block</a>
      </header>
      ${(analytics.problem || block.problem) && html`<p class="problem" role="alert">${analytics.problem || block.problem}</p>`}
      ${block.data && block.data.type !== 'ai-block' && html`<p class="muted">This is a ${block.data.type}: only ai-blocks make decisions.</p>`}
      <${Totals} totals=${analytics.data?.totals} />
      <section class="card">
        <h2>Accuracy over time</h2>
        <${AccuracyChart} series=${series} bucket=${filters.bucket} hours=${ranges[filters.range]}
          empty=${analytics.data ? 'No feedback yet: give feedback on a decision below to see the accuracy.' : 'Loading…'} />
      </section>
      <section class="card">
        <h2>Decisions</h2>
        <${Decisions} blockId=${blockId} from=${from} rangeKey=${filters.range}
          categories=${categories.data?.items ?? []} onFeedback=${analytics.reload} />
      </section>
      <section class="card">
        <h2>Patterns</h2>
        <${Patterns} blockId=${blockId} />
      </section>
    </section>`;
}

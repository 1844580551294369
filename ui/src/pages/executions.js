// The executions of the workspace, newest first: status, flow, trigger,
// start, duration, tokens and cost; filters by flow and status in the URL;
// j/k move through the rows and Enter opens one.
import { useEffect, useState } from 'preact/hooks';
import { html } from '../html.js';
import { get } from '../api.js';
import { navigate, route } from '../router.js';
import { between, cost, count, duration, time } from '../format.js';
import { StatusBadge } from '../status.js';

const statuses = ['running', 'completed', 'failed', 'cancelled', 'pending'];
const refreshMs = 2000;

export function Executions() {
  const query = route.value.query;
  const flowId = query.get('flowId') ?? '';
  const status = query.get('status') ?? '';
  const [items, setItems] = useState(null);
  const [flows, setFlows] = useState(new Map());
  const [problem, setProblem] = useState('');
  const [selected, setSelected] = useState(0);

  useEffect(() => {
    get('/api/flows?limit=500')
      .then((page) => setFlows(new Map(page.items.map((f) => [f.id, f.name]))))
      .catch(() => {});
  }, []);

  useEffect(() => {
    let stopped = false;
    let timer;
    const params = new URLSearchParams({ limit: '100' });
    if (flowId) params.set('flowId', flowId);
    if (status) params.set('status', status);
    async function load() {
      try {
        const page = await get('/api/executions?' + params);
        if (!stopped) { setItems(page.items); setProblem(''); }
      } catch (err) {
        if (!stopped && err.status !== 401) setProblem(err.message);
      }
      if (!stopped) timer = setTimeout(load, refreshMs);
    }
    load();
    return () => { stopped = true; clearTimeout(timer); };
  }, [flowId, status]);

  useEffect(() => {
    function onKey(e) {
      if (!items?.length || e.target.closest('input, select, textarea')) return;
      if (e.key === 'j') setSelected((s) => Math.min(s + 1, items.length - 1));
      else if (e.key === 'k') setSelected((s) => Math.max(s - 1, 0));
      else if (e.key === 'Enter' && items[selected]) navigate('/executions/' + items[selected].id);
    }
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, [items, selected]);

  function filter(name, value) {
    const next = new URLSearchParams(query);
    if (value) next.set(name, value); else next.delete(name);
    const qs = next.toString();
    navigate('/executions' + (qs ? '?' + qs : ''), { replace: true });
  }

  return html`
    <section class="executions">
      <header class="bar">
        <h1>Executions</h1>
        <label>Flow
          <select name="flowId" value=${flowId} onChange=${(e) => filter('flowId', e.currentTarget.value)}>
            <option value="">all</option>
            ${[...flows].map(([id, name]) => html`<option value=${id}>${name}</option>`)}
          </select>
        </label>
        <label>Status
          <select name="status" value=${status} onChange=${(e) => filter('status', e.currentTarget.value)}>
            <option value="">all</option>
            ${statuses.map((s) => html`<option value=${s}>${s}</option>`)}
          </select>
        </label>
      </header>
      ${problem && html`<p class="problem" role="alert">${problem}</p>`}
      ${items === null ? html`<p class="muted">Loading…</p>`
        : items.length === 0 ? html`<p class="muted">No executions yet.</p>`
        : html`
        <table class="list">
          <thead><tr><th>Status</th><th>Flow</th><th>Trigger</th><th>Started</th>
            <th class="num">Duration</th><th class="num">Tokens</th><th class="num">Cost</th></tr></thead>
          <tbody>
            ${items.map((x, i) => html`
              <tr key=${x.id} class=${i === selected ? 'selected' : ''} data-id=${x.id}>
                <td><${StatusBadge} status=${x.status} /></td>
                <td><a href=${'/executions/' + x.id}>${flows.get(x.flowId) ?? x.flowId}</a></td>
                <td>${x.trigger?.type ?? x.triggeredBy}</td>
                <td>${time(x.startedAt)}</td>
                <td class="num">${duration(x.metrics?.totalDurationMs ?? between(x.startedAt, x.completedAt))}</td>
                <td class="num">${count(x.metrics?.totalTokens)}</td>
                <td class="num">${cost(x.metrics?.totalCost)}</td>
              </tr>`)}
          </tbody>
        </table>`}
    </section>`;
}

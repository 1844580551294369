// The executions of the workspace, newest first: status, flow, trigger,
// start, duration, tokens and cost; filters by flow and status in the URL;
// live over the one workspace stream, only the rows on screen drawn, more
// pages as the reader scrolls; j/k move through the rows, Enter opens one.
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from '../html.js';
import { get } from '../api.js';
import { navigate, route } from '../router.js';
import { between, cost, count, duration, time } from '../format.js';
import { StatusBadge } from '../status.js';
import { useExecutionsFeed } from '../executions_feed.js';
import { useVisibleRows } from '../virtual_rows.js';

const statuses = ['running', 'completed', 'failed', 'cancelled', 'pending'];
const rowHeight = 34;

// j/k move the selection, Enter opens it; read when the key comes.
function useRowKeys(ids) {
  const [selected, setSelected] = useState(0);
  const current = useRef(0);
  const latest = useRef(ids);
  latest.current = ids;
  current.current = selected;
  useEffect(() => {
    function onKey(e) {
      const all = latest.current;
      if (!all.length || e.target.closest('input, select, textarea, button, a')) return;
      const at = Math.min(current.current, all.length - 1);
      if (e.key === 'Enter') { navigate('/executions/' + all[at]); return; }
      let next;
      if (e.key === 'j') next = Math.min(at + 1, all.length - 1);
      else if (e.key === 'k') next = Math.max(at - 1, 0);
      else return;
      current.current = next;
      setSelected(next);
    }
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, []);
  return selected;
}

// The frame that first shows rows is marked ("executions-list-painted", in
// the browser's performance timeline), so that the list's first paint is
// measured, not guessed.
let rowsMarked = false;
function markFirstRows(count) {
  if (rowsMarked || !count) return;
  rowsMarked = true;
  requestAnimationFrame(() => performance.mark('executions-list-painted'));
}

function Row({ x, flows, selected, now }) {
  const end = x.completedAt ?? (x.status === 'running' || x.status === 'pending' ? null : x.startedAt);
  const ms = x.metrics?.totalDurationMs ?? (x.startedAt ? (end ? Date.parse(end) : now) - Date.parse(x.startedAt) : null);
  return html`
    <tr class=${selected ? 'selected' : ''} data-id=${x.id} data-status=${x.status}>
      <td><${StatusBadge} status=${x.status} /></td>
      <td><a href=${'/executions/' + x.id}>${flows.get(x.flowId) ?? x.flowId}</a></td>
      <td>${x.trigger?.type ?? x.triggeredBy}</td>
      <td>${time(x.startedAt)}</td>
      <td class="num">${duration(ms)}</td>
      <td class="num">${count(x.metrics?.totalTokens)}</td>
      <td class="num">${cost(x.metrics?.totalCost)}</td>
    </tr>`;
}

export function Executions() {
  const query = route.value.query;
  const flowId = query.get('flowId') ?? '';
  const status = query.get('status') ?? '';
  const [flows, setFlows] = useState(new Map());
  const [now, setNow] = useState(Date.now());
  const { list, problem, connection, more } = useExecutionsFeed({ flowId, status });
  const selected = useRowKeys(list.ids);
  const rows = useVisibleRows(list.ids.length, rowHeight, selected);

  useEffect(() => {
    get('/api/flows?limit=500')
      .then((page) => setFlows(new Map(page.items.map((f) => [f.id, f.name]))))
      .catch(() => {});
  }, []);

  // Running rows' durations grow once a second.
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);

  // Near the end of what is loaded: the next page.
  useEffect(() => {
    if (rows.last >= list.ids.length - 20) more();
  }, [rows.last, list.ids.length]);

  function filter(name, value) {
    const next = new URLSearchParams(query);
    if (value) next.set(name, value); else next.delete(name);
    const qs = next.toString();
    navigate('/executions' + (qs ? '?' + qs : ''), { replace: true });
  }

  const shown = list.ids.slice(rows.first, rows.last);
  markFirstRows(shown.length);
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
        <span class=${`connection ${connection}`}>${connection}</span>
      </header>
      ${problem && html`<p class="problem" role="alert">${problem}</p>`}
      ${!list.loaded ? html`<p class="muted">Loading…</p>`
        : list.ids.length === 0 ? html`<p class="muted">No executions yet.</p>`
        : html`
        <div class="list-box" ref=${rows.box} onScroll=${rows.onScroll}>
          <table class="list" data-version=${list.version}>
            <thead><tr><th>Status</th><th>Flow</th><th>Trigger</th><th>Started</th>
              <th class="num">Duration</th><th class="num">Tokens</th><th class="num">Cost</th></tr></thead>
            <tbody>
              ${rows.before > 0 && html`<tr class="spacer" style=${{ height: `${rows.before}px` }}></tr>`}
              ${shown.map((id, i) => html`<${Row} key=${id} x=${list.rows.get(id)} flows=${flows}
                                                  now=${list.rows.get(id).completedAt ? 0 : now}
                                                  selected=${rows.first + i === selected} />`)}
              ${rows.after > 0 && html`<tr class="spacer" style=${{ height: `${rows.after}px` }}></tr>`}
            </tbody>
          </table>
        </div>
        <p class="muted list-count">${count(list.ids.length)} shown${list.cursor ? ', more as you scroll' : ''}</p>`}
    </section>`;
}

// A block's decisions, newest first: input and output previews, model, time,
// the current feedback and a link to the execution. j/k move through the
// rows, Enter opens the selected decision's feedback form (Escape closes it).
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from '../html.js';
import { get } from '../api.js';
import { time } from '../format.js';
import { FeedbackForm } from './feedback_form.js';
import { feedbackLabel, preview } from './numbers.js';
import { useLoad } from './use_load.js';

const columns = 7;

const typing = (target) => target.closest?.('input, select, textarea, form');
const activating = (target) => target.closest?.('button, a');

// j/k/Enter over `items`; returns the selected index and its setter. The
// listener reads the latest items and selection from a ref, so a key pressed
// right after another never acts on a stale row.
function useListKeys(items, onEnter) {
  const [selected, setSelected] = useState(0);
  const latest = useRef({});
  latest.current = { items, selected, onEnter };
  useEffect(() => {
    function onKey(e) {
      const { items: rows, selected: at, onEnter: enter } = latest.current;
      if (!rows?.length || e.metaKey || e.ctrlKey || e.altKey || typing(e.target)) return;
      const move = (to) => { latest.current.selected = to; setSelected(to); };
      if (e.key === 'j') move(Math.min(at + 1, rows.length - 1));
      else if (e.key === 'k') move(Math.max(at - 1, 0));
      else if (e.key === 'Enter' && rows[at] && !activating(e.target)) { e.preventDefault(); enter(rows[at]); }
    }
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, []);
  useEffect(() => { document.querySelector('tr.decision.selected')?.scrollIntoView({ block: 'nearest' }); }, [selected]);
  return [selected, setSelected];
}

function DecisionRow({ d, selected, onOpen }) {
  return html`
    <tr class=${'decision' + (selected ? ' selected' : '')} data-id=${d.id}
        data-feedback=${d.feedback ? String(d.feedback.correct) : ''}>
      <td>${time(d.createdAt)}</td>
      <td class="preview"><code title=${preview(d.input, 400)}>${preview(d.input)}</code></td>
      <td class="preview"><code title=${preview(d.output, 400)}>${preview(d.output)}</code></td>
      <td>${d.model ?? '–'}</td>
      <td class=${'feedback ' + (d.feedback ? (d.feedback.correct ? 'ok' : 'bad') : 'muted')}>
        ${feedbackLabel(d.feedback) || 'none'}</td>
      <td><a href=${`/executions/${d.executionId}?node=${encodeURIComponent(d.nodeId)}`}>execution</a></td>
      <td><button type="button" class="link" onClick=${() => onOpen(d)}>feedback</button></td>
    </tr>`;
}

export function Decisions({ blockId, from, rangeKey, categories, onFeedback }) {
  const list = useLoad(() => get('/api/decisions?' + new URLSearchParams({ blockId, from, limit: '100' })),
                       [blockId, rangeKey]);
  const items = list.data?.items ?? null;
  const [open, setOpen] = useState(null);
  const [selected, setSelected] = useListKeys(items, (d) => setOpen(d.id));

  function openForm(d) { setSelected(items.indexOf(d)); setOpen(d.id); }
  function saved() { setOpen(null); list.reload(); onFeedback(); }

  if (list.problem && !items) return html`<p class="problem" role="alert">${list.problem}</p>`;
  if (!items) return html`<p class="muted">Loading…</p>`;
  if (!items.length) return html`<p class="muted empty">No decisions yet: run a flow with this ai-block.</p>`;
  return html`
    <p class="hint">j/k move, Enter gives feedback on the selected decision.</p>
    <table class="list compact decisions">
      <thead><tr><th>Time</th><th>Input</th><th>Output</th><th>Model</th><th>Feedback</th><th></th><th></th></tr></thead>
      <tbody>${items.map((d, i) => html`
        <${DecisionRow} key=${d.id} d=${d} selected=${i === selected} onOpen=${openForm} />
        ${open === d.id && html`<tr class="feedback-row" key=${d.id + '-form'}><td colspan=${columns}>
          <${FeedbackForm} decision=${d} categories=${categories} onSaved=${saved} onCancel=${() => setOpen(null)} />
        </td></tr>`}`)}</tbody>
    </table>
    ${list.data.nextCursor && html`<p class="hint">The newest 100 decisions of the range are shown.</p>`}`;
}

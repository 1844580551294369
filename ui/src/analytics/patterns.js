// A block's patterns, each with its stats as the API gives them (matched,
// agreed, disagreed, last match): create, edit, and delete after an in-page
// confirmation.
import { useState } from 'preact/hooks';
import { html } from '../html.js';
import { api, get } from '../api.js';
import { count, time } from '../format.js';
import { preview } from './numbers.js';
import { PatternForm } from './pattern_form.js';
import { useLoad } from './use_load.js';

function Stats({ stats }) {
  return html`<dl class="stats">
    <div><dt>matched</dt><dd data-stat="matched">${count(stats.matched)}</dd></div>
    <div><dt>agreed</dt><dd data-stat="agreed">${count(stats.agreed)}</dd></div>
    <div><dt>disagreed</dt><dd data-stat="disagreed">${count(stats.disagreed)}</dd></div>
    <div><dt>last match</dt><dd>${time(stats.lastMatchedAt)}</dd></div></dl>`;
}

function ConfirmDelete({ pattern, onDone, onKeep }) {
  const [problem, setProblem] = useState('');
  async function remove() {
    try { await api('DELETE', `/api/patterns/${pattern.id}`); onDone(); }
    catch (err) { setProblem(err.message); }
  }
  return html`<div class="confirm" role="alertdialog" aria-label="Delete pattern">
    <span>Delete “${pattern.name}”? Its stats go with it.</span>
    <button type="button" class="danger" onClick=${remove}>Delete</button>
    <button type="button" onClick=${onKeep}>Keep</button>
    ${problem && html`<span class="problem" role="alert">${problem}</span>`}</div>`;
}

function PatternItem({ p, onEdit, onDeleted }) {
  const [confirming, setConfirming] = useState(false);
  return html`
    <li class="pattern" data-id=${p.id} data-name=${p.name}>
      <div class="pattern-head"><b>${p.name}</b>
        ${p.description && html`<span class="muted"> ${p.description}</span>`}
        <span class="spacer"></span>
        <button type="button" onClick=${() => onEdit(p)}>Edit</button>
        <button type="button" onClick=${() => setConfirming(true)}>Delete</button></div>
      <div class="pattern-rule"><code>${p.condition}</code> → <code>${p.outcome == null ? 'no outcome' : preview(p.outcome)}</code></div>
      <${Stats} stats=${p.stats} />
      ${confirming && html`<${ConfirmDelete} pattern=${p} onDone=${onDeleted} onKeep=${() => setConfirming(false)} />`}
    </li>`;
}

export function Patterns({ blockId }) {
  const list = useLoad(() => get('/api/patterns?' + new URLSearchParams({ blockId, limit: '500' })), [blockId]);
  const [editing, setEditing] = useState(null);  // null, 'new' or a pattern
  const saved = () => { setEditing(null); list.reload(); };
  const items = list.data?.items;
  return html`
    <div class="patterns">
      ${list.problem && html`<p class="problem" role="alert">${list.problem}</p>`}
      ${!items ? html`<p class="muted">Loading…</p>`
        : items.length === 0 ? html`<p class="muted empty">No patterns yet: when you see a rule in this block's decisions, write it down as a pattern to see how often it holds.</p>`
        : html`<ul class="pattern-list">${items.map((p) => html`
            <${PatternItem} key=${p.id} p=${p} onEdit=${setEditing} onDeleted=${list.reload} />`)}</ul>`}
      ${editing ? html`<${PatternForm} key=${editing === 'new' ? 'new' : editing.id} blockId=${blockId}
                         pattern=${editing === 'new' ? null : editing} onSaved=${saved} onCancel=${() => setEditing(null)} />`
        : html`<button type="button" class="primary" onClick=${() => setEditing('new')}>New pattern</button>`}
    </div>`;
}

// A block's earlier test runs, newest first: status, time, tokens, the
// input, a link to the execution and "Use this input again"; j/k move the
// selection and Enter uses the selected row's input.
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from '../html.js';
import { count, duration, time } from '../format.js';
import { StatusBadge } from '../status.js';

const inputPreviewChars = 80;

function inputPreview(input) {
  const text = JSON.stringify(input) ?? '';
  return text.length > inputPreviewChars ? text.slice(0, inputPreviewChars) + '…' : text;
}

const typingIn = (target) => target.closest?.('input, select, textarea');

// j/k over `runs`, Enter calls `use` with the selected one. Enter on a
// focused button or link is left to that button or link.
function useRowKeys(runs, use) {
  const [selected, setSelected] = useState(0);
  const latest = useRef({});
  const last = Math.max((runs?.length ?? 1) - 1, 0);
  const at = Math.min(selected, last);
  latest.current = { runs, use, at, last };  // read by the listener, never stale
  useEffect(() => {
    function onKey(e) {
      const { runs, use, at, last } = latest.current;
      if (!runs?.length || typingIn(e.target) || e.metaKey || e.ctrlKey || e.altKey) return;
      if (e.key === 'j') latest.current.at = Math.min(at + 1, last);
      else if (e.key === 'k') latest.current.at = Math.max(at - 1, 0);
      else if (e.key === 'Enter' && !e.target.closest?.('button, a')) { e.preventDefault(); use(runs[at]); return; }
      else return;
      setSelected(latest.current.at);
    }
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, []);
  useEffect(() => {
    document.querySelector('tr.test-run.selected')?.scrollIntoView({ block: 'nearest' });
  }, [at]);
  return at;
}

export function History({ runs, watching, use }) {
  const selected = useRowKeys(runs, use);
  if (runs === null) return html`<p class="muted">Loading…</p>`;
  if (!runs.length) return html`<p class="muted history-empty">No test runs yet.</p>`;
  return html`
    <table class="list history">
      <thead><tr><th>Status</th><th>Started</th><th class="num">Duration</th><th class="num">Tokens</th>
        <th>v</th><th>Input</th><th></th></tr></thead>
      <tbody>
        ${runs.map((r, i) => html`
          <tr key=${r.id} data-id=${r.id}
              class=${`test-run${i === selected ? ' selected' : ''}${r.executionId === watching ? ' watching' : ''}`}>
            <td><${StatusBadge} status=${r.status} /></td>
            <td><a href=${`/executions/${r.executionId}`} title="Open the execution">${time(r.startedAt)}</a></td>
            <td class="num">${duration(r.durationMs)}</td>
            <td class="num">${r.tokens ? `${count(r.tokens.input)} / ${count(r.tokens.output)}` : '–'}</td>
            <td>${r.blockVersion}</td>
            <td class="input-preview"><code>${inputPreview(r.input)}</code></td>
            <td><button type="button" class="link use-again" onClick=${() => use(r)}>Use this input again</button></td>
          </tr>`)}
      </tbody>
    </table>`;
}

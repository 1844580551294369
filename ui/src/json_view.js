// A JSON value for reading: pretty-printed, and past 4 KB or 200 lines only a
// preview with the size, so that a large value never blocks the page; copy
// and download give the whole value.
import { html } from './html.js';

const previewBytes = 4096;
const previewLines = 200;

export function JsonView({ value, name = 'value' }) {
  if (value === undefined) return html`<span class="muted">–</span>`;
  const text = JSON.stringify(value, null, 2) ?? 'null';
  let shown = text;
  let folded = false;
  if (text.length > previewBytes) { shown = text.slice(0, previewBytes); folded = true; }
  const lines = shown.split('\n');
  if (lines.length > previewLines) { shown = lines.slice(0, previewLines).join('\n'); folded = true; }
  const copy = () => navigator.clipboard?.writeText(text);
  const download = () => {
    const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
    const a = Object.assign(document.createElement('a'), { href: url, download: `${name}.json` });
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };
  return html`
    <div class="json">
      <pre>${shown}${folded ? '\n…' : ''}</pre>
      <div class="json-actions">
        ${folded && html`<span class="muted">${(text.length / 1024).toFixed(1)} KB, preview shown</span>`}
        <button type="button" onClick=${copy}>Copy</button>
        <button type="button" onClick=${download}>Download</button>
      </div>
    </div>`;
}

// A JSON value for reading: pretty-printed, and past 4 KB or 200 lines only a
// preview with the size, so that a large value never blocks the page; copy
// and download give the whole value, asked for (as a Blob) only when clicked.
import { html } from './html.js';
import { prettyText, previewOf } from './value_text.js';

function saveAs(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = Object.assign(document.createElement('a'), { href: url, download: `${name}.json` });
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

// `shown` is a previewOf(); `whole()` resolves with a Blob of the whole text.
export function ValuePreview({ shown, whole, name = 'value' }) {
  if (!shown || shown.preview === undefined) return html`<span class="muted">–</span>`;
  const copy = async () => navigator.clipboard?.write([new ClipboardItem({ 'text/plain': whole() })]);
  const download = async () => saveAs(await whole(), name);
  return html`
    <div class="json">
      <pre>${shown.preview}${shown.folded ? '\n…' : ''}</pre>
      <div class="json-actions">
        ${shown.folded && html`<span class="muted">${(shown.bytes / 1024).toFixed(1)} KB, preview shown</span>`}
        <button type="button" onClick=${copy}>Copy</button>
        <button type="button" onClick=${download}>Download</button>
      </div>
    </div>`;
}

export function JsonView({ value, name = 'value' }) {
  const text = prettyText(value);
  const whole = async () => new Blob([text], { type: 'text/plain' });
  return html`<${ValuePreview} shown=${previewOf(text)} whole=${whole} name=${name} />`;
}

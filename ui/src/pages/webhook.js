// Webhook page: placeholder until its slice lands.
import { html } from '../html.js';

export function Webhook({ flowId }) {
  return html`<section><h1>Webhook</h1><p class="muted">Coming in this release.</p></section>`;
}

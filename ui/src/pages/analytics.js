// Analytics page: placeholder until its slice lands.
import { html } from '../html.js';

export function Analytics({ blockId }) {
  return html`<section><h1>Analytics</h1><p class="muted">Coming in this release.</p></section>`;
}

// Block tester page: placeholder until its slice lands.
import { html } from '../html.js';

export function BlockTest({ id }) {
  return html`<section><h1>Block tester</h1><p class="muted">Coming in this release.</p></section>`;
}

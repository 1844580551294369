// A status as a small coloured badge (execution and node statuses alike).
import { html } from './html.js';

export function StatusBadge({ status }) {
  return html`<span class="badge ${status}">${status}</span>`;
}

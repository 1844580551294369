// The analytics filters (time range and bucket) read from and written to the
// URL query, so a reload or a shared link shows the same page.
import { html } from '../html.js';
import { navigate, route } from '../router.js';

export const ranges = { '24h': 24, '7d': 24 * 7, '30d': 24 * 30, '90d': 24 * 90 };
export const buckets = ['hour', 'day'];
const hourMs = 3600_000;

// The filters in the URL, with the API's defaults (30 days by day).
export function readFilters(query = route.value.query) {
  const range = ranges[query.get('range')] ? query.get('range') : '30d';
  const bucket = buckets.includes(query.get('bucket')) ? query.get('bucket') : 'day';
  return { range, bucket };
}

// The `from` of a range, as the API wants it (RFC 3339); `to` is left to the
// server's default (now), so new decisions always count.
export function fromOf(range) {
  return new Date(Date.now() - ranges[range] * hourMs).toISOString();
}

function setFilter(name, value) {
  const next = new URLSearchParams(route.value.query);
  next.set(name, value);
  navigate(route.value.path + '?' + next, { replace: true });
}

export function FilterBar({ filters }) {
  return html`
    <label>Range
      <select name="range" value=${filters.range} onChange=${(e) => setFilter('range', e.currentTarget.value)}>
        ${Object.keys(ranges).map((r) => html`<option value=${r}>last ${r}</option>`)}
      </select>
    </label>
    <label>Bucket
      <select name="bucket" value=${filters.bucket} onChange=${(e) => setFilter('bucket', e.currentTarget.value)}>
        ${buckets.map((b) => html`<option value=${b}>${b}</option>`)}
      </select>
    </label>`;
}

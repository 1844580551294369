// How numbers and times read on the page.
export function duration(ms) {
  if (ms == null || Number.isNaN(ms)) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const m = Math.floor(ms / 60_000);
  return `${m} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export function cost(usd) {
  if (usd == null) return '–';
  if (usd === 0) return '$0';
  return usd < 0.01 ? `$${usd.toFixed(5)}` : `$${usd.toFixed(2)}`;
}

// One formatter each, made once: toLocaleString builds a new one per call,
// which costs more than drawing the row.
const timeFormat = new Intl.DateTimeFormat(undefined,
  { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
const countFormat = new Intl.NumberFormat();

export function time(rfc3339) {
  if (!rfc3339) return '–';
  return timeFormat.format(new Date(rfc3339));
}

export function count(n) {
  return n == null ? '–' : countFormat.format(n);
}

export function between(start, end) {
  if (!start) return null;
  return (end ? Date.parse(end) : Date.now()) - Date.parse(start);
}

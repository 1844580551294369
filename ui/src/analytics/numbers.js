// How analytics numbers read: accuracy as a percentage, token pairs, and the
// label of a decision's feedback.
export function percent(ratio) {
  if (ratio == null) return '–';
  const p = ratio * 100;
  return `${Number.isInteger(p) ? p : p.toFixed(1)}%`;
}

export function tokens(t) {
  if (!t) return '–';
  return `${(t.input ?? 0).toLocaleString()} in / ${(t.output ?? 0).toLocaleString()} out`;
}

export function feedbackLabel(f) {
  if (!f) return '';
  return f.correct ? 'correct' : `incorrect${f.category ? ' · ' + f.category : ''}`;
}

// A JSON value on one line, cut to `max` characters.
export function preview(value, max = 80) {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? '';
  return text.length > max ? text.slice(0, max - 1) + '…' : text;
}

// A JSON value as text for reading: pretty-printed, and past 4 KB or 200
// lines only a preview, so that what reaches the screen is always small.
export const previewBytes = 4096;
export const previewLines = 200;

// {preview, bytes, folded} of the pretty text of `value`.
export function previewOf(text) {
  if (text === undefined) return { preview: undefined, bytes: 0, folded: false };
  let preview = text;
  let folded = false;
  if (preview.length > previewBytes) { preview = preview.slice(0, previewBytes); folded = true; }
  const lines = preview.split('\n');
  if (lines.length > previewLines) { preview = lines.slice(0, previewLines).join('\n'); folded = true; }
  return { preview, bytes: text.length, folded };
}

export const prettyText = (value) => (value === undefined ? undefined : JSON.stringify(value, null, 2) ?? 'null');

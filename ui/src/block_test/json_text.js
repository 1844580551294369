// JSON typed by a person: parsed, and when it is wrong, where (line and
// column) and what was expected there, the same in every browser.

// 1-based line and column of a character offset in `text`.
function lineAndColumn(text, offset) {
  const before = text.slice(0, offset);
  return { line: before.split('\n').length, column: offset - before.lastIndexOf('\n') };
}

// The first place `text` stops being JSON: {at, expected}, or null. Used
// only after JSON.parse refused the text, for the place (browsers' messages
// differ, and some give none).
function firstError(text) {
  let i = 0;
  const fail = (expected) => { throw { at: i, expected }; };
  const space = () => { while (' \t\n\r'.includes(text[i] || 'x')) i++; };
  const word = (w) => (text.startsWith(w, i) ? (i += w.length) : fail('a value'));
  function string() {
    for (i++; text[i] !== '"'; i++) {
      if (i >= text.length) fail('a closing "');
      if (text[i] < ' ') fail('no line break inside a string');
      if (text[i] === '\\') i++;
    }
    i++;
  }
  function number() {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!m) fail('a value');
    i += m[0].length;
  }
  function items(close, item) {
    i++; space();
    if (text[i] === close) { i++; return; }
    for (;;) {
      item(); space();
      if (text[i] === close) { i++; return; }
      if (text[i] !== ',') fail(`',' or '${close}'`);
      i++; space();
    }
  }
  function member() {
    if (text[i] !== '"') fail('a property name in double quotes');
    string(); space();
    if (text[i] !== ':') fail("':'");
    i++; value();
  }
  function value() {
    space();
    const c = text[i];
    if (c === '{') items('}', member);
    else if (c === '[') items(']', value);
    else if (c === '"') string();
    else if (c === 't') word('true');
    else if (c === 'f') word('false');
    else if (c === 'n') word('null');
    else number();
  }
  try {
    value(); space();
    if (i < text.length) fail('the end');
    return null;
  } catch (e) {
    if (e.at === undefined) throw e;
    return e;
  }
}

// {ok: true, value} or {ok: false, error: "line 2, column 5: expected …"}.
export function parseJson(text) {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    const found = firstError(text);
    if (!found) return { ok: false, error: err.message };
    const { line, column } = lineAndColumn(text, found.at);
    const got = found.at < text.length ? `'${text[found.at]}'` : 'the end';
    return { ok: false, error: `line ${line}, column ${column}: expected ${found.expected}, found ${got}` };
  }
}

export const prettyJson = (value) => JSON.stringify(value, null, 2);

// An SSE stream read with fetch, for a worker that must handle a long
// replay in bulk (EventSource hands over one message per task). Like
// EventSource it reconnects after a drop with Last-Event-ID and honours
// `retry:`; unlike it, it stops for good on an answer that is not 200.
const decoder = () => new TextDecoderStream();
const yieldEveryMs = 16;
let lastYield = 0;

// Calls onMessages(array of {id, data}) for each chunk read and onState(s)
// with 'live' | 'reconnecting'; resolves with 'done' after [DONE], or with
// the HTTP status that ended it (404: no such stream).
export async function followSse(url, { onMessages, onState, lastId = null }) {
  let retryMs = 1000;
  let last = lastId;
  for (;;) {
    let res;
    try {
      res = await fetch(url, { credentials: 'same-origin', cache: 'no-store',
                               headers: last == null ? {} : { 'Last-Event-ID': String(last) } });
    } catch {
      onState('reconnecting');
      await new Promise((r) => setTimeout(r, retryMs));
      continue;
    }
    if (res.status !== 200) return res.status;
    onState('live');
    const reader = res.body.pipeThrough(decoder()).getReader();
    let pending = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        pending += value;
        const end = pending.lastIndexOf('\n\n');
        if (end < 0) continue;
        const blocks = pending.slice(0, end).split('\n\n');
        pending = pending.slice(end + 2);
        const messages = [];
        for (const block of blocks) {
          let id = null;
          let data = null;
          for (const line of block.split('\n')) {
            if (line.startsWith('data: ')) data = data == null ? line.slice(6) : `${data}\n${line.slice(6)}`;
            else if (line.startsWith('id: ')) id = line.slice(4);
            else if (line.startsWith('retry: ')) retryMs = Number(line.slice(7)) || retryMs;
          }
          if (data === '[DONE]') { onMessages(messages); return 'done'; }
          if (data != null) messages.push({ id, data });
          if (id != null) last = id;
        }
        onMessages(messages);
        // A long replay arrives faster than it is folded: let the worker's
        // other messages (a card asking for its values) in between.
        if (performance.now() - lastYield > yieldEveryMs) {
          await new Promise((r) => setTimeout(r, 0));
          lastYield = performance.now();
        }
      }
    } catch {
      // the connection dropped: reconnect from the last id
    }
    onState('reconnecting');
    await new Promise((r) => setTimeout(r, retryMs));
  }
}

// The page's side of the execution worker: starts it for one execution,
// applies the changes it sends (re-rendering at most once a frame), and asks
// it for a node's values when a card opens.
import { useEffect, useRef, useState } from 'preact/hooks';
import { useFrameTicker } from './execution_stream.js';

function emptyView() {
  return { status: 'pending', lastIndex: -1, nodes: new Map(), order: [], version: 0, withText: new Set(),
           summary: { tokens: 0, cost: 0, ttft: null, rate: null, active: [], nodes: 0 } };
}

function apply(view, { execution, summary, added, nodes, text, tools }) {
  Object.assign(view, execution);
  view.summary = summary;
  view.version += 1;  // the view changes in place: this tells components it did
  for (const key of added) view.order.push(key);
  for (const n of nodes) {  // fresh objects from the worker: completed here
    const had = view.nodes.get(n.key);
    n.text = had?.text ?? '';
    n.tools = had?.tools ?? [];
    view.nodes.set(n.key, n);
  }
  for (const [key, piece, replace] of text) {
    const n = view.nodes.get(key);
    n.text = replace ? piece : n.text + piece;
    view.withText.add(key);
  }
  for (const [key, more] of tools) {
    const n = view.nodes.get(key);
    n.tools = n.tools.concat(more);
  }
}

// {x, connection, missing, ask}: `ask(message)` resolves with the worker's
// answer ({type:'preview'|'text'|'value', key, which}).
export function useExecutionView(id) {
  const view = useRef(emptyView());
  const worker = useRef(null);
  const pending = useRef(new Map());
  const [connection, setConnection] = useState('connecting');
  const [missing, setMissing] = useState(false);
  const tick = useFrameTicker();

  useEffect(() => {
    view.current = emptyView();
    setMissing(false);
    // EXECUTION_WORKER_URL: the worker's hashed name, set by ui/build.mjs.
    const w = new Worker(EXECUTION_WORKER_URL, { type: 'module' });
    worker.current = w;
    w.onmessage = ({ data }) => {
      if (data.type === 'batch') {
        apply(view.current, data);
        setConnection(data.connection);
        tick();
      } else if (data.type === 'missing') {
        setMissing(true);
      } else {
        pending.current.get(data.req)?.(data);
        pending.current.delete(data.req);
      }
    };
    w.postMessage({ type: 'open', id });
    return () => { w.terminate(); worker.current = null; pending.current.clear(); };
  }, [id]);

  const ask = (message) => new Promise((resolve) => {
    const req = Math.random().toString(36).slice(2);
    pending.current.set(req, resolve);
    worker.current?.postMessage({ ...message, req });
  });
  return { x: view.current, connection, missing, ask };
}

// One execution's events, live over its SSE stream (a finished one replays
// the same way), folded as they come and re-rendered at most once a frame.
// EventSource resumes from its last id after a drop; the fold ignores an
// index it has seen, so no event is missing or counted twice.
import { useEffect, useRef, useState } from 'preact/hooks';
import { emptyExecution, foldEvent } from './execution_fold.js';

// Re-renders at most once a frame, however fast the tokens come.
export function useFrameTicker() {
  const [, setTick] = useState(0);
  const pending = useRef(false);
  return () => {
    if (pending.current) return;
    pending.current = true;
    requestAnimationFrame(() => { pending.current = false; setTick((t) => t + 1); });
  };
}

// `id` null: nothing to follow yet. Returns the folded execution, the
// connection's state and whether the server knows no such execution.
export function useExecutionStream(id) {
  const state = useRef(emptyExecution());
  const [connection, setConnection] = useState(id ? 'connecting' : 'idle');
  const [missing, setMissing] = useState(false);
  const tick = useFrameTicker();

  useEffect(() => {
    state.current = emptyExecution();
    setMissing(false);
    if (!id) { setConnection('idle'); tick(); return undefined; }
    setConnection('connecting');
    const source = new EventSource(`/api/executions/${encodeURIComponent(id)}/stream`);
    source.onopen = () => setConnection('live');
    source.onmessage = (m) => {
      if (m.data === '[DONE]') { source.close(); setConnection('done'); tick(); return; }
      if (foldEvent(state.current, JSON.parse(m.data))) tick();
    };
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED) {
        if (state.current.lastIndex < 0) setMissing(true);
        setConnection('closed');
      } else {
        setConnection('reconnecting');
      }
    };
    return () => source.close();
  }, [id]);
  return { x: state.current, connection, missing };
}

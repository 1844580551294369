// Loads data for a component and loads it again when its inputs change or
// when `reload()` is called; the last answer stays on screen meanwhile.
import { useCallback, useEffect, useState } from 'preact/hooks';

export function useLoad(load, deps) {
  const [state, setState] = useState({ data: null, problem: '', missing: false });
  const [version, setVersion] = useState(0);
  useEffect(() => {
    let stopped = false;
    load().then(
      (data) => { if (!stopped) setState({ data, problem: '', missing: false }); },
      (err) => {
        if (stopped || err.status === 401) return;
        setState((s) => ({ data: s.data, problem: err.message, missing: err.status === 404 }));
      });
    return () => { stopped = true; };
  }, [...deps, version]);
  const reload = useCallback(() => setVersion((v) => v + 1), []);
  return { ...state, reload };
}

// The executions list as a live set: the first page from GET
// /api/executions, then every change from the one workspace stream (GET
// /api/stream), applied in place; more pages as the reader scrolls; drawn
// at most five times a second however many change.
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { get } from './api.js';

const pageSize = 100;
// Changes are drawn at most this often: a thousand executions changing each
// second stay readable and cost the page a few renders, not sixty.
const drawEveryMs = 200;
const rank = { pending: 0, running: 1, completed: 2, failed: 2, cancelled: 2 };

function matches(filters, x) {
  return (!filters.flowId || x.flowId === filters.flowId) && (!filters.status || x.status === filters.status);
}

// Ids are UUIDv7: their text order is their start order. Newest first.
function insertSorted(ids, id) {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ids[mid] > id) lo = mid + 1; else hi = mid;
  }
  ids.splice(lo, 0, id);
}

// Applies one change of the workspace stream to `list` (in place); a status
// never goes back (a change read before the page it is in is older).
export function applyChange(list, filters, c) {
  const id = c.executionId;
  const had = list.rows.get(id);
  if (had && (rank[c.status] ?? 0) < (rank[had.status] ?? 0)) return false;
  const row = { ...had, id, flowId: c.flowId, status: c.status, startedAt: c.startedAt,
                completedAt: c.completedAt, metrics: c.metrics, trigger: c.trigger };
  if (!matches(filters, row)) {
    if (!had) return false;
    list.rows.delete(id);
    list.ids.splice(list.ids.indexOf(id), 1);
    return true;
  }
  // Older than every loaded row while more pages remain: that page has it.
  if (!had && list.cursor && list.ids.length && id < list.ids[list.ids.length - 1]) return false;
  list.rows.set(id, row);
  if (!had) insertSorted(list.ids, id);
  return true;
}

function firstPageQuery(filters) {
  const params = new URLSearchParams({ limit: String(pageSize) });
  if (filters.flowId) params.set('flowId', filters.flowId);
  if (filters.status) params.set('status', filters.status);
  return '/api/executions?' + params;
}

// The first page asked for while the page's code is still starting (the
// list is what most visits open first); taken once by the list.
let prefetched = null;
export function prefetchExecutions(query) {
  const path = firstPageQuery({ flowId: query.get('flowId') ?? '', status: query.get('status') ?? '' });
  prefetched = { path, page: get(path) };
  prefetched.page.catch(() => {});
}

function firstPage(path) {
  if (prefetched?.path !== path) return get(path);
  const { page } = prefetched;
  prefetched = null;
  return page;
}

function addPage(list, items) {
  for (const x of items) {
    if (list.rows.has(x.id)) continue;
    list.rows.set(x.id, x);
    insertSorted(list.ids, x.id);
  }
}

// {list, loading, problem, connection, more()}: list.ids newest first,
// list.rows by id; more() loads the next page when there is one.
export function useExecutionsFeed(filters) {
  const list = useRef({ ids: [], rows: new Map(), cursor: null, loaded: false, version: 0 });
  const [problem, setProblem] = useState('');
  const [connection, setConnection] = useState('connecting');
  const loadingMore = useRef(false);
  const [, setDrawn] = useState(0);
  const pending = useRef(null);
  const changed = () => {
    list.current.version += 1;
    if (list.current.version === 1) setDrawn((n) => n + 1);  // the first page: at once
    else pending.current ??= setTimeout(() => { pending.current = null; setDrawn((n) => n + 1); }, drawEveryMs);
  };
  useEffect(() => () => clearTimeout(pending.current), []);

  // A layout effect: it starts before the first paint, not a frame after.
  useLayoutEffect(() => {
    const current = { ids: [], rows: new Map(), cursor: null, loaded: false, version: 0 };
    list.current = current;
    let buffered = [];
    let stopped = false;
    const source = new EventSource('/api/stream');
    source.onmessage = (m) => {
      const c = JSON.parse(m.data);
      if (!current.loaded) buffered.push(c);
      else if (applyChange(current, filters, c)) changed();
    };
    source.onerror = () => setConnection(source.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting');
    const path = firstPageQuery(filters);
    async function load() {
      try {
        const page = await firstPage(path);
        if (stopped) return;
        for (const x of page.items) {
          const had = current.rows.get(x.id);
          if (!had || (rank[x.status] ?? 0) > (rank[had.status] ?? 0)) current.rows.delete(x.id);
        }
        current.ids = current.ids.filter((id) => current.rows.has(id));
        addPage(current, page.items);
        if (!current.loaded) current.cursor = page.nextCursor;
        current.loaded = true;
        for (const c of buffered) applyChange(current, filters, c);
        buffered = [];
        setProblem('');
        changed();
      } catch (err) {
        if (!stopped && err.status !== 401) setProblem(err.message);
      }
    }
    // The first page is drawn as soon as it comes; once the stream is open
    // it is read again, so that a change between the first read and the
    // stream's start is not missed (a status never goes back).
    load();
    let opened = false;
    source.onopen = () => {
      setConnection('live');
      if (!opened) { opened = true; load(); }
    };
    return () => { stopped = true; source.close(); };
  }, [filters.flowId, filters.status]);

  async function more() {
    const current = list.current;
    if (!current.loaded || !current.cursor || loadingMore.current) return;
    loadingMore.current = true;
    try {
      const params = new URLSearchParams({ limit: String(pageSize), cursor: current.cursor });
      if (filters.flowId) params.set('flowId', filters.flowId);
      if (filters.status) params.set('status', filters.status);
      const page = await get('/api/executions?' + params);
      if (list.current !== current) return;
      addPage(current, page.items);
      current.cursor = page.nextCursor;
      changed();
    } catch (err) {
      if (err.status !== 401) setProblem(err.message);
    } finally {
      loadingMore.current = false;
    }
  }
  return { list: list.current, problem, connection, more };
}

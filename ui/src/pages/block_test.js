// The block tester, /blocks/{id}/test: an input form from the block's
// inputSchema (or JSON), Run, the run followed live, Cancel, and its history.
// ?run=<executionId> names the run watched, so a reload reattaches to it.
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from '../html.js';
import { get, post } from '../api.js';
import { navigate, route } from '../router.js';
import { isTerminal } from '../execution_fold.js';
import { useExecutionStream } from '../execution_stream.js';
import { History } from '../block_test/history.js';
import { RunView } from '../block_test/run_view.js';
import { InputEditor, useInputEditor } from '../block_test/schema_form.js';

const historyLimit = 50;

// The server's words for a refusal, with its code when it has one.
const refusal = (err) => (err.code && !err.code.startsWith('http_') ? `${err.message} (${err.code})` : err.message);

// The block's test runs, newest first; `reload` fetches them again.
function useHistory(blockId) {
  const [runs, setRuns] = useState(null);
  const [problem, setProblem] = useState('');
  const alive = useRef(true);
  const reload = () => get(`/api/blocks/${blockId}/tests?limit=${historyLimit}`)
    .then((page) => { if (alive.current) { setRuns(page.items); setProblem(''); } return page.items; })
    .catch((err) => { if (alive.current && err.status !== 401) setProblem(err.message); return null; });
  useEffect(() => { reload(); return () => { alive.current = false; }; }, [blockId]);
  return { runs, problem, reload };
}

function BlockFacts({ block }) {
  const c = block.config ?? {};
  return html`
    <header class="bar">
      <h1>${block.name}</h1>
      <span class="badge block-type">${block.type}</span>
      <span class="muted block-version">version <b>${block.version}</b></span>
    </header>
    <p class="facts block-facts">
      ${c.model && html`<span>model <b>${c.model}</b></span>`}
      ${c.tools?.length > 0 && html`<span>tools <b>${c.tools.map((t) => t.name).join(', ')}</b></span>`}
      ${c.goal && html`<span class="goal" title=${c.goal}>goal <b>${c.goal}</b></span>`}
    </p>`;
}

function Tester({ block }) {
  const editor = useInputEditor(block.config?.inputSchema);
  const runId = route.value.query.get('run');
  const { x, connection, missing } = useExecutionStream(runId);
  const history = useHistory(block.id);
  const [refused, setRefused] = useState('');
  const [starting, setStarting] = useState(false);
  const [runProblem, setRunProblem] = useState('');
  const [loadedFrom, setLoadedFrom] = useState(null);

  // A reloaded page shows the watched run's input in the form.
  useEffect(() => {
    if (!runId) return;
    get(`/api/blocks/${block.id}/tests/${runId}`).then((r) => editor.fill(r.input)).catch(() => {});
  }, []);

  // The history shows a run once it starts and again once it ends (asked
  // again a few times should its row not say so yet).
  useEffect(() => {
    if (!runId || !(x.status === 'running' || isTerminal(x.status))) return undefined;
    let stopped = false;
    let tries = 0;
    let timer;
    async function refresh() {
      const row = (await history.reload())?.find((r) => r.executionId === runId);
      if (!stopped && isTerminal(x.status) && row && !isTerminal(row.status) && ++tries < 5)
        timer = setTimeout(refresh, 400);
    }
    refresh();
    return () => { stopped = true; clearTimeout(timer); };
  }, [runId, x.status]);

  async function run() {
    const input = editor.read();
    if (input === null) { setRefused('Fix the input first: it is marked where it is wrong.'); return; }
    setStarting(true);
    try {
      const started = await post(`/api/blocks/${block.id}/test`, { input });
      setRefused('');
      setRunProblem('');
      navigate(`${location.pathname}?run=${encodeURIComponent(started.executionId)}`);
    } catch (err) {
      if (err.status !== 401) setRefused(refusal(err));
    } finally {
      setStarting(false);
    }
  }

  async function cancel() {
    try {
      await post(`/api/executions/${runId}/cancel`);
    } catch (err) {
      if (err.code !== 'invalid_state') setRunProblem(refusal(err));  // already over: the stream says how
    }
  }

  function useAgain(r) {
    editor.fill(r.input);
    setRefused('');
    setLoadedFrom(r);
    document.querySelector('.tester-form')?.scrollIntoView({ block: 'nearest' });
  }

  const submit = (e) => { e.preventDefault(); if (!starting) run(); };
  const submitOnCtrlEnter = (e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) submit(e); };

  return html`
    <section class="block-test" data-status=${runId ? x.status : 'idle'}>
      <${BlockFacts} block=${block} />
      <div class="tester">
        <form class="tester-form card" noValidate onSubmit=${submit} onKeyDown=${submitOnCtrlEnter}>
          <h2>Input</h2>
          <${InputEditor} editor=${editor} />
          <div class="run-bar">
            <button type="submit" class="primary run-button" disabled=${starting}>Run</button>
            ${loadedFrom && html`<span class="hint loaded-from">Input of the run of ${new Date(loadedFrom.startedAt).toLocaleTimeString()}</span>`}
          </div>
          ${refused && html`<p class="problem refused" role="alert">${refused}</p>`}
        </form>
        ${runId ? html`<${RunView} runId=${runId} x=${x} version=${x.lastIndex} connection=${connection} missing=${missing}
                      streams=${block.type === 'ai-block'} onCancel=${cancel} problem=${runProblem} />`
                : html`<section class="run card idle"><p class="muted">Run the block to see its output here.</p></section>`}
      </div>
      <h2>Earlier runs</h2>
      ${history.problem && html`<p class="problem">${history.problem}</p>`}
      <${History} runs=${history.runs} watching=${runId} use=${useAgain} />
      <p class="hint">j / k move through the runs, Enter uses the selected run's input.</p>
    </section>`;
}

export function BlockTest({ id }) {
  const [block, setBlock] = useState(null);
  const [problem, setProblem] = useState(null);
  useEffect(() => {
    get(`/api/blocks/${encodeURIComponent(id)}`).then(setBlock).catch((err) => setProblem(err));
  }, [id]);
  if (problem?.status === 404) return html`<section><h1>Block not found</h1><p>No block <code>${id}</code> here.</p></section>`;
  if (problem) return html`<section><h1>Block tester</h1><p class="problem" role="alert">${problem.message}</p></section>`;
  if (!block) return html`<section><p class="muted">Loading…</p></section>`;
  return html`<${Tester} block=${block} />`;
}

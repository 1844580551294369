// The webhook of one flow: its URL, its secret shown once (after create or
// regenerate), the webhook's own on/off switch, its rate limit, and the call log.
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from '../html.js';
import { api, get, post } from '../api.js';
import { navigate } from '../router.js';
import { duration, time } from '../format.js';

const refreshMs = 3000;
const logLimit = 100;
const mask = '••••••••••••••••';

// The trigger URL as a caller outside sees it; without a secret, the part
// before it.
function triggerUrl(flowId, secret = '') {
  return `${location.origin}/api/webhooks/${encodeURIComponent(flowId)}/${secret}`;
}

// The API answers the secret (and the URL that holds it) on every GET; the
// page keeps neither unless it has just been created or regenerated.
function withoutSecret({ secret, url, ...rest }) {
  return rest;
}

function bytes(n) {
  if (n == null) return '–';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

function latency(ms) {
  return ms != null && ms < 10 ? `${ms.toFixed(1)} ms` : duration(ms);
}

function statusClass(code) {
  return code >= 200 && code < 300 ? 'ok' : 'bad';
}

function typingOrPressing(target) {
  return Boolean(target.closest?.('input, select, textarea, button, a'));
}

function useFlow(flowId) {
  const [flow, setFlow] = useState(null);
  const [problem, setProblem] = useState('');
  useEffect(() => {
    get(`/api/flows/${flowId}`).then(setFlow)
      .catch((err) => { if (err.status !== 401) setProblem(err.message); });
  }, [flowId]);
  return { flow, setFlow, problem };
}

// undefined while loading, null when the flow has none.
function useWebhook(flowId) {
  const [hook, setHook] = useState(undefined);
  const [problem, setProblem] = useState('');
  useEffect(() => {
    get(`/api/flows/${flowId}/webhook`).then((h) => setHook(withoutSecret(h)))
      .catch((err) => {
        if (err.status === 404) setHook(null);
        else if (err.status !== 401) setProblem(err.message);
      });
  }, [flowId]);
  return { hook, setHook, problem };
}

// The log, newest first, fetched again every few seconds while the page is
// visible; refresh() fetches at once.
function useCallLog(flowId) {
  const [items, setItems] = useState(null);
  const [problem, setProblem] = useState('');
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let stopped = false;
    let timer;
    async function load() {
      if (!document.hidden) {
        try {
          const page = await get(`/api/flows/${flowId}/webhook/logs?limit=${logLimit}`);
          if (!stopped) { setItems(page.items); setProblem(''); }
        } catch (err) {
          if (!stopped && err.status !== 401) setProblem(err.message);
        }
      }
      if (!stopped) timer = setTimeout(load, refreshMs);
    }
    load();
    return () => { stopped = true; clearTimeout(timer); };
  }, [flowId, tick]);
  return { items, problem, refresh: () => setTick((t) => t + 1) };
}

function CopyButton({ text, label = 'Copy' }) {
  const [state, setState] = useState('');
  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
      setState('Copied');
    } catch {
      setState('Copy failed: select the text');
    }
    setTimeout(() => setState(''), 2500);
  }
  return html`<button type="button" onClick=${copy}>${label}</button>
    ${state && html`<span class="copied" role="status">${state}</span>`}`;
}

// Rate and burst, sent as typed: the server says what it refuses.
function readLimits(form) {
  const body = {};
  for (const key of ['ratePerSecond', 'burst']) {
    const value = form.elements[key].value.trim();
    if (value !== '') body[key] = Number(value);
  }
  return body;
}

function CreateWebhook({ flowId, onCreated }) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState('');
  async function create(e) {
    e.preventDefault();
    setBusy(true);
    try {
      onCreated(await post(`/api/flows/${flowId}/webhook`, readLimits(e.currentTarget)));
    } catch (err) {
      setProblem(err.message);
    }
    setBusy(false);
  }
  return html`
    <form class="card create-webhook" onSubmit=${create} noValidate>
      <h2>No webhook yet</h2>
      <p class="muted">A webhook gives this flow a URL that outside services can call to start it.
        The rate limit is set now and stays with the webhook.</p>
      <div class="bar">
        <label>Rate (calls/s) <input name="ratePerSecond" type="number" step="any" defaultValue="10" size="6" /></label>
        <label>Burst <input name="burst" type="number" step="any" defaultValue="20" size="6" /></label>
        <button type="submit" disabled=${busy}>Create webhook</button>
      </div>
      ${problem && html`<p class="problem" role="alert">${problem}</p>`}
    </form>`;
}

function SecretOnce({ flowId, secret, regenerated, onDone }) {
  const url = triggerUrl(flowId, secret);
  return html`
    <section class="card secret-once" aria-label="New secret">
      <h2>Store the secret now: it will not be shown again</h2>
      ${regenerated && html`<p>The previous URL and secret no longer work; callers using them are refused (401).</p>`}
      <p class="copy-row"><span class="label">Secret</span><code class="secret">${secret}</code>
        <${CopyButton} text=${secret} /></p>
      <p class="copy-row"><span class="label">URL</span><code class="full-url">${url}</code>
        <${CopyButton} text=${url} /></p>
      <button type="button" onClick=${onDone}>I have stored it</button>
    </section>`;
}

// The URL without its secret: the last part is the secret the caller holds.
function Endpoint({ flowId }) {
  const base = triggerUrl(flowId);
  return html`
    <p class="copy-row"><span class="label">URL</span>
      <code class="url">${base}<span class="mask" title="the secret">${mask}</span></code>
      <${CopyButton} text=${base} label="Copy URL without secret" /></p>
    <p class="hint">POST JSON to it; the body becomes the execution's input. The last part of the URL is the
      secret, shown only when it is created or regenerated.</p>`;
}

function Regenerate({ flowId, onRegenerated }) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState('');
  async function regenerate() {
    setBusy(true);
    try {
      onRegenerated(await post(`/api/flows/${flowId}/webhook/regenerate`));
      setAsking(false);
      setProblem('');
    } catch (err) {
      setProblem(err.message);
    }
    setBusy(false);
  }
  if (!asking) return html`<button type="button" onClick=${() => setAsking(true)}>Regenerate secret…</button>`;
  return html`
    <div class="confirm" role="alertdialog" aria-label="Regenerate the secret">
      <p>Regenerate the secret? The current URL and secret stop working at once: every caller using them
        is refused until it has the new one.</p>
      <button type="button" class="danger" disabled=${busy} onClick=${regenerate}>Regenerate</button>
      <button type="button" disabled=${busy} onClick=${() => setAsking(false)}>Cancel</button>
      ${problem && html`<p class="problem" role="alert">${problem}</p>`}
    </div>`;
}

// The webhook's own switch (PATCH enabled): a disabled webhook answers calls
// 404, as if there were none; the flow, its API runs, the URL and the secret
// stay as they are.
function WebhookSwitch({ flowId, hook, onSaved }) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState('');
  async function toggle() {
    setBusy(true);
    try {
      onSaved(await api('PATCH', `/api/flows/${flowId}/webhook`, { enabled: !hook.enabled }));
      setProblem('');
    } catch (err) {
      setProblem(err.message);
    }
    setBusy(false);
  }
  const on = hook.enabled;
  return html`
    <div class="webhook-switch" data-enabled=${String(on)}>
      <button type="button" disabled=${busy} onClick=${toggle}>${on ? 'Disable webhook' : 'Enable webhook'}</button>
      <span class="hint">${on ? 'Disabling answers calls 404, as if there were no webhook; the flow, its API runs, the URL and the secret stay.'
        : 'Calls are answered 404 until the webhook is enabled; the URL and secret stay.'}</span>
      ${problem && html`<p class="problem" role="alert">${problem}</p>`}
    </div>`;
}

// The rate limit (PATCH ratePerSecond and burst), applied at once: the next
// call starts a full bucket of the new burst. A refused value stays in its
// field with the server's error next to it; nothing is changed then.
function RateLimit({ flowId, hook, onSaved }) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState('');
  const [saved, setSaved] = useState(false);
  async function save(e) {
    e.preventDefault();
    setBusy(true);
    setSaved(false);
    try {
      onSaved(await api('PATCH', `/api/flows/${flowId}/webhook`, readLimits(e.currentTarget)));
      setProblem('');
      setSaved(true);
    } catch (err) {
      setProblem(err.message);
    }
    setBusy(false);
  }
  return html`
    <form class="limits bar" onSubmit=${save} onInput=${() => setSaved(false)} noValidate>
      <label>Rate (calls/s) <input name="ratePerSecond" type="number" step="any" defaultValue=${hook.ratePerSecond} size="6" /></label>
      <label>Burst <input name="burst" type="number" step="1" defaultValue=${hook.burst} size="6" /></label>
      <button type="submit" disabled=${busy}>Save rate limit</button>
      ${saved && html`<span class="saved" role="status">Saved</span>`}
      ${problem && html`<p class="problem" role="alert">${problem}</p>`}
    </form>`;
}

function WebhookFacts({ hook, flow }) {
  return html`
    <p class="facts">
      <span>webhook <b class=${hook.enabled ? 'ok' : 'bad'}>${hook.enabled ? 'active' : 'inactive (calls answered 404)'}</b></span>
      <span>rate limit <b class="rate-limit">${hook.ratePerSecond}/s, burst ${hook.burst}</b></span>
      <span>created <b>${time(hook.createdAt)}</b></span>
      ${flow?.enabled === false && html`<span class="flow-disabled">flow <b class="bad">disabled (calls answered 409)</b></span>`}
    </p>`;
}

// j/k/Enter over the rows. The listener reads the rows and the selection
// from a ref set at each render: an effect would run only after paint, and a
// fast key press would see the previous selection.
function useRowKeys(items, current, setSelected) {
  const latest = useRef();
  latest.current = { items, current };
  useEffect(() => {
    function onKey(e) {
      const { items, current } = latest.current;
      if (!items?.length || typingOrPressing(e.target) || e.ctrlKey || e.metaKey || e.altKey) return;
      const at = Math.max(items.findIndex((x) => x.id === current), 0);
      const move = (to) => { latest.current.current = items[to].id; setSelected(items[to].id); };
      if (e.key === 'j') move(Math.min(at + 1, items.length - 1));
      else if (e.key === 'k') move(Math.max(at - 1, 0));
      else if (e.key === 'Enter' && items[at].executionId) navigate('/executions/' + items[at].executionId);
    }
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, []);
}

function CallLog({ flowId }) {
  const { items, problem, refresh } = useCallLog(flowId);
  const [selected, setSelected] = useState(null);
  const current = items?.some((x) => x.id === selected) ? selected : items?.[0]?.id;
  useRowKeys(items, current, setSelected);
  return html`
    <section class="call-log">
      <header class="bar"><h2>Calls</h2>
        <button type="button" onClick=${refresh}>Refresh</button>
        <span class="hint">newest first; j/k move, Enter opens the execution</span></header>
      ${problem && html`<p class="problem" role="alert">${problem}</p>`}
      ${items === null ? html`<p class="muted">Loading…</p>`
        : items.length === 0 ? html`<p class="muted">No calls yet.</p>`
        : html`
        <table class="list">
          <thead><tr><th>Received</th><th class="num">Status</th><th class="num">Latency</th>
            <th class="num">Size</th><th>Execution</th><th>Error</th><th>From</th></tr></thead>
          <tbody>
            ${items.map((x) => html`
              <tr key=${x.id} class=${x.id === current ? 'selected' : ''} data-id=${x.id} data-status=${x.status}>
                <td>${time(x.receivedAt)}</td>
                <td class="num"><b class=${statusClass(x.status)}>${x.status}</b></td>
                <td class="num">${latency(x.latencyMs)}</td>
                <td class="num">${bytes(x.bodyBytes)}</td>
                <td>${x.executionId ? html`<a href=${'/executions/' + x.executionId}><code>${x.executionId}</code></a>`
                  : html`<span class="muted">–</span>`}</td>
                <td class="error" title=${x.error ?? ''}>${x.error ?? ''}</td>
                <td class="muted">${x.remoteAddr}</td>
              </tr>`)}
          </tbody>
        </table>`}
    </section>`;
}

export function Webhook({ flowId }) {
  const { flow, problem: flowProblem } = useFlow(flowId);
  const { hook, setHook, problem: hookProblem } = useWebhook(flowId);
  const [fresh, setFresh] = useState(null);  // {secret, regenerated} just answered
  function reveal(answer, regenerated) {
    setHook(withoutSecret(answer));
    setFresh({ secret: answer.secret, regenerated });
  }
  return html`
    <section class="webhook">
      <header class="bar">
        <h1>Webhook</h1>
        ${flow && html`<span class="muted">of flow <a href=${'/executions?flowId=' + encodeURIComponent(flowId)}>${flow.name}</a></span>`}
      </header>
      ${(flowProblem || hookProblem) && html`<p class="problem" role="alert">${flowProblem || hookProblem}</p>`}
      ${hook === undefined && !hookProblem && html`<p class="muted">Loading…</p>`}
      ${hook === null && !flowProblem && html`<${CreateWebhook} flowId=${flowId} onCreated=${(a) => reveal(a, false)} />`}
      ${fresh && html`<${SecretOnce} flowId=${flowId} ...${fresh} onDone=${() => setFresh(null)} />`}
      ${hook && html`
        <section class="card endpoint">
          <${Endpoint} flowId=${flowId} />
          <${WebhookFacts} hook=${hook} flow=${flow} />
          <${WebhookSwitch} flowId=${flowId} hook=${hook} onSaved=${(a) => setHook(withoutSecret(a))} />
          <${RateLimit} flowId=${flowId} hook=${hook} onSaved=${(a) => setHook(withoutSecret(a))} />
          <${Regenerate} flowId=${flowId} onRegenerated=${(a) => reveal(a, true)} />
        </section>`}
      <${CallLog} flowId=${flowId} />
    </section>`;
}

// Create or edit a pattern of a block: name, description, a jq condition over
// the decision's input and the outcome it predicts (JSON, empty for null).
// A refusal (400 invalid_pattern) shows the server's message at the field it names.
import { useState } from 'preact/hooks';
import { html } from '../html.js';
import { api } from '../api.js';

const fields = ['name', 'description', 'condition', 'outcome', 'blockId'];

// The field a server message names ("condition: …", "name must …"), or ''.
export function fieldOf(message) {
  const first = /^([A-Za-z]+)/.exec(message ?? '')?.[1];
  return fields.includes(first) ? first : '';
}

function initialOf(pattern) {
  return {
    name: pattern?.name ?? '', description: pattern?.description ?? '',
    condition: pattern?.condition ?? '',
    outcome: pattern?.outcome == null ? '' : JSON.stringify(pattern.outcome, null, 2),
  };
}

function bodyOf(form, blockId) {
  let outcome = null;
  if (form.outcome.trim()) {
    try { outcome = JSON.parse(form.outcome); }
    catch (err) { throw Object.assign(new Error(`outcome is not JSON: ${err.message}`), { field: 'outcome' }); }
  }
  return { name: form.name, description: form.description, blockId, condition: form.condition, outcome };
}

function FieldError({ error, field }) {
  if (!error || error.field !== field) return null;
  return html`<p class="problem field-error" role="alert" id=${`pattern-${field}-error`}>${error.message}</p>`;
}

export function PatternForm({ blockId, pattern, onSaved, onCancel }) {
  const [form, setForm] = useState(() => initialOf(pattern));
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const set = (name) => (e) => setForm({ ...form, [name]: e.currentTarget.value });
  const invalid = (field) => (error?.field === field ? 'true' : undefined);

  async function submit(e) {
    e.preventDefault();
    setBusy(true);
    try {
      const body = bodyOf(form, blockId);
      const saved = pattern ? await api('PUT', `/api/patterns/${pattern.id}`, body)
                            : await api('POST', '/api/patterns', body);
      setError(null);
      onSaved(saved);
    } catch (err) {
      setError({ field: err.field ?? fieldOf(err.message), message: err.message });
    } finally {
      setBusy(false);
    }
  }

  return html`
    <form class="pattern-form" onSubmit=${submit} data-mode=${pattern ? 'edit' : 'create'}>
      <h3>${pattern ? `Edit “${pattern.name}”` : 'New pattern'}</h3>
      <label>Name <input name="name" value=${form.name} onInput=${set('name')} aria-invalid=${invalid('name')} /></label>
      <${FieldError} error=${error} field="name" />
      <label>Description <input name="description" value=${form.description} onInput=${set('description')} /></label>
      <${FieldError} error=${error} field="description" />
      <label><span>Condition <span class="hint">(jq over the decision's input, true when it matches; e.g. <code>.kind == "billing"</code>)</span></span>
        <textarea name="condition" rows="2" class="code" value=${form.condition} onInput=${set('condition')}
          aria-invalid=${invalid('condition')} aria-describedby="pattern-condition-error"></textarea></label>
      <${FieldError} error=${error} field="condition" />
      <label><span>Outcome <span class="hint">(the output it predicts, JSON; empty for none)</span></span>
        <textarea name="outcome" rows="2" class="code" value=${form.outcome} onInput=${set('outcome')}
          aria-invalid=${invalid('outcome')}></textarea></label>
      <${FieldError} error=${error} field="outcome" />
      ${error && !['name', 'description', 'condition', 'outcome'].includes(error.field)
        && html`<p class="problem" role="alert">${error.message}</p>`}
      <div class="actions">
        <button type="submit" class="primary" disabled=${busy}>${pattern ? 'Save pattern' : 'Create pattern'}</button>
        <button type="button" onClick=${onCancel}>Cancel</button>
      </div>
    </form>`;
}

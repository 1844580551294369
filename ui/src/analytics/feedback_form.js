// Feedback on one decision: correct or not, a category from the workspace's
// categories, the corrected output as JSON and notes; submitted through the
// API, with the server's error shown when it refuses.
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from '../html.js';
import { post } from '../api.js';

function initialOf(feedback) {
  return {
    correct: feedback ? String(feedback.correct) : '',
    category: feedback?.category ?? '',
    correctedOutput: feedback?.correctedOutput == null ? '' : JSON.stringify(feedback.correctedOutput, null, 2),
    notes: feedback?.notes ?? '',
  };
}

// The request body; throws a message when the corrected output is not JSON.
function bodyOf(form) {
  const body = {};
  if (form.correct !== '') body.correct = form.correct === 'true';
  if (form.category) body.category = form.category;
  if (form.correctedOutput.trim()) {
    try { body.correctedOutput = JSON.parse(form.correctedOutput); }
    catch (err) { throw new Error(`Corrected output is not JSON: ${err.message}`); }
  }
  if (form.notes.trim()) body.notes = form.notes;
  return body;
}

export function FeedbackForm({ decision, categories, onSaved, onCancel }) {
  const [form, setForm] = useState(() => initialOf(decision.feedback));
  const [problem, setProblem] = useState('');
  const [busy, setBusy] = useState(false);
  const first = useRef(null);
  useEffect(() => { first.current?.focus(); }, []);
  const set = (name) => (e) => setForm({ ...form, [name]: e.currentTarget.value });

  async function submit(e) {
    e.preventDefault();
    setBusy(true);
    try {
      const saved = await post(`/api/decisions/${decision.id}/feedback`, bodyOf(form));
      setProblem('');
      onSaved(saved);
    } catch (err) {
      setProblem(err.message);
    } finally {
      setBusy(false);
    }
  }

  const radio = (value, label, ref) => html`<label><input type="radio" name="correct" value=${value}
    ref=${ref} checked=${form.correct === value} onChange=${set('correct')} /> ${label}</label>`;
  return html`
    <form class="feedback-form" data-decision=${decision.id} onSubmit=${submit}
          onKeyDown=${(e) => e.key === 'Escape' && onCancel()}>
      <fieldset><legend>Was this decision correct?</legend>
        ${radio('true', 'Yes, correct', first)} ${radio('false', 'No, incorrect')}</fieldset>
      <label><span>Category <span class="hint">(required when incorrect)</span></span>
        <select name="category" value=${form.category} onChange=${set('category')}>
          <option value="">—</option>
          ${categories.map((c) => html`<option value=${c.name} title=${c.description}>${c.name}</option>`)}
        </select></label>
      <label><span>Corrected output <span class="hint">(JSON, optional)</span></span>
        <textarea name="correctedOutput" rows="3" value=${form.correctedOutput} onInput=${set('correctedOutput')}></textarea></label>
      <label>Notes <textarea name="notes" rows="2" value=${form.notes} onInput=${set('notes')}></textarea></label>
      ${problem && html`<p class="problem" role="alert">${problem}</p>`}
      <div class="actions">
        <button type="submit" class="primary" disabled=${busy}>Save feedback</button>
        <button type="button" onClick=${onCancel}>Cancel</button>
      </div>
    </form>`;
}

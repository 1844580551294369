// A block's test input: a form made from its config.inputSchema (one field
// per property), or a JSON editor that says where the JSON is wrong.
import { useState } from 'preact/hooks';
import { html } from '../html.js';
import { parseJson, prettyJson } from './json_text.js';

const longFormats = new Set(['textarea', 'multiline', 'markdown']);

// The one type a property is written as, ignoring "null" in a type list.
function typeOf(schema) {
  const types = [].concat(schema.type ?? []).filter((t) => t !== 'null');
  return types.length === 1 ? types[0] : null;
}

function kindOf(schema) {
  if (Array.isArray(schema.enum) && schema.enum.length) return 'enum';
  const type = typeOf(schema);
  if (type === 'string') {
    const long = longFormats.has(schema.format) || schema.contentMediaType || schema.maxLength > 120;
    return long ? 'long' : 'text';
  }
  if (type === 'number' || type === 'integer' || type === 'boolean') return type;
  return 'json';  // object, array, several types or none: typed as JSON
}

// The fields of an object schema with properties; null when the schema
// cannot be a form (no schema, not an object, no properties).
export function fieldsOf(schema) {
  if (!schema || typeof schema !== 'object' || !schema.properties || typeOf(schema) !== 'object') return null;
  const required = new Set(schema.required ?? []);
  const fields = Object.entries(schema.properties).map(([name, s]) => ({
    name, kind: kindOf(s ?? {}), required: required.has(name), schema: s ?? {},
    label: s?.title ?? name, hint: s?.description ?? '',
  }));
  return fields.length ? fields : null;
}

// The form's value of a field for an input value; undefined when the form
// could not give that exact value back.
function fieldValue(field, v) {
  if (v === undefined) return field.kind === 'boolean' ? null : '';
  switch (field.kind) {
    case 'enum': {
      const at = field.schema.enum.findIndex((e) => JSON.stringify(e) === JSON.stringify(v));
      return at < 0 ? undefined : String(at);
    }
    case 'text': case 'long':
      return typeof v === 'string' && v !== '' ? v : undefined;  // an empty field is left out
    case 'number': case 'integer':
      return typeof v === 'number' ? String(v) : undefined;
    case 'boolean':
      return typeof v === 'boolean' ? v : undefined;
    default:
      return prettyJson(v);
  }
}

// The form's values for `input`, or null when the input does not fit the
// form exactly (then the JSON editor shows it instead).
export function valuesFromInput(fields, input) {
  if (!input || typeof input !== 'object' || Array.isArray(input)) return null;
  const names = new Set(fields.map((f) => f.name));
  if (Object.keys(input).some((k) => !names.has(k))) return null;
  const values = {};
  for (const f of fields) {
    const v = fieldValue(f, input[f.name]);
    if (v === undefined) return null;
    values[f.name] = v;
  }
  return values;
}

// One field's input value: {value} (undefined: left out) or {error}.
function inputValue(field, raw) {
  switch (field.kind) {
    case 'enum': return { value: raw === '' ? undefined : field.schema.enum[Number(raw)] };
    case 'text': case 'long': return { value: raw === '' ? undefined : raw };
    case 'number': case 'integer': return { value: raw === '' ? undefined : Number(raw) };
    case 'boolean': return { value: raw ?? (field.required ? false : undefined) };
    default: {
      if (raw.trim() === '') return { value: undefined };
      const parsed = parseJson(raw);
      return parsed.ok ? { value: parsed.value } : { error: parsed.error };
    }
  }
}

// The input the form's values make: {ok, value} or {ok: false, errors}.
export function inputFromValues(fields, values) {
  const value = {};
  const errors = {};
  for (const f of fields) {
    const one = inputValue(f, values[f.name]);
    if (one.error) errors[f.name] = one.error;
    else if (one.value !== undefined) value[f.name] = one.value;
  }
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, value };
}

// The editor's state: the form (when the schema allows one) or JSON text.
export function useInputEditor(schema) {
  const fields = fieldsOf(schema);
  const [mode, setMode] = useState(fields ? 'form' : 'json');
  const [values, setValues] = useState(() => (fields ? valuesFromInput(fields, {}) : {}));
  const [text, setText] = useState('{}');
  const [note, setNote] = useState('');
  const formInput = fields && inputFromValues(fields, values);
  const jsonInput = parseJson(text);

  return {
    fields, mode, values, text, note,
    errors: mode === 'form' && !formInput.ok ? formInput.errors : {},
    jsonError: mode === 'json' && !jsonInput.ok ? jsonInput.error : '',
    setField: (name, v) => setValues((old) => ({ ...old, [name]: v })),
    setText,
    // The input to send, or null while some of it cannot be read.
    read: () => (mode === 'form' ? (formInput.ok ? formInput.value : null) : (jsonInput.ok ? jsonInput.value : null)),
    // Shows `input` exactly: in the form when it fits, else as JSON.
    fill(input) {
      const fitted = fields && valuesFromInput(fields, input);
      if (fitted) { setValues(fitted); setMode('form'); setNote(''); return; }
      setText(prettyJson(input ?? null));
      setMode('json');
      setNote(fields ? 'This input does not fit the form, so it is shown as JSON.' : '');
    },
    toggle() {
      if (mode === 'form') {
        if (!formInput.ok) return;
        setText(prettyJson(formInput.value)); setMode('json'); setNote('');
        return;
      }
      if (!jsonInput.ok) return;
      const fitted = valuesFromInput(fields, jsonInput.value);
      if (fitted) { setValues(fitted); setMode('form'); setNote(''); }
      else setNote('This input does not fit the form; edit it as JSON.');
    },
  };
}

function Control({ field, value, onChange }) {
  const id = `field-${field.name}`;
  const common = { id, name: field.name, 'aria-required': field.required ? 'true' : undefined };
  const typed = (e) => onChange(e.currentTarget.value);
  switch (field.kind) {
    case 'boolean':
      return html`<input type="checkbox" ...${common} checked=${value === true}
        onChange=${(e) => onChange(e.currentTarget.checked)} />`;
    case 'enum':
      return html`<select ...${common} value=${value} onChange=${typed}>
        <option value="">${field.required ? 'choose…' : '–'}</option>
        ${field.schema.enum.map((e, i) => html`<option value=${String(i)}>${typeof e === 'string' ? e : JSON.stringify(e)}</option>`)}
      </select>`;
    case 'number': case 'integer':
      return html`<input type="number" ...${common} step=${field.kind === 'integer' ? '1' : 'any'}
        min=${field.schema.minimum} max=${field.schema.maximum} value=${value} onInput=${typed} />`;
    case 'text':
      return value.includes('\n')
        ? html`<textarea ...${common} rows="3" value=${value} onInput=${typed}></textarea>`
        : html`<input type="text" ...${common} value=${value} onInput=${typed} />`;
    case 'long':
      return html`<textarea ...${common} rows="5" value=${value} onInput=${typed}></textarea>`;
    default:
      return html`<textarea ...${common} class="json-field" rows="3" spellcheck=${false}
        placeholder=${typeOf(field.schema) === 'array' ? '[ ]' : 'JSON'} value=${value} onInput=${typed}></textarea>`;
  }
}

function Field({ field, value, error, onChange }) {
  return html`
    <div class=${`field ${field.kind}`} data-field=${field.name}>
      <label for=${`field-${field.name}`}>${field.label}${field.required && html`<span class="required" title="required"> *</span>`}
        <span class="kind">${field.kind === 'json' ? (typeOf(field.schema) ?? 'JSON') : field.kind === 'long' ? 'text' : field.kind}</span></label>
      <${Control} field=${field} value=${value} onChange=${onChange} />
      ${field.hint && html`<span class="hint">${field.hint}</span>`}
      ${error && html`<span class="problem field-error">${error}</span>`}
    </div>`;
}

// The form, or the JSON editor, with the switch between them.
export function InputEditor({ editor }) {
  const { fields, mode } = editor;
  return html`
    <div class="input-editor" data-mode=${mode}>
      ${fields && html`<button type="button" class="link mode-switch" onClick=${editor.toggle}>
        ${mode === 'form' ? 'Edit as JSON' : 'Edit as form'}</button>`}
      ${editor.note && html`<p class="hint">${editor.note}</p>`}
      ${mode === 'form'
        ? fields.map((f) => html`<${Field} key=${f.name} field=${f} value=${editor.values[f.name]}
            error=${editor.errors[f.name]} onChange=${(v) => editor.setField(f.name, v)} />`)
        : html`<div class="field json">
            <label for="input-json">Input (JSON)</label>
            <textarea id="input-json" name="input" class="json-field" rows="10" spellcheck=${false}
              value=${editor.text} onInput=${(e) => editor.setText(e.currentTarget.value)}></textarea>
            ${editor.jsonError ? html`<span class="problem json-error">${editor.jsonError}</span>`
                               : html`<span class="hint">Valid JSON.</span>`}
          </div>`}
    </div>`;
}

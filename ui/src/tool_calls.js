// An ai-block's tool calls as they happened: each call with its arguments
// and each result (or error) with its output, in the order of the stream.
import { html } from './html.js';
import { JsonView } from './json_view.js';

export function ToolCalls({ tools }) {
  if (!tools?.length) return null;
  return html`<h3>Tool calls</h3>
    <ol class="tools">${tools.map((t) => html`<li class=${t.type}>
      <b>${t.type === 'tool_call' ? 'call' : 'result'}</b> ${t.name ?? ''}
      <${JsonView} value=${t.type === 'tool_call' ? t.arguments : (t.output ?? t.error)} name=${t.name ?? 'tool'} /></li>`)}</ol>`;
}

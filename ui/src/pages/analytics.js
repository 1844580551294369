// Analytics pages: /analytics for the workspace, /blocks/{id}/analytics for
// one ai-block (decisions, feedback, patterns); the parts live in ../analytics/.
import { html } from '../html.js';
import { WorkspaceAnalytics } from '../analytics/workspace.js';
import { BlockAnalytics } from '../analytics/block.js';

export function Analytics({ blockId }) {
  return blockId ? html`<${BlockAnalytics} blockId=${blockId} />` : html`<${WorkspaceAnalytics} />`;
}

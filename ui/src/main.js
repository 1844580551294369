// The web page: a shell with the navigation and the page the URL names.
// Every page has its own URL; an unknown one says so.
import { render } from 'preact';
import { html } from './html.js';
import { api } from './api.js';
import { match, navigate, route } from './router.js';
import { SignIn } from './pages/signin.js';
import { Executions } from './pages/executions.js';
import { prefetchExecutions } from './executions_feed.js';
import { Execution } from './pages/execution.js';
import { lazyPage } from './lazy_page.js';
import './style.css';
// The lazy pages' styles come with the first load: esbuild does not load a
// split chunk's CSS by itself.
import './pages/block_test.css';
import './pages/webhook.css';
import './analytics/analytics.css';
import 'uplot/dist/uPlot.min.css';

const BlockTest = lazyPage(() => import('./pages/block_test.js').then((m) => m.BlockTest));
const Webhook = lazyPage(() => import('./pages/webhook.js').then((m) => m.Webhook));
const Analytics = lazyPage(() => import('./pages/analytics.js').then((m) => m.Analytics));

async function signOut() {
  await api('DELETE', '/api/session').catch(() => {});
  navigate('/signin', { replace: true });
}

function Page() {
  const path = route.value.path;
  if (path === '/signin') return html`<${SignIn} />`;
  if (path === '/' || path === '/executions') return html`<${Executions} />`;
  const execution = match('/executions/:id', path);
  if (execution) return html`<${Execution} id=${execution.id} key=${execution.id} />`;
  const tester = match('/blocks/:id/test', path);
  if (tester) return html`<${BlockTest} id=${tester.id} key=${tester.id} />`;
  const webhook = match('/flows/:id/webhook', path);
  if (webhook) return html`<${Webhook} flowId=${webhook.id} key=${webhook.id} />`;
  if (path === '/analytics') return html`<${Analytics} key="" />`;
  const analytics = match('/blocks/:id/analytics', path);
  if (analytics) return html`<${Analytics} blockId=${analytics.id} key=${analytics.id} />`;
  return html`<section><h1>Not found</h1><p>Nothing lives at <code>${path}</code>.</p>
    <p><a href="/executions">Executions</a></p></section>`;
}

function App() {
  const signin = route.value.path === '/signin';
  return html`
    ${!signin && html`<nav class="top">
      <a class="brand" href="/executions">Baley</a>
      <a href="/executions">Executions</a>
      <a href="/analytics">Analytics</a>
      <span class="spacer"></span>
      <button type="button" class="link" onClick=${signOut}>Sign out</button>
    </nav>`}
    <div class="page"><${Page} /></div>`;
}

if (route.value.path === '/' || route.value.path === '/executions') prefetchExecutions(route.value.query);
render(html`<${App} />`, document.getElementById('app'));

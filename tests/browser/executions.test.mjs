// The execution pages in a real browser against the real server: sign in and
// out, the list, an execution watched live (the active node, tokens as they
// stream), a dropped connection and a reload in the middle of a stream (every
// token on screen exactly once), cancel and retry, and a failed execution's
// error on its node.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchBrowser, openPage, screenshot, signIn, startProxy, startServer } from './harness.mjs';

let server;
let browser;
let connection;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  // 40 ms per token: a reply of 30 words streams for about 1.2 s.
  const created = await server.api('POST', '/api/connections',
    { name: 'sim', type: 'simulated', baseUrl: 'simulated://?tokenDelayMs=40' });
  assert.equal(created.status, 201);
  connection = created.body.id;
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function flow(body) {
  const created = await server.api('POST', '/api/flows', body);
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body.id;
}

const words = (n) => Array.from({ length: n }, (_, i) => `word${i}`).join(' ');

// in -> wait (delay) -> ask (streaming ai-block) -> out
// The wait outlasts a page load on a busy machine, so the page sees it.
async function streamingFlow(delayMs = 3000) {
  return flow({ name: `stream-${Date.now()}`, nodes: [
    { id: 'in', type: 'source' },
    { id: 'wait', type: 'delay', data: { ms: delayMs } },
    { id: 'ask', type: 'ai-block', data: { connectionId: connection, model: 'sim-1', goal: 'Echo.' } },
    { id: 'out', type: 'sink' }],
    edges: [{ source: 'in', target: 'wait' }, { source: 'wait', target: 'ask' }, { source: 'ask', target: 'out' }] });
}

async function start(flowId, input) {
  const started = await server.api('POST', `/api/flows/${flowId}/execute`, { input });
  assert.equal(started.status, 202, JSON.stringify(started.body));
  return started.body.executionId;
}

async function finished(id) {
  for (let i = 0; i < 200; i++) {
    const x = await server.api('GET', `/api/executions/${id}`);
    if (['completed', 'failed', 'cancelled'].includes(x.body.status)) return x.body;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`execution ${id} did not finish`);
}

const streamedText = (page) => page.locator('pre.tokens[data-node="ask"]').textContent();

test('signing in with a wrong token says so; the right one opens the executions; sign out', async () => {
  const page = await openPage(browser);
  await page.goto(`${server.url}/executions`);
  await page.waitForURL(/\/signin\?next=/);
  await page.fill('#token', 'not-a-token');
  await page.click('button[type=submit]');
  await page.locator('[role=alert]').waitFor();
  assert.match(await page.locator('[role=alert]').textContent(), /not valid/);
  page.problems.length = 0;  // the refused sign-in is a 401 on purpose
  await screenshot(page, 'signin-refused');
  await signIn(page, server);
  await page.locator('h1', { hasText: 'Executions' }).waitFor();
  await screenshot(page, 'executions-empty');
  await page.click('text=Sign out');
  await page.waitForURL(`${server.url}/signin`);
  await page.goto(`${server.url}/executions`);
  await page.waitForURL(/\/signin/);
  await page.context().close();
});

test('an execution streams live: the active node, then its tokens, once each', async () => {
  const page = await openPage(browser);
  await signIn(page, server);
  const flowId = await streamingFlow();
  const input = words(30);
  const id = await start(flowId, input);
  await page.goto(`${server.url}/executions/${id}`);
  await page.locator('.active-node', { hasText: 'wait' }).waitFor();
  assert.equal(await page.locator('li[data-node="wait"]').getAttribute('data-status'), 'waiting');
  await screenshot(page, 'execution-waiting');
  await page.locator('.active-node', { hasText: 'ask' }).waitFor();
  await page.waitForFunction(() => (document.querySelector('pre.tokens')?.textContent ?? '').length > 0);
  const partial = await streamedText(page);
  await screenshot(page, 'execution-streaming');
  await page.locator('section.execution[data-status="completed"]').waitFor({ timeout: 15_000 });
  const done = await finished(id);
  const text = await streamedText(page);
  assert.ok(text.startsWith(partial) && text.length > partial.length, 'the text grew token by token');
  assert.equal(text, done.nodes.find((n) => n.nodeId === 'ask').output);
  await screenshot(page, 'execution-completed');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a dropped connection and a reload mid-stream lose and repeat no token', async () => {
  const proxy = await startProxy(server.port);
  const page = await openPage(browser, { expectCuts: true });
  await signIn(page, server, proxy.url);
  const flowId = await streamingFlow(100);
  const id = await start(flowId, words(40));
  await page.goto(`${proxy.url}/executions/${id}`);
  await page.waitForFunction(() => (document.querySelector('pre.tokens')?.textContent ?? '').split(' ').length > 5);
  proxy.cut();  // the network drops; EventSource comes back from its last id
  await page.waitForFunction(() => (document.querySelector('pre.tokens')?.textContent ?? '').split(' ').length > 15);
  await page.reload();
  await page.locator('section.execution[data-status="completed"]').waitFor({ timeout: 15_000 });
  const done = await finished(id);
  assert.equal(await streamedText(page), done.nodes.find((n) => n.nodeId === 'ask').output);
  await screenshot(page, 'execution-after-drop-and-reload');
  await page.context().close();
  await proxy.close();
});

test('cancel stops a running execution and retry starts it again with the same input', async () => {
  const page = await openPage(browser);
  await signIn(page, server);
  const flowId = await streamingFlow(5000);
  const id = await start(flowId, { ticket: 7 });
  await page.goto(`${server.url}/executions/${id}`);
  await page.locator('.active-node', { hasText: 'wait' }).waitFor();
  await page.click('button:has-text("Cancel")');
  await page.locator('section.execution[data-status="cancelled"]').waitFor();
  await screenshot(page, 'execution-cancelled');
  await page.click('button:has-text("Retry")');
  await page.waitForURL((url) => url.pathname.startsWith('/executions/') && !url.pathname.endsWith(id));
  const retried = page.url().split('/').pop();
  const x = await server.api('GET', `/api/executions/${retried}`);
  assert.deepEqual(x.body.input, { ticket: 7 });
  assert.equal(x.body.flowId, flowId);
  await server.api('POST', `/api/executions/${retried}/cancel`);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a failed execution shows its error on the node that failed, and the list shows it', async () => {
  const page = await openPage(browser);
  await signIn(page, server);
  const flowId = await flow({ name: 'fails', nodes: [
    { id: 'in', type: 'source' },
    { id: 'check', type: 'function-block', data: { code: 'error("ticket \\(.n) is not valid")' } }],
    edges: [{ source: 'in', target: 'check' }] });
  const id = await start(flowId, { n: 42 });
  await finished(id);
  await page.goto(`${server.url}/executions/${id}`);
  await page.locator('section.execution[data-status="failed"]').waitFor();
  assert.match(await page.locator('.execution-error').textContent(), /check.*ticket 42 is not valid/);
  assert.match(await page.locator('li[data-node="check"]').getAttribute('class'), /errored/);
  await page.click('li[data-node="check"] a');
  await page.locator('section.card', { hasText: 'ticket 42 is not valid' }).waitFor();
  assert.match(page.url(), /\?node=check$/);
  await screenshot(page, 'execution-failed');
  await page.goto(`${server.url}/executions?status=failed`);
  await page.locator(`tr[data-id="${id}"]`).waitFor();
  await screenshot(page, 'executions-failed-filter');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

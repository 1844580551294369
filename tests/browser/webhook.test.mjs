// The webhook page in a real browser against the real server: create, URL and
// secret once, regenerate with confirmation, the webhook's own switch and rate
// limit (PATCH), the call log.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchBrowser, openPage, screenshot, signIn, startServer } from './harness.mjs';

let server;
let browser;
let flowId;
let secret;          // the webhook's current secret, as the page showed it
const calls = [];    // {status, executionId} of every logged call made, oldest first

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  const created = await server.api('POST', '/api/flows', { name: 'orders', nodes: [
    { id: 'in', type: 'source' },
    { id: 'double', type: 'function-block', data: { code: '{n: (.n * 2)}' } },
    { id: 'out', type: 'sink' }],
    edges: [{ source: 'in', target: 'double' }, { source: 'double', target: 'out' }] });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  flowId = created.body.id;
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

// An outside caller: no token, the secret in the path. A call to a disabled
// webhook is answered as one to a flow without a webhook, and like it is not
// logged: `logged: false` keeps it out of `calls`.
async function callWebhook(withSecret, n, { logged = true } = {}) {
  const res = await fetch(`${server.url}/api/webhooks/${flowId}/${withSecret}`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ n }) });
  const body = await res.json();
  if (logged) calls.push({ status: res.status, executionId: body.executionId ?? null });
  return { status: res.status, body, headers: res.headers };
}

async function webhookPage() {
  const page = await openPage(browser);
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
  await signIn(page, server);
  await page.goto(`${server.url}/flows/${flowId}/webhook`);
  return page;
}

// Refusals the page asked for on purpose show as console errors ("Failed to
// load resource ... status of 404"): the 404 of a flow without webhook, the
// 400 of a refused rate limit. Take those out, leave anything else.
function dropExpectedRefusals(page, ...statuses) {
  const expected = (p) => statuses.some((s) => p.includes(`status of ${s}`));
  const kept = page.problems.filter((p) => !expected(p));
  page.problems.length = 0;
  page.problems.push(...kept);
}

const clipboard = (page) => page.evaluate(() => navigator.clipboard.readText());

test('create: a refused rate limit shows the server\'s error; then the secret once and the URL as the API says', async () => {
  const page = await webhookPage();
  await page.locator('form.create-webhook').waitFor();
  assert.match(await page.locator('h1 + .muted').textContent(), /orders/);
  await screenshot(page, 'webhook-none');

  await page.fill('input[name=ratePerSecond]', '0');
  await page.click('button:has-text("Create webhook")');
  const refused = page.locator('form.create-webhook [role=alert]');
  await refused.waitFor();
  assert.match(await refused.textContent(), /ratePerSecond must be 0\.01\.\.10000/);
  assert.equal((await server.api('GET', `/api/flows/${flowId}/webhook`)).status, 404, 'nothing created');
  assert.equal(await page.inputValue('input[name=ratePerSecond]'), '0', 'the refused value stays to be fixed');
  await screenshot(page, 'webhook-rate-refused');

  await page.fill('input[name=ratePerSecond]', '5');
  await page.fill('input[name=burst]', '8');
  await page.click('button:has-text("Create webhook")');
  await page.locator('.secret-once').waitFor();
  const shown = await server.api('GET', `/api/flows/${flowId}/webhook`);
  assert.equal(shown.status, 200);
  secret = await page.locator('.secret-once code.secret').textContent();
  assert.equal(secret, shown.body.secret);
  assert.equal(await page.locator('.secret-once code.full-url').textContent(), shown.body.url);
  assert.equal(new URL(shown.body.url).pathname, `/api/webhooks/${flowId}/${secret}`);
  assert.equal(await page.locator('.endpoint code.url').textContent(),
    `${server.url}/api/webhooks/${flowId}/${'•'.repeat(16)}`);
  assert.equal(await page.locator('.rate-limit').textContent(), '5/s, burst 8');
  assert.equal(await page.locator('form.create-webhook').count(), 0);

  await page.locator('.secret-once .copy-row', { hasText: 'Secret' }).locator('button').click();
  await page.locator('.secret-once .copied', { hasText: 'Copied' }).waitFor();
  assert.equal(await clipboard(page), secret);
  await page.locator('.endpoint button', { hasText: 'Copy URL without secret' }).click();
  await page.locator('.endpoint .copied', { hasText: 'Copied' }).waitFor();
  assert.equal(await clipboard(page), `${server.url}/api/webhooks/${flowId}/`);
  await screenshot(page, 'webhook-created-secret');

  assert.equal((await callWebhook(secret, 1)).status, 202);
  dropExpectedRefusals(page, 404, 400);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('regenerate asks first: cancel changes nothing, confirm shows the new secret once; the old one is refused', async () => {
  const page = await webhookPage();
  await page.locator('.endpoint').waitFor();
  assert.equal(await page.locator('.secret-once').count(), 0, 'a reload shows no secret');
  assert.ok(!(await page.content()).includes(secret), 'the secret is nowhere on the page');
  await screenshot(page, 'webhook-reloaded');

  await page.click('button:has-text("Regenerate secret…")');
  const confirm = page.locator('[role=alertdialog]');
  await confirm.waitFor();
  assert.match(await confirm.textContent(), /stop working at once/);
  await screenshot(page, 'webhook-regenerate-confirm');
  await confirm.locator('button', { hasText: 'Cancel' }).click();
  await confirm.waitFor({ state: 'detached' });
  assert.equal((await server.api('GET', `/api/flows/${flowId}/webhook`)).body.secret, secret, 'cancel changed nothing');
  assert.equal(await page.locator('.secret-once').count(), 0);

  await page.click('button:has-text("Regenerate secret…")');
  await confirm.locator('button', { hasText: 'Regenerate' }).click();
  await page.locator('.secret-once').waitFor();
  const old = secret;
  secret = await page.locator('.secret-once code.secret').textContent();
  assert.notEqual(secret, old);
  assert.equal((await server.api('GET', `/api/flows/${flowId}/webhook`)).body.secret, secret);
  assert.match(await page.locator('.secret-once').textContent(), /previous URL and secret no longer work/);
  assert.equal(await page.locator('.rate-limit').textContent(), '5/s, burst 8', 'the rate limit stays');
  await screenshot(page, 'webhook-regenerated');

  assert.equal((await callWebhook(old, 2)).status, 401, 'the old secret is refused');
  const accepted = await callWebhook(secret, 3);
  assert.equal(accepted.status, 202);
  assert.equal(accepted.body.status, 'started');

  await page.click('button:has-text("I have stored it")');
  await page.locator('.secret-once').waitFor({ state: 'detached' });
  await page.reload();
  await page.locator('.endpoint').waitFor();
  assert.equal(await page.locator('.secret-once').count(), 0);
  assert.ok(!(await page.content()).includes(secret), 'after a reload the new secret is not shown either');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('the webhook\'s own switch: disabled, outside calls get 404 and the flow still runs from the API; enabled, 202', async () => {
  const page = await webhookPage();
  const hookSwitch = page.locator('.webhook-switch');
  await hookSwitch.locator('button', { hasText: 'Disable webhook' }).click();
  await page.locator('.webhook-switch[data-enabled=false]').waitFor();
  assert.equal((await server.api('GET', `/api/flows/${flowId}/webhook`)).body.enabled, false);
  assert.match(await page.locator('.facts').textContent(), /inactive \(calls answered 404\)/);
  const flow = await server.api('GET', `/api/flows/${flowId}`);
  assert.equal(flow.body.enabled, true, 'the flow stays enabled');
  assert.equal(flow.body.version, 1, 'no new flow version');
  await screenshot(page, 'webhook-disabled');

  const refused = await callWebhook(secret, 4, { logged: false });
  assert.equal(refused.status, 404);
  assert.equal(refused.body.code, 'not_found');
  const run = await server.api('POST', `/api/flows/${flowId}/execute`, { input: { n: 4 } });
  assert.equal(run.status, 202, 'API runs still work');

  await hookSwitch.locator('button', { hasText: 'Enable webhook' }).click();
  await page.locator('.webhook-switch[data-enabled=true]').waitFor();
  assert.equal((await server.api('GET', `/api/flows/${flowId}/webhook`)).body.enabled, true);
  assert.match(await page.locator('.facts').textContent(), /webhook active/);
  assert.equal((await callWebhook(secret, 5)).status, 202);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('the rate limit: a refused value shows the server\'s error and changes nothing; 1/s burst 1 refuses a second call at once (429)', async () => {
  const page = await webhookPage();
  const form = page.locator('form.limits');
  await form.waitFor();
  assert.equal(await form.locator('input[name=ratePerSecond]').inputValue(), '5');
  assert.equal(await form.locator('input[name=burst]').inputValue(), '8');

  await form.locator('input[name=burst]').fill('0');
  await form.locator('button', { hasText: 'Save rate limit' }).click();
  const refused = form.locator('[role=alert]');
  await refused.waitFor();
  assert.match(await refused.textContent(), /burst must be a whole number 1\.\.100000/);
  const unchanged = await server.api('GET', `/api/flows/${flowId}/webhook`);
  assert.deepEqual([unchanged.body.ratePerSecond, unchanged.body.burst, unchanged.body.enabled], [5, 8, true],
    'nothing changed');
  assert.equal(await page.locator('.rate-limit').textContent(), '5/s, burst 8');
  assert.equal(await form.locator('input[name=burst]').inputValue(), '0', 'the refused value stays to be fixed');
  await screenshot(page, 'webhook-limit-refused');

  await form.locator('input[name=ratePerSecond]').fill('1');
  await form.locator('input[name=burst]').fill('1');
  await form.locator('button', { hasText: 'Save rate limit' }).click();
  await form.locator('.saved').waitFor();
  assert.equal(await refused.count(), 0, 'the error is gone');
  assert.equal(await page.locator('.rate-limit').textContent(), '1/s, burst 1');
  const saved = await server.api('GET', `/api/flows/${flowId}/webhook`);
  assert.deepEqual([saved.body.ratePerSecond, saved.body.burst, saved.body.enabled], [1, 1, true]);
  assert.equal(saved.body.secret, secret, 'the secret stays');
  await screenshot(page, 'webhook-limit-saved');

  assert.equal((await callWebhook(secret, 6)).status, 202);
  const limited = await callWebhook(secret, 7);
  assert.equal(limited.status, 429);
  assert.equal(limited.body.code, 'rate_limited');
  assert.match(limited.headers.get('retry-after') ?? '', /^\d+$/);
  dropExpectedRefusals(page, 400);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('the call log lists every call newest first with its status; links and j/k/Enter open the execution', async () => {
  const page = await webhookPage();
  const rows = page.locator('.call-log tbody tr');
  await page.click('button:has-text("Refresh")');
  await page.waitForFunction((n) => document.querySelectorAll('.call-log tbody tr').length === n,
    calls.length, { timeout: 10_000 });
  const newestFirst = [...calls].reverse();
  assert.deepEqual(await rows.evaluateAll((trs) => trs.map((tr) => Number(tr.dataset.status))),
    newestFirst.map((c) => c.status));
  for (const [i, c] of newestFirst.entries()) {
    const link = rows.nth(i).locator('a[href^="/executions/"]');
    if (c.executionId) assert.equal(await link.getAttribute('href'), `/executions/${c.executionId}`);
    else assert.equal(await link.count(), 0, `row ${i} (${c.status}) has no execution`);
  }
  assert.equal(newestFirst[0].status, 429);
  assert.match(await rows.nth(0).locator('td.error').textContent(), /rate limited/);
  await screenshot(page, 'webhook-call-log');

  // A link opens the execution page (the newest call that started one).
  const linked = newestFirst.findIndex((c) => c.executionId);
  await rows.nth(linked).locator('a').click();
  await page.waitForURL(`${server.url}/executions/${newestFirst[linked].executionId}`);
  await page.locator('section.execution[data-status="completed"]').waitFor();
  await page.goBack();
  await rows.first().waitFor();

  // j/k move the selection (focus not in a field), Enter opens its execution.
  const selected = (i) => page.locator(`.call-log tbody tr:nth-child(${i + 1}).selected`).waitFor();
  await page.locator('h1').click();
  assert.equal(await rows.nth(0).getAttribute('class'), 'selected');
  await page.keyboard.press('j');
  await page.keyboard.press('j');
  await selected(2);
  await page.keyboard.press('k');
  await page.keyboard.press('k');
  await selected(0);
  assert.equal(newestFirst[0].executionId, null, 'the 429: Enter does nothing there');
  await page.keyboard.press('Enter');
  assert.equal(new URL(page.url()).pathname, `/flows/${flowId}/webhook`);
  await page.keyboard.press('j');
  await selected(1);
  const opened = newestFirst[1].executionId;
  assert.ok(opened, 'the second row started an execution');
  await page.keyboard.press('Enter');
  await page.waitForURL(`${server.url}/executions/${opened}`);
  await page.locator('section.execution[data-status="completed"]').waitFor();
  const execution = await server.api('GET', `/api/executions/${opened}`);
  assert.equal(execution.body.trigger.type, 'webhook');
  await screenshot(page, 'webhook-opened-execution');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

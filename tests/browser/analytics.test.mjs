// The analytics pages in a real browser against the real server with the
// simulated provider: the workspace page (blocks, cost, chart, failures that
// open their execution), a block's decisions with feedback that moves the
// chart's numbers exactly, patterns created, edited, refused and deleted,
// and j/k/Enter over the decisions.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchBrowser, openPage, screenshot, signIn, startServer } from './harness.mjs';

const wait = { timeout: 10_000 };
let server;
let browser;
let blockId;
let failedId;
const blockName = 'triage';
// With an output schema the simulated model answers its input, so every
// decision's output equals its input and a pattern's agreements are known.
const inputs = [{ kind: 'billing', n: 1 }, { kind: 'billing', n: 2 }, { kind: 'bug', n: 3 }, { kind: 'billing', n: 1 }];
const given = new Map();  // decision id -> { correct, createdAt }

async function created(path, body) {
  const r = await server.api('POST', path, body);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.id;
}

async function runToEnd(flowId, input) {
  const r = await server.api('POST', `/api/flows/${flowId}/execute?wait=20`, { input });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
}

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  const connectionId = await created('/api/connections',
    { name: 'sim', type: 'simulated', baseUrl: 'simulated://?tokenDelayMs=1' });
  blockId = await created('/api/blocks', { name: blockName, type: 'ai-block',
    config: { connectionId, model: 'sim-1', goal: 'Triage.', outputSchema: { type: 'object' } } });
  const flowId = await created('/api/flows', { name: 'triage-flow', nodes: [
    { id: 'in', type: 'source' }, { id: 'ask', type: 'ai-block', data: { blockId } }, { id: 'out', type: 'sink' }],
    edges: [{ source: 'in', target: 'ask' }, { source: 'ask', target: 'out' }] });
  for (const input of inputs) assert.equal((await runToEnd(flowId, input)).status, 'completed');
  const failing = await created('/api/flows', { name: 'fails', nodes: [
    { id: 'in', type: 'source' }, { id: 'check', type: 'function-block', data: { code: 'error("ticket \\(.n) is not valid")' } }],
    edges: [{ source: 'in', target: 'check' }] });
  const failed = await runToEnd(failing, { n: 42 });
  assert.equal(failed.status, 'failed');
  failedId = failed.id;
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function decisions() {
  const r = await server.api('GET', `/api/decisions?blockId=${blockId}`);
  assert.equal(r.status, 200);
  return r.body.items;
}

// The chart's points as the page should draw them: per UTC day (the default
// bucket), the latest feedback of each decision that has one.
function expectedPoints() {
  const days = new Map();
  for (const { correct, createdAt } of given.values()) {
    const start = new Date(Math.floor(Date.parse(createdAt) / 86_400_000) * 86_400_000).toISOString();
    const d = days.get(start) ?? { series: blockName, start, correct: 0, withFeedback: 0 };
    d.withFeedback += 1;
    d.correct += correct ? 1 : 0;
    days.set(start, d);
  }
  return [...days.values()].sort((a, b) => a.start.localeCompare(b.start))
    .map((d) => ({ ...d, accuracy: d.correct / d.withFeedback }));
}

// The points as compared: times as instants, fields in one order.
function normal(points) {
  return JSON.stringify(points.map((p) => [p.series, Date.parse(p.start), p.accuracy, p.correct, p.withFeedback]));
}

// Waits until the chart's data-points equal `expected` and, with points, a canvas draws them.
async function chartShows(page, expected) {
  const want = normal(expected);
  const figure = page.locator('figure[data-chart="accuracy"]');
  try {
    await page.waitForFunction((w) => {
      const el = document.querySelector('figure[data-chart="accuracy"]');
      if (!el) return false;
      const got = JSON.parse(el.dataset.points)
        .map((p) => [p.series, Date.parse(p.start), p.accuracy, p.correct, p.withFeedback]);
      return JSON.stringify(got) === w && (w === '[]' || el.querySelector('canvas') !== null);
    }, want, wait);
  } catch (err) {
    assert.fail(`chart shows ${await figure.getAttribute('data-points')}, expected ${JSON.stringify(expected)}: ${err.message}`);
  }
  // The table next to the chart has the same numbers.
  for (const p of expected)
    assert.match(await figure.locator(`tr[data-start="${p.start}"]`).textContent(),
                 new RegExp(`${p.accuracy * 100}(\\.\\d)?% \\(${p.correct} of ${p.withFeedback}\\)`));
}

// A signed-in page whose errors fail the test.
async function signedInPage() {
  const page = await openPage(browser);
  await signIn(page, server);
  return page;
}

async function giveFeedback(page, row, { correct, category }) {
  await page.locator(`tr.decision[data-id="${row}"] button`, { hasText: 'feedback' }).click();
  const form = page.locator(`form.feedback-form[data-decision="${row}"]`);
  await form.waitFor(wait);
  await form.locator(`input[name=correct][value="${correct}"]`).check();
  if (category) await form.locator('select[name=category]').selectOption(category);
  await form.locator('button[type=submit]').click();
  return form;
}

test('the workspace page lists the block, its cost, a chart, and failures that open their execution', async () => {
  const page = await signedInPage();
  await page.goto(`${server.url}/analytics`);
  const row = page.locator(`table.ai-blocks tr[data-block="${blockId}"]`);
  await row.waitFor(wait);
  assert.match(await row.textContent(), new RegExp(`${blockName}\\s*${inputs.length}`));
  assert.equal(await row.locator(`a[href="/blocks/${blockId}/test"]`).count(), 1);
  const costRow = page.locator(`[data-group-by="block"] tr[data-key="${blockId}"]`);
  await costRow.waitFor(wait);
  assert.match(await costRow.textContent(), new RegExp(`${blockName}\\s*${inputs.length}`));
  assert.match(await page.locator('[data-group-by="model"] tr[data-key="sim-1"]').textContent(), /sim-1\s*4/);
  assert.match(await page.locator('[data-group-by="block"] tfoot').textContent(), /Total\s*4/);
  // No feedback yet: the chart's box keeps its height and says what to do.
  const box = await page.locator('figure[data-chart="accuracy"] .chart-box').boundingBox();
  assert.equal(Math.round(box.height), 220);
  assert.match(await page.locator('.chart-empty').textContent(), /No feedback yet/);
  await chartShows(page, []);
  const failure = page.locator('li.failure', { hasText: 'is not valid' });
  await failure.waitFor(wait);
  assert.match(await failure.textContent(), /1×/);
  await screenshot(page, 'analytics-workspace');
  await failure.locator(`a[data-execution="${failedId}"]`).click();
  await page.waitForURL(`${server.url}/executions/${failedId}?node=check`, wait);
  await page.locator('section.execution[data-status="failed"]').waitFor(wait);
  await screenshot(page, 'analytics-failure-opened');
  // Filters live in the URL: a reload shows the same range and bucket.
  await page.goto(`${server.url}/analytics`);
  await page.selectOption('select[name=bucket]', 'hour');
  await page.selectOption('select[name=range]', '7d');
  await page.waitForURL(/range=7d/, wait);
  await page.reload();
  await page.locator(`table.ai-blocks tr[data-block="${blockId}"]`).waitFor(wait);
  assert.equal(await page.locator('select[name=bucket]').inputValue(), 'hour');
  assert.equal(await page.locator('select[name=range]').inputValue(), '7d');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('feedback through the form moves the accuracy chart exactly; a refusal shows the server\u2019s error', async () => {
  const page = await signedInPage();
  await page.goto(`${server.url}/blocks/${blockId}/analytics`);
  await page.locator('tr.decision').nth(inputs.length - 1).waitFor(wait);
  const list = await decisions();
  const shown = await page.locator('tr.decision').evaluateAll((rows) => rows.map((r) => r.dataset.id));
  assert.deepEqual(shown, list.map((d) => d.id), 'the decisions, newest first');
  await chartShows(page, []);
  await screenshot(page, 'analytics-block-decisions');

  // Incorrect without a category: the server refuses, the page says why.
  const [first, second] = list;
  const form = await giveFeedback(page, first.id, { correct: false });
  await form.locator('[role=alert]').waitFor(wait);
  assert.match(await form.locator('[role=alert]').textContent(), /category/);
  page.problems.length = 0;  // that 400 was on purpose
  await screenshot(page, 'analytics-feedback-refused');
  await form.locator('select[name=category]').selectOption('hallucination');
  await form.locator('button[type=submit]').click();
  await form.waitFor({ state: 'detached', ...wait });
  given.set(first.id, { correct: false, createdAt: first.createdAt });
  await page.locator(`tr.decision[data-id="${first.id}"][data-feedback="false"]`).waitFor(wait);
  await chartShows(page, expectedPoints());
  assert.equal(await page.locator('[data-total="accuracy"]').textContent(), '0%');
  await screenshot(page, 'analytics-feedback-incorrect');

  await giveFeedback(page, second.id, { correct: true });
  given.set(second.id, { correct: true, createdAt: second.createdAt });
  await page.locator(`tr.decision[data-id="${second.id}"][data-feedback="true"]`).waitFor(wait);
  await chartShows(page, expectedPoints());
  assert.equal(await page.locator('[data-total="accuracy"]').textContent(), '50%');
  assert.equal((await server.api('GET', `/api/decisions/${first.id}`)).body.feedback.category, 'hallucination');
  await screenshot(page, 'analytics-feedback-correct');

  // The workspace chart draws the same numbers.
  await page.goto(`${server.url}/analytics`);
  await chartShows(page, expectedPoints());
  await screenshot(page, 'analytics-workspace-with-feedback');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a pattern is created with its stats, edited, refused next to its condition, and deleted after confirmation', async () => {
  const page = await signedInPage();
  await page.goto(`${server.url}/blocks/${blockId}/analytics`);
  await page.locator('.patterns .empty').waitFor(wait);
  await page.click('button:has-text("New pattern")');
  const form = page.locator('form.pattern-form');
  await form.locator('input[name=name]').fill('billing');
  await form.locator('input[name=description]').fill('Billing tickets');
  await form.locator('textarea[name=condition]').fill('.kind == "billing"');
  await form.locator('textarea[name=outcome]').fill('{"kind":"billing","n":1}');
  await form.locator('button[type=submit]').click();
  const item = page.locator('li.pattern[data-name="billing"]');
  await item.waitFor(wait);
  const stats = async () => Object.fromEntries(await item.locator('dd[data-stat]').evaluateAll(
    (dds) => dds.map((d) => [d.dataset.stat, Number(d.textContent)])));
  // billing n1, billing n2, billing n1 match; the two n1 agree with the outcome.
  assert.deepEqual(await stats(), { matched: 3, agreed: 2, disagreed: 1 });
  const id = await item.getAttribute('data-id');
  assert.deepEqual((await server.api('GET', `/api/patterns/${id}`)).body.stats.matched, 3);
  await screenshot(page, 'analytics-pattern-created');

  await item.locator('button', { hasText: 'Edit' }).click();
  await form.locator('textarea[name=condition]').fill('.n >= 2');
  await form.locator('textarea[name=outcome]').fill('');
  await form.locator('button[type=submit]').click();
  await page.locator('li.pattern[data-name="billing"] code', { hasText: '.n >= 2' }).waitFor(wait);
  assert.deepEqual(await stats(), { matched: 2, agreed: 0, disagreed: 2 });  // n = 2, 3; no outcome agrees
  await screenshot(page, 'analytics-pattern-edited');

  await item.locator('button', { hasText: 'Edit' }).click();
  await form.locator('textarea[name=condition]').fill('.kind ==');
  await form.locator('button[type=submit]').click();
  const error = page.locator('#pattern-condition-error');
  await error.waitFor(wait);
  assert.match(await error.textContent(), /^condition: /);
  assert.equal(await form.locator('textarea[name=condition]').getAttribute('aria-invalid'), 'true');
  assert.ok(await error.evaluate((e) => e.previousElementSibling.contains(document.querySelector('textarea[name=condition]'))),
            'the error sits right after the condition field');
  page.problems.length = 0;  // that 400 was on purpose
  await screenshot(page, 'analytics-pattern-refused');
  await form.locator('button', { hasText: 'Cancel' }).click();
  assert.equal((await server.api('GET', `/api/patterns/${id}`)).body.condition, '.n >= 2', 'the refusal changed nothing');

  await item.locator('button', { hasText: 'Delete' }).click();
  const confirm = item.locator('[role=alertdialog]');
  await confirm.waitFor(wait);
  await screenshot(page, 'analytics-pattern-confirm-delete');
  await confirm.locator('button', { hasText: 'Delete' }).click();
  await page.locator('.patterns .empty').waitFor(wait);
  assert.equal((await server.api('GET', `/api/patterns/${id}`)).status, 404);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('j/k move through the decisions and Enter opens the selected one\u2019s feedback form', async () => {
  const page = await signedInPage();
  await page.goto(`${server.url}/blocks/${blockId}/analytics`);
  await page.locator('tr.decision').nth(inputs.length - 1).waitFor(wait);
  const ids = (await decisions()).map((d) => d.id);
  const selected = () => page.locator('tr.decision.selected').getAttribute('data-id');
  assert.equal(await selected(), ids[0]);
  await page.keyboard.press('j');
  await page.keyboard.press('j');
  assert.equal(await selected(), ids[2]);
  await page.keyboard.press('k');
  assert.equal(await selected(), ids[1]);
  await page.keyboard.press('Enter');
  const form = page.locator(`form.feedback-form[data-decision="${ids[1]}"]`);
  await form.waitFor(wait);
  // The decision's current feedback is filled in.
  const current = (await server.api('GET', `/api/decisions/${ids[1]}`)).body.feedback;
  assert.equal(await form.locator('input[name=correct][value="true"]').isChecked(), current?.correct === true);
  await screenshot(page, 'analytics-keyboard-feedback');
  await page.keyboard.press('Escape');
  await form.waitFor({ state: 'detached', ...wait });
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

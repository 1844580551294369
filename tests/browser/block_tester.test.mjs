// The block tester page in a real browser against the real server and the
// mock LLM: the form made from the schema, a refused input, a run with a tool
// call and streamed tokens, its history and "Use this input again", a reload
// that reattaches to a run, cancel, and j/k/Enter in the history.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchBrowser, openPage, screenshot, signIn, startMockLlm, startServer } from './harness.mjs';
import { duration } from '../../ui/src/format.js';

const wait = { timeout: 15_000 };

let server;
let browser;
let mock;
let mockUrl;
let blockId;

async function script(behaviours) {
  await fetch(`${mockUrl}/_reset`, { method: 'POST' });
  const res = await fetch(`${mockUrl}/_script`, { method: 'POST', body: JSON.stringify(behaviours) });
  assert.equal(res.status, 200, await res.text());
}

async function created(path, body) {
  const r = await server.api('POST', path, body);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.id;
}

const schema = {
  type: 'object', required: ['city'],
  properties: {
    city: { type: 'string', description: 'The city to look up.' },
    days: { type: 'integer', minimum: 1, description: 'How many days to plan.' },
    mode: { enum: ['brief', 'detailed'] },
    metric: { type: 'boolean', description: 'Metric units.' },
    notes: { type: 'string', format: 'textarea' },
    tags: { type: 'array', items: { type: 'string' } },
  },
};

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  mock = await startMockLlm();
  mockUrl = mock.url;
  const connectionId = await created('/api/connections', { name: 'mock', type: 'openai', baseUrl: mockUrl, apiKey: 'k' });
  const lookup = await created('/api/blocks', { name: 'lookup', type: 'function-block',
    config: { code: '{found: (.query + "!")}' } });
  blockId = await created('/api/blocks', { name: 'trip planner', type: 'ai-block', config: {
    connectionId, model: 'mock-model', goal: 'Plan a trip to the city.', maxTokens: 400, inputSchema: schema,
    tools: [{ name: 'lookup', description: 'Finds a place.', blockId: lookup,
              parameters: { type: 'object', required: ['query'], properties: { query: { type: 'string' } } } }] } });
});

after(async () => {
  await browser?.close();
  await server?.stop();
  mock?.stop();
});

async function openTester(query = '') {
  const page = await openPage(browser);
  await signIn(page, server);
  await page.goto(`${server.url}/blocks/${blockId}/test${query}`);
  await page.locator('section.block-test').waitFor(wait);
  return page;
}

const words = (n) => Array.from({ length: n }, (_, i) => `word${i}`).join(' ');
const tokensText = (page) => page.locator('.run pre.tokens').textContent();
const runIdOf = (page) => new URL(page.url()).searchParams.get('run');
const history = async () => (await server.api('GET', `/api/blocks/${blockId}/tests`)).body.items;

// What the form shows, read back from the page.
async function formValues(page) {
  return {
    city: await page.inputValue('[name=city]'),
    days: await page.inputValue('[name=days]'),
    mode: await page.$eval('select[name=mode]', (s) => s.selectedOptions[0].textContent),
    metric: await page.isChecked('[name=metric]'),
    notes: await page.inputValue('[name=notes]'),
    tags: await page.inputValue('[name=tags]'),
  };
}

const firstInput = { city: 'Paris', days: 3, mode: 'detailed', metric: true, tags: ['museums', 'food'] };

test('the form comes from the schema; an input the server refuses shows its message and starts nothing', async () => {
  const page = await openTester();
  await page.locator('h1', { hasText: 'trip planner' }).waitFor(wait);
  assert.match(await page.locator('.block-type').textContent(), /ai-block/);
  assert.match(await page.locator('.block-version').textContent(), /version 1/);
  for (const selector of ['input[type=text][name=city]', 'input[type=number][name=days]', 'select[name=mode]',
                          'input[type=checkbox][name=metric]', 'textarea[name=notes]', 'textarea[name=tags]'])
    assert.equal(await page.locator(selector).count(), 1, selector);
  assert.equal(await page.locator('[data-field=city] .required').count(), 1, 'city is marked required');
  assert.equal(await page.locator('[data-field=days] .required').count(), 0);
  assert.match(await page.locator('[data-field=city] .hint').textContent(), /The city to look up/);
  await screenshot(page, 'block-tester-form');

  // JSON typed into a nested field is checked where it is typed.
  await page.fill('[name=tags]', '["museums", ]');
  await page.locator('[data-field=tags] .field-error', { hasText: /line 1, column \d+/ }).waitFor(wait);
  await page.fill('[name=tags]', '');

  // city is required: the server refuses, the page says why, nothing starts.
  await page.fill('[name=days]', '2');
  await page.click('button.run-button');
  const refused = page.locator('.refused');
  await refused.waitFor(wait);
  assert.match(await refused.textContent(), /missing required property 'city'.*invalid_input/);
  assert.equal(runIdOf(page), null);
  assert.equal(await page.locator('.run.idle').count(), 1);
  assert.deepEqual(await history(), []);
  await screenshot(page, 'block-tester-refused');
  page.problems.splice(0, page.problems.length,
    ...page.problems.filter((p) => !/status of 400/.test(p)));  // the refusal is a 400 on purpose
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a run streams its tool call and tokens, ends with TTFT and tokens/s, and its input is used again', async () => {
  const answer = words(24);
  await script([{ toolCall: { name: 'lookup', arguments: { query: 'paris' } } },
                { text: answer, tokensPerSecond: 16 },
                { text: 'Second answer.' }]);
  const page = await openTester();
  await page.fill('[name=city]', firstInput.city);
  await page.fill('[name=days]', String(firstInput.days));
  await page.selectOption('select[name=mode]', { label: firstInput.mode });
  await page.check('[name=metric]');
  await page.fill('[name=tags]', JSON.stringify(firstInput.tags));
  await page.click('button.run-button');
  await page.waitForURL(/\?run=/, wait);
  const runId = runIdOf(page);

  await page.locator('ol.tools li.tool_call', { hasText: 'lookup' }).waitFor(wait);
  assert.match(await page.locator('ol.tools li.tool_call pre').textContent(), /"query": "paris"/);
  await page.locator('ol.tools li.tool_result', { hasText: 'paris!' }).waitFor(wait);
  assert.match(await page.locator('ol.tools li.tool_result').textContent(), /lookup/, 'the result names its tool');

  await page.waitForFunction(() => (document.querySelector('.run pre.tokens')?.textContent ?? '').split(' ').length > 3, null, wait);
  const partial = await tokensText(page);
  const boxWhileStreaming = await page.locator('.run pre.tokens').boundingBox();
  assert.equal(await page.locator('.run .ttft').textContent(), '–', 'TTFT comes at the end');
  await screenshot(page, 'block-tester-streaming');

  await page.locator('.run[data-status=completed]').waitFor(wait);
  const text = await tokensText(page);
  assert.ok(text.length > partial.length && text.startsWith(partial), 'the text grew token by token');
  assert.equal(text, answer);
  const boxAtEnd = await page.locator('.run pre.tokens').boundingBox();
  assert.deepEqual([boxAtEnd.y, boxAtEnd.height], [boxWhileStreaming.y, boxWhileStreaming.height], 'the token box did not move');
  assert.match(await page.locator('.run .tps').textContent(), /^\d+\.\d$/);
  const done = (await server.api('GET', `/api/blocks/${blockId}/tests/${runId}`)).body;
  assert.equal(await page.locator('.run .tokens-count').textContent(), `${done.tokens.input} in / ${done.tokens.output} out`);
  assert.equal(await page.locator('.run .ttft').textContent(), duration(done.ttftMs));
  assert.match(await page.locator('.run .duration').textContent(), /\d/);
  assert.match(await page.locator('.run .output pre').textContent(), new RegExp(`"${answer}"`));

  // The history lists it, newest first, with a link to its execution.
  const row = page.locator(`tr.test-run[data-id="${runId}"]`);
  await row.locator('.badge.completed').waitFor(wait);
  assert.equal(await row.locator(`a[href="/executions/${runId}"]`).count(), 1);
  await screenshot(page, 'block-tester-completed');
  assert.deepEqual(done.input, firstInput);

  // A fresh page: an empty form, then "Use this input again" fills it exactly.
  await page.goto(`${server.url}/blocks/${blockId}/test`);
  await row.waitFor(wait);
  assert.equal(await page.inputValue('[name=city]'), '');
  await row.locator('button.use-again').click();
  assert.deepEqual(await formValues(page), { city: 'Paris', days: '3', mode: 'detailed', metric: true, notes: '',
                                             tags: JSON.stringify(firstInput.tags, null, 2) });
  await screenshot(page, 'block-tester-used-again');
  await page.click('button.run-button');
  await page.waitForURL((url) => url.searchParams.get('run') && url.searchParams.get('run') !== runId, wait);
  await page.locator('.run[data-status=completed]').waitFor(wait);
  assert.equal(await tokensText(page), 'Second answer.');
  await page.locator('tr.test-run').nth(1).waitFor(wait);
  const runs = await history();
  assert.equal(runs.length, 2);
  assert.equal(runs[0].executionId, runIdOf(page), 'newest first');
  assert.deepEqual(runs[0].input, firstInput, 'the second run had exactly the first input');
  assert.equal(await page.locator('tr.test-run').first().getAttribute('data-id'), runs[0].id);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a reload reattaches to the run in the URL; cancel ends it; j/k/Enter use a past input', async () => {
  await script([{ text: words(200), tokensPerSecond: 4 }]);
  const page = await openTester();
  await page.fill('[name=city]', 'Slowtown');
  await page.click('button.run-button');
  await page.waitForURL(/\?run=/, wait);
  const runId = runIdOf(page);
  await page.waitForFunction(() => (document.querySelector('.run pre.tokens')?.textContent ?? '').length > 0, null, wait);

  await page.reload();
  assert.equal(runIdOf(page), runId);
  await page.locator('.run[data-status=running]').waitFor(wait);
  await page.waitForFunction(() => (document.querySelector('.run pre.tokens')?.textContent ?? '').split(' ').length > 2, null, wait);
  assert.ok((await tokensText(page)).startsWith('word0 word1 word2'), 'the whole text so far, once');
  await page.waitForFunction(() => document.querySelector('[name=city]')?.value === 'Slowtown', null, wait);
  await screenshot(page, 'block-tester-reattached');

  await page.click('.run button.cancel');
  await page.locator('.run[data-status=cancelled]').waitFor(wait);
  assert.equal(await page.locator('.run button.cancel').count(), 0);
  await page.locator(`tr.test-run[data-id="${runId}"] .badge.cancelled`).waitFor(wait);
  assert.equal((await server.api('GET', `/api/blocks/${blockId}/tests/${runId}`)).body.status, 'cancelled');
  await screenshot(page, 'block-tester-cancelled');

  // The history by keyboard: rows are [Slowtown, Paris, Paris].
  await page.goto(`${server.url}/blocks/${blockId}/test`);
  await page.locator('tr.test-run').nth(2).waitFor(wait);
  await page.locator('h1').click();  // focus on the page, not in a field
  await page.keyboard.press('j');
  await page.locator('tr.test-run.selected').nth(0).and(page.locator('tr.test-run').nth(1)).waitFor(wait);
  await page.keyboard.press('Enter');
  assert.equal(await page.inputValue('[name=city]'), 'Paris');
  await page.keyboard.press('k');
  await page.keyboard.press('Enter');
  assert.equal(await page.inputValue('[name=city]'), 'Slowtown');
  assert.equal(await page.inputValue('[name=days]'), '');
  // Keys typed into a field stay in the field.
  await page.fill('[name=city]', '');
  await page.locator('[name=city]').press('j');
  assert.equal(await page.inputValue('[name=city]'), 'j');
  assert.equal(await page.locator('tr.test-run.selected').getAttribute('data-id'), runId);
  await screenshot(page, 'block-tester-history-keys');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a block without a schema is tested with JSON that says where it is wrong', async () => {
  const id = await created('/api/blocks', { name: 'double', type: 'function-block', config: { code: '.n * 2' } });
  const page = await openPage(browser);
  await signIn(page, server);
  await page.goto(`${server.url}/blocks/${id}/test`);
  await page.locator('.input-editor[data-mode=json] textarea[name=input]').waitFor(wait);
  await page.fill('textarea[name=input]', '{"n": 21,\n "m": }');
  assert.match(await page.locator('.json-error').textContent(), /^line 2, column 7: /);
  await page.click('button.run-button');
  assert.match(await page.locator('.refused').textContent(), /Fix the input first/);
  assert.equal(runIdOf(page), null, 'nothing was sent');
  await screenshot(page, 'block-tester-json-error');
  await page.fill('textarea[name=input]', '{"n": 21}');
  await page.click('button.run-button');
  await page.locator('.run[data-status=completed]').waitFor(wait);
  assert.equal(await page.locator('.run pre.tokens').count(), 0, 'a function-block streams no text');
  assert.equal((await page.locator('.run .output pre').textContent()).trim(), '42');
  await page.locator('tr.test-run .badge.completed').waitFor(wait);
  await screenshot(page, 'block-tester-function-block');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

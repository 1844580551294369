// What `make run` shows: the demo loader (scripts/load_demo_flows.mjs)
// against the real server, then the sign-in link it prints (#token=…): the
// page opens signed in on executions that completed, failed and are running.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { openPage, screenshot, sharedServerAndBrowser } from './harness.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const shared = sharedServerAndBrowser();

test('make run opens signed in on completed, failed and running executions', async () => {
  const { stdout } = await promisify(execFile)(process.execPath,
    [join(root, 'scripts/load_demo_flows.mjs'), shared.server.url, shared.server.token, join(root, '../shared/conformance'), join(root, 'demo')],
    { cwd: root });
  const loaded = JSON.parse(stdout.trim().split('\n').at(-1));
  assert.ok(loaded.casesRun > 0 && loaded.runningStarted === 3, stdout);
  const page = await openPage(shared.browser);
  await page.goto(`${shared.server.url}/signin#token=${shared.server.token}`);
  await page.waitForURL(`${shared.server.url}/executions`);
  assert.equal(new URL(page.url()).hash, '', 'the token left the address bar');
  for (const status of ['completed', 'failed', 'running'])
    await page.locator(`tr[data-status="${status}"]`).first().waitFor();
  await screenshot(page, 'demo-executions');
  // A running one opens on its live page, waiting in its delay.
  await page.locator('tr[data-status="running"] a', { hasText: 'long-review' }).first().click();
  await page.locator('li[data-node="cool-down"][data-status="waiting"]').waitFor();
  await screenshot(page, 'demo-execution-waiting');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

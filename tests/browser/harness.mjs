// What every browser test needs: the real `baley serve` on a free loopback
// port with a fresh data dir, a TCP proxy in front of it that a test can cut
// (a dropped network), Debian's Chromium driven by playwright-core, and a
// page that fails the test on any page error or failed request, with a
// screenshot of each page it names.
import { spawn } from 'node:child_process';
import { after, before } from 'node:test';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { chromium } = createRequire(join(root, 'ui', 'package.json'))('playwright-core');
const binary = process.env.BALEY_BIN ?? join(root, 'build', 'baley');
const shots = process.env.SCREENSHOT_DIR ?? join(root, 'build', 'screenshots');

// Starts `baley serve`; resolves once it listens.
export async function startServer(extra = []) {
  const dir = mkdtempSync(join(tmpdir(), 'baley-browser-'));
  const child = spawn(binary, ['serve', '--data', join(dir, 'data'), '--host', '127.0.0.1',
                               '--port', '0', '--durability', 'buffered', ...extra],
                      { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`baley serve did not listen:\n${output}`)), 20_000);
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const line = output.split('\n').find((l) => l.includes('"listening"'));
      if (line) { clearTimeout(timer); resolve(JSON.parse(line).port); }
    });
    child.stderr.on('data', (chunk) => { output += chunk; });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`baley serve exited ${code}:\n${output}`)); });
  });
  const token = readFileSync(join(dir, 'data', 'admin-token'), 'utf8').split('\n')[0].trim();
  const url = `http://127.0.0.1:${port}`;
  return {
    url, token, port,
    async api(method, path, body) {
      const res = await fetch(url + path, {
        method, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    },
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r() : child.on('exit', r)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// A loopback proxy to `port`; cut() destroys every connection through it,
// as a dropped network would.
export async function startProxy(port) {
  const sockets = new Set();
  const server = net.createServer((client) => {
    const upstream = net.connect(port, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {});
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    cut() { for (const s of sockets) s.destroy(); },
    async close() { this.cut(); await new Promise((r) => server.close(r)); },
  };
}

// Chromium as this machine runs it: no sandbox as root, no network but loopback.
export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

// A page whose errors fail the test: uncaught exceptions, console errors and
// requests that fail (with `expectCuts`, those of a connection the test cut).
export async function openPage(browser, { expectCuts = false } = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !(expectCuts && /ERR_|EventSource|stream/.test(m.text())))
      problems.push(`console error: ${m.text()}`);
  });
  // ERR_ABORTED is the page's own doing (an EventSource closed after
  // [DONE], requests cut short by a navigation), not a failure.
  page.on('requestfailed', (r) => {
    const why = r.failure()?.errorText ?? '';
    if (!expectCuts && why !== 'net::ERR_ABORTED') problems.push(`request failed: ${r.method()} ${r.url()} ${why}`);
  });
  page.problems = problems;
  return page;
}

export async function screenshot(page, name) {
  mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

// Signs in through the page itself.
export async function signIn(page, server, base = server.url) {
  await page.goto(`${base}/signin`);
  await page.fill('#token', server.token);
  await page.click('button[type=submit]');
  await page.waitForURL(`${base}/executions`);
}

// The server and browser the tests of one file share: started before the
// first test, stopped after the last; read them as `shared.server` and
// `shared.browser` inside tests.
export function sharedServerAndBrowser(extra = []) {
  const shared = { server: null, browser: null };
  before(async () => {
    shared.server = await startServer(extra);
    shared.browser = await launchBrowser();
  });
  after(async () => {
    await shared.browser?.close();
    await shared.server?.stop();
  });
  return shared;
}

// `node tools/mock_llm/server.mjs --port 0`, the provider on the other side
// of the wire; resolves with {url, stop} once it listens.
export async function startMockLlm() {
  const child = spawn(process.execPath, [join(root, 'tools', 'mock_llm', 'server.mjs'), '--port', '0'],
                      { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('mock_llm did not listen')), 10_000);
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (!out.includes('\n')) return;
      clearTimeout(timer);
      resolve(JSON.parse(out.split('\n')[0]).url);
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`mock_llm exited ${code}`)); });
  });
  return { url, stop: () => { if (child.exitCode === null) child.kill('SIGTERM'); } };
}

// The web UI in Debian's headless Chromium: the printed address sets no cookie, and a server on another loopback
// port that the browser visits gets nothing usable; from the printed address, profile the CpuSpin target with
// cpu-hotpaths, find its hot method in the flame graph, search for it and see it highlighted, hover and zoom; then
// the call tree, the top functions, an export, the sessions list, an exceptions session and a merged-stacks one;
// the memory views on the Memory target (allocations counted and sampled, with their exports, a heap snapshot,
// duplicated strings); the leak finder with allocations on the Leak target. A screenshot of every page goes to $DRD_ARTIFACTS.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { chromium } = require('playwright-core');

const BIN = process.env.DRD_BIN;
const TARGETS = process.env.DRD_TARGETS;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const ARTIFACTS = process.env.DRD_ARTIFACTS || path.resolve('web-artifacts');
const HOT = 'DrDotnet.Targets.Spinner.SpinForever';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];

let work;
let env;
let server;
let context;
let page;
let address;
const started = [];
const problems = []; // errors of the page itself
let timelineSession; // the timeline test's session, exported for speedscope

// Starts a process; returns it with .output (stdout and stderr so far) and .waitFor(regex, ms).
function start(cmd, args) {
  const proc = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  proc.output = '';
  proc.stdout.on('data', (d) => (proc.output += d));
  proc.stderr.on('data', (d) => (proc.output += d));
  proc.waitFor = (re, ms) => new Promise((resolve, reject) => {
    const t0 = Date.now();
    const tick = () => {
      const m = re.exec(proc.output);
      if (m) return resolve(m);
      if (proc.exitCode !== null || Date.now() - t0 > ms) {
        return reject(new Error(`${cmd} ${args.join(' ')}: no ${re} in:\n${proc.output}`));
      }
      setTimeout(tick, 50);
    };
    tick();
  });
  started.push(proc);
  return proc;
}

async function shot(name) {
  await page.screenshot({ path: path.join(ARTIFACTS, name + '.png'), fullPage: true });
}

// Picks the process and profiler in the new-session view, sets the parameters, starts, and returns the id.
async function startSession(pid, profiler, params) {
  await page.goto(address.replace(/\/\?token=.*/, '/#/'));
  await page.locator(`tr[data-pid="${pid}"]`).click();
  await page.locator(`button[data-profiler="${profiler}"]`).click();
  for (const [k, v] of Object.entries(params || {})) await page.locator(`#param-${k}`).fill(String(v));
  await page.locator('#start').click();
  await page.waitForURL(/#\/session\//, { timeout: 60000 });
  return decodeURIComponent(new URL(page.url()).hash.replace('#/session/', ''));
}

before(async () => {
  assert.ok(BIN && TARGETS, 'DRD_BIN and DRD_TARGETS must be set');
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'drd-web-'));
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  env = Object.assign({}, process.env, { DRDOTNET_HOME: path.join(work, 'home'), DOTNET_CLI_TELEMETRY_OPTOUT: '1' });
  server = start(BIN, ['serve', '--port', '0']);
  address = (await server.waitFor(/^(http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{32})$/m, 15000))[1];
  context = await chromium.launchPersistentContext(path.join(work, 'chromium-profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1360, height: 900 },
    acceptDownloads: true,
  });
  page = context.pages()[0] || (await context.newPage());
  page.on('pageerror', (e) => problems.push('page error: ' + e.message));
  page.on('console', (m) => m.type() === 'error' && problems.push('console: ' + m.text()));
});

after(async () => {
  if (context) await context.close();
  for (const p of started) if (p.exitCode === null) p.kill(p === server ? 'SIGTERM' : 'SIGKILL');
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

test('the printed address: the token leaves the address bar, and no cookie is set', async () => {
  const res = await page.goto(address);
  assert.equal(res.status(), 200);
  await page.locator('button[data-profiler="cpu-hotpaths"]').waitFor();
  assert.ok(!page.url().includes('token'), `the token stays out of the address bar: ${page.url()}`);
  assert.deepEqual(await context.cookies(), [], 'no cookie at all');
  // the page keeps the token for this tab: the page without ?token= still works
  await page.goto(address.replace(/\/\?token=.*/, '/#/sessions'));
  await page.locator('a[data-nav="sessions"].active').waitFor();
  await page.locator('table.sessions, p.muted:has-text("No session yet")').first().waitFor();
  assert.equal(await page.locator('.error').count(), 0, 'no error: the API calls carried the token');
});

// serve --open hands the browser a file of the user's whose form posts the token (never the token on a command
// line): opened in Chromium, it lands on the page, logged in, the token out of the address bar, the file gone.
test('serve --open: the handed file opens the page with its token', async () => {
  const bin = path.join(work, 'bin-open');
  const argsFile = path.join(work, 'open.args');
  fs.mkdirSync(bin, { recursive: true });
  fs.writeFileSync(path.join(bin, 'chromium'), `#!/bin/sh\necho "$1" >"${argsFile}.tmp" && mv "${argsFile}.tmp" "${argsFile}"\n`,
    { mode: 0o755 });
  const saved = env;
  env = Object.assign({}, saved, { PATH: bin + ':/usr/bin:/bin' });
  const opener = start(BIN, ['serve', '--port', '0', '--open']);
  env = saved;
  try {
    const printed = (await opener.waitFor(/^(http:\/\/127\.0\.0\.1:\d+)\/\?token=([0-9a-f]{32})$/m, 15000));
    const t0 = Date.now();
    while (!fs.existsSync(argsFile) && Date.now() - t0 < 10000) await new Promise((r) => setTimeout(r, 50));
    const arg = fs.readFileSync(argsFile, 'utf8').trim();
    assert.match(arg, /^--app=file:\/\//, 'an app window of a file');
    assert.ok(!arg.includes(printed[2]), 'no token on the browser\'s command line');
    const file = arg.replace('--app=file://', '');
    const tab = await context.newPage();
    try {
      await tab.goto(arg.replace('--app=', ''));
      await tab.waitForURL(new RegExp('^' + printed[1].replace(/\./g, '\\.') + '/(#.*)?$'), { timeout: 15000 });
      await tab.locator('button[data-profiler="cpu-hotpaths"]').waitFor();
      await tab.goto(printed[1] + '/#/sessions');
      await tab.locator('table.sessions, p.muted:has-text("No session yet")').first().waitFor();
      assert.equal(await tab.locator('.error').count(), 0, 'the API calls carried the token the file handed over');
      assert.ok(!fs.existsSync(file), 'the file is gone once used');
    } finally {
      await tab.close();
    }
  } finally {
    opener.kill('SIGTERM');
  }
});

// Another local user's server on another loopback port, visited from the same browser after the page: by a link,
// with an image, a script's fetch with credentials, and in a second tab. It records every request's headers; none
// may hold the token, and replaying any of them against drdotnet's API (with the page's Origin, which curl can
// write) must be refused.
test('a server on another loopback port receives nothing usable', async () => {
  const http = require('node:http');
  const seen = [];
  const other = http.createServer((req, res) => {
    seen.push({ url: req.url, headers: req.headers });
    if (req.url.startsWith('/pixel')) {
      res.writeHead(200, { 'Content-Type': 'image/gif' });
      return res.end(Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64'));
    }
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end(`<!doctype html><title>other</title><img src="/pixel?img"><script>
      fetch('/fetch', { credentials: 'include' });</script>`);
  });
  await new Promise((resolve) => other.listen(0, '127.0.0.1', resolve));
  const otherBase = `http://127.0.0.1:${other.address().port}`;
  try {
    await page.goto(address);
    await page.locator('button[data-profiler="cpu-hotpaths"]').waitFor();
    // a link on some page the user opens, followed in the same tab
    await page.evaluate((href) => {
      const a = document.createElement('a');
      a.href = href;
      a.textContent = 'elsewhere';
      document.body.appendChild(a);
    }, otherBase + '/linked');
    await Promise.all([page.waitForURL(otherBase + '/linked'), page.locator('a', { hasText: 'elsewhere' }).click()]);
    await page.waitForFunction(() => document.images.length && document.images[0].complete);
    const tab = await context.newPage();
    await tab.goto(otherBase + '/tab');
    await tab.waitForFunction(() => document.images.length && document.images[0].complete);
    await tab.close();
    for (let i = 0; i < 50 && !seen.some((r) => r.url === '/fetch'); i++) await new Promise((r) => setTimeout(r, 100));
  } finally {
    await new Promise((resolve) => other.close(resolve));
  }
  assert.ok(seen.some((r) => r.url === '/linked') && seen.some((r) => r.url === '/pixel?img') &&
    seen.some((r) => r.url === '/fetch') && seen.some((r) => r.url === '/tab'), JSON.stringify(seen.map((r) => r.url)));
  const token = address.replace(/.*token=/, '');
  const drd = new URL(address);
  for (const r of seen) {
    assert.ok(!JSON.stringify(r).includes(token), `the token reached the other server: ${JSON.stringify(r)}`);
    // what the other server got, replayed to drdotnet's API as an attacker would, Host and Origin set right
    const headers = Object.assign({}, r.headers, { host: drd.host, origin: drd.origin });
    const status = await new Promise((resolve, reject) => {
      const q = http.request({ host: drd.hostname, port: drd.port, path: '/api/sessions', headers }, (res) => {
        res.resume();
        resolve(res.statusCode);
      });
      q.on('error', reject);
      q.end();
    });
    assert.equal(status, 403, `replayed headers of ${r.url} were accepted`);
  }
  assert.deepEqual(await context.cookies(), [], 'no cookie at all');
});

// Any local web app can set cookies on 127.0.0.1, and the browser sends them to this server too: 16 KiB of them must
// not keep the page from loading and working.
test('16 KiB of other apps\' cookies on 127.0.0.1: the page still works', async () => {
  const url = new URL(address);
  await context.addCookies(Array.from({ length: 160 }, (_, i) =>
    ({ name: `app${i}`, value: 'x'.repeat(90), domain: url.hostname, path: '/' })));
  try {
    const res = await page.goto(address);
    assert.equal(res.status(), 200);
    await page.locator('button[data-profiler="cpu-hotpaths"]').waitFor();
    assert.equal(await page.locator('.error').count(), 0);
  } finally {
    await context.clearCookies();
  }
});

test('cpu-hotpaths on CpuSpin: the hot method in the flame graph, searched, hovered, zoomed', async () => {
  const spin = start('dotnet', [path.join(TARGETS, 'CpuSpin', 'CpuSpin.dll'), '--seconds', '120']);
  await spin.waitFor(/^ready/m, 30000);
  await page.goto(address);
  await page.locator('button.secondary', { hasText: 'Refresh' }).click();
  await page.locator(`tr[data-pid="${spin.pid}"]`).waitFor({ timeout: 15000 });
  await page.locator(`tr[data-pid="${spin.pid}"]`).click();
  await page.locator('button[data-profiler="cpu-hotpaths"]').click();
  await page.locator('#param-duration').fill('3');
  await shot('01-new-session');
  await page.locator('#start').click();
  await page.waitForURL(/#\/session\//, { timeout: 60000 });
  await page.locator('.progress').waitFor({ timeout: 10000 });
  await page.waitForFunction(() => parseFloat(document.querySelector('.bar-fill').style.width) > 30, null, { timeout: 10000 });
  await shot('02-progress');

  const canvas = page.locator('canvas.flame-canvas');
  await canvas.waitFor({ timeout: 60000 });
  await page.waitForFunction((hot) => (document.querySelector('canvas.flame-canvas').dataset.labels || '').split('\n').includes(hot), HOT);
  await shot('03-flame-graph');

  await page.locator('#flame-search').fill('SpinForever');
  await page.waitForFunction((hot) => (document.querySelector('canvas.flame-canvas').dataset.highlighted || '').split('\n').includes(hot), HOT);
  const info = await page.locator('#flame-info').textContent();
  assert.match(info, /match "SpinForever"/);
  assert.equal(await page.locator('#flame-info').getAttribute('data-highlighted'), HOT);
  // the highlighted frame is drawn in the highlight colour
  const rect = await page.evaluate((hot) => window.drdFlame.rectOf(window.drdFlame.find(hot)), HOT);
  assert.ok(rect && rect.w > 100, 'the hot method is a wide frame');
  const pixel = await page.evaluate(({ x, y }) => {
    const c = document.querySelector('canvas.flame-canvas');
    const d = window.devicePixelRatio || 1;
    return Array.from(c.getContext('2d').getImageData(Math.round(x * d), Math.round(y * d), 1, 1).data);
  }, { x: rect.x + rect.w / 2, y: rect.y + 3 });
  assert.deepEqual(pixel.slice(0, 3), [0xd1, 0x24, 0x9a], 'highlight colour');
  await shot('04-search');

  const box = await canvas.boundingBox();
  await page.mouse.move(box.x + rect.x + rect.w / 2, box.y + rect.y + rect.h / 2);
  const tip = page.locator('#tooltip');
  await tip.waitFor({ state: 'visible' });
  const tipText = await tip.textContent();
  assert.ok(tipText.includes(HOT), tipText);
  assert.match(tipText, /\d+(\.\d)?% of all CPU time/);
  assert.match(tipText, /line Program\.cs:\d+: self \d/, 'the hot method\'s hottest line in its tooltip');
  await shot('05-hover');

  await page.mouse.click(box.x + rect.x + rect.w / 2, box.y + rect.y + rect.h / 2);
  await page.waitForFunction((hot) => document.querySelector('canvas.flame-canvas').dataset.zoom === hot, HOT);
  await shot('06-zoomed');
  await page.locator('#flame-reset').click();
  await page.waitForFunction(() => document.querySelector('canvas.flame-canvas').dataset.zoom === 'all');

  await page.locator('[data-tab="tree"]').click();
  await page.locator(`.tree-row[data-name="${HOT}"]`).first().waitFor();
  await shot('07-call-tree');

  await page.locator('[data-tab="top"]').click();
  const first = page.locator('table.data tbody tr').first();
  assert.equal(await first.getAttribute('data-function'), HOT);
  await shot('08-top-functions');

  // the hot method's loop, by source line (CpuSpin is built with its PDB)
  await page.locator('[data-tab="lines"]').click();
  const hotLine = page.locator('table.data tbody tr').first();
  await hotLine.waitFor();
  assert.match(await hotLine.getAttribute('data-line'), /^Program\.cs:\d+$/);
  assert.match(await hotLine.textContent(), /SpinForever/);
  await shot('08b-hot-lines');

  await page.locator('[data-tab="threads"]').click();
  await page.locator('table.data tbody tr').first().waitFor();
  await shot('09-threads');

  for (const fmt of ['speedscope', 'folded', 'pprof']) {
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator(`a[data-format="${fmt}"]`).click()]);
    const file = path.join(work, 'export.' + fmt);
    await download.saveAs(file);
    const data = fs.readFileSync(file);
    assert.ok(data.length > 0, `${fmt} export is not empty`);
    if (fmt === 'folded') assert.ok(data.toString().includes(HOT), 'folded export holds the hot method');
    if (fmt === 'pprof') assert.deepEqual([data[0], data[1]], [0x1f, 0x8b], 'pprof export is gzip');
  }

  await page.locator('a[data-nav="sessions"]').click();
  const row = page.locator('table.sessions tbody tr').first();
  await row.waitFor();
  assert.match(await row.textContent(), /cpu-hotpaths.*completed/);
  await shot('10-sessions');
  await row.click();
  await page.locator('canvas.flame-canvas').waitFor();
});

test('merged-stacks on CpuSpin: the tree with thread counts', async () => {
  const spin = started.find((p) => p.spawnargs.some((a) => a.endsWith('CpuSpin.dll')));
  await startSession(spin.pid, 'merged-stacks');
  await page.locator('.tree-row[data-name="all"]').waitFor({ timeout: 60000 });
  await page.locator(`.tree-row[data-name="${HOT}"]`).first().waitFor();
  await shot('11-merged-stacks');
  await page.locator('[data-tab="flame"]').click();
  await page.waitForFunction((hot) => (document.querySelector('canvas.flame-canvas').dataset.labels || '').includes(hot), HOT);
  await shot('12-merged-flame');
});

test('exceptions on the Exceptions target: the table, searched and opened', async () => {
  const go = path.join(work, 'go');
  const exc = start('dotnet', [path.join(TARGETS, 'Exceptions', 'Exceptions.dll'), '--go-file', go, '--stop-file', path.join(work, 'stop')]);
  await exc.waitFor(/^ready/m, 30000);
  await startSession(exc.pid, 'exceptions', { duration: 4 });
  fs.writeFileSync(go, '');
  const row = page.locator('tr[data-type="System.InvalidOperationException"]');
  await row.waitFor({ timeout: 60000 });
  assert.match(await row.textContent(), /1,000/);
  await page.locator('#exc-search').fill('Worker');
  await page.locator('tr[data-type="System.InvalidOperationException"]').waitFor({ state: 'detached' });
  await page.locator('tr[data-type="DrDotnet.Targets.NestedWorker+WorkerFault"]').click();
  await page.locator('.detail h3', { hasText: 'WorkerFault' }).waitFor();
  await page.locator('.detail ol.frames li', { hasText: /Explode \(Program\.cs:\d+\)$/ }).first().waitFor();
  await shot('13-exceptions');
});

test('waits on the Waits target: the convoy lock with its waiter tree, the flame graph, starvation marked', async () => {
  const go = path.join(work, 'go-waits');
  const w = start('dotnet', [path.join(TARGETS, 'Waits', 'Waits.dll'), '--go-file', go, '--stop-file', path.join(work, 'stop-waits'),
    '--convoy', '3', '4', '--starve', '12']);
  await w.waitFor(/^ready/m, 30000);
  await startSession(w.pid, 'waits', { duration: 6 });
  fs.writeFileSync(go, '');
  await page.locator('details.wait-lock').first().waitFor({ timeout: 60000 });
  assert.match(await page.locator('details.wait-lock summary').first().textContent(), /12 contended acquisitions/);
  await page.locator('details.wait-lock .tree-row[data-name^="DrDotnet.Targets.Program.ConvoyWaiter"]').first().waitFor();
  // the owners' tree beside the waiters': the main thread caught spinning in HoldLock while the waiters waited
  await page.locator('details.wait-lock .wait-owners .tree-row[data-name^="DrDotnet.Targets.Program.HoldLock"]').first().waitFor();
  await shot('15-waits-locks');
  await page.locator('[data-tab="flame"]').click();
  await page.waitForFunction(() => (document.querySelector('canvas.flame-canvas').dataset.labels || '').includes('ConvoyWaiter'));
  await page.locator('[data-tab="pool"]').click();
  await page.locator('#pool-verdict', { hasText: 'Thread-pool starvation' }).waitFor();
  await page.locator('b.alert', { hasText: 'starvation' }).first().waitFor();
  await shot('16-waits-pool');
});

test('several profilers in one session: ticked together, one tab per report', async () => {
  const go = path.join(work, 'go-several');
  const exc = start('dotnet', [path.join(TARGETS, 'Exceptions', 'Exceptions.dll'), '--go-file', go, '--stop-file', path.join(work, 'stop-several'), '--gc', '5']);
  await exc.waitFor(/^ready/m, 30000);
  await page.goto(address.replace(/\/\?token=.*/, '/#/'));
  await page.locator(`tr[data-pid="${exc.pid}"]`).click();
  for (const p of ['exceptions', 'cpu-hotpaths', 'runtime-pauses']) await page.locator(`button[data-profiler="${p}"]`).click();
  // a snapshot profiler runs alone: ticking it clears the others, and ticking another clears it
  await page.locator('button[data-profiler="heap-snapshot"]').click();
  assert.equal(await page.locator('button.prof.selected').count(), 1);
  await page.locator('button[data-profiler="heap-snapshot"]').click();
  for (const p of ['exceptions', 'cpu-hotpaths', 'runtime-pauses']) await page.locator(`button[data-profiler="${p}"]`).click();
  assert.equal(await page.locator('button.prof.selected').count(), 3);
  // each profiler's parameters under its name
  await page.locator('fieldset.param-group legend', { hasText: 'cpu-hotpaths' }).waitFor();
  for (const p of ['exceptions', 'cpu-hotpaths', 'runtime-pauses']) await page.locator(`#param-${p}-duration`).fill('4');
  await page.locator('#param-cpu-hotpaths-frequency').fill('199');
  await page.locator('#start').click();
  await page.waitForURL(/#\/session\//, { timeout: 60000 });
  fs.writeFileSync(go, '');
  const excTab = page.locator('[data-tab="exceptions"]');
  await excTab.waitFor({ timeout: 60000 });
  await shot('14-several-session');
  await excTab.click();
  const row = page.locator('tr[data-type="System.InvalidOperationException"]');
  await row.waitFor({ timeout: 10000 });
  assert.match(await row.textContent(), /1,000/);
  await shot('15-several-exceptions');
  await page.locator('[data-tab="cpu-hotpaths"]').click();
  await page.locator('canvas.flame-canvas').waitFor({ timeout: 10000 });
  await shot('16-several-cpu');
  await page.locator('[data-tab="runtime-pauses"]').click();
  await page.locator('.report-tab').last().waitFor();
  await page.waitForFunction(() => /pauses/i.test(document.querySelector('.tab-panel').textContent));
  await shot('17-several-pauses');
  const id = decodeURIComponent(new URL(page.url()).hash.replace('#/session/', ''));
  const session = JSON.parse(fs.readFileSync(path.join(work, 'home', 'sessions', id, 'session.json'), 'utf8'));
  assert.deepEqual(session.profilers.map((p) => p.name), ['exceptions', 'cpu-hotpaths', 'runtime-pauses']);
  assert.equal(session.parameters['cpu-hotpaths.frequency'], 199);
  fs.writeFileSync(path.join(work, 'stop-several'), '');
});

// The Timeline target's phases (tests/targets/Timeline) in one session of four profilers started by the tool: the
// Timeline tab draws every event, the wheel zooms, and a range selected with shift-drag narrows the flame graph
// below it to that range's CPU samples (the convoy's spinning holders in the convoy's range, none before it).
test('the timeline: drawn, zoomed, and a selected range narrows the table of events and the flame graph', async () => {
  const go = path.join(work, 'go-timeline');
  const target = start('dotnet', [path.join(TARGETS, 'Timeline', 'Timeline.dll'), '--go-file', go, '--stop-file', path.join(work, 'stop-timeline'), '--hold-ms', '60']);
  await target.waitFor(/^ready/m, 30000);
  // the suspend sampler: the runtime walks every stack, so each sample of a holder names ConvoyWaiter (the signal
  // sampler's frame-pointer walk may keep only a native leaf on a loaded machine); e2e/timeline.sh covers the other
  const prof = start(BIN, ['profile', String(target.pid), 'cpu-hotpaths,exceptions,runtime-pauses,waits', '--duration', '5', '--param', 'sampler=suspend']);
  const id = (await prof.waitFor(/session (\S+)/, 30000))[1];
  timelineSession = id;
  await prof.waitFor(/attached to pid/, 30000);
  fs.writeFileSync(go, '');
  await target.waitFor(/^done/m, 30000);
  await new Promise((resolve) => (prof.exitCode !== null ? resolve() : prof.on('exit', resolve)));
  const phase = (name) => Object.fromEntries(new RegExp(`^${name} (.*)$`, 'm').exec(target.output)[1].split(' ').map((kv) => kv.split('=')));

  await page.goto(`${address}#/session/${encodeURIComponent(id)}`);
  await page.locator('[data-tab="timeline"]').click();
  const canvas = page.locator('canvas.timeline-canvas');
  await canvas.waitFor({ timeout: 30000 });
  await page.waitForFunction(() => document.querySelector('#timeline-flame canvas.flame-canvas'));
  const doc = await page.evaluate(() => ({ n: window.drdTimeline.d.n, end: window.drdTimeline.d.end, drawn: window.drdTimeline.drawn, wholeSamples: +document.querySelector('#timeline-flame').dataset.samples }));
  assert.ok(doc.n > 400, `the burst's 400 throws and catches at least: ${doc.n} events`);
  assert.equal(doc.drawn, doc.n, 'the whole session in view: every event drawn');
  await shot('30-timeline');

  // hovering the forced GC in the pauses' row tells what it was and who asked for it
  const box = await canvas.boundingBox();
  // (zoomed on it first: the suspend sampler's own short pauses, every 10 ms, crowd the row at the session's scale)
  const gcX = await page.evaluate(() => {
    const t = window.drdTimeline;
    const i = t.d.pauses.find((p) => t.d.labels[t.d.label[p]] === 'GC gen 2 (induced)');
    if (i === undefined) return null;
    t.zoomTo(t.d.start[i] - 2e5, t.d.start[i] + t.d.dur[i] + 2e5);
    return t.x(t.d.start[i] + t.d.dur[i] / 2);
  });
  assert.ok(gcX !== null, 'the forced GC among the pauses');
  await page.mouse.move(box.x + gcX, box.y + 29);
  await page.waitForFunction(() => !document.querySelector('#tooltip').hidden && /GC gen 2 \(induced\)/.test(document.querySelector('#tooltip').textContent));
  assert.match(await page.locator('#tooltip').textContent(), /runtime pause at .*suspended by tl-collector/);
  await page.locator('#timeline-reset').click();

  // the wheel zooms in around the pointer
  await page.mouse.move(box.x + box.width * 0.6, box.y + 60);
  await page.mouse.wheel(0, -600);
  await page.waitForFunction((end) => { const [a, b] = document.querySelector('canvas.timeline-canvas').dataset.view.split(',').map(Number); return b - a < end * 0.5; }, doc.end);
  const zoomed = await page.evaluate(() => window.drdTimeline.drawn);
  assert.ok(zoomed < doc.n, `zoomed in: ${zoomed} of ${doc.n} events drawn`);
  await page.locator('#timeline-reset').click();

  // shift-drag over the convoy: the flame graph holds the convoy's holders; over the time before it, not
  const zero = await page.evaluate(() => window.drdTimeline.d.zeroMono);
  const convoy = phase('convoy');
  const gc = phase('gc');
  const selectBy = async (from, to) => {
    const [x0, x1] = await page.evaluate(([a, b]) => [window.drdTimeline.x(a), window.drdTimeline.x(b)], [from, to]);
    await page.keyboard.down('Shift');
    await page.mouse.move(box.x + x0, box.y + 60);
    await page.mouse.down();
    await page.mouse.move(box.x + (x0 + x1) / 2, box.y + 60, { steps: 4 });
    await page.mouse.move(box.x + x1, box.y + 60, { steps: 4 });
    await page.mouse.up();
    await page.keyboard.up('Shift');
    await page.waitForFunction(() => document.querySelector('#timeline-flame').dataset.range);
    await page.waitForFunction(() => document.querySelector('#timeline-flame canvas.flame-canvas'));
    await page.waitForFunction(() => document.querySelector('#timeline-summary').dataset.range);
    return page.evaluate(() => {
      const kinds = {}; // events of each kind in the range, from the summary table
      for (const tr of document.querySelectorAll('#timeline-summary tr[data-kind]')) kinds[tr.dataset.kind] = (kinds[tr.dataset.kind] || 0) + Number(tr.dataset.events);
      return { range: document.querySelector('#timeline-flame').dataset.range, samples: +document.querySelector('#timeline-flame').dataset.samples, holder: window.drdFlame.find('DrDotnet.Targets.Program.ConvoyWaiter'), kinds };
    });
  };
  const inConvoy = await selectBy(Number(convoy.start) - zero, Number(convoy.end) - zero);
  assert.ok(inConvoy.samples > 0 && inConvoy.samples <= doc.wholeSamples, `the convoy's samples: ${JSON.stringify(inConvoy)}`);
  assert.ok(inConvoy.holder >= 0, 'the convoy\'s holder in the flame graph of its range');
  assert.ok(inConvoy.kinds['lock waited for'] >= 3, `the convoy's lock waits in the range's table: ${JSON.stringify(inConvoy.kinds)}`);
  assert.equal(inConvoy.kinds['exception thrown'], undefined, 'no exception in the convoy\'s range');
  await shot('31-timeline-selection');
  await page.locator('#timeline-clear').click();
  const before = await selectBy(0, Number(gc.end) - zero);
  assert.ok(before.holder < 0, `no convoy before the GC ended: ${JSON.stringify(before)}`);
  assert.equal(before.kinds['exception thrown'], 200, `the burst's 200 throws in the table of the range before the GC ended: ${JSON.stringify(before.kinds)}`);
  assert.notEqual(before.range, inConvoy.range);
  fs.writeFileSync(path.join(work, 'stop-timeline'), '');
});

// A real consumer of the chrome-trace export: speedscope (its npm package's release, served with the trace from a
// local server) imports it as a Trace Event Format profile, one profile per thread with complete events.
test('the chrome-trace export opens in speedscope', async () => {
  assert.ok(timelineSession, 'the timeline test made a session');
  const file = path.join(work, 'timeline.trace.json');
  await tool(['export', timelineSession, '--format', 'chrome-trace', '--output', file]);
  const trace = JSON.parse(fs.readFileSync(file, 'utf8'));
  const threads = new Set(trace.traceEvents.filter((e) => e.ph === 'X').map((e) => e.tid)).size;
  const release = path.join(__dirname, 'node_modules', 'speedscope', 'dist', 'release');
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm', '.json': 'application/json' };
  const http = require('node:http');
  const srv = http.createServer((req, res) => {
    const name = decodeURIComponent(req.url.split('?')[0]);
    const f = name === '/trace.json' ? file : path.join(release, path.normalize(name === '/' ? '/index.html' : name));
    if (f !== file && !f.startsWith(release + path.sep)) return res.writeHead(404).end();
    fs.readFile(f, (e, body) => (e ? res.writeHead(404).end() : res.writeHead(200, { 'Content-Type': types[path.extname(f)] || 'application/octet-stream' }).end(body)));
  });
  await new Promise((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const ss = await context.newPage();
  const logs = [];
  ss.on('console', (m) => logs.push(m.text()));
  try {
    const at = `http://127.0.0.1:${srv.address().port}`;
    await ss.goto(`${at}/index.html#profileURL=${encodeURIComponent(at + '/trace.json')}&title=drdotnet-timeline`);
    await ss.waitForFunction(() => document.title.startsWith('drdotnet-timeline'), null, { timeout: 20000 });
    assert.ok(logs.includes('Importing as Trace Event Format profile'), `speedscope's import: ${logs.join(' | ')}`);
    await ss.waitForFunction((n) => document.body.innerText.includes(`(1/${n})`), threads, { timeout: 10000 });
    await ss.screenshot({ path: path.join(ARTIFACTS, '32-speedscope.png') });
  } finally {
    await ss.close();
    srv.close();
  }
});

// Runs the tool itself (same sessions folder as the server) and resolves with its output.
function tool(args) {
  const proc = start(BIN, args);
  return new Promise((resolve, reject) => proc.on('exit', (code) => (code === 0 ? resolve(proc.output)
    : reject(new Error(`drdotnet ${args.join(' ')} exited ${code}:\n${proc.output}`)))));
}

test('allocations, counted at launch: the types with exact counts, the flame graph by bytes and objects, the exports', async () => {
  const sessions = path.join(work, 'home', 'sessions');
  const before = new Set(fs.existsSync(sessions) ? fs.readdirSync(sessions) : []);
  await tool(['launch', 'allocations', '--', 'dotnet', path.join(TARGETS, 'Memory', 'Memory.dll'), '--payloads', '200000']);
  const made = fs.readdirSync(sessions).filter((d) => !before.has(d) && d.endsWith('-allocations'));
  assert.equal(made.length, 1, `one new allocations session: ${made}`);
  const id = made[0];
  await page.goto(address.replace(/\/\?token=.*/, '/#/session/' + encodeURIComponent(id)));
  const row = page.locator('tr[data-type="DrDotnet.Targets.Payload"]');
  await row.waitFor({ timeout: 60000 });
  await shot('18-allocations-types');
  assert.equal(await row.getAttribute('data-count'), '200000');
  assert.equal(await row.getAttribute('data-bytes'), '9600000');
  assert.match(await row.textContent(), /200,000.*9,600,000/);
  assert.ok(!(await row.textContent()).includes('≈'), 'exact counts are not marked as estimates');
  await row.click();
  await page.locator('#alloc-detail', { hasText: 'No stacks' }).waitFor(); // at launch, types only

  await page.locator('[data-tab="flame"]').click();
  await page.waitForFunction(() => (document.querySelector('canvas.flame-canvas').dataset.labels || '').split('\n').includes('DrDotnet.Targets.Payload'));
  await shot('19-allocations-flame');
  const bytesShare = await page.evaluate(() => window.drdFlame.rectOf(window.drdFlame.find('DrDotnet.Targets.Payload')).w);
  await page.locator('button[data-weight="count"]').click();
  await page.waitForFunction(() => document.getElementById('alloc-flame').dataset.weight === 'count');
  await page.waitForFunction(() => (document.querySelector('canvas.flame-canvas').dataset.labels || '').split('\n').includes('DrDotnet.Targets.Payload'));
  const countShare = await page.evaluate(() => window.drdFlame.rectOf(window.drdFlame.find('DrDotnet.Targets.Payload')).w);
  assert.ok(bytesShare > 0 && countShare > 0, 'the type is a frame by bytes and by objects');

  await page.locator('[data-tab="tree"]').click();
  await page.locator('.tree-row[data-name="DrDotnet.Targets.Payload"]').first().waitFor();

  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('a[data-format="folded"]').click()]);
  const file = path.join(work, 'alloc.folded');
  await download.saveAs(file);
  const payload = fs.readFileSync(file, 'utf8').split('\n').filter((l) => /(^|;)DrDotnet\.Targets\.Payload \d+$/.test(l))
    .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
  assert.equal(payload, 9600000, 'the folded export weighs the type by its bytes');
  const [pprof] = await Promise.all([page.waitForEvent('download'), page.locator('a[data-format="pprof"]').click()]);
  await pprof.saveAs(path.join(work, 'alloc.pb.gz'));
  const pb = require('node:zlib').gunzipSync(fs.readFileSync(path.join(work, 'alloc.pb.gz'))).toString('latin1');
  assert.ok(pb.includes('alloc_objects') && pb.includes('alloc_space'), 'pprof sample types of allocations');
});

test('allocations, attached: estimates marked as such, the stacks that allocate', async () => {
  const go = path.join(work, 'go-alloc');
  const mem = start('dotnet', [path.join(TARGETS, 'Memory', 'Memory.dll'), '--go-file', go, '--stop-file', path.join(work, 'stop-alloc'), '--payloads', '2000000']);
  await mem.waitFor(/^ready/m, 30000);
  await startSession(mem.pid, 'allocations', { duration: 4 });
  fs.writeFileSync(go, '');
  const row = page.locator('tr[data-type="DrDotnet.Targets.Payload"]');
  await row.waitFor({ timeout: 60000 });
  await shot('20-allocations-sampled');
  const count = Number(await row.getAttribute('data-count'));
  assert.ok(Math.abs(count - 2000000) <= 200000, `the estimate ${count} is within 10% of 2,000,000`);
  assert.match(await row.textContent(), /≈[\d,]+.*±\d/);
  await page.locator('#alloc-estimate-note').waitFor();
  await row.click();
  await page.locator('#alloc-detail li', { hasText: 'DrDotnet.Targets.Program.Allocate' }).first().waitFor();
  // the flame graph: the type under the method that allocates it
  await page.locator('[data-tab="flame"]').click();
  await page.waitForFunction(() => (document.querySelector('canvas.flame-canvas').dataset.labels || '').split('\n').includes('DrDotnet.Targets.Program.Allocate'));
  const under = await page.evaluate(() => {
    const fg = window.drdFlame;
    const d = fg.data;
    const i = fg.find('DrDotnet.Targets.Payload');
    return d.names[d.name[d.parent[i]]];
  });
  assert.equal(under, 'DrDotnet.Targets.Program.Allocate');
  await shot('20b-allocations-sampled-flame');
  fs.writeFileSync(path.join(work, 'stop-alloc'), '');
});

test('heap-snapshot: the types, a type\'s retention paths from its static field, the dominator tree, the growth since an earlier one', async () => {
  const grow = path.join(work, 'grow');
  const mem = start('dotnet', [path.join(TARGETS, 'Memory', 'Memory.dll'), '--leak', '20000', '--grow-file', grow, '--stop-file', path.join(work, 'stop-leak')]);
  await mem.waitFor(/^sessions 20000/m, 30000);
  await startSession(mem.pid, 'heap-snapshot');
  const row = page.locator('tr[data-type="DrDotnet.Targets.Session"]');
  await row.waitFor({ timeout: 60000 });
  await shot('21-heap-types');
  assert.equal(await row.getAttribute('data-count'), '20000');
  assert.match(await row.textContent(), /20,000/);
  await row.click();
  await page.locator('#heap-paths .tree-row[data-name="static DrDotnet.Targets.Program.Sessions"]').waitFor();
  await page.locator('#heap-paths .tree-row[data-name="System.Collections.Generic.List<DrDotnet.Targets.Session>"]').waitFor();
  await shot('22-heap-paths');
  await page.locator('[data-tab="dominators"]').click();
  const list = page.locator('.tree-row[data-name="System.Collections.Generic.List<DrDotnet.Targets.Session>"]').first();
  await list.waitFor();
  // the list's retained size, at least 20 MiB, shown in MiB
  const mib = Number(/([\d.]+) MiB/.exec(await list.textContent())[1]);
  assert.ok(mib >= 20, `the list retains ${mib} MiB`);
  // the array under the list holds the sessions, each too small to be opened by itself
  await page.locator('.tree-row[data-name="DrDotnet.Targets.Session[]"]').first().click();
  await page.locator('.tree-row[data-name="DrDotnet.Targets.Session"]').first().waitFor();
  const moreRow = page.locator('.tree-row', { hasText: /… [\d,]+ more/ }).first();
  await moreRow.waitFor();
  // the children the report left out come from the API when "… more" opens: 200 more sessions
  const sessions = page.locator('.tree-row[data-name="DrDotnet.Targets.Session"]');
  const before = await sessions.count();
  await moreRow.click();
  await page.waitForFunction((n) => document.querySelectorAll('.tree-row[data-name="DrDotnet.Targets.Session"]').length >= n + 200, before, { timeout: 30000 });
  await shot('23-heap-dominators');
  await page.locator('[data-tab="retainers"]').click();
  await page.locator('.retainers li', { hasText: 'static DrDotnet.Targets.Program.Sessions' }).first().waitFor();

  // 10,000 more sessions, a second snapshot, and the comparison with the first: the sessions grew by 10,000
  const first = decodeURIComponent(new URL(page.url()).hash.replace('#/session/', ''));
  fs.writeFileSync(grow, '');
  await mem.waitFor(/^sessions 30000/m, 30000);
  await startSession(mem.pid, 'heap-snapshot');
  await page.locator('tr[data-type="DrDotnet.Targets.Session"][data-count="30000"]').waitFor({ timeout: 60000 });
  await page.locator('[data-tab="compare"]').click();
  await page.locator(`#diff-with option[value="${first}"]`).waitFor({ state: 'attached' });
  await page.locator('#diff-with').selectOption(first);
  await page.locator('#diff-go').click();
  const grew = page.locator('#diff-result tr[data-type="DrDotnet.Targets.Session"]');
  await grew.waitFor({ timeout: 30000 });
  assert.equal(await grew.getAttribute('data-count-delta'), '10000');
  assert.match(await grew.textContent(), /20,000.*30,000.*\+10,000/);
  // the largest retained growth first
  assert.equal(await page.locator('#diff-result tbody tr').first().getAttribute('data-type'), 'DrDotnet.Targets.Session');
  await shot('25-heap-compare');
  fs.writeFileSync(path.join(work, 'stop-leak'), '');
});

test('leaks with allocations on the Leak target: the verdict, the growing type, the path that holds it, where it was allocated', async () => {
  const stop = path.join(work, 'stop-leaks');
  const leak = start('dotnet', [path.join(TARGETS, 'Leak', 'Leak.dll'), '--batch', '2000', '--stop-file', stop]);
  await leak.waitFor(/^ready/m, 30000);
  await page.goto(address.replace(/\/\?token=.*/, '/#/'));
  await page.locator(`tr[data-pid="${leak.pid}"]`).click();
  for (const p of ['leaks', 'allocations']) await page.locator(`button[data-profiler="${p}"]`).click();
  await page.locator('#param-leaks-duration').fill('3');
  await page.locator('#param-allocations-duration').fill('3');
  await page.locator('#param-leaks-snapshots').fill('3');
  await page.locator('#start').click();
  await page.waitForURL(/#\/session\//, { timeout: 60000 });
  const tab = page.locator('[data-tab="leaks"]');
  await tab.waitFor({ timeout: 60000 });
  await tab.click();
  const verdict = page.locator('#leaks-verdict');
  await verdict.waitFor({ timeout: 30000 });
  // three snapshots, a batch of 2,000 carts after each full GC: one per snapshot (two more, unless the collector ran
  // a full GC of its own in between, which e2e.leaks tells apart from the target's own record)
  const text = await verdict.textContent();
  assert.match(text, /^Shop\.Cart grew by [\d,]+ instances \(\+[\d.]+ [KM]B\) over 3 snapshots .* held by static field Shop\.CartStore\.Carts through System\.Collections\.Generic\.Dictionary<System\.Int32,Shop\.Cart>; allocated mostly at Shop\.Program\.AddCarts/);
  const grew = Number(/grew by ([\d,]+)/.exec(text)[1].replace(/,/g, ''));
  assert.ok(grew >= 4000 && grew % 2000 === 0, text);
  const row = page.locator('tr[data-type="Shop.Cart"]');
  await row.waitFor();
  const steps = (await row.locator('td').nth(2).textContent()).split(', ').map((v) => Number(v.replace(/,/g, '')));
  assert.equal(steps.length, 2);
  for (const v of steps) assert.ok(v > 0 && v % 2000 === 0, `per snapshot: ${steps}`);
  assert.equal(steps[0] + steps[1], grew);
  assert.equal(await page.locator('tr[data-type="Shop.Receipt"]').count(), 0);
  await row.click();
  await page.locator('#leak-path li', { hasText: 'static Shop.CartStore.Carts' }).waitFor();
  await page.locator('#leak-detail li', { hasText: 'Shop.Program.AddCarts' }).first().waitFor();
  await shot('26-leaks');
  fs.writeFileSync(stop, '');
});

test('duplicated-strings: the value, its copies and the bytes wasted', async () => {
  const mem = start('dotnet', [path.join(TARGETS, 'Memory', 'Memory.dll'), '--dup', '5000', '--stop-file', path.join(work, 'stop-dup')]);
  await mem.waitFor(/^strings 5000/m, 30000);
  await startSession(mem.pid, 'duplicated-strings');
  const row = page.locator('tr[data-count="5000"]');
  await row.waitFor({ timeout: 60000 });
  await shot('24-duplicated-strings');
  const text = await row.textContent();
  assert.ok(text.includes('a value that this program holds many times over'), text);
  assert.equal(await row.getAttribute('data-wasted'), String(4999 * 120));
  assert.match(text, /599,880/);
  fs.writeFileSync(path.join(work, 'stop-dup'), '');
});

test('the page made no errors of its own', () => {
  assert.deepEqual(problems, []);
});

test('the server stops cleanly on SIGTERM', async () => {
  const code = server.exitCode !== null ? server.exitCode : await new Promise((resolve) => {
    server.on('exit', (c) => resolve(c));
    server.kill('SIGTERM');
  });
  assert.equal(code, 0, server.output);
  assert.ok(!/Sanitizer/.test(server.output), server.output);
});

// The page's times to first draw a heap snapshot's views, for bench/heap_page.sh: for each round, a fresh load of
// the session page, then the time until the types table shows the given type, until the dominator tree (its tab)
// shows its first rows, until the children of its first "… more" node show once it is clicked (from the server,
// which analyses the snapshot the first time), and until the type's retention paths show once its row is clicked.
// Usage: node heap_page.js ADDRESS SESSION ROUNDS TYPE
'use strict';
const { chromium } = require('playwright-core');

const [address, id, rounds, type] = process.argv.slice(2);
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'];

(async () => {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ARGS });
  const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
  await page.goto(address); // keeps the token in the tab
  await page.waitForFunction(() => !location.search);
  for (let r = 1; r <= Number(rounds); r++) {
    await page.goto('about:blank');
    const t0 = Date.now();
    await page.goto(address.replace(/\/\?token=.*/, `/#/session/${encodeURIComponent(id)}`));
    await page.locator(`tr[data-type="${type}"]`).waitFor({ timeout: 600000 });
    const types = Date.now() - t0;
    const t1 = Date.now();
    await page.locator('[data-tab="dominators"]').click();
    await page.locator('.tree-row').first().waitFor({ timeout: 600000 });
    const dom = Date.now() - t1;
    // a node's children that the report left out, from the server (the first time, it analyses the snapshot)
    const rows = await page.locator('.tree-row').count();
    const t3 = Date.now();
    await page.locator('.tree-row', { hasText: /… [\d,]+ more/ }).first().click();
    await page.waitForFunction((n) => document.querySelectorAll('.tree-row').length > n &&
      !/Loading…/.test(document.querySelector('.tree').textContent), rows, { timeout: 600000 });
    const more = Date.now() - t3;
    await page.locator('[data-tab="types"]').click();
    const t2 = Date.now();
    await page.locator(`tr[data-type="${type}"]`).click();
    await page.locator('#heap-paths .tree-row').first().waitFor({ timeout: 600000 });
    const paths = Date.now() - t2;
    console.log(`page, round ${r}: types table ${types} ms (from the load), dominator tree ${dom} ms, ` +
      `a "… more" node's children ${more} ms, retention paths ${paths} ms (after the click)`);
  }
  await browser.close();
})().catch((e) => { console.error(e); process.exit(1); });

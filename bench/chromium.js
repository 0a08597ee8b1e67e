// What the page's drawing benchmarks share (flamegraph.js, timeline.js): Debian's headless Chromium with one page
// that holds an empty #holder, one of the page's modules and the benchmark's own generator, a screenshot at the end
// and the median of the runs. Needs `npm ci` in tests/web (playwright-core).
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const { chromium } = require(path.join(root, 'tests/web/node_modules/playwright-core'));

function median(xs) {
  const v = xs.slice().sort((a, b) => a - b);
  return v[Math.floor(v.length / 2)];
}

// Runs body(page) in a page holding src/web/static/<module> and `window.<name> = <fn>` for each of helpers
// ({ name: fn }), then saves a screenshot to shot. Exits the process with 1 on any error.
function benchPage(module, helpers, shot, body) {
  (async () => {
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'drd-bench-chromium-'));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--no-first-run'],
      viewport: { width: 1360, height: 900 },
    });
    try {
      const page = context.pages()[0] || (await context.newPage());
      await page.setContent('<!doctype html><body style="margin:0"><div id="holder" style="width:1300px"></div></body>');
      await page.addScriptTag({ content: fs.readFileSync(path.join(root, 'src/web/static', module), 'utf8') });
      for (const [name, fn] of Object.entries(helpers)) await page.addScriptTag({ content: `window.${name} = ${fn.toString()};` });
      await body(page);
      fs.mkdirSync(path.dirname(shot), { recursive: true });
      await page.screenshot({ path: shot, fullPage: false });
      console.log(`screenshot: ${shot}`);
    } finally {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    }
  })().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}

module.exports = { root, median, benchPage };

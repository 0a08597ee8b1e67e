// Benchmark: drawing a 100,000-node flame graph (src/web/static/flame.js) in Debian's headless Chromium.
// Prints the median over RUNS of: parsing the tree's JSON, building and first drawing the graph, a redraw, a
// search, and the time to the next frame on screen; saves a screenshot of the last graph.
// Usage: node bench/flamegraph.js [NODES] [RUNS] [SCREENSHOT.png]   (after `npm ci` in tests/web)
'use strict';

const path = require('node:path');

const { root, median, benchPage } = require('./chromium');

const NODES = parseInt(process.argv[2] || '100000', 10);
const RUNS = parseInt(process.argv[3] || '5', 10);
const SHOT = process.argv[4] || path.join(root, 'build/web-artifacts/bench-flamegraph.png');

// In the page: a random call tree of n nodes shaped like a real profile (a few deep hot paths, a long tail
// of light leaves, names reused across the tree), children heaviest first as drd_cpu_report writes them.
function makeTree(n, seed) {
  let s = seed >>> 0;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
  const names = [];
  for (let i = 0; i < 6000; i++) {
    const ns = ['System.Linq', 'System.Collections.Generic', 'MyApp.Orders', 'MyApp.Billing', 'Microsoft.AspNetCore.Routing', 'MyApp.Data'][i % 6];
    names.push(`${ns}.Class${i % 700}.Method${i}`);
  }
  const rootNode = { name: 'all', children: [] };
  const all = [rootNode];
  const depthOf = [0];
  for (let i = 1; i < n; i++) {
    // prefer recent and shallow-but-not-root parents: gives depth with a wide fan-out
    let p = Math.floor(Math.pow(rnd(), 0.35) * all.length);
    if (depthOf[p] > 60) p = Math.floor(rnd() * Math.min(all.length, 50));
    const node = { name: names[Math.floor(Math.pow(rnd(), 2) * names.length)], children: [] };
    all[p].children.push(node);
    all.push(node);
    depthOf.push(depthOf[p] + 1);
  }
  // self samples on the leaves and a few inner nodes, then totals bottom up (children come after parents)
  for (let i = n - 1; i >= 0; i--) {
    const node = all[i];
    node.self = node.children.length && rnd() > 0.2 ? 0 : 1 + Math.floor(Math.pow(rnd(), 4) * 400);
    node.total = node.self;
    for (const c of node.children) node.total += c.total;
    node.children.sort((a, b) => b.total - a.total);
    node.self_ns = node.self * 10101010;
    node.total_ns = node.total * 10101010;
  }
  return JSON.stringify(rootNode);
}

benchPage('flame.js', { makeTree }, SHOT, async (page) => {
  const results = [];
  for (let r = 0; r < RUNS; r++) {
    const m = await page.evaluate(async ({ n, seed }) => {
      const text = window.makeTree(n, seed);
      const holder = document.getElementById('holder');
      holder.replaceChildren();
      const t0 = performance.now();
      const tree = JSON.parse(text);
      const t1 = performance.now();
      const fg = new window.FlameGraph(holder, tree, { valueKey: 'total_ns', selfKey: 'self_ns' });
      fg.ctx.getImageData(0, 0, 1, 1); // wait for the drawing commands to be carried out
      const t2 = performance.now();
      await new Promise((res) => requestAnimationFrame(() => requestAnimationFrame(res)));
      const t3 = performance.now();
      fg.draw();
      fg.ctx.getImageData(0, 0, 1, 1);
      const t4 = performance.now();
      fg.search('Method42');
      fg.ctx.getImageData(0, 0, 1, 1);
      const t5 = performance.now();
      fg.search('');
      return {
        nodes: fg.data.n, depth: fg.data.maxDepth, bytes: text.length, parse: t1 - t0, build_and_draw: t2 - t1,
        to_screen: t3 - t0, redraw: t4 - t3, search: t5 - t4,
      };
    }, { n: NODES, seed: 12345 + r });
    results.push(m);
  }
  const f = (k) => median(results.map((x) => x[k])).toFixed(1);
  console.log(`flame graph of ${results[0].nodes} nodes (depth ${results[0].depth}, ${(results[0].bytes / 1e6).toFixed(1)} MB of JSON), ` +
    `median of ${RUNS} runs in headless Chromium:`);
  console.log(`  JSON.parse              ${f('parse')} ms`);
  console.log(`  build + first draw      ${f('build_and_draw')} ms`);
  console.log(`  parse to frame on screen ${f('to_screen')} ms`);
  console.log(`  redraw                  ${f('redraw')} ms`);
  console.log(`  search and redraw       ${f('search')} ms`);
});

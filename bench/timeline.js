// Benchmark: drawing a timeline of 1,000,000 events (src/web/static/timeline.js) in Debian's headless Chromium.
// Prints the median over RUNS of: parsing the document's JSON (the API's columns), preparing and first drawing
// the whole session, a redraw zoomed in on a tenth of it, and the time to the next frame on screen; saves a
// screenshot of the last timeline.
// Usage: node bench/timeline.js [EVENTS] [RUNS] [SCREENSHOT.png]   (after `npm ci` in tests/web)
'use strict';

const path = require('node:path');

const { root, median, benchPage } = require('./chromium');

const EVENTS = parseInt(process.argv[2] || '1000000', 10);
const RUNS = parseInt(process.argv[3] || '5', 10);
const SHOT = process.argv[4] || path.join(root, 'build/web-artifacts/bench-timeline.png');

// In the page: the API's document (src/report/timeline_json.c) for n events over 60 s on 40 threads, shaped like
// a busy session: mostly CPU samples, then waits and locks with durations, exceptions in bursts, allocations, a
// GC pause every 2 s; sorted by start as the server sends them.
function makeDoc(n, seed) {
  let s = seed >>> 0;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
  const span = 60e9;
  const threads = [];
  for (let t = 0; t < 40; t++) threads.push({ tid: 1000 + t, name: `worker-${t}`, events: 0, busy_ns: 0 });
  const labels = [];
  for (let i = 0; i < 500; i++) labels.push(`MyApp.Module${i % 37}.Class${i % 91}.Method${i}`);
  const stacks = [];
  for (let i = 0; i < 2000; i++) {
    const depth = 5 + Math.floor(rnd() * 30);
    const st = [];
    for (let k = 0; k < depth; k++) st.push(Math.floor(rnd() * labels.length));
    stacks.push(st);
  }
  const ev = [];
  for (let i = 0; i < n; i++) {
    const r = rnd();
    const kind = r < 0.7 ? 0 : r < 0.8 ? 4 : r < 0.85 ? 5 : r < 0.93 ? 1 : r < 0.96 ? 2 : 6;
    const start = Math.floor(rnd() * span);
    const dur = kind === 0 ? 10101010 : kind === 4 || kind === 5 ? Math.floor(Math.pow(rnd(), 3) * 50e6) : 0;
    ev.push([kind, Math.floor(Math.pow(rnd(), 1.5) * threads.length), start, dur, Math.floor(rnd() * labels.length),
      Math.floor(rnd() * stacks.length)]);
  }
  for (let t = 1e9; t < span; t += 2e9) ev.push([3, 0, t, 2e6 + Math.floor(rnd() * 8e6), 0, -1]);
  ev.sort((a, b) => a[2] - b[2]);
  const col = (k) => ev.map((e) => e[k]);
  return JSON.stringify({
    session: 'bench', zero_wall_ns: 0, zero_monotonic_ns: 0, end_ns: span, left_off: 0,
    kinds: ['cpu', 'throw', 'catch', 'pause', 'lock', 'wait', 'allocation'], threads, stacks, labels,
    kind: col(0), thread: col(1), start: col(2), dur: col(3), label: col(4), stack: col(5), owner: ev.map(() => 0),
  });
}

benchPage('timeline.js', { makeDoc }, SHOT, async (page) => {
  const results = [];
  for (let r = 0; r < RUNS; r++) {
    const m = await page.evaluate(async ({ n, seed }) => {
      const text = window.makeDoc(n, seed);
      const holder = document.getElementById('holder');
      holder.replaceChildren();
      const t0 = performance.now();
      const doc = JSON.parse(text);
      const t1 = performance.now();
      const tl = new window.DrdTimeline(holder, doc);
      tl.ctx.getImageData(0, 0, 1, 1); // wait for the drawing commands to be carried out
      const t2 = performance.now();
      await new Promise((res) => requestAnimationFrame(() => requestAnimationFrame(res)));
      const t3 = performance.now();
      tl.zoomTo(tl.d.end * 0.45, tl.d.end * 0.55);
      tl.ctx.getImageData(0, 0, 1, 1);
      const t4 = performance.now();
      tl.zoomTo(0, tl.d.end);
      tl.ctx.getImageData(0, 0, 1, 1);
      const t5 = performance.now();
      return {
        events: tl.d.n, drawn: tl.drawn, bytes: text.length, parse: t1 - t0, build_and_draw: t2 - t1,
        to_screen: t3 - t0, zoomed: t4 - t3, whole: t5 - t4,
      };
    }, { n: EVENTS, seed: 12345 + r });
    results.push(m);
  }
  const f = (k) => median(results.map((x) => x[k])).toFixed(1);
  console.log(`timeline of ${results[0].events} events on 40 threads (${results[0].drawn} drawn, ` +
    `${(results[0].bytes / 1e6).toFixed(1)} MB of JSON), median of ${RUNS} runs in headless Chromium:`);
  console.log(`  JSON.parse                 ${f('parse')} ms`);
  console.log(`  prepare + first draw       ${f('build_and_draw')} ms`);
  console.log(`  parse to frame on screen   ${f('to_screen')} ms`);
  console.log(`  redraw zoomed to a tenth   ${f('zoomed')} ms`);
  console.log(`  redraw of the whole        ${f('whole')} ms`);
});

// drdotnet web UI: the session's timeline, drawn on a <canvas>: one lane per thread (the busiest first), the runtime's
// pauses as a band across every lane, waits as bars, exceptions and allocations as marks, CPU samples as density;
// wheel to zoom, drag to pan, shift-drag (or drag on the time axis) to select a range, hover for an event's details.
// The events come from /api/sessions/<id>/timeline as columns (src/report/timeline_json.c).
'use strict';

(function () {
  const AXIS = 22; // px: the time axis on top
  const PAUSE_ROW = 14; // px: the pauses' own row under it
  const LANE = 18; // px per thread
  const LABEL_W = 170; // px: thread names on the left
  const FONT = '11px ui-sans-serif, system-ui, sans-serif';
  const KIND = { cpu: 0, throw: 1, catch: 2, pause: 3, lock: 4, wait: 5, allocation: 6 };
  // RGBA of each kind, drawn straight into the image
  const RGB = [[38, 110, 200], [214, 45, 45], [40, 150, 80], [130, 70, 190], [230, 130, 20], [140, 140, 150], [20, 160, 170]];

  function fmtMs(ns) {
    const ms = ns / 1e6;
    return (Math.abs(ms) >= 100 ? ms.toFixed(1) : ms.toFixed(3)) + ' ms';
  }

  // The columns of the API's document in typed arrays, and each lane's events (indices by start) for the hit test.
  function prepare(doc) {
    const n = doc.kind.length;
    const d = {
      n,
      kind: Uint8Array.from(doc.kind),
      thread: Int32Array.from(doc.thread),
      start: Float64Array.from(doc.start),
      dur: Float64Array.from(doc.dur),
      label: Int32Array.from(doc.label),
      stack: Int32Array.from(doc.stack),
      owner: doc.owner ? Uint32Array.from(doc.owner) : new Uint32Array(n),
      labels: doc.labels,
      stacks: doc.stacks,
      threads: doc.threads,
      end: Math.max(doc.end_ns || 0, 1),
      leftOff: doc.left_off || 0,
      zeroMono: doc.zero_monotonic_ns || 0, // the target's CLOCK_MONOTONIC at the session's zero
      pauses: [],
    };
    const counts = new Int32Array(d.threads.length + 1);
    for (let i = 0; i < n; i++) {
      if (d.kind[i] === KIND.pause) d.pauses.push(i);
      else counts[d.thread[i] + 1]++;
    }
    d.lanes = d.threads.map((_, t) => new Int32Array(counts[t + 1]));
    d.maxDur = new Float64Array(d.threads.length);
    const fillAt = new Int32Array(d.threads.length);
    for (let i = 0; i < n; i++) {
      const t = d.thread[i];
      if (d.kind[i] === KIND.pause || t < 0) continue;
      d.lanes[t][fillAt[t]++] = i;
      if (d.dur[i] > d.maxDur[t] && d.kind[i] !== KIND.cpu) d.maxDur[t] = d.dur[i];
    }
    return d;
  }

  // The first position in the sorted index list idx whose event starts at or after t.
  function lowerBound(idx, start, t) {
    let lo = 0;
    let hi = idx.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (start[idx[mid]] < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  class Timeline {
    constructor(holder, doc) {
      this.holder = holder;
      this.d = prepare(doc);
      this.canvas = document.createElement('canvas');
      this.canvas.className = 'timeline-canvas';
      holder.appendChild(this.canvas);
      this.ctx = this.canvas.getContext('2d');
      this.t0 = 0;
      this.t1 = this.d.end;
      this.sel = null; // [from, to] in ns
      this.onselect = null;
      this.onhover = null;
      this.drag = null;
      this.listen();
      this.resize();
    }

    get width() {
      return Math.max(200, this.holder.clientWidth || 800);
    }

    resize() {
      const dpr = window.devicePixelRatio || 1;
      this.w = this.width;
      this.h = AXIS + PAUSE_ROW + this.d.threads.length * LANE + 4;
      this.canvas.width = Math.round(this.w * dpr);
      this.canvas.height = Math.round(this.h * dpr);
      this.canvas.style.width = this.w + 'px';
      this.canvas.style.height = this.h + 'px';
      this.dpr = dpr;
      this.draw();
    }

    // ns -> x in CSS px, and back
    x(t) {
      return LABEL_W + ((t - this.t0) / (this.t1 - this.t0)) * (this.w - LABEL_W);
    }

    time(x) {
      return this.t0 + ((x - LABEL_W) / (this.w - LABEL_W)) * (this.t1 - this.t0);
    }

    zoomTo(t0, t1) {
      const span = Math.max(1000, t1 - t0); // 1 µs at the finest
      const lo = Math.max(-span * 0.05, t0);
      this.t0 = lo;
      this.t1 = lo + span;
      this.draw();
    }

    select(from, to) {
      this.sel = from === null ? null : [Math.min(from, to), Math.max(from, to)];
      this.draw();
      if (this.onselect) this.onselect(this.sel);
    }

    // Every event into an image (one pass, a few pixels each), then the text and the selection on top.
    draw() {
      const t0 = performance.now();
      const { d, dpr } = this;
      const W = this.canvas.width;
      const H = this.canvas.height;
      const img = this.ctx.createImageData(W, H);
      const px = img.data;
      const scale = ((this.w - LABEL_W) * dpr) / (this.t1 - this.t0);
      const left = Math.round(LABEL_W * dpr);
      const put = (x, y0, y1, k, alpha) => {
        if (x < left || x >= W) return;
        const c = RGB[k];
        for (let y = y0; y < y1; y++) {
          const o = (y * W + x) * 4;
          px[o] = c[0];
          px[o + 1] = c[1];
          px[o + 2] = c[2];
          if (px[o + 3] < alpha) px[o + 3] = alpha;
        }
      };
      const laneTop = (t) => Math.round((AXIS + PAUSE_ROW + t * LANE) * dpr);
      let drawn = 0;
      // pauses: their row, and a light band across every lane
      for (const i of d.pauses) {
        const a = Math.floor((d.start[i] - this.t0) * scale) + left;
        const b = Math.max(a + 1, Math.ceil((d.start[i] + d.dur[i] - this.t0) * scale) + left);
        if (b < left || a >= W) continue;
        drawn++;
        for (let x = Math.max(a, left); x < Math.min(b, W); x++) {
          put(x, Math.round((AXIS + 2) * dpr), Math.round((AXIS + PAUSE_ROW - 2) * dpr), KIND.pause, 230);
          put(x, Math.round((AXIS + PAUSE_ROW) * dpr), H, KIND.pause, 40);
        }
      }
      // each lane: CPU density on top, waits as bars in the middle, marks at the bottom
      const cpuCol = new Float64Array(W);
      const nsPerPx = 1 / scale;
      for (let t = 0; t < d.lanes.length; t++) {
        const idx = d.lanes[t];
        const top = laneTop(t);
        const u = dpr;
        cpuCol.fill(0);
        let from = lowerBound(idx, d.start, this.t0 - d.maxDur[t]);
        for (let k = from; k < idx.length; k++) {
          const i = idx[k];
          const s = d.start[i];
          if (s > this.t1) break;
          const kind = d.kind[i];
          const a = Math.floor((s - this.t0) * scale) + left;
          if (kind === KIND.cpu) {
            if (a >= left && a < W) cpuCol[a] += d.dur[i];
            drawn++;
            continue;
          }
          if (kind === KIND.lock || kind === KIND.wait) {
            const b = Math.max(a + 1, Math.ceil((s + d.dur[i] - this.t0) * scale) + left);
            if (b < left) continue;
            drawn++;
            for (let x = Math.max(a, left); x < Math.min(b, W); x++) put(x, top + Math.round(6 * u), top + Math.round(13 * u), kind, 220);
            continue;
          }
          if (a < left || a >= W) continue;
          drawn++;
          const y0 = kind === KIND.allocation ? top + Math.round(13 * u) : top + Math.round(5 * u);
          put(a, y0, top + Math.round(17 * u), kind, 255);
        }
        for (let x = left; x < W; x++) {
          if (!cpuCol[x]) continue;
          const share = Math.min(1, cpuCol[x] / nsPerPx / 4); // a px that stands for 25 % busy is solid
          put(x, top + Math.round(1 * u), top + Math.round(5 * u), KIND.cpu, 60 + Math.round(195 * share));
        }
      }
      this.ctx.putImageData(img, 0, 0);
      this.text();
      this.drawn = drawn;
      this.canvas.dataset.drawn = String(drawn);
      this.canvas.dataset.view = `${Math.round(this.t0)},${Math.round(this.t1)}`;
      this.lastDrawMs = performance.now() - t0;
    }

    // The axis, the lanes' names and separators, the selection.
    text() {
      const { ctx, d, dpr } = this;
      ctx.save();
      ctx.scale(dpr, dpr);
      ctx.font = FONT;
      ctx.textBaseline = 'middle';
      ctx.fillStyle = '#fafafc';
      ctx.fillRect(0, 0, LABEL_W, this.h);
      ctx.fillRect(LABEL_W, 0, this.w - LABEL_W, AXIS);
      ctx.fillStyle = '#333';
      ctx.fillText('Runtime pauses', 6, AXIS + PAUSE_ROW / 2);
      ctx.strokeStyle = '#e4e4ea';
      ctx.beginPath();
      for (let t = 0; t <= d.threads.length; t++) {
        const y = AXIS + PAUSE_ROW + t * LANE + 0.5;
        ctx.moveTo(0, y);
        ctx.lineTo(this.w, y);
      }
      ctx.stroke();
      d.threads.forEach((th, t) => {
        const name = `${th.name || 'thread'} (${th.tid})`;
        ctx.fillStyle = '#222';
        ctx.fillText(name.length > 26 ? name.slice(0, 25) + '…' : name, 6, AXIS + PAUSE_ROW + t * LANE + LANE / 2);
      });
      // ticks: a round step giving ~100 px
      const span = this.t1 - this.t0;
      const raw = (span / (this.w - LABEL_W)) * 100;
      const p = Math.pow(10, Math.floor(Math.log10(raw)));
      const step = [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw);
      ctx.fillStyle = '#555';
      ctx.strokeStyle = '#d0d0d8';
      ctx.beginPath();
      for (let t = Math.ceil(this.t0 / step) * step; t <= this.t1; t += step) {
        const x = Math.round(this.x(t)) + 0.5;
        ctx.moveTo(x, AXIS - 5);
        ctx.lineTo(x, AXIS);
        ctx.fillText(fmtMs(t), x + 3, AXIS / 2);
      }
      ctx.stroke();
      if (this.sel) {
        const a = Math.max(LABEL_W, this.x(this.sel[0]));
        const b = Math.min(this.w, this.x(this.sel[1]));
        if (b > a) {
          ctx.fillStyle = 'rgba(255, 200, 0, 0.18)';
          ctx.fillRect(a, 0, b - a, this.h);
          ctx.strokeStyle = 'rgba(200, 140, 0, 0.9)';
          ctx.strokeRect(a + 0.5, 0.5, b - a - 1, this.h - 1);
        }
      }
      ctx.restore();
    }

    // The event under (x, y) in CSS px, or null: a pause in its row, else the nearest event of the lane.
    hit(x, y) {
      const { d } = this;
      if (x < LABEL_W || y < AXIS) return null;
      const t = this.time(x);
      const tol = (3 * (this.t1 - this.t0)) / (this.w - LABEL_W);
      if (y < AXIS + PAUSE_ROW) { // the pause that holds t, else the nearest within tol
        let best = null;
        let bestDist = tol;
        for (const i of d.pauses) {
          const dist = t < d.start[i] ? d.start[i] - t : Math.max(0, t - d.start[i] - d.dur[i]);
          if (dist < bestDist || (dist === bestDist && best !== null && d.dur[i] > d.dur[best])) {
            best = i;
            bestDist = dist;
          }
        }
        return best;
      }
      const lane = Math.floor((y - AXIS - PAUSE_ROW) / LANE);
      if (lane < 0 || lane >= d.lanes.length) return null;
      const idx = d.lanes[lane];
      let best = null;
      let bestDist = tol;
      for (let k = lowerBound(idx, d.start, t - d.maxDur[lane] - tol); k < idx.length; k++) {
        const i = idx[k];
        if (d.start[i] > t + tol) break;
        const end = d.start[i] + (d.kind[i] === KIND.cpu ? 0 : d.dur[i]);
        const dist = t < d.start[i] ? d.start[i] - t : t > end ? t - end : 0;
        if (dist <= bestDist) {
          best = i;
          bestDist = dist;
        }
      }
      return best;
    }

    // What the tooltip says of event i.
    describe(i) {
      const { d } = this;
      const kinds = ['CPU sample', 'exception thrown', 'exception caught', 'runtime pause', 'lock waited for', 'blocking wait', 'allocation sampled'];
      const k = d.kind[i];
      const th = d.threads[d.thread[i]];
      const lines = [d.labels[d.label[i]], `${kinds[k]} at ${fmtMs(d.start[i])}`];
      if (k === KIND.cpu) lines.push(`${fmtMs(d.dur[i])} of CPU`);
      else if (d.dur[i]) lines.push(`lasted ${fmtMs(d.dur[i])}`);
      if (th) lines.push(`${k === KIND.pause ? 'suspended by' : 'thread'} ${th.name || ''} (${th.tid})`);
      if (k === KIND.lock && d.owner[i]) lines.push(`held by thread ${d.owner[i]}`);
      const st = d.stack[i] >= 0 ? d.stacks[d.stack[i]] : null;
      if (st) {
        for (const f of st.slice(0, 12)) lines.push('  at ' + d.labels[f]);
        if (st.length > 12) lines.push(`  … ${st.length - 12} more frames`);
      }
      return lines;
    }

    listen() {
      const c = this.canvas;
      const pos = (e) => {
        const r = c.getBoundingClientRect();
        return [e.clientX - r.left, e.clientY - r.top];
      };
      c.addEventListener('wheel', (e) => {
        const [x] = pos(e);
        if (x < LABEL_W) return;
        e.preventDefault();
        const t = this.time(x);
        const f = Math.exp(Math.max(-1, Math.min(1, e.deltaY / 300)));
        this.zoomTo(t - (t - this.t0) * f, t + (this.t1 - t) * f);
      }, { passive: false });
      c.addEventListener('mousedown', (e) => {
        const [x, y] = pos(e);
        if (x < LABEL_W) return;
        const selecting = e.shiftKey || y < AXIS;
        this.drag = { x, t0: this.t0, t1: this.t1, from: this.time(x), selecting, moved: false };
        e.preventDefault();
      });
      window.addEventListener('mousemove', this._move = (e) => {
        const [x, y] = pos(e);
        const g = this.drag;
        if (!g) {
          const i = x >= 0 && y >= 0 && x <= this.w && y <= this.h ? this.hit(x, y) : null;
          c.style.cursor = i === null ? 'default' : 'pointer';
          if (this.onhover) this.onhover(i === null ? null : this.describe(i), e);
          return;
        }
        g.moved = g.moved || Math.abs(x - g.x) > 2;
        if (!g.moved) return;
        if (g.selecting) {
          this.sel = [Math.min(g.from, this.time(x)), Math.max(g.from, this.time(x))];
          this.draw();
        } else {
          const dt = ((g.x - x) / (this.w - LABEL_W)) * (g.t1 - g.t0);
          this.t0 = g.t0 + dt;
          this.t1 = g.t1 + dt;
          this.draw();
        }
      });
      window.addEventListener('mouseup', this._up = () => {
        const g = this.drag;
        this.drag = null;
        if (g && g.selecting && g.moved && this.onselect) this.onselect(this.sel);
      });
    }

    destroy() {
      window.removeEventListener('mousemove', this._move);
      window.removeEventListener('mouseup', this._up);
    }
  }

  const TIMED = ['cpu-hotpaths', 'exceptions', 'runtime-pauses', 'waits', 'allocations'];
  const KIND_TEXT = ['CPU sample', 'exception thrown', 'exception caught', 'runtime paused', 'lock waited for',
    'blocking wait', 'allocation sampled'];

  // What happened in [from, to) (the whole session for null), by kind and label (an exception's type, a lock, a
  // pause's reason, a thread for CPU samples): how many events started in it and the time they spent in it.
  function summarize(d, sel) {
    const from = sel ? sel[0] : 0;
    const to = sel ? sel[1] : Infinity;
    const rows = new Map();
    for (let i = 0; i < d.n; i++) {
      const s = d.start[i];
      const e = s + d.dur[i];
      if (s >= to || e < from || (d.dur[i] === 0 && s < from)) continue;
      const k = d.kind[i];
      const label = k === KIND.cpu ? (d.threads[d.thread[i]] || {}).name || 'thread' : d.label[i] >= 0 ? d.labels[d.label[i]] : '';
      const key = k + '\u0000' + label;
      let r = rows.get(key);
      if (!r) rows.set(key, (r = { kind: KIND_TEXT[k], what: label, events: 0, ns: 0 }));
      if (s >= from) r.events++;
      if (k !== KIND.cpu) r.ns += Math.max(0, Math.min(e, to) - Math.max(s, from));
    }
    return [...rows.values()];
  }

  function profilersOf(s) {
    if (s.profilers && s.profilers.length) return s.profilers.map((p) => p.name);
    return s.profiler && s.profiler.name ? s.profiler.name.split(',') : [];
  }

  // The Timeline tab: the canvas, its tools, and the CPU flame graph of the range selected (of the whole session
  // until one is). ui: the page's helpers (app.js).
  function view(ui) {
    const { h } = ui;
    const holder = h('div', { class: 'timeline-holder', id: 'timeline-holder' });
    const status = h('span', { class: 'muted small', id: 'timeline-status' }, 'Loading the timeline…');
    const reset = h('button', { class: 'secondary', id: 'timeline-reset' }, 'Reset zoom');
    const clear = h('button', { class: 'secondary', id: 'timeline-clear' }, 'Clear selection');
    const legend = h('p', { class: 'muted small' },
      'One lane per thread, the busiest on top. Blue: CPU samples (darker is busier); orange bars: locks waited for; ',
      'grey bars: blocking waits; red marks: exceptions thrown; green: caught; teal: allocations sampled; purple: the ',
      'runtime paused (every thread stopped). Wheel to zoom, drag to pan, shift-drag or drag on the time axis to ',
      'select a range: the table and the flame graph below then show that range only.');
    const flameBox = h('div', { id: 'timeline-flame' });
    const sumBox = h('div', { id: 'timeline-summary' });
    const el = h('div', {}, ui.card('Timeline', h('div', { class: 'card-tools' }, status, clear, reset), holder, legend),
      sumBox, flameBox);
    const cpu = profilersOf(ui.s).includes('cpu-hotpaths');
    let tl = null;
    let flameSeq = 0;

    // The table of what happened in the selection (every profiler's events), beside the flame graph of its CPU.
    function showSummary(sel) {
      const rows = summarize(tl.d, sel);
      const table = ui.sortableTable([
        { key: 'kind', label: 'Kind' },
        { key: 'what', label: 'What', class: 'name' },
        { key: 'events', label: 'Events', num: true },
        { key: 'ns', label: 'Time in range', num: true, render: (r) => (r.ns ? fmtMs(r.ns) : '') },
      ], rows, { sortKey: 'events', rowData: (r) => ({ kind: r.kind, what: r.what, events: String(r.events) }) });
      const title = sel ? `In the selection: ${fmtMs(sel[1] - sel[0])} from ${fmtMs(sel[0])}` : 'The whole session';
      sumBox.dataset.range = sel ? `${Math.floor(sel[0])},${Math.ceil(sel[1])}` : '';
      ui.fill(sumBox, ui.card(title, table));
    }

    async function showFlame(sel) {
      if (!cpu) {
        ui.fill(flameBox, ui.card('CPU of the selection', h('p', { class: 'muted' }, 'This session has no CPU samples (cpu-hotpaths).')));
        return;
      }
      const seq = ++flameSeq;
      const q = sel ? `?from=${Math.max(0, Math.floor(sel[0]))}&to=${Math.max(1, Math.ceil(sel[1]))}` : '';
      let rep;
      try {
        rep = await ui.api('GET', '/sessions/' + encodeURIComponent(ui.id) + '/report' + q);
      } catch (e) {
        ui.fill(flameBox, ui.errorBox(e));
        return;
      }
      if (seq !== flameSeq) return; // a newer selection won
      const r = rep.reports ? rep.reports['cpu-hotpaths'] : rep;
      if (!r || r.error || !r.tree) {
        ui.fill(flameBox, ui.errorBox((r && r.error) || 'no CPU report'));
        return;
      }
      const byNs = r.total_ns > 0;
      const all = (byNs ? r.tree.total_ns : r.tree.total) || 1;
      const card = ui.flameCard(r.tree, {
        valueKey: byNs ? 'total_ns' : 'total', selfKey: byNs ? 'self_ns' : 'self', unit: 'CPU time',
        unitNote: sel ? `of ${fmtMs(sel[1] - sel[0])} from ${fmtMs(sel[0])}: ${r.samples} samples` : `the whole session: ${r.samples} samples`,
        describe: (dd) => [dd.name, `${(100 * (byNs ? dd.node.total_ns : dd.node.total) / all).toFixed(1)} % of the CPU time shown`],
      });
      flameBox.dataset.samples = String(r.samples);
      flameBox.dataset.range = sel ? `${Math.floor(sel[0])},${Math.ceil(sel[1])}` : '';
      ui.fill(flameBox, card);
      if (card.onshow) card.onshow();
    }

    el.onshow = async () => {
      if (tl) {
        tl.resize();
        return;
      }
      let doc;
      try {
        doc = await ui.api('GET', '/sessions/' + encodeURIComponent(ui.id) + '/timeline');
      } catch (e) {
        status.textContent = '';
        ui.fill(holder, ui.errorBox(e));
        return;
      }
      const t0 = performance.now();
      tl = new Timeline(holder, doc);
      holder.dataset.firstDrawMs = (performance.now() - t0).toFixed(1);
      status.textContent = `${doc.kind.length.toLocaleString()} events, ${doc.threads.length} threads` +
        (doc.left_off ? `; ${doc.left_off.toLocaleString()} more left off the timeline (its share per second was used up)` : '');
      tl.onhover = (lines, e) => ui.setTooltip(lines, e);
      tl.onselect = (sel) => {
        showSummary(sel);
        showFlame(sel);
      };
      reset.onclick = () => tl.zoomTo(0, tl.d.end);
      clear.onclick = () => tl.select(null);
      window.drdTimeline = tl; // for tests and the curious
      const onResize = () => tl.resize();
      window.addEventListener('resize', onResize);
      ui.cleanup(() => {
        window.removeEventListener('resize', onResize);
        tl.destroy();
      });
      showSummary(null);
      showFlame(null);
    };
    return el;
  }

  // app.js's hook: the session's report, with a Timeline tab beside it when the session recorded timed events.
  // report() builds the report's view (built when its tab first shows, so that its own tabs draw attached).
  function wrap(report, ui) {
    if (!profilersOf(ui.s).some((p) => TIMED.includes(p))) return report();
    return ui.tabs([
      { id: 'report', label: 'Report', render: report },
      { id: 'timeline', label: 'Timeline', render: () => view(ui) },
    ]);
  }

  window.DrdTimeline = Timeline;
  window.drdTimelineTab = wrap;
})();

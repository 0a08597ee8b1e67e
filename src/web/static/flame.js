// drdotnet web UI: the flame graph, drawn on a <canvas> from a call tree (root on top), with zoom, search, hover.
'use strict';

(function () {
  const ROW = 18; // px per stack level
  const MIN_DRAW = 0.35; // px: narrower frames are not drawn
  const MIN_LABEL = 28; // px: narrower frames get no text
  const FONT = '11px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace';
  const MAX_LISTED = 200; // names kept in the data- attributes

  // Colours by kind of frame: the runtime's and the framework's in blues, the application's in warm tones.
  const WARM = [];
  const COOL = [];
  for (let i = 0; i < 12; i++) {
    WARM.push(`hsl(${8 + i * 4}, ${72 + (i % 3) * 6}%, ${58 + (i % 4) * 3}%)`);
    COOL.push(`hsl(${196 + i * 3}, ${42 + (i % 3) * 6}%, ${66 + (i % 4) * 3}%)`);
  }
  const ROOT = '#c9ccd6';
  const MATCH = '#d1249a';
  const DIMMED = '#e3e3e8';
  const PALETTE = WARM.concat(COOL, [ROOT, MATCH, DIMMED]);
  const ROOT_COLOR = WARM.length + COOL.length;
  const MATCH_COLOR = ROOT_COLOR + 1;
  const DIM_COLOR = MATCH_COLOR + 1;

  function hash(s) {
    let h = 2166136261;
    for (let i = 0; i < s.length; i++) {
      h ^= s.charCodeAt(i);
      h = Math.imul(h, 16777619);
    }
    return h >>> 0;
  }

  function colorOf(name, isRoot) {
    if (isRoot) return ROOT_COLOR;
    // native code: a library's frames ("libcoreclr.so (6 frames)") and its functions ("memcmp (libc.so.6)")
    const runtime = /^(System|Microsoft|Interop|Internal)\b|^\[|^\(|^lib[\w.+-]*\.so|\([\w.+-]+\.so[\w.]*\)$/.test(name);
    // frames of one class share a colour: hash what comes before the method name
    const dot = name.lastIndexOf('.', name.indexOf('(') >= 0 ? name.indexOf('(') : name.length);
    const h = hash(dot > 0 ? name.slice(0, dot) : name) % 12;
    return runtime ? WARM.length + h : h;
  }

  // Flattens a tree {name, children, [valueKey], [selfKey]} into typed arrays, in depth-first order: at each
  // depth the nodes come left to right, which the hit test relies on.
  function flatten(root, valueKey) {
    let n = 0;
    const stack = [root];
    while (stack.length) {
      const node = stack.pop();
      n++;
      const ch = node.children;
      if (ch) for (let i = 0; i < ch.length; i++) stack.push(ch[i]);
    }
    const x = new Float64Array(n);
    const w = new Float64Array(n);
    const depth = new Uint16Array(n);
    const parent = new Int32Array(n);
    const name = new Int32Array(n);
    const color = new Uint8Array(n);
    const names = [];
    const nameIndex = new Map();
    const nodes = new Array(n);
    let maxDepth = 0;
    // explicit stack of [node, parent index, depth, x]
    const work = [[root, -1, 0, 0]];
    let i = 0;
    while (work.length) {
      const [node, p, d, start] = work.pop();
      const v = +node[valueKey] || 0;
      x[i] = start;
      w[i] = v;
      depth[i] = d;
      parent[i] = p;
      let k = nameIndex.get(node.name);
      if (k === undefined) {
        k = names.length;
        names.push(node.name);
        nameIndex.set(node.name, k);
      }
      name[i] = k;
      nodes[i] = node;
      if (d > maxDepth) maxDepth = d;
      const ch = node.children;
      if (ch && ch.length) {
        // push right to left so that the leftmost child is visited first
        let offs = start;
        const starts = new Array(ch.length);
        for (let c = 0; c < ch.length; c++) {
          starts[c] = offs;
          offs += +ch[c][valueKey] || 0;
        }
        for (let c = ch.length - 1; c >= 0; c--) work.push([ch[c], i, d + 1, starts[c]]);
      }
      i++;
    }
    const nameColor = new Uint8Array(names.length);
    for (let k = 0; k < names.length; k++) nameColor[k] = colorOf(names[k], false);
    for (let j = 0; j < n; j++) color[j] = nameColor[name[j]];
    color[0] = colorOf(names[name[0]], true);
    // per depth, the node indices left to right
    const counts = new Uint32Array(maxDepth + 2);
    for (let j = 0; j < n; j++) counts[depth[j] + 1]++;
    for (let d = 1; d < counts.length; d++) counts[d] += counts[d - 1];
    const byDepth = new Int32Array(n);
    const fill = counts.slice(0, maxDepth + 1);
    for (let j = 0; j < n; j++) byDepth[fill[depth[j]]++] = j;
    return { n, x, w, depth, parent, name, color, names, nodes, maxDepth, levelStart: counts, byDepth };
  }

  class FlameGraph {
    // container: an element to draw into; root: the tree; opts: {valueKey, selfKey, unit, describe(node)}
    constructor(container, root, opts) {
      this.opts = Object.assign({ valueKey: 'total', selfKey: 'self', unit: 'samples' }, opts || {});
      this.container = container;
      this.canvas = document.createElement('canvas');
      this.canvas.className = 'flame-canvas';
      this.canvas.setAttribute('role', 'img');
      this.canvas.setAttribute('aria-label', 'flame graph');
      container.appendChild(this.canvas);
      this.ctx = this.canvas.getContext('2d', { alpha: false });
      this.data = flatten(root, this.opts.valueKey);
      this.zoom = 0; // index of the frame that spans the width
      this.query = '';
      this.matchName = null; // Uint8Array over names, when searching
      this.hover = -1;
      this.onzoom = null;
      this.onhover = null;
      this._order = this._colorOrder();
      this.canvas.addEventListener('mousemove', (e) => this._move(e));
      this.canvas.addEventListener('mouseleave', () => this._setHover(-1, null));
      this.canvas.addEventListener('click', (e) => this._click(e));
      this.resize();
    }

    // node indices grouped by colour, so one fill() draws each colour
    _colorOrder() {
      const d = this.data;
      const counts = new Uint32Array(PALETTE.length + 1);
      for (let i = 0; i < d.n; i++) counts[d.color[i] + 1]++;
      for (let c = 1; c < counts.length; c++) counts[c] += counts[c - 1];
      const order = new Int32Array(d.n);
      const fill = counts.slice(0, PALETTE.length);
      for (let i = 0; i < d.n; i++) order[fill[d.color[i]]++] = i;
      return { order, start: counts };
    }

    get total() {
      return this.data.w[0];
    }

    resize() {
      const dpr = window.devicePixelRatio || 1;
      const width = Math.max(200, this.container.clientWidth);
      const height = (this.data.maxDepth + 1) * ROW + 1;
      this.width = width;
      this.height = height;
      this.canvas.style.width = width + 'px';
      this.canvas.style.height = height + 'px';
      this.canvas.width = Math.round(width * dpr);
      this.canvas.height = Math.round(height * dpr);
      this.ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      this.draw();
    }

    // the frames whose name holds text (case-insensitive); '' clears the search
    search(text) {
      this.query = (text || '').trim();
      const d = this.data;
      if (!this.query) {
        this.matchName = null;
      } else {
        const q = this.query.toLowerCase();
        this.matchName = new Uint8Array(d.names.length);
        for (let k = 0; k < d.names.length; k++) if (d.names[k].toLowerCase().includes(q)) this.matchName[k] = 1;
      }
      this.draw();
      return this.matchSummary();
    }

    // {names, share}: the matching names, and the share of the total under a matching frame (counted once)
    matchSummary() {
      const d = this.data;
      if (!this.matchName) return { names: [], share: 0 };
      const names = [];
      for (let k = 0; k < d.names.length; k++) if (this.matchName[k]) names.push(d.names[k]);
      // a matching frame under a matching ancestor is already counted
      const covered = new Uint8Array(d.n);
      let sum = 0;
      for (let i = 0; i < d.n; i++) {
        const p = d.parent[i];
        const inside = p >= 0 && covered[p];
        if (inside) covered[i] = 1;
        else if (this.matchName[d.name[i]]) {
          covered[i] = 1;
          sum += d.w[i];
        }
      }
      return { names, share: this.total ? sum / this.total : 0 };
    }

    zoomTo(i) {
      this.zoom = i >= 0 && i < this.data.n ? i : 0;
      this.draw();
      if (this.onzoom) this.onzoom(this.zoom, this.data.nodes[this.zoom]);
    }

    draw() {
      const t0 = performance.now();
      const d = this.data;
      const ctx = this.ctx;
      const W = this.width;
      ctx.fillStyle = '#ffffff';
      ctx.fillRect(0, 0, W, this.height);
      const z = this.zoom;
      const x0 = d.x[z];
      const span = d.w[z] || 1;
      const scale = W / span;
      const zd = d.depth[z];
      const match = this.matchName;
      const { order, start } = this._order;
      // ancestors of the zoomed frame: full width above it
      const rects = []; // [index, px, pw] of the frames drawn, for the labels
      for (let c = 0; c <= ROOT_COLOR; c++) {
        let open = false;
        let openColor = -1;
        for (let k = start[c]; k < start[c + 1]; k++) {
          const i = order[k];
          const xi = d.x[i];
          const wi = d.w[i];
          if (xi + wi <= x0 || xi >= x0 + span) continue;
          if (d.depth[i] < zd && !isAncestor(d, i, z)) continue;
          let px = (xi - x0) * scale;
          let pw = wi * scale;
          if (px < 0) {
            pw += px;
            px = 0;
          }
          if (px + pw > W) pw = W - px;
          if (pw < MIN_DRAW) continue;
          const colorIndex = match ? (match[d.name[i]] ? MATCH_COLOR : DIM_COLOR) : c;
          if (colorIndex !== openColor) {
            if (open) ctx.fill();
            ctx.fillStyle = PALETTE[colorIndex];
            ctx.beginPath();
            open = true;
            openColor = colorIndex;
          }
          ctx.rect(px, d.depth[i] * ROW, Math.max(pw - 0.6, 0.35), ROW - 1);
          if (pw >= MIN_LABEL) rects.push(i, px, pw);
        }
        if (open) ctx.fill();
      }
      // labels, cut to the frame's width
      ctx.font = FONT;
      ctx.textBaseline = 'middle';
      ctx.fillStyle = '#1d1d22';
      const cw = this._charWidth || (this._charWidth = ctx.measureText('MMMMMMMMMM').width / 10);
      const labelled = new Set();
      for (let r = 0; r < rects.length; r += 3) {
        const i = rects[r];
        const px = rects[r + 1];
        const pw = rects[r + 2];
        const full = d.names[d.name[i]];
        const fit = Math.floor((pw - 6) / cw);
        if (fit < 3) continue;
        const text = full.length <= fit ? full : full.slice(0, fit - 1) + '…';
        ctx.fillText(text, px + 3, d.depth[i] * ROW + ROW / 2);
        if (labelled.size < MAX_LISTED) labelled.add(full);
      }
      if (this.hover >= 0) this._outline(this.hover);
      this.drawMs = performance.now() - t0;
      // what the page shows, for people who cannot see the canvas and for tests
      this.canvas.dataset.labels = Array.from(labelled).join('\n');
      const m = this.matchSummary();
      this.canvas.dataset.highlighted = m.names.slice(0, MAX_LISTED).join('\n');
      this.canvas.dataset.zoom = d.names[d.name[z]];
      this.canvas.dataset.nodes = String(d.n);
    }

    _outline(i) {
      const r = this.rectOf(i);
      if (!r) return;
      this.ctx.strokeStyle = '#111';
      this.ctx.lineWidth = 1;
      this.ctx.strokeRect(r.x + 0.5, r.y + 0.5, Math.max(r.w - 1.5, 1), ROW - 2);
    }

    // the frame's rectangle in CSS pixels of the canvas, or null when it is not drawn
    rectOf(i) {
      const d = this.data;
      const z = this.zoom;
      const x0 = d.x[z];
      const span = d.w[z] || 1;
      const scale = this.width / span;
      if (d.x[i] + d.w[i] <= x0 || d.x[i] >= x0 + span) return null;
      if (d.depth[i] < d.depth[z] && !isAncestor(d, i, z)) return null;
      const px = Math.max(0, (d.x[i] - x0) * scale);
      const end = Math.min(this.width, (d.x[i] + d.w[i] - x0) * scale);
      return { x: px, y: d.depth[i] * ROW, w: end - px, h: ROW };
    }

    // the index of the widest frame named name, or -1
    find(name) {
      const d = this.data;
      let best = -1;
      for (let i = 0; i < d.n; i++) if (d.names[d.name[i]] === name && (best < 0 || d.w[i] > d.w[best])) best = i;
      return best;
    }

    // the frame under a point of the canvas (CSS pixels), or -1
    hit(mx, my) {
      const d = this.data;
      const level = Math.floor(my / ROW);
      if (level < 0 || level > d.maxDepth) return -1;
      const z = this.zoom;
      const x0 = d.x[z];
      const span = d.w[z] || 1;
      const v = x0 + (mx / this.width) * span;
      // binary search among the frames of that level, left to right
      let lo = d.levelStart[level];
      let hi = d.levelStart[level + 1] - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const i = d.byDepth[mid];
        if (d.x[i] + d.w[i] <= v) lo = mid + 1;
        else if (d.x[i] > v) hi = mid - 1;
        else {
          if (level < d.depth[z] && !isAncestor(d, i, z)) return -1;
          return i;
        }
      }
      return -1;
    }

    // {name, value, self, share, zoomShare, node}: what the hover shows of frame i
    describe(i) {
      const d = this.data;
      const node = d.nodes[i];
      return {
        name: d.names[d.name[i]],
        value: d.w[i],
        self: +node[this.opts.selfKey] || 0,
        share: this.total ? d.w[i] / this.total : 0,
        zoomShare: d.w[this.zoom] ? d.w[i] / d.w[this.zoom] : 0,
        node,
      };
    }

    _point(e) {
      const r = this.canvas.getBoundingClientRect();
      return [e.clientX - r.left, e.clientY - r.top];
    }

    _move(e) {
      const [mx, my] = this._point(e);
      const i = this.hit(mx, my);
      this._setHover(i, e);
    }

    _setHover(i, e) {
      if (i !== this.hover) {
        this.hover = i;
        this.draw();
      }
      this.canvas.style.cursor = i >= 0 ? 'pointer' : 'default';
      if (this.onhover) this.onhover(i >= 0 ? this.describe(i) : null, e);
    }

    _click(e) {
      const [mx, my] = this._point(e);
      const i = this.hit(mx, my);
      if (i < 0) return;
      // a click on the frame already zoomed (or an ancestor) zooms out to it
      this.zoomTo(i === this.zoom ? Math.max(this.data.parent[i], 0) : i);
    }
  }

  function isAncestor(d, a, i) {
    for (let p = i; p >= 0; p = d.parent[p]) if (p === a) return true;
    return false;
  }

  window.FlameGraph = FlameGraph;
})();

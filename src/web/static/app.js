// drdotnet web UI: the views (new session, sessions, one session with its report) over the JSON API.
'use strict';

(function () {
  const main = document.getElementById('main');
  const tooltip = document.getElementById('tooltip');
  const num = new Intl.NumberFormat('en-US');
  const dec1 = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  let cleanup = []; // what the current view must stop when the page moves on

  // ---- helpers -------------------------------------------------------------------------------------------------

  // h('div', {class: 'x', onclick: f}, child, 'text', ...): an element; text is always text, never HTML
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else if (k === 'class') el.className = v;
      else if (k === 'style') el.style.cssText = v; // through the CSSOM: the page's CSP refuses style attributes
      else if (k === 'dataset') Object.assign(el.dataset, v);
      else if (k === 'value') el.value = v;
      else if (k === 'checked') el.checked = !!v;
      else el.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children.flat(Infinity)) {
      if (c === undefined || c === null || c === false) continue;
      el.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return el;
  }

  // Replaces el's children with nodes (arrays flattened, text as text, empty values skipped).
  function fill(el, ...nodes) {
    el.replaceChildren(...nodes.flat(Infinity).filter((n) => n !== undefined && n !== null && n !== false)
      .map((n) => (n instanceof Node ? n : document.createTextNode(String(n)))));
    return el;
  }

  class ApiError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  // The API's token: taken from the address that drdotnet serve printed (?token=...), which then leaves the
  // address bar, and kept in this tab's sessionStorage, which only this origin (this port) can read. It goes in a
  // header of each API call, never in a cookie: browsers send 127.0.0.1's cookies to every port of 127.0.0.1, so
  // any other local server the browser visits would receive it.
  const TOKEN_KEY = 'drdotnet-token';
  const token = (() => {
    const params = new URLSearchParams(location.search);
    if (params.has('token')) {
      try {
        sessionStorage.setItem(TOKEN_KEY, params.get('token'));
      } catch (e) {
        // no storage (a private mode that refuses it): the token lives in this page only
      }
      history.replaceState(null, '', location.pathname + location.hash);
      return params.get('token');
    }
    try {
      return sessionStorage.getItem(TOKEN_KEY) || '';
    } catch (e) {
      return '';
    }
  })();

  // fetch of /api + path with the token; no cookies go along (credentials 'omit'), whatever other local web apps
  // have set on this host name
  function apiFetch(path, opts) {
    opts = Object.assign({ credentials: 'omit' }, opts || {});
    opts.headers = Object.assign({ Authorization: 'Bearer ' + token }, opts.headers || {});
    return fetch('/api' + path, opts);
  }

  // The error of a refused API call: its JSON sentence, or the status.
  async function apiError(res) {
    let data = null;
    try {
      data = await res.json();
    } catch (e) {
      data = null;
    }
    return new ApiError(res.status, (data && data.error) || `the server answered ${res.status}`);
  }

  async function api(method, path, body) {
    const opts = { method, headers: {} };
    if (body !== undefined) {
      opts.headers['Content-Type'] = 'application/json';
      opts.body = JSON.stringify(body);
    }
    const res = await apiFetch(path, opts);
    if (!res.ok) throw await apiError(res);
    const text = await res.text();
    let data = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch (e) {
      data = null;
    }
    return data;
  }

  // Follows the server-sent events of /api + path (EventSource cannot send the token's header): calls
  // on(name, data) for each event. Resolves when the server ends the stream; rejects when it cannot be had, is
  // refused, or signal aborts it.
  async function followEvents(path, on, signal) {
    const res = await apiFetch(path, { signal });
    if (!res.ok) throw await apiError(res);
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buf = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buf += decoder.decode(value, { stream: true });
      let end;
      while ((end = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, end);
        buf = buf.slice(end + 2);
        let name = 'message';
        const data = [];
        for (const line of block.split('\n')) {
          if (line.startsWith('event:')) name = line.slice(6).trim();
          else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
        }
        if (data.length) on(name, data.join('\n'));
      }
    }
  }

  // A download link for /api + path, saved as filename: fetched with the token and handed to the browser as a
  // blob (a plain link would carry no token). onerror(err) when the server refuses.
  function downloadLink(path, filename, label, attrs, onerror) {
    const link = h('a', Object.assign({ href: '#', role: 'button', class: 'download' }, attrs || {}), label);
    link.addEventListener('click', async (e) => {
      e.preventDefault();
      if (link.getAttribute('aria-busy') === 'true') return;
      link.setAttribute('aria-busy', 'true');
      try {
        const res = await apiFetch(path);
        if (!res.ok) throw await apiError(res);
        const url = URL.createObjectURL(await res.blob());
        const save = h('a', { href: url, download: filename, hidden: true });
        document.body.appendChild(save);
        save.click();
        save.remove();
        setTimeout(() => URL.revokeObjectURL(url), 60000);
      } catch (err) {
        onerror(err);
      } finally {
        link.removeAttribute('aria-busy');
      }
    });
    return link;
  }

  function pct(x) {
    return dec1.format(100 * (x || 0)) + '%';
  }

  function ms(ns) {
    return dec1.format((ns || 0) / 1e6);
  }

  function when(iso) {
    if (!iso) return '';
    const d = new Date(iso);
    return isNaN(d) ? iso : d.toLocaleString();
  }

  // "20261126-101500-..." to a date, for sessions that have no session.json yet
  function idTime(id) {
    const m = /^(\d{4})(\d\d)(\d\d)-(\d\d)(\d\d)(\d\d)-/.exec(id || '');
    return m ? `${m[1]}-${m[2]}-${m[3]} ${m[4]}:${m[5]}:${m[6]}` : '';
  }

  function errorBox(err) {
    const msg = err instanceof Error ? err.message : String(err);
    if (err && err.status === 403) {
      return h('div', { class: 'error', role: 'alert' }, msg, h('p', {}, 'This page needs the address that ',
        h('code', {}, 'drdotnet serve'), ' printed, with its ', h('code', {}, '?token='), '.'));
    }
    return h('div', { class: 'error', role: 'alert' }, msg);
  }

  function show(...nodes) {
    fill(main, ...nodes);
  }

  function statusBadge(status) {
    return h('span', { class: 'badge badge-' + (status || 'unknown'), dataset: { status: status || '' } }, status || '?');
  }

  function card(title, ...body) {
    return h('section', { class: 'card' }, title ? h('h2', {}, title) : null, ...body);
  }

  // A table whose columns sort on a click: cols [{key, label, num, render(row), value(row)}]
  function sortableTable(cols, rows, opts) {
    opts = opts || {};
    let sortKey = opts.sortKey || cols[0].key;
    let desc = opts.desc !== undefined ? opts.desc : true;
    let filter = '';
    const tbody = h('tbody');
    const heads = cols.map((c) =>
      h('th', { class: c.num ? 'num sortable' : 'sortable', scope: 'col', onclick: () => sortBy(c.key) }, c.label));
    const table = h('table', { class: 'data ' + (opts.class || '') }, h('thead', {}, h('tr', {}, heads)), tbody);
    const valueOf = (c, r) => (c.value ? c.value(r) : r[c.key]);
    function sortBy(key) {
      if (key === sortKey) desc = !desc;
      else {
        sortKey = key;
        desc = !!cols.find((c) => c.key === key).num;
      }
      render();
    }
    function render() {
      const col = cols.find((c) => c.key === sortKey) || cols[0];
      cols.forEach((c, i) => heads[i].setAttribute('aria-sort', c === col ? (desc ? 'descending' : 'ascending') : 'none'));
      let list = rows;
      if (filter && opts.search) list = rows.filter((r) => opts.search(r).toLowerCase().includes(filter));
      list = list.slice().sort((a, b) => {
        const x = valueOf(col, a);
        const y = valueOf(col, b);
        const r = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
        return desc ? -r : r;
      });
      const limit = opts.limit || 2000;
      const out = [];
      for (const r of list.slice(0, limit)) {
        const tr = h('tr', { class: opts.onrow ? 'clickable' : '' },
          cols.map((c) => h('td', { class: c.num ? 'num' : c.class || '' }, c.render ? c.render(r) : valueOf(c, r))));
        if (opts.onrow) tr.addEventListener('click', () => opts.onrow(r, tr));
        if (opts.rowData) Object.assign(tr.dataset, opts.rowData(r));
        out.push(tr);
      }
      if (list.length > limit) out.push(h('tr', {}, h('td', { colspan: cols.length, class: 'muted' }, `… ${num.format(list.length - limit)} more`)));
      if (!list.length) out.push(h('tr', {}, h('td', { colspan: cols.length, class: 'muted' }, 'nothing to show')));
      fill(tbody, ...out);
    }
    render();
    table.setFilter = (text) => {
      filter = (text || '').trim().toLowerCase();
      render();
    };
    return table;
  }

  function searchBox(placeholder, oninput, attrs) {
    return h('input', Object.assign({ type: 'search', class: 'search', placeholder, 'aria-label': placeholder,
      oninput: (e) => oninput(e.target.value) }, attrs || {}));
  }

  function tabs(items) {
    // items: [{id, label, render()}]; each panel is built on first show
    const bar = h('div', { class: 'tabs', role: 'tablist' });
    const panel = h('div', { class: 'tab-panel' });
    const built = {};
    function select(id) {
      for (const b of bar.children) b.setAttribute('aria-selected', b.dataset.tab === id ? 'true' : 'false');
      const item = items.find((i) => i.id === id);
      if (!built[id]) built[id] = item.render();
      fill(panel, built[id]);
      if (built[id].onshow) built[id].onshow();
    }
    for (const it of items) bar.appendChild(h('button', { class: 'tab', role: 'tab', dataset: { tab: it.id }, onclick: () => select(it.id) }, it.label));
    const root = h('div', {}, bar, panel);
    setTimeout(() => select(items[0].id));
    return root;
  }

  function setTooltip(lines, e) {
    if (!lines) {
      tooltip.hidden = true;
      return;
    }
    fill(tooltip, ...lines.map((l, i) => h('div', { class: i === 0 ? 'tt-title' : '' }, l)));
    tooltip.hidden = false;
    const pad = 14;
    const r = tooltip.getBoundingClientRect();
    let x = e.clientX + pad;
    let y = e.clientY + pad;
    if (x + r.width > window.innerWidth - 4) x = e.clientX - r.width - pad;
    if (y + r.height > window.innerHeight - 4) y = e.clientY - r.height - pad;
    tooltip.style.left = Math.max(4, x) + 'px';
    tooltip.style.top = Math.max(4, y) + 'px';
  }

  // ---- new session ---------------------------------------------------------------------------------------------

  async function viewNew() {
    // chosen: the profilers ticked, in the order they were ticked (one attach runs them all)
    const state = { pid: null, chosen: [], profilers: [] };
    const procBody = h('div', { class: 'proc-list' }, h('p', { class: 'muted' }, 'Looking for .NET processes…'));
    const profBody = h('div', { class: 'prof-list' });
    const paramBody = h('div', { class: 'params' }, h('p', { class: 'muted' }, 'Pick a profiler first.'));
    const message = h('div', { class: 'message', 'aria-live': 'polite' });
    const startBtn = h('button', { id: 'start', class: 'primary', disabled: true, onclick: start }, 'Start the session');
    const refresh = h('button', { class: 'secondary', onclick: loadProcesses }, 'Refresh');

    show(
      h('h1', {}, 'New session'),
      card('1. Pick a .NET process', h('div', { class: 'card-tools' }, refresh), procBody),
      card('2. Pick one or more profilers', h('p', { class: 'muted small' },
        'Profilers that collect over a duration run together in one attach; one that takes a snapshot runs alone.'), profBody),
      card('3. Parameters', paramBody),
      h('div', { class: 'start-row' }, startBtn, message));

    function ready() {
      startBtn.disabled = !(state.pid && state.chosen.length);
    }

    async function loadProcesses() {
      refresh.disabled = true;
      try {
        const procs = await api('GET', '/processes');
        if (!procs.length) {
          fill(procBody, h('p', { class: 'muted' }, 'No .NET process found for this user. Start one, then Refresh.'));
        } else {
          const rows = procs.map((p) => {
            const tr = h('tr', {
              class: 'clickable' + (p.error ? ' unusable' : '') + (p.pid === state.pid ? ' selected' : ''),
              dataset: { pid: p.pid }, tabindex: 0,
              onclick: () => pick(p, tr), onkeydown: (e) => (e.key === 'Enter' || e.key === ' ') && pick(p, tr),
            },
            h('td', { class: 'num' }, p.pid), h('td', {}, p.entry_assembly || p.name),
            h('td', {}, p.runtime_version || ''), h('td', { class: 'cmdline' }, p.command_line || p.error || ''));
            return tr;
          });
          fill(procBody, h('table', { class: 'data procs' },
            h('thead', {}, h('tr', {}, h('th', { class: 'num' }, 'PID'), h('th', {}, 'Name'), h('th', {}, '.NET'), h('th', {}, 'Command line'))),
            h('tbody', {}, rows)));
        }
      } catch (e) {
        fill(procBody, errorBox(e));
      }
      refresh.disabled = false;
    }

    function pick(p, tr) {
      if (p.error) {
        fill(message, errorBox(p.error));
        return;
      }
      state.pid = p.pid;
      for (const r of procBody.querySelectorAll('tr.selected')) r.classList.remove('selected');
      tr.classList.add('selected');
      fill(message);
      ready();
    }

    function pickProfiler(p) {
      const at = state.chosen.indexOf(p);
      if (at >= 0) state.chosen.splice(at, 1);
      else if (p.alone) state.chosen = [p];
      else state.chosen = state.chosen.filter((c) => !c.alone).concat([p]);
      for (const el of profBody.querySelectorAll('.prof')) {
        const on = state.chosen.some((c) => c.name === el.dataset.profiler);
        el.classList.toggle('selected', on);
        el.setAttribute('aria-pressed', on ? 'true' : 'false');
      }
      if (!state.chosen.length) fill(paramBody, h('p', { class: 'muted' }, 'Pick a profiler first.'));
      else if (state.chosen.length === 1) fill(paramBody, paramForm(state.chosen[0], ''));
      else fill(paramBody, ...state.chosen.map((c) => h('fieldset', { class: 'param-group' }, h('legend', {}, c.name), paramForm(c, c.name + '.'))));
      ready();
    }

    // prefix: '' for a session of one profiler, '<profiler>.' for each one's parameters in a session of several
    function paramForm(p, prefix) {
      if (!p.parameters.length) return h('p', { class: 'muted' }, `${p.name} takes no parameters.`);
      return h('form', { class: 'param-form', onsubmit: (e) => e.preventDefault() },
        p.parameters.map((d) => {
          let input;
          const name = prefix + d.key;
          const id = 'param-' + name.replace('.', '-');
          if (d.type === 'int') {
            input = h('input', { id, name, type: 'number', min: d.min, max: d.max, step: 1, value: d.default, required: true });
          } else if (d.type === 'enum') {
            input = h('select', { id, name }, d.choices.split('|').map((c) => h('option', { value: c, selected: c === d.default }, c)));
          } else {
            input = h('input', { id, name, type: 'checkbox', checked: d.default === 'true' });
          }
          input.dataset.type = d.type;
          input.dataset.default = d.default;
          const range = d.type === 'int' ? ` (${num.format(d.min)} to ${num.format(d.max)})` : '';
          return h('div', { class: 'param' }, h('label', { for: id }, d.key), input,
            h('div', { class: 'hint' }, d.description + range + ', default ' + d.default));
        }));
    }

    function collectParams() {
      const out = {};
      for (const el of paramBody.querySelectorAll('[name]')) {
        const type = el.dataset.type;
        let v;
        if (type === 'bool') v = el.checked ? 'true' : 'false';
        else v = String(el.value).trim();
        if (type === 'int' && !/^-?\d+$/.test(v)) throw new Error(`${el.name} must be a whole number`);
        if (v !== el.dataset.default) out[el.name] = type === 'int' ? parseInt(v, 10) : v;
      }
      return out;
    }

    async function start() {
      let parameters;
      try {
        parameters = collectParams();
      } catch (e) {
        fill(message, errorBox(e));
        return;
      }
      startBtn.disabled = true;
      fill(message, h('span', { class: 'muted' }, 'Attaching…'));
      try {
        const profiler = state.chosen.map((c) => c.name).join(',');
        const s = await api('POST', '/sessions', { pid: state.pid, profiler, parameters });
        location.hash = '#/session/' + encodeURIComponent(s.id);
      } catch (e) {
        fill(message, errorBox(e));
        startBtn.disabled = false;
      }
    }

    try {
      state.profilers = await api('GET', '/profilers');
      fill(profBody, ...state.profilers.filter((p) => p.attach).map((p) =>
        h('button', { class: 'prof', type: 'button', 'aria-pressed': 'false', dataset: { profiler: p.name }, onclick: () => pickProfiler(p) },
          h('strong', {}, p.name), h('span', {}, p.description))));
    } catch (e) {
      fill(profBody, errorBox(e));
    }
    loadProcesses();
  }

  // ---- sessions --------------------------------------------------------------------------------------------------

  function progressText(p) {
    if (!p) return 'starting';
    const el = (p.elapsed_ms || 0) / 1000;
    const parts = [p.duration_ms ? `${dec1.format(Math.min(el, p.duration_ms / 1000))} / ${dec1.format(p.duration_ms / 1000)} s` : `${dec1.format(el)} s`];
    if (p.events !== undefined) parts.push(`${num.format(p.events)} events`);
    if (p.dropped) parts.push(`${num.format(p.dropped)} dropped`);
    return parts.join(', ');
  }

  async function viewSessions() {
    const body = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
    show(h('h1', {}, 'Sessions'), card(null, body));
    let timer = null;
    cleanup.push(() => clearTimeout(timer));
    async function load() {
      try {
        const list = await api('GET', '/sessions');
        if (!list.length) {
          fill(body, h('p', { class: 'muted' }, 'No session yet. ', h('a', { href: '#/' }, 'Start one.')));
          return;
        }
        const rows = list.map((s) => {
          const t = s.target || {};
          return h('tr', { class: 'clickable', tabindex: 0, dataset: { id: s.id },
            onclick: () => (location.hash = '#/session/' + encodeURIComponent(s.id)),
            onkeydown: (e) => e.key === 'Enter' && (location.hash = '#/session/' + encodeURIComponent(s.id)) },
          h('td', {}, s.start ? when(s.start) : idTime(s.id)),
          h('td', {}, (s.profiler && s.profiler.name) || ''),
          h('td', {}, t.name ? `${t.name} (${t.pid})` : t.pid || ''),
          h('td', {}, statusBadge(s.status)),
          h('td', { class: 'muted' }, s.status === 'running' ? progressText(s.progress) : s.duration_ms !== undefined ? `${dec1.format(s.duration_ms / 1000)} s` : ''),
          h('td', { class: 'mono muted' }, s.id));
        });
        fill(body, h('table', { class: 'data sessions' },
          h('thead', {}, h('tr', {}, ['Started', 'Profiler', 'Target', 'Status', 'Length', 'Id'].map((x) => h('th', {}, x)))),
          h('tbody', {}, rows)));
        if (list.some((s) => s.status === 'running')) timer = setTimeout(load, 2000);
      } catch (e) {
        fill(body, errorBox(e));
      }
    }
    load();
  }

  // ---- one session -------------------------------------------------------------------------------------------

  // the profilers whose data exports as stacks (the server's report kinds say the same)
  const EXPORTING = ['cpu-hotpaths', 'merged-stacks', 'allocations', 'heap-snapshot'];
  const EXPORTS = [
    ['speedscope', 'speedscope.json', 'speedscope (speedscope.app)'],
    ['folded', 'folded', 'folded stacks (flamegraph.pl, inferno)'],
    ['pprof', 'pb.gz', 'pprof (go tool pprof)'],
  ];

  function sessionHeader(s) {
    const t = s.target || {};
    const params = Object.entries(s.parameters || {}).map(([k, v]) => `${k}=${v}`).join(', ');
    const facts = [
      ['Profiler', (s.profiler && s.profiler.name) || '?'],
      ['Target', `${t.name ? t.name + ' ' : ''}(pid ${t.pid || '?'})${t.runtime_version ? ', .NET ' + t.runtime_version : ''}`],
      t.command_line ? ['Command line', t.command_line] : null,
      s.start ? ['Started', when(s.start)] : null,
      s.duration_ms !== undefined ? ['Length', `${dec1.format(s.duration_ms / 1000)} s`] : null,
      params ? ['Parameters', params] : null,
      s.reason ? ['Reason', s.reason] : null,
    ].filter(Boolean);
    return h('dl', { class: 'facts' }, facts.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
  }

  async function viewSession(id) {
    let s;
    try {
      s = await api('GET', '/sessions/' + encodeURIComponent(id));
    } catch (e) {
      show(h('h1', {}, 'Session'), errorBox(e));
      return;
    }
    const title = h('h1', {}, 'Session ', h('span', { class: 'mono' }, id), ' ', statusBadge(s.status));
    const del = s.status === 'running' ? null : h('button', { class: 'danger', onclick: remove }, 'Delete');
    const head = card(null, h('div', { class: 'card-tools' }, del), sessionHeader(s));
    const body = h('div', { id: 'report' });
    show(title, head, body);

    async function remove() {
      if (!confirm(`Delete session ${id} and its files?`)) return;
      try {
        await api('DELETE', '/sessions/' + encodeURIComponent(id));
        location.hash = '#/sessions';
      } catch (e) {
        body.prepend(errorBox(e));
      }
    }

    if (s.status === 'running') {
      const bar = h('div', { class: 'bar-fill' });
      const text = h('div', { class: 'progress-text' }, progressText(s.progress));
      const progress = h('div', { class: 'progress', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100 }, bar);
      fill(body, card('Collecting', progress, text));
      const update = (p) => {
        const frac = p && p.duration_ms ? Math.min(1, (p.elapsed_ms || 0) / p.duration_ms) : 0;
        bar.style.width = (100 * frac).toFixed(1) + '%';
        progress.setAttribute('aria-valuenow', Math.round(100 * frac));
        text.textContent = progressText(p);
      };
      update(s.progress);
      const stream = new AbortController();
      let ended = false;
      cleanup.push(() => stream.abort());
      followEvents('/sessions/' + encodeURIComponent(id) + '/events', (name, data) => {
        if (name === 'progress') update(JSON.parse(data).progress);
        if (name !== 'end') return;
        ended = true;
        stream.abort();
        bar.style.width = '100%';
        setTimeout(() => route(), 150);
      }, stream.signal).then(() => {
        // the stream closed before its end: read the session again, as EventSource would reconnect
        if (!ended && !stream.signal.aborted) setTimeout(() => route(), 1000);
      }, () => {
        if (!ended && !stream.signal.aborted) text.textContent = 'lost the connection to the server';
      });
      return;
    }
    if (!s.files || !s.files.length) {
      fill(body, card('No data', h('p', {}, 'This session collected nothing it could report' + (s.reason ? ': ' + s.reason : '.'))));
      return;
    }
    fill(body, card(null, h('p', { class: 'muted' }, 'Building the report…')));
    let report;
    try {
      report = await api('GET', '/sessions/' + encodeURIComponent(id) + '/report');
    } catch (e) {
      fill(body, errorBox(e));
      return;
    }
    const base = '/sessions/' + encodeURIComponent(id);
    const failed = (err) => body.prepend(errorBox(err));
    const links = [downloadLink(base + '/report', `${id}.report.json`, 'report (JSON)', {}, failed)];
    const names = report.reports ? Object.keys(report.reports) : [report.profiler];
    if (names.some((n) => EXPORTING.includes(n))) {
      for (const [fmt, suffix, label] of EXPORTS) {
        links.push(downloadLink(`${base}/export/${fmt}`, `${id}.${suffix}`, label, { dataset: { format: fmt } }, failed));
      }
    }
    if (names.some((n) => ['cpu-hotpaths', 'exceptions', 'runtime-pauses', 'waits', 'allocations'].includes(n))) {
      links.push(downloadLink(`${base}/export/chrome-trace`, `${id}.trace.json`, 'timeline (Perfetto, chrome://tracing)', { dataset: { format: 'chrome-trace' } }, failed));
    }
    head.appendChild(h('div', { class: 'exports' }, h('span', { class: 'muted' }, 'Download: '), links));
    // timeline.js adds a Timeline tab beside the report when the session recorded timed events
    const ui = { id, s, h, fill, tabs, card, flameCard, sortableTable, errorBox, setTooltip, api, cleanup: (f) => cleanup.push(f) };
    fill(body, window.drdTimelineTab ? window.drdTimelineTab(() => renderReport(report, s), ui) : renderReport(report, s));
  }

  // A report with its profiler's renderer (a profiler without one gets the generic view); a session of several
  // profilers gets one tab per report.
  function renderReport(report, s) {
    if (!report.reports) return (RENDERERS[report.profiler] || renderGeneric)(report, s);
    return tabs(Object.entries(report.reports).map(([name, r]) => ({
      id: name, label: name,
      render: () => (r.error ? errorBox(`no report for ${name}: ${r.error}`) : h('div', { class: 'report-tab' }, renderReport(r, s))),
    })));
  }

  // ---- reports ---------------------------------------------------------------------------------------------------

  function summary(items) {
    return h('div', { class: 'summary' }, items.filter(Boolean).map(([label, value, cls]) =>
      h('div', { class: 'stat ' + (cls || '') }, h('div', { class: 'stat-value' }, value), h('div', { class: 'stat-label' }, label))));
  }

  function incompleteNote(r) {
    const notes = [];
    if (r.dropped) notes.push(`${num.format(r.dropped)} events were not recorded (a table or queue was full).`);
    if (r.complete === false) notes.push('The data file has no end record: the session was cut short.');
    return notes.length ? h('div', { class: 'warning' }, notes.join(' ')) : null;
  }

  // Why some frames have no source line (no PDB, another build's PDB, ...), as the report says it.
  function linesNote(r) {
    return r.lines && r.lines.why ? h('p', { class: 'muted small', id: 'lines-why' }, `Source lines: ${r.lines.why}.`) : null;
  }

  // A stack frame's name with its source line when the report knows it: "Method (File.cs:42)".
  function frameText(name, line) {
    return line ? `${name} (${line.file.split(/[\\/]/).pop()}:${line.line})` : name;
  }

  function renderExceptions(r) {
    const rows = (r.types || []).map((t) => Object.assign({}, t, { top: (t.catchers[0] && t.catchers[0].method) || '' }));
    const detail = h('div', { class: 'detail' }, h('p', { class: 'muted' }, 'Click a type to see where it was thrown and caught.'));
    function open(t, tr) {
      for (const x of tr.parentNode.querySelectorAll('tr.selected')) x.classList.remove('selected');
      tr.classList.add('selected');
      fill(detail,
        h('h3', {}, t.type),
        h('p', {}, `${num.format(t.count)} thrown, ${num.format(t.caught)} caught, ${num.format(t.uncaught)} not caught.`),
        h('h4', {}, 'Caught in'),
        t.catchers.length
          ? h('table', { class: 'data' }, h('tbody', {}, t.catchers.map((c) => h('tr', {}, h('td', { class: 'num' }, num.format(c.count)), h('td', { class: 'mono' }, c.method)))))
          : h('p', { class: 'muted' }, 'nowhere (unhandled, or still in flight at the end)'),
        h('h4', {}, 'Top throw stacks'),
        t.stacks.map((st) => h('div', { class: 'stack' },
          h('div', { class: 'stack-head' }, `${num.format(st.count)} times (${pct(t.count ? st.count / t.count : 0)})`),
          h('ol', { class: 'frames' }, st.frames.map((f, i) => h('li', {}, frameText(f, st.lines && st.lines[i])))))),
        linesNote(r));
    }
    const table = sortableTable([
      { key: 'type', label: 'Type', class: 'mono' },
      { key: 'count', label: 'Thrown', num: true, render: (t) => num.format(t.count) },
      { key: 'caught', label: 'Caught', num: true, render: (t) => num.format(t.caught) },
      { key: 'uncaught', label: 'Not caught', num: true, render: (t) => num.format(t.uncaught) },
      { key: 'top', label: 'Mostly caught in', class: 'mono' },
    ], rows, {
      sortKey: 'count', onrow: open, rowData: (t) => ({ type: t.type }),
      search: (t) => [t.type, ...t.catchers.map((c) => c.method), ...t.stacks.flatMap((s) => s.frames)].join('\n'),
    });
    return h('div', {},
      summary([['thrown', num.format(r.total)], ['caught', num.format(r.caught)], ['not caught', num.format(r.uncaught), r.uncaught ? 'alert' : ''], ['types', num.format(rows.length)]]),
      incompleteNote(r),
      card('Exceptions by type', h('div', { class: 'card-tools' }, searchBox('Search types, catchers, frames', (v) => table.setFilter(v), { id: 'exc-search' })), table),
      card('Details', detail));
  }

  // A collapsible call tree. cols: [{label, value(node) -> text}]; children are built when opened.
  function callTree(root, cols, opts) {
    const weight = opts.weight;
    const whole = weight(root) || 1;
    const container = h('div', { class: 'tree', role: 'tree' });
    const header = h('div', { class: 'tree-row tree-head' }, cols.map((c) => h('span', { class: 'tree-num' }, c.label)), h('span', { class: 'tree-name' }, opts.nameLabel || 'Function'));
    const MAX_CHILDREN = 200;
    function row(node, depth) {
      const kids = node.children || [];
      const lazy = !kids.length && node.load; // children asked for when the node opens: node.load() gives them
      const share = weight(node) / whole;
      const toggle = h('span', { class: 'toggle' }, kids.length || lazy ? '▸' : '');
      const line = h('div', { class: 'tree-row', role: 'treeitem', 'aria-expanded': kids.length || lazy ? 'false' : null, dataset: { name: node.name }, tabindex: -1 },
        cols.map((c) => h('span', { class: 'tree-num' }, c.value(node))),
        h('span', { class: 'tree-name', style: `padding-left:${depth * 14}px` }, toggle,
          h('span', { class: 'share-bar', style: `width:${Math.max(1, Math.round(40 * share))}px` }),
          h('span', { class: 'mono', title: opts.title ? opts.title(node) : node.name }, node.name)));
      const wrap = h('div', { class: 'tree-node' }, line);
      let childBox = null;
      function setOpen(open) {
        if (!kids.length && !lazy) return;
        if (open && !childBox && lazy) {
          childBox = h('div', { class: 'tree-children' }, h('div', { class: 'tree-row muted' }, 'Loading…'));
          wrap.appendChild(childBox);
          node.load().then((list) => fill(childBox, list.map((k) => row(k, depth + 1))),
            (e) => fill(childBox, h('div', { class: 'tree-row muted' }, `Cannot load: ${e.message}`)));
        }
        if (open && !childBox) {
          childBox = h('div', { class: 'tree-children' });
          const shown = kids.slice(0, MAX_CHILDREN);
          for (const k of shown) childBox.appendChild(row(k, depth + 1));
          if (kids.length > MAX_CHILDREN) childBox.appendChild(h('div', { class: 'tree-row muted' }, `… ${kids.length - MAX_CHILDREN} more`));
          wrap.appendChild(childBox);
        }
        if (childBox) childBox.hidden = !open;
        toggle.textContent = open ? '▾' : '▸';
        line.setAttribute('aria-expanded', open ? 'true' : 'false');
      }
      line.addEventListener('click', () => setOpen(line.getAttribute('aria-expanded') !== 'true'));
      wrap.setOpen = setOpen;
      // open the heavy path: a child holding most of its parent's weight
      if (kids.length && depth < 40 && (depth < 1 || weight(kids[0]) >= 0.5 * weight(node)) && share >= 0.05) {
        setOpen(true);
      }
      return wrap;
    }
    container.append(header, row(root, 0));
    return container;
  }

  function flameCard(tree, opts) {
    const holder = h('div', { class: 'flame-holder' });
    const info = h('div', { class: 'flame-info', id: 'flame-info', 'aria-live': 'polite' });
    const crumbs = h('div', { class: 'crumbs' });
    const reset = h('button', { class: 'secondary', id: 'flame-reset' }, 'Reset zoom');
    const search = searchBox('Search frames', (v) => doSearch(v), { id: 'flame-search' });
    const el = card('Flame graph', h('div', { class: 'card-tools' }, search, reset), info, crumbs, holder,
      h('p', { class: 'muted small' }, 'Each box is a function; its width is its share of ', opts.unit, ' (', opts.unitNote, '). ',
        'Callers above, callees below. Click to zoom, click again to zoom out; hover for details. ',
        'Application code is in warm colours, the runtime and the framework in blue.'));
    let fg = null;
    function doSearch(v) {
      if (!fg) return;
      const m = fg.search(v);
      info.dataset.highlighted = m.names.join('\n');
      info.textContent = v.trim() ? `${num.format(m.names.length)} function${m.names.length === 1 ? '' : 's'} match "${v.trim()}": ${pct(m.share)} of ${opts.unit}` : '';
    }
    function zoomed(i) {
      const d = fg.data;
      const chain = [];
      for (let p = i; p >= 0; p = d.parent[p]) chain.unshift(p);
      fill(crumbs, ...chain.map((p, k) => [k ? h('span', { class: 'muted' }, ' › ') : null,
        h('button', { class: 'crumb', onclick: () => fg.zoomTo(p) }, d.names[d.name[p]])]));
    }
    el.onshow = () => {
      if (fg) {
        fg.resize();
        return;
      }
      const t0 = performance.now();
      fg = new window.FlameGraph(holder, tree, { valueKey: opts.valueKey, selfKey: opts.selfKey });
      holder.dataset.firstDrawMs = (performance.now() - t0).toFixed(1);
      fg.onzoom = zoomed;
      fg.onhover = (d, e) => setTooltip(d && opts.describe(d), e);
      reset.onclick = () => fg.zoomTo(0);
      zoomed(0);
      window.addEventListener('resize', onResize);
      cleanup.push(() => window.removeEventListener('resize', onResize));
      window.drdFlame = fg; // for tests and the curious
      if (search.value) doSearch(search.value);
    };
    let pending = 0;
    function onResize() {
      cancelAnimationFrame(pending);
      pending = requestAnimationFrame(() => fg && fg.resize());
    }
    return el;
  }

  function renderCpu(r) {
    const byNs = r.total_ns > 0;
    const wall = r.mode === 'wall';
    const weight = (n) => (byNs ? n.total_ns : n.total);
    const all = weight(r.tree) || 1;
    const unit = wall ? 'wall-clock time' : 'CPU time';
    const top = r.top || [];
    // the function's hottest source lines (of the hot-lines table), for the tooltip and the tree
    const linesOf = (name) => (r.hot_lines || []).filter((l) => l.method === name).slice(0, 3)
      .map((l) => `line ${l.file.split(/[\\/]/).pop()}:${l.line}: self ${pct((byNs ? l.self_ns : l.self) / all)}`);
    const describe = (d) => [d.name,
      `${pct(d.share)} of all ${unit}` + (d.zoomShare !== d.share ? `, ${pct(d.zoomShare)} of the zoomed frame` : ''),
      `total ${ms(d.node.total_ns)} ms in ${num.format(d.node.total)} samples`,
      `self ${ms(d.node.self_ns)} ms in ${num.format(d.node.self)} samples`, ...linesOf(d.name)];
    const flame = () => flameCard(r.tree, {
      valueKey: byNs ? 'total_ns' : 'total', selfKey: byNs ? 'self_ns' : 'self',
      unit, unitNote: byNs ? 'the time each sample stands for' : 'samples', describe,
    });
    const tree = () => card('Call tree', callTree(r.tree, [
      { label: 'Total', value: (n) => pct(weight(n) / all) },
      { label: 'Self', value: (n) => pct((byNs ? n.self_ns : n.self) / all) },
      { label: 'Total ms', value: (n) => ms(n.total_ns) },
      { label: 'Self ms', value: (n) => ms(n.self_ns) },
    ], { weight, title: (n) => [n.name, ...linesOf(n.name)].join('\n') }));
    const topTable = () => {
      const t = sortableTable([
        { key: 'function', label: 'Function', class: 'mono' },
        { key: 'self_share', label: 'Self', num: true, value: (f) => (byNs ? f.self_ns : f.self) / all, render: (f) => pct((byNs ? f.self_ns : f.self) / all) },
        { key: 'total_share', label: 'Total', num: true, value: (f) => (byNs ? f.total_ns : f.total) / all, render: (f) => pct((byNs ? f.total_ns : f.total) / all) },
        { key: 'self_ns', label: 'Self ms', num: true, render: (f) => ms(f.self_ns) },
        { key: 'total_ns', label: 'Total ms', num: true, render: (f) => ms(f.total_ns) },
        { key: 'self', label: 'Self samples', num: true, render: (f) => num.format(f.self) },
      ], top, { sortKey: 'self_share', search: (f) => f.function, rowData: (f) => ({ function: f.function }) });
      return card('Top functions', h('div', { class: 'card-tools' }, searchBox('Search functions', (v) => t.setFilter(v))),
        h('p', { class: 'muted small' }, 'Self: time in the function itself. Total: time in it and what it called (a recursive function counted once per sample).'), t);
    };
    const base = (p) => p.split(/[\\/]/).pop();
    const hotLines = () => card('Hot lines', h('p', { class: 'muted small' }, 'Self time by source line: each sample counts for the innermost line of its stack that the PDBs name.'),
      r.hot_lines && r.hot_lines.length ? sortableTable([
        { key: 'where', label: 'Line', class: 'mono', value: (l) => `${base(l.file)}:${l.line}`, render: (l) => h('span', { title: l.file }, `${base(l.file)}:${l.line}`) },
        { key: 'method', label: 'Function', class: 'mono' },
        { key: 'share', label: 'Self', num: true, value: (l) => (byNs ? l.self_ns : l.self) / all, render: (l) => pct((byNs ? l.self_ns : l.self) / all) },
        { key: 'self_ns', label: 'Self ms', num: true, render: (l) => ms(l.self_ns) },
        { key: 'self', label: 'Samples', num: true, render: (l) => num.format(l.self) },
      ], r.hot_lines, { sortKey: 'share', rowData: (l) => ({ line: `${base(l.file)}:${l.line}` }) }) : h('p', { class: 'muted' }, 'No sample has a source line.'),
      linesNote(r));
    const threads = () => card('Threads', sortableTable([
      { key: 'tid', label: 'Thread id', num: true },
      { key: 'name', label: 'Name', value: (t) => t.name || '' },
      { key: 'samples', label: 'Samples', num: true, render: (t) => num.format(t.samples) },
      { key: 'ns', label: 'ms', num: true, render: (t) => ms(t.ns) },
      { key: 'share', label: 'Share', num: true, value: (t) => (byNs ? t.ns : t.samples) / all, render: (t) => pct((byNs ? t.ns : t.samples) / all) },
    ], r.threads || [], { sortKey: 'ns' }));
    return h('div', {},
      summary([
        ['mode', wall ? 'wall clock' : 'CPU'],
        r.frequency ? ['sampling', `${num.format(r.frequency)} Hz`] : null,
        ['samples', num.format(r.samples)],
        [unit, `${dec1.format((r.total_ns || 0) / 1e9)} s`],
        ['threads', num.format((r.threads || []).length)],
        top[0] ? ['hottest function', top[0].function, 'wide mono'] : null,
      ]),
      incompleteNote(r),
      tabs([
        { id: 'flame', label: 'Flame graph', render: flame },
        { id: 'tree', label: 'Call tree', render: tree },
        { id: 'top', label: 'Top functions', render: topTable },
        { id: 'lines', label: 'Hot lines', render: hotLines },
        { id: 'threads', label: 'Threads', render: threads },
      ]));
  }

  function renderMerged(r) {
    const all = r.threads || 1;
    const describe = (d) => [d.name, `${num.format(d.value)} thread${d.value === 1 ? '' : 's'} (${pct(d.share)})`,
      d.node.tids ? 'thread ids: ' + d.node.tids.slice(0, 20).join(', ') + (d.node.tids.length > 20 ? ', …' : '') : ''];
    const tree = () => card('Merged call tree', callTree(r.tree, [
      { label: 'Threads', value: (n) => num.format(n.threads) },
      { label: 'Share', value: (n) => pct(n.threads / all) },
    ], { weight: (n) => n.threads, title: (n) => `${n.name}\nthreads: ${(n.tids || []).join(', ')}` }));
    const flame = () => flameCard(r.tree, { valueKey: 'threads', selfKey: 'none', unit: 'threads', unitNote: 'one per thread', describe });
    const stacks = () => {
      const list = h('div', { class: 'thread-stacks' }, (r.stacks || []).map((s) => h('details', {},
        h('summary', {}, h('span', { class: 'mono' }, `${s.tid}`), ' ', s.name || '(unnamed)', h('span', { class: 'muted' }, ` ${s.frames.length} frames, at ${s.frames[0] || '?'}`)),
        h('ol', { class: 'frames' }, s.frames.map((f) => h('li', {}, f))))));
      return card('Each thread\'s stack', h('p', { class: 'muted small' }, 'Leaf frame first.'), list);
    };
    return h('div', {},
      summary([['threads', num.format(r.threads)], ['distinct stacks', num.format(new Set((r.stacks || []).map((s) => s.frames.join('\n'))).size)]]),
      incompleteNote(r),
      tabs([
        { id: 'tree', label: 'Merged tree', render: tree },
        { id: 'flame', label: 'Flame graph', render: flame },
        { id: 'stacks', label: 'Threads', render: stacks },
      ]));
  }

  function renderPauses(r) {
    const timeline = h('canvas', { class: 'timeline', height: 120 });
    const el = card('Pause timeline', timeline, h('p', { class: 'muted small' }, 'Each bar is a pause: its place is when it began, its height how long it lasted (log scale). Colours: generation 0, 1, 2 and other pauses.'));
    const colors = ['#6aa84f', '#e69138', '#cc0000', '#3d85c6'];
    function draw() {
      const W = timeline.parentNode ? timeline.parentNode.clientWidth - 2 : 800;
      const H = 120;
      const dpr = window.devicePixelRatio || 1;
      timeline.style.width = W + 'px';
      timeline.style.height = H + 'px';
      timeline.width = W * dpr;
      timeline.height = H * dpr;
      const ctx = timeline.getContext('2d');
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.fillStyle = '#fff';
      ctx.fillRect(0, 0, W, H);
      const span = r.wall_ms || Math.max(1, ...(r.timeline || []).map((p) => p[0] + p[1]));
      const maxMs = Math.max(1, r.max_ms || 1);
      for (const [start, dur, , gen] of r.timeline || []) {
        const x = (start / span) * W;
        const hgt = Math.max(2, (Math.log1p(dur) / Math.log1p(maxMs)) * (H - 10));
        ctx.fillStyle = colors[gen >= 0 && gen <= 2 ? gen : 3];
        ctx.fillRect(x, H - hgt, Math.max(1.5, (dur / span) * W), hgt);
      }
    }
    setTimeout(draw);
    const reasons = Object.entries(r.by_reason || {}).map(([reason, v]) => Object.assign({ reason }, v));
    return h('div', {},
      summary([['pauses', num.format(r.count)], ['paused', `${dec1.format(r.paused_ms)} ms`], ['of the time', pct(r.paused_share)],
        ['p50', `${dec1.format(r.p50_ms)} ms`], ['p95', `${dec1.format(r.p95_ms)} ms`], ['p99', `${dec1.format(r.p99_ms)} ms`], ['longest', `${dec1.format(r.max_ms)} ms`]]),
      incompleteNote(r), el,
      card('By reason', sortableTable([
        { key: 'reason', label: 'Reason' },
        { key: 'count', label: 'Pauses', num: true, render: (x) => num.format(x.count) },
        { key: 'total_ms', label: 'Total ms', num: true, render: (x) => dec1.format(x.total_ms) },
      ], reasons, { sortKey: 'total_ms' })),
      card('Longest pauses', sortableTable([
        { key: 'start_ms', label: 'At ms', num: true, render: (x) => dec1.format(x.start_ms) },
        { key: 'duration_ms', label: 'Length ms', num: true, render: (x) => dec1.format(x.duration_ms) },
        { key: 'reason', label: 'Reason' },
        { key: 'generation', label: 'Generation', num: true },
        { key: 'kind', label: 'Kind' },
      ], r.longest || [], { sortKey: 'duration_ms' })));
  }

  // ---- memory ----------------------------------------------------------------------------------------------------

  const KIB = 1024;
  function bytesText(n) {
    n = n || 0;
    const a = Math.abs(n);
    if (a < KIB) return `${num.format(n)} B`;
    if (a < KIB * KIB) return `${dec1.format(n / KIB)} KiB`;
    if (a < KIB * KIB * KIB) return `${dec1.format(n / KIB / KIB)} MiB`;
    return `${dec1.format(n / KIB / KIB / KIB)} GiB`;
  }

  // A sampled figure: "≈" before it, and its relative error from the samples it comes from (±1/√samples, the
  // standard error of a count of independent samples); an exact one as it is.
  function estimate(exact, text) {
    if (exact) return text;
    return `≈${text}`;
  }
  function errorText(exact, samples) {
    if (exact) return 'exact';
    if (!samples) return 'no sample';
    return '±' + pct(1 / Math.sqrt(samples));
  }

  function renderAllocations(r) {
    const exact = !!r.exact;
    const types = r.types || [];
    const unitNote = exact ? 'every allocation counted' : 'estimated from the runtime\'s allocation samples';
    const note = exact ? null : h('p', { class: 'muted small', id: 'alloc-estimate-note' },
      'Counts and bytes are estimates scaled from samples (≈); the ± beside each is its relative standard error, 1/√samples.',
      r.mode === 'allocation-tick' ? ' On .NET 8 and 9 the samples are AllocationTick events (one per ~100 KB allocated); the bias measured between two types\' bytes is about 1.5 %.' : '');
    const flame = () => {
      let by = 'bytes';
      const box = h('div', {});
      const buttons = ['bytes', 'count'].map((k) => h('button', { class: 'secondary', dataset: { weight: k }, 'aria-pressed': k === by ? 'true' : 'false',
        onclick: () => draw(k) }, k === 'bytes' ? 'By bytes' : 'By objects'));
      const bar = h('span', { class: 'weigh' }, h('span', { class: 'muted small' }, 'Weigh by '), buttons);
      const el = h('div', { id: 'alloc-flame' }, box);
      let current = null;
      function draw(k) {
        by = k;
        for (const b of buttons) b.setAttribute('aria-pressed', b.dataset.weight === k ? 'true' : 'false');
        el.dataset.weight = k;
        const unit = k === 'bytes' ? 'allocated bytes' : 'allocated objects';
        current = flameCard(r.tree || { name: 'all', children: [] }, {
          valueKey: k, selfKey: 'none', unit, unitNote,
          describe: (d) => [d.node.type ? `new ${d.name}` : d.name,
            `${pct(d.share)} of all ${unit}` + (d.zoomShare !== d.share ? `, ${pct(d.zoomShare)} of the zoomed frame` : ''),
            `${estimate(exact, bytesText(d.node.bytes))} in ${estimate(exact, num.format(d.node.count))} objects (${errorText(exact, d.node.samples)})`,
            exact ? '' : `${num.format(d.node.samples)} samples`],
        });
        current.querySelector('.card-tools').prepend(bar); // beside the card's search
        fill(box, current);
        if (el.isConnected) current.onshow();
      }
      draw('bytes');
      el.onshow = () => current && current.onshow();
      return el;
    };
    const table = () => {
      const detail = h('div', { class: 'detail', id: 'alloc-detail' }, h('p', { class: 'muted' }, 'Click a type to see the stacks that allocate it.'));
      function open(t, tr) {
        for (const x of tr.parentNode.querySelectorAll('tr.selected')) x.classList.remove('selected');
        tr.classList.add('selected');
        const stacks = t.stacks || [];
        fill(detail, h('h3', {}, t.type),
          h('p', {}, `${estimate(exact, num.format(t.count))} objects, ${estimate(exact, bytesText(t.bytes))} (${errorText(exact, t.samples)})`),
          h('h4', {}, 'Top allocation stacks'),
          stacks.length && stacks[0].frames.length ? stacks.map((st) => h('div', { class: 'stack' },
            h('div', { class: 'stack-head' }, `${estimate(exact, bytesText(st.bytes))}, ${estimate(exact, num.format(st.count))} objects (${pct(t.bytes ? st.bytes / t.bytes : 0)} of the type)`),
            h('ol', { class: 'frames' }, st.frames.map((f) => h('li', {}, f))))) : h('p', { class: 'muted' }, 'No stacks: the session sampled types only.'));
      }
      const tbl = sortableTable([
        { key: 'type', label: 'Type', class: 'mono' },
        { key: 'count', label: 'Objects', num: true, render: (t) => estimate(exact, num.format(t.count)) },
        { key: 'bytes', label: 'Bytes', num: true, render: (t) => estimate(exact, num.format(t.bytes)) },
        { key: 'share', label: 'Share', num: true, value: (t) => (r.bytes ? t.bytes / r.bytes : 0), render: (t) => pct(r.bytes ? t.bytes / r.bytes : 0) },
        { key: 'samples', label: exact ? 'Counted' : 'Samples (error)', num: true, render: (t) => exact ? 'exact' : `${num.format(t.samples)} (${errorText(exact, t.samples)})` },
      ], types, { sortKey: 'bytes', onrow: open, rowData: (t) => ({ type: t.type, count: t.count, bytes: t.bytes }), search: (t) => [t.type, ...(t.stacks || []).flatMap((x) => x.frames)].join('\n') });
      return h('div', {}, card('Allocated types', h('div', { class: 'card-tools' }, searchBox('Search types and frames', (v) => tbl.setFilter(v), { id: 'alloc-search' })), note, tbl),
        card('Stacks', detail));
    };
    const tree = () => card('Call tree', note, callTree(r.tree || { name: 'all', children: [] }, [
      { label: 'Bytes', value: (n) => estimate(exact, bytesText(n.bytes)) },
      { label: 'Share', value: (n) => pct(r.bytes ? n.bytes / r.bytes : 0) },
      { label: 'Objects', value: (n) => estimate(exact, num.format(n.count)) },
      { label: 'Error', value: (n) => errorText(exact, n.samples) },
    ], { weight: (n) => n.bytes, title: (n) => (n.type ? `type ${n.name}` : n.name), nameLabel: 'Function, then the type allocated' }));
    return h('div', {},
      summary([
        ['counted', exact ? 'every allocation' : r.mode === 'allocation-tick' ? 'sampled (AllocationTick)' : 'sampled (AllocationSampled)'],
        ['objects', estimate(exact, num.format(r.count))],
        ['allocated', estimate(exact, bytesText(r.bytes)) + (exact ? '' : ` ${errorText(exact, r.samples)}`)],
        exact ? null : ['samples', num.format(r.samples)],
        ['types', num.format(types.length)],
        types[0] ? ['most bytes', types[0].type, 'wide mono'] : null,
      ]),
      incompleteNote(r),
      r.tree && r.tree.cut ? h('div', { class: 'warning' }, 'The stack tree reached its size limit: the deepest frames of some stacks are left out.') : null,
      tabs([
        { id: 'types', label: 'Types', render: table },
        { id: 'flame', label: 'Flame graph', render: flame },
        { id: 'tree', label: 'Call tree', render: tree },
      ]));
  }

  // A retention path step as text: the root ("static Program.Cache", "handle", "stack root"), a type, or a gap.
  function stepText(step) {
    if (step.root === 'static') return `static ${step.field}`;
    if (step.root === 'finalizer') return 'finalizer queue';
    if (step.root === 'handle') return 'GC handle';
    if (step.root) return `${step.root} root`;
    if (step.skipped) return `(${num.format(step.skipped)} more steps)`;
    return step.type;
  }

  // Paths [{retained, path}] merged into one tree from their roots: a node per distinct step, its weight what the
  // paths through it retain.
  function pathTree(paths) {
    const root = { name: 'roots', retained: 0, paths: 0, children: [] };
    for (const p of paths) {
      root.retained += p.retained;
      root.paths++;
      let at = root;
      for (const step of p.path) {
        const name = stepText(step);
        let next = at.children.find((c) => c.name === name);
        if (!next) at.children.push(next = { name, retained: 0, paths: 0, children: [], root: !!step.root });
        next.retained += p.retained;
        next.paths++;
        at = next;
      }
    }
    const sort = (n) => { n.children.sort((a, b) => b.retained - a.retained); n.children.forEach(sort); };
    sort(root);
    return root;
  }

  // The report's dominator tree as tree nodes: a "… more" node for the children left out, and a node whose children
  // the report does not carry, load their children from /api/sessions/<id>/dominators/<node>[/<offset>] when opened.
  function domTree(n, sid) {
    const given = n.children || [];
    const kids = given.map((c) => domTree(c, sid));
    const more = (count, retained, id, offset) => ({ name: `… ${num.format(count)} more`, retained: retained || 0, shallow: 0, kids: 0, children: [], more: true,
      load: id ? () => domChildren(sid, id, offset) : null });
    if (n.more) kids.push(more(n.more, n.more_retained, n.id, given.length));
    const node = { name: n.type, retained: n.retained, shallow: n.shallow, kids: n.kids, children: kids };
    if (!given.length && n.kids && n.id) node.load = () => domChildren(sid, n.id, 0);
    return node;
  }

  // One page of a dominator tree node's children from the API, as tree nodes.
  async function domChildren(sid, id, offset) {
    const d = await api('GET', `/sessions/${encodeURIComponent(sid)}/dominators/${id}/${offset}`);
    const list = d.children.map((c) => domTree(c, sid));
    if (d.more) list.push({ name: `… ${num.format(d.more)} more`, retained: d.more_retained, shallow: 0, kids: 0, children: [], more: true,
      load: () => domChildren(sid, id, offset + d.children.length) });
    return list;
  }

  function signed(n, text) {
    return (n > 0 ? '+' : '') + text;
  }

  // The growth between this heap snapshot and another of the same process, the earlier one first.
  function heapCompare(s) {
    const t = (s && s.target) || {};
    const pickBox = h('div', {}, h('p', { class: 'muted' }, 'Looking for other snapshots of this process…'));
    const result = h('div', { id: 'diff-result' });
    const el = card('Compare with another snapshot',
      h('p', { class: 'muted small' }, 'Which types grew between two heap snapshots of one process: objects, shallow and retained bytes, the earlier snapshot first.'),
      pickBox, result);
    async function load() {
      let list;
      try {
        list = await api('GET', '/sessions');
      } catch (e) {
        fill(pickBox, errorBox(e));
        return;
      }
      const others = list.filter((o) => o.id !== s.id && o.status === 'completed' && o.profiler && o.profiler.name === 'heap-snapshot' &&
        o.target && o.target.pid === t.pid && (o.target.name || '') === (t.name || ''));
      if (!others.length) {
        fill(pickBox, h('p', { class: 'muted' }, `No other completed heap snapshot of pid ${t.pid}. Take another one to see what grew.`));
        return;
      }
      const select = h('select', { id: 'diff-with', 'aria-label': 'Snapshot to compare with' },
        others.map((o) => h('option', { value: o.id }, `${o.start ? when(o.start) : idTime(o.id)} (${o.id < s.id ? 'earlier' : 'later'}) ${o.id}`)));
      const go = h('button', { id: 'diff-go', class: 'primary', onclick: () => compare(select.value) }, 'Compare');
      fill(pickBox, h('div', { class: 'diff-pick' }, select, ' ', go));
    }
    async function compare(other) {
      // ids sort by time: the earlier one is the "before"
      const [before, after] = other < s.id ? [other, s.id] : [s.id, other];
      fill(result, h('p', { class: 'muted' }, 'Comparing…'));
      let d;
      try {
        d = await api('GET', `/sessions/${encodeURIComponent(after)}/diff/${encodeURIComponent(before)}`);
      } catch (e) {
        fill(result, errorBox(e));
        return;
      }
      const tbl = sortableTable([
        { key: 'type', label: 'Type', class: 'mono' },
        { key: 'count_before', label: 'Objects before', num: true, render: (x) => num.format(x.count_before) },
        { key: 'count_after', label: 'Objects after', num: true, render: (x) => num.format(x.count_after) },
        { key: 'count_delta', label: 'Objects Δ', num: true, render: (x) => signed(x.count_delta, num.format(x.count_delta)) },
        { key: 'shallow_delta', label: 'Shallow Δ', num: true, render: (x) => signed(x.shallow_delta, bytesText(x.shallow_delta)) },
        { key: 'retained_delta', label: 'Retained Δ', num: true, render: (x) => signed(x.retained_delta, bytesText(x.retained_delta)) },
      ], d.types || [], { sortKey: 'retained_delta', search: (x) => x.type, rowData: (x) => ({ type: x.type, countDelta: x.count_delta }) });
      fill(result,
        h('p', {}, `From ${before} to ${after}: `, `${num.format(d.objects[0])} → ${num.format(d.objects[1])} objects, `,
          `${bytesText(d.heap_bytes[0])} → ${bytesText(d.heap_bytes[1])} (${signed(d.heap_bytes[1] - d.heap_bytes[0], bytesText(d.heap_bytes[1] - d.heap_bytes[0]))}).`),
        d.complete ? null : h('div', { class: 'warning' }, 'A snapshot is incomplete (its target stopped while writing it).'),
        h('div', { class: 'diff-pick' }, searchBox('Search types', (v) => tbl.setFilter(v), { id: 'diff-search' })), tbl);
    }
    load();
    return el;
  }

  function renderHeap(r, s) {
    const roots = r.roots || {};
    const types = r.types || [];
    const heap = r.heap_bytes || 1;
    const typesView = () => {
      const detail = h('div', { class: 'detail', id: 'heap-paths' }, h('p', { class: 'muted' }, 'Click a type to see what keeps it alive.'));
      function open(t, tr) {
        for (const x of tr.parentNode.querySelectorAll('tr.selected')) x.classList.remove('selected');
        tr.classList.add('selected');
        const paths = t.paths || [];
        fill(detail, h('h3', {}, t.type),
          h('p', {}, `${num.format(t.count)} objects, ${bytesText(t.shallow)} of their own, retaining ${bytesText(t.retained)}.`),
          paths.length ? [h('p', { class: 'muted small' }, `The shortest paths from a root (static fields first) to the ${paths.length === 1 ? 'object' : `${paths.length} objects`} of this type that retain the most, merged from the root down.`),
            callTree(pathTree(paths), [
              { label: 'Retained', value: (n) => bytesText(n.retained) },
              { label: 'Paths', value: (n) => num.format(n.paths) },
            ], { weight: (n) => n.retained, nameLabel: 'Root, then each object on the way' })]
            : h('p', { class: 'muted' }, t.paths ? 'No object of this type is reachable from a root.' : 'Paths are kept for the first 200 types only.'));
      }
      const tbl = sortableTable([
        { key: 'type', label: 'Type', class: 'mono' },
        { key: 'count', label: 'Objects', num: true, render: (t) => num.format(t.count) },
        { key: 'shallow', label: 'Shallow bytes', num: true, render: (t) => num.format(t.shallow) },
        { key: 'retained', label: 'Retained bytes', num: true, render: (t) => num.format(t.retained) },
        { key: 'share', label: 'Retained share', num: true, value: (t) => t.retained / heap, render: (t) => pct(t.retained / heap) },
      ], types, { sortKey: 'retained', onrow: open, rowData: (t) => ({ type: t.type, count: t.count }), search: (t) => t.type });
      return h('div', {},
        card('Types', h('div', { class: 'card-tools' }, searchBox('Search types', (v) => tbl.setFilter(v), { id: 'heap-search' })),
          h('p', { class: 'muted small' }, 'Shallow: the objects\' own bytes. Retained: what would be freed with them (from the dominator tree; nested objects of one type count once).',
            r.types_total > types.length ? ` The ${num.format(types.length)} types that retain the most of ${num.format(r.types_total)}.` : ''), tbl),
        card('Retention paths', detail));
    };
    const domView = () => card('Dominator tree', h('p', { class: 'muted small' },
      'Each object under the one without which it would be unreachable, largest retained size first; the 20 largest children of each object come with the report, the others (open "… more") and deeper levels as they are opened.'),
    callTree(domTree(r.dominators || { type: '(roots)', retained: 0, children: [] }, s && s.id), [
      { label: 'Retained', value: (n) => bytesText(n.retained) },
      { label: 'Of the heap', value: (n) => pct(n.retained / heap) },
      { label: 'Shallow', value: (n) => (n.more ? '' : bytesText(n.shallow)) },
      { label: 'Dominates', value: (n) => (n.more ? '' : num.format(n.kids)) },
    ], { weight: (n) => n.retained, nameLabel: 'Object\'s type' }));
    const retainers = () => card('Biggest retainers', h('p', { class: 'muted small' }, 'The objects that retain the most, each with its shortest path from a root.'),
      h('div', { class: 'retainers' }, (r.retainers || []).map((x) => h('div', { class: 'stack' },
        h('div', { class: 'stack-head' }, `${bytesText(x.retained)} retained by one ${x.type}`),
        h('ol', { class: 'frames' }, x.path.map((st) => h('li', { class: st.root ? 'muted' : '' }, stepText(st))))))));
    return h('div', {},
      summary([
        ['objects', num.format(r.objects)],
        ['heap', bytesText(r.heap_bytes)],
        ['types', num.format(r.types_total)],
        ['unreachable', `${num.format(r.unreachable_objects)} (${bytesText(r.unreachable_bytes)})`],
        ['roots', `${num.format(roots.static || 0)} static, ${num.format(roots.handle || 0)} handle, ${num.format(roots.stack || 0)} stack, ${num.format(roots.finalizer || 0)} finalizer, ${num.format(roots.other || 0)} other`, 'wide roots'],
        ['weak roots', num.format(roots.weak || 0)],
        ['target paused', `${dec1.format(r.pause_ms)} ms`],
        types[0] ? ['retains the most', types[0].type, 'wide mono'] : null,
      ]),
      incompleteNote(r),
      r.unreachable_objects ? h('p', { class: 'muted small' }, 'Unreachable objects are dead but not yet collected: they retain nothing.') : null,
      tabs([
        { id: 'types', label: 'Types', render: typesView },
        { id: 'dominators', label: 'Dominator tree', render: domView },
        { id: 'retainers', label: 'Biggest retainers', render: retainers },
        { id: 'compare', label: 'Compare', render: () => heapCompare(s) },
      ]));
  }

  // The leak finder: the verdict, then the types that grew at every snapshot, each with the path that holds its new
  // instances and, when allocations ran in the session, where they were allocated.
  function renderLeaks(r) {
    const snaps = r.snapshots || [];
    const growing = r.growing || [];
    const first = snaps[0] || {}, last = snaps[snaps.length - 1] || {};
    const detail = h('div', { class: 'detail', id: 'leak-detail' }, h('p', { class: 'muted' }, 'Click a type to see what holds it.'));
    function open(t, tr) {
      if (tr) for (const x of tr.parentNode.querySelectorAll('tr.selected')) x.classList.remove('selected');
      if (tr) tr.classList.add('selected');
      const stack = t.allocated && t.allocated.stacks && t.allocated.stacks[0];
      fill(detail, h('h3', {}, t.type),
        h('p', {}, `Objects at each snapshot: ${t.count.map((c) => num.format(c)).join(' → ')}; retained: ${t.retained.map(bytesText).join(' → ')}.`),
        t.holder ? [h('p', {}, `Held by this path (${num.format(t.holder.new_instances)} new of its ${num.format(t.holder.instances)} objects):`),
          h('ol', { class: 'frames', id: 'leak-path' }, t.holder.path.map((st) => h('li', { class: st.root ? 'muted' : '' },
            stepText(st) + (st.repeat > 1 ? ` (×${num.format(st.repeat)})` : ''))))]
          : h('p', { class: 'muted' }, 'No root reaches its objects.'),
        stack ? [h('p', {}, `Allocated mostly here (${bytesText(stack.bytes)} of ${bytesText(t.allocated.bytes)} sampled):`),
          h('ol', { class: 'frames' }, stack.frames.slice(0, 12).map((f) => h('li', {}, f)))]
          : h('p', { class: 'muted small' }, r.allocations ? 'The allocations profiler saw none of its allocations.'
            : 'Run allocations in the same session (leaks,allocations) to see where these objects come from.'));
    }
    const tbl = sortableTable([
      { key: 'type', label: 'Type', class: 'mono' },
      { key: 'count_growth', label: 'Objects Δ', num: true, render: (t) => signed(t.count_growth, num.format(t.count_growth)) },
      { key: 'per_step', label: 'Per snapshot', value: (t) => t.count_growth, num: true, render: (t) => (t.count_per_step || []).map((c) => num.format(c)).join(', ') },
      { key: 'retained_growth', label: 'Retained Δ', num: true, render: (t) => signed(t.retained_growth, bytesText(t.retained_growth)) },
      { key: 'held', label: 'Held by', value: (t) => (t.holder ? stepText(t.holder.path[0]) : ''), render: (t) => (t.holder ? stepText(t.holder.path[0]) : '') },
    ], growing, { sortKey: 'retained_growth', onrow: open, rowData: (t) => ({ type: t.type }), search: (t) => t.type });
    if (growing[0]) open(growing[0], null);
    return h('div', {},
      h('p', { class: 'verdict', id: 'leaks-verdict' }, r.verdict),
      summary([
        ['snapshots', num.format(snaps.length)],
        ['over', `${dec1.format(((last.at_ms || 0) - (first.at_ms || 0)) / 1000)} s`],
        ['objects', `${num.format(first.objects || 0)} → ${num.format(last.objects || 0)}`],
        ['heap', `${bytesText(first.heap_bytes || 0)} → ${bytesText(last.heap_bytes || 0)}`],
        ['types growing', num.format(r.growing_total || 0)],
      ]),
      incompleteNote(r),
      r.snapshots_asked > snaps.length ? h('div', { class: 'warning' }, `${snaps.length} of the ${r.snapshots_asked} snapshots asked were taken before the session's end (each pauses the target for a forced GC and the heap walk): a longer duration gives them room.`) : null,
      growing.length ? [card('Types that grew at every snapshot', h('p', { class: 'muted small' },
        'Live objects and retained bytes rose from each snapshot to the next. Largest retained growth first.'), tbl),
      card('What holds them', detail)] : null);
  }

  function renderStrings(r) {
    const top = r.top || [];
    const tbl = sortableTable([
      { key: 'value', label: 'Value', class: 'mono value' },
      { key: 'count', label: 'Copies', num: true, render: (t) => num.format(t.count) },
      { key: 'length', label: 'Length', num: true, render: (t) => num.format(t.length) },
      { key: 'size', label: 'Bytes each', num: true, render: (t) => num.format(t.size) },
      { key: 'wasted', label: 'Wasted bytes', num: true, render: (t) => num.format(t.wasted) },
    ], top, { sortKey: 'wasted', search: (t) => t.value, rowData: (t) => ({ count: t.count, wasted: t.wasted }) });
    return h('div', {},
      summary([
        ['strings', num.format(r.strings)],
        ['string bytes', bytesText(r.string_bytes)],
        ['distinct values', num.format(r.distinct)],
        ['values held more than once', num.format(r.duplicated_values)],
        ['wasted', bytesText(r.wasted_bytes), r.wasted_bytes ? 'alert' : ''],
        ['target paused', `${dec1.format(r.pause_ms)} ms`],
      ]),
      r.overflow ? h('div', { class: 'warning' }, `${num.format(r.overflow)} strings were not counted: more distinct values than max_distinct.`) : null,
      card('Duplicated values', h('div', { class: 'card-tools' }, searchBox('Search values', (v) => tbl.setFilter(v), { id: 'dup-search' })),
        h('p', { class: 'muted small' }, 'Wasted: the bytes of every copy but one, which one shared instance (string.Intern, a cache) would save.'), tbl));
  }

  // Any other report: its numbers, then a table for each list of objects.
  function renderGeneric(r) {
    const scalars = Object.entries(r).filter(([, v]) => v === null || typeof v !== 'object');
    const parts = [summary(scalars.filter(([k]) => k !== 'profiler').map(([k, v]) => [k.replace(/_/g, ' '), typeof v === 'number' ? num.format(v) : String(v)]))];
    for (const [k, v] of Object.entries(r)) {
      if (Array.isArray(v) && v.length && typeof v[0] === 'object' && !Array.isArray(v[0])) {
        const keys = Object.keys(v[0]).filter((x) => v[0][x] === null || typeof v[0][x] !== 'object');
        parts.push(card(k.replace(/_/g, ' '), sortableTable(keys.map((x) => ({ key: x, label: x.replace(/_/g, ' '), num: typeof v[0][x] === 'number', render: (row) => (typeof row[x] === 'number' ? num.format(row[x]) : row[x]) })), v, { sortKey: keys.find((x) => typeof v[0][x] === 'number') || keys[0] })));
      }
    }
    parts.push(card('Raw report', h('details', {}, h('summary', {}, 'JSON'), h('pre', { class: 'raw' }, JSON.stringify(r, null, 2).slice(0, 200000)))));
    return h('div', {}, parts);
  }

  // The waits report: locks ranked by time waited (each with its waiters' tree), a flame graph of all time waited,
  // blocking waits by kind, the thread pool's adjustments (starvation marked), time waited per thread.
  function renderWaits(r) {
    const locks = r.locks || [];
    const waits = r.waits || [];
    const pool = r.thread_pool || {};
    const lockKind = (l) => (l.type ? ` (${l.type})` : l.kind === 'Monitor' ? ' (Monitor)' : '');
    const lockName = (l) => (l.lock === 'unknown' ? 'lock (unknown)' : `lock ${l.lock}${lockKind(l)}`);
    const waitTree = (root) => callTree(root, [
      { label: 'Share', value: (n) => pct(n.ns / (root.ns || 1)) },
      { label: 'ms', value: (n) => ms(n.ns) },
      { label: 'Waits', value: (n) => num.format(n.count) },
    ], { weight: (n) => n.ns });
    // the owners' stacks, sampled while threads waited: counted in samples, not time
    const ownerTree = (root) => callTree(root, [
      { label: 'Share', value: (n) => pct(n.count / (root.count || 1)) },
      { label: 'Samples', value: (n) => num.format(n.count) },
    ], { weight: (n) => n.count });
    const lockTrees = (l) => (l.owner_samples
      ? h('div', { class: 'wait-trees' },
        h('div', { class: 'wait-waiters' }, h('h4', {}, 'Waiters: where threads waited (time)'), waitTree(l.tree)),
        h('div', { class: 'wait-owners' }, h('h4', {}, `Owners: what the holder was doing (${num.format(l.owner_samples)} samples)`),
          ownerTree(l.owner_tree)))
      : waitTree(l.tree));
    const quant = (x) => `p50 ${ms(x.p50_ns)} · p95 ${ms(x.p95_ns)} · p99 ${ms(x.p99_ns)} · max ${ms(x.max_ns)} ms`;
    const lockList = () => card('Locks by time waited',
      locks.length ? null : h('p', { class: 'muted' }, `No thread waited for a lock (${num.format(r.lock_events || 0)} contention starts reported).`),
      locks.map((l, i) => h('details', { class: 'wait-lock', open: i === 0 ? true : null, dataset: { lock: l.lock } },
        h('summary', {}, h('span', { class: 'mono' }, lockName(l)), ': ', num.format(l.count), ' contended acquisitions, ',
          ms(l.total_ns), ' ms waited ', h('span', { class: 'muted' }, quant(l))),
        (l.owners || []).length ? h('p', { class: 'small' }, 'Held by ', (l.owners || []).map((o, k) => [k ? ', ' : '',
          h('span', { class: 'mono' }, `thread ${o.owner}${o.name ? ' (' + o.name + ')' : ''}`), ` while ${num.format(o.count)} waited`])) : null,
        lockTrees(l))));
    const all = { name: 'all waits', ns: 0, count: 0, children: [] };
    for (const l of locks) all.children.push(Object.assign({}, l.tree, { name: lockName(l) }));
    for (const w of waits) all.children.push(Object.assign({}, w.tree, { name: `wait: ${w.kind}` }));
    for (const c of all.children) { all.ns += c.ns || 0; all.count += c.count || 0; }
    const flame = () => flameCard(all, {
      valueKey: 'ns', selfKey: 'none', unit: 'time waited', unitNote: 'nanoseconds waited, every thread added up',
      describe: (d) => [d.name, `${pct(d.share)} of all time waited`, `${ms(d.node.ns)} ms in ${num.format(d.node.count)} waits`],
    });
    const waitList = () => card('Blocking waits by kind',
      waits.length ? null : h('p', { class: 'muted' }, r.wait_handles_seen ? 'No thread blocked on a wait handle or a monitor.' : 'Not visible on this runtime (see the notes).'),
      waits.map((w) => h('details', { class: 'wait-kind', dataset: { kind: w.kind } },
        h('summary', {}, h('b', {}, w.kind), ': ', num.format(w.count), ' waits, ', ms(w.total_ns), ' ms ',
          h('span', { class: 'muted' }, quant(w))),
        waitTree(w.tree))));
    const poolCard = () => card('Thread pool',
      h('p', { class: pool.starved ? 'alert' : '', id: 'pool-verdict' }, pool.verdict || ''),
      sortableTable([
        { key: 'at_ms', label: 'At ms', num: true, render: (a) => dec1.format(a.at_ms) },
        { key: 'workers', label: 'Workers', num: true },
        { key: 'reason', label: 'Reason', render: (a) => (a.starvation ? h('b', { class: 'alert' }, a.reason + ' (starvation)') : a.reason) },
        { key: 'throughput', label: 'Throughput', num: true, render: (a) => dec1.format(a.throughput) },
      ], pool.adjustments || [], { sortKey: 'at_ms', desc: false }),
      h('details', {}, h('summary', {}, `Worker starts and stops (${num.format((pool.workers || []).length)})`),
        h('ol', { class: 'small' }, (pool.workers || []).slice(0, 500).map((w) => h('li', {}, `${dec1.format(w.at_ms)} ms: ${w.event}, ${w.active} active, ${w.retired} retired`)))));
    const threads = () => card('Time waited by thread', sortableTable([
      { key: 'tid', label: 'Thread id', num: true },
      { key: 'name', label: 'Name', value: (t) => t.name || '' },
      { key: 'waits', label: 'Waits', num: true, render: (t) => num.format(t.waits) },
      { key: 'waited_ns', label: 'Waited ms', num: true, render: (t) => ms(t.waited_ns) },
      { key: 'lock_ns', label: 'On locks ms', num: true, render: (t) => ms(t.lock_ns) },
      { key: 'blocked_ns', label: 'Blocked ms', num: true, render: (t) => ms(t.blocked_ns) },
    ], r.threads || [], { sortKey: 'waited_ns' }));
    const lo = r.left_out || {};
    return h('div', {},
      summary([
        ['contended acquisitions', num.format(r.contended || 0)],
        ['waited on locks', `${ms(r.contended_ns || 0)} ms`],
        ['blocking waits', r.wait_handles_seen ? num.format(r.blocking_waits || 0) : 'not visible'],
        ['blocked', `${ms(r.blocking_ns || 0)} ms`],
        ['thread pool', pool.starved ? 'starved' : 'not starved', pool.starved ? 'alert' : ''],
      ]),
      incompleteNote(r),
      (r.unseen || []).map((u) => h('p', { class: 'muted small note' }, u)),
      h('p', { class: 'muted small' }, `Not stacked: ${num.format(lo.not_stacked_short || 0)} waits under ${num.format(r.min_wait_us || 0)} µs, `,
        `${num.format(lo.not_stacked_capped || 0)} past ${num.format(lo.max_stacks_per_s || 0)} stack walks/s (counted and timed all the same); `,
        `${num.format(lo.records_dropped || 0)} left out of the percentiles, ${num.format(lo.table_full || 0)} lost.`),
      (lo.records_capped || lo.records_size_capped) ? h('p', { class: 'muted small', id: 'waits-storm' },
        `Storm: ${num.format(lo.records_capped || 0)} waits past ${num.format(lo.max_records_per_s || 0)} a second and `,
        `${num.format(lo.records_size_capped || 0)} past three quarters of max_file_mb were not recorded one by one: `,
        'counted and timed in the totals (exact), left out of the percentiles and the owners.') : null,
      r.owner_stacks ? h('p', { class: 'muted small' }, `Owners' stacks: ${num.format(r.owner_stacks.taken)} taken `,
        `(${num.format(r.owner_stacks.blocked_not_signalled)} owners blocked in a system call, not signalled; `,
        `${num.format(r.owner_stacks.rate_limited + r.owner_stacks.busy)} past the limits).`) : null,
      tabs([
        { id: 'locks', label: 'Locks', render: lockList },
        { id: 'flame', label: 'Flame graph', render: flame },
        { id: 'waits', label: 'Blocking waits', render: waitList },
        { id: 'pool', label: 'Thread pool', render: poolCard },
        { id: 'threads', label: 'Threads', render: threads },
      ]));
  }

  const RENDERERS = {
    exceptions: renderExceptions,
    'cpu-hotpaths': renderCpu,
    'merged-stacks': renderMerged,
    'runtime-pauses': renderPauses,
    allocations: renderAllocations,
    'heap-snapshot': renderHeap,
    'duplicated-strings': renderStrings,
    waits: renderWaits,
    leaks: renderLeaks,
  };

  // ---- routing ---------------------------------------------------------------------------------------------------

  function route() {
    for (const f of cleanup) f();
    cleanup = [];
    setTooltip(null);
    const hash = location.hash || '#/';
    for (const a of document.querySelectorAll('[data-nav]')) a.classList.toggle('active', hash === a.getAttribute('href') || (a.dataset.nav === 'sessions' && hash.startsWith('#/session')));
    const m = /^#\/session\/(.+)$/.exec(hash);
    if (m) return viewSession(decodeURIComponent(m[1]));
    if (hash === '#/sessions') return viewSessions();
    return viewNew();
  }

  window.addEventListener('hashchange', route);
  route();
})();

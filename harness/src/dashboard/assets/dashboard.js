// The kustomer-mock dashboard: plain JavaScript, no framework, no build step.
// Everything it shows comes from the admin API (/__admin) and is inserted as text
// (textContent), never as markup: a record's name cannot become HTML or script.
'use strict';

(function () {
  const TOKEN_KEY = 'kmock-admin-token';
  const V1_KEY = 'kmock-v1-token';
  // The page keeps at most this many causal roots (the server sends the newest).
  const MAX_ROOTS = 100;
  // Live updates are applied at most this often, however fast the server changes.
  const BATCH_MS = 200;
  // Records listed per kind (the rest are counted, and found by id in the timeline).
  const MAX_RECORDS = 500;

  const $ = (id) => document.getElementById(id);

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function pretty(value) {
    return typeof value === 'string' ? value : JSON.stringify(value, null, 2);
  }

  function short(id) {
    return typeof id === 'string' && id.length === 24 ? '…' + id.slice(17) : String(id);
  }

  // `/?token=<admin token>` logs in; the token then leaves the address bar.
  (function takeTokenFromUrl() {
    const url = new URL(window.location.href);
    const token = url.searchParams.get('token');
    if (token) {
      sessionStorage.setItem(TOKEN_KEY, token);
      url.searchParams.delete('token');
      history.replaceState(null, '', url.pathname + url.search + url.hash);
    }
  })();

  function adminHeaders(extra) {
    const headers = Object.assign({}, extra || {});
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (token) headers.Authorization = 'Bearer ' + token;
    return headers;
  }

  class Failure extends Error {
    constructor(status, body) {
      super('HTTP ' + status);
      this.status = status;
      this.body = body;
    }
  }

  // A Kustomer-shaped error in one line: status, code, detail, and where.
  function describe(error) {
    if (!(error instanceof Failure)) return String(error && error.message ? error.message : error);
    const first = error.body && error.body.errors && error.body.errors[0];
    if (!first) return 'HTTP ' + error.status + ': ' + pretty(error.body);
    let where = '';
    if (first.meta && first.meta.path) where = ' (at ' + first.meta.path + ')';
    else if (first.source && first.source.pointer) where = ' (at ' + first.source.pointer + ')';
    else if (first.source && first.source.parameter) where = ' (parameter ' + first.source.parameter + ')';
    return first.status + ' ' + first.code + ': ' + (first.detail || first.title || '') + where;
  }

  async function answer(response) {
    const text = await response.text();
    let body = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch (_) {
      body = text;
    }
    if (!response.ok) throw new Failure(response.status, body);
    return body;
  }

  async function admin(path, method, body) {
    const headers = adminHeaders(body !== undefined ? { 'Content-Type': 'application/json' } : {});
    const response = await fetch('/__admin' + path, { method: method || 'GET', headers, body });
    if (response.status === 401) showLogin('The admin token was refused.');
    return answer(response);
  }

  async function v1(method, path, body) {
    const token = sessionStorage.getItem(V1_KEY);
    if (!token) throw new Error('Set a /v1 key first (Controls → "/v1 key", or create one).');
    const headers = { Authorization: 'Bearer ' + token };
    if (body !== undefined && body !== '') headers['Content-Type'] = 'application/json';
    const response = await fetch(path, { method, headers, body: body === '' ? undefined : body });
    return answer(response);
  }

  // ---- login -------------------------------------------------------------------------

  function showLogin(message) {
    $('app').hidden = true;
    $('login').hidden = false;
    $('login-error').textContent = message || '';
    setLive('needs the admin token');
  }

  $('login-form').addEventListener('submit', (e) => {
    e.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, $('login-token').value);
    start();
  });

  // ---- live updates ------------------------------------------------------------------

  function setLive(text) {
    $('live').textContent = text;
  }

  let refreshing = false;
  let refreshAgain = false;

  // Coalesces change notices: one refresh in flight, at most one queued behind it.
  function scheduleRefresh() {
    if (refreshing) {
      refreshAgain = true;
      return;
    }
    refreshing = true;
    setTimeout(async () => {
      try {
        await refreshVisible();
      } catch (error) {
        setLive('refresh failed: ' + describe(error));
      } finally {
        refreshing = false;
        if (refreshAgain) {
          refreshAgain = false;
          scheduleRefresh();
        }
      }
    }, BATCH_MS);
  }

  function onServerEvent(block) {
    let name = 'message';
    for (const line of block.split('\n')) {
      if (line.startsWith('event:')) name = line.slice(6).trim();
    }
    if (name === 'change') scheduleRefresh();
  }

  // Server-sent events read with fetch (EventSource cannot send the admin token).
  let streaming = false;
  async function follow() {
    if (streaming) return;
    streaming = true;
    for (;;) {
      try {
        const response = await fetch('/__admin/dashboard/stream', {
          headers: adminHeaders({ Accept: 'text/event-stream' }),
        });
        if (response.status === 401) {
          streaming = false;
          showLogin('The admin token was refused.');
          return;
        }
        if (!response.ok || !response.body) throw new Error('HTTP ' + response.status);
        setLive('live');
        const reader = response.body.getReader();
        const decoder = new TextDecoder();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += decoder.decode(value, { stream: true }).replace(/\r\n/g, '\n');
          let end;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            onServerEvent(buffer.slice(0, end));
            buffer = buffer.slice(end + 2);
          }
        }
      } catch (_) {
        // The server went away or restarted: try again below.
      }
      setLive('reconnecting…');
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }

  // ---- tabs --------------------------------------------------------------------------

  let activeTab = 'timeline';
  for (const button of document.querySelectorAll('nav.tabs button')) {
    button.addEventListener('click', () => {
      activeTab = button.dataset.tab;
      for (const other of document.querySelectorAll('nav.tabs button')) {
        other.setAttribute('aria-selected', other === button ? 'true' : 'false');
        $('tab-' + other.dataset.tab).hidden = other !== button;
      }
      scheduleRefresh();
    });
  }

  async function refreshVisible() {
    if (activeTab === 'timeline') await refreshTimeline();
    else if (activeTab === 'records') await refreshRecords();
    else if (activeTab === 'workflows') await refreshWorkflows();
  }

  // ---- timeline: the causal tree -----------------------------------------------------

  function alertStatus(status) {
    return status === 401 || status === 403 || status === 429;
  }

  function nodeLine(node) {
    switch (node.kind) {
      case 'request':
        return node.method + ' ' + node.path + ' [' + (node.key || 'no key') + '] → ' + node.status;
      case 'event': {
        let text = 'event ' + node.name + ' ' + short(node.dataId);
        if (node.rev !== undefined) text += ' rev ' + node.rev;
        if (node.changed && node.changed.length) text += ' (' + node.changed.join(', ') + ')';
        return text;
      }
      case 'run': {
        const at = node.summary.indexOf(': ');
        return 'run ' + node.workflow + ' → ' + node.state + ': ' + (at >= 0 ? node.summary.slice(at + 2) : node.summary);
      }
      case 'step':
        return 'step ' + node.id + (node.action ? ' (' + node.action + ')' : '') + ' → ' + node.outcome;
      default:
        return node.kind;
    }
  }

  function nodeClasses(node) {
    const classes = ['node', node.kind];
    if (node.kind === 'request' && (alertStatus(node.status) || node.status >= 500)) classes.push('alert');
    if (node.kind === 'run' && node.state === 'halted') classes.push('loop');
    if (node.kind === 'run' && node.state === 'failed') classes.push('failed');
    if (node.kind === 'step' && node.outcome.startsWith('error')) classes.push('failed');
    return classes.join(' ');
  }

  function hasProblem(node) {
    return nodeClasses(node).match(/alert|loop|failed/) !== null || node.children.some(hasProblem);
  }

  function renderNode(node, loopsByRun) {
    const item = el('li');
    const line = el('span', nodeClasses(node), nodeLine(node));
    line.dataset.kind = node.kind;
    if (node.kind === 'run') {
      line.dataset.run = node.id;
      line.title = 'Show this run';
      line.addEventListener('click', () => showRun(node.id));
    }
    item.appendChild(line);
    const loop = node.kind === 'run' ? loopsByRun.get(node.id) : undefined;
    if (loop) item.appendChild(loopBox(loop));
    if (node.children.length) {
      const list = el('ul');
      for (const child of node.children) list.appendChild(renderNode(child, loopsByRun));
      item.appendChild(list);
    }
    return item;
  }

  function loopBox(loop) {
    const box = el('div', 'loop-box');
    box.appendChild(el('strong', null, 'Loop: ' + loop.workflow.name + ' on ' + short(loop.record) +
      ' (' + loop.reason + ', depth ' + loop.depth + ', ' + loop.repeats + ' fires)'));
    box.appendChild(el('p', 'loop-explanation', loop.explanation));
    return box;
  }

  function timelineQuery() {
    const query = new URLSearchParams({ limit: String(MAX_ROOTS) });
    const workflow = $('f-workflow').value.trim();
    const record = $('f-record').value.trim();
    if (workflow) query.set('workflow', workflow);
    if (record) query.set('record', record);
    if ($('f-status').value) query.set('status', $('f-status').value);
    if ($('f-problems').checked) query.set('problems', 'true');
    return query.toString();
  }

  async function refreshTimeline() {
    const view = await admin('/tree?' + timelineQuery());
    const meta = view.meta;
    $('timeline-meta').textContent = meta.shown + ' shown of ' + meta.matching + ' matching (' +
      meta.roots + ' causal roots' + (meta.alerts ? ', ' + meta.alerts + ' with 401/403/429' : '') + ')';
    const loopsByRun = new Map(view.loops.map((l) => [l.run, l]));
    const roots = document.createDocumentFragment();
    for (const root of view.data) {
      const box = el('div', hasProblem(root) ? 'root problem' : 'root');
      const tree = el('ul', 'tree');
      tree.appendChild(renderNode(root, loopsByRun));
      box.appendChild(tree);
      roots.appendChild(box);
    }
    if (!view.data.length) roots.appendChild(el('p', 'muted', 'Nothing yet: send a /v1 request.'));
    $('timeline').replaceChildren(roots);
    const loops = document.createDocumentFragment();
    for (const loop of view.loops) loops.appendChild(loopBox(loop));
    $('loops').replaceChildren(loops);
  }

  for (const id of ['f-workflow', 'f-record']) $(id).addEventListener('input', scheduleRefresh);
  for (const id of ['f-status', 'f-problems']) $(id).addEventListener('change', scheduleRefresh);

  // ---- run detail --------------------------------------------------------------------

  function table(headings, rows) {
    const t = el('table');
    const head = el('tr');
    for (const h of headings) head.appendChild(el('th', null, h));
    t.appendChild(head);
    for (const cells of rows) {
      const row = el('tr');
      for (const cell of cells) {
        const td = el('td');
        if (cell instanceof Node) td.appendChild(cell);
        else td.textContent = cell === undefined || cell === null ? '' : String(cell);
        row.appendChild(td);
      }
      t.appendChild(row);
    }
    return t;
  }

  function pre(value, className) {
    return el('pre', className, pretty(value));
  }

  function transitionsCell(transitions, next, failed) {
    const cell = el('div');
    for (const t of transitions || []) {
      cell.appendChild(el('div', t.holds ? 'held' : 'not-held', (t.name || t.target) + (t.holds ? ' ✓' : '')));
    }
    if (next) cell.appendChild(el('div', null, (failed ? 'errorCases branch → ' : '→ ') + next));
    return cell;
  }

  async function showRun(id) {
    const panel = $('run-detail');
    panel.hidden = false;
    panel.replaceChildren(el('p', 'muted', 'Loading run ' + id + '…'));
    let run;
    try {
      run = (await admin('/runs/' + encodeURIComponent(id))).data;
    } catch (error) {
      panel.replaceChildren(el('p', 'result error', describe(error)));
      return;
    }
    const parts = document.createDocumentFragment();
    const close = el('button', null, 'Close');
    close.type = 'button';
    close.addEventListener('click', () => { panel.hidden = true; });
    parts.appendChild(close);
    parts.appendChild(el('h2', null, 'Run ' + run.workflow.name + ' → ' + run.state));
    parts.appendChild(el('p', 'muted', run.summary + ' · record ' + run.record + ' · event ' + run.event.name +
      ' · started ' + run.startedAt + (run.endedAt ? ' · ended ' + run.endedAt : '')));
    if (run.explanation) parts.appendChild(el('p', 'result error', run.explanation));
    if (run.error) parts.appendChild(pre(run.error, 'result error'));
    parts.appendChild(el('h3', null, 'Trigger transitions tried'));
    parts.appendChild(table(['#', 'transition', 'held', 'condition, with the values seen'],
      (run.trigger || []).map((t) => [t.index, t.name || t.target, t.holds ? 'held' : 'did not hold',
        t.condition ? pre(t.condition) : '(always)'])));
    parts.appendChild(el('h3', null, 'Steps'));
    parts.appendChild(table(['step', 'params (secrets masked)', 'output', 'error', 'next', 'timing'],
      (run.steps || []).map((s) => [
        s.id + (s.action ? ' (' + s.action + ')' : '') + (s.displayName ? ' — ' + s.displayName : ''),
        pre(s.params),
        s.output === undefined ? '' : pre(s.output),
        s.error === undefined ? '' : pre(s.error, 'result error'),
        transitionsCell(s.transitions, s.next, s.error !== undefined),
        s.startedAt + (s.elapsedMs !== undefined ? ' · ' + s.elapsedMs.toFixed(1) + ' ms' : ''),
      ])));
    panel.replaceChildren(parts);
  }

  // ---- records -----------------------------------------------------------------------

  let selectedRecord = null;

  function recordLabel(record) {
    const a = record.attributes || {};
    const label = a.name || a.displayName || a.preview || a.subject || a.title || a.email || '';
    return (label ? label + ' ' : '') + '(' + short(record.id) + ')';
  }

  async function refreshRecords() {
    const kind = $('record-kind').value;
    const state = await admin('/state');
    const list = document.createDocumentFragment();
    let listed = 0;
    let left = 0;
    for (const org of state.orgs || []) {
      for (const record of org[kind] || []) {
        if (listed === MAX_RECORDS) {
          left += 1;
          continue;
        }
        listed += 1;
        const item = el('li');
        const button = el('button', null, recordLabel(record));
        button.type = 'button';
        button.dataset.record = record.id;
        button.addEventListener('click', () => { selectedRecord = record.id; showRecord(record.id); });
        item.appendChild(button);
        list.appendChild(item);
      }
    }
    if (left) list.appendChild(el('li', 'muted', '… and ' + left + ' more'));
    $('record-list').replaceChildren(list);
    if (selectedRecord) await showRecord(selectedRecord);
  }

  function changesTable(changes) {
    const rows = [];
    for (const part of ['attributes', 'relationships']) {
      const fields = (changes && changes[part]) || {};
      for (const name of Object.keys(fields)) {
        const change = fields[name];
        const has = change && typeof change === 'object' && ('before' in change || 'after' in change);
        rows.push([name, pre(has ? change.before : '', 'diff-before'), pre(has ? change.after : change, 'diff-after')]);
      }
    }
    return rows.length ? table(['field', 'before', 'after'], rows) : el('p', 'muted', 'no changes listed');
  }

  async function showRecord(id) {
    const detail = $('record-detail');
    const [events, runs] = await Promise.all([
      admin('/events?dataId=' + encodeURIComponent(id)),
      admin('/runs?record=' + encodeURIComponent(id)),
    ]);
    const parts = document.createDocumentFragment();
    parts.appendChild(el('h2', null, 'Record ' + id));
    parts.appendChild(el('h3', null, 'Events (' + events.data.length + ')'));
    for (const event of events.data) {
      const box = el('div', 'panel');
      box.appendChild(el('strong', null, event.name));
      box.appendChild(el('span', 'muted', ' ' + (event.createdAt || '')));
      box.appendChild(changesTable(event.changes));
      parts.appendChild(box);
    }
    parts.appendChild(el('h3', null, 'Runs it caused (' + runs.data.length + ')'));
    const list = el('ul');
    for (const run of runs.data) {
      const item = el('li');
      const line = el('span', 'node run' + (run.state === 'halted' ? ' loop' : ''), run.workflow.name + ' → ' + run.state + ': ' + run.summary);
      line.addEventListener('click', () => showRun(run.id));
      item.appendChild(line);
      list.appendChild(item);
    }
    parts.appendChild(list);
    detail.replaceChildren(parts);
  }

  $('record-kind').addEventListener('change', () => { selectedRecord = null; scheduleRefresh(); });

  // ---- workflows ---------------------------------------------------------------------

  async function refreshWorkflows() {
    const list = await admin('/workflows');
    const rows = list.data.map((w) => {
      const toggle = el('button', null, w.enabled ? 'Disable' : 'Enable');
      toggle.type = 'button';
      toggle.addEventListener('click', async () => {
        await admin('/workflows/' + encodeURIComponent(w.id), 'PATCH', JSON.stringify({ enabled: !w.enabled }));
        scheduleRefresh();
      });
      const remove = el('button', null, 'Remove');
      remove.type = 'button';
      remove.addEventListener('click', async () => {
        await admin('/workflows/' + encodeURIComponent(w.id), 'DELETE');
        scheduleRefresh();
      });
      const actions = el('span');
      actions.append(toggle, ' ', remove);
      return [w.name, w.eventName, w.enabled ? 'enabled' : 'disabled', w.callable ? 'callable' : '', actions];
    });
    const t = table(['workflow', 'trigger event', 'state', '', ''], rows);
    t.id = 'workflow-table';
    $('workflow-table').replaceWith(t);
  }

  // ---- controls: each one call to the admin or /v1 API ------------------------------

  function control(formId, action) {
    const form = $(formId);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const result = form.querySelector('[data-result]');
      result.className = 'result';
      result.textContent = 'sending…';
      try {
        const value = await action(new FormData(form));
        result.textContent = pretty(value === undefined || value === null ? 'done' : value);
      } catch (error) {
        result.className = 'result error';
        result.textContent = describe(error);
      }
      scheduleRefresh();
    });
  }

  function list(text) {
    return String(text || '').split(',').map((s) => s.trim()).filter((s) => s.length);
  }

  control('install-form', async () => {
    const file = $('install-file').files[0];
    const text = file ? await file.text() : $('install-json').value;
    const installed = await admin('/workflows', 'POST', text);
    return 'installed ' + installed.name + ' (' + installed.id + ') on ' + installed.eventName;
  });
  control('key-form', async (data) => {
    sessionStorage.setItem(V1_KEY, data.get('token'));
    return 'controls now use the key ending ' + String(data.get('token')).slice(-4);
  });
  control('create-key-form', async (data) => {
    const key = await admin('/keys', 'POST', JSON.stringify({ name: data.get('name'), roles: list(data.get('roles')) }));
    sessionStorage.setItem(V1_KEY, key.token);
    $('v1-token').value = key.token;
    return 'created ' + key.name + ' [' + key.roles.join(', ') + ']; the controls now use it';
  });
  control('tag-form', (data) => v1('POST', '/v1/conversations/' + encodeURIComponent(data.get('conversation')) + '/tags',
    JSON.stringify(list(data.get('tags')))));
  control('message-form', (data) => v1('POST', '/v1/conversations/' + encodeURIComponent(data.get('conversation')) + '/messages',
    data.get('body')));
  control('event-form', (data) => {
    const text = String(data.get('data') || '').trim();
    let payload = {};
    try {
      if (text) payload = JSON.parse(text);
    } catch (error) {
      throw new Error('the data is not JSON: ' + error.message);
    }
    return admin('/events', 'POST', JSON.stringify({ name: data.get('name'), data: payload }));
  });
  control('request-form', (data) => {
    const path = String(data.get('path'));
    if (!path.startsWith('/v1/')) throw new Error('the path must start with /v1/');
    return v1(String(data.get('method')).toUpperCase(), path, data.get('body'));
  });
  control('clock-form', (data) => admin('/clock', 'POST', JSON.stringify({ advance: data.get('advance') })));
  control('limits-form', (data) => admin('/limits', 'PUT', data.get('body')));
  control('fault-form', (data) => admin('/faults', 'POST', data.get('body')));
  control('clear-faults-form', () => admin('/faults', 'DELETE'));
  control('reset-form', () => admin('/reset', 'POST', '{}'));

  // ---- start -------------------------------------------------------------------------

  async function start() {
    try {
      await refreshTimeline();
    } catch (error) {
      if (error instanceof Failure && error.status === 401) return; // the login shows
      showLogin(describe(error));
      return;
    }
    $('login').hidden = true;
    $('app').hidden = false;
    const token = sessionStorage.getItem(V1_KEY);
    if (token) $('v1-token').value = token;
    follow();
  }

  start();
})();

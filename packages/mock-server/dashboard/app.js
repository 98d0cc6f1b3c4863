// The sandbox dashboard: renders GET /__dashboard/api/state, refreshes on each server-sent `change`
// event, replays deliveries and edits faults. Plain DOM, every value set as text (never as HTML).

const $ = (id) => document.getElementById(id);

/** Creates an element with text or children. */
function el(tag, props, ...children) {
  const e = document.createElement(tag);
  if (props) {
    for (const [k, v] of Object.entries(props)) {
      if (k === 'text') e.textContent = v;
      else if (k === 'className') e.className = v;
      else if (k.startsWith('data-') || k.startsWith('aria-')) e.setAttribute(k, v);
      else e[k] = v;
    }
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

const money = (cents) => (typeof cents === 'number' ? `$${(cents / 100).toFixed(2)}` : '—');
const time = (iso) => (iso ? new Date(iso).toLocaleTimeString() : '—');

function emptyRow(tbody, cols, text) {
  tbody.replaceChildren(el('tr', null, el('td', { colSpan: cols, className: 'empty', text })));
}

function renderStats(s) {
  const items = [
    ['Transactions received', s.transactions.received],
    ['accepted', s.transactions.accepted],
    ['duplicates', s.transactions.duplicates],
    ['rejected', s.transactions.rejected],
    ['Rewards', s.rewards],
    ['Webhooks delivered', s.webhooksSent],
    ['Webhooks failed', s.webhooksFailed],
  ];
  $('stats-list').replaceChildren(
    ...items.map(([k, v]) => el('div', null, el('dt', { text: k }), el('dd', { text: String(v) }))),
  );
}

function renderUsers(users) {
  const tbody = $('users-body');
  if (users.length === 0) return emptyRow(tbody, 3, 'No users yet (kard users create <id>).');
  tbody.replaceChildren(
    ...users.map((u) => {
      const { enrolledRewards, ...rest } = u.attributes || {};
      return el(
        'tr',
        { 'data-user': u.id },
        el('th', { scope: 'row' }, el('code', { text: u.id })),
        el('td', {
          text:
            Array.isArray(enrolledRewards) && enrolledRewards.length ? enrolledRewards.join(', ') : 'none',
        }),
        el('td', null, el('code', { text: Object.keys(rest).length ? JSON.stringify(rest) : '—' })),
      );
    }),
  );
}

const OUTCOME = {
  accepted: '✓ accepted',
  duplicate: '= duplicate',
  rejected: '✗ rejected',
};

function renderTransactions(list) {
  const tbody = $('tx-body');
  if (list.length === 0) return emptyRow(tbody, 9, 'No transactions received yet.');
  tbody.replaceChildren(
    ...list.map((t) => {
      const issues =
        t.issues.length === 0
          ? el('span', { text: 'none' })
          : el('ul', { className: 'issues' }, ...t.issues.map((i) => el('li', { text: i })));
      return el(
        'tr',
        { 'data-event': t.id },
        el('td', { text: time(t.at) }),
        el(
          'td',
          null,
          el('code', { text: t.id || '—' }),
          t.source === 'legacy' ? el('span', { text: ' (legacy)' }) : null,
        ),
        el('td', { text: t.userId || '—' }),
        el('td', { text: t.status || '—' }),
        el('td', { className: 'num', text: money(t.amount) }),
        el('td', { text: t.merchant || '—' }),
        el('td', {
          className: `outcome${t.outcome === 'rejected' ? ' bad' : ''}`,
          text: OUTCOME[t.outcome] || t.outcome,
        }),
        el('td', null, issues),
        el('td', { text: t.match }),
      );
    }),
  );
}

function renderRewards(list) {
  const tbody = $('rewards-body');
  if (list.length === 0) return emptyRow(tbody, 6, 'No rewards earned yet.');
  tbody.replaceChildren(
    ...list.map((r) =>
      el(
        'tr',
        null,
        el('td', { text: r.userId }),
        el('td', { text: r.merchant }),
        el('td', null, el('code', { text: r.transactionId })),
        el('td', { text: r.status }),
        el('td', { className: 'num', text: money(r.amount) }),
        el('td', { className: 'num', text: money(r.rewardCents) }),
      ),
    ),
  );
}

const DELIVERY = { pending: '… pending', delivered: '✓ delivered', delivery_failed: '✗ failed' };
/** Which payloads the reader opened, so a refresh keeps them open. */
const opened = new Set();

function renderDeliveries(list) {
  const ol = $('deliveries-list');
  if (list.length === 0) {
    ol.replaceChildren(
      el('li', { className: 'empty', text: 'No webhooks sent yet (kard trigger <type>, or earn a reward).' }),
    );
    return;
  }
  ol.replaceChildren(
    ...list.map((d) => {
      const targets =
        d.targets.length === 0
          ? el('p', { text: 'Targets: none subscribed.' })
          : el(
              'ul',
              null,
              ...d.targets.map((t) =>
                el('li', {
                  text: `${t.url} → ${t.statusCode ? `HTTP ${t.statusCode}` : t.errorMessage || 'no answer yet'}, ${t.attempts} attempt${t.attempts === 1 ? '' : 's'} (${Math.max(0, t.attempts - 1)} retr${t.attempts === 2 ? 'y' : 'ies'})${typeof t.ms === 'number' ? `, ${t.ms} ms` : ''}`,
                }),
              ),
            );
      let pretty = d.payload;
      try {
        pretty = JSON.stringify(JSON.parse(d.payload), null, 2);
      } catch {
        // shown as sent
      }
      const details = el(
        'details',
        { open: opened.has(d.eventId) },
        el('summary', { text: 'Payload and signature' }),
      );
      details.append(
        el('p', null, 'notify-signature: ', el('code', { text: d.signature || '—' })),
        el('pre', { text: pretty }),
      );
      details.addEventListener('toggle', () => {
        if (details.open) opened.add(d.eventId);
        else opened.delete(d.eventId);
      });
      const replay = el('button', {
        type: 'button',
        text: 'Replay',
        'aria-label': `Replay ${d.eventName} ${d.eventId}`,
        'data-replay': d.eventId,
      });
      replay.addEventListener('click', () => replayDelivery(d.eventId, replay));
      return el(
        'li',
        { 'data-delivery': d.eventId },
        el(
          'div',
          { className: 'delivery-head' },
          el('strong', { text: d.eventName }),
          el('code', { text: d.eventId }),
          el('span', {
            className: `outcome${d.status === 'delivery_failed' ? ' bad' : ''}`,
            text: DELIVERY[d.status] || d.status,
          }),
          el('span', { text: `${d.attempts} attempt${d.attempts === 1 ? '' : 's'}` }),
          el('span', { text: time(d.timestamp) }),
          replay,
        ),
        d.errorMessage ? el('p', { text: `Last error: ${d.errorMessage}` }) : null,
        targets,
        details,
      );
    }),
  );
}

function renderFaults(f) {
  $('faults-current').textContent = f
    ? `Faults in force: ${JSON.stringify(f)}`
    : 'No faults: every request is served normally.';
}

async function api(method, path, body) {
  const res = await fetch(path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(json?.errors?.[0]?.detail || `HTTP ${res.status}`);
  return json;
}

async function replayDelivery(id, button) {
  button.disabled = true;
  try {
    await api('POST', `/__dashboard/api/deliveries/${encodeURIComponent(id)}/replay`, {});
    announce(`Replaying ${id}.`);
  } catch (e) {
    announce(`Replay failed: ${e.message}`);
  } finally {
    button.disabled = false;
  }
}

function announce(text) {
  $('live').textContent = text;
}

let state = null;
async function refresh() {
  state = await api('GET', '/__dashboard/api/state');
  $('sandbox').textContent =
    `${state.sandbox.url} · organization ${state.sandbox.organizationId} · ${state.subscriptions.filter((s) => s.enabled).length} enabled subscriptions`;
  renderStats(state.stats);
  renderUsers(state.users);
  renderTransactions(state.transactions);
  renderRewards(state.rewards);
  renderDeliveries(state.deliveries);
  renderFaults(state.faults);
}

// One refresh per burst of changes.
let pending = null;
function scheduleRefresh() {
  if (pending) return;
  pending = setTimeout(() => {
    pending = null;
    refresh().catch((e) => announce(`Could not load the state: ${e.message}`));
  }, 50);
}

function faultFromForm() {
  const form = $('faults-form');
  const mode = form.elements.mode.value;
  const rate = Number(form.elements.rate.value);
  const latency = Number(form.elements.latency.value) || 0;
  const match = form.elements.match.value.trim();
  const cfg = {};
  if (mode === 'status') {
    cfg.rate = rate;
    cfg.step = { status: Number(form.elements.status.value) };
  } else if (mode === 'drop') {
    cfg.rate = rate;
    cfg.step = { drop: true };
  }
  if (latency > 0) cfg.latencyMs = latency;
  if (match) cfg.match = match;
  return cfg;
}

function start() {
  $('faults-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    $('faults-error').textContent = '';
    try {
      await api('POST', '/__dashboard/api/faults', faultFromForm());
      announce('Fault applied.');
    } catch (e) {
      $('faults-error').textContent = `Not applied: ${e.message}`;
    }
  });
  $('fault-clear').addEventListener('click', async () => {
    try {
      await api('DELETE', '/__dashboard/api/faults', {});
      announce('Faults cleared.');
    } catch (e) {
      $('faults-error').textContent = `Not cleared: ${e.message}`;
    }
  });
  const events = new EventSource('/__dashboard/api/events');
  events.addEventListener('open', () => {
    announce('Live: updates as they happen.');
    scheduleRefresh();
  });
  events.addEventListener('change', scheduleRefresh);
  events.addEventListener('error', () => announce('Live updates interrupted; reconnecting…'));
  refresh().catch((e) => announce(`Could not load the state: ${e.message}`));
}

start();

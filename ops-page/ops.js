// Keel's ops page: plain JavaScript, no build step. It talks to keel serve's API with the bearer
// token the user gives (kept in this tab's sessionStorage only). Everything that comes from the
// API is put on the page as text (textContent), never as HTML: dead letters carry hostile input.

const TOKEN_KEY = 'keel-token';
const $ = (selector, root = document) => root.querySelector(selector);

let selectedLetter;

async function api(path, options = {}) {
  const token = sessionStorage.getItem(TOKEN_KEY) ?? '';
  const headers = { authorization: `Bearer ${token}`, ...(options.body === undefined ? {} : { 'content-type': 'application/json' }) };
  const response = await fetch(path, { ...options, headers });
  const body = response.headers.get('content-type')?.includes('json') ? await response.json() : undefined;
  if (!response.ok) {
    const reason = body?.message ?? `${response.status} ${response.statusText}`;
    throw new Error(response.status === 401 ? `${reason}: give a token above` : reason);
  }
  return body;
}

function say(text, kind = 'error') {
  const message = $('#message');
  message.textContent = text;
  message.dataset.kind = kind;
  message.hidden = text === '';
}

/** A table row of text cells; a cell may be a Node (a button) instead of text. */
function row(cells) {
  const tr = document.createElement('tr');
  for (const cell of cells) {
    const td = document.createElement('td');
    if (cell instanceof Node) td.append(cell);
    else td.textContent = cell === undefined || cell === null ? '–' : String(cell);
    tr.append(td);
  }
  return tr;
}

function fill(table, rows, empty) {
  const body = $('tbody', table);
  body.replaceChildren(...rows);
  if (rows.length === 0) body.append(row([empty]));
}

function button(label, onClick, className) {
  const element = document.createElement('button');
  element.type = 'button';
  element.textContent = label;
  if (className) element.className = className;
  element.addEventListener('click', onClick);
  return element;
}

const when = (iso) => (iso ? new Date(iso).toLocaleString() : undefined);

const views = {
  async pipelines() {
    const { project, pipelines } = await api('/api/pipelines');
    $('#project').textContent = project;
    fill(
      $('#pipelines table'),
      pipelines.map((pipeline) =>
        row([
          pipeline.name,
          pipeline.schedule ? `${pipeline.schedule} (${pipeline.timezone})` : pipeline.after.length > 0 ? `after ${pipeline.after.join(', ')}` : 'by hand',
          when(pipeline.next),
          pipeline.lastRun ? `#${pipeline.lastRun.id} ${when(pipeline.lastRun.startedAt)}` : undefined,
          pipeline.lastRun?.status,
          when(pipeline.lastSuccessAt),
          button('Run now', async (event) => {
            event.target.disabled = true;
            try {
              const started = await api(`/api/pipelines/${encodeURIComponent(pipeline.name)}/runs`, { method: 'POST' });
              say(`${pipeline.name}: run ${started.runId} started`, 'info');
            } catch (error) {
              say(`${pipeline.name}: ${error.message}`);
            } finally {
              event.target.disabled = false;
            }
          }),
        ]),
      ),
      'no pipelines',
    );
  },

  async runs() {
    const { runs } = await api('/api/runs?limit=100');
    fill(
      $('#runs table'),
      runs.map((run) =>
        row([run.id, run.pipeline, run.dryRun ? `${run.kind} (dry)` : run.kind, run.status, when(run.startedAt), run.durationMs === null ? undefined : (run.durationMs / 1000).toFixed(2), run.read, run.written, run.duplicates, run.deadLettered, run.error]),
      ),
      'no runs yet',
    );
  },

  async 'dead-letters'() {
    const { deadLetters } = await api('/api/dead-letters?limit=500');
    $('#letter').hidden = true;
    fill(
      $('#dead-letters table'),
      deadLetters.map((letter) => {
        const tr = row([letter.id, letter.pipeline, letter.stage, letter.origin, letter.code, letter.reason]);
        tr.tabIndex = 0;
        tr.dataset.letter = String(letter.id);
        tr.addEventListener('click', () => showLetter(letter.id).catch((error) => say(error.message)));
        return tr;
      }),
      'no open dead letters',
    );
  },

  async stock() {},
  async routing() {},

  async held() {
    const { orders } = await api('/api/orders/held');
    fill($('#held table'), orders.map((order) => row([order.order_key, when(order.held_since), order.reason])), 'no order is held');
  },
};

async function showLetter(id) {
  const letter = await api(`/api/dead-letters/${id}`);
  selectedLetter = letter;
  const article = $('#letter');
  for (const field of article.querySelectorAll('[data-field]')) field.textContent = letter[field.dataset.field] ?? '–';
  $('#original').hidden = letter.originalPayload === undefined;
  $('#payload').value = prettyPayload(letter.payload);
  $('#letter-result').textContent = '';
  article.hidden = false;
}

function prettyPayload(payload) {
  try {
    return JSON.stringify(JSON.parse(payload), null, 2);
  } catch {
    return payload;
  }
}

/** A JSON payload goes back as compact JSON, like the one it replaces; other text as typed. */
function compactPayload(text) {
  try {
    return JSON.stringify(JSON.parse(text));
  } catch {
    return text;
  }
}

async function replayLetter() {
  const letter = selectedLetter;
  const edited = $('#payload').value;
  const changed = edited !== prettyPayload(letter.payload);
  if (changed) await api(`/api/dead-letters/${letter.id}/payload`, { method: 'PUT', body: JSON.stringify({ payload: compactPayload(edited) }) });
  const result = await api(`/api/dead-letters/${letter.id}/replay`, { method: 'POST' });
  $('#letter-result').textContent = result.replayed
    ? `replayed in run ${result.run.runId}: written ${result.run.written}`
    : `failed again in run ${result.run.runId}; the letter stays open with the new reason`;
  await views['dead-letters']();
  if (!result.replayed) await showLetter(letter.id);
  say(result.replayed ? `dead letter ${letter.id} replayed` : `dead letter ${letter.id} failed again`, result.replayed ? 'info' : 'error');
}

async function discardLetter() {
  const letter = selectedLetter;
  await api(`/api/dead-letters/${letter.id}/discard`, { method: 'POST' });
  await views['dead-letters']();
  say(`dead letter ${letter.id} discarded`, 'info');
}

async function lookUpStock(event) {
  event.preventDefault();
  const sku = $('#sku').value.trim();
  const stock = await api(`/api/stock/${encodeURIComponent(sku)}?explain=true`);
  fill($('#on-hand'), stock.on_hand.map((place) => row([place.location_id, place.on_hand, place.held ?? 0])), 'no stock anywhere');
  const backordered = Object.values(stock.backordered).reduce((sum, quantity) => sum + quantity, 0);
  $('#stock-totals').textContent = `reserved ${stock.reserved} · backordered ${backordered} · pre-ordered ${stock.preordered} · incoming ${stock.incoming.reduce((sum, item) => sum + item.quantity, 0)}`;
  fill(
    $('#channels'),
    stock.channels.map((channel) => {
      const how = document.createElement('ol');
      for (const step of channel.explain ?? []) {
        const item = document.createElement('li');
        item.textContent = `${step.step}: ${step.detail} (${step.quantity})`;
        how.append(item);
      }
      return row([channel.channel, channel.quantity, channel.status, how]);
    }),
    'no channel publishes this SKU',
  );
  $('#stock-result').hidden = false;
}

async function explainOrder(event) {
  event.preventDefault();
  const order = $('#order').value.trim();
  const explained = await api(`/api/orders/${encodeURIComponent(order)}/routing`);
  const lines = explained.receipts.map((receipt) => `#${receipt.seq} ${when(receipt.decided_at)} (${receipt.cause})\n${receipt.explanation}`);
  const requests = explained.requests.map((request) => `${request.kind} → ${request.location_id}: ${request.status}${request.note ? ` (${request.note})` : ''}`);
  const receipt = $('#receipt');
  receipt.textContent = [`Order ${explained.order_key}`, ...lines, requests.length > 0 ? `Requests:\n${requests.join('\n')}` : 'No requests.'].join('\n\n');
  receipt.hidden = false;
}

async function show(view) {
  for (const section of document.querySelectorAll('main > section')) section.hidden = section.id !== view;
  for (const tab of document.querySelectorAll('nav button')) tab.toggleAttribute('aria-current', tab.dataset.view === view);
  say('');
  try {
    await views[view]();
  } catch (error) {
    say(error.message);
  }
}

function guarded(handler) {
  return (event) => handler(event).catch((error) => say(error.message));
}

document.addEventListener('DOMContentLoaded', () => {
  $('#token').value = sessionStorage.getItem(TOKEN_KEY) ?? '';
  $('#login').addEventListener('submit', (event) => {
    event.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, $('#token').value.trim());
    void show(document.querySelector('nav button[aria-current]')?.dataset.view ?? 'pipelines');
  });
  for (const tab of document.querySelectorAll('nav button')) tab.addEventListener('click', () => show(tab.dataset.view));
  $('#replay').addEventListener('click', guarded(replayLetter));
  $('#discard').addEventListener('click', guarded(discardLetter));
  $('#stock-form').addEventListener('submit', guarded(lookUpStock));
  $('#routing-form').addEventListener('submit', guarded(explainOrder));
  if (sessionStorage.getItem(TOKEN_KEY)) void show('pipelines');
});

/**
 * Code that runs inside Chromium (the service worker or an extension page) for `npm run bench`. Each export is
 * handed to Playwright's `evaluate`, which serialises the function's source: the bodies therefore use no imports and
 * no named inner functions (tsx would wrap those in a `__name` helper the browser does not have).
 *
 * Times are `performance.timeOrigin + performance.now()` (epoch ms, sub-millisecond), the clock the exchange's
 * `sim/http/timing.ts` records with, so a browser time and an exchange time can be subtracted. Chromium coarsens
 * `performance.now()` to 100 µs in pages and workers that are not cross-origin isolated.
 */

/** What the panel probe saw since its last reset. */
export interface PanelProbe {
  /** Epoch ms of the last BUY/SELL (or relay button) click's input event (`event.timeStamp`). */
  click: number | null;
  /** Epoch ms when that click reached the first (capturing) listener. */
  clickSeen: number | null;
  /** Every text #status showed since the click, with the epoch ms it was set. */
  statuses: Array<{ atMs: number; text: string }>;
}

declare global {
  interface Window {
    __strikeBench?: PanelProbe;
  }
}

/**
 * Installs the panel probe: a capturing click listener on the window (it runs before the button's own listener)
 * and a MutationObserver on #status, whose callback runs as a microtask right after the panel sets the text.
 */
export function installPanelProbe(): void {
  const probe: PanelProbe = { click: null, clickSeen: null, statuses: [] };
  window.__strikeBench = probe;
  window.addEventListener(
    'click',
    (event) => {
      const target = event.target;
      if (!(target instanceof HTMLElement) || !['buy', 'sell', 'bench-relay'].includes(target.id)) return;
      probe.click = performance.timeOrigin + event.timeStamp;
      probe.clickSeen = performance.timeOrigin + performance.now();
      probe.statuses = [];
    },
    true,
  );
  const status = document.getElementById('status');
  if (status === null) throw new Error('the panel has no #status');
  new MutationObserver(() => {
    if (probe.click === null) return;
    probe.statuses.push({ atMs: performance.timeOrigin + performance.now(), text: status.textContent ?? '' });
  }).observe(status, { childList: true, characterData: true, subtree: true });
}

/** Resets the probe before a click. */
export function resetPanelProbe(): void {
  const probe = window.__strikeBench;
  if (probe === undefined) throw new Error('panel probe not installed');
  probe.click = null;
  probe.clickSeen = null;
  probe.statuses = [];
}

/** `n` sequential `fetch(url)` round trips after `warmup` unmeasured ones; ms each, plus send/receive epoch times. */
export async function fetchLoop(a: { url: string; n: number; warmup: number }): Promise<Array<{ sentMs: number; gotMs: number }>> {
  const out: Array<{ sentMs: number; gotMs: number }> = [];
  for (let i = 0; i < a.warmup + a.n; i++) {
    const sentMs = performance.timeOrigin + performance.now();
    const r = await fetch(a.url, { cache: 'no-store' });
    await r.arrayBuffer();
    const gotMs = performance.timeOrigin + performance.now();
    if (!r.ok) throw new Error(`${a.url} answered ${r.status}`);
    if (i >= a.warmup) out.push({ sentMs, gotMs });
  }
  return out;
}

/**
 * A WebSocket API echo: opens `url`, then `n` sequential `session.status` requests (the cheapest method the
 * WebSocket API answers: no signature, no engine work), each timed from `send` to its answer.
 */
export async function wsEchoLoop(a: { url: string; n: number; warmup: number }): Promise<number[]> {
  const ws = new WebSocket(a.url);
  await new Promise<void>((resolve, reject) => {
    ws.onopen = () => resolve();
    ws.onerror = () => reject(new Error(`could not open ${a.url}`));
  });
  const out: number[] = [];
  try {
    for (let i = 0; i < a.warmup + a.n; i++) {
      const id = `b${i}`;
      const t0 = performance.now();
      const answer = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('WS API echo timed out')), 5000);
        ws.onmessage = (m) => {
          const text = String(m.data);
          if (!text.includes(`"${id}"`)) return;
          clearTimeout(timer);
          resolve(text);
        };
        ws.send(JSON.stringify({ id, method: 'session.status' }));
      });
      const dt = performance.now() - t0;
      if (!answer.includes('"status":200')) throw new Error(`WS API echo failed: ${answer.slice(0, 200)}`);
      if (i >= a.warmup) out.push(dt);
    }
  } finally {
    ws.close();
  }
  return out;
}

/**
 * HMAC-SHA256 signing cost with WebCrypto: `batches` batches of `perBatch` sequential awaited `sign` calls over a
 * typical order query string; µs per signature for each batch (a batch, because `performance.now()` is 100 µs).
 */
export async function signBatches(a: { batches: number; perBatch: number }): Promise<number[]> {
  const enc = new TextEncoder();
  const key = await crypto.subtle.importKey(
    'raw',
    enc.encode('x'.repeat(64)),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const payload = enc.encode(
    'symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.01&newClientOrderId=stk-mhb2k1x0-0001&newOrderRespType=RESULT&recvWindow=5000&timestamp=1767225600000',
  );
  for (let i = 0; i < a.perBatch; i++) await crypto.subtle.sign('HMAC', key, payload);
  const out: number[] = [];
  for (let b = 0; b < a.batches; b++) {
    const t0 = performance.now();
    for (let i = 0; i < a.perBatch; i++) await crypto.subtle.sign('HMAC', key, payload);
    out.push(((performance.now() - t0) * 1000) / a.perBatch);
  }
  return out;
}

/**
 * The platform's floor for "input → order on the wire", installed in the worker: a `chrome.runtime.onMessage`
 * listener that, for `{type: 'bench.relay'}`, sends one WebSocket API frame (`ticker.price`, timed by the exchange
 * like an order) on its own open socket, with no other work. Strike's router sees the message too and answers it as
 * an unknown type. Resolves once the socket is open.
 */
export async function installRelay(a: { url: string }): Promise<void> {
  const ws = new WebSocket(a.url);
  await new Promise<void>((resolve, reject) => {
    ws.onopen = () => resolve();
    ws.onerror = () => reject(new Error(`could not open ${a.url}`));
  });
  const g = globalThis as unknown as { __strikeRelay?: (message: unknown) => undefined; __strikeRelayOff?: () => void; __strikeRelayN?: number };
  g.__strikeRelayN = 0;
  g.__strikeRelay = (message: unknown): undefined => {
    if (typeof message !== 'object' || message === null || (message as { type?: unknown }).type !== 'bench.relay') return undefined;
    g.__strikeRelayN = (g.__strikeRelayN ?? 0) + 1;
    ws.send(JSON.stringify({ id: `relay-${g.__strikeRelayN}`, method: 'ticker.price', params: { symbol: 'BTCUSDT' } }));
    return undefined;
  };
  chrome.runtime.onMessage.addListener(g.__strikeRelay);
  g.__strikeRelayOff = () => {
    if (g.__strikeRelay !== undefined) chrome.runtime.onMessage.removeListener(g.__strikeRelay);
    ws.close();
  };
}

/** Removes the relay installed by {@link installRelay}. */
export function removeRelay(): void {
  (globalThis as unknown as { __strikeRelayOff?: () => void }).__strikeRelayOff?.();
}

/** Adds a `#bench-relay` button to the panel whose click sends `{type: 'bench.relay'}` at once, as BUY sends its order. */
export function installRelayButton(): void {
  const button = document.createElement('button');
  button.id = 'bench-relay';
  button.textContent = 'relay';
  button.style.cssText = 'position:fixed;left:0;bottom:0;z-index:9999';
  button.addEventListener('click', () => {
    chrome.runtime.sendMessage({ type: 'bench.relay' }).catch(() => undefined);
  });
  document.body.append(button);
}

/** Removes the `#bench-relay` button. */
export function removeRelayButton(): void {
  document.getElementById('bench-relay')?.remove();
}

/** Sends `{type: 'bench.relay'}` from an extension page, as the hotkey probe sends its order; epoch ms before sending. */
export function relayTimed(): number {
  const sentMs = performance.timeOrigin + performance.now();
  chrome.runtime.sendMessage({ type: 'bench.relay' }).catch(() => undefined);
  return sentMs;
}

/** Sends one request to the background as an extension page does; epoch ms before sending and at the answer. */
export async function sendTimed(message: unknown): Promise<{ sentMs: number; gotMs: number; answer: unknown }> {
  const sentMs = performance.timeOrigin + performance.now();
  const answer: unknown = await chrome.runtime.sendMessage(message);
  return { sentMs, gotMs: performance.timeOrigin + performance.now(), answer };
}

/** The hotkey's request (`commandToRequest` in src/background/commands.ts), sent like `sendTimed`. */
export async function hotkeyTimed(side: 'BUY' | 'SELL'): Promise<{ sentMs: number; gotMs: number; answer: unknown }> {
  const sentMs = performance.timeOrigin + performance.now();
  const answer: unknown = await chrome.runtime.sendMessage({ type: 'order.submit', side, source: 'hotkey', inputAtMs: Date.now() });
  return { sentMs, gotMs: performance.timeOrigin + performance.now(), answer };
}

/**
 * Records when `main[aria-busy="false"]` first appears, from the document's start (an init script: it runs before
 * the panel's own scripts). Read `window.__strikeInteractiveMs` afterwards: ms since navigation start, and
 * `window.__strikeDocumentStartMs`: when this probe ran, i.e. Chrome's share before any of the page's code.
 */
export function interactiveProbe(): void {
  const w = window as Window & { __strikeInteractiveMs?: number; __strikeDocumentStartMs?: number };
  w.__strikeDocumentStartMs = performance.now();
  new MutationObserver((_records, observer) => {
    if (document.querySelector('main[aria-busy="false"]') === null) return;
    w.__strikeInteractiveMs = performance.now();
    observer.disconnect();
  }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['aria-busy'] });
}

/**
 * What the order path's storage steps cost in the worker: `n` IndexedDB readwrite transactions of one small record
 * (awaited to `complete`, as the exchange journal writes before an order leaves) and `n` `chrome.storage.session`
 * reads (as the ticket and the vault status are read per order). A throwaway database; ms each.
 */
export async function storageLoop(a: { n: number }): Promise<{ idbPut: number[]; storageGet: number[]; storageSet: number[] }> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const open = indexedDB.open('strike-bench', 1);
    open.onupgradeneeded = () => open.result.createObjectStore('t');
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
  const idbPut: number[] = [];
  const storageGet: number[] = [];
  const storageSet: number[] = [];
  // The shape and size of an order journal entry in state `sent`.
  const entry = {
    intentId: 'bench-0001',
    state: 'sent',
    clientOrderId: 'stk-bench-0001',
    intent: { kind: 'order', id: 'bench-0001', symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.010' },
    request: { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.010', newClientOrderId: 'stk-bench-0001', newOrderRespType: 'RESULT' },
    times: { inputMs: 1, signedMs: 2, sentMs: 3, ackMs: null, filledMs: null, updatedMs: 3 },
    attempt: 1,
    recvWindowMs: 5000,
    signedTimestampMs: 1767225600000,
    via: 'ws-api',
  };
  try {
    for (let i = 0; i < a.n + 5; i++) {
      const t0 = performance.now();
      await new Promise<void>((resolve, reject) => {
        const tx = db.transaction('t', 'readwrite');
        tx.objectStore('t').put({ id: i, state: 'sent', request: 'symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.01' }, i % 8);
        tx.oncomplete = () => resolve();
        tx.onerror = () => reject(tx.error);
      });
      const t1 = performance.now();
      await chrome.storage.session.get('strike-bench-missing');
      const t2 = performance.now();
      // As the journal stores it: its JSON text (worker-ports.ts).
      await chrome.storage.session.set({ 'strike-bench-entry': JSON.stringify(entry) });
      const t3 = performance.now();
      if (i >= 5) {
        idbPut.push(t1 - t0);
        storageGet.push(t2 - t1);
        storageSet.push(t3 - t2);
      }
    }
  } finally {
    db.close();
    indexedDB.deleteDatabase('strike-bench');
    await chrome.storage.session.remove('strike-bench-entry');
  }
  return { idbPut, storageGet, storageSet };
}

/**
 * Fills the order journal in `chrome.storage.session` up to `n` settled entries, copies of the newest settled one
 * there (recent, so pruning keeps them), as a busy ten minutes of trading leaves it (the journal keeps at most 2,000
 * settled entries for 10 minutes). Returns how many entries the journal then holds, and its size in bytes.
 */
export async function fillJournal(a: { n: number; prefix: string }): Promise<{ entries: number; bytes: number }> {
  const all = await chrome.storage.session.get(null);
  const settled = Object.entries(all)
    .filter(([k, v]) => k.startsWith(a.prefix) && typeof v === 'string' && /"state":"(filled|acked|canceled)"/.test(v))
    .map(([, v]) => JSON.parse(v as string) as { intentId: string; clientOrderId: string; request: Record<string, unknown>; times: Record<string, number | null> });
  const model = settled[0];
  if (model === undefined) throw new Error('no settled journal entry to copy');
  const now = Date.now();
  const items: Record<string, string> = {};
  for (let i = 0; i < a.n; i++) {
    // Valid intent ids (epoch36-seq36) that no worker mints: an epoch a minute back, sequence numbers past 36^4.
    const intentId = `${(now - 60_000).toString(36)}-${(36 ** 4 + i).toString(36)}`;
    const clientOrderId = `stk-${intentId}`;
    const times = Object.fromEntries(Object.entries(model.times).map(([k, v]) => [k, v === null ? null : now - 60_000 + i]));
    const copy = { ...model, intentId, clientOrderId, intent: { ...(model as unknown as { intent: Record<string, unknown> }).intent, id: intentId }, request: { ...model.request, newClientOrderId: clientOrderId }, times };
    items[a.prefix + intentId] = JSON.stringify(copy);
  }
  await chrome.storage.session.set(items);
  const after = await chrome.storage.session.get(null);
  const journal = Object.entries(after).filter(([k]) => k.startsWith(a.prefix));
  return { entries: journal.length, bytes: journal.reduce((s, [k, v]) => s + k.length + String(v).length, 0) };
}

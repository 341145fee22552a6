/**
 * `npm run bench` — how fast Strike is, measured end to end in real headless Chromium with the built extension
 * against the local exchange on loopback, in one run of about three minutes. Prints a table and writes
 * `bench-results.json` (a list of `{name, unit, samples, median, p99, floor, floorName, ratio, what}`).
 *
 *   npm run bench                 build dist/, then measure
 *   npm run bench -- --compare    also a plain Node client sending the same signed order (scripts/bench/reference.ts)
 *   npm run bench -- --no-build   measure the dist/ that is there
 *
 * Clocks: the page, the worker and the exchange all read `performance.timeOrigin + performance.now()` (epoch ms,
 * sub-millisecond; 100 µs steps in Chromium), so a browser time and an exchange time subtract directly. The run
 * checks that assumption with ping round trips (a request cannot arrive before it was sent) and prints the margin.
 * Exchange times come from `sim/http/timing.ts`: when the endpoint handler starts, after the request was read and
 * authenticated (microseconds after it arrived).
 *
 * Rate limits: every iteration stays under the client's own request-weight budget (2160 of Binance's 2400 per
 * minute, src/core/rate-limiter.ts), because a request the limiter holds back would be measured as slow. Before a
 * batch the run reads the exchange's `x-mbx-used-weight-1m` and, when the batch might not fit, waits for the next
 * minute window. Clicks are paced (≥ 200 ms apart) for the 10-second order-count bucket.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import type { CDPSession, Page } from 'playwright-core';
import { startExchange, type SimExchange } from '../sim/server.ts';
import { RequestTiming, epochNow, type TimingRecord } from '../sim/http/timing.ts';
import { DIST, PANEL_PATH, launchExtension, setUpPaperAccount, TEST_PASSWORD, type ExtensionBrowser } from '../tests/e2e/harness.ts';
import { bundleSizes } from './bench/bundle.ts';
import * as probes from './bench/probes.ts';
import { JOURNAL_PREFIX } from '../src/background/trading/worker-ports.ts';
import { stepOnFill } from './bench/core.ts';
import { referenceOrders, referencePings } from './bench/reference.ts';
import { formatTable, median, percentile, summarize, type Metric } from './bench/stats.ts';
import { startTrace, type Tracing } from './bench/trace.ts';

const N = {
  fetch: 150,
  ws: 100,
  signBatches: 20,
  signPerBatch: 1000,
  panelOpens: 10,
  clicksWs: 60,
  clicksRest: 60,
  hotkeyWarm: 40,
  acks: 40,
  hotkeyCold: 5,
  restarts: 5,
  unlocks: 4,
  reference: 80,
  relay: 40,
} as const;
/** Entries in the order journal for the cold hotkeys after a busy session (the journal keeps at most 2,000 settled). */
const JOURNAL_FILL = 2_000;
/** Below the client limiter's 2160 (90 % of 2400): its keep-alives and the user stream's refreshes need room too. */
const WEIGHT_BUDGET = 1800;
/** Minimum time from one order to the next: 10-second order bucket (a BUY is 5 orders with its protection). */
const ORDER_PERIOD_MS = 200;
const QUANTITY = '0.01';
const SYMBOL = 'BTCUSDT';
const RESULTS = resolve(import.meta.dirname, '../bench-results.json');
/** Hard stop: a hung browser must not hang the run. */
const RUN_LIMIT_MS = 8 * 60_000;

const ACK = /^(BUY|SELL) \S+ \S+ \S+ via (WS|REST) · ack/;

type Side = 'BUY' | 'SELL';
interface Account {
  accountId: string;
  positions: Array<{ symbol: string; positionAmt: string }>;
  openAlgoOrders: unknown[];
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** `p`, or an error naming `what` after `ms`: every browser round trip of the run is bounded. */
async function bounded<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
const log = (text: string): void => console.log(text);

/** Polls `check` every 5 ms until it holds; throws after `timeoutMs` with `what`. */
async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(5);
  }
}

class Bench {
  readonly metrics: Metric[] = [];
  readonly notes: string[] = [];
  readonly timing = new RequestTiming();
  ex!: SimExchange;
  browser!: ExtensionBrowser;
  panel!: Page;
  /** An extension page without the panel's UI: where the hotkey's request and the vault requests are sent from. */
  ext!: Page;
  cdp!: CDPSession;
  #workerStatus = 'unknown';
  /** Entry fill → protective stop accepted, by the path the stop took (the WS API, or REST while it is down). */
  readonly #fillToStop: Record<'ws' | 'rest', number[]> = { ws: [], rest: [] };
  /** The same, to the stop's arrival at the exchange (before the exchange handles it), WebSocket API path. */
  readonly #fillToStopArrivedWs: number[] = [];
  /** The exchange's own handling of each of those stops. */
  readonly #stopHandlingWs: number[] = [];
  readonly #fillToStopLedger: number[] = [];
  /** Set by `--trace`: entries and their stops are marked on the trace. */
  tracing: Tracing | null = null;

  metric(name: string, unit: Metric['unit'], samples: readonly number[], what: string, floorName: string | null = null): Metric {
    const floor = floorName === null ? null : (this.metrics.find((m) => m.name === floorName) ?? null);
    const m = summarize(name, unit, samples, what, floor);
    this.metrics.push(m);
    log(`  ${name}: median ${m.median} ${unit}, p99 ${m.p99} ${unit} (n=${m.samples})`);
    return m;
  }

  demo(): Account {
    const acc = (this.ex.control.state() as { accounts: Account[] }).accounts.find((a) => a.accountId === 'demo');
    if (acc === undefined) throw new Error('no demo account');
    return acc;
  }

  positionOpen(): boolean {
    return this.demo().positions.some((p) => p.symbol === SYMBOL && Number(p.positionAmt) !== 0);
  }

  /** After a BUY the position is open with its stop and the three ASL members; after a SELL all is flat again. */
  async settle(side: Side, timeoutMs = 10_000): Promise<void> {
    const check = side === 'BUY' ? () => this.positionOpen() && this.demo().openAlgoOrders.length === 4 : () => !this.positionOpen() && this.demo().openAlgoOrders.length === 0;
    await until(check, timeoutMs, side === 'BUY' ? 'the position and its 4 protective orders' : 'a flat account with no protective order').catch((e: unknown) => {
      const d = this.demo();
      throw new Error(`${String(e)}; the exchange has positions ${JSON.stringify(d.positions.filter((p) => Number(p.positionAmt) !== 0))} and ${d.openAlgoOrders.length} open algo orders`);
    });
  }

  readonly #unprotected: string[] = [];

  /**
   * `settle`, but a BUY whose protection does not appear is noted (a finding, not a bench failure) and the account
   * is flattened through the background, so the run goes on from a flat account.
   */
  async settleOrRecover(side: Side, where: string): Promise<void> {
    try {
      await this.settle(side, 5_000);
    } catch (e) {
      this.#unprotected.push(`${where} ${side}: ${e instanceof Error ? e.message : String(e)}`);
      await this.flatten();
    }
  }

  /** Flattens the account through the background and waits until it is flat with no protective order. */
  async flatten(): Promise<void> {
    const r = await bounded(this.ext.evaluate(probes.sendTimed, { type: 'flatten', source: 'panel', inputAtMs: Date.now() }), 30_000, 'flatten');
    if (!(r.answer as { ok: boolean }).ok) throw new Error(`flatten failed: ${JSON.stringify(r.answer)}`);
    await this.settle('SELL');
  }

  /** What `settleOrRecover` had to repair. */
  get unprotected(): readonly string[] {
    return this.#unprotected;
  }

  async usedWeight(): Promise<number> {
    const r = await fetch(`${this.ex.restUrl}/fapi/v1/ping`);
    await r.arrayBuffer();
    return Number(r.headers.get('x-mbx-used-weight-1m') ?? '0');
  }

  /** Waits for the next exchange minute when `need` more weight might not fit in this one. */
  async budget(need: number): Promise<void> {
    const used = await this.usedWeight();
    if (used + need <= WEIGHT_BUDGET) return;
    const wait = 60_000 - (this.ex.control.serverTime() % 60_000) + 1_500;
    log(`  (${used} request weight used this minute: waiting ${(wait / 1000).toFixed(1)} s for the next window)`);
    await sleep(wait);
  }

  /** The entry order (client id `stk-…`) among records, or an error naming what arrived. */
  entryOrder(records: readonly TimingRecord[]): TimingRecord {
    const rec = records.find((r) => r.key === 'POST /fapi/v1/order' && r.clientId?.startsWith('stk-') === true);
    if (rec === undefined) throw new Error(`no order reached the exchange; it saw: ${records.map((r) => r.key).join(', ') || 'nothing'}`);
    if (!rec.ok) throw new Error(`the exchange refused the order ${rec.clientId ?? ''}`);
    return rec;
  }

  /** Fill of a BUY entry → its STOP_MARKET accepted, from the timing records and (ms) from the ledger. */
  recordProtection(entry: TimingRecord, from: number, ledgerFrom: number): void {
    const stop = this.timing.since(from).find((r) => r.key === 'POST /fapi/v1/algoOrder' && r.type === 'STOP_MARKET' && r.ok);
    if (stop === undefined) return;
    this.#fillToStop[stop.transport].push(stop.doneMs - entry.doneMs);
    if (stop.transport === 'ws') {
      this.#fillToStopArrivedWs.push(stop.atMs - entry.doneMs);
      this.#stopHandlingWs.push(stop.doneMs - stop.atMs);
    }
    this.tracing?.mark('entry received', entry.atMs, { clientId: entry.clientId ?? '' });
    this.tracing?.mark('entry filled', entry.doneMs, { clientId: entry.clientId ?? '' });
    this.tracing?.mark('stop received', stop.atMs, { clientId: stop.clientId ?? '', fillToStopMs: stop.doneMs - entry.doneMs });
    const ledger = this.ex.control.ledger(ledgerFrom).entries;
    const fill = ledger.find((e) => e.kind === 'fill' && e.data['clientOrderId'] === entry.clientId);
    const placed = ledger.find((e) => e.kind === 'algo.placed' && e.data['clientAlgoId'] === stop.clientId);
    if (fill !== undefined && placed !== undefined) this.#fillToStopLedger.push(placed.time - fill.time);
  }

  async snapshotReady(page: Page): Promise<boolean> {
    const r = (await bounded(page.evaluate(probes.sendTimed, { type: 'trading.snapshot' }), 30_000, 'trading.snapshot')).answer as {
      ok: boolean;
      value?: { connection: { wsApi: string; user: string; market: string } };
    };
    const c = r.ok ? r.value?.connection : undefined;
    return c !== undefined && c.wsApi === 'up' && c.user === 'up' && c.market === 'up';
  }

  async waitReady(page: Page, timeoutMs = 60_000): Promise<void> {
    const end = performance.now() + timeoutMs;
    while (!(await this.snapshotReady(page))) {
      if (performance.now() > end) throw new Error('the trading session did not come up (WS API, user and market streams)');
      await sleep(100);
    }
  }

  // ------------------------------------------------------------------------------------------------ phases

  async setUp(): Promise<void> {
    this.ex = await startExchange({ port: 0, autoMarket: false, timing: this.timing });
    this.ex.control.setPrice(SYMBOL, '50000');
    this.browser = await launchExtension();
    if (process.env['STRIKE_BENCH_DEBUG'] === '1') this.browser.worker.on('console', (m) => log(`    worker: ${m.text()}`));
    this.panel = await setUpPaperAccount(this.browser, this.ex);
    await this.panel.fill('#ticket-size', QUANTITY);
    await this.panel.selectOption('#ticket-size-mode', 'quantity');
    await this.panel.waitForFunction((q) => document.getElementById('preview-buy-quantity')?.textContent?.trim() === q, QUANTITY, { timeout: 10_000 });
    await this.panel.evaluate(probes.installPanelProbe);
    this.ext = await this.browser.context.newPage();
    await this.ext.goto(`chrome-extension://${this.browser.extensionId}/manifest.json`);
    this.cdp = await this.browser.context.newCDPSession(this.ext);
    this.cdp.on('ServiceWorker.workerVersionUpdated', (e) => {
      for (const v of e.versions) this.#workerStatus = v.runningStatus;
    });
    await this.cdp.send('ServiceWorker.enable');
    await this.waitReady(this.panel);
  }

  async panelInteractive(): Promise<void> {
    log('panel_interactive');
    const samples: number[] = [];
    const documentStart: number[] = [];
    for (let i = 0; i < N.panelOpens; i++) {
      const page = await this.browser.context.newPage();
      await page.addInitScript(probes.interactiveProbe);
      await page.goto(`chrome-extension://${this.browser.extensionId}/${PANEL_PATH}`);
      await page.waitForSelector('main[aria-busy="false"]', { timeout: 10_000 });
      const [ms, start] = await page.evaluate(() => {
        const w = window as Window & { __strikeInteractiveMs?: number; __strikeDocumentStartMs?: number };
        return [w.__strikeInteractiveMs, w.__strikeDocumentStartMs];
      });
      await page.close();
      if (ms === undefined || start === undefined) throw new Error('the panel probe saw no main[aria-busy="false"]');
      samples.push(ms);
      documentStart.push(start);
    }
    this.metric('panel_document_start', 'ms', documentStart, "floor: new tab navigates to the panel page → the document starts, before any of the page's code (Chrome's share)");
    this.metric('panel_interactive', 'ms', samples, 'new tab navigates to the panel page → main[aria-busy="false"] (in-page, from navigation start)', 'panel_document_start');
  }

  async floors(): Promise<void> {
    log('floors (from the service worker)');
    await this.budget(N.fetch + 20 + 2 * (N.ws + 10) + 5 + 50);
    const worker = this.browser.worker;
    const from = this.timing.size;
    const pings = await bounded(worker.evaluate(probes.fetchLoop, { url: `${this.ex.restUrl}/fapi/v1/ping`, n: N.fetch, warmup: 20 }), 60_000, 'worker fetch loop');
    this.clockCheck('worker', pings, this.timing.since(from).filter((r) => r.key === 'GET /fapi/v1/ping').slice(20));
    this.metric('raw_fetch_rtt', 'ms', pings.map((p) => p.gotMs - p.sentMs), "worker fetch(restUrl + '/fapi/v1/ping') round trip, keep-alive");
    const ws = await bounded(worker.evaluate(probes.wsEchoLoop, { url: `${this.ex.wsUrl}/ws-fapi/v1`, n: N.ws, warmup: 10 }), 60_000, 'worker WS echo loop');
    this.metric('raw_ws_rtt', 'ms', ws, 'worker WebSocket API round trip (session.status on /ws-fapi/v1)');
    const panelFrom = this.timing.size;
    const panelPings = await bounded(this.panel.evaluate(probes.fetchLoop, { url: `${this.ex.restUrl}/fapi/v1/ping`, n: 30, warmup: 5 }), 60_000, 'panel fetch loop');
    this.clockCheck('panel page', panelPings, this.timing.since(panelFrom).filter((r) => r.key === 'GET /fapi/v1/ping').slice(5));
  }

  /** A request cannot arrive before it was sent nor be answered before it arrived: both margins must be ≥ 0. */
  clockCheck(where: string, pings: ReadonlyArray<{ sentMs: number; gotMs: number }>, recs: readonly TimingRecord[]): void {
    if (recs.length !== pings.length) {
      this.notes.push(`clock check (${where}): ${recs.length} exchange records for ${pings.length} pings, skipped`);
      return;
    }
    const up = Math.min(...pings.map((p, i) => (recs[i]?.atMs ?? Number.NaN) - p.sentMs));
    const down = Math.min(...pings.map((p, i) => p.gotMs - (recs[i]?.doneMs ?? Number.NaN)));
    const verdict = up >= -0.2 && down >= -0.2 ? 'consistent (within the 100 µs timer step)' : 'INCONSISTENT: browser and exchange clocks disagree';
    this.notes.push(`clock check (${where}): min send→arrive ${up.toFixed(3)} ms, min handled→received ${down.toFixed(3)} ms: ${verdict}`);
  }

  async sign(): Promise<void> {
    log('sign');
    const us = await bounded(this.browser.worker.evaluate(probes.signBatches, { batches: N.signBatches, perBatch: N.signPerBatch }), 60_000, 'sign loop');
    this.metric('sign', 'us', us, `worker WebCrypto HMAC-SHA256 of an order query, mean of ${N.signPerBatch} sequential awaited sign() per sample`);
    const st = await bounded(this.browser.worker.evaluate(probes.storageLoop, { n: 50 }), 60_000, 'storage loop');
    this.metric('worker_idb_put', 'ms', st.idbPut, 'worker IndexedDB readwrite transaction of one small record, to complete (the order journal writes before sending)');
    this.metric('worker_storage_get', 'ms', st.storageGet, 'worker chrome.storage.session.get of one key (per-order reads: ticket, vault status)');
    this.metric('worker_storage_set', 'ms', st.storageSet, "worker chrome.storage.session.set of one order journal entry, to its promise (a confirmed journal write: an order id's reservation, or the `sent` entry of an order without one)");
  }

  /**
   * The platform's floors for the two input paths, measured like the orders: a click on a relay button in the panel,
   * and a message from an extension page, each reaching a listener in the worker that only sends one WebSocket API
   * frame. What Chrome's input, messaging and socket hops cost before any of Strike's code runs.
   */
  async relay(n: number): Promise<void> {
    log('relay floors (panel click / page message → worker listener → one WS API frame, no app logic)');
    await this.budget(2 * n + 10);
    await bounded(this.browser.worker.evaluate(probes.installRelay, { url: `${this.ex.wsUrl}/ws-fapi/v1` }), 10_000, 'relay install');
    await this.panel.evaluate(probes.installRelayButton);
    const arrival = async (from: number, what: string): Promise<number> => {
      const deadline = performance.now() + 5_000;
      for (;;) {
        const rec = this.timing.since(from).find((r) => r.transport === 'ws' && r.key.endsWith('/ticker/price'));
        if (rec !== undefined) return rec.atMs;
        if (performance.now() > deadline) throw new Error(`the exchange never saw the relayed frame (${what})`);
        await sleep(2);
      }
    };
    const click: number[] = [];
    const message: number[] = [];
    try {
      const box = await this.panel.locator('#bench-relay').boundingBox({ timeout: 5_000 });
      if (box === null) throw new Error('the relay button is not visible');
      for (let i = 0; i < n; i++) {
        await this.panel.evaluate(probes.resetPanelProbe);
        let from = this.timing.size;
        await this.panel.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
        const atMs = await arrival(from, `click ${i}`);
        const probe = await this.panel.evaluate(() => window.__strikeBench);
        if (probe?.click == null) throw new Error('the panel probe lost the relay click');
        click.push(atMs - probe.click);
        from = this.timing.size;
        const sentMs = await this.ext.evaluate(probes.relayTimed);
        message.push((await arrival(from, `message ${i}`)) - sentMs);
        await sleep(50);
      }
    } finally {
      await this.panel.evaluate(probes.removeRelayButton);
      await this.browser.worker.evaluate(probes.removeRelay);
    }
    this.metric('click_to_exchange_floor', 'ms', click, 'floor: click input event on a panel button → a bare worker listener sends one WS API frame → the exchange handles it');
    this.metric('message_to_exchange_floor', 'ms', message, 'floor: an extension page sends a message → a bare worker listener sends one WS API frame → the exchange handles it');
  }

  /** Clicks BUY/SELL alternately in the panel; `rest` drops the WS API connection before each click. */
  async clicks(path: 'ws' | 'rest', n: number): Promise<void> {
    log(`clicks over ${path === 'ws' ? 'the WebSocket API' : 'REST (WS API dropped before each click)'}`);
    const toExchange: number[] = [];
    const toAck: number[] = [];
    const toHandler: number[] = [];
    const toSend: number[] = [];
    let wrongPath = 0;
    for (let i = 0; i < n; i++) {
      if (i % 10 === 0) await this.budget(10 * 20);
      const side: Side = i % 2 === 0 ? 'BUY' : 'SELL';
      const t0 = performance.now();
      const box = await this.panel.locator(side === 'BUY' ? '#buy' : '#sell').boundingBox({ timeout: 5_000 });
      if (box === null) throw new Error(`the ${side} button is not visible`);
      await this.panel.evaluate(probes.resetPanelProbe);
      const from = this.timing.size;
      const ledgerFrom = this.ex.control.ledger(0, 1).lastSeq;
      if (path === 'rest') {
        // The close reaches the worker within a few ms; its reconnect waits ≥ 125 ms of backoff (more after each drop).
        this.ex.control.addFault({ kind: 'wsDrop', pathPrefix: '/ws-fapi' });
        await sleep(10);
      }
      // A raw mouse click at the button's centre: Playwright's click() first waits for the element to be stable
      // over animation frames, which would let the dropped WS API reconnect.
      await this.panel.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
      await this.panel
        .waitForFunction((re) => (window.__strikeBench?.statuses ?? []).some((s) => new RegExp(re).test(s.text)), ACK.source, { timeout: 10_000 })
        .catch(async (e: unknown) => {
          const seen = await this.panel.evaluate(() => window.__strikeBench?.statuses.map((s) => s.text) ?? []);
          throw new Error(`no ack for ${side} click ${i}: ${String(e)}; status showed ${JSON.stringify(seen)}`);
        });
      const probe = await this.panel.evaluate(() => window.__strikeBench);
      const ack = probe?.statuses.find((s) => ACK.test(s.text));
      if (probe?.click == null || probe.clickSeen == null || ack === undefined) throw new Error('the panel probe lost the click');
      const entry = this.entryOrder(this.timing.since(from));
      await this.settleOrRecover(side, `${path} click ${i}`);
      if (entry.transport !== path) {
        wrongPath += 1;
      } else {
        toExchange.push(entry.atMs - probe.click);
        toAck.push(ack.atMs - probe.click);
        toHandler.push(probe.clickSeen - probe.click);
        const sending = probe.statuses.find((s) => s.text.startsWith('Sending'));
        if (sending !== undefined) toSend.push(sending.atMs - probe.click);
      }
      if (side === 'BUY') this.recordProtection(entry, from, ledgerFrom);
      await sleep(Math.max(0, ORDER_PERIOD_MS - (performance.now() - t0)));
    }
    if (wrongPath > 0) this.notes.push(`${path} clicks: ${wrongPath} of ${n} orders took the other path and were left out`);
    if (path === 'ws') {
      this.metric('click_to_exchange_ws', 'ms', toExchange, 'click input event (event.timeStamp) → the exchange handles the order, WebSocket API path', 'click_to_exchange_floor');
      this.metric('click_to_ack', 'ms', toAck, 'click input event → #status shows "… FILLED via WS · ack …" (DOM text set), WebSocket API path', 'raw_ws_rtt');
      this.metric('click_input_to_listener', 'ms', toHandler, "click input event → the page's first capturing click listener runs");
      this.metric('click_input_to_request', 'ms', toSend, 'click input event → the panel shows "Sending…", right before it hands the request to chrome.runtime');
    } else {
      this.metric('click_to_exchange_rest', 'ms', toExchange, 'click input event → the exchange handles the order, REST path (WS API dropped)', 'raw_fetch_rtt');
      this.metric('click_to_ack_rest', 'ms', toAck, 'click input event → #status shows the ack, REST path', 'raw_fetch_rtt');
    }
  }

  async hotkeyWarm(): Promise<void> {
    log('hotkey, warm worker');
    await this.waitReady(this.panel);
    const toExchange: number[] = [];
    const toAnswer: number[] = [];
    const signed: number[] = [];
    const sent: number[] = [];
    const receivedToSent: number[] = [];
    const receivedToAnswer: number[] = [];
    for (let i = 0; i < N.hotkeyWarm; i++) {
      if (i % 10 === 0) await this.budget(10 * 20);
      const side: Side = i % 2 === 0 ? 'BUY' : 'SELL';
      const t0 = performance.now();
      const from = this.timing.size;
      const ledgerFrom = this.ex.control.ledger(0, 1).lastSeq;
      const r = await bounded(this.ext.evaluate(probes.hotkeyTimed, side), 30_000, `hotkey ${side}`);
      const answer = r.answer as {
        ok: boolean;
        value?: { via: string; latency: { signedMs: number; sentMs: number; receivedToSentMs?: number; receivedToAnswerMs?: number } };
        error?: { message: string };
      };
      if (!answer.ok || answer.value === undefined) throw new Error(`hotkey ${side} failed: ${answer.error?.message ?? 'no answer'}`);
      const entry = this.entryOrder(this.timing.since(from));
      toExchange.push(entry.atMs - r.sentMs);
      toAnswer.push(r.gotMs - r.sentMs);
      signed.push(answer.value.latency.signedMs);
      sent.push(answer.value.latency.sentMs);
      const { receivedToSentMs, receivedToAnswerMs } = answer.value.latency;
      if (receivedToSentMs !== undefined) receivedToSent.push(receivedToSentMs);
      if (receivedToAnswerMs !== undefined && answer.value.via === 'ws') receivedToAnswer.push(receivedToAnswerMs);
      await this.settleOrRecover(side, `warm hotkey ${i}`);
      if (side === 'BUY') this.recordProtection(entry, from, ledgerFrom);
      await sleep(Math.max(0, ORDER_PERIOD_MS - (performance.now() - t0)));
    }
    this.metric('hotkey_warm_to_exchange', 'ms', toExchange, "hotkey's request (order.submit, source hotkey) sent by chrome.runtime.sendMessage → the exchange handles the order; worker running", 'message_to_exchange_floor');
    this.metric('hotkey_warm_to_answer', 'ms', toAnswer, 'the same request → its answer (the ack) back in the sending page', 'raw_ws_rtt');
    this.metric('order_input_to_signed', 'ms', signed, "the worker's own breakdown (Date.now, 1 ms steps): input → order signed (after validation and the journal write)");
    this.metric('order_input_to_sent', 'ms', sent, "the worker's own breakdown: input → order frame handed to the socket");
    this.metric('order_received_to_sent', 'ms', receivedToSent, "in the worker (performance.now): the request reaches the background's router → the order's frame is handed to the socket (parse, session check, sizing, validation, signing; the order's id was reserved before, so its journal entry is issued, not waited for)");
    this.metric('order_received_to_answer', 'ms', receivedToAnswer, "in the worker (performance.now): the request reaches the router → the exchange's answer arrives, WebSocket API path", 'raw_ws_rtt');
  }

  /**
   * Orders the exchange acknowledges without filling them: post-only BUY limits 10 % under the market, cancelled
   * afterwards. Their answer follows nothing but their own round trip, so request → answer here is what the issue's
   * "request to acknowledgement" compares with the raw WebSocket round trip. A market order's answer comes later:
   * the local exchange pushes its fill on the user stream before it answers, and the worker sends the fill's
   * protective stop before it reads the answer.
   */
  async ack(): Promise<void> {
    log('acknowledgements of resting orders');
    await this.waitReady(this.panel);
    const set = async (ticket: Record<string, unknown>): Promise<void> => {
      const r = await bounded(this.ext.evaluate(probes.sendTimed, { type: 'ticket.set', ticket }), 10_000, 'ticket.set');
      if (!(r.answer as { ok: boolean }).ok) throw new Error(`ticket.set failed: ${JSON.stringify(r.answer)}`);
    };
    const base = { symbol: SYMBOL, sizeMode: 'quantity', size: QUANTITY, leverage: 10, postOnly: false, reduceOnly: false };
    await set({ ...base, orderType: 'LIMIT', price: '45000', postOnly: true });
    const receivedToSent: number[] = [];
    const receivedToAnswer: number[] = [];
    const sentToAnswer: number[] = [];
    const handling: number[] = [];
    try {
      for (let i = 0; i < N.acks; i++) {
        if (i % 10 === 0) await this.budget(10 * 5);
        const t0 = performance.now();
        const from = this.timing.size;
        const r = await bounded(this.ext.evaluate(probes.hotkeyTimed, 'BUY' as Side), 30_000, 'resting BUY');
        const rec = this.entryOrder(this.timing.since(from));
        handling.push(rec.doneMs - rec.atMs);
        this.tracing?.mark('resting order received', rec.atMs, { clientId: rec.clientId ?? '' });
        this.tracing?.mark('resting order answered', rec.doneMs, { clientId: rec.clientId ?? '' });
        const answer = r.answer as { ok: boolean; value?: { status: string; via: string; latency: { receivedToSentMs?: number; receivedToAnswerMs?: number } }; error?: { message: string } };
        if (!answer.ok || answer.value === undefined) throw new Error(`resting BUY failed: ${answer.error?.message ?? 'no answer'}`);
        if (answer.value.status !== 'NEW') throw new Error(`the resting BUY was not left resting: ${answer.value.status}`);
        const { receivedToSentMs, receivedToAnswerMs } = answer.value.latency;
        if (answer.value.via === 'ws' && receivedToSentMs !== undefined && receivedToAnswerMs !== undefined) {
          receivedToSent.push(receivedToSentMs);
          receivedToAnswer.push(receivedToAnswerMs);
          sentToAnswer.push(receivedToAnswerMs - receivedToSentMs);
        }
        await sleep(Math.max(0, ORDER_PERIOD_MS / 2 - (performance.now() - t0)));
      }
    } finally {
      const c = await bounded(this.ext.evaluate(probes.sendTimed, { type: 'orders.cancelAll' }), 30_000, 'cancel all');
      if (!(c.answer as { ok: boolean }).ok) throw new Error(`cancelling the resting orders failed: ${JSON.stringify(c.answer)}`);
      await set({ ...base, orderType: 'MARKET' });
    }
    this.metric('ack_received_to_sent', 'ms', receivedToSent, 'resting post-only limit: in the worker, the request reaches the router → the frame is handed to the socket');
    this.metric('ack_sent_to_answer', 'ms', sentToAnswer, "resting post-only limit: in the worker, the frame handed to the socket → the exchange's answer read, WebSocket API", 'raw_ws_rtt');
    this.metric('ack_exchange_handling', 'ms', handling, 'resting post-only limit: the local exchange receives the order → has handled it (its user-stream event and its answer written)');
    this.metric('ack_received_to_answer', 'ms', receivedToAnswer, "resting post-only limit: in the worker, the request reaches the router → the exchange's answer read, WebSocket API", 'raw_ws_rtt');
  }

  /** The running worker's performance marks, by name (startTime, ms since the worker's script started). */
  async workerMarks(): Promise<Map<string, number>> {
    const workers = this.browser.context.serviceWorkers().filter((w) => w.url().includes(this.browser.extensionId));
    for (const w of workers.reverse()) {
      const marks = await w.evaluate(() => performance.getEntriesByType('mark').map((m) => [m.name, m.startTime] as const)).catch(() => null);
      if (marks !== null) return new Map(marks);
    }
    throw new Error('no running service worker to read marks from');
  }

  /** Stops the service worker through CDP and waits until Chrome reports it stopped. */
  async stopWorker(): Promise<void> {
    await this.cdp.send('ServiceWorker.stopAllWorkers');
    await until(() => this.#workerStatus === 'stopped', 10_000, 'the service worker to stop');
  }

  async cold(): Promise<void> {
    // The panel's event port reconnects 250 ms after the worker goes away and would wake it: close the panel.
    await this.panel.close();
    log('hotkey, stopped worker');
    const cold = await this.coldHotkeys();
    this.notes.push(`cold hotkey orders: ${cold.viaRest} of ${N.hotkeyCold} over REST, ${N.hotkeyCold - cold.viaRest} over the WS API (connected during the session's start)`);
    this.metric('hotkey_cold_to_exchange', 'ms', cold.toExchange, "worker stopped (CDP ServiceWorker.stopAllWorkers); the hotkey's request sent → the exchange handles the order (includes worker start and session resume)");

    // A restarted worker resumes from the order journal the previous one left, which a busy session fills.
    const filled = await this.ext.evaluate(probes.fillJournal, { n: JOURNAL_FILL, prefix: JOURNAL_PREFIX });
    log(`hotkey, stopped worker, order journal of ${filled.entries} entries (${(filled.bytes / 1024 / 1024).toFixed(1)} MB)`);
    const full = await this.coldHotkeys();
    this.metric('hotkey_cold_full_journal_to_exchange', 'ms', full.toExchange, `the same, with the order journal a busy ten minutes leaves: ${filled.entries} entries (${(filled.bytes / 1024 / 1024).toFixed(1)} MB) in chrome.storage.session`);
    await this.#coldRestarts();
  }

  /** Hotkey orders each sent to a stopped worker: request sent → the exchange handles the order, and how many went over REST. */
  async coldHotkeys(): Promise<{ toExchange: number[]; viaRest: number }> {
    const toExchange: number[] = [];
    let viaRest = 0;
    for (let i = 0; i < N.hotkeyCold; i++) {
      await this.budget(150);
      const side: Side = i % 2 === 0 ? 'BUY' : 'SELL';
      await this.stopWorker();
      const from = this.timing.size;
      const r = await bounded(this.ext.evaluate(probes.hotkeyTimed, side), 30_000, `hotkey ${side}`);
      const answer = r.answer as { ok: boolean; error?: { message: string } };
      if (!answer.ok) throw new Error(`cold hotkey ${side} failed: ${answer.error?.message ?? 'no answer'}`);
      const entry = this.entryOrder(this.timing.since(from));
      if (entry.transport === 'rest') viaRest += 1;
      toExchange.push(entry.atMs - r.sentMs);
      await this.settleOrRecover(side, `cold hotkey ${i}`);
      await sleep(300);
    }
    // An odd count ends on a BUY: the next set starts from a flat account.
    if (N.hotkeyCold % 2 === 1) await this.flatten();
    return { toExchange, viaRest };
  }

  async #coldRestarts(): Promise<void> {
    log('worker restart');
    const ready: number[] = [];
    const scriptToReady: number[] = [];
    const answered: number[] = [];
    for (let i = 0; i < N.restarts; i++) {
      await this.budget(150);
      await this.stopWorker();
      const r = await bounded(this.ext.evaluate(probes.sendTimed, { type: 'trading.snapshot' }), 30_000, 'trading.snapshot');
      if (!(r.answer as { ok: boolean }).ok) throw new Error(`trading.snapshot after a restart failed: ${JSON.stringify(r.answer)}`);
      answered.push(r.gotMs - r.sentMs);
      const marks = await this.workerMarks();
      const first = marks.get('strike:first-event');
      const readyAt = marks.get('strike:ready-to-sign');
      if (first === undefined || readyAt === undefined) throw new Error(`the restarted worker set no ready marks: ${JSON.stringify([...marks])}`);
      ready.push(readyAt - first);
      scriptToReady.push(readyAt);
      await sleep(300);
    }
    this.metric('worker_restart_to_ready', 'ms', ready, "in the restarted worker (performance marks): its first event (the request) → a session ready to sign (vault session reopened, signing key imported, rules, clock and position mode restored); may be negative when the session was ready before the event's listener ran");
    this.metric('worker_script_to_ready', 'ms', scriptToReady, 'in the restarted worker: its script starts (performance.timeOrigin) → ready to sign');
    this.metric('worker_restart_to_answer', 'ms', answered, "worker stopped; trading.snapshot sent → answered, end to end: Chrome starts the worker, the session becomes ready and reads the account once");
  }

  async unlock(): Promise<void> {
    log('vault unlock');
    const status = (await bounded(this.ext.evaluate(probes.sendTimed, { type: 'vault.status' }), 30_000, 'vault.status')).answer as { ok: boolean; value?: { profiles: Array<{ id: string }> } };
    const profileId = status.value?.profiles[0]?.id;
    if (profileId === undefined) throw new Error('no vault profile');
    const samples: number[] = [];
    for (let i = 0; i < N.unlocks; i++) {
      await this.budget(150);
      await bounded(this.ext.evaluate(probes.sendTimed, { type: 'vault.lock' }), 30_000, 'vault.lock');
      const r = await bounded(this.ext.evaluate(probes.sendTimed, { type: 'vault.unlock', profileId, password: TEST_PASSWORD }), 30_000, 'vault.unlock');
      const answer = r.answer as { ok: boolean; value?: { unlocked: boolean } };
      if (!answer.ok || answer.value?.unlocked !== true) throw new Error(`unlock failed: ${JSON.stringify(r.answer)}`);
      samples.push(r.gotMs - r.sentMs);
      await this.waitReady(this.ext, 20_000);
    }
    this.metric('vault_unlock', 'ms', samples, 'vault.unlock sent → answered unlocked (PBKDF2-SHA256 1e6 iterations and the key decrypt in the worker)');
  }

  async reference(): Promise<void> {
    log('reference: plain Node fetch of the same signed order');
    await this.budget(N.reference + 120);
    const acct = this.ex.control.createAccount({ balance: '100000' });
    const from = this.timing.size;
    const ref = await referenceOrders({
      restUrl: this.ex.restUrl,
      apiKey: acct.apiKey,
      apiSecret: acct.apiSecret,
      symbol: SYMBOL,
      quantity: QUANTITY,
      n: N.reference,
      serverNow: () => this.ex.control.serverTime(),
      paceMs: 20,
    });
    const recs = this.timing.since(from);
    const toExchange = ref.map((s) => {
      const rec = recs.find((r) => r.clientId === s.clientOrderId);
      if (rec === undefined) throw new Error(`reference order ${s.clientOrderId} not seen by the exchange`);
      return rec.atMs - s.startMs;
    });
    this.metric('ref_node_order_to_exchange', 'ms', toExchange, 'Node: build + HMAC-sign the order (node:crypto) + fetch → the exchange handles it (same process as the exchange)', 'ref_node_fetch_rtt');
    this.metric('ref_node_order_rtt', 'ms', ref.map((s) => s.doneMs - s.startMs), 'Node: build + sign + fetch → response read', 'ref_node_fetch_rtt');
  }

  bundles(): void {
    const b = bundleSizes(DIST);
    const kib = (n: number): number => n / 1024;
    this.metric('worker_bundle_kb', 'KiB', [kib(b.worker.bytes)], `JS the worker loads: ${b.worker.files.join(' + ')}`);
    this.metric('worker_bundle_gzip_kb', 'KiB', [kib(b.worker.gzipBytes)], 'the same, gzip -6 (for comparison only: Chrome reads it uncompressed)');
    this.metric('panel_bundle_kb', 'KiB', [kib(b.panel.bytes)], `JS the panel loads: ${b.panel.files.join(' + ')}`);
    this.metric('panel_bundle_gzip_kb', 'KiB', [kib(b.panel.gzipBytes)], 'the same, gzip -6');
  }

  async protectionMetric(): Promise<void> {
    const { ws, rest } = this.#fillToStop;
    const what = 'BUY entries (clicks and hotkeys): the exchange filled the MARKET entry → accepted the protective STOP_MARKET (user-data push, protector, signing';
    this.metric('fill_to_stop_accepted', 'ms', [...ws, ...rest], `${what}), whichever path the stop took`, 'raw_ws_rtt');
    // A path without samples (`--only` without the REST clicks) is left out rather than reported as NaN.
    if (ws.length > 0) this.metric('fill_to_stop_accepted_ws', 'ms', ws, `${what}, the stop over the WebSocket API: the path whenever it is up)`, 'raw_ws_rtt');
    if (ws.length > 0) {
      this.metric('fill_to_stop_arrived_ws', 'ms', this.#fillToStopArrivedWs, `${what}), to the stop's arrival at the exchange, before it handles it: one round trip and the worker's own time`, 'raw_ws_rtt');
      this.metric('stop_exchange_handling_ws', 'ms', this.#stopHandlingWs, "the local exchange's own handling of each of those stops (received → accepted)");
    }
    if (rest.length > 0) this.metric('fill_to_stop_accepted_rest', 'ms', rest, `${what}, the stop over REST: the REST clicks drop the WS API just before the entry)`, 'raw_fetch_rtt');
    // The worker's own share, as each accepted stop's journal line gives it (session.ts, #stopTiming).
    const r = await bounded(this.ext.evaluate(probes.sendTimed, { type: 'journal.query', text: 'STOP_MARKET', limit: 5000 }), 10_000, 'journal.query');
    const answer = r.answer as { ok: boolean; value?: Array<{ kind: string; latency?: Record<string, number> }> };
    if (!answer.ok || answer.value === undefined) throw new Error(`journal.query failed: ${JSON.stringify(r.answer)}`);
    const own = answer.value.flatMap((e) => (e.kind === 'stop' && e.latency?.['sent'] !== undefined ? [e.latency['sent']] : []));
    if (own.length > 0) {
      this.metric('fill_read_to_stop_sent', 'ms', own, "in the worker: a fill read (its stream message taken off the socket, or the entry's answer parsed) → its protective STOP_MARKET's frame or request handed over (performance.now, 0.1 ms steps): Strike's own time in fill → stop, every such stop of the run");
    }
    if (this.#fillToStopLedger.length > 0) {
      this.notes.push(
        `fill_to_stop_accepted from the ledger (whole ms): median ${median(this.#fillToStopLedger)} ms, p99 ${percentile(this.#fillToStopLedger, 99)} ms over ${this.#fillToStopLedger.length}`,
      );
    }
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const compare = args.includes('--compare');
  const killer = setTimeout(() => {
    console.error(`bench: still running after ${RUN_LIMIT_MS / 60_000} min, giving up`);
    process.exit(2);
  }, RUN_LIMIT_MS);
  killer.unref();
  const t0 = performance.now();
  if (!args.includes('--no-build')) {
    log('building dist/ (vite build)');
    execFileSync('npx', ['vite', 'build', '--logLevel', 'error'], { stdio: 'inherit', cwd: resolve(import.meta.dirname, '..') });
  }
  const b = new Bench();
  const phases: Record<string, () => Promise<void> | void> = {
    panel: () => b.panelInteractive(),
    sign: () => b.sign(),
    core: () => {
      b.metric('asl_step_fill', 'us', stepOnFill(7), "protection engine's step on an entry fill (stop and three tiers decided), Node, the local exchange's 7 symbols' rules");
      b.metric('asl_step_fill_mainnet', 'us', stepOnFill(500), 'the same with 500 symbols\' rules (a mainnet-sized listing)');
    },
    floors: () => b.floors(),
    relay: () => b.relay(N.relay),
    clicks: () => b.clicks('ws', N.clicksWs),
    hotkey: () => b.hotkeyWarm(),
    ack: () => b.ack(),
    rest: () => b.clicks('rest', N.clicksRest),
    compare: async () => {
      if (!compare) return;
      b.metric('ref_node_fetch_rtt', 'ms', await referencePings(b.ex.restUrl, N.fetch), 'Node fetch(restUrl + /fapi/v1/ping) round trip, keep-alive (same process as the exchange)');
      await b.reference();
    },
    cold: () => b.cold(),
    unlock: () => b.unlock(),
    protection: () => b.protectionMetric(),
    bundles: () => b.bundles(),
  };
  // `--only=cold,unlock` runs a subset (after the set-up), for working on one figure.
  const only = args.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');
  // `--trace=FILE` records Chrome's own trace (every process and thread, the worker's included) over the phases.
  const traceFile = args.find((a) => a.startsWith('--trace='))?.slice('--trace='.length);
  try {
    log(`set-up: local exchange, Chromium with the extension, paper account sealed through the panel (load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}, ${cpus().length} CPUs)`);
    await b.setUp();
    // On the extension page that stays open: the cold phase closes the panel, which ended the trace's CDP session.
    const tracing = traceFile === undefined ? null : await startTrace(b.ext);
    b.tracing = tracing;
    for (const [name, run] of Object.entries(phases)) {
      if (only !== undefined && !only.includes(name)) continue;
      const t = performance.now();
      await run();
      log(`  [${name}: ${((performance.now() - t) / 1000).toFixed(1)} s]`);
    }
    if (tracing !== null && traceFile !== undefined) log(`Chrome trace of the phases written to ${await tracing.stop(traceFile)}`);
  } finally {
    await b.browser?.close().catch(() => undefined);
    await b.ex?.stop();
  }
  const order = [
    'raw_fetch_rtt', 'raw_ws_rtt', 'click_to_exchange_floor', 'message_to_exchange_floor', 'sign', 'asl_step_fill', 'asl_step_fill_mainnet',
    'click_to_exchange_ws', 'click_to_exchange_rest', 'click_to_ack', 'click_to_ack_rest', 'click_input_to_listener', 'click_input_to_request',
    'hotkey_warm_to_exchange', 'hotkey_warm_to_answer', 'order_input_to_signed', 'order_input_to_sent', 'order_received_to_sent', 'order_received_to_answer', 'ack_received_to_sent', 'ack_sent_to_answer', 'ack_exchange_handling', 'ack_received_to_answer', 'worker_idb_put', 'worker_storage_get', 'worker_storage_set',
    'hotkey_cold_to_exchange', 'hotkey_cold_full_journal_to_exchange',
    'fill_to_stop_accepted', 'fill_to_stop_accepted_ws', 'fill_to_stop_arrived_ws', 'fill_read_to_stop_sent', 'stop_exchange_handling_ws', 'fill_to_stop_accepted_rest', 'vault_unlock', 'worker_restart_to_ready', 'worker_script_to_ready', 'worker_restart_to_answer', 'panel_document_start', 'panel_interactive',
    'worker_bundle_kb', 'worker_bundle_gzip_kb', 'panel_bundle_kb', 'panel_bundle_gzip_kb',
    'ref_node_fetch_rtt', 'ref_node_order_to_exchange', 'ref_node_order_rtt',
  ];
  const metrics = [...b.metrics].sort((x, y) => order.indexOf(x.name) - order.indexOf(y.name));
  writeFileSync(RESULTS, `${JSON.stringify(metrics, null, 2)}\n`);
  log('');
  log(formatTable(metrics));
  log('');
  for (const n of b.notes) log(`- ${n}`);
  for (const u of b.unprotected) log(`- NOT PROTECTED within 5 s (flattened to go on): ${u}`);
  log(`- ×floor: median ÷ the floor's median (a round trip on the same path), so one-way figures are compared with a whole round trip`);
  log(`\n${metrics.length} figures in ${((performance.now() - t0) / 1000).toFixed(0)} s, written to ${RESULTS} (measured at ${new Date(epochNow()).toISOString()})`);
}

await main();

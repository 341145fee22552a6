/**
 * The WebSocket API path (fact sheet §9) against the real local exchange: orders go over it while it is up, fall
 * back to REST while it is down, and it comes back by itself. Ed25519 keys use `session.logon` once.
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { endpointsFor } from '../../src/background/exchange/client.ts';
import { HEDGE_AFTER_MS, SLOW_ANSWER_LOOKS_MS } from '../../src/background/exchange/orders.ts';
import type { SocketFactory } from '../../src/background/exchange/ports.ts';
import type { AlgoIntent } from '../../src/core/intents.ts';
import { MemoryJournalStore, type JournalStore } from '../../src/core/journal.ts';
import { DEMO_ACCOUNT, type SimExchange } from '../../sim/server.ts';
import { control, fault, ledger, makeClient, marketBuy, nextIntentId, nodeSocketFactory, placedFor, restingBuyPrice, startExchange, until, type Harness } from './client-harness.ts';

let sim: SimExchange;
let h: Harness | null = null;

beforeAll(async () => {
  sim = await startExchange({ port: 0, autoMarket: false });
});
afterAll(async () => {
  await sim.stop();
});
beforeEach(async () => {
  await control(sim, 'POST', 'reset');
});
afterEach(() => {
  h?.client.stop();
  h = null;
});

describe('WebSocket API orders', () => {
  it('places over the WebSocket API when it is up (HMAC: every request signed)', async () => {
    h = await makeClient(sim);
    await h.client.start({ userStream: false });
    await until(() => h!.client.wsApi!.isUp);
    const intent = marketBuy();
    const entry = await h.client.placeOrder(intent);
    expect(entry).toMatchObject({ state: 'filled', via: 'ws-api', attempt: 0 });
    expect(await placedFor(sim, intent.id)).toHaveLength(1);
  });

  it('falls back to REST while the connection is down, then uses it again after the reconnect', async () => {
    // A slow first reconnect leaves a window in which the connection is known to be down.
    h = await makeClient(sim, { backoff: { baseMs: 800, maxMs: 800, jitterRatio: 0 } });
    await h.client.start({ userStream: false });
    const ws = h.client.wsApi!;
    await until(() => ws.isUp);
    const transitions: boolean[] = [];
    ws.onStateChange((up) => transitions.push(up));
    await fault(sim, { kind: 'wsDrop', pathPrefix: '/ws-fapi' });
    await until(() => !ws.isUp);
    const during = marketBuy();
    expect(await h.client.placeOrder(during)).toMatchObject({ state: 'filled', via: 'rest' });
    await until(() => ws.isUp, 3_000);
    const after = marketBuy();
    expect(await h.client.placeOrder(after)).toMatchObject({ state: 'filled', via: 'ws-api' });
    expect(transitions).toEqual([false, true]);
    expect(await placedFor(sim, during.id)).toHaveLength(1);
    expect(await placedFor(sim, after.id)).toHaveLength(1);
  });

  it('keeps itself alive by traffic and reconnects when the keep-alive goes unanswered', async () => {
    h = await makeClient(sim, { wsApi: { requestTimeoutMs: 300, keepAliveMs: 400 } });
    await h.client.start({ userStream: false });
    const ws = h.client.wsApi!;
    await until(() => ws.isUp);
    const transitions: boolean[] = [];
    ws.onStateChange((up) => transitions.push(up));
    // Three keep-alive periods (1.2 s) outlast the 1.1 s data watchdog: the traffic alone keeps it judged alive.
    await until(() => ws.keepAlivesAnswered >= 3, 3_000);
    expect(transitions).toEqual([]);
    await fault(sim, { kind: 'wsSilence', pathPrefix: '/ws-fapi', durationMs: 800 });
    await until(() => transitions.length >= 2 && ws.isUp, 4_000);
    const intent = marketBuy();
    expect(await h.client.placeOrder(intent)).toMatchObject({ state: 'filled', via: 'ws-api' });
    expect(transitions).toEqual([false, true]);
  });

  it('an order whose answer is withheld is looked up meanwhile: its fill is known in under a second, and it is sent once', async () => {
    h = await makeClient(sim, { wsApi: { requestTimeoutMs: 2_500 } });
    await h.client.start({ userStream: false });
    await until(() => h!.client.wsApi!.isUp);
    // The exchange executes what it receives over the WebSocket API, and its answers do not come back.
    await fault(sim, { kind: 'wsSilence', pathPrefix: '/ws-fapi', durationMs: 2_000 });
    const intent = marketBuy();
    const t0 = Date.now();
    const looked: { afterMs: number; status: string; executedQty: string }[] = [];
    let answered = false;
    const placing = h.client.placeOrder(intent, {
      sent: () => undefined,
      answered: () => void (answered = true),
      looked: (o) => void looked.push({ afterMs: Date.now() - t0, status: o.status, executedQty: o.executedQty }),
    });
    await until(() => looked.length > 0, 2_000);
    expect(answered).toBe(false);
    expect(looked).toMatchObject([{ status: 'FILLED', executedQty: '0.01' }]);
    expect(looked[0]!.afterMs).toBeGreaterThanOrEqual(SLOW_ANSWER_LOOKS_MS[0]!);
    expect(looked[0]!.afterMs).toBeLessThan(1_000);
    // The timeout still settles it by a lookup, not a re-send; a filled order is looked at once.
    expect(await placing).toMatchObject({ state: 'filled', exchangeStatus: 'FILLED' });
    expect(looked).toHaveLength(1);
    expect(await placedFor(sim, intent.id)).toHaveLength(1);
  });

  /**
   * A client whose WebSocket API has stalled: it stays open, and requests over it are executed but never answered
   * (or, with `lostRequests`, never reach the exchange). Returns the client id of a protective stop to place on it.
   */
  async function stalledWsApi(lostRequests = false): Promise<string> {
    h = await makeClient(sim);
    await h.client.start({ userStream: false });
    await until(() => h!.client.wsApi!.isUp);
    await fault(sim, { kind: 'wsSilence', pathPrefix: '/ws-fapi', durationMs: 1_000, lostRequests });
    return `sl-BTCUSDT-B-${Date.now() % 1_000_000}`;
  }
  const stop = (clientId: string): AlgoIntent => ({ kind: 'algo', id: marketBuy().id, clientId, symbol: 'BTCUSDT', side: 'SELL', type: 'STOP_MARKET', quantity: '0.01', triggerPrice: '30000', workingType: 'MARK_PRICE', reduceOnly: true });

  it('a stop lost on a silent WebSocket API is looked up after 250 ms, not found, sent over REST, and placed once', async () => {
    const clientId = await stalledWsApi(true);
    const t0 = Date.now();
    const entry = await h!.client.placeAlgoOrder(stop(clientId));
    expect(entry).toMatchObject({ state: 'acked', via: 'rest', exchangeStatus: 'NEW' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(HEDGE_AFTER_MS);
    expect(Date.now() - t0).toBeLessThan(1_000);
    expect(await ledger(sim, 'algo.placed', clientId)).toHaveLength(1);
  });

  it('a stop the exchange has, whose answer is late, is not sent again over REST, even once it has ended', async () => {
    const clientId = await stalledWsApi();
    const placing = h!.client.placeAlgoOrder(stop(clientId));
    await until(async () => (await ledger(sim, 'algo.placed', clientId)).length === 1, 1_000, 5);
    // It triggers before the hedge would go: -4116 would no longer refuse a second copy.
    await control(sim, 'POST', 'price', { symbol: 'BTCUSDT', price: '29000', markPrice: '29000' });
    await until(async () => {
      const open = await h!.client.rest.openAlgoOrders('BTCUSDT');
      return open.ok && !open.value.some((o) => o.clientAlgoId === clientId);
    }, 1_000, 5);
    // Settled from the exchange's copy, found by the lookup: it triggered, and ended (reduce-only, no position).
    expect(await placing).toMatchObject({ state: 'final', exchangeStatus: 'EXPIRED', via: 'ws-api' });
    expect(await ledger(sim, 'algo.placed', clientId)).toHaveLength(1);
    const open = await h!.client.rest.openAlgoOrders('BTCUSDT');
    expect(open.ok && open.value.some((o) => o.clientAlgoId === clientId)).toBe(false);
    expect(open.ok).toBe(true);
  });

  it('a stop cancelled while its answer is awaited is not hedged: its REST copy would rest again after the cancel', async () => {
    const clientId = await stalledWsApi();
    const placing = h!.client.placeAlgoOrder(stop(clientId));
    // Its position closed meanwhile: the stop is cancelled before the hedge's 250 ms are up.
    await until(async () => (await ledger(sim, 'algo.placed', clientId)).length === 1, 1_000, 5);
    const cancel = await h!.client.cancelAlgoOrder({ kind: 'cancel-algo', id: nextIntentId(), symbol: 'BTCUSDT', clientAlgoId: clientId });
    expect(cancel.state).toBe('canceled');
    // The placement settles from a lookup once its answer has timed out: the stop it placed, cancelled.
    expect(await placing).toMatchObject({ state: 'canceled', exchangeStatus: 'CANCELED' });
    expect(await ledger(sim, 'algo.placed', clientId)).toHaveLength(1);
    const open = await h!.client.rest.openAlgoOrders('BTCUSDT');
    expect(open.ok && open.value.some((o) => o.clientAlgoId === clientId)).toBe(false);
    expect(open.ok).toBe(true);
  });

  it('an order answered in time is not looked up; its sent mark comes once, with the journal saying sent, before the answer', async () => {
    h = await makeClient(sim);
    await h.client.start({ userStream: false });
    await until(() => h!.client.wsApi!.isUp);
    let looks = 0;
    const marks: string[] = [];
    const intent = marketBuy();
    const entry = await h.client.placeOrder(intent, {
      // Taken as the frame is handed to the socket: after the journal's sent entry, not before it.
      sent: () => void h!.journal.get(intent.id).then((e) => marks.push(`sent (journal: ${e?.state ?? 'none'})`)),
      answered: () => void marks.push('answered'),
      looked: () => void (looks += 1),
    });
    expect(entry).toMatchObject({ state: 'filled', via: 'ws-api' });
    expect(marks).toEqual(['sent (journal: sent)', 'answered']);
    await new Promise((r) => setTimeout(r, SLOW_ANSWER_LOOKS_MS[0]! + 100));
    expect(looks).toBe(0);
  });

  it("a sent entry follows the frame for a stop, a cancel and the protector's close, and precedes it for a trader's orders", async () => {
    const steps: string[] = [];
    const journal = new MemoryJournalStore();
    const recording: JournalStore = {
      put: (e) => {
        if (e.state === 'sent') steps.push(`${e.intent.kind} sent entry`);
        return journal.put(e);
      },
      get: (id) => journal.get(id),
      summaries: () => journal.summaries(),
      reserve: (r) => journal.reserve(r),
      reservations: () => journal.reservations(),
      release: (ids) => journal.release(ids),
    };
    const socketFactory: SocketFactory = (url, handlers) => {
      const socket = nodeSocketFactory(url, handlers);
      return {
        send: (text) => {
          const method = /"method":"([a-zA-Z.]+)"/.exec(text)?.[1];
          if (method?.endsWith('.place') === true || method?.endsWith('.cancel') === true) steps.push(`${method} frame`);
          socket.send(text);
        },
        close: () => socket.close(),
      };
    };
    h = await makeClient(sim, {}, { journal: recording, socketFactory });
    await h.client.start({ userStream: false });
    await until(() => h!.client.wsApi!.isUp);
    expect(await h.client.placeOrder(marketBuy())).toMatchObject({ state: 'filled', via: 'ws-api' });
    const clientId = `sl-BTCUSDT-B-${Date.now() % 1_000_000}`;
    const stopIntent = stop(clientId);
    expect(await h.client.placeAlgoOrder(stopIntent)).toMatchObject({ state: 'acked', via: 'ws-api' });
    expect(await h.client.cancelAlgoOrder({ kind: 'cancel-algo', id: marketBuy().id, symbol: 'BTCUSDT', clientAlgoId: clientId })).toMatchObject({ state: 'canceled' });
    expect(await h.client.placeOrder({ ...marketBuy(), side: 'SELL', quantity: '0.005', reduceOnly: true })).toMatchObject({ state: 'filled', via: 'ws-api' });
    const close = { ...marketBuy(), side: 'SELL' as const, quantity: '0.005', reduceOnly: true, clientId: `cl-BTCUSDT-B-${Date.now() % 1_000_000}` };
    expect(await h.client.placeOrder(close)).toMatchObject({ state: 'filled', via: 'ws-api' });
    expect(steps).toEqual([
      'order sent entry',
      'order.place frame',
      'algoOrder.place frame',
      'algo sent entry',
      'algoOrder.cancel frame',
      'cancel-algo sent entry',
      // A trader's close, then the protector's.
      'order sent entry',
      'order.place frame',
      'order.place frame',
      'order sent entry',
    ]);
    expect(await journal.get(stopIntent.id)).toMatchObject({ state: 'acked', via: 'ws-api' });
  });

  it('Ed25519: session.logon once, then orders carry only the timestamp', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const { apiKey } = (await control(sim, 'POST', 'keys', { accountId: DEMO_ACCOUNT, type: 'ED25519', publicKey: pem })) as { apiKey: string };
    const pkcs8 = new Uint8Array(privateKey.export({ type: 'pkcs8', format: 'der' }));
    h = await makeClient(sim, {}, { credentials: { apiKey, key: { kind: 'ed25519', pkcs8 } } });
    await h.client.start({ userStream: false });
    await until(() => h!.client.wsApi!.isUp);
    const intent = marketBuy();
    expect(await h.client.placeOrder(intent)).toMatchObject({ state: 'filled', via: 'ws-api' });
    // The same key signs REST requests (base64 signature, URL-encoded).
    const rest = await h.client.rest.queryOrder('BTCUSDT', `stk-${intent.id}`);
    expect(rest).toMatchObject({ kind: 'found', value: { status: 'FILLED' } });
    expect(await placedFor(sim, intent.id)).toHaveLength(1);
  });

  it('cancels exactly once over the WebSocket API, and a second cancel of the same intent sends nothing', async () => {
    h = await makeClient(sim);
    await h.client.start({ userStream: false });
    await until(() => h!.client.wsApi!.isUp);
    const limit = { ...marketBuy(), type: 'LIMIT' as const, price: await restingBuyPrice(sim) };
    expect((await h.client.placeOrder(limit)).state).toBe('acked');
    const cancel = { kind: 'cancel' as const, id: marketBuy().id, symbol: 'BTCUSDT', origClientOrderId: `stk-${limit.id}` };
    expect(await h.client.cancelOrder(cancel)).toMatchObject({ state: 'canceled', via: 'ws-api' });
    expect(await h.client.cancelOrder(cancel)).toMatchObject({ state: 'canceled' });
    const canceled = (await control(sim, 'GET', 'ledger')) as { entries: Array<{ kind: string; data: Record<string, unknown> }> };
    expect(canceled.entries.filter((e) => e.kind === 'order.canceled' && e.data['clientOrderId'] === `stk-${limit.id}`)).toHaveLength(1);
  });
});

describe('endpointsFor', () => {
  it.each([
    [{ kind: 'local', port: 8123 } as const, { rest: 'http://127.0.0.1:8123', streams: 'ws://127.0.0.1:8123', wsApi: 'ws://127.0.0.1:8123/ws-fapi/v1' }],
    [{ kind: 'demo' } as const, { rest: 'https://demo-fapi.binance.com', streams: 'wss://fstream.binancefuture.com', wsApi: 'wss://testnet.binancefuture.com/ws-fapi/v1' }],
    [{ kind: 'mainnet' } as const, { rest: 'https://fapi.binance.com', streams: 'wss://fstream.binance.com', wsApi: 'wss://ws-fapi.binance.com/ws-fapi/v1' }],
  ])('%o', (env, expected) => {
    expect(endpointsFor(env)).toEqual(expected);
  });
});

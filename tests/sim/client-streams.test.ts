/**
 * Market and user-data streams against the real local exchange (fact sheet §7, §8): current URL layout, live
 * subscription changes, data-judged liveness, listenKey renewal, and the `reconnected` signal.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { BookTickerEvent, MarkPriceEvent, UserEvent } from '../../src/background/exchange/schemas.ts';
import type { SimExchange } from '../../sim/server.ts';
import { mul, roundToStep } from '../../src/shared/decimal.ts';
import { control, fault, makeClient, marketBuy, restingBuyPrice, startExchange, until, type Harness } from './client-harness.ts';

let sim: SimExchange;
let h: Harness;

beforeAll(async () => {
  sim = await startExchange({ port: 0, autoMarket: false });
});
afterAll(async () => {
  await sim.stop();
});
beforeEach(async () => {
  await control(sim, 'POST', 'reset');
  h = await makeClient(sim, { useWsApi: false, market: { markSilenceMs: 1_500 } });
});
afterEach(() => {
  h.client.stop();
});

describe('market streams', () => {
  it('delivers markPrice@1s and bookTicker for the symbols in view, and follows changes of the view', async () => {
    const marks: MarkPriceEvent[] = [];
    const books: BookTickerEvent[] = [];
    h.client.market.subscribe({ markPrice: (e) => marks.push(e), bookTicker: (e) => books.push(e) });
    h.client.market.setSymbols(['BTCUSDT']);
    await until(() => marks.some((m) => m.s === 'BTCUSDT'), 3_000);
    await until(async () => {
      await control(sim, 'POST', 'market', { action: 'tick', ticks: 1 });
      return books.some((b) => b.s === 'BTCUSDT');
    }, 3_000, 50);
    // Switch the view to ETHUSDT on the open connections (live SUBSCRIBE/UNSUBSCRIBE).
    h.client.market.setSymbols(['ETHUSDT']);
    await until(() => marks.some((m) => m.s === 'ETHUSDT'), 3_000);
    const cut = marks.length;
    await until(() => marks.length >= cut + 1, 3_000);
    expect(marks.slice(cut).every((m) => m.s === 'ETHUSDT')).toBe(true);
    expect(h.client.market.reconnects).toEqual({ market: 0, public: 0 });
  });

  it('paces live (un)subscribes under the 10 messages a second a stream connection accepts (§7), however fast the view changes', async () => {
    const marks: MarkPriceEvent[] = [];
    h.client.market.subscribe({ markPrice: (e) => marks.push(e) });
    h.client.market.setSymbols(['BTCUSDT']);
    await until(() => marks.some((m) => m.s === 'BTCUSDT'), 3_000);
    // 40 view changes in about a second: sent one for one, that is 40 messages, and the exchange closes the connection.
    for (let i = 0; i < 40; i += 1) {
      h.client.market.setSymbols(i % 2 === 0 ? ['BTCUSDT', 'ETHUSDT'] : ['BTCUSDT']);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    h.client.market.setSymbols(['BTCUSDT', 'SOLUSDT']);
    await until(() => marks.some((m) => m.s === 'SOLUSDT'), 3_000);
    expect(h.client.market.reconnects).toEqual({ market: 0, public: 0 });
  });

  it('reconnects a markPrice stream that goes silent, and says so', async () => {
    const marks: MarkPriceEvent[] = [];
    let reconnected = 0;
    h.client.market.subscribe({ markPrice: (e) => marks.push(e), reconnected: (area) => void (area === 'market' && reconnected++) });
    h.client.market.setSymbols(['BTCUSDT']);
    await until(() => marks.length > 0, 3_000);
    await fault(sim, { kind: 'wsSilence', pathPrefix: '/market', durationMs: 1_600 });
    await until(() => reconnected > 0, 4_000);
    const cut = marks.length;
    await until(() => marks.length > cut, 4_000);
    expect(h.client.market.reconnects.market).toBeGreaterThanOrEqual(1);
  });
});

describe('user data stream', () => {
  it('renews an expired listenKey, reconnects, and events keep arriving', async () => {
    const events: UserEvent[] = [];
    let reconnected = 0;
    h.client.user.subscribe({ event: (e) => events.push(e), reconnected: () => reconnected++ });
    await h.client.start();
    await until(() => h.client.user.isOpen);
    expect(h.client.user.keysCreated).toBe(1);
    await fault(sim, { kind: 'listenKeyExpire' });
    await until(() => h.client.user.keysCreated === 2 && h.client.user.isOpen, 3_000);
    expect(reconnected).toBe(1);
    const intent = marketBuy();
    await h.client.placeOrder(intent);
    await until(() => events.some((e) => e.e === 'ORDER_TRADE_UPDATE' && e.o.c === `stk-${intent.id}` && e.o.X === 'FILLED'), 3_000);
    await until(() => events.some((e) => e.e === 'ACCOUNT_UPDATE'), 3_000);
  });

  it('a keepalive answered -1125 (key gone) creates a new key and reconnects', async () => {
    h.client.stop();
    h = await makeClient(sim, { useWsApi: false, userStream: { keepAliveMs: 300 } });
    await h.client.start();
    await until(() => h.client.user.isOpen);
    // Close the key behind the client's back: the next keepalive PUT gets -1125 (§8).
    const closed = await h.client.rest.http.send('DELETE', '/fapi/v1/listenKey', {}, { security: 'KEY', priority: 'protective' });
    expect(closed.ok).toBe(true);
    await until(() => h.client.user.keysCreated === 2 && h.client.user.isOpen, 3_000);
  });

  it('an unknown outcome is settled from ORDER_TRADE_UPDATE when REST lookups fail', async () => {
    await h.client.start();
    await until(() => h.client.user.isOpen);
    await fault(sim, { kind: 'timeout', status: 408, executed: true, match: { method: 'POST', pathPrefix: '/fapi/v1/order' }, count: 1 });
    await fault(sim, { kind: 'drop', match: { method: 'GET', pathPrefix: '/fapi/v1/order' }, count: 100 });
    const intent = marketBuy();
    const entry = await h.client.placeOrder(intent);
    expect(entry).toMatchObject({ state: 'filled', attempt: 0, exchangeStatus: 'FILLED' });
  });

  it('a dropped user stream reconnects on the same key and reports the reconnect', async () => {
    let reconnected = 0;
    h.client.onReconnected((source) => void (source === 'user' && reconnected++));
    await h.client.start();
    await until(() => h.client.user.isOpen);
    await fault(sim, { kind: 'wsDrop', pathPrefix: '/private' });
    await until(() => reconnected === 1 && h.client.user.isOpen, 3_000);
    expect(h.client.user.keysCreated).toBe(1);
  });

  it('a resting order filled later is followed to FILLED in the journal through ORDER_TRADE_UPDATE', async () => {
    await h.client.start();
    await until(() => h.client.user.isOpen);
    const price = await restingBuyPrice(sim);
    const intent = { ...marketBuy(), type: 'LIMIT' as const, price };
    expect((await h.client.placeOrder(intent)).state).toBe('acked');
    // Move the market down through the limit price so the resting order fills.
    const below = roundToStep(mul(price, '0.999'), '0.1', 'floor');
    await control(sim, 'POST', 'price', { symbol: 'BTCUSDT', price: below, markPrice: below });
    await until(async () => (await h.journal.get(intent.id))?.state === 'filled', 3_000);
    const entry = await h.journal.get(intent.id);
    expect(entry?.exchangeStatus).toBe('FILLED');
    expect(entry!.times.filledMs!).toBeGreaterThan(entry!.times.ackMs!);
  });
});

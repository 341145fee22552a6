/**
 * Algo orders and worker restarts against the real local exchange: conditional orders are exactly-once through
 * GET /fapi/v1/algoOrder by clientAlgoId (fact sheet §0.1), and a restarted worker reconciles what its journal left
 * `sent` without ever re-sending a placement.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FetchLike } from '../../src/background/exchange/ports.ts';
import type { AlgoIntent } from '../../src/core/intents.ts';
import { createEntry, MemoryJournalStore } from '../../src/core/journal.ts';
import { mul, roundToStep } from '../../src/shared/decimal.ts';
import type { SimExchange } from '../../sim/server.ts';
import { control, fault, makeClient, marketBuy, nextIntentId, placedFor, startExchange, until, type Harness } from './client-harness.ts';

let sim: SimExchange;
const clients: Harness[] = [];

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
  for (const c of clients.splice(0)) c.client.stop();
});

async function client(...args: Parameters<typeof makeClient>): Promise<Harness> {
  const c = await makeClient(...args);
  clients.push(c);
  return c;
}

async function stopBuy(): Promise<AlgoIntent> {
  const state = (await control(sim, 'GET', 'state')) as { markets: Array<{ symbol: string; last: string }> };
  const last = state.markets.find((m) => m.symbol === 'BTCUSDT')!.last;
  // A BUY stop 2 % above the market: not triggered now (§4.5).
  return { kind: 'algo', id: nextIntentId(), symbol: 'BTCUSDT', side: 'BUY', type: 'STOP_MARKET', quantity: '0.01', triggerPrice: roundToStep(mul(last, '1.02'), '0.1', 'ceil') };
}

describe('algo orders', () => {
  it.each([
    ['plain', null, 0],
    ['-1007 after executing', { kind: 'timeout', status: 503, executed: true }, 0],
    ['-1007 without executing', { kind: 'timeout', status: 503, executed: false }, 1],
  ])('%s → exactly one algo order', async (_name, spec, attempt) => {
    const h = await client(sim, { useWsApi: false });
    await h.client.start({ userStream: false });
    if (spec !== null) await fault(sim, { ...spec, match: { method: 'POST', pathPrefix: '/fapi/v1/algoOrder' }, count: 1 });
    const intent = await stopBuy();
    const entry = await h.client.placeAlgoOrder(intent);
    expect(entry).toMatchObject({ state: 'acked', exchangeStatus: 'NEW', attempt });
    expect(await placedFor(sim, intent.id, 'algo.placed')).toHaveLength(1);
    const cancel = await h.client.cancelAlgoOrder({ kind: 'cancel-algo', id: nextIntentId(), symbol: 'BTCUSDT', clientAlgoId: entry.clientOrderId });
    expect(cancel.state).toBe('canceled');
    expect(await h.client.rest.queryAlgoOrder(entry.clientOrderId)).toMatchObject({ kind: 'found', value: { algoStatus: 'CANCELED' } });
  });

  it('places over the WebSocket API (algoOrder.place)', async () => {
    const h = await client(sim);
    await h.client.start({ userStream: false });
    await until(() => h.client.wsApi!.isUp);
    const entry = await h.client.placeAlgoOrder(await stopBuy());
    expect(entry).toMatchObject({ state: 'acked', via: 'ws-api' });
  });
});

describe('resumeFromJournal after a worker restart', () => {
  /** A fetch that delivers the order request but never answers it: the worker died with the request in flight. */
  function dyingFetch(deliver: boolean): FetchLike {
    return (url, init) => {
      if (!(init.method === 'POST' && url.includes('/fapi/v1/order?'))) return fetch(url, init);
      if (deliver) void fetch(url, { method: init.method, headers: init.headers });
      return new Promise(() => {});
    };
  }

  it.each([
    ['the request reached the exchange → adopted', true, 'filled', 1],
    ['the request never arrived → not placed, and never re-sent', false, 'rejected', 0],
  ])('%s', async (_name, deliver, state, orders) => {
    const journal = new MemoryJournalStore();
    const first = await client(sim, { useWsApi: false }, { journal, fetch: dyingFetch(deliver) });
    await first.client.start({ userStream: false });
    const intent = marketBuy();
    void first.client.placeOrder(intent);
    await until(async () => (await journal.get(intent.id))?.state === 'sent');
    first.client.stop();

    const second = await client(sim, { useWsApi: false }, { journal });
    const resumed = await second.client.start({ userStream: false });
    expect(resumed.map((e) => e.intentId)).toEqual([intent.id]);
    expect(resumed[0]!.state).toBe(state);
    expect(await placedFor(sim, intent.id)).toHaveLength(orders);
  });

  it('a placement that never left is abandoned, not sent late', async () => {
    const journal = new MemoryJournalStore();
    const intent = marketBuy();
    await journal.put(createEntry(intent, { nowMs: Date.now(), recvWindowMs: 1_000 }));
    const h = await client(sim, { useWsApi: false }, { journal });
    const resumed = await h.client.start({ userStream: false });
    expect(resumed[0]).toMatchObject({ intentId: intent.id, state: 'rejected' });
    expect(await placedFor(sim, intent.id)).toHaveLength(0);
  });
});

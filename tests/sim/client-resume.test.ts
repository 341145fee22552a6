/**
 * Algo orders and worker restarts against the real local exchange: conditional orders are exactly-once through
 * GET /fapi/v1/algoOrder by clientAlgoId (fact sheet §0.1), and a restarted worker reconciles what its journal left
 * `sent` without ever re-sending a placement.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FetchLike } from '../../src/background/exchange/ports.ts';
import type { AlgoIntent, OrderIntent } from '../../src/core/intents.ts';
import { createEntry, MemoryJournalStore, type JournalEntry, type JournalStore, type JournalSummary, type Reservation } from '../../src/core/journal.ts';
import type { Order } from '../../src/background/exchange/schemas.ts';
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

/** A fetch that delivers the order request (or not) and never answers it: the worker died with the request in flight. */
function dyingFetch(deliver: boolean): FetchLike {
  return (url, init) => {
    if (!(init.method === 'POST' && url.includes('/fapi/v1/order?'))) return fetch(url, init);
    if (deliver) void fetch(url, { method: init.method, headers: init.headers });
    return new Promise(() => {});
  };
}

describe('resumeFromJournal after a worker restart', () => {
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

/**
 * The journal of a worker Chrome is stopping: its reservation was stored (confirmed, ahead of the order), but the
 * entries `lose` selects never reach storage.
 */
class LosingJournal implements JournalStore {
  constructor(
    private readonly kept: JournalStore,
    private readonly lose: (entry: JournalEntry) => boolean,
  ) {}
  put(entry: JournalEntry): Promise<void> {
    return this.lose(entry) ? Promise.resolve() : this.kept.put(entry);
  }
  get(intentId: string): Promise<JournalEntry | undefined> {
    return this.kept.get(intentId);
  }
  summaries(): Promise<JournalSummary[]> {
    return this.kept.summaries();
  }
  reserve(reservation: Reservation): Promise<void> {
    return this.kept.reserve(reservation);
  }
  reservations(): Promise<Reservation[]> {
    return this.kept.reservations();
  }
  release(intentIds: readonly string[]): Promise<void> {
    return this.kept.release(intentIds);
  }
}

describe('a reserved order id after a worker restart', () => {
  /** A first worker reserves an id, sends a market buy under it and dies; only what `lose` spares was stored. */
  function dieWithOrder(journal: JournalStore, lose: (e: JournalEntry) => boolean, deliver: boolean): Promise<string> {
    return dieWith(journal, lose, deliver, marketBuy(), true);
  }

  it.each([
    // Known only by its reservation: the caller hears of the order, to protect its fill.
    ['every entry lost', (_e: JournalEntry) => true, ['FILLED']],
    // Its pending entry says what it was: reconciled like a sent order.
    ['the pending entry kept, the sent one lost', (e: JournalEntry) => e.state !== 'pending', []],
  ])('%s, the request delivered → the order is found by its reserved id and recorded, not sent again', async (_name, lose, foundStatuses) => {
    const journal = new MemoryJournalStore();
    const intentId = await dieWithOrder(journal, lose, true);
    const found: Order[] = [];
    const second = await client(sim, { useWsApi: false }, { journal });
    const resumed = await second.client.start({ userStream: false, found: (_entry, o) => found.push(o) });
    expect(resumed.map((e) => [e.intentId, e.state])).toEqual([[intentId, 'filled']]);
    expect(await journal.get(intentId)).toMatchObject({ state: 'filled', intent: { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET' } });
    expect(found.map((o) => o.status)).toEqual(foundStatuses);
    expect(await placedFor(sim, intentId)).toHaveLength(1);
  });

  it('every entry lost, the request never arrived → the reservation is released once its window has passed, nothing sent', async () => {
    const journal = new MemoryJournalStore();
    const intentId = await dieWithOrder(journal, () => true, false);
    const second = await client(sim, { useWsApi: false }, { journal });
    const started = Date.now();
    const resumed = await second.client.start({ userStream: false });
    expect(resumed).toEqual([]);
    // FAST: recvWindow 600 ms + margin 150 ms after the resume's server time, not at the first "not found".
    expect(Date.now() - started).toBeGreaterThanOrEqual(700);
    expect(await journal.reservations()).toEqual([]);
    expect(await placedFor(sim, intentId)).toHaveLength(0);
  });

  it('the pending entry kept, the request never arrived → rejected as not placed, never sent late', async () => {
    const journal = new MemoryJournalStore();
    const intentId = await dieWithOrder(journal, (e) => e.state !== 'pending', false);
    const second = await client(sim, { useWsApi: false }, { journal });
    const resumed = await second.client.start({ userStream: false });
    expect(resumed.map((e) => [e.intentId, e.state])).toEqual([[intentId, 'rejected']]);
    expect(await placedFor(sim, intentId)).toHaveLength(0);
  });

  it('a worker\'s own reservations are not taken for a previous worker\'s: its resume leaves them be', async () => {
    const journal = new MemoryJournalStore();
    const h = await client(sim, { useWsApi: false }, { journal });
    const intent = marketBuy();
    await h.client.reserveOrderId(intent.id, intent.symbol);
    expect(await h.client.start({ userStream: false })).toEqual([]);
    expect((await journal.reservations()).map((r) => r.intentId)).toEqual([intent.id]);
    // And the order placed under it is the one recorded.
    const entry = await h.client.placeOrder(intent);
    expect(entry).toMatchObject({ intentId: intent.id, state: 'filled' });
    expect(await placedFor(sim, intent.id)).toHaveLength(1);
  });
});

describe("the protector's close after a worker restart", () => {
  it.each([
    [true, 'filled', 1],
    [false, 'rejected', 0],
  ] as const)("the protector's close whose sent entry was lost (it follows the frame), delivered: %s → looked up and %s, never sent again", async (deliver, state, placed) => {
    const open = await client(sim, { useWsApi: false });
    await open.client.start({ userStream: false });
    expect(await open.client.placeOrder(marketBuy())).toMatchObject({ state: 'filled' });
    open.client.stop();
    const journal = new MemoryJournalStore();
    const clientId = `cl-BTCUSDT-B-${Date.now() % 1_000_000}`;
    const intentId = await dieWith(journal, (e) => e.state !== 'pending', deliver, { ...marketBuy(), side: 'SELL', reduceOnly: true, clientId }, false);
    const second = await client(sim, { useWsApi: false }, { journal });
    const resumed = await second.client.start({ userStream: false });
    expect(resumed.map((e) => [e.intentId, e.state])).toEqual([[intentId, state]]);
    expect(await placedWithId(clientId)).toBe(placed);
  });
});

/** Orders the exchange placed under exactly this client id. */
async function placedWithId(clientOrderId: string): Promise<number> {
  const ledger = (await control(sim, 'GET', 'ledger')) as { entries: Array<{ kind: string; data: Record<string, unknown> }> };
  return ledger.entries.filter((e) => e.kind === 'order.placed' && e.data['clientOrderId'] === clientOrderId).length;
}

/** A first worker sends `intent` (under a reserved id when `reserve`) and dies; only what `lose` spares was stored. */
async function dieWith(journal: JournalStore, lose: (e: JournalEntry) => boolean, deliver: boolean, intent: OrderIntent, reserve: boolean): Promise<string> {
  const first = await client(sim, { useWsApi: false }, { journal: new LosingJournal(journal, lose), fetch: dyingFetch(deliver) });
  await first.client.start({ userStream: false });
  if (reserve) await first.client.reserveOrderId(intent.id, intent.symbol);
  void first.client.placeOrder(intent);
  if (deliver) await until(async () => (await placedWithId(intent.clientId ?? `stk-${intent.id}`)) === 1);
  else await new Promise((r) => setTimeout(r, 100));
  first.client.stop();
  return intent.id;
}

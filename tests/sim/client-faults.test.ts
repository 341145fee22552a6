/**
 * Exactly-once under unknown outcomes (fact sheet §5: timeouts, dropped connections, 5xx, -1007) against the real
 * local exchange: whether or not the first request executed, the intent ends with exactly one order on the ledger.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SimExchange } from '../../sim/server.ts';
import { control, fault, ledger, makeClient, marketBuy, nextIntentId, placedFor, startExchange, type Harness } from './client-harness.ts';

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
  h = await makeClient(sim, { useWsApi: false });
  await h.client.start({ userStream: false });
});
afterEach(() => {
  h.client.stop();
});

const POST_ORDER = { method: 'POST', pathPrefix: '/fapi/v1/order' } as const;

describe('placeOrder when the outcome is unknown', () => {
  it.each([
    ['-1007 after executing', { kind: 'timeout', status: 408, executed: true }, 0, 0],
    ['-1007 without executing', { kind: 'timeout', status: 408, executed: false }, 1, 0],
    ['503 "Unknown error" after executing', { kind: 'http5xx', status: 503, text: 'unknown', executed: true }, 0, 0],
    ['503 "Unknown error" without executing', { kind: 'http5xx', status: 503, text: 'unknown', executed: false }, 1, 0],
    ['500 after executing', { kind: 'http5xx', status: 500, executed: true }, 0, 0],
    ['503 "Service Unavailable." (certain failure)', { kind: 'http5xx', status: 503, text: 'unavailable' }, 1, 0],
    ['dropped connection', { kind: 'drop' }, 1, 0],
    ['client timeout; the late request dies on its recvWindow', { kind: 'latency', ms: 1_000 }, 1, 400],
    ['client timeout; the request lands within recvWindow', { kind: 'latency', ms: 420 }, 0, 0],
  ])('%s → exactly one order', async (_name, spec, attempt, settleMs) => {
    await fault(sim, { ...spec, match: POST_ORDER, count: 1 });
    const intent = marketBuy();
    const entry = await h.client.placeOrder(intent);
    expect(entry.state).toBe('filled');
    expect(entry.attempt).toBe(attempt);
    // A delayed original (latency fault) must reach the exchange, and die there on its recvWindow, before counting.
    if (settleMs > 0) await new Promise((r) => setTimeout(r, settleMs));
    expect(await placedFor(sim, intent.id)).toHaveLength(1);
  });

  it.each([
    ['a dropped connection (not executed)', { kind: 'drop' }],
    ['-1007 after executing', { kind: 'timeout', status: 408, executed: true }],
  ])('a protective stop under a fixed client id after %s: one stop on the exchange, at once', async (_name, spec) => {
    // Binance's default recvWindow (5 s): waiting it out is what must not happen.
    const slow = await makeClient(sim, { useWsApi: false, http: { timeoutMs: 300, recvWindowMs: 5_000, maxQueueWaitMs: 3_000 } });
    await slow.client.start({ userStream: false });
    await fault(sim, { ...spec, match: { method: 'POST', pathPrefix: '/fapi/v1/algoOrder' }, count: 1 });
    const clientId = `sl-BTCUSDT-B-${Date.now() % 1_000_000}`;
    const t0 = performance.now();
    const entry = await slow.client.placeAlgoOrder({
      kind: 'algo',
      id: nextIntentId(),
      clientId,
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'STOP_MARKET',
      quantity: '0.01',
      triggerPrice: '30000',
      workingType: 'MARK_PRICE',
      reduceOnly: true,
    });
    const elapsedMs = performance.now() - t0;
    slow.client.stop();
    expect(entry.state).toBe('acked');
    expect((await ledger(sim, 'algo.placed')).filter((e) => e.data['clientAlgoId'] === clientId)).toHaveLength(1);
    // Not after its recvWindow: a position must not wait seconds for its stop.
    expect(elapsedMs).toBeLessThan(1_000);
  });

  it('a lookup held by a 429 waits out Retry-After instead of counting as failed lookups, then adopts the order', async () => {
    await fault(sim, { kind: 'timeout', status: 408, executed: true, match: POST_ORDER, count: 1 });
    // The first lookup is answered 429 with Retry-After 8 s: the limiter queues a request for at most 3 s, so the
    // next lookups are refused locally for 5 s. Counted as failures, they would end as "unknown" after ~3 s.
    await fault(sim, { kind: 'rate429', retryAfterSec: 8, match: { method: 'GET', pathPrefix: '/fapi/v1/order' }, count: 1 });
    const intent = marketBuy();
    const entry = await h.client.placeOrder(intent);
    expect(entry.state).toBe('filled');
    expect(entry.attempt).toBe(0);
    expect(await placedFor(sim, intent.id)).toHaveLength(1);
  }, 20_000);
});

describe('a request-weight 429 (-1003, Retry-After 30 s) on a read', () => {
  const stop = (clientId: string) =>
    ({ kind: 'algo', id: nextIntentId(), clientId, symbol: 'BTCUSDT', side: 'SELL', type: 'STOP_MARKET', quantity: '0.01', triggerPrice: '30000', workingType: 'MARK_PRICE', reduceOnly: true }) as const;

  // A stop answered 429 itself, which ends this for the rest of the hold, is covered in tests/unit/rate-limiter.test.ts.
  it('holds every weighted request but lets a protective stop (IP weight 0) out at once, and the exchange takes it', async () => {
    await fault(sim, { kind: 'rate429', retryAfterSec: 30, match: { method: 'GET', pathPrefix: '/fapi/v3/positionRisk' }, count: 1 });
    const read = await h.client.rest.positions();
    expect(read).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
    expect(h.client.limiterState().reason).toMatch(/stops and closes, which carry no request weight, still go/);
    // What the session's positions re-read and the protector's cancels wait for before trying again; a weightless
    // stop is not held, so its retry is not put off to the hold's end.
    expect(h.client.holdRemainingMs(5, 'protective')).toBeGreaterThan(29_000);
    expect(h.client.holdRemainingMs(1, 'protective')).toBeLessThanOrEqual(30_000);
    expect(h.client.holdRemainingMs(0, 'critical')).toBe(0);
    expect(h.client.limiter.admit({ weight: 5, orders: 0 }, h.client.clock.serverNow(), 'protective')).toMatchObject({ kind: 'wait' });
    const clientId = `sl-BTCUSDT-B-${Date.now() % 1_000_000}`;
    const entry = await h.client.placeAlgoOrder(stop(clientId));
    expect(entry.state).toBe('acked');
    expect((await ledger(sim, 'algo.placed')).filter((e) => e.data['clientAlgoId'] === clientId)).toHaveLength(1);
  });
});

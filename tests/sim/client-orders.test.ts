/**
 * Exactly-once order placement over REST against the real local exchange, under the faults of fact sheet §5:
 * every scenario ends with exactly one order on the exchange's ledger for the intent.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { entryResult } from '../../src/background/exchange/orders.ts';
import type { SimExchange } from '../../sim/server.ts';
import { control, fault, ledger, makeClient, marketBuy, placedFor, startExchange, type Harness } from './client-harness.ts';

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

describe('placeOrder over REST', () => {
  it('places a market order once and records the whole timeline', async () => {
    const intent = marketBuy();
    const entry = await h.client.placeOrder(intent);
    expect(entry.state).toBe('filled');
    expect(entry.via).toBe('rest');
    expect(entry.attempt).toBe(0);
    expect(entryResult(entry)).toEqual({ ok: true, value: entry });
    const t = entry.times;
    expect(t.inputMs).toBeLessThanOrEqual(t.signedMs!);
    expect(t.signedMs!).toBeLessThanOrEqual(t.sentMs!);
    expect(t.sentMs!).toBeLessThanOrEqual(t.ackMs!);
    expect(t.filledMs).toBe(t.ackMs);
    expect(await placedFor(sim, intent.id)).toHaveLength(1);
    // Submitting the same intent again does not send again.
    expect((await h.client.placeOrder(intent)).state).toBe('filled');
    expect(await placedFor(sim, intent.id)).toHaveLength(1);
  });

  it('writes the journal entry before the request leaves', async () => {
    const intent = marketBuy();
    let seenAtServer: string | undefined;
    const journal = h.journal;
    const put = journal.put.bind(journal);
    let sentWritten = false;
    journal.put = async (e) => {
      if (e.state === 'sent') {
        // At this moment the exchange must not have the order yet.
        seenAtServer = (await placedFor(sim, intent.id)).length === 0 ? 'absent' : 'present';
        sentWritten = true;
      }
      return put(e);
    };
    await h.client.placeOrder(intent);
    expect(sentWritten).toBe(true);
    expect(seenAtServer).toBe('absent');
  });

  it('429 with Retry-After: waits, then succeeds once', async () => {
    await fault(sim, { kind: 'rate429', retryAfterSec: 1, match: POST_ORDER, count: 1 });
    const intent = marketBuy();
    const started = Date.now();
    const entry = await h.client.placeOrder(intent);
    expect(entry.state).toBe('filled');
    expect(entry.attempt).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(await placedFor(sim, intent.id)).toHaveLength(1);
  });

  it('418 ban: the order is refused and nothing more is sent until the ban ends', async () => {
    await fault(sim, { kind: 'ban418', retryAfterSec: 120, match: POST_ORDER, count: 1 });
    const first = await h.client.placeOrder(marketBuy());
    expect(first.state).toBe('rejected');
    expect(entryResult(first)).toMatchObject({ ok: false, error: { code: 'BANNED' } });
    const state = h.client.limiterState();
    expect(state.bannedUntilMs).not.toBeNull();
    expect(state.reason).toMatch(/banned/);
    const before = (await control(sim, 'GET', 'faults')) as { injected: Record<string, number> };
    const second = marketBuy();
    const entry = await h.client.placeOrder(second);
    expect(entry.state).toBe('rejected');
    expect(entry.error?.code).toBe('BANNED');
    // Refused locally: never sent, so never journaled as sent.
    expect(entry.times.sentMs).toBeNull();
    expect(await h.client.rest.queryOrder('BTCUSDT', 'stk-x')).toMatchObject({ kind: 'failed', error: { code: 'BANNED' } });
    expect(await placedFor(sim, second.id)).toHaveLength(0);
    expect(before.injected['ban418']).toBe(1);
  });

  it.each([[2_000], [-2_000]])('clock skew %i ms: one resync, one retry, one order', async (offsetMs) => {
    await fault(sim, { kind: 'clockSkew', offsetMs, durationMs: 60_000 });
    const intent = marketBuy();
    const entry = await h.client.placeOrder(intent);
    expect(entry.state).toBe('filled');
    expect(entry.resynced).toBe(true);
    expect(entry.attempt).toBe(1);
    expect(await placedFor(sim, intent.id)).toHaveLength(1);
  });

  it('a caller-chosen client id survives a re-send', async () => {
    await fault(sim, { kind: 'timeout', status: 408, executed: false, match: POST_ORDER, count: 1 });
    const intent = { ...marketBuy(), clientId: 'cl-BTCUSDT-test' };
    const entry = await h.client.placeOrder(intent);
    expect(entry).toMatchObject({ state: 'filled', attempt: 1, clientOrderId: 'cl-BTCUSDT-test' });
    expect(await ledger(sim, 'order.placed', 'cl-BTCUSDT-test')).toHaveLength(1);
  });

  it('a business rejection is final and not retried', async () => {
    const intent = { ...marketBuy('100000'), quantity: '100000' };
    const entry = await h.client.placeOrder(intent);
    expect(entry.state).toBe('rejected');
    expect(entry.error?.exchangeCode).toBeDefined();
    expect(entry.retries).toBe(0);
  });
});

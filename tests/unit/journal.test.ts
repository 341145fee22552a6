import { describe, expect, it } from 'vitest';
import { makeIntentId, type Intent } from '../../src/core/intents.ts';
import {
  createEntry,
  decideAfterFailure,
  decideAfterQuery,
  decideOnResume,
  decideReservation,
  JournalEntrySchema,
  JournalStateSchema,
  markExchangeStatus,
  markMaybeSent,
  markSent,
  mayNeedResume,
  MemoryJournalStore,
  prepareRetry,
  reservationFor,
  type Failure,
  type FailureDecision,
  type JournalEntry,
  type JournalState,
  type QueryDecision,
  type QueryResult,
  type ReservationDecision,
} from '../../src/core/journal.ts';

const id = makeIntentId(1_700_000_000_000, 1);
const market: Intent = { kind: 'order', id, symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.01' };
const cancel: Intent = { kind: 'cancel', id, symbol: 'BTCUSDT', origClientOrderId: 'stk-x-1' };
const stop: Intent = { kind: 'algo', id, clientId: 'sl-BTCUSDT-B-1', symbol: 'BTCUSDT', side: 'SELL', type: 'STOP_MARKET', quantity: '0.01', triggerPrice: '45000' };
const stopNewId: Intent = { kind: 'algo', id, symbol: 'BTCUSDT', side: 'SELL', type: 'STOP_MARKET', quantity: '0.01', triggerPrice: '45000' };
const T0 = 1_000_000;

function sent(intent: Intent = market, over: Partial<JournalEntry> = {}): JournalEntry {
  const e = markSent(createEntry(intent, { nowMs: T0, recvWindowMs: 5000 }), {
    nowMs: T0 + 2,
    signedAtMs: T0 + 1,
    timestampMs: T0 + 1,
    via: 'rest',
  });
  return { ...e, ...over };
}

describe('entry lifecycle', () => {
  it('is written pending with the request, then sent with the signed timestamp', () => {
    const p = createEntry(market, { nowMs: T0, recvWindowMs: 5000 });
    expect(p.state).toBe('pending');
    expect(p.request.newClientOrderId).toBe(`stk-${id}`);
    const s = sent();
    expect(s).toMatchObject({ state: 'sent', signedTimestampMs: T0 + 1, via: 'rest' });
    expect(s.times).toMatchObject({ inputMs: T0, signedMs: T0 + 1, sentMs: T0 + 2, ackMs: null });
    expect(JournalEntrySchema.parse(s)).toEqual(s);
  });

  it.each<[string, JournalState]>([
    ['NEW', 'acked'],
    ['PARTIALLY_FILLED', 'acked'],
    ['FILLED', 'filled'],
    ['CANCELED', 'canceled'],
    ['EXPIRED', 'final'],
    ['REJECTED', 'rejected'],
    ['TRIGGERED', 'final'],
    ['SOMETHING_NEW', 'acked'],
  ])('status %s → %s', (status, state) => {
    const e = markExchangeStatus(sent(), { nowMs: T0 + 10, exchangeId: '42', status });
    expect(e.state).toBe(state);
    expect(e.times.ackMs).toBe(T0 + 10);
    expect(e.times.filledMs).toBe(state === 'filled' ? T0 + 10 : null);
  });

  it('a cancel whose target expired counts as cancelled', () => {
    expect(markExchangeStatus(sent(cancel), { nowMs: T0, exchangeId: '1', status: 'EXPIRED' }).state).toBe('canceled');
  });

  it('a retry takes the next attempt id, clears the signature time and keeps why it was sent', () => {
    const r = prepareRetry(sent(), { nowMs: T0 + 50, resync: true, reason: 'clock resync after HTTP 400 -1021' });
    expect(r).toMatchObject({ state: 'pending', attempt: 1, clientOrderId: `stk-${id}-1`, resynced: true, retries: 1, signedTimestampMs: null, retryReason: 'clock resync after HTTP 400 -1021' });
    expect(r.request.newClientOrderId).toBe(`stk-${id}-1`);
    expect(JournalEntrySchema.parse(r)).toEqual(r);
    expect(prepareRetry(sent(cancel), { nowMs: T0, resync: false, reason: 'not executed: HTTP 429' }).clientOrderId).toBe('stk-x-1');
  });

  it('the memory store hands out copies', async () => {
    const store = new MemoryJournalStore();
    const e = sent();
    await store.put(e);
    const back = await store.get(e.intentId);
    expect(back).toEqual(e);
    back!.state = 'filled';
    expect((await store.get(e.intentId))?.state).toBe('sent');
    expect(await store.summaries()).toEqual([{ intentId: e.intentId, state: 'sent', kind: e.intent.kind, clientId: undefined, updatedMs: e.times.updatedMs }]);
  });
});

describe('decideAfterFailure', () => {
  const table: Array<[string, Failure, Partial<JournalEntry>, FailureDecision]> = [
    ['timeout', { kind: 'timeout' }, {}, { action: 'query-then-maybe-retry' }],
    ['dropped connection', { kind: 'network', message: 'socket hang up' }, {}, { action: 'query-then-maybe-retry' }],
    ['-1007 backend timeout', { kind: 'http', status: 408, code: -1007 }, {}, { action: 'query-then-maybe-retry' }],
    ['-1006 unexpected response', { kind: 'http', status: 500, code: -1006 }, {}, { action: 'query-then-maybe-retry' }],
    ['503 Unknown error', { kind: 'http', status: 503, msg: 'Unknown error, please check your request or try again later.' }, {}, { action: 'query-then-maybe-retry' }],
    ['502 without body', { kind: 'http', status: 502 }, {}, { action: 'query-then-maybe-retry' }],
    ['-4116 duplicate id: ours arrived', { kind: 'http', status: 400, code: -4116 }, {}, { action: 'query-then-maybe-retry' }],
    ['503 Service Unavailable: certain failure', { kind: 'http', status: 503, msg: 'Service Unavailable.' }, {}, { action: 'wait-then-retry', delayMs: 500 }],
    ['503 Internal error: certain failure', { kind: 'http', status: 503, msg: 'Internal error; unable to process your request. Please try again.' }, {}, { action: 'wait-then-retry', delayMs: 500 }],
    ['503 Service Unavailable with code -1000: the text wins', { kind: 'http', status: 503, code: -1000, msg: 'Service Unavailable.' }, {}, { action: 'wait-then-retry', delayMs: 500 }],
    ['503 Unknown error with code -1000', { kind: 'http', status: 503, code: -1000, msg: 'Unknown error, please check your request or try again later.' }, {}, { action: 'query-then-maybe-retry' }],
    ['-1008 throttled', { kind: 'http', status: 503, code: -1008 }, {}, { action: 'wait-then-retry', delayMs: 500 }],
    ['429 with Retry-After', { kind: 'http', status: 429, code: -1003, retryAfterSec: 2 }, {}, { action: 'wait-then-retry', delayMs: 2000 }],
    ['429 past the freshness limit', { kind: 'http', status: 429, code: -1003, retryAfterSec: 30 }, {}, { action: 'give-up', state: 'rejected' }],
    ['429 with retries used up', { kind: 'http', status: 429, code: -1003, retryAfterSec: 1 }, { retries: 2 }, { action: 'give-up', state: 'rejected' }],
    ['-1021 first time', { kind: 'http', status: 400, code: -1021 }, {}, { action: 'resync-and-retry-once' }],
    ['-5028 first time', { kind: 'http', status: 400, code: -5028 }, {}, { action: 'resync-and-retry-once' }],
    ['-1021 after a resync: never a loop', { kind: 'http', status: 400, code: -1021 }, { resynced: true }, { action: 'give-up', state: 'rejected' }],
    ['418 ban', { kind: 'http', status: 418, code: -1003, retryAfterSec: 120 }, {}, { action: 'give-up', state: 'rejected' }],
    ['refused locally', { kind: 'refused', reason: 'banned', untilMs: T0 + 1 }, {}, { action: 'give-up', state: 'rejected' }],
    ['-2019 margin', { kind: 'http', status: 400, code: -2019 }, {}, { action: 'give-up', state: 'rejected' }],
    ['-2013 on a placement is a plain refusal', { kind: 'http', status: 400, code: -2013 }, {}, { action: 'give-up', state: 'rejected' }],
    ['403 WAF', { kind: 'http', status: 403 }, {}, { action: 'give-up', state: 'rejected' }],
  ];
  it.each(table)('%s', (_name, failure, over, expected) => {
    expect(decideAfterFailure(sent(market, over), failure, { nowMs: T0 + 100 })).toEqual(expected);
  });

  it('a cancel answered -2011 looks the target up', () => {
    expect(decideAfterFailure(sent(cancel), { kind: 'http', status: 400, code: -2011 }, { nowMs: T0 })).toEqual({
      action: 'query-then-maybe-retry',
    });
  });
});

describe('decideAfterQuery', () => {
  const found: QueryResult = { kind: 'found', exchangeId: '7', status: 'FILLED' };
  const open: QueryResult = { kind: 'found', exchangeId: '7', status: 'NEW' };
  const none: QueryResult = { kind: 'not-found' };
  const failed: QueryResult = { kind: 'failed', error: { code: 'NETWORK', message: 'down' } };
  const held = (untilMs: number): QueryResult => ({ kind: 'failed', error: { code: 'RATE_LIMITED', message: 'held' }, heldUntilMs: untilMs });
  const deadline = T0 + 1 + 5000 + 1000;
  const table: Array<[string, Intent, QueryResult, Partial<JournalEntry>, { now: number; server: number; resumed: boolean }, QueryDecision]> = [
    ['found → adopt', market, found, {}, { now: T0 + 100, server: T0 + 100, resumed: false }, { action: 'adopt', exchangeId: '7', status: 'FILLED' }],
    ['absent inside recvWindow → look again at its end', market, none, {}, { now: T0 + 100, server: T0 + 100, resumed: false }, { action: 'requery', delayMs: deadline - (T0 + 100) }],
    ['absent after recvWindow → retry', market, none, {}, { now: T0 + 6200, server: deadline, resumed: false }, { action: 'retry' }],
    ['absent after recvWindow but stale → not placed', market, none, {}, { now: T0 + 20_000, server: T0 + 20_000, resumed: false }, { action: 'give-up', state: 'rejected', reason: 'the order was not placed' }],
    ['absent after a restart → never re-sent', market, none, {}, { now: T0 + 6200, server: deadline, resumed: true }, { action: 'give-up', state: 'rejected', reason: 'the order was not placed' }],
    ['stop under a fixed client id, absent inside recvWindow → re-sent at once (a copy would be refused, -4116)', stop, none, {}, { now: T0 + 100, server: T0 + 100, resumed: false }, { action: 'retry' }],
    ['stop under a fixed client id after a restart: waits out its recvWindow, then never re-sent', stop, none, {}, { now: T0 + 100, server: T0 + 100, resumed: true }, { action: 'requery', delayMs: deadline - (T0 + 100) }],
    ['stop under a fixed client id after a restart, recvWindow over → not re-sent', stop, none, {}, { now: T0 + 6200, server: deadline, resumed: true }, { action: 'give-up', state: 'rejected', reason: 'the order was not placed' }],
    ['conditional order without a fixed client id → waits out its recvWindow', stopNewId, none, {}, { now: T0 + 100, server: T0 + 100, resumed: false }, { action: 'requery', delayMs: deadline - (T0 + 100) }],
    ['lookup failed → requery with backoff', market, failed, {}, { now: T0, server: T0, resumed: false }, { action: 'requery', delayMs: 300 }],
    ['lookups keep failing → unknown', market, failed, { queryFailures: 4 }, { now: T0, server: T0, resumed: false }, { action: 'give-up', state: 'unknown', reason: 'order status could not be established: down' }],
    ['lookup held by the rate limiter → look again when the hold ends, whatever failed before', market, held(T0 + 3000), { queryFailures: 4 }, { now: T0, server: T0, resumed: false }, { action: 'requery', delayMs: 3001 }],
    ['hold already over → look again at once', market, held(T0 - 5), {}, { now: T0, server: T0, resumed: false }, { action: 'requery', delayMs: 1 }],
    ['held longer than a weight window (a ban) → unknown', market, held(T0 + 120_000), {}, { now: T0, server: T0, resumed: false }, { action: 'give-up', state: 'unknown', reason: 'order status could not be established: held' }],
    ['cancel: target still open → cancel again', cancel, open, {}, { now: T0, server: T0, resumed: true }, { action: 'retry' }],
    ['cancel: target filled → adopt', cancel, found, {}, { now: T0, server: T0, resumed: false }, { action: 'adopt', exchangeId: '7', status: 'FILLED' }],
    ['cancel: target absent → rejected', cancel, none, {}, { now: T0, server: T0, resumed: false }, { action: 'give-up', state: 'rejected', reason: 'the order to cancel does not exist' }],
  ];
  it.each(table)('%s', (_name, intent, result, over, ctx, expected) => {
    expect(
      decideAfterQuery(sent(intent, over), result, { nowMs: ctx.now, serverNowMs: ctx.server, resumed: ctx.resumed, backoffMs: 300 }),
    ).toEqual(expected);
  });
});

describe('decideOnResume', () => {
  it.each<[JournalState, Intent, string]>([
    ['sent', market, 'reconcile'],
    ['unknown', market, 'reconcile'],
    ['reconciling', market, 'reconcile'],
    ['pending', market, 'abandon'],
    ['pending', cancel, 'reconcile'],
    // The protector's close: its sent entry follows its frame, so pending may mean it left, and it is looked up.
    ['pending', { ...market, side: 'SELL', reduceOnly: true, clientId: 'cl-BTCUSDT-B-7' }, 'reconcile-maybe-sent'],
    // A trader's close keeps its sent entry before the frame: pending means it never left.
    ['pending', { ...market, side: 'SELL', reduceOnly: true }, 'abandon'],
    ['pending', { ...market, side: 'SELL', positionSide: 'LONG' }, 'abandon'],
    ['acked', market, 'nothing'],
    ['filled', market, 'nothing'],
    ['rejected', market, 'nothing'],
  ])('%s %s → %s', (state, intent, expected) => {
    expect(decideOnResume({ ...sent(intent), state })).toBe(expected);
  });

  it.each<[string, JournalEntry, string]>([
    // Its `sent` entry was not waited for: the order may have left with that entry lost.
    ['a pending order whose id was reserved may have left', { ...sent(), state: 'pending' }, 'reconcile-maybe-sent'],
    // A retry's `sent` entry is always confirmed: pending there means it never left.
    ['a pending retry of a reserved order never left', { ...prepareRetry(sent(), { nowMs: T0, resync: false, reason: 'x' }) }, 'abandon'],
    ['a reserved order that was sent is reconciled as sent', sent(), 'reconcile'],
    ['a reserved order that settled is left alone', { ...sent(), state: 'filled' }, 'nothing'],
  ])('%s', (_name, entry, expected) => {
    expect(decideOnResume(entry, { reserved: true })).toBe(expected);
  });

  it('mayNeedResume is false exactly for the states decideOnResume leaves alone, whatever the intent or reservation', () => {
    for (const state of JournalStateSchema.options) {
      const decisions = [market, cancel].flatMap((intent) => [false, true].map((reserved) => decideOnResume({ ...sent(intent), state }, { reserved })));
      expect(mayNeedResume(state), state).toBe(decisions.some((d) => d !== 'nothing'));
    }
  });

  it('treats a maybe-sent entry as signed at the resume at the latest', () => {
    const pending = createEntry(market, { nowMs: T0, recvWindowMs: 5000 });
    const maybe = markMaybeSent(pending, { nowMs: T0 + 50, serverNowMs: T0 + 40 });
    expect(maybe).toMatchObject({ state: 'sent', signedTimestampMs: T0 + 40, attempt: 0, clientOrderId: pending.clientOrderId });
    // Not found before that timestamp's recvWindow + margin has passed: the request may still be in flight.
    const ctx = { nowMs: T0 + 60, resumed: true, backoffMs: 300 };
    expect(decideAfterQuery(maybe, { kind: 'not-found' }, { ...ctx, serverNowMs: T0 + 60 })).toEqual({ action: 'requery', delayMs: 5000 + 1000 - 20 });
    expect(decideAfterQuery(maybe, { kind: 'not-found' }, { ...ctx, serverNowMs: T0 + 40 + 6000 })).toEqual({ action: 'give-up', state: 'rejected', reason: 'the order was not placed' });
  });
});

describe('reservations', () => {
  it('reserve the first attempt\'s client id', () => {
    const r = reservationFor(id, 'ETHUSDT', T0);
    expect(r).toEqual({ intentId: id, symbol: 'ETHUSDT', clientOrderId: createEntry(market, { nowMs: T0, recvWindowMs: 5000 }).clientOrderId, reservedMs: T0 });
  });

  const found: QueryResult = { kind: 'found', exchangeId: '7', status: 'FILLED' };
  const none: QueryResult = { kind: 'not-found' };
  const failed: QueryResult = { kind: 'failed', error: { code: 'NETWORK', message: 'offline' } };
  const held = (untilMs: number): QueryResult => ({ kind: 'failed', error: { code: 'RATE_LIMITED', message: 'held' }, heldUntilMs: untilMs });
  // Resumed at server time T0 with a 5 s recvWindow and the default 1 s margin: absent is final from T0 + 6000.
  const table: Array<[string, QueryResult, { server: number; failures: number }, ReservationDecision]> = [
    ['found → the previous worker\'s order, adopted', found, { server: T0 + 10, failures: 0 }, { action: 'adopt' }],
    ['found late → adopted', found, { server: T0 + 9000, failures: 4 }, { action: 'adopt' }],
    ['absent at once → looked up again when the latest timestamp has expired', none, { server: T0 + 10, failures: 0 }, { action: 'requery', delayMs: 5990 }],
    ['absent one ms early → looked up again', none, { server: T0 + 5999, failures: 0 }, { action: 'requery', delayMs: 1 }],
    ['absent past the window → never placed, released', none, { server: T0 + 6000, failures: 0 }, { action: 'release' }],
    ['lookup failed → backoff', failed, { server: T0, failures: 0 }, { action: 'requery', delayMs: 300 }],
    ['lookup failed the fifth time → kept for the next worker', failed, { server: T0, failures: 4 }, { action: 'keep', reason: 'offline' }],
    ['held by the limiter → waits the hold out, not a failure', held(T0 + 2000), { server: T0, failures: 4 }, { action: 'requery', delayMs: 2001 }],
    ['held past the longest wait → kept', held(T0 + 70_000), { server: T0, failures: 0 }, { action: 'keep', reason: 'held' }],
  ];
  it.each(table)('%s', (_name, result, ctx, expected) => {
    expect(decideReservation(result, { serverNowMs: ctx.server, resumedServerMs: T0, recvWindowMs: 5000, failures: ctx.failures, backoffMs: 300 })).toEqual(expected);
  });

  it('are kept, listed and released by the memory store', async () => {
    const store = new MemoryJournalStore();
    await store.reserve(reservationFor(id, 'BTCUSDT', T0));
    expect(await store.reservations()).toEqual([reservationFor(id, 'BTCUSDT', T0)]);
    await store.release([id]);
    expect(await store.reservations()).toEqual([]);
  });
});

/**
 * The soak's audit (scripts/soak/invariants.ts) on hand-made ledgers: each check must fire on the violation it exists
 * for, and stay quiet otherwise.
 *
 * The campaign itself is `npm run soak`; its short run (seed 7, 80 trades, latency and executed timeouts) is part of
 * the end-to-end suite, tests/e2e/soak.test.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  JOURNAL_KEEP_MS,
  checkExactlyOnce,
  checkJournal,
  checkOrphans,
  checkOutcomes,
  checkReplays,
  checkStopGaps,
  exchangeHolds,
  primaryCause,
  type FaultEvent,
  type OrderJournalSnapshot,
  type StampedEntry,
} from '../../scripts/soak/invariants.ts';
import { createEntry, type JournalEntry as OrderJournalEntry } from '../../src/core/journal.ts';
import type { LedgerKind } from '../../sim/server.ts';

/** The audit itself, on hand-made ledgers: each check must fire on the violation it exists for. */
describe('soak audit', () => {
  let seq = 0;
  const at = (wallMs: number, kind: LedgerKind, data: Record<string, unknown>, symbol = 'BTCUSDT'): StampedEntry => ({
    entry: { seq: ++seq, time: wallMs, kind, accountId: 'demo', symbol, data },
    wallMs,
  });
  const stop = (wallMs: number, id: string, side: string, quantity = '0.01'): StampedEntry =>
    at(wallMs, 'algo.placed', { clientAlgoId: id, side, positionSide: 'BOTH', quantity, orderType: 'STOP_MARKET' });
  const pos = (wallMs: number, amt: string): StampedEntry => at(wallMs, 'position', { positionSide: 'BOTH', positionAmt: amt });

  it.each([
    ['stop after 300 ms', [pos(0, '0.01'), stop(300, 'sl-B-1', 'SELL'), pos(5_000, '0')], 0],
    ['stop after 1500 ms', [pos(0, '0.01'), stop(1_500, 'sl-B-1', 'SELL'), pos(5_000, '0')], 1],
    ['a stop on the wrong side does not count', [pos(0, '-0.01'), stop(100, 'sl-B-1', 'SELL'), pos(5_000, '0')], 1],
    ['a stop smaller than the position does not count', [pos(0, '0.02'), stop(100, 'sl-B-1', 'SELL', '0.01'), pos(5_000, '0')], 1],
    ['a stop canceled mid-position opens a gap', [pos(0, '0.01'), stop(100, 'sl-B-1', 'SELL'), at(1_000, 'algo.canceled', { clientAlgoId: 'sl-B-1' }), pos(3_000, '0')], 1],
    ['a second send under a resident stop’s id, refused (-4116), leaves the stop', [pos(0, '0.01'), stop(100, 'sl-B-1', 'SELL'), at(400, 'algo.rejected', { clientAlgoId: 'sl-B-1', code: -4116, msg: 'ClientOrderId is duplicated.' }), pos(3_000, '0')], 0],
    ['a resident stop the exchange ends as REJECTED opens a gap', [pos(0, '0.01'), stop(100, 'sl-B-1', 'SELL'), at(1_000, 'algo.rejected', { algoId: 7, clientAlgoId: 'sl-B-1', reason: 'Reduce Only reject' }), pos(3_000, '0')], 1],
  ] as const)('stop gaps: %s', (_name, ledger, violations) => {
    expect(checkStopGaps(ledger, [], 10_000).violations).toHaveLength(violations);
  });

  describe('stop gaps and the holds the exchange imposed', () => {
    const served = (kind: string, wallMs: number, method: string, path: string, retryAfterSec: number | null) => ({ kind, wallMs, method, path, retryAfterSec });
    it('a 418 ban, or a 429 answered to an order or algo order, is a hold; a 429 on a read or a cancel is not', () => {
      expect(
        exchangeHolds([
          served('ban418', 1_000, 'GET', '/fapi/v3/positionRisk', 2),
          served('rate429', 5_000, 'POST', '/fapi/v1/algoOrder', 1),
          served('rate429', 6_000, 'POST', '/fapi/v1/order', 1),
          served('rate429', 7_000, 'GET', '/fapi/v3/positionRisk', 30),
          served('rate429', 8_000, 'DELETE', '/fapi/v1/algoOrder', 30),
          served('timeout', 9_000, 'POST', '/fapi/v1/algoOrder', null),
        ]).map((h) => [h.fromMs, h.toMs]),
      ).toEqual([
        [1_000, 3_000],
        [5_000, 6_000],
        [6_000, 7_000],
      ]);
    });

    const ban = (atMs: number) => exchangeHolds([served('ban418', atMs, 'POST', '/fapi/v1/algoOrder', 1)]);
    it.each([
      // [case, stop placed at, a 1 s ban from, violations, over 1 s only because of the ban]
      ['the stop 300 ms after a ban that began at the fill', 1_300, 0, 0, 1],
      ['the stop 1,200 ms after a ban that began at the fill', 2_200, 0, 1, 0],
      ['no ban at all', 1_300, null, 1, 0],
      ['naked 800 ms before a ban and 300 ms after it', 2_100, 800, 0, 1],
      ['naked 1,050 ms before the ban', 2_100, 1_050, 1, 0],
    ] as const)('%s', (_case, stopAtMs, banAtMs, violations, onlyInHolds) => {
      const ledger = [pos(0, '0.01'), stop(stopAtMs, 'sl-B-1', 'SELL'), pos(5_000, '0')];
      const out = checkStopGaps(ledger, [], 10_000, 1_000, banAtMs === null ? [] : ban(banAtMs));
      expect(out.violations).toHaveLength(violations);
      expect(out.stats).toMatchObject({ worstRawGapMs: stopAtMs, overBoundOnlyInHolds: onlyInHolds });
    });

    it('names the gap outside the holds and the whole gap', () => {
      const out = checkStopGaps([pos(0, '0.01'), stop(2_100, 'sl-B-1', 'SELL'), pos(5_000, '0')], [], 10_000, 1_000, ban(1_050));
      expect(out.violations[0]).toMatch(/1050 ms without a resident stop outside exchange holds \(2100 ms in all\)/);
    });
  });

  it('orphans: a stop left resident after its position closed is reported, one canceled in time is not', () => {
    const ledger = [pos(0, '0.01'), stop(100, 'sl-B-1', 'SELL'), stop(100, 't1-B-2', 'SELL'), pos(1_000, '0'), at(1_200, 'algo.canceled', { clientAlgoId: 'sl-B-1' })];
    const out = checkOrphans(ledger, [], 30_000, 10_000);
    expect(out.violations).toHaveLength(1);
    expect(out.violations[0]).toContain('t1-B-2');
  });

  it('exactly once: two attempts of one intent that both landed are reported', () => {
    const placed = (id: string): StampedEntry => at(0, 'order.placed', { clientOrderId: id });
    expect(checkExactlyOnce([placed('stk-abc-1'), placed('stk-abc-2')]).violations).toEqual([]);
    expect(checkExactlyOnce([placed('stk-abc-1'), placed('stk-abc-1-1')]).violations).toHaveLength(1);
  });

  it('journal: an entry seen before a restart that is gone at the end, or an answered order with no entry, is reported', () => {
    const e = { seq: 1, atMs: 1, kind: 'order' as const, text: 'BUY', clientId: 'stk-a-1' };
    const answer = { request: 'order.submit' as const, outcome: 'ok' as const, clientOrderId: 'stk-a-1', atMs: 1 };
    expect(checkJournal([[e]], [e], [e], [answer], []).violations).toEqual([]);
    expect(checkJournal([[e]], [], [], [answer], []).violations).toHaveLength(2);
  });

  // ------------------------------------------------------------------------------------------------ browser re-sends

  const placed = (wallMs: number, cid: string, orderId: number, extra: Record<string, unknown> = {}): StampedEntry =>
    at(wallMs, 'order.placed', { clientOrderId: cid, orderId, side: 'BUY', type: 'MARKET', reduceOnly: false, closePosition: false, ...extra });
  const fill = (wallMs: number, cid: string, orderId: number): StampedEntry => at(wallMs, 'fill', { clientOrderId: cid, orderId, qty: '0.01' });
  const fault408 = (wallMs: number, path = '/fapi/v1/order', status = 408): FaultEvent => ({
    kind: 'timeoutExecuted',
    wallMs,
    detail: JSON.stringify({ kind: 'timeout', status, executed: true, match: { method: 'POST', pathPrefix: path } }),
  });

  it.each([
    ['a re-send 40 ms after the first, with a 408 injected before it, is a browser re-send', [placed(1_000, 'stk-a-1', 1), placed(1_040, 'stk-a-1', 2)], [fault408(500)], 0, 1],
    ['the same id twice with no 408 fault is Strike sending it twice', [placed(1_000, 'stk-a-1', 1), placed(1_040, 'stk-a-1', 2)], [], 1, 0],
    ['a 408 on the algo path does not explain a trader order', [placed(1_000, 'stk-a-1', 1), placed(1_040, 'stk-a-1', 2)], [fault408(500, '/fapi/v1/algoOrder')], 1, 0],
    ['a 503 timeout is not re-sent by the browser', [placed(1_000, 'stk-a-1', 1), placed(1_040, 'stk-a-1', 2)], [fault408(500, '/fapi/v1/order', 503)], 1, 0],
    ['the same id 5 s apart is not a re-send even with a 408', [placed(1_000, 'stk-a-1', 1), placed(6_000, 'stk-a-1', 2)], [fault408(500)], 1, 0],
    ['a 408 injected after the first order does not explain it', [placed(1_000, 'stk-a-1', 1), placed(1_040, 'stk-a-1', 2)], [fault408(1_020)], 1, 0],
    ['one 408 explains one re-send only', [placed(1_000, 'stk-a-1', 1), placed(1_040, 'stk-a-1', 2), placed(2_000, 'stk-a-2', 3), placed(2_040, 'stk-a-2', 4)], [fault408(500)], 1, 1],
    ['two attempts of one intent that both landed are Strike\'s', [placed(1_000, 'stk-a-1', 1), placed(9_000, 'stk-a-1-1', 2)], [fault408(500)], 1, 0],
  ] as const)('exactly once: %s', (_name, ledger, faults, violations, reSends) => {
    const out = checkExactlyOnce(ledger, faults);
    expect(out.violations).toHaveLength(violations);
    expect(out.stats['browserReSendsSeparately']).toBe(reSends);
  });

  it('exactly once: a protective id placed twice is reported with how far apart', () => {
    const out = checkExactlyOnce([stop(0, 'sl-BTCUSDT-B-1', 'SELL'), stop(30_000, 'sl-BTCUSDT-B-1', 'SELL')]);
    expect(out.violations).toEqual([expect.stringContaining('placed 2 times, 30 s apart')]);
  });

  it.each([
    [
      'closed at market by the guard 300 ms later',
      [placed(1_000, 'stk-a-1', 1), fill(1_000, 'stk-a-1', 1), placed(1_040, 'stk-a-1', 2), fill(1_040, 'stk-a-1', 2), placed(1_300, 'dup-2', 3, { reduceOnly: true }), fill(1_340, 'dup-2', 3)],
      { violations: 0, how: 'closedByGuard', worst: 300 },
    ],
    [
      'a resting duplicate canceled',
      [placed(1_000, 'stk-a-1', 1), placed(1_040, 'stk-a-1', 2), at(1_500, 'order.canceled', { clientOrderId: 'stk-a-1', orderId: 2 })],
      { violations: 0, how: 'canceled', worst: 460 },
    ],
    [
      'a filled duplicate never undone counts to the end',
      [placed(1_000, 'stk-a-1', 1), fill(1_000, 'stk-a-1', 1), placed(1_040, 'stk-a-1', 2), fill(1_040, 'stk-a-1', 2)],
      { violations: 1, how: null, worst: 8_960 },
    ],
    [
      'a filled duplicate gone only with the trader\'s close 7 s later is too slow',
      [placed(1_000, 'stk-a-1', 1), fill(1_000, 'stk-a-1', 1), placed(1_040, 'stk-a-1', 2), fill(1_040, 'stk-a-1', 2), pos(8_040, '0')],
      { violations: 1, how: 'goneWithPosition', worst: 7_000 },
    ],
    [
      'a closing duplicate is left by design and counted',
      [placed(1_000, 'stk-a-1', 1, { reduceOnly: true }), placed(1_040, 'stk-a-1', 2, { reduceOnly: true })],
      { violations: 0, how: 'closingLeft', worst: 0 },
    ],
  ] as const)('browser re-sends: %s', (_name, ledger, want) => {
    const out = checkReplays(ledger, [fault408(500)], 10_000);
    expect(out.checked).toBe(1);
    expect(out.violations).toHaveLength(want.violations);
    if (want.how !== null) expect(out.stats[want.how]).toBe(1);
    expect(out.stats['worstUndoMs']).toBe(want.worst);
  });

  it('browser re-sends: a protective stop re-sent after its first triggered is not a second placement, and must leave the book', () => {
    const algo = (wallMs: number, algoId: number): StampedEntry => at(wallMs, 'algo.placed', { clientAlgoId: 'sl-BTCUSDT-B-3', algoId, side: 'SELL', positionSide: 'BOTH', quantity: '0.01' });
    const ledger = [algo(1_000, 1), at(1_100, 'algo.triggered', { clientAlgoId: 'sl-BTCUSDT-B-3', algoId: 1 }), algo(1_200, 2)];
    const faults = [fault408(500, '/fapi/v1/algoOrder')];
    expect(checkExactlyOnce(ledger, faults).violations).toEqual([]);
    expect(checkExactlyOnce(ledger, []).violations).toHaveLength(1);
    expect(checkReplays([...ledger, at(3_200, 'algo.canceled', { clientAlgoId: 'sl-BTCUSDT-B-3', algoId: 2 })], faults, 20_000)).toMatchObject({ violations: [], stats: { algoEnded: 1, worstUndoMs: 2_000 } });
    expect(checkReplays(ledger, faults, 20_000).violations).toEqual([expect.stringContaining('still resident at the end')]);
  });

  // ------------------------------------------------------------------------------------------------ outcomes

  const entry = (intentId: string, state: OrderJournalEntry['state'], updatedMs: number): OrderJournalEntry => {
    const created = createEntry({ kind: 'order', id: intentId, symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.01' }, { nowMs: 0, recvWindowMs: 5_000 });
    return { ...created, state, via: 'ws-api', times: { ...created.times, updatedMs } };
  };
  const read = (atMs: number, ...entries: OrderJournalEntry[]): OrderJournalSnapshot => ({ atMs, entries });
  const keep = JOURNAL_KEEP_MS;

  it.each([
    ['filled and still there at the end', [], [entry('a-1', 'filled', 1_000)], 0, 0],
    ['filled, seen, pruned after its keep time', [read(5_000, entry('a-1', 'filled', 1_000))], [], 0, 1],
    ['filled, seen, gone before its keep time', [read(5_000, entry('a-1', 'filled', 1_000)), read(keep / 2, entry('b-1', 'filled', 2_000))], [entry('b-1', 'filled', 2_000)], 1, 0],
    ['last seen sent, then gone', [read(5_000, entry('a-1', 'sent', 1_000))], [], 1, 0],
    ['ended unknown', [], [entry('a-1', 'unknown', 1_000)], 1, 0],
    ['on the exchange, never in any read', [], [], 1, 0],
  ] as const)('outcomes: %s', (_name, reads, final, violations, pruned) => {
    const ledger = [placed(1_000, 'stk-a-1', 1)];
    const out = checkOutcomes(ledger, final, [], reads, keep + 10_000);
    expect(out.violations).toHaveLength(violations);
    expect(out.stats['prunedAfterSettling']).toBe(pruned);
  });

  it('outcomes: an entry pruned early is fine only when the journal then held keepMax settled entries no older', () => {
    const ledger = [placed(1_000, 'stk-a-1', 1)];
    const newer = (n: number, state: OrderJournalEntry['state'] = 'filled') => Array.from({ length: n }, (_, i) => entry(`n-${i}`, state, 2_000 + i));
    const early = (entries: OrderJournalEntry[]) => checkOutcomes(ledger, entries, [], [read(5_000, entry('a-1', 'filled', 1_000))], 60_000, keep, 3);
    expect(early(newer(3)).violations).toEqual([]);
    expect(early(newer(3)).stats['prunedAfterSettling']).toBe(1);
    expect(early(newer(2)).violations).toEqual([expect.stringContaining('with 2 newer settled entries')]);
    // One updated in the same millisecond counts: the journal keeps the newest by last update, ties in either order.
    expect(early([...newer(2), entry('tie', 'filled', 1_000)]).violations).toEqual([]);
    // Entries that may still need reconciling are never pruned, so they do not count.
    expect(early([...newer(2), ...newer(1, 'sent').map((e) => ({ ...e, intentId: 'x-1' }))]).violations).toHaveLength(2);
  });

  it('outcomes: an answered order that no read of the journal held is reported', () => {
    const answer = { request: 'order.submit' as const, outcome: 'ok' as const, clientOrderId: 'stk-z-9', atMs: 1 };
    expect(checkOutcomes([], [], [answer]).violations).toEqual([expect.stringContaining('stk-z-9')]);
    expect(checkOutcomes([], [], [answer], [read(5, entry('z-9', 'filled', 1))], keep + 10).violations).toEqual([]);
  });

  // ------------------------------------------------------------------------------------------------ journal query

  it('journal: answers are checked against the whole journal; journal.query must return its newest matches', () => {
    const entries = Array.from({ length: 3 }, (_, i) => ({ seq: i + 1, atMs: i, kind: 'order' as const, text: 'BUY', clientId: `stk-a-${i + 1}` }));
    const answer = { request: 'order.submit' as const, outcome: 'ok' as const, clientOrderId: 'stk-a-1', atMs: 1 };
    const newestFirst = [...entries].reverse();
    expect(checkJournal([], entries, newestFirst, [answer], []).violations).toEqual([]);
    // The query answered from a later journal (one entry more) still passes.
    const later = { seq: 4, atMs: 4, kind: 'order' as const, text: 'SELL', clientId: 'stk-a-4' };
    expect(checkJournal([], entries, [later, ...newestFirst], [answer], []).violations).toEqual([]);
    // Answers do not depend on what the query returned; a query missing its newest entry is reported.
    expect(checkJournal([], entries, newestFirst.slice(1), [answer], []).violations).toEqual([expect.stringContaining('journal.query')]);
  });

  it('stop gaps: violations are bucketed by the faults injected just before the gap began', () => {
    const faults: FaultEvent[] = [
      { kind: 'workerStop', wallMs: -500, detail: '#1' },
      { kind: 'wsDrop', wallMs: -200, detail: '{"kind":"wsDrop","pathPrefix":"/private"}' },
      { kind: 'trader flatten', wallMs: 0, detail: 'ok' },
    ];
    const ledger = [pos(0, '0.01'), stop(2_000, 'sl-B-1', 'SELL'), pos(5_000, '0')];
    expect(checkStopGaps(ledger, faults, 10_000).stats).toMatchObject({ 'cause:workerStop': 1 });
    expect(checkStopGaps(ledger, faults.slice(1), 10_000).stats).toMatchObject({ 'cause:wsDrop /private': 1 });
    expect(checkStopGaps(ledger, [{ kind: 'trader flatten', wallMs: 0, detail: 'error INTERNAL' }, ...faults], 10_000).stats).toMatchObject({ 'cause:INTERNAL': 1 });
    expect(checkStopGaps(ledger, [], 10_000).stats).toMatchObject({ 'cause:none': 1 });
  });

  it.each([
    [['none'], 'none'],
    [['clockSkew', 'latency'], 'other'],
    [['ban418', 'rate429', 'workerStop'], 'workerStop'],
    [['http5xx', 'wsDrop /private'], 'wsDrop /private'],
    [['INTERNAL', 'workerStop'], 'INTERNAL'],
  ] as const)('primary cause of %j is %s', (causes, want) => {
    expect(primaryCause(causes)).toBe(want);
  });
});

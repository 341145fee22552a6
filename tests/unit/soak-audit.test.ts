/**
 * The soak's audit (scripts/soak/invariants.ts) on hand-made ledgers: each check must fire on the violation it exists
 * for, and stay quiet otherwise.
 *
 * The campaign itself is `npm run soak`; its short run (seed 7, 80 trades, latency and executed timeouts) is part of
 * the end-to-end suite, tests/e2e/soak.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { checkExactlyOnce, checkJournal, checkOrphans, checkStopGaps, type StampedEntry } from '../../scripts/soak/invariants.ts';
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
  ] as const)('stop gaps: %s', (_name, ledger, violations) => {
    expect(checkStopGaps(ledger, [], 10_000).violations).toHaveLength(violations);
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
});

import { describe, expect, it } from 'vitest';
import { ReplayGuard } from '../../src/background/trading/replay-guard.ts';
import type { OrderTradeUpdate } from '../../src/background/exchange/schemas.ts';

const update = (c: string, i: number, X: string, z: string, S: 'BUY' | 'SELL' = 'BUY', ps = 'BOTH', R = false): OrderTradeUpdate => ({
  e: 'ORDER_TRADE_UPDATE',
  E: 1,
  T: 1,
  o: { s: 'BTCUSDT', c, S, o: 'MARKET', q: '0.01', p: '0', ap: '0', x: X === 'NEW' ? 'NEW' : 'TRADE', X, i, l: z, z, L: '50000', T: 1, ps, R },
});

describe('ReplayGuard', () => {
  const ours = (c: string) => c.startsWith('stk-');

  it('ignores the first order of a client id, its later updates, and ids that are not ours', () => {
    const g = new ReplayGuard(ours);
    expect(g.observe(update('stk-a-1', 1, 'NEW', '0'))).toBeNull();
    expect(g.observe(update('stk-a-1', 1, 'FILLED', '0.01'))).toBeNull();
    expect(g.observe(update('sl-BTCUSDT-B-1', 7, 'NEW', '0'))).toBeNull();
    expect(g.observe(update('sl-BTCUSDT-B-1', 8, 'NEW', '0'))).toBeNull();
  });

  it('closes what a second order under the same client id filled, once, on the opposite side', () => {
    const g = new ReplayGuard(ours);
    g.observe(update('stk-a-1', 1, 'FILLED', '0.01'));
    expect(g.observe(update('stk-a-1', 2, 'FILLED', '0.01'))).toEqual({
      kind: 'close', symbol: 'BTCUSDT', side: 'SELL', positionSide: 'BOTH', quantity: '0.01', orderId: '2', clientOrderId: 'stk-a-1',
    });
    expect(g.observe(update('stk-a-1', 2, 'FILLED', '0.01'))).toBeNull();
  });

  it('cancels a resting duplicate first, then closes only what it had filled', () => {
    const g = new ReplayGuard(ours);
    g.observe(update('stk-b-1', 10, 'NEW', '0', 'SELL', 'SHORT'));
    expect(g.observe(update('stk-b-1', 11, 'NEW', '0', 'SELL', 'SHORT'))).toMatchObject({ kind: 'cancel', orderId: '11' });
    expect(g.observe(update('stk-b-1', 11, 'PARTIALLY_FILLED', '0.004', 'SELL', 'SHORT'))).toBeNull();
    expect(g.observe(update('stk-b-1', 11, 'CANCELED', '0.004', 'SELL', 'SHORT'))).toMatchObject({ kind: 'close', side: 'BUY', positionSide: 'SHORT', quantity: '0.004' });
  });

  it('has nothing to close when the duplicate filled nothing', () => {
    const g = new ReplayGuard(ours);
    g.observe(update('stk-c-1', 20, 'FILLED', '0.01'));
    expect(g.observe(update('stk-c-1', 21, 'EXPIRED', '0'))).toBeNull();
  });

  // The soak's case: a reduce-only close answered 408 and re-sent by the browser executes again and closes the
  // position the trader opened since. Undoing that would re-open it: nothing is sent, the trader is told.
  it.each([
    ['one-way reduce-only SELL', 'SELL', 'BOTH', true],
    ['one-way reduce-only BUY', 'BUY', 'BOTH', true],
    ['hedge SELL on LONG', 'SELL', 'LONG', false],
    ['hedge BUY on SHORT', 'BUY', 'SHORT', false],
  ] as const)('a duplicate closing order (%s) is reported as flattened, never reversed', (_name, side, ps, reduceOnly) => {
    const g = new ReplayGuard(ours);
    g.observe(update('stk-d-1', 30, 'FILLED', '0.01', side, ps, reduceOnly));
    expect(g.observe(update('stk-d-1', 31, 'FILLED', '0.01', side, ps, reduceOnly))).toEqual({
      kind: 'flattened', symbol: 'BTCUSDT', side, positionSide: ps, quantity: '0.01', orderId: '31', clientOrderId: 'stk-d-1',
    });
  });

  it('a duplicate opening order in hedge mode (BUY on LONG) is still closed', () => {
    const g = new ReplayGuard(ours);
    g.observe(update('stk-e-1', 40, 'FILLED', '0.01', 'BUY', 'LONG'));
    expect(g.observe(update('stk-e-1', 41, 'FILLED', '0.01', 'BUY', 'LONG'))).toMatchObject({ kind: 'close', side: 'SELL', positionSide: 'LONG' });
  });

  it('knows which of our orders the stream has shown executing', () => {
    const g = new ReplayGuard(ours);
    g.observe(update('stk-f-1', 50, 'NEW', '0'));
    expect(g.sawTrade('stk-f-1')).toBe(false);
    g.observe(update('stk-f-1', 50, 'FILLED', '0.01'));
    expect(g.sawTrade('stk-f-1')).toBe(true);
    expect(g.sawTrade('stk-g-1')).toBe(false);
  });
});

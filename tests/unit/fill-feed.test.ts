/**
 * FillFeed (src/background/trading/protection-events.ts): an order's fills reach the protector from its answer and
 * from the user stream, and each is counted once, whichever comes first.
 */
import { describe, expect, it } from 'vitest';
import { FillFeed, protectionEventsFrom } from '../../src/background/trading/protection-events.ts';
import type { AccountUpdate, Order, OrderTradeUpdate } from '../../src/background/exchange/schemas.ts';

const trade = (c: string, l: string, z: string, L: string, T = 1_000, ps = 'BOTH'): OrderTradeUpdate => ({
  e: 'ORDER_TRADE_UPDATE',
  E: T,
  T,
  o: { s: 'BTCUSDT', c, S: 'BUY', o: 'MARKET', q: '0.03', p: '0', ap: L, x: 'TRADE', X: z === '0.03' ? 'FILLED' : 'PARTIALLY_FILLED', i: 7, l, z, L, T, ps },
});

const answer = (c: string, executedQty: string, cumQuote: string | undefined, avgPrice: string, updateTime = 1_000): Order => ({
  orderId: 7,
  symbol: 'BTCUSDT',
  status: executedQty === '0.03' ? 'FILLED' : executedQty === '0' ? 'NEW' : 'PARTIALLY_FILLED',
  clientOrderId: c,
  price: '0',
  avgPrice,
  origQty: '0.03',
  executedQty,
  ...(cumQuote === undefined ? {} : { cumQuote }),
  timeInForce: 'GTC',
  type: 'MARKET',
  reduceOnly: false,
  side: 'BUY',
  positionSide: 'BOTH',
  updateTime,
});

const fill = (qty: string, price: string, atMs = 1_000) => ({ type: 'fill', symbol: 'BTCUSDT', positionSide: 'BOTH', side: 'BUY', qty, price, atMs });

describe('FillFeed', () => {
  it('stream only: each trade is counted at its own price', () => {
    const f = new FillFeed();
    expect(f.fromTrade(trade('stk-a', '0.01', '0.01', '50000'))).toEqual(fill('0.01', '50000'));
    expect(f.fromTrade(trade('stk-a', '0.02', '0.03', '50010', 1_001))).toEqual(fill('0.02', '50010', 1_001));
    // The same trade pushed again is not counted again.
    expect(f.fromTrade(trade('stk-a', '0.02', '0.03', '50010', 1_001))).toBeNull();
  });

  it('the answer first: counted from it at its average cost, and the stream’s trades of the same fills are not', () => {
    const f = new FillFeed();
    expect(f.fromAnswer(answer('stk-b', '0.03', '1500.2', '50006.66', 1_005), 0)).toEqual(fill('0.03', '50006.666666667', 1_005));
    expect(f.fromTrade(trade('stk-b', '0.01', '0.01', '50000'))).toBeNull();
    expect(f.fromTrade(trade('stk-b', '0.02', '0.03', '50010'))).toBeNull();
    expect(f.fromAnswer(answer('stk-b', '0.03', '1500.2', '50006.66'), 0)).toBeNull();
  });

  it('part on the stream, then the answer: only the rest, priced from the quote not yet counted', () => {
    const f = new FillFeed();
    expect(f.fromTrade(trade('stk-c', '0.01', '0.01', '50000'))).toEqual(fill('0.01', '50000'));
    expect(f.fromAnswer(answer('stk-c', '0.03', '1500.2', '50006.66'), 0)).toEqual(fill('0.02', '50010'));
    expect(f.fromTrade(trade('stk-c', '0.02', '0.03', '50010'))).toBeNull();
  });

  it('a resting order’s answer (nothing filled) counts nothing; its trades later come from the stream', () => {
    const f = new FillFeed();
    expect(f.fromAnswer(answer('stk-d', '0', '0', '0'), 0)).toBeNull();
    expect(f.fromTrade(trade('stk-d', '0.03', '0.03', '49990'))).toEqual(fill('0.03', '49990'));
  });

  it('after stream trades, an answer without its quote is left to the stream rather than priced by guess', () => {
    const f = new FillFeed();
    f.fromTrade(trade('stk-e', '0.01', '0.01', '50000'));
    expect(f.fromAnswer(answer('stk-e', '0.03', undefined, '50006.66'), 0)).toBeNull();
    expect(f.fromTrade(trade('stk-e', '0.02', '0.03', '50010'))).toEqual(fill('0.02', '50010'));
  });

  it('a trade after missed ones counts the whole cumulative rest, at its price', () => {
    const f = new FillFeed();
    expect(f.fromTrade(trade('stk-f', '0.01', '0.03', '50010'))).toEqual(fill('0.03', '50010'));
  });

  it('carries hedge position sides through, and reaches the protector through protectionEventsFrom', () => {
    const f = new FillFeed();
    expect(protectionEventsFrom(trade('stk-g', '0.01', '0.01', '50000', 1_000, 'LONG'), f, 0)).toEqual([{ ...fill('0.01', '50000'), positionSide: 'LONG' }]);
    expect(protectionEventsFrom(trade('stk-g', '0.01', '0.01', '50000', 1_000, 'LONG'), f, 0)).toEqual([]);
  });

  describe('stream position reports older than a fill counted from an answer', () => {
    const account = (pa: string, T = 1_000): AccountUpdate => ({
      e: 'ACCOUNT_UPDATE',
      E: T,
      T,
      a: { m: 'ORDER', B: [], P: [{ s: 'BTCUSDT', pa, ep: '50000', up: '0', mt: 'cross', ps: 'BOTH' }] },
    });
    const positions = (f: FillFeed, pa: string, nowMs: number) => protectionEventsFrom(account(pa), f, nowMs).map((e) => (e.type === 'position' ? e.amount : e.type));

    it('are left out until the stream has pushed that order’s trade, then pass again', () => {
      const f = new FillFeed();
      f.fromTrade(trade('stk-a', '0.01', '0.01', '50000'));
      expect(positions(f, '0.01', 0)).toEqual(['0.01']);
      // B's answer (0.02 filled) comes before the stream has even reported A's position: that report is behind.
      f.fromAnswer({ ...answer('stk-b', '0.02', '1000', '50000'), origQty: '0.02' }, 10);
      expect(positions(f, '0.01', 11)).toEqual([]);
      // B's trade arrives (already counted), and the report after it is B's own.
      expect(f.fromTrade(trade('stk-b', '0.02', '0.02', '50000'))).toBeNull();
      expect(positions(f, '0.03', 12)).toEqual(['0.03']);
    });

    it('are held back at most 250 ms: a stream that lost the trade never sends it', () => {
      const f = new FillFeed();
      f.fromAnswer(answer('stk-c', '0.03', '1500', '50000'), 0);
      expect(positions(f, '0', 250)).toEqual([]);
      expect(positions(f, '0.03', 251)).toEqual(['0.03']);
    });

    it('a partial trade does not catch up with a larger answer, and other positions are not held back', () => {
      const f = new FillFeed();
      f.fromAnswer(answer('stk-d', '0.03', '1500', '50000'), 0);
      f.fromTrade(trade('stk-d', '0.01', '0.01', '50000'));
      expect(positions(f, '0.01', 5)).toEqual([]);
      const other: AccountUpdate = { ...account('1'), a: { m: 'ORDER', B: [], P: [{ s: 'ETHUSDT', pa: '1', ep: '3000', up: '0', mt: 'cross', ps: 'BOTH' }] } };
      expect(protectionEventsFrom(other, f, 5)).toHaveLength(1);
    });
  });
});

/**
 * FillFeed (src/background/trading/protection-events.ts): an order's fills reach the protector from its answer and
 * from the user stream, and each is counted once, whichever comes first.
 */
import { describe, expect, it } from 'vitest';
import { FillFeed, protectionEventsFrom } from '../../src/background/trading/protection-events.ts';
import type { Order, OrderTradeUpdate } from '../../src/background/exchange/schemas.ts';

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
    expect(f.fromAnswer(answer('stk-b', '0.03', '1500.2', '50006.66', 1_005))).toEqual(fill('0.03', '50006.666666667', 1_005));
    expect(f.fromTrade(trade('stk-b', '0.01', '0.01', '50000'))).toBeNull();
    expect(f.fromTrade(trade('stk-b', '0.02', '0.03', '50010'))).toBeNull();
    expect(f.fromAnswer(answer('stk-b', '0.03', '1500.2', '50006.66'))).toBeNull();
  });

  it('part on the stream, then the answer: only the rest, priced from the quote not yet counted', () => {
    const f = new FillFeed();
    expect(f.fromTrade(trade('stk-c', '0.01', '0.01', '50000'))).toEqual(fill('0.01', '50000'));
    expect(f.fromAnswer(answer('stk-c', '0.03', '1500.2', '50006.66'))).toEqual(fill('0.02', '50010'));
    expect(f.fromTrade(trade('stk-c', '0.02', '0.03', '50010'))).toBeNull();
  });

  it('a resting order’s answer (nothing filled) counts nothing; its trades later come from the stream', () => {
    const f = new FillFeed();
    expect(f.fromAnswer(answer('stk-d', '0', '0', '0'))).toBeNull();
    expect(f.fromTrade(trade('stk-d', '0.03', '0.03', '49990'))).toEqual(fill('0.03', '49990'));
  });

  it('after stream trades, an answer without its quote is left to the stream rather than priced by guess', () => {
    const f = new FillFeed();
    f.fromTrade(trade('stk-e', '0.01', '0.01', '50000'));
    expect(f.fromAnswer(answer('stk-e', '0.03', undefined, '50006.66'))).toBeNull();
    expect(f.fromTrade(trade('stk-e', '0.02', '0.03', '50010'))).toEqual(fill('0.02', '50010'));
  });

  it('a trade after missed ones counts the whole cumulative rest, at its price', () => {
    const f = new FillFeed();
    expect(f.fromTrade(trade('stk-f', '0.01', '0.03', '50010'))).toEqual(fill('0.03', '50010'));
  });

  it('carries hedge position sides through, and reaches the protector through protectionEventsFrom', () => {
    const f = new FillFeed();
    expect(protectionEventsFrom(trade('stk-g', '0.01', '0.01', '50000', 1_000, 'LONG'), f)).toEqual([{ ...fill('0.01', '50000'), positionSide: 'LONG' }]);
    expect(protectionEventsFrom(trade('stk-g', '0.01', '0.01', '50000', 1_000, 'LONG'), f)).toEqual([]);
  });
});

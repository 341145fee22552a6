/**
 * The rolling 24 h statistics behind `GET /fapi/v1/ticker/24hr`, `@ticker` and `@miniTicker` (added so ccxt's
 * fetchTicker/watchTicker work, see third-party-ccxt.test.ts): window edges with explicit exchange times.
 */
import { describe, expect, it } from 'vitest';
import { miniTickerEvent, Stats24h, tickerEvent } from '../../sim/engine/stats24h.ts';

const MIN = 60_000;
const DAY = 86_400_000;
const T0 = 1_800_000_000_000; // a whole minute

describe('Stats24h', () => {
  it('with no trade in the window: every price is the last price, volumes 0, ids -1', () => {
    const s = new Stats24h('BTCUSDT');
    expect(s.snapshot(T0, '50000')).toEqual({
      symbol: 'BTCUSDT', priceChange: '0', priceChangePercent: '0', weightedAvgPrice: '0', lastPrice: '50000', lastQty: '0',
      openPrice: '50000', highPrice: '50000', lowPrice: '50000', volume: '0', quoteVolume: '0', openTime: T0 - DAY, closeTime: T0,
      firstId: -1, lastId: -1, count: 0,
    });
  });

  it('open = first trade, last = latest, high/low/volumes/VWAP over every trade, ids and times at the ends', () => {
    const s = new Stats24h('BTCUSDT');
    s.record(T0 + 1, '50000', '0.1', 11);
    s.record(T0 + 2, '50500', '0.2', 12);
    s.record(T0 + MIN + 5, '49000', '0.1', 13);
    s.record(T0 + 2 * MIN, '51000', '0.1', 14);
    const t = s.snapshot(T0 + 2 * MIN + 1, '51000');
    // quote volume 5000 + 10100 + 4900 + 5100 = 25100 over 0.5 → VWAP 50200; change +1000 on 50000 = 2 %.
    expect(t).toEqual({
      symbol: 'BTCUSDT', priceChange: '1000', priceChangePercent: '2', weightedAvgPrice: '50200', lastPrice: '51000', lastQty: '0.1',
      openPrice: '50000', highPrice: '51000', lowPrice: '49000', volume: '0.5', quoteVolume: '25100', openTime: T0 + 1, closeTime: T0 + 2 * MIN,
      firstId: 11, lastId: 14, count: 4,
    });
    expect(tickerEvent(t, 7)).toMatchObject({ e: '24hrTicker', E: 7, s: 'BTCUSDT', p: '1000', P: '2', w: '50200', c: '51000', Q: '0.1', o: '50000', h: '51000', l: '49000', v: '0.5', q: '25100', O: T0 + 1, C: T0 + 2 * MIN, F: 11, L: 14, n: 4 });
    expect(miniTickerEvent(t, 7)).toEqual({ e: '24hrMiniTicker', E: 7, s: 'BTCUSDT', c: '51000', o: '50000', h: '51000', l: '49000', v: '0.5', q: '25100' });
  });

  it.each([
    ['minute bucket still inside the window', T0 + DAY + MIN - 1, 2],
    ['first minute bucket has ended before the window', T0 + DAY + MIN, 1],
    ['both buckets have left the window', T0 + DAY + 2 * MIN, 0],
  ])('%s', (_name, now, count) => {
    const s = new Stats24h('ETHUSDT');
    s.record(T0, '3000', '1', 1);
    s.record(T0 + MIN, '3100', '1', 2);
    expect(s.snapshot(now, '3100').count).toBe(count);
  });

  it('priceChangePercent keeps three decimals, as Binance prints it', () => {
    const s = new Stats24h('BTCUSDT');
    s.record(T0, '30000', '1', 1);
    s.record(T0 + 1, '30001', '1', 2);
    expect(s.snapshot(T0 + 2, '30001').priceChangePercent).toBe('0.003');
  });
});

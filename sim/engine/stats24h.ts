/**
 * Rolling 24-hour trade statistics of one symbol, for `GET /fapi/v1/ticker/24hr` and the `<symbol>@ticker` and
 * `<symbol>@miniTicker` streams (Binance USDⓈ-M docs "24hr Ticker Price Change Statistics", "Individual Symbol
 * Ticker Streams", "Individual Symbol Mini Ticker Stream"; ccxt's fetchTicker/watchTicker read them). Trades are
 * kept in one-minute buckets, so the window start is exact to the minute: memory stays at most 1 441 buckets per
 * symbol however fast the market ticks.
 */
import { add, div, gt, isZero, lt, mul, sub } from '../../src/shared/decimal.ts';

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

interface Bucket {
  readonly minute: number;
  readonly open: string;
  high: string;
  low: string;
  close: string;
  lastQty: string;
  volume: string;
  quoteVolume: string;
  count: number;
  readonly firstId: number;
  lastId: number;
  readonly firstTime: number;
  lastTime: number;
}

/** The REST field set of `GET /fapi/v1/ticker/24hr` (prices and volumes as strings, ids and times as integers). */
export interface Ticker24h {
  readonly symbol: string;
  readonly priceChange: string;
  readonly priceChangePercent: string;
  readonly weightedAvgPrice: string;
  readonly lastPrice: string;
  readonly lastQty: string;
  readonly openPrice: string;
  readonly highPrice: string;
  readonly lowPrice: string;
  readonly volume: string;
  readonly quoteVolume: string;
  readonly openTime: number;
  readonly closeTime: number;
  readonly firstId: number;
  readonly lastId: number;
  readonly count: number;
}

export class Stats24h {
  private buckets: Bucket[] = [];
  /** Exchange time of the last `<symbol>@ticker` push (the stream updates every 2000 ms). */
  lastPushAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly symbol: string) {}

  /** Adds one trade (market tape or a user fill) at exchange time `now`. */
  record(now: number, price: string, qty: string, tradeId: number): void {
    const minute = Math.floor(now / MINUTE_MS);
    const last = this.buckets[this.buckets.length - 1];
    const quote = mul(price, qty);
    if (last === undefined || last.minute !== minute) {
      this.buckets.push({ minute, open: price, high: price, low: price, close: price, lastQty: qty, volume: qty, quoteVolume: quote, count: 1, firstId: tradeId, lastId: tradeId, firstTime: now, lastTime: now });
      this.prune(now);
      return;
    }
    if (gt(price, last.high)) last.high = price;
    if (lt(price, last.low)) last.low = price;
    last.close = price;
    last.lastQty = qty;
    last.volume = add(last.volume, qty);
    last.quoteVolume = add(last.quoteVolume, quote);
    last.count += 1;
    last.lastId = tradeId;
    last.lastTime = now;
  }

  /**
   * Statistics over the trades of the last 24 h. With no trade in the window every price is the current `last`,
   * volumes are 0 and the ids are -1 (Binance's "no trade" id).
   */
  snapshot(now: number, last: string): Ticker24h {
    this.prune(now);
    const first = this.buckets[0];
    const end = this.buckets[this.buckets.length - 1];
    if (first === undefined || end === undefined) {
      return {
        symbol: this.symbol, priceChange: '0', priceChangePercent: '0', weightedAvgPrice: '0', lastPrice: last, lastQty: '0',
        openPrice: last, highPrice: last, lowPrice: last, volume: '0', quoteVolume: '0', openTime: now - DAY_MS, closeTime: now,
        firstId: -1, lastId: -1, count: 0,
      };
    }
    let { high, low } = first;
    let volume = '0';
    let quoteVolume = '0';
    let count = 0;
    for (const b of this.buckets) {
      if (gt(b.high, high)) high = b.high;
      if (lt(b.low, low)) low = b.low;
      volume = add(volume, b.volume);
      quoteVolume = add(quoteVolume, b.quoteVolume);
      count += b.count;
    }
    const change = sub(end.close, first.open);
    return {
      symbol: this.symbol,
      priceChange: change,
      // Percent with 3 decimals, as in Binance's example ("-95.960").
      priceChangePercent: div(mul(change, '100'), first.open, 3),
      weightedAvgPrice: isZero(volume) ? '0' : div(quoteVolume, volume, 8),
      lastPrice: end.close,
      lastQty: end.lastQty,
      openPrice: first.open,
      highPrice: high,
      lowPrice: low,
      volume,
      quoteVolume,
      openTime: first.firstTime,
      closeTime: end.lastTime,
      firstId: first.firstId,
      lastId: end.lastId,
      count,
    };
  }

  /** Drops buckets that ended before the 24 h window. */
  private prune(now: number): void {
    const start = now - DAY_MS;
    let drop = 0;
    while (drop < this.buckets.length && ((this.buckets[drop]?.minute ?? 0) + 1) * MINUTE_MS <= start) drop++;
    if (drop > 0) this.buckets = this.buckets.slice(drop);
  }
}

/** The `<symbol>@ticker` payload (`e: "24hrTicker"`) built from the same statistics. */
export function tickerEvent(t: Ticker24h, now: number): Record<string, unknown> {
  return {
    e: '24hrTicker', E: now, s: t.symbol, p: t.priceChange, P: t.priceChangePercent, w: t.weightedAvgPrice, c: t.lastPrice,
    Q: t.lastQty, o: t.openPrice, h: t.highPrice, l: t.lowPrice, v: t.volume, q: t.quoteVolume, O: t.openTime, C: t.closeTime,
    F: t.firstId, L: t.lastId, n: t.count,
  };
}

/** The `<symbol>@miniTicker` payload (`e: "24hrMiniTicker"`): last, open, high, low and both volumes. */
export function miniTickerEvent(t: Ticker24h, now: number): Record<string, unknown> {
  return { e: '24hrMiniTicker', E: now, s: t.symbol, c: t.lastPrice, o: t.openPrice, h: t.highPrice, l: t.lowPrice, v: t.volume, q: t.quoteVolume };
}

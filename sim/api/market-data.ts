/** Public market-data endpoints (fact sheet §3): ping, time, exchangeInfo, prices, 24 h ticker, book ticker, depth, premiumIndex. */
import type { Endpoint } from '../contracts.ts';
import { E } from '../engine/errors.ts';
import type { SymbolMarket } from '../engine/market.ts';
import { exchangeInfoSymbol } from '../engine/symbols.ts';
import { endpoint, type ApiDeps } from './context.ts';
import { fail, opt, optInt, type Params } from './params.ts';

const bySymbol = (p: Params, w1: number, wAll: number): number => (opt(p, 'symbol') === null ? wAll : w1);

export function marketEndpoints(d: ApiDeps): Record<string, Endpoint> {
  const market = (p: Params): SymbolMarket[] => {
    const s = opt(p, 'symbol');
    const all = [...d.engine().market.bySymbol.values()];
    if (s === null) return all;
    const m = d.engine().market.get(s);
    return m ? [m] : fail(E.badSymbol());
  };
  const one = <T>(p: Params, f: (m: SymbolMarket) => T): T | T[] => {
    const list = market(p).map(f);
    return opt(p, 'symbol') === null ? list : (list[0] as T);
  };
  const nextFunding = (now: number): number => Math.ceil((now + 1) / 28_800_000) * 28_800_000;
  const ticker = endpoint('NONE', (p) => bySymbol(p, 1, 2), false, (ctx) =>
    one(ctx.params, (m) => ({ symbol: m.spec.symbol, price: m.last, time: ctx.nowMs })),
  );
  return {
    'GET /fapi/v1/ping': endpoint('NONE', 1, false, () => ({})),
    'GET /fapi/v1/time': endpoint('NONE', 1, false, (ctx) => ({ serverTime: ctx.nowMs })),
    'GET /fapi/v1/exchangeInfo': endpoint('NONE', 1, false, (ctx) => {
      const l = d.limits();
      return {
        timezone: 'UTC',
        serverTime: ctx.nowMs,
        futuresType: 'U_MARGINED',
        rateLimits: [
          { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: l.weight1m },
          { rateLimitType: 'ORDERS', interval: 'MINUTE', intervalNum: 1, limit: l.orders1m },
          { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: l.orders10s },
        ],
        exchangeFilters: [],
        assets: [{ asset: 'USDT', marginAvailable: true, autoAssetExchange: '-10000' }],
        symbols: [...d.engine().specs.values()].map(exchangeInfoSymbol),
      };
    }),
    'GET /fapi/v1/ticker/price': ticker,
    'GET /fapi/v2/ticker/price': ticker,
    // 24 h rolling statistics (Binance USDⓈ-M docs "24hr Ticker Price Change Statistics": weight 1 with symbol,
    // 40 without); ccxt's fetchTicker/fetchTickers call it.
    'GET /fapi/v1/ticker/24hr': endpoint('NONE', (p) => bySymbol(p, 1, 40), false, (ctx) =>
      one(ctx.params, (m) => m.day.snapshot(ctx.nowMs, m.last)),
    ),
    'GET /fapi/v1/premiumIndex': endpoint('NONE', (p) => bySymbol(p, 1, 10), false, (ctx) =>
      one(ctx.params, (m) => ({
        symbol: m.spec.symbol, markPrice: m.mark, indexPrice: m.last, estimatedSettlePrice: m.mark, lastFundingRate: '0.00010000',
        interestRate: '0.00010000', nextFundingTime: nextFunding(ctx.nowMs), time: ctx.nowMs,
      })),
    ),
    'GET /fapi/v1/ticker/bookTicker': endpoint('NONE', (p) => bySymbol(p, 2, 5), false, (ctx) =>
      one(ctx.params, (m) => {
        const { bid, ask } = d.engine().market.top(m);
        return { symbol: m.spec.symbol, bidPrice: bid[0], bidQty: bid[1], askPrice: ask[0], askQty: ask[1], time: ctx.nowMs, lastUpdateId: m.updateId };
      }),
    ),
    'GET /fapi/v1/depth': endpoint('NONE', (p) => depthWeight(p), false, (ctx) => {
      if (opt(ctx.params, 'symbol') === null) fail(E.mandatory('symbol'));
      const m = market(ctx.params)[0];
      if (!m) return fail(E.badSymbol());
      const limit = optInt(ctx.params, 'limit') ?? 500;
      if (![5, 10, 20, 50, 100, 500, 1000].includes(limit)) fail(E.badValue('limit'));
      const mk = d.engine().market;
      return { lastUpdateId: m.updateId, E: ctx.nowMs, T: ctx.nowMs, bids: mk.levels(m, 'bid', limit), asks: mk.levels(m, 'ask', limit) };
    }),
  };
}

/** Depth weight by limit: 5–50 → 2, 100 → 5, 500 → 10, 1000 → 20 (fact sheet §3). */
function depthWeight(p: Params): number {
  const limit = Number(opt(p, 'limit') ?? '500');
  return limit <= 50 ? 2 : limit <= 100 ? 5 : limit <= 500 ? 10 : 20;
}

/** Account, position, configuration and user-stream endpoints (fact sheet §3, §8). */
import type { Endpoint } from '../contracts.ts';
import type { Engine } from '../engine/engine.ts';
import { E } from '../engine/errors.ts';
import { FEES } from '../engine/engine.ts';
import { configOf } from '../engine/margin.ts';
import { maxNotionalFor } from '../engine/symbols.ts';
import { accountOf, endpoint, type ApiDeps } from './context.ts';
import { fail, opt, req, reqEnum } from './params.ts';
import { symbolParam } from './trade.ts';
import { accountView, balanceView, positionRiskView } from './views.ts';

export function accountEndpoints(d: ApiDeps): Record<string, Endpoint> {
  const eng = (): Engine => d.engine();
  const optSymbol = (p: Readonly<Record<string, string>>): string | null => (opt(p, 'symbol') === null ? null : symbolParam(eng(), p));
  const success = { code: 200, msg: 'success' };
  return {
    'GET /fapi/v2/positionRisk': endpoint('USER_DATA', 5, false, (ctx) => positionRiskView(eng(), eng().account(accountOf(ctx)), optSymbol(ctx.params), false)),
    'GET /fapi/v3/positionRisk': endpoint('USER_DATA', 5, false, (ctx) => positionRiskView(eng(), eng().account(accountOf(ctx)), optSymbol(ctx.params), true)),
    'GET /fapi/v2/account': endpoint('USER_DATA', 5, false, (ctx) => accountView(eng(), eng().account(accountOf(ctx)), false)),
    'GET /fapi/v3/account': endpoint('USER_DATA', 5, false, (ctx) => accountView(eng(), eng().account(accountOf(ctx)), true)),
    'GET /fapi/v2/balance': endpoint('USER_DATA', 5, false, (ctx) => balanceView(eng(), eng().account(accountOf(ctx)))),
    'GET /fapi/v3/balance': endpoint('USER_DATA', 5, false, (ctx) => balanceView(eng(), eng().account(accountOf(ctx)))),
    'GET /fapi/v1/accountConfig': endpoint('USER_DATA', 5, false, (ctx) => {
      const acc = eng().account(accountOf(ctx));
      return { feeTier: 0, canTrade: true, canDeposit: true, canWithdraw: true, dualSidePosition: acc.dualSide, updateTime: 0, multiAssetsMargin: false, tradeGroupId: -1 };
    }),
    'GET /fapi/v1/symbolConfig': endpoint('USER_DATA', 5, false, (ctx) => {
      const acc = eng().account(accountOf(ctx));
      const symbol = optSymbol(ctx.params);
      return eng()
        .symbols()
        .filter((s) => symbol === null || s === symbol)
        .map((s) => {
          const c = configOf(acc, s);
          const spec = eng().specs.get(s);
          return { symbol: s, marginType: c.marginType, isAutoAddMargin: false, leverage: c.leverage, maxNotionalValue: spec ? maxNotionalFor(spec, c.leverage) : '0' };
        });
    }),
    'POST /fapi/v1/leverage': endpoint('TRADE', 1, false, (ctx) => {
      const symbol = symbolParam(eng(), ctx.params);
      const raw = req(ctx.params, 'leverage');
      const lev = /^\d{1,4}$/.test(raw) ? Number(raw) : fail(E.badLeverage(raw));
      const r = eng().setLeverage(accountOf(ctx), symbol, lev, raw);
      if (!r.ok) return fail(r.error);
      const spec = eng().specs.get(symbol);
      return { leverage: lev, maxNotionalValue: spec ? maxNotionalFor(spec, lev) : '0', symbol };
    }),
    'POST /fapi/v1/marginType': endpoint('TRADE', 1, false, (ctx) => {
      const symbol = symbolParam(eng(), ctx.params);
      const raw = req(ctx.params, 'marginType').toUpperCase();
      const type = raw === 'ISOLATED' || raw === 'CROSSED' ? raw : fail(E.badValue('marginType'));
      const r = eng().setMarginType(accountOf(ctx), symbol, type);
      return r.ok ? success : fail(r.error);
    }),
    'GET /fapi/v1/positionSide/dual': endpoint('USER_DATA', 30, false, (ctx) => ({ dualSidePosition: eng().account(accountOf(ctx)).dualSide })),
    'POST /fapi/v1/positionSide/dual': endpoint('TRADE', 1, false, (ctx) => {
      const v = reqEnum(ctx.params, 'dualSidePosition', ['true', 'false'] as const);
      const r = eng().setDualSide(accountOf(ctx), v === 'true');
      return r.ok ? success : fail(r.error);
    }),
    'GET /fapi/v1/commissionRate': endpoint('USER_DATA', 20, false, (ctx) => ({
      symbol: symbolParam(eng(), ctx.params), makerCommissionRate: FEES.maker, takerCommissionRate: FEES.taker, rpiCommissionRate: '0',
    })),
    'GET /fapi/v1/leverageBracket': endpoint('USER_DATA', 1, false, (ctx) => {
      const symbol = optSymbol(ctx.params);
      const list = [...eng().specs.values()]
        .filter((s) => symbol === null || s.symbol === symbol)
        .map((s) => ({
          symbol: s.symbol,
          notionalCoef: 1.0,
          brackets: s.brackets.map((b) => ({
            bracket: b.bracket, initialLeverage: b.initialLeverage, notionalCap: Number(b.notionalCap), notionalFloor: Number(b.notionalFloor),
            maintMarginRatio: Number(b.maintMarginRatio), cum: Number(b.cum),
          })),
        }));
      return symbol === null ? list : list[0];
    }),
    'GET /fapi/v1/rateLimit/order': endpoint('USER_DATA', 1, false, () => {
      const l = d.limits();
      return [
        { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: l.orders10s },
        { rateLimitType: 'ORDERS', interval: 'MINUTE', intervalNum: 1, limit: l.orders1m },
      ];
    }),
    'POST /fapi/v1/listenKey': endpoint('USER_STREAM', 1, false, (ctx) => ({ listenKey: eng().startListenKey(accountOf(ctx)) })),
    'PUT /fapi/v1/listenKey': endpoint('USER_STREAM', 1, false, (ctx) => {
      const r = eng().keepAliveListenKey(accountOf(ctx));
      return r.ok ? { listenKey: r.value } : fail(r.error);
    }),
    'DELETE /fapi/v1/listenKey': endpoint('USER_STREAM', 1, false, (ctx) => {
      eng().closeListenKey(accountOf(ctx));
      return {};
    }),
  };
}

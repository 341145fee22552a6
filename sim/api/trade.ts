/** Order endpoints (fact sheet §3, §4): new/query/cancel/modify, batches, open and historic orders, trades. */
import type { BinanceError, Endpoint, HandlerContext } from '../contracts.ts';
import type { Engine } from '../engine/engine.ts';
import { E } from '../engine/errors.ts';
import { ALGO_TYPES, type NewOrderInput, type Order, type OrderRef, type RespType, type StpMode } from '../engine/types.ts';
import { accountOf, endpoint, type ApiDeps } from './context.ts';
import {
  fail, guard, itemParams, jsonArray, opt, optBool, optEnum, optInt, req, reqDecimal, reqEnum, type Params, optDecimal,
} from './params.ts';
import { orderView } from './views.ts';

export const SIDES = ['BUY', 'SELL'] as const;
export const POSITION_SIDES = ['BOTH', 'LONG', 'SHORT'] as const;
export const TIFS = ['GTC', 'IOC', 'FOK', 'GTX', 'GTD'] as const;
export const STP_MODES = ['NONE', 'EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH'] as const;

/** A listed symbol from `symbol` (`-1102` missing, `-1121` unknown). */
export function symbolParam(engine: Engine, p: Params): string {
  const s = req(p, 'symbol');
  return engine.specs.has(s) ? s : fail(E.badSymbol());
}

/** Parses New Order params; conditional types answer `-4120` since the algo migration (fact sheet §0). */
export function parseNewOrder(engine: Engine, p: Params): { input: NewOrderInput; respType: RespType } {
  const symbol = symbolParam(engine, p);
  const side = reqEnum(p, 'side', SIDES, E.badSide);
  const rawType = req(p, 'type');
  if ((ALGO_TYPES as readonly string[]).includes(rawType)) fail(E.useAlgo());
  const type = rawType === 'LIMIT' || rawType === 'MARKET' ? rawType : fail(E.badOrderType());
  const positionSide = optEnum(p, 'positionSide', POSITION_SIDES);
  let timeInForce = optEnum(p, 'timeInForce', TIFS, E.badTif);
  if (type === 'LIMIT' && timeInForce === null) fail(E.mandatory('timeInForce'));
  if (type === 'MARKET') timeInForce = null;
  const quantity = reqDecimal(p, 'quantity');
  const price = type === 'LIMIT' ? reqDecimal(p, 'price') : optDecimal(p, 'price');
  const priceMatch = opt(p, 'priceMatch');
  if (priceMatch !== null && priceMatch !== 'NONE') fail(E.badValue('priceMatch'));
  const stp: StpMode = optEnum(p, 'selfTradePreventionMode', STP_MODES) ?? 'EXPIRE_MAKER';
  return {
    input: {
      symbol, side, positionSide, type, timeInForce, quantity, price,
      reduceOnly: optBool(p, 'reduceOnly'),
      newClientOrderId: opt(p, 'newClientOrderId'),
      stp,
      goodTillDate: optInt(p, 'goodTillDate'),
    },
    respType: optEnum(p, 'newOrderRespType', ['ACK', 'RESULT'] as const) ?? 'ACK',
  };
}

/** orderId / origClientOrderId reference; at least one is mandatory. */
export function orderRef(p: Params): OrderRef {
  const orderId = optInt(p, 'orderId');
  const clientId = opt(p, 'origClientOrderId');
  if (orderId === null && clientId === null) fail(E.mandatory('orderId'));
  return { orderId, clientId };
}

/**
 * Places one order from wire params and answers the order object: ACK shows the accepted state, RESULT the
 * state after matching (fact sheet §4.10). Parameter errors are ledgered as rejections too.
 */
export function placeFromParams(d: ApiDeps, accountId: string, p: Params): { ok: true; body: unknown } | { ok: false; error: BinanceError } {
  const engine = d.engine();
  const parsed = guard(() => parseNewOrder(engine, p));
  if (!parsed.ok) {
    d.ledger.append(d.clock.now(), 'order.rejected', accountId, opt(p, 'symbol'), { clientOrderId: opt(p, 'newClientOrderId'), code: parsed.error.code, msg: parsed.error.msg });
    return { ok: false, error: parsed.error };
  }
  const r = engine.placeOrder(accountId, parsed.value.input);
  if (!r.ok) return { ok: false, error: r.error };
  return { ok: true, body: orderView(parsed.value.respType === 'RESULT' ? r.value.order : r.value.ack, false) };
}

/** PUT /fapi/v1/order body: orderId wins over origClientOrderId (fact sheet §3). */
export function modifyFromParams(engine: Engine, accountId: string, p: Params): Order {
  const symbol = symbolParam(engine, p);
  const ref = orderRef(p);
  const side = reqEnum(p, 'side', SIDES, E.badSide);
  const quantity = reqDecimal(p, 'quantity');
  const price = reqDecimal(p, 'price');
  const r = engine.modifyOrder(accountId, symbol, ref, side, quantity, price);
  return r.ok ? r.value : fail(r.error);
}

const bodyOf = (r: { ok: true; body: unknown } | { ok: false; error: BinanceError }): unknown => (r.ok ? r.body : { code: r.error.code, msg: r.error.msg });

/** Case-insensitive read: ccxt sends `orderidlist` / `origclientorderidlist` (fact sheet §10). */
function anyCase(p: Params, name: string): string | null {
  return opt(p, name) ?? opt(p, name.toLowerCase());
}

export function tradeEndpoints(d: ApiDeps): Record<string, Endpoint> {
  const eng = (): Engine => d.engine();
  const limitParam = (p: Params): number => {
    const l = optInt(p, 'limit') ?? 500;
    return l < 1 || l > 1000 ? fail(E.badValue('limit')) : l;
  };
  const inWindow = (p: Params, t: number): boolean => {
    const start = optInt(p, 'startTime');
    const end = optInt(p, 'endTime');
    return (start === null || t >= start) && (end === null || t <= end);
  };
  const queryOrder = (ctx: HandlerContext, mustBeOpen: boolean): unknown => {
    const acc = eng().account(accountOf(ctx));
    const symbol = symbolParam(eng(), ctx.params);
    const o = eng().findOrder(acc, symbol, orderRef(ctx.params));
    if (!o || (mustBeOpen && !acc.openOrders.has(o.orderId))) fail(E.noSuchOrder());
    return orderView(o, true);
  };

  return {
    'POST /fapi/v1/order': {
      security: 'TRADE',
      weight: () => 0,
      countsOrders: true,
      handle: (ctx) => placeFromParams(d, accountOf(ctx), ctx.params),
    },
    'GET /fapi/v1/order': endpoint('USER_DATA', 1, false, (ctx) => queryOrder(ctx, false)),
    'GET /fapi/v1/openOrder': endpoint('USER_DATA', 1, false, (ctx) => queryOrder(ctx, true)),
    'DELETE /fapi/v1/order': endpoint('TRADE', 1, false, (ctx) => {
      const symbol = symbolParam(eng(), ctx.params);
      const r = eng().cancelOrder(accountOf(ctx), symbol, orderRef(ctx.params));
      return r.ok ? orderView(r.value, false) : fail(r.error);
    }),
    'PUT /fapi/v1/order': endpoint('TRADE', 0, true, (ctx) => orderView(modifyFromParams(eng(), accountOf(ctx), ctx.params), false)),
    'DELETE /fapi/v1/allOpenOrders': endpoint('TRADE', 1, false, (ctx) => {
      eng().cancelAll(accountOf(ctx), symbolParam(eng(), ctx.params));
      return { code: 200, msg: 'The operation of cancel all open order is done.' };
    }),
    'GET /fapi/v1/openOrders': endpoint('USER_DATA', (p) => (opt(p, 'symbol') === null ? 40 : 1), false, (ctx) => {
      const acc = eng().account(accountOf(ctx));
      const symbol = opt(ctx.params, 'symbol') === null ? null : symbolParam(eng(), ctx.params);
      return [...acc.openOrders.values()].filter((o) => symbol === null || o.symbol === symbol).map((o) => orderView(o, true));
    }),
    'GET /fapi/v1/allOrders': endpoint('USER_DATA', 5, false, (ctx) => {
      const acc = eng().account(accountOf(ctx));
      const symbol = symbolParam(eng(), ctx.params);
      const fromId = optInt(ctx.params, 'orderId');
      const limit = limitParam(ctx.params);
      const list = (acc.ordersBySymbol.get(symbol) ?? []).filter((o) => (fromId === null || o.orderId >= fromId) && inWindow(ctx.params, o.time));
      return (fromId === null ? list.slice(-limit) : list.slice(0, limit)).map((o) => orderView(o, true));
    }),
    'GET /fapi/v1/userTrades': endpoint('USER_DATA', 5, false, (ctx) => {
      const acc = eng().account(accountOf(ctx));
      const symbol = symbolParam(eng(), ctx.params);
      const orderId = optInt(ctx.params, 'orderId');
      const fromId = optInt(ctx.params, 'fromId');
      const limit = limitParam(ctx.params);
      const list = (acc.tradesBySymbol.get(symbol) ?? []).filter(
        (t) => (orderId === null || t.orderId === orderId) && (fromId === null || t.id >= fromId) && inWindow(ctx.params, t.time),
      );
      return (fromId === null ? list.slice(-limit) : list.slice(0, limit)).map((t) => ({
        buyer: t.side === 'BUY', commission: t.commission, commissionAsset: 'USDT', id: t.id, maker: t.maker, orderId: t.orderId,
        price: t.price, qty: t.qty, quoteQty: t.quoteQty, realizedPnl: t.realizedPnl, side: t.side, positionSide: t.positionSide,
        symbol: t.symbol, time: t.time,
      }));
    }),
    'POST /fapi/v1/batchOrders': endpoint('TRADE', 5, true, (ctx) => {
      const items = jsonArray(ctx.params, 'batchOrders');
      if (items.length === 0 || items.length > 5) fail(E.badValue('batchOrders'));
      const accountId = accountOf(ctx);
      // Items are independent: each answers an order object or {code,msg}, in list order (fact sheet §3).
      return items.map((item) => {
        const p = guard(() => itemParams(item, 'batchOrders'));
        return p.ok ? bodyOf(placeFromParams(d, accountId, p.value)) : { code: p.error.code, msg: p.error.msg };
      });
    }),
    'PUT /fapi/v1/batchOrders': endpoint('TRADE', 5, true, (ctx) => {
      const items = jsonArray(ctx.params, 'batchOrders');
      if (items.length === 0 || items.length > 5) fail(E.badValue('batchOrders'));
      const accountId = accountOf(ctx);
      return items.map((item) => {
        const r = guard(() => orderView(modifyFromParams(eng(), accountId, itemParams(item, 'batchOrders')), false));
        return r.ok ? r.value : { code: r.error.code, msg: r.error.msg };
      });
    }),
    'DELETE /fapi/v1/batchOrders': endpoint('TRADE', 1, false, (ctx) => {
      const symbol = symbolParam(eng(), ctx.params);
      const ids = anyCase(ctx.params, 'orderIdList');
      const cids = anyCase(ctx.params, 'origClientOrderIdList');
      if (ids === null && cids === null) fail(E.mandatory('orderIdList'));
      const name = ids !== null ? 'orderIdList' : 'origClientOrderIdList';
      const list = jsonArray({ [name]: ids ?? cids ?? '' }, name);
      if (list.length === 0 || list.length > 10) fail(E.badValue(name));
      const refs: OrderRef[] = list.map((v) => {
        if (ids !== null) return typeof v === 'number' || (typeof v === 'string' && /^\d+$/.test(v)) ? { orderId: Number(v), clientId: null } : fail(E.badValue(name));
        return typeof v === 'string' ? { orderId: null, clientId: v } : fail(E.badValue(name));
      });
      return refs.map((ref) => {
        const r = eng().cancelOrder(accountOf(ctx), symbol, ref);
        return r.ok ? orderView(r.value, false) : { code: r.error.code, msg: r.error.msg };
      });
    }),
  };
}

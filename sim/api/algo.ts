/** Conditional-order endpoints of the Algo Service (fact sheet §0, §3.3, §4.8). */
import type { Endpoint, HandlerContext } from '../contracts.ts';
import type { Engine } from '../engine/engine.ts';
import { E } from '../engine/errors.ts';
import { ALGO_TYPES, type Algo, type NewAlgoInput } from '../engine/types.ts';
import { accountOf, endpoint, type ApiDeps } from './context.ts';
import { fail, opt, optBool, optDecimal, optEnum, optInt, req, reqEnum, type Params } from './params.ts';
import { POSITION_SIDES, SIDES, STP_MODES, TIFS, symbolParam } from './trade.ts';
import { algoView } from './views.ts';

/**
 * Parses New Algo Order params. `activatePrice` is the current name; ccxt still sends `activationPrice`, so both are
 * read (fact sheet §4.8, §11.3). `priceProtect` arrives as "TRUE"/"FALSE" (§4.5).
 */
export function parseNewAlgo(engine: Engine, p: Params): NewAlgoInput {
  const algoType = req(p, 'algoType');
  if (algoType !== 'CONDITIONAL') fail(E.badValue('algoType'));
  const symbol = symbolParam(engine, p);
  const side = reqEnum(p, 'side', SIDES, E.badSide);
  const type = reqEnum(p, 'type', ALGO_TYPES, E.badOrderType);
  const priceMatch = opt(p, 'priceMatch');
  if (priceMatch !== null && priceMatch !== 'NONE') fail(E.badValue('priceMatch'));
  return {
    symbol,
    side,
    positionSide: optEnum(p, 'positionSide', POSITION_SIDES),
    type,
    timeInForce: optEnum(p, 'timeInForce', TIFS, E.badTif),
    quantity: optDecimal(p, 'quantity'),
    price: optDecimal(p, 'price'),
    triggerPrice: optDecimal(p, 'triggerPrice'),
    workingType: optEnum(p, 'workingType', ['MARK_PRICE', 'CONTRACT_PRICE'] as const) ?? 'CONTRACT_PRICE',
    priceProtect: optBool(p, 'priceProtect') ?? false,
    reduceOnly: optBool(p, 'reduceOnly'),
    closePosition: optBool(p, 'closePosition') ?? false,
    activatePrice: optDecimal(p, 'activatePrice') ?? optDecimal(p, 'activationPrice'),
    callbackRate: optDecimal(p, 'callbackRate'),
    clientAlgoId: opt(p, 'clientAlgoId'),
    stp: optEnum(p, 'selfTradePreventionMode', STP_MODES) ?? 'NONE',
    goodTillDate: optInt(p, 'goodTillDate'),
  };
}

export function algoEndpoints(d: ApiDeps): Record<string, Endpoint> {
  const eng = (): Engine => d.engine();
  const find = (ctx: HandlerContext): Algo | undefined => {
    const algoId = optInt(ctx.params, 'algoId');
    const clientAlgoId = opt(ctx.params, 'clientAlgoId');
    if (algoId === null && clientAlgoId === null) fail(E.mandatory('algoId'));
    return eng().findAlgo(eng().account(accountOf(ctx)), algoId, clientAlgoId);
  };
  return {
    'POST /fapi/v1/algoOrder': endpoint('TRADE', 0, true, (ctx) => {
      const accountId = accountOf(ctx);
      let input: NewAlgoInput;
      try {
        input = parseNewAlgo(eng(), ctx.params);
      } catch (e) {
        d.ledger.append(ctx.nowMs, 'algo.rejected', accountId, opt(ctx.params, 'symbol'), { clientAlgoId: opt(ctx.params, 'clientAlgoId') });
        throw e;
      }
      const r = eng().placeAlgo(accountId, input);
      return r.ok ? algoView(r.value, eng(), false) : fail(r.error);
    }),
    'GET /fapi/v1/algoOrder': endpoint('USER_DATA', 1, false, (ctx) => {
      const a = find(ctx);
      return a ? algoView(a, eng(), true) : fail(E.noSuchOrder());
    }),
    'DELETE /fapi/v1/algoOrder': endpoint('TRADE', 1, false, (ctx) => {
      const a = find(ctx);
      if (!a) return fail(E.cancelRejected());
      const r = eng().cancelAlgo(accountOf(ctx), a.algoId, null);
      return r.ok ? { algoId: a.algoId, clientAlgoId: a.clientAlgoId, code: '200', msg: 'success' } : fail(r.error);
    }),
    'DELETE /fapi/v1/algoOpenOrders': endpoint('TRADE', 1, false, (ctx) => {
      eng().cancelAllAlgos(accountOf(ctx), symbolParam(eng(), ctx.params));
      return { code: 200, msg: 'The operation of cancel all open order is done.' };
    }),
    'GET /fapi/v1/openAlgoOrders': endpoint('USER_DATA', (p) => (opt(p, 'symbol') === null ? 40 : 1), false, (ctx) => {
      const acc = eng().account(accountOf(ctx));
      const symbol = opt(ctx.params, 'symbol') === null ? null : symbolParam(eng(), ctx.params);
      const algoId = optInt(ctx.params, 'algoId');
      const algoType = opt(ctx.params, 'algoType');
      if (algoType !== null && algoType !== 'CONDITIONAL') fail(E.badValue('algoType'));
      return [...acc.openAlgos.values()]
        .filter((a) => (symbol === null || a.symbol === symbol) && (algoId === null || a.algoId === algoId))
        .map((a) => algoView(a, eng(), true));
    }),
    'GET /fapi/v1/allAlgoOrders': endpoint('USER_DATA', 5, false, (ctx) => {
      const acc = eng().account(accountOf(ctx));
      const symbol = symbolParam(eng(), ctx.params);
      const fromId = optInt(ctx.params, 'algoId');
      const start = optInt(ctx.params, 'startTime');
      const end = optInt(ctx.params, 'endTime');
      const limit = optInt(ctx.params, 'limit') ?? 500;
      if (limit < 1 || limit > 1000) fail(E.badValue('limit'));
      const list = [...acc.algos.values()].filter(
        (a) => a.symbol === symbol && (fromId === null || a.algoId >= fromId) && (start === null || a.createTime >= start) && (end === null || a.createTime <= end),
      );
      return (fromId === null ? list.slice(-limit) : list.slice(0, limit)).map((a) => algoView(a, eng(), true));
    }),
  };
}

/** User-data and market payloads with Binance's exact field names (fact sheet §7 and §8). */
import { div, isZero } from '../../src/shared/decimal.ts';
import type { Algo, ExecType, Order } from './types.ts';

/** Details of the trade an ORDER_TRADE_UPDATE reports (absent for NEW/CANCELED/EXPIRED/AMENDMENT). */
export interface FillInfo {
  readonly qty: string;
  readonly price: string;
  readonly tradeId: number;
  readonly commission: string;
  readonly maker: boolean;
  readonly realized: string;
}

/** Average fill price of an order, "0" before the first fill. */
export function avgPrice(o: Order): string {
  return isZero(o.executedQty) ? '0' : div(o.cumQuote, o.executedQty, 8);
}

export function orderTradeUpdate(o: Order, x: ExecType, now: number, fill: FillInfo | null): Record<string, unknown> {
  const body: Record<string, unknown> = {
    s: o.symbol,
    c: o.clientOrderId,
    S: o.side,
    o: o.type,
    f: o.timeInForce,
    q: o.origQty,
    p: o.price,
    ap: avgPrice(o),
    sp: o.stopPrice,
    x,
    X: o.status,
    i: o.orderId,
    l: fill?.qty ?? '0',
    z: o.executedQty,
    L: fill?.price ?? '0',
    T: now,
    t: fill?.tradeId ?? 0,
    b: '0',
    a: '0',
    m: fill?.maker ?? false,
    R: o.reduceOnly,
    wt: o.workingType,
    ot: o.origType,
    ps: o.positionSide,
    cp: o.closePosition,
    pP: o.priceProtect,
    si: 0,
    ss: 0,
    rp: fill?.realized ?? '0',
    V: o.selfTradePreventionMode,
    pm: 'NONE',
    gtd: o.goodTillDate,
    er: String(o.expiryReason),
  };
  // N/n are omitted when there is no commission (fact sheet §8).
  if (fill) {
    body['N'] = 'USDT';
    body['n'] = fill.commission;
  }
  if (o.activatePrice !== null) body['AP'] = o.activatePrice;
  if (o.priceRate !== null) body['cr'] = o.priceRate;
  return { e: 'ORDER_TRADE_UPDATE', E: now, T: now, o: body };
}

export function tradeLite(o: Order, now: number, fill: FillInfo): Record<string, unknown> {
  return {
    e: 'TRADE_LITE',
    E: now,
    T: now,
    s: o.symbol,
    q: o.origQty,
    p: o.price,
    m: fill.maker,
    c: o.clientOrderId,
    S: o.side,
    L: fill.price,
    l: fill.qty,
    t: fill.tradeId,
    i: o.orderId,
  };
}

export function algoUpdate(a: Algo, now: number, avg: string, executed: string, actualType: string): Record<string, unknown> {
  return {
    e: 'ALGO_UPDATE',
    T: now,
    E: now,
    o: {
      caid: a.clientAlgoId,
      aid: a.algoId,
      at: 'CONDITIONAL',
      o: a.orderType,
      s: a.symbol,
      S: a.side,
      ps: a.positionSide,
      f: a.timeInForce,
      q: a.quantity,
      X: a.algoStatus,
      ai: a.actualOrderId === null ? '' : String(a.actualOrderId),
      ap: avg,
      aq: executed,
      act: actualType,
      tp: a.triggerPrice,
      p: a.price,
      V: a.selfTradePreventionMode,
      wt: a.workingType,
      pm: 'NONE',
      cp: a.closePosition,
      pP: a.priceProtect,
      R: a.reduceOnly,
      tt: a.triggerTime,
      gtd: a.goodTillDate,
      rm: a.failureReason,
    },
  };
}

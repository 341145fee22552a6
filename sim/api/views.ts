/** REST response objects with Binance's field names and types: decimals as strings, ids and times as integers (fact sheet §3). */
import { add, isZero } from '../../src/shared/decimal.ts';
import type { Engine } from '../engine/engine.ts';
import { accountFigures, configOf, positionFigures } from '../engine/margin.ts';
import { avgPrice } from '../engine/payloads.ts';
import { maxNotionalFor } from '../engine/symbols.ts';
import type { Account, Algo, Order, Position } from '../engine/types.ts';

/** Order object of §3.2; `withTime` adds `time` (query/openOrders); trailing children add activatePrice/priceRate. */
export function orderView(o: Order, withTime: boolean): Record<string, unknown> {
  const v: Record<string, unknown> = {
    orderId: o.orderId,
    symbol: o.symbol,
    status: o.status,
    clientOrderId: o.clientOrderId,
    price: o.price,
    avgPrice: avgPrice(o),
    origQty: o.origQty,
    executedQty: o.executedQty,
    cumQty: o.executedQty,
    cumQuote: o.cumQuote,
    timeInForce: o.timeInForce,
    type: o.type,
    reduceOnly: o.reduceOnly,
    closePosition: o.closePosition,
    side: o.side,
    positionSide: o.positionSide,
    stopPrice: o.stopPrice,
    workingType: o.workingType,
    priceProtect: o.priceProtect,
    origType: o.origType,
    priceMatch: 'NONE',
    selfTradePreventionMode: o.selfTradePreventionMode,
    goodTillDate: o.goodTillDate,
    updateTime: o.updateTime,
  };
  if (withTime) v['time'] = o.time;
  if (o.activatePrice !== null) v['activatePrice'] = o.activatePrice;
  if (o.priceRate !== null) v['priceRate'] = o.priceRate;
  return v;
}

/** Algo order object of §3.3; `withActual` adds the query fields (actualOrderId "" until triggered). */
export function algoView(a: Algo, engine: Engine, withActual: boolean): Record<string, unknown> {
  const v: Record<string, unknown> = {
    algoId: a.algoId,
    clientAlgoId: a.clientAlgoId,
    algoType: 'CONDITIONAL',
    orderType: a.orderType,
    symbol: a.symbol,
    side: a.side,
    positionSide: a.positionSide,
    timeInForce: a.timeInForce,
    quantity: a.quantity,
    algoStatus: a.algoStatus,
    triggerPrice: a.triggerPrice,
    price: a.price,
    icebergQuantity: null,
    selfTradePreventionMode: a.selfTradePreventionMode,
    workingType: a.workingType,
    priceMatch: 'NONE',
    closePosition: a.closePosition,
    priceProtect: a.priceProtect,
    reduceOnly: a.reduceOnly,
    activatePrice: a.activatePrice,
    callbackRate: a.callbackRate,
    createTime: a.createTime,
    updateTime: a.updateTime,
    triggerTime: a.triggerTime,
    goodTillDate: a.goodTillDate,
  };
  if (withActual) {
    const child = a.actualOrderId === null ? undefined : engine.accounts.get(a.accountId)?.orders.get(a.actualOrderId);
    v['actualOrderId'] = a.actualOrderId === null ? '' : String(a.actualOrderId);
    v['actualPrice'] = child ? avgPrice(child) : '0';
    v['actualQty'] = child ? child.executedQty : '0';
    v['actualType'] = child ? child.type : '';
    v['tpOrderType'] = '';
  }
  return v;
}

/** Positions to list: in one-way mode BOTH per symbol; in hedge mode LONG and SHORT per symbol. */
function allPositions(engine: Engine, acc: Account, symbol: string | null): Position[] {
  const out: Position[] = [];
  for (const s of engine.symbols()) {
    if (symbol !== null && s !== symbol) continue;
    const sides = acc.dualSide ? (['LONG', 'SHORT'] as const) : (['BOTH'] as const);
    for (const ps of sides) out.push(acc.positions.get(`${s}:${ps}`) ?? { symbol: s, positionSide: ps, amt: '0', entryPrice: '0', realized: '0', isolatedWallet: '0', openFees: '0', updateTime: 0 });
  }
  return out;
}

function hasOpenOrders(acc: Account, symbol: string): boolean {
  for (const o of acc.openOrders.values()) if (o.symbol === symbol) return true;
  return false;
}

/** GET /fapi/v2/positionRisk (all symbols) or /fapi/v3/positionRisk (held or with open orders only). */
export function positionRiskView(engine: Engine, acc: Account, symbol: string | null, v3: boolean): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const p of allPositions(engine, acc, symbol)) {
    const m = engine.market.get(p.symbol);
    if (!m) continue;
    if (v3 && isZero(p.amt) && !hasOpenOrders(acc, p.symbol)) continue;
    const f = positionFigures(acc, p, m.spec, m.mark);
    const cfg = configOf(acc, p.symbol);
    const isolatedMargin = cfg.marginType === 'ISOLATED' ? p.isolatedWallet : '0';
    if (v3) {
      out.push({
        symbol: p.symbol, positionSide: p.positionSide, positionAmt: p.amt, entryPrice: p.entryPrice, breakEvenPrice: f.breakEvenPrice,
        markPrice: m.mark, unRealizedProfit: f.unrealized, liquidationPrice: f.liquidationPrice, isolatedMargin, notional: f.notional,
        marginAsset: 'USDT', isolatedWallet: p.isolatedWallet, initialMargin: f.initialMargin, maintMargin: f.maintMargin,
        positionInitialMargin: f.initialMargin, openOrderInitialMargin: '0', adl: 0, bidNotional: '0', askNotional: '0', updateTime: p.updateTime,
      });
    } else {
      out.push({
        entryPrice: p.entryPrice, breakEvenPrice: f.breakEvenPrice, marginType: cfg.marginType === 'ISOLATED' ? 'isolated' : 'cross',
        isAutoAddMargin: 'false', isolatedMargin, leverage: String(cfg.leverage), liquidationPrice: f.liquidationPrice, markPrice: m.mark,
        maxNotionalValue: maxNotionalFor(m.spec, cfg.leverage), positionAmt: p.amt, notional: f.notional, isolatedWallet: p.isolatedWallet,
        symbol: p.symbol, unRealizedProfit: f.unrealized, positionSide: p.positionSide, updateTime: p.updateTime,
      });
    }
  }
  return out;
}

/** GET /fapi/v2/account and /fapi/v3/account. */
export function accountView(engine: Engine, acc: Account, v3: boolean): Record<string, unknown> {
  const f = accountFigures(acc, engine.market);
  const totals = {
    totalInitialMargin: add(f.positionInitialMargin, f.openOrderInitialMargin),
    totalMaintMargin: f.maintMargin,
    totalWalletBalance: f.wallet,
    totalUnrealizedProfit: f.unrealized,
    totalMarginBalance: f.marginBalance,
    totalPositionInitialMargin: f.positionInitialMargin,
    totalOpenOrderInitialMargin: f.openOrderInitialMargin,
    totalCrossWalletBalance: f.crossWallet,
    totalCrossUnPnl: f.crossUnPnl,
    availableBalance: f.available,
    maxWithdrawAmount: f.available,
  };
  const asset = {
    asset: 'USDT', walletBalance: f.wallet, unrealizedProfit: f.unrealized, marginBalance: f.marginBalance, maintMargin: f.maintMargin,
    initialMargin: totals.totalInitialMargin, positionInitialMargin: f.positionInitialMargin, openOrderInitialMargin: f.openOrderInitialMargin,
    crossWalletBalance: f.crossWallet, crossUnPnl: f.crossUnPnl, availableBalance: f.available, maxWithdrawAmount: f.available,
    ...(v3 ? {} : { marginAvailable: true }), updateTime: acc.updateTime,
  };
  const positions = allPositions(engine, acc, null)
    .filter((p) => !v3 || !isZero(p.amt))
    .map((p) => {
      const m = engine.market.get(p.symbol);
      const pf = m ? positionFigures(acc, p, m.spec, m.mark) : null;
      const cfg = configOf(acc, p.symbol);
      const base = {
        symbol: p.symbol, positionSide: p.positionSide, positionAmt: p.amt, unrealizedProfit: pf?.unrealized ?? '0',
        isolatedMargin: cfg.marginType === 'ISOLATED' ? p.isolatedWallet : '0', notional: pf?.notional ?? '0', isolatedWallet: p.isolatedWallet,
        initialMargin: pf?.initialMargin ?? '0', maintMargin: pf?.maintMargin ?? '0', updateTime: p.updateTime,
      };
      return v3
        ? base
        : { ...base, positionInitialMargin: pf?.initialMargin ?? '0', openOrderInitialMargin: '0', leverage: String(cfg.leverage),
            isolated: cfg.marginType === 'ISOLATED', entryPrice: p.entryPrice, breakEvenPrice: pf?.breakEvenPrice ?? '0',
            maxNotional: m ? maxNotionalFor(m.spec, cfg.leverage) : '0', bidNotional: '0', askNotional: '0' };
    });
  return {
    feeTier: 0, feeBurn: false, canTrade: true, canDeposit: true, canWithdraw: true, updateTime: 0, multiAssetsMargin: false, tradeGroupId: -1,
    ...totals, assets: [asset], positions,
  };
}

/** GET /fapi/v2|v3/balance. */
export function balanceView(engine: Engine, acc: Account): Record<string, unknown>[] {
  const f = accountFigures(acc, engine.market);
  return [{
    accountAlias: 'SgsR', asset: 'USDT', balance: f.wallet, crossWalletBalance: f.crossWallet, crossUnPnl: f.crossUnPnl,
    availableBalance: f.available, maxWithdrawAmount: f.available, marginAvailable: true, updateTime: acc.updateTime,
  }];
}

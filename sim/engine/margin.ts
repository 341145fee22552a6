/**
 * The margin model, kept simple but consistent: initial margin = notional / leverage at the mark price; open LIMIT
 * orders reserve margin for the part that would open or grow a position; maintenance margin and liquidation price
 * follow Binance's single-position formula with the symbol's bracket (maintMarginRatio and cum).
 */
import { abs, add, div, gt, isNegative, isZero, max, mul, sub } from '../../src/shared/decimal.ts';
import type { Market } from './market.ts';
import { bracketFor, type SymbolSpec } from './symbols.ts';
import type { Account, Order, Position, SymbolConfig } from './types.ts';

export const DEFAULT_LEVERAGE = 20;
const PLACES = 8;

export function configOf(acc: Account, symbol: string): SymbolConfig {
  let c = acc.configs.get(symbol);
  if (!c) {
    c = { leverage: DEFAULT_LEVERAGE, marginType: 'CROSSED' };
    acc.configs.set(symbol, c);
  }
  return c;
}

/** Per-position numbers shown by positionRisk / account / ACCOUNT_UPDATE. */
export interface PositionFigures {
  readonly markPrice: string;
  readonly notional: string;
  readonly unrealized: string;
  readonly initialMargin: string;
  readonly maintMargin: string;
  readonly liquidationPrice: string;
  readonly breakEvenPrice: string;
}

export function positionFigures(acc: Account, pos: Position, spec: SymbolSpec, mark: string): PositionFigures {
  const cfg = configOf(acc, pos.symbol);
  const qty = abs(pos.amt);
  const notional = mul(pos.amt, mark);
  const unrealized = mul(sub(mark, pos.entryPrice), pos.amt);
  if (isZero(qty)) {
    return { markPrice: mark, notional: '0', unrealized: '0', initialMargin: '0', maintMargin: '0', liquidationPrice: '0', breakEvenPrice: '0' };
  }
  const absNotional = abs(notional);
  const bracket = bracketFor(spec, absNotional);
  const initialMargin = div(absNotional, String(cfg.leverage), PLACES);
  const maintMargin = max('0', sub(mul(absNotional, bracket.maintMarginRatio), bracket.cum));
  // Binance's liquidation price for one position: LP = (WB + cum − s·Q·EP) / (Q·mmr − s·Q), s = ±1 for long/short,
  // with WB the isolated wallet, or the cross wallet balance for cross margin.
  const wb = cfg.marginType === 'ISOLATED' ? pos.isolatedWallet : crossWallet(acc);
  const s = isNegative(pos.amt) ? '-1' : '1';
  const numer = sub(add(wb, bracket.cum), mul(s, mul(qty, pos.entryPrice)));
  const denom = sub(mul(qty, bracket.maintMarginRatio), mul(s, qty));
  const lp = isZero(denom) ? '0' : div(numer, denom, spec.pricePrecision, 'half-up');
  const liquidationPrice = gt(lp, '0') ? lp : '0';
  const fees = div(pos.openFees, qty, PLACES);
  const breakEvenPrice = isNegative(pos.amt) ? sub(pos.entryPrice, fees) : add(pos.entryPrice, fees);
  return { markPrice: mark, notional, unrealized, initialMargin, maintMargin, liquidationPrice, breakEvenPrice };
}

/** Wallet balance minus the isolated wallets (crossWalletBalance). */
export function crossWallet(acc: Account): string {
  let iso = '0';
  for (const p of acc.positions.values()) iso = add(iso, p.isolatedWallet);
  return sub(acc.wallet, iso);
}

/** True when the order can only shrink a position: reduce-only, close-all, or a hedge-mode close (SELL LONG / BUY SHORT). */
export function isReducing(o: { reduceOnly: boolean; closePosition: boolean; side: string; positionSide: string }): boolean {
  return o.reduceOnly || o.closePosition || (o.positionSide === 'LONG' && o.side === 'SELL') || (o.positionSide === 'SHORT' && o.side === 'BUY');
}

/** Part of `qty` that would open or grow a position (one-way: beyond the opposite position; hedge: all of an opening order). */
export function openingQty(acc: Account, symbol: string, side: string, positionSide: string, qty: string, reducing: boolean): string {
  if (reducing) return '0';
  if (positionSide !== 'BOTH') return qty;
  const amt = acc.positions.get(`${symbol}:BOTH`)?.amt ?? '0';
  const opposite = side === 'BUY' ? isNegative(amt) : gt(amt, '0');
  return opposite ? max('0', sub(qty, abs(amt))) : qty;
}

/** Margin reserved by an open order. */
export function orderInitialMargin(acc: Account, o: Order): string {
  const remaining = sub(o.origQty, o.executedQty);
  const q = openingQty(acc, o.symbol, o.side, o.positionSide, remaining, isReducing(o));
  return isZero(q) ? '0' : div(mul(q, o.price), String(configOf(acc, o.symbol).leverage), PLACES);
}

/** Account totals (GET /fapi/v2|v3/account, balance). */
export interface AccountFigures {
  readonly wallet: string;
  readonly crossWallet: string;
  readonly crossUnPnl: string;
  readonly unrealized: string;
  readonly positionInitialMargin: string;
  readonly openOrderInitialMargin: string;
  readonly maintMargin: string;
  readonly available: string;
  readonly marginBalance: string;
}

export function accountFigures(acc: Account, market: Market): AccountFigures {
  let unrealized = '0';
  let crossUnPnl = '0';
  let crossIm = '0';
  let allIm = '0';
  let mm = '0';
  for (const pos of acc.positions.values()) {
    if (isZero(pos.amt)) continue;
    const m = market.get(pos.symbol);
    if (!m) continue;
    const f = positionFigures(acc, pos, m.spec, m.mark);
    unrealized = add(unrealized, f.unrealized);
    allIm = add(allIm, f.initialMargin);
    mm = add(mm, f.maintMargin);
    if (configOf(acc, pos.symbol).marginType === 'CROSSED') {
      crossUnPnl = add(crossUnPnl, f.unrealized);
      crossIm = add(crossIm, f.initialMargin);
    }
  }
  let ordersIm = '0';
  for (const o of acc.openOrders.values()) ordersIm = add(ordersIm, orderInitialMargin(acc, o));
  const cw = crossWallet(acc);
  const available = sub(sub(add(cw, crossUnPnl), crossIm), ordersIm);
  return {
    wallet: acc.wallet,
    crossWallet: cw,
    crossUnPnl,
    unrealized,
    positionInitialMargin: allIm,
    openOrderInitialMargin: ordersIm,
    maintMargin: mm,
    available,
    marginBalance: add(acc.wallet, unrealized),
  };
}

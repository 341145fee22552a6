/**
 * Symbol filters (fact sheet §3.1) and their rejection codes (§4.14): precision -1111, tick -4014, step -4023,
 * qty ≤ 0 -4003, qty < min -4004, qty > max -4005, price < min -4013, price > max -4002, PERCENT_PRICE -4016/-4024,
 * notional -4164 (reduce-only exempt).
 */
import type { BinanceError } from '../contracts.ts';
import { decimalPlaces, div, gt, isMultipleOf, lt, lte, mul } from '../../src/shared/decimal.ts';
import { E } from './errors.ts';
import type { SymbolSpec } from './symbols.ts';

/** Checks a price (limit or trigger) against PRICE_FILTER. */
export function checkPrice(spec: SymbolSpec, price: string): BinanceError | null {
  if (decimalPlaces(price) > spec.pricePrecision) return E.badPrecision();
  if (lte(price, '0')) return E.priceTooLow();
  if (lt(price, spec.minPrice)) return E.priceTooLow();
  if (gt(price, spec.maxPrice)) return E.priceTooHigh();
  if (!isMultipleOf(price, spec.tickSize, spec.minPrice)) return E.priceTick();
  return null;
}

/** Checks a quantity against LOT_SIZE, or MARKET_LOT_SIZE for market orders. */
export function checkQty(spec: SymbolSpec, qty: string, market: boolean): BinanceError | null {
  if (decimalPlaces(qty) > spec.quantityPrecision) return E.badPrecision();
  if (lte(qty, '0')) return E.qtyNotPositive();
  const minQty = market ? spec.marketMinQty : spec.minQty;
  const maxQty = market ? spec.marketMaxQty : spec.maxQty;
  if (lt(qty, minQty)) return E.qtyTooSmall();
  if (gt(qty, maxQty)) return E.qtyTooBig();
  if (!isMultipleOf(qty, spec.stepSize, minQty)) return E.qtyStep();
  return null;
}

/** PERCENT_PRICE: BUY price ≤ mark × multiplierUp, SELL price ≥ mark × multiplierDown. */
export function checkPercentPrice(spec: SymbolSpec, side: 'BUY' | 'SELL', price: string, mark: string): BinanceError | null {
  if (side === 'BUY') {
    const cap = mul(mark, spec.multiplierUp);
    if (gt(price, cap)) return E.percentUp(div(cap, '1', spec.pricePrecision, 'floor'));
  } else {
    const floor = mul(mark, spec.multiplierDown);
    if (lt(price, floor)) return E.percentDown(div(floor, '1', spec.pricePrecision, 'ceil'));
  }
  return null;
}

/** MIN_NOTIONAL: price × qty ≥ notional unless reduce-only. */
export function checkNotional(spec: SymbolSpec, qty: string, price: string, reduceOnly: boolean): BinanceError | null {
  if (reduceOnly) return null;
  return lt(mul(qty, price), spec.minNotional) ? E.minNotional(spec.minNotional) : null;
}

/**
 * Rounding of prices to the tick and quantities to the step, on decimal strings only (fact sheet §3.1, §4.14).
 *
 * PRICE_FILTER counts ticks from minPrice: `(price − minPrice) % tickSize == 0`; LOT_SIZE and MARKET_LOT_SIZE count
 * steps from their minQty the same way (Binance's filter rules; on live symbols min is itself a multiple of the
 * step, so this only matters for odd listings). A size of "0" disables the rule and leaves the value unchanged.
 *
 * Direction choices (so that rounding never makes an order worse than the trader asked):
 * - limit prices: a BUY rounds down (never pays more), a SELL rounds up (never receives less);
 * - trigger prices round away from the market: a stop never triggers earlier than asked (SELL stop below the
 *   market rounds down, BUY stop above it rounds up), and a take-profit likewise never triggers before its level
 *   (SELL take-profit rounds up, BUY take-profit rounds down);
 * - quantities round down by default, so an order is never larger than asked.
 */
import { isZero, roundToStep, type Rounding } from '../shared/decimal.ts';
import type { SymbolRules } from './exchange-info.ts';

/** Order side (§4.3). */
export type Side = 'BUY' | 'SELL';
/** The order types `POST /fapi/v1/order` still takes since the algo migration (§0, §4.1). */
export type OrderKind = 'MARKET' | 'LIMIT';
/** Kind of conditional trigger: stop-loss/stop-entry or take-profit (§4.5). */
export type TriggerKind = 'STOP' | 'TAKE_PROFIT';
/** Direction of a rounding: down, up, or to the nearest multiple (ties up). */
export type RoundingMode = 'floor' | 'ceil' | 'nearest';

type PriceRules = Pick<SymbolRules, 'tickSize' | 'minPrice'>;
type LotRules = Pick<SymbolRules, 'stepSize' | 'minQty' | 'maxQty' | 'marketStepSize' | 'marketMinQty' | 'marketMaxQty'>;

const toRounding = (mode: RoundingMode): Rounding => (mode === 'nearest' ? 'half-up' : mode);

/** `price` on the tick grid counted from minPrice, in the given direction. */
export function roundPrice(price: string, rules: PriceRules, mode: RoundingMode): string {
  return roundToStep(price, rules.tickSize, toRounding(mode), rules.minPrice);
}

/** True when `price` lies on the tick grid (always true when the tick is 0). */
export function isOnTick(price: string, rules: PriceRules): boolean {
  return roundPrice(price, rules, 'floor') === roundPrice(price, rules, 'ceil');
}

/** Limit-price direction: BUY down, SELL up (see module comment). */
export function limitPriceRounding(side: Side): 'floor' | 'ceil' {
  return side === 'BUY' ? 'floor' : 'ceil';
}

/** A limit price rounded to the tick in the trader's favour. */
export function roundLimitPrice(price: string, side: Side, rules: PriceRules): string {
  return roundPrice(price, rules, limitPriceRounding(side));
}

/**
 * Trigger-price direction, away from the market: STOP BUY (above) and TAKE_PROFIT SELL (above) round up,
 * STOP SELL (below) and TAKE_PROFIT BUY (below) round down (§4.5 trigger rules).
 */
export function triggerRounding(side: Side, kind: TriggerKind): 'floor' | 'ceil' {
  const above = (kind === 'STOP') === (side === 'BUY');
  return above ? 'ceil' : 'floor';
}

/** A trigger price rounded to the tick away from the market. */
export function roundTriggerPrice(price: string, side: Side, kind: TriggerKind, rules: PriceRules): string {
  return roundPrice(price, rules, triggerRounding(side, kind));
}

/** The quantity grid and bounds that apply to an order type. */
export interface LotGrid {
  readonly step: string;
  readonly minQty: string;
  readonly maxQty: string;
}

/**
 * LOT_SIZE for limit orders; MARKET_LOT_SIZE for market orders (§3.1), each field falling back to LOT_SIZE when
 * the market filter leaves it at 0 (disabled or absent).
 */
export function lotGrid(rules: LotRules, type: OrderKind): LotGrid {
  if (type === 'LIMIT') return { step: rules.stepSize, minQty: rules.minQty, maxQty: rules.maxQty };
  const pick = (market: string, lot: string) => (isZero(market) ? lot : market);
  return {
    step: pick(rules.marketStepSize, rules.stepSize),
    minQty: pick(rules.marketMinQty, rules.minQty),
    maxQty: pick(rules.marketMaxQty, rules.maxQty),
  };
}

/** `qty` on the order type's step grid counted from its minQty; rounds down unless told otherwise. */
export function roundQuantity(qty: string, rules: LotRules, type: OrderKind, mode: RoundingMode = 'floor'): string {
  const grid = lotGrid(rules, type);
  return roundToStep(qty, grid.step, toRounding(mode), grid.minQty);
}

/** True when `qty` lies on the order type's step grid. */
export function isOnStep(qty: string, rules: LotRules, type: OrderKind): boolean {
  return roundQuantity(qty, rules, type, 'floor') === roundQuantity(qty, rules, type, 'ceil');
}

/**
 * Pre-trade validation against the symbol's exchangeInfo filters (fact sheet §3.1, §4.3, §4.5, §4.14).
 *
 * Catching a filter violation here saves a round trip and, more importantly, lets us answer with the nearest
 * valid values (`suggestion`) instead of Binance's bare rejection code. Every check mirrors one Binance rule; the
 * first failing rule is reported.
 */
import {
  add,
  cmp,
  decimalPlaces,
  div,
  gt,
  isDecimal,
  isNegative,
  isZero,
  lt,
  lte,
  gte,
  mul,
  normalize,
  sub,
} from '../shared/decimal.ts';
import { err, ok, type Result } from '../shared/result.ts';
import type { SymbolRules } from './exchange-info.ts';
import {
  isOnStep,
  isOnTick,
  lotGrid,
  roundLimitPrice,
  roundPrice,
  roundQuantity,
  roundTriggerPrice,
  type OrderKind,
  type Side,
  type TriggerKind,
} from './precision.ts';

/** BOTH in One-way mode, LONG/SHORT in Hedge mode (§4.3). */
export type PositionSide = 'BOTH' | 'LONG' | 'SHORT';

/** What the trader asked for. Prices and quantities are decimal strings as typed. */
export interface OrderIntent {
  readonly symbol: string;
  readonly side: Side;
  readonly type: OrderKind;
  readonly quantity: string;
  readonly price?: string;
  readonly reduceOnly?: boolean;
  /** Post-only: sent as timeInForce GTX, rejected by Binance if it would take (§4.2). */
  readonly postOnly?: boolean;
  readonly positionSide?: PositionSide;
}

/** An order that passed every filter, with exchange-ready canonical decimal strings. */
export interface ValidOrder {
  readonly symbol: string;
  readonly side: Side;
  readonly type: OrderKind;
  readonly quantity: string;
  /** LIMIT only. */
  readonly price?: string;
  /** LIMIT only: GTX when post-only, else GTC. */
  readonly timeInForce?: 'GTC' | 'GTX';
  readonly reduceOnly: boolean;
  readonly positionSide: PositionSide;
  /** quantity × price (LIMIT) or × mark price (MARKET), the value Binance checks against MIN_NOTIONAL. */
  readonly notional: string;
}

/** Market data the rules need: the mark price (MIN_NOTIONAL for MARKET, PERCENT_PRICE). */
export interface MarketContext {
  readonly markPrice: string;
}

/** Optional behaviour and account context for `validateOrder`. */
export interface ValidateOptions {
  /**
   * Round instead of refusing: the price to the tick in the trader's favour, the quantity down to the step. Bounds
   * and notional are still enforced. For sizes computed by Strike (e.g. % of balance), not typed by the trader.
   */
  readonly autoRound?: boolean;
  /** The symbol's current open-order count, to check MAX_NUM_ORDERS before Binance does (-2025). */
  readonly openOrders?: number;
}

const fail = <T>(message: string, suggestion?: Record<string, string>): Result<T> =>
  err<T>('VALIDATION', message, suggestion === undefined ? {} : { suggestion });

/** A positive plain decimal: rejects '', 'NaN', '1e3', '.5', ' 1', negatives and zero. */
function positiveDecimal(x: string | undefined): x is string {
  return x !== undefined && isDecimal(x) && !isNegative(x) && !isZero(x);
}

const enabled = (x: string): boolean => !isZero(x);

/** The largest on-grid value ≤ `bound` / smallest ≥ `bound`, for suggestions at a limit. */
const priceAtMost = (bound: string, rules: SymbolRules) => roundPrice(bound, rules, 'floor');
const priceAtLeast = (bound: string, rules: SymbolRules) => roundPrice(bound, rules, 'ceil');

/**
 * Checks an order intent against the symbol's rules. `rules` may be `undefined` (symbol not in exchangeInfo), so
 * callers can pass `map.get(symbol)` straight in.
 */
export function validateOrder(
  intent: OrderIntent,
  rules: SymbolRules | undefined,
  market: MarketContext,
  opts: ValidateOptions = {},
): Result<ValidOrder> {
  const { symbol, side, type } = intent;
  const base = checkSymbol(symbol, rules);
  if (!base.ok) return base;
  const r = base.value;
  if (!r.orderTypes.includes(type)) return fail(`${symbol} does not accept ${type} orders.`);

  const reduceOnly = intent.reduceOnly ?? false;
  const positionSide = intent.positionSide ?? 'BOTH';
  // §4.3: in Hedge mode (LONG/SHORT) reduceOnly cannot be sent; closing is SELL+LONG or BUY+SHORT.
  if (reduceOnly && positionSide !== 'BOTH') {
    return fail('Reduce-only cannot be used in Hedge mode; close with the opposite side on the same position side instead.');
  }
  if (!positiveDecimal(intent.quantity)) {
    return fail(`Quantity must be a positive number written like 0.001 (got "${intent.quantity}").`);
  }
  // Fail closed on a missing or broken mark price: MIN_NOTIONAL and PERCENT_PRICE depend on it.
  if (!positiveDecimal(market.markPrice)) return fail(`No valid mark price for ${symbol} yet; try again in a moment.`);

  let price: string | undefined;
  let timeInForce: 'GTC' | 'GTX' | undefined;
  if (type === 'LIMIT') {
    const checked = checkLimitPrice(intent, r, market.markPrice, opts.autoRound ?? false);
    if (!checked.ok) return checked;
    price = checked.value;
    timeInForce = intent.postOnly === true ? 'GTX' : 'GTC';
    if (r.timeInForce.length > 0 && !r.timeInForce.includes(timeInForce)) {
      return fail(`${symbol} does not accept ${timeInForce} limit orders.`);
    }
  } else {
    if (intent.price !== undefined) return fail('A market order takes no price; remove it or use a limit order.');
    if (intent.postOnly === true) return fail('Post-only applies to limit orders only.');
  }

  const qty = checkQuantity(intent.quantity, r, type, opts.autoRound ?? false);
  if (!qty.ok) return qty;
  const quantity = qty.value;

  // §3.1 MIN_NOTIONAL: price × qty, the mark price for MARKET; reduce-only orders are exempt (-4164).
  const reference = price ?? market.markPrice;
  const notional = mul(quantity, reference);
  if (!reduceOnly && enabled(r.minNotional) && lt(notional, r.minNotional)) {
    const grid = lotGrid(r, type);
    const needed = roundQuantity(div(r.minNotional, reference, decimalPlaces(grid.step) + 1, 'ceil'), r, type, 'ceil');
    const fits = !enabled(grid.maxQty) || lte(needed, grid.maxQty);
    return fail(
      `Order value ${notional} ${r.quoteAsset} is below the minimum of ${r.minNotional} for ${symbol}` +
        (fits ? `; the smallest quantity at this price is ${needed}.` : '.'),
      fits ? { quantity: needed } : undefined,
    );
  }
  // §3.1 MAX_NUM_ORDERS: Binance would answer -2025.
  if (opts.openOrders !== undefined && r.maxNumOrders > 0 && opts.openOrders >= r.maxNumOrders) {
    return fail(`${symbol} already has ${opts.openOrders} open orders, the most Binance allows (${r.maxNumOrders}).`);
  }

  return ok({
    symbol,
    side,
    type,
    quantity,
    ...(price === undefined ? {} : { price, timeInForce }),
    reduceOnly,
    positionSide,
    notional,
  });
}

function checkSymbol(symbol: string, rules: SymbolRules | undefined): Result<SymbolRules> {
  if (rules === undefined) return fail(`Unknown symbol ${symbol}: it is not listed in Binance's exchange info.`);
  if (rules.symbol !== symbol) throw new Error(`rules for ${rules.symbol} passed to validate ${symbol}`);
  // §3.1 status: only TRADING accepts orders (PENDING_TRADING, SETTLING, CLOSE, … refuse them).
  if (rules.status !== 'TRADING') return fail(`${symbol} is not trading right now (status ${rules.status}).`);
  return ok(rules);
}

/** PRICE_FILTER (tick from minPrice, min, max) and PERCENT_PRICE against the mark price (§3.1). */
function checkLimitPrice(intent: OrderIntent, r: SymbolRules, mark: string, autoRound: boolean): Result<string> {
  const { symbol, side } = intent;
  if (intent.price === undefined) return fail('A limit order needs a price.');
  if (!positiveDecimal(intent.price)) return fail(`Price must be a positive number written like 43250.1 (got "${intent.price}").`);
  let price = normalize(intent.price);
  if (!isOnTick(price, r)) {
    const fixed = roundLimitPrice(price, side, r);
    if (!autoRound) return fail(`Price ${price} is not a multiple of the tick size ${r.tickSize} for ${symbol}; nearest valid: ${fixed}.`, { price: fixed });
    price = fixed;
  }
  if (enabled(r.minPrice) && lt(price, r.minPrice)) {
    return fail(`Price ${price} is below the minimum of ${r.minPrice} for ${symbol}.`, { price: r.minPrice });
  }
  if (enabled(r.maxPrice) && gt(price, r.maxPrice)) {
    const best = priceAtMost(r.maxPrice, r);
    return fail(`Price ${price} is above the maximum of ${r.maxPrice} for ${symbol}.`, { price: best });
  }
  // §3.1 PERCENT_PRICE: BUY price ≤ mark × multiplierUp, SELL price ≥ mark × multiplierDown (-4016 / -4024).
  if (side === 'BUY' && enabled(r.multiplierUp)) {
    const cap = mul(mark, r.multiplierUp);
    if (gt(price, cap)) {
      const best = priceAtMost(cap, r);
      return fail(`Buy price ${price} is too far above the mark price ${mark} for ${symbol}; the highest allowed is ${best}.`, { price: best });
    }
  }
  if (side === 'SELL' && enabled(r.multiplierDown)) {
    const floor = mul(mark, r.multiplierDown);
    if (lt(price, floor)) {
      const best = priceAtLeast(floor, r);
      return fail(`Sell price ${price} is too far below the mark price ${mark} for ${symbol}; the lowest allowed is ${best}.`, { price: best });
    }
  }
  return ok(price);
}

/** LOT_SIZE / MARKET_LOT_SIZE: step from minQty, min, max (§3.1, §4.14). */
function checkQuantity(input: string, r: SymbolRules, type: OrderKind, autoRound: boolean): Result<string> {
  const grid = lotGrid(r, type);
  const which = type === 'MARKET' ? 'for market orders on' : 'for';
  let qty = normalize(input);
  if (!isOnStep(qty, r, type)) {
    if (autoRound) {
      qty = roundQuantity(qty, r, type, 'floor');
    } else {
      const nearest = clampQuantity(roundQuantity(qty, r, type, 'nearest'), r, type);
      return fail(`Quantity ${qty} is not a multiple of the step size ${grid.step} ${which} ${r.symbol}; nearest valid: ${nearest}.`, {
        quantity: nearest,
      });
    }
  }
  if (isZero(qty) || (enabled(grid.minQty) && lt(qty, grid.minQty))) {
    // With LOT_SIZE's minimum disabled, the smallest order is one step.
    const smallest = enabled(grid.minQty) ? grid.minQty : grid.step;
    return fail(`Quantity ${input} is below the minimum of ${smallest} ${which} ${r.symbol}.`, { quantity: smallest });
  }
  if (enabled(grid.maxQty) && gt(qty, grid.maxQty)) {
    const best = roundQuantity(grid.maxQty, r, type, 'floor');
    return fail(`Quantity ${qty} is above the maximum of ${grid.maxQty} ${which} ${r.symbol}.`, { quantity: best });
  }
  return ok(qty);
}

function clampQuantity(qty: string, r: SymbolRules, type: OrderKind): string {
  const grid = lotGrid(r, type);
  if (enabled(grid.minQty) && lt(qty, grid.minQty)) return grid.minQty;
  if (enabled(grid.maxQty) && gt(qty, grid.maxQty)) return roundQuantity(grid.maxQty, r, type, 'floor');
  return qty;
}

/** A conditional order's trigger (algo order `triggerPrice`, §4.5, §4.8). */
export interface TriggerIntent {
  readonly symbol: string;
  /** Side of the order that the trigger releases. */
  readonly side: Side;
  readonly kind: TriggerKind;
  readonly triggerPrice: string;
}

/**
 * Checks a trigger price: decimal syntax, PRICE_FILTER (tick, min, max) and side sanity against `reference`, the
 * price the trigger watches (mark or last, per workingType). §4.5: a STOP BUY / TAKE_PROFIT SELL fires when the
 * price rises to the trigger, so it must be above the reference; a STOP SELL / TAKE_PROFIT BUY must be below.
 * Otherwise Binance rejects it as "would immediately trigger" (-2021 / -4142). Returns the exchange-ready trigger.
 */
export function validateStopPrice(
  intent: TriggerIntent,
  rules: SymbolRules | undefined,
  reference: string,
  opts: Pick<ValidateOptions, 'autoRound'> = {},
): Result<string> {
  const { symbol, side, kind } = intent;
  const base = checkSymbol(symbol, rules);
  if (!base.ok) return base;
  const r = base.value;
  if (!positiveDecimal(intent.triggerPrice)) {
    return fail(`Trigger price must be a positive number written like 43250.1 (got "${intent.triggerPrice}").`);
  }
  if (!positiveDecimal(reference)) return fail(`No valid current price for ${symbol} yet; try again in a moment.`);
  let trigger = normalize(intent.triggerPrice);
  if (!isOnTick(trigger, r)) {
    const fixed = roundTriggerPrice(trigger, side, kind, r);
    if (opts.autoRound !== true) {
      return fail(`Trigger price ${trigger} is not a multiple of the tick size ${r.tickSize} for ${symbol}; nearest valid: ${fixed}.`, {
        triggerPrice: fixed,
      });
    }
    trigger = fixed;
  }
  if (enabled(r.minPrice) && lt(trigger, r.minPrice)) {
    return fail(`Trigger price ${trigger} is below the minimum of ${r.minPrice} for ${symbol}.`, { triggerPrice: r.minPrice });
  }
  if (enabled(r.maxPrice) && gt(trigger, r.maxPrice)) {
    return fail(`Trigger price ${trigger} is above the maximum of ${r.maxPrice} for ${symbol}.`, { triggerPrice: priceAtMost(r.maxPrice, r) });
  }
  const mustBeAbove = (kind === 'STOP') === (side === 'BUY');
  const label = `${kind === 'STOP' ? 'stop' : 'take-profit'} ${side === 'BUY' ? 'buy' : 'sell'}`;
  if (mustBeAbove && lte(trigger, reference)) {
    const next = nextTickAbove(reference, r);
    return fail(`A ${label} trigger must be above the current price ${reference} or it would fire at once.`, { triggerPrice: next });
  }
  if (!mustBeAbove && gte(trigger, reference)) {
    const next = nextTickBelow(reference, r);
    return fail(`A ${label} trigger must be below the current price ${reference} or it would fire at once.`, { triggerPrice: next });
  }
  return ok(trigger);
}

/** Smallest on-tick price strictly above `x` (a zero tick falls back to the last decimal place of `x`). */
function nextTickAbove(x: string, r: SymbolRules): string {
  const up = priceAtLeast(x, r);
  return cmp(up, x) > 0 ? up : add(x, stepOrUnit(x, r));
}

/** Largest on-tick price strictly below `x`. */
function nextTickBelow(x: string, r: SymbolRules): string {
  const down = priceAtMost(x, r);
  return cmp(down, x) < 0 ? down : sub(x, stepOrUnit(x, r));
}

function stepOrUnit(x: string, r: SymbolRules): string {
  if (enabled(r.tickSize)) return r.tickSize;
  const places = decimalPlaces(x);
  return places === 0 ? '1' : `0.${'0'.repeat(places - 1)}1`;
}

/** One row of `GET /fapi/v1/leverageBracket` (§3): max leverage for notionals in [notionalFloor, notionalCap). */
export interface LeverageBracket {
  readonly initialLeverage: number;
  readonly notionalFloor: string;
  readonly notionalCap: string;
}

/** The highest leverage Binance allows for a position of `notional`, or null when no bracket covers it. */
export function maxLeverageFor(notional: string, brackets: readonly LeverageBracket[]): number | null {
  const hit = brackets.find((b) => gte(notional, b.notionalFloor) && lt(notional, b.notionalCap));
  return hit === undefined ? null : hit.initialLeverage;
}

/** A leverage setting must be an integer in 1..min(125, maxLeverage) (§3 `POST /fapi/v1/leverage`; -4028). */
export function validateLeverage(leverage: number, maxLeverage: number, symbol: string): Result<number> {
  const cap = Math.min(125, Math.floor(maxLeverage));
  if (!Number.isInteger(leverage) || leverage < 1) return fail(`Leverage must be a whole number of at least 1 (got ${leverage}).`);
  if (leverage > cap) return fail(`Leverage ${leverage}x is above the maximum of ${cap}x for ${symbol} at this position size.`, { leverage: String(cap) });
  return ok(leverage);
}

/**
 * Turns the trader's ticket into a quantity and the numbers shown before the click (notional, margin, a
 * liquidation estimate, the initial stop). Pure: prices, balance and rules are passed in; all arithmetic is on
 * decimal strings. The quantity is floored to the symbol's step (market lot for MARKET), so sizing never buys more
 * than asked; the validator then checks every filter.
 */
import { add, div, gt, isZero, mul, sub } from '../shared/decimal.ts';
import { err, ok, type Result } from '../shared/result.ts';
import type { SymbolRules } from './exchange-info.ts';
import { roundQuantity, roundTriggerPrice, type Side } from './precision.ts';

export type SizeMode = 'quantity' | 'notional' | 'balancePercent' | 'risk';

export interface SizingInput {
  readonly side: Side;
  readonly sizeMode: SizeMode;
  readonly size: string;
  /** Stop distance in % of the entry price (initial protective stop; risk sizing's distance). */
  readonly stopPercent?: string;
  readonly leverage: number;
  readonly orderType: 'MARKET' | 'LIMIT';
  readonly price?: string;
}

export interface SizingMarket {
  /** The price a MARKET order is expected to fill near: the far side of the book (ask for BUY, bid for SELL). */
  readonly fillPrice: string;
  readonly availableBalance: string;
}

export interface Sized {
  readonly quantity: string;
  /** Expected entry: the limit price, or the book's far side for MARKET. */
  readonly price: string;
  readonly notional: string;
  readonly margin: string;
  readonly liquidationEstimate: string;
  readonly stopPrice: string;
}

/** Binance's lowest maintenance margin rate tier for the majors (leverage brackets, bracket 1): an estimate only. */
export const MAINT_MARGIN_RATE = '0.004';
/** The safety stop when the ticket names none: −10 % of the entry price. */
export const SAFETY_STOP_PERCENT = '10';

const PLACES = 12;

/** Initial stop price for an entry: `stopPercent` away from entry against the position, rounded to the tick away from it. */
export function initialStopPrice(side: Side, entry: string, stopPercent: string, rules: SymbolRules): string {
  const distance = div(mul(entry, stopPercent), '100', PLACES);
  // A long's stop is a SELL stop below entry; a short's is a BUY stop above.
  const raw = side === 'BUY' ? sub(entry, distance) : add(entry, distance);
  return roundTriggerPrice(raw, side === 'BUY' ? 'SELL' : 'BUY', 'STOP', rules);
}

/**
 * Isolated-margin liquidation estimate with one maintenance rate: long `entry × (1 − 1/L + mmr)`, short
 * `entry × (1 + 1/L − mmr)`. Shown as an estimate: Binance's real figure depends on the bracket and cross wallet.
 */
export function liquidationEstimate(side: Side, entry: string, leverage: number): string {
  const inv = div('1', String(leverage), PLACES);
  const factor = side === 'BUY' ? add(sub('1', inv), MAINT_MARGIN_RATE) : sub(add('1', inv), MAINT_MARGIN_RATE);
  return div(mul(entry, factor), '1', 8);
}

export function sizeTicket(input: SizingInput, rules: SymbolRules, market: SizingMarket): Result<Sized> {
  const price = input.orderType === 'LIMIT' ? input.price : market.fillPrice;
  if (price === undefined || isZero(price)) return err('VALIDATION', 'Enter a limit price.');
  const stopPercent = input.stopPercent ?? SAFETY_STOP_PERCENT;
  if (!gt(stopPercent, '0') || !gt('100', stopPercent)) return err('VALIDATION', 'The stop distance must be between 0 and 100 %.');

  let raw: string;
  switch (input.sizeMode) {
    case 'quantity':
      raw = input.size;
      break;
    case 'notional':
      raw = div(input.size, price, PLACES, 'floor');
      break;
    case 'balancePercent': {
      // % of the available balance used as margin, times leverage, is the notional.
      const margin = div(mul(market.availableBalance, input.size), '100', PLACES, 'floor');
      raw = div(mul(margin, String(input.leverage)), price, PLACES, 'floor');
      break;
    }
    case 'risk': {
      // Risk in USDT lost if the stop is hit: quantity × (price × stop%).
      const perUnit = div(mul(price, stopPercent), '100', PLACES);
      raw = div(input.size, perUnit, PLACES, 'floor');
      break;
    }
  }
  const quantity = roundQuantity(raw, rules, input.orderType, 'floor');
  if (isZero(quantity)) {
    return err('VALIDATION', `That size is less than one step (${input.orderType === 'MARKET' && !isZero(rules.marketStepSize) ? rules.marketStepSize : rules.stepSize} ${rules.baseAsset}).`);
  }
  const notional = mul(quantity, price);
  return ok({
    quantity,
    price,
    notional: div(notional, '1', 8),
    margin: div(notional, String(input.leverage), 8),
    liquidationEstimate: liquidationEstimate(input.side, price, input.leverage),
    stopPrice: initialStopPrice(input.side, price, stopPercent, rules),
  });
}

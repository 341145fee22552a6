/**
 * Builders for the exchange parameters of protective orders and market closes, for one-way and hedge mode.
 * One-way (positionSide BOTH) closes with reduceOnly=true; hedge mode must not send reduceOnly at all and closes
 * with SELL+LONG / BUY+SHORT (fact sheet §4.3). Quantity is the position's full current size: closePosition is
 * avoided because Binance allows only one closePosition stop per direction (-4130), which would make
 * "new stop accepted before the old one is cancelled" impossible.
 */
import type { AlgoOrderParams, CloseOrderParams, Direction, OrderSide, PositionRecord } from './schema.ts';

/** The side that reduces a position. */
export function closingSide(dir: Direction): OrderSide {
  return dir === 'long' ? 'SELL' : 'BUY';
}

function reduceOnlyFlag(rec: Pick<PositionRecord, 'positionSide'>): { reduceOnly?: 'true' } {
  return rec.positionSide === 'BOTH' ? { reduceOnly: 'true' } : {};
}

/** STOP_MARKET on the mark price for the full size (§4.5: SELL triggers when mark ≤ triggerPrice). */
export function stopParams(rec: Pick<PositionRecord, 'symbol' | 'positionSide' | 'direction' | 'size'>, triggerPrice: string, clientAlgoId: string): AlgoOrderParams {
  return {
    algoType: 'CONDITIONAL',
    symbol: rec.symbol,
    side: closingSide(rec.direction),
    positionSide: rec.positionSide,
    type: 'STOP_MARKET',
    quantity: rec.size,
    ...reduceOnlyFlag(rec),
    triggerPrice,
    workingType: 'MARK_PRICE',
    clientAlgoId,
  };
}

/**
 * TRAILING_STOP_MARKET for one tier (§4.5, §4.6: callbackRate in percent). Without `activatePrice` the exchange
 * starts tracking from the latest price, which is what a tier already reached needs (an activatePrice on the wrong
 * side of the price is refused with -2021).
 */
export function trailParams(rec: PositionRecord, callbackRate: string, activate: string | null, clientAlgoId: string): AlgoOrderParams {
  return {
    algoType: 'CONDITIONAL',
    symbol: rec.symbol,
    side: closingSide(rec.direction),
    positionSide: rec.positionSide,
    type: 'TRAILING_STOP_MARKET',
    quantity: rec.size,
    ...reduceOnlyFlag(rec),
    ...(activate === null ? {} : { activatePrice: activate }),
    callbackRate,
    workingType: 'MARK_PRICE',
    clientAlgoId,
  };
}

/** Reduce-only MARKET close of the full size. */
export function closeParams(rec: PositionRecord, newClientOrderId: string): CloseOrderParams {
  return {
    symbol: rec.symbol,
    side: closingSide(rec.direction),
    positionSide: rec.positionSide,
    type: 'MARKET',
    quantity: rec.size,
    ...reduceOnlyFlag(rec),
    newClientOrderId,
  };
}

import { describe, expect, it } from 'vitest';
import {
  isOnStep,
  isOnTick,
  lotGrid,
  roundLimitPrice,
  roundPrice,
  roundQuantity,
  roundTriggerPrice,
  triggerRounding,
} from '../../src/core/precision.ts';
import { fromNumber, mul } from '../../src/shared/decimal.ts';

const tick = (tickSize: string, minPrice = '0') => ({ tickSize, minPrice });
const lot = (stepSize: string, minQty = '0', market: { step?: string; min?: string; max?: string } = {}) => ({
  stepSize,
  minQty,
  maxQty: '0',
  marketStepSize: market.step ?? '0',
  marketMinQty: market.min ?? '0',
  marketMaxQty: market.max ?? '0',
});

describe('roundPrice: ticks counted from minPrice', () => {
  it.each([
    // [price, tick, minPrice, floor, ceil, nearest]
    ['43250.17', '0.1', '0', '43250.1', '43250.2', '43250.2'],
    ['43250.15', '0.1', '0', '43250.1', '43250.2', '43250.2'],
    ['43250.1', '0.1', '556.8', '43250.1', '43250.1', '43250.1'],
    ['1.23', '0.05', '0', '1.2', '1.25', '1.25'],
    ['1.22', '0.05', '0', '1.2', '1.25', '1.2'],
    ['1.275', '0.05', '0', '1.25', '1.3', '1.3'],
    ['10.3', '0.5', '0', '10', '10.5', '10.5'],
    ['10.2', '0.5', '0', '10', '10.5', '10'],
    ['12345', '10', '0', '12340', '12350', '12350'],
    ['12344.99', '10', '0', '12340', '12350', '12340'],
    // Origin matters when minPrice is off the tick grid: ticks of 0.5 counted from 0.3.
    ['10.2', '0.5', '0.3', '9.8', '10.3', '10.3'],
    ['7', '10', '3', '3', '13', '3'],
    // A zero tick disables the rule (§3.1).
    ['1.23456789', '0', '0', '1.23456789', '1.23456789', '1.23456789'],
    // Trailing zeros in inputs do not matter; outputs are canonical.
    ['43250.100', '0.10', '556.80', '43250.1', '43250.1', '43250.1'],
  ])('%s on tick %s from %s → floor %s, ceil %s, nearest %s', (price, t, min, floor, ceil, nearest) => {
    expect(roundPrice(price, tick(t, min), 'floor')).toBe(floor);
    expect(roundPrice(price, tick(t, min), 'ceil')).toBe(ceil);
    expect(roundPrice(price, tick(t, min), 'nearest')).toBe(nearest);
  });

  it.each([
    ['43250.1', '0.1', '0', true],
    ['43250.15', '0.1', '0', false],
    ['1.25', '0.05', '0', true],
    ['1.26', '0.05', '0', false],
    ['10.3', '0.5', '0.3', true],
    ['10.5', '0.5', '0.3', false],
    ['12340', '10', '0', true],
    ['0.000001', '0', '0', true],
  ])('isOnTick(%s, tick %s from %s) = %s', (price, t, min, expected) => {
    expect(isOnTick(price, tick(t, min))).toBe(expected);
  });
});

describe('direction by side', () => {
  it.each([
    ['BUY', '43250.17', '43250.1'], // never pays more than asked
    ['SELL', '43250.11', '43250.2'], // never receives less than asked
    ['BUY', '43250.1', '43250.1'],
    ['SELL', '43250.1', '43250.1'],
  ] as const)('limit %s %s → %s', (side, price, expected) => {
    expect(roundLimitPrice(price, side, tick('0.1'))).toBe(expected);
  });

  it.each([
    // Triggers round away from the market, so rounding never makes one fire earlier than asked.
    ['SELL', 'STOP', 'floor', '41999.95', '41999.9'], // long's stop-loss, below the market
    ['BUY', 'STOP', 'ceil', '44000.01', '44000.1'], // short's stop-loss, above the market
    ['SELL', 'TAKE_PROFIT', 'ceil', '45000.01', '45000.1'], // long's take-profit, above
    ['BUY', 'TAKE_PROFIT', 'floor', '40000.09', '40000'], // short's take-profit, below
  ] as const)('trigger %s %s rounds %s: %s → %s', (side, kind, mode, price, expected) => {
    expect(triggerRounding(side, kind)).toBe(mode);
    expect(roundTriggerPrice(price, side, kind, tick('0.1'))).toBe(expected);
  });
});

describe('roundQuantity: steps', () => {
  it.each([
    // [qty, step, minQty, floor, ceil, nearest]
    ['0.0015', '0.001', '0.001', '0.001', '0.002', '0.002'],
    ['0.0014999', '0.001', '0.001', '0.001', '0.002', '0.001'],
    ['1.2345', '0.001', '0', '1.234', '1.235', '1.235'],
    ['7.5', '1', '1', '7', '8', '8'],
    ['7.49', '1', '0', '7', '8', '7'],
    ['250', '100', '100', '200', '300', '300'],
    ['249', '100', '0', '200', '300', '200'],
    ['50', '100', '0', '0', '100', '100'],
    ['0.5', '0', '0', '0.5', '0.5', '0.5'],
  ])('%s on step %s from %s → floor %s, ceil %s, nearest %s', (qty, step, min, floor, ceil, nearest) => {
    expect(roundQuantity(qty, lot(step, min), 'LIMIT')).toBe(floor);
    expect(roundQuantity(qty, lot(step, min), 'LIMIT', 'ceil')).toBe(ceil);
    expect(roundQuantity(qty, lot(step, min), 'LIMIT', 'nearest')).toBe(nearest);
  });

  it('MARKET orders use MARKET_LOT_SIZE when it sets a step, LOT_SIZE otherwise', () => {
    const withMarket = lot('0.001', '0.001', { step: '0.01', min: '0.01', max: '120' });
    expect(roundQuantity('1.2345', withMarket, 'MARKET')).toBe('1.23');
    expect(roundQuantity('1.2345', withMarket, 'LIMIT')).toBe('1.234');
    expect(lotGrid(withMarket, 'MARKET')).toEqual({ step: '0.01', minQty: '0.01', maxQty: '120' });
    const withoutMarket = lot('0.001', '0.001');
    expect(roundQuantity('1.2345', withoutMarket, 'MARKET')).toBe('1.234');
    expect(lotGrid(withoutMarket, 'MARKET')).toEqual({ step: '0.001', minQty: '0.001', maxQty: '0' });
    // Non-canonical zeros still count as "disabled".
    expect(lotGrid(lot('0.001', '0.001', { step: '0.000', max: '120.0' }), 'MARKET')).toEqual({ step: '0.001', minQty: '0.001', maxQty: '120.0' });
  });

  it.each([
    ['0.003', '0.001', true],
    ['0.0035', '0.001', false],
    ['300', '100', true],
    ['350', '100', false],
    ['7', '1', true],
  ])('isOnStep(%s, step %s) = %s', (qty, step, expected) => {
    expect(isOnStep(qty, lot(step), 'LIMIT')).toBe(expected);
  });
});

describe('float traps stay exact on decimal strings', () => {
  it('0.1 + 0.2 arriving as a float rounds to 0.3 on a 0.001 step', () => {
    const q = fromNumber(0.1 + 0.2);
    expect(q).toBe('0.30000000000000004');
    expect(roundQuantity(q, lot('0.001'), 'LIMIT')).toBe('0.3');
    expect(isOnStep(q, lot('0.001'), 'LIMIT')).toBe(false);
  });

  it('0.3 is a whole number of 0.1 ticks (a float floor of 0.3 / 0.1 gives 2)', () => {
    expect(Math.floor(0.3 / 0.1)).toBe(2);
    expect(roundPrice('0.3', tick('0.1'), 'floor')).toBe('0.3');
    expect(isOnTick('0.3', tick('0.1'))).toBe(true);
  });

  it('1.005 rounds half-up to 1.01 (a float toFixed gives 1.00)', () => {
    expect((1.005).toFixed(2)).toBe('1.00');
    expect(roundPrice('1.005', tick('0.01'), 'nearest')).toBe('1.01');
  });

  it('4.35 × 100 is exactly 435 (the float product is 434.99999999999994)', () => {
    expect(4.35 * 100).toBe(434.99999999999994);
    expect(roundQuantity(mul('4.35', '100'), lot('1'), 'LIMIT')).toBe('435');
    expect(roundQuantity(fromNumber(4.35 * 100), lot('1'), 'LIMIT')).toBe('434');
  });

  it('0.07 on a 0.01 tick is on the grid (0.07 / 0.01 = 7.000000000000001 in floats)', () => {
    expect(0.07 / 0.01).not.toBe(7);
    expect(isOnTick('0.07', tick('0.01'))).toBe(true);
  });

  it('large prices with small ticks keep every digit', () => {
    expect(roundPrice('4529763.95', tick('0.1', '556.8'), 'floor')).toBe('4529763.9');
    expect(roundPrice('123456789012.123456789', tick('0.00000001'), 'floor')).toBe('123456789012.12345678');
  });
});

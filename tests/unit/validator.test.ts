import { describe, expect, it } from 'vitest';
import type { SymbolRules } from '../../src/core/exchange-info.ts';
import {
  maxLeverageFor,
  validateLeverage,
  validateOrder,
  validateStopPrice,
  type OrderIntent,
  type TriggerIntent,
} from '../../src/core/validator.ts';
import type { Result } from '../../src/shared/result.ts';
import { BTCUSDT_RULES } from '../fixtures/btcusdt-rules.ts';

// BTCUSDT as in the fact sheet §3.1 live capture.
const BTC: SymbolRules = BTCUSDT_RULES;
const MARK = { markPrice: '43250' };

const buy = (over: Partial<OrderIntent> = {}): OrderIntent => ({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', quantity: '0.01', price: '43250.1', ...over });

function failure<T>(r: Result<T>) {
  if (r.ok) throw new Error(`expected a failure, got ${JSON.stringify(r.value)}`);
  expect(r.error.code).toBe('VALIDATION');
  return r.error;
}

describe('validateOrder: valid orders', () => {
  it('a LIMIT BUY becomes exchange-ready strings', () => {
    expect(validateOrder(buy(), BTC, MARK)).toEqual({
      ok: true,
      value: {
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'LIMIT',
        quantity: '0.01',
        price: '43250.1',
        timeInForce: 'GTC',
        reduceOnly: false,
        positionSide: 'BOTH',
        notional: '432.501',
      },
    });
  });

  it('normalises trailing zeros', () => {
    const r = validateOrder(buy({ quantity: '0.0100', price: '43250.10' }), BTC, MARK);
    expect(r.ok && [r.value.quantity, r.value.price]).toEqual(['0.01', '43250.1']);
  });

  it('post-only becomes GTX', () => {
    const r = validateOrder(buy({ postOnly: true }), BTC, MARK);
    expect(r.ok && r.value.timeInForce).toBe('GTX');
  });

  it('a MARKET order carries no price and its notional uses the mark price', () => {
    const r = validateOrder({ symbol: 'BTCUSDT', side: 'SELL', type: 'MARKET', quantity: '0.005' }, BTC, MARK);
    expect(r).toEqual({
      ok: true,
      value: { symbol: 'BTCUSDT', side: 'SELL', type: 'MARKET', quantity: '0.005', reduceOnly: false, positionSide: 'BOTH', notional: '216.25' },
    });
  });

  it('hedge-mode position sides pass through', () => {
    const r = validateOrder(buy({ positionSide: 'LONG' }), BTC, MARK);
    expect(r.ok && r.value.positionSide).toBe('LONG');
  });
});

describe('validateOrder: decimal syntax', () => {
  it.each(['', 'NaN', '1e3', '-1', '0', '0.000', ' 1', '.5', '1.', '+1', 'Infinity', '0x1'])('rejects quantity %j', (q) => {
    expect(failure(validateOrder(buy({ quantity: q }), BTC, MARK)).message).toMatch(/^Quantity must be a positive number/);
  });

  it.each(['', 'NaN', '4e4', '-43250', '0', '43 250'])('rejects price %j', (p) => {
    expect(failure(validateOrder(buy({ price: p }), BTC, MARK)).message).toMatch(/^Price must be a positive number/);
  });

  it.each(['', '0', 'NaN', '-1'])('fails closed on mark price %j', (m) => {
    expect(failure(validateOrder(buy(), BTC, { markPrice: m })).message).toMatch(/No valid mark price/);
  });
});

describe('validateOrder: symbol and order shape', () => {
  it('unknown symbol', () => {
    expect(failure(validateOrder(buy({ symbol: 'FOOUSDT' }), undefined, MARK)).message).toBe(
      "Unknown symbol FOOUSDT: it is not listed in Binance's exchange info.",
    );
  });

  it.each(['SETTLING', 'PENDING_TRADING', 'CLOSE'])('symbol status %s refuses orders', (status) => {
    expect(failure(validateOrder(buy(), { ...BTC, status }, MARK)).message).toBe(`BTCUSDT is not trading right now (status ${status}).`);
  });

  it('order type not offered by the symbol', () => {
    expect(failure(validateOrder(buy({ type: 'MARKET', price: undefined }), { ...BTC, orderTypes: ['LIMIT'] }, MARK)).message).toBe(
      'BTCUSDT does not accept MARKET orders.',
    );
  });

  it('rules for another symbol are a programming error', () => {
    expect(() => validateOrder(buy({ symbol: 'ETHUSDT' }), BTC, MARK)).toThrow();
  });

  it.each<[string, Partial<OrderIntent>, RegExp]>([
    ['LIMIT without price', { price: undefined }, /needs a price/],
    ['MARKET with a price', { type: 'MARKET' }, /market order takes no price/],
    ['post-only MARKET', { type: 'MARKET', price: undefined, postOnly: true }, /Post-only applies to limit orders/],
    ['reduce-only in Hedge mode', { reduceOnly: true, positionSide: 'SHORT' }, /Hedge mode/],
  ])('%s', (_name, over, text) => {
    expect(failure(validateOrder(buy(over), BTC, MARK)).message).toMatch(text);
  });

  it('time-in-force the symbol does not list', () => {
    expect(failure(validateOrder(buy({ postOnly: true }), { ...BTC, timeInForce: ['GTC'] }, MARK)).message).toBe(
      'BTCUSDT does not accept GTX limit orders.',
    );
  });
});

describe('validateOrder: PRICE_FILTER', () => {
  it.each([
    ['BUY', '43250.17', '43250.1'],
    ['SELL', '43250.11', '43250.2'],
  ] as const)('%s at %s is off the tick: suggests %s (in the trader\'s favour)', (side, price, suggested) => {
    const e = failure(validateOrder(buy({ side, price }), BTC, MARK));
    expect(e.message).toBe(`Price ${price} is not a multiple of the tick size 0.1 for BTCUSDT; nearest valid: ${suggested}.`);
    expect(e.suggestion).toEqual({ price: suggested });
  });

  it('autoRound rounds the price instead', () => {
    const r = validateOrder(buy({ price: '43250.17' }), BTC, MARK, { autoRound: true });
    expect(r.ok && r.value.price).toBe('43250.1');
  });

  it('ticks count from minPrice', () => {
    const rules = { ...BTC, tickSize: '0.5', minPrice: '0.3', multiplierUp: '0', multiplierDown: '0' };
    expect(validateOrder(buy({ price: '43250.3' }), rules, MARK).ok).toBe(true);
    expect(failure(validateOrder(buy({ price: '43250.5' }), rules, MARK)).suggestion).toEqual({ price: '43250.3' });
  });

  it('below minPrice', () => {
    const e = failure(validateOrder(buy({ price: '500' }), BTC, { markPrice: '510' }));
    expect(e.message).toBe('Price 500 is below the minimum of 556.8 for BTCUSDT.');
    expect(e.suggestion).toEqual({ price: '556.8' });
  });

  it('above maxPrice', () => {
    const e = failure(validateOrder(buy({ price: '4529765', quantity: '0.001' }), BTC, { markPrice: '4529000' }));
    expect(e.message).toBe('Price 4529765 is above the maximum of 4529764 for BTCUSDT.');
    expect(e.suggestion).toEqual({ price: '4529764' });
  });

  it('a zero tick / min / max disables those rules', () => {
    const rules = { ...BTC, tickSize: '0', minPrice: '0', maxPrice: '0' };
    expect(validateOrder(buy({ price: '43250.123456' }), rules, MARK).ok).toBe(true);
  });
});

describe('validateOrder: PERCENT_PRICE against the mark price', () => {
  it.each([
    // BUY price ≤ mark × 1.05 = 45412.5; SELL price ≥ mark × 0.95 = 41087.5.
    ['BUY', '45412.5', true, undefined],
    ['BUY', '45412.6', false, '45412.5'],
    ['SELL', '41087.5', true, undefined],
    ['SELL', '41087.4', false, '41087.5'],
    ['BUY', '30000', true, undefined], // only the upper bound applies to a BUY
    ['SELL', '60000', true, undefined], // only the lower bound applies to a SELL
  ] as const)('%s at %s → ok %s', (side, price, okay, suggested) => {
    const r = validateOrder(buy({ side, price }), BTC, MARK);
    expect(r.ok).toBe(okay);
    if (!r.ok) {
      expect(r.error.message).toMatch(side === 'BUY' ? /too far above the mark price 43250.*highest allowed is/ : /too far below.*lowest allowed is/);
      expect(r.error.suggestion).toEqual({ price: suggested });
    }
  });

  it('the suggestion lands on the tick grid inside the band', () => {
    // mark 43250.33 × 1.05 = 45412.8465 → highest BUY on a 0.1 grid from 556.8 is 45412.8.
    const e = failure(validateOrder(buy({ price: '46000' }), BTC, { markPrice: '43250.33' }));
    expect(e.suggestion).toEqual({ price: '45412.8' });
  });
});

describe('validateOrder: LOT_SIZE and MARKET_LOT_SIZE', () => {
  it('off the step: suggests the nearest valid quantity', () => {
    const e = failure(validateOrder(buy({ quantity: '0.0125' }), BTC, MARK));
    expect(e.message).toBe('Quantity 0.0125 is not a multiple of the step size 0.001 for BTCUSDT; nearest valid: 0.013.');
    expect(e.suggestion).toEqual({ quantity: '0.013' });
  });

  it('off the step below the minimum: suggests the minimum', () => {
    expect(failure(validateOrder(buy({ quantity: '0.0004' }), BTC, MARK)).suggestion).toEqual({ quantity: '0.001' });
  });

  it('autoRound floors the quantity', () => {
    const r = validateOrder(buy({ quantity: '0.0129' }), BTC, MARK, { autoRound: true });
    expect(r.ok && r.value.quantity).toBe('0.012');
  });

  it('autoRound that floors to zero reports the minimum', () => {
    const e = failure(validateOrder(buy({ quantity: '0.0009' }), BTC, MARK, { autoRound: true }));
    expect(e.message).toBe('Quantity 0.0009 is below the minimum of 0.001 for BTCUSDT.');
    expect(e.suggestion).toEqual({ quantity: '0.001' });
  });

  it('on the step but below minQty', () => {
    const rules = { ...BTC, minQty: '0.01' };
    const e = failure(validateOrder(buy({ quantity: '0.005' }), rules, MARK));
    expect(e.message).toBe('Quantity 0.005 is below the minimum of 0.01 for BTCUSDT.');
    expect(e.suggestion).toEqual({ quantity: '0.01' });
  });

  it('above maxQty for LIMIT', () => {
    const e = failure(validateOrder(buy({ quantity: '1000.001', price: '43250' }), BTC, MARK));
    expect(e.message).toBe('Quantity 1000.001 is above the maximum of 1000 for BTCUSDT.');
    expect(e.suggestion).toEqual({ quantity: '1000' });
  });

  it('MARKET uses the market lot maximum (120, not 1000)', () => {
    const market: OrderIntent = { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '121' };
    const e = failure(validateOrder(market, BTC, MARK));
    expect(e.message).toBe('Quantity 121 is above the maximum of 120 for market orders on BTCUSDT.');
    expect(e.suggestion).toEqual({ quantity: '120' });
    expect(validateOrder({ ...market, type: 'LIMIT', price: '43250' }, BTC, MARK).ok).toBe(true);
  });

  it('MARKET uses the market step when MARKET_LOT_SIZE sets one', () => {
    const rules = { ...BTC, marketStepSize: '0.01', marketMinQty: '0.01' };
    const market: OrderIntent = { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.123' };
    const e = failure(validateOrder(market, rules, MARK));
    expect(e.message).toMatch(/step size 0.01 for market orders on BTCUSDT; nearest valid: 0.12\./);
    expect(validateOrder({ ...market, type: 'LIMIT', price: '43250' }, rules, MARK).ok).toBe(true);
  });
});

describe('validateOrder: MIN_NOTIONAL', () => {
  it('LIMIT uses its price: suggests the smallest quantity that reaches the minimum', () => {
    const e = failure(validateOrder(buy({ quantity: '0.002' }), BTC, MARK));
    expect(e.message).toBe('Order value 86.5002 USDT is below the minimum of 100 for BTCUSDT; the smallest quantity at this price is 0.003.');
    expect(e.suggestion).toEqual({ quantity: '0.003' });
  });

  it('MARKET uses the mark price', () => {
    const market: OrderIntent = { symbol: 'BTCUSDT', side: 'SELL', type: 'MARKET', quantity: '0.002' };
    expect(failure(validateOrder(market, BTC, MARK)).message).toMatch(/^Order value 86.5 USDT/);
    expect(validateOrder(market, BTC, { markPrice: '50000' }).ok).toBe(true);
  });

  it('exactly at the minimum passes', () => {
    expect(validateOrder(buy({ quantity: '0.004', price: '25000' }), BTC, { markPrice: '25000' }).ok).toBe(true);
  });

  it('reduce-only orders are exempt (§3.1, -4164)', () => {
    const r = validateOrder(buy({ quantity: '0.001', reduceOnly: true }), BTC, MARK);
    expect(r.ok && r.value).toMatchObject({ reduceOnly: true, notional: '43.2501' });
  });

  it('no suggestion when the needed quantity exceeds the maximum', () => {
    const rules = { ...BTC, maxQty: '0.002' };
    const e = failure(validateOrder(buy({ quantity: '0.001' }), rules, MARK));
    expect(e.message).toBe('Order value 43.2501 USDT is below the minimum of 100 for BTCUSDT.');
    expect(e.suggestion).toBeUndefined();
  });
});

describe('validateOrder: MAX_NUM_ORDERS', () => {
  it.each([
    [199, true],
    [200, false],
  ])('with %i open orders → ok %s', (openOrders, okay) => {
    expect(validateOrder(buy(), BTC, MARK, { openOrders }).ok).toBe(okay);
  });
});

describe('validateStopPrice', () => {
  const stop = (over: Partial<TriggerIntent> = {}): TriggerIntent => ({ symbol: 'BTCUSDT', side: 'SELL', kind: 'STOP', triggerPrice: '42000', ...over });

  it.each([
    // [side, kind, trigger, reference, ok, suggestion]
    ['SELL', 'STOP', '42000', '43250', true, undefined],
    ['SELL', 'STOP', '44000', '43250', false, '43249.9'],
    ['SELL', 'STOP', '43250', '43250', false, '43249.9'],
    ['BUY', 'STOP', '44000', '43250', true, undefined],
    ['BUY', 'STOP', '43000', '43250.05', false, '43250.1'],
    ['SELL', 'TAKE_PROFIT', '45000', '43250', true, undefined],
    ['SELL', 'TAKE_PROFIT', '43000', '43250', false, '43250.1'],
    ['BUY', 'TAKE_PROFIT', '40000', '43250', true, undefined],
    ['BUY', 'TAKE_PROFIT', '44000', '43250.05', false, '43250'],
  ] as const)('%s %s at %s vs %s → ok %s', (side, kind, triggerPrice, reference, okay, suggested) => {
    const r = validateStopPrice(stop({ side, kind, triggerPrice }), BTC, reference);
    expect(r.ok).toBe(okay);
    if (r.ok) expect(r.value).toBe(triggerPrice);
    else {
      expect(r.error.message).toMatch(/or it would fire at once/);
      expect(r.error.suggestion).toEqual({ triggerPrice: suggested });
    }
  });

  it('off the tick: rounds away from the market in the suggestion, or with autoRound', () => {
    const e = failure(validateStopPrice(stop({ triggerPrice: '42000.05' }), BTC, '43250'));
    expect(e.suggestion).toEqual({ triggerPrice: '42000' });
    expect(validateStopPrice(stop({ triggerPrice: '42000.05' }), BTC, '43250', { autoRound: true })).toEqual({ ok: true, value: '42000' });
    expect(validateStopPrice(stop({ side: 'BUY', triggerPrice: '44000.01' }), BTC, '43250', { autoRound: true })).toEqual({ ok: true, value: '44000.1' });
  });

  it('min and max price apply to triggers too', () => {
    expect(failure(validateStopPrice(stop({ triggerPrice: '500' }), BTC, '43250')).suggestion).toEqual({ triggerPrice: '556.8' });
    expect(failure(validateStopPrice(stop({ side: 'BUY', triggerPrice: '5000000' }), BTC, '43250')).suggestion).toEqual({ triggerPrice: '4529764' });
  });

  it('syntax, unknown symbol, status and reference price', () => {
    expect(failure(validateStopPrice(stop({ triggerPrice: '1e4' }), BTC, '43250')).message).toMatch(/^Trigger price must be a positive number/);
    expect(failure(validateStopPrice(stop(), undefined, '43250')).message).toMatch(/^Unknown symbol/);
    expect(failure(validateStopPrice(stop(), { ...BTC, status: 'CLOSE' }, '43250')).message).toMatch(/not trading/);
    expect(failure(validateStopPrice(stop(), BTC, '')).message).toMatch(/No valid current price/);
  });

  it('with a zero tick, the suggestion moves by the reference price\'s last decimal', () => {
    const rules = { ...BTC, tickSize: '0' };
    expect(failure(validateStopPrice(stop({ triggerPrice: '44000' }), rules, '43250.25')).suggestion).toEqual({ triggerPrice: '43250.24' });
  });
});

describe('leverage', () => {
  const brackets = [
    { initialLeverage: 125, notionalFloor: '0', notionalCap: '50000' },
    { initialLeverage: 100, notionalFloor: '50000', notionalCap: '600000' },
    { initialLeverage: 50, notionalFloor: '600000', notionalCap: '3000000' },
  ];

  it.each([
    ['0', 125],
    ['49999.99', 125],
    ['50000', 100],
    ['2999999', 50],
    ['3000000', null],
  ])('maxLeverageFor(%s) = %s', (notional, expected) => {
    expect(maxLeverageFor(notional, brackets)).toBe(expected);
  });

  it.each([
    [20, 125, true, undefined],
    [125, 125, true, undefined],
    [126, 200, false, '125'],
    [101, 100, false, '100'],
    [0, 125, false, undefined],
    [2.5, 125, false, undefined],
  ])('validateLeverage(%s, max %s) → ok %s', (leverage, maxLev, okay, suggested) => {
    const r = validateLeverage(leverage, maxLev, 'BTCUSDT');
    expect(r.ok).toBe(okay);
    if (!r.ok) expect(r.error.suggestion?.leverage).toBe(suggested);
  });
});

describe('validateOrder: disabled minimum', () => {
  it('with minQty 0, a quantity that floors to zero suggests one step', () => {
    const rules = { ...BTC, minQty: '0', minNotional: '0' };
    const e = failure(validateOrder(buy({ quantity: '0.0004' }), rules, MARK, { autoRound: true }));
    expect(e.message).toBe('Quantity 0.0004 is below the minimum of 0.001 for BTCUSDT.');
    expect(e.suggestion).toEqual({ quantity: '0.001' });
  });
});

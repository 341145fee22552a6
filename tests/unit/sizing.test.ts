import { describe, expect, it } from 'vitest';
import { sizeTicket, initialStopPrice, liquidationEstimate, type SizingInput } from '../../src/core/sizing.ts';
import { isMultipleOf } from '../../src/shared/decimal.ts';
import type { SymbolRules } from '../../src/core/exchange-info.ts';
import { BTCUSDT_RULES } from '../fixtures/btcusdt-rules.ts';

const BTC: SymbolRules = BTCUSDT_RULES;
const PEPE: SymbolRules = { ...BTC, symbol: '1000PEPEUSDT', baseAsset: '1000PEPE', tickSize: '0.0000001', minPrice: '0.0000001', stepSize: '1', minQty: '1', marketStepSize: '1', marketMinQty: '1', marketMaxQty: '80000000', minNotional: '5' };

const base: SizingInput = { side: 'BUY', sizeMode: 'quantity', size: '0.01', leverage: 10, orderType: 'MARKET' };
const market = { fillPrice: '50000', availableBalance: '10000' };

describe('sizeTicket', () => {
  it.each([
    ['quantity, floored to the step', { sizeMode: 'quantity', size: '0.0129' }, '0.012'],
    ['USDT notional', { sizeMode: 'notional', size: '1000' }, '0.02'],
    ['USDT notional that does not divide', { sizeMode: 'notional', size: '333' }, '0.006'],
    ['% of balance x leverage', { sizeMode: 'balancePercent', size: '10' }, '0.2'],
    ['risk amount over the stop distance', { sizeMode: 'risk', size: '100', stopPercent: '2' }, '0.1'],
    ['risk with the default 10 % safety distance', { sizeMode: 'risk', size: '100' }, '0.02'],
  ] as const)('%s', (_name, patch, quantity) => {
    const r = sizeTicket({ ...base, ...patch }, BTC, market);
    expect(r.ok && r.value.quantity).toBe(quantity);
  });

  it('sizes a LIMIT order at its own price', () => {
    const r = sizeTicket({ ...base, sizeMode: 'notional', size: '1000', orderType: 'LIMIT', price: '40000' }, BTC, market);
    expect(r.ok && r.value).toMatchObject({ quantity: '0.025', price: '40000', notional: '1000', margin: '100' });
  });

  it('refuses a LIMIT without price and a size under one step, naming the step', () => {
    expect(sizeTicket({ ...base, orderType: 'LIMIT' }, BTC, market)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    const r = sizeTicket({ ...base, size: '0.0004' }, BTC, market);
    expect(r.ok === false && r.error.message).toContain('0.001 BTC');
  });

  it('handles whole-unit steps and tiny prices without float error', () => {
    const r = sizeTicket({ ...base, sizeMode: 'notional', size: '50' }, PEPE, { fillPrice: '0.0123457', availableBalance: '1' });
    expect(r.ok && r.value.quantity).toBe('4049');
  });

  it('refuses a stop distance outside (0, 100) %', () => {
    expect(sizeTicket({ ...base, stopPercent: '0' }, BTC, market).ok).toBe(false);
    expect(sizeTicket({ ...base, stopPercent: '100' }, BTC, market).ok).toBe(false);
  });
});

describe('initialStopPrice and liquidationEstimate', () => {
  it('puts a long stop below and a short stop above the entry, on the tick', () => {
    expect(initialStopPrice('BUY', '50000', '10', BTC)).toBe('45000');
    expect(initialStopPrice('SELL', '50000', '10', BTC)).toBe('55000');
    // 43210.7 × 0.985 = 42562.5395: on the tick grid counted from minPrice, within one tick of the exact value.
    const odd = initialStopPrice('BUY', '43210.7', '1.5', BTC);
    expect(isMultipleOf(odd, '0.1', '556.8')).toBe(true);
    expect(['42562.5', '42562.6']).toContain(odd);
  });

  it('estimates liquidation at ~1/leverage from entry', () => {
    expect(liquidationEstimate('BUY', '50000', 10)).toBe('45200');
    expect(liquidationEstimate('SELL', '50000', 10)).toBe('54800');
  });
});

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SimEvent } from '../../sim/contracts.ts';
import type { SimExchange } from '../../sim/server.ts';
import { arr, Client, expectError, obj, start } from './rest-helpers.ts';

let ex: SimExchange;
let c: Client;
let events: SimEvent[] = [];

beforeAll(async () => {
  ({ ex, c } = await start());
});
afterAll(() => ex.stop());
beforeEach(() => {
  ex.control.reset();
  ex.control.setPrice('BTCUSDT', '50000');
  events = [];
  ex.control.subscribe((e) => events.push(e));
});

const algoUpdates = (): Record<string, unknown>[] =>
  events.filter((e) => e.kind === 'user' && e.payload['e'] === 'ALGO_UPDATE').map((e) => e.payload['o'] as Record<string, unknown>);

async function position(): Promise<string> {
  const p = arr(await c.signed('GET', '/fapi/v2/positionRisk', { symbol: 'BTCUSDT' }))[0];
  return String(p?.['positionAmt']);
}

/** Plays `prices` one by one and returns the price at which the algo order left NEW (null if it never did). */
async function firstTrigger(algoId: unknown, prices: readonly (string | [string, string])[]): Promise<string | null> {
  for (const p of prices) {
    const [last, mark] = Array.isArray(p) ? p : [p, p];
    ex.control.setPrice('BTCUSDT', last, mark);
    const a = obj(await c.signed('GET', '/fapi/v1/algoOrder', { algoId: String(algoId) }));
    if (a['algoStatus'] !== 'NEW') return last;
  }
  return null;
}

describe('conditional orders trigger exactly per fact sheet §4.5', () => {
  it('STOP_MARKET SELL fires when last ≤ trigger, creating a MARKET child reported as actualOrderId', async () => {
    await c.order({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.01' });
    const a = obj(await c.algo({ symbol: 'BTCUSDT', side: 'SELL', type: 'STOP_MARKET', triggerPrice: '49500', quantity: '0.01', reduceOnly: 'true', clientAlgoId: 'sl-1' }));
    for (const k of ['algoId', 'createTime', 'updateTime', 'triggerTime', 'goodTillDate']) expect(Number.isInteger(a[k]), k).toBe(true);
    expect(a).toMatchObject({ algoType: 'CONDITIONAL', orderType: 'STOP_MARKET', algoStatus: 'NEW', triggerPrice: '49500', quantity: '0.01', price: '0', clientAlgoId: 'sl-1', workingType: 'CONTRACT_PRICE', reduceOnly: true, closePosition: false, icebergQuantity: null });
    expect(String(a['algoId'])).toHaveLength(16);
    // Not a matching-engine order (fact sheet §0).
    expect(arr(await c.signed('GET', '/fapi/v1/openOrders', { symbol: 'BTCUSDT' }))).toEqual([]);
    expect(expectError(await c.signed('DELETE', '/fapi/v1/order', { symbol: 'BTCUSDT', orderId: String(a['algoId']) })).code).toBe(-2011);
    expect(arr(await c.signed('GET', '/fapi/v1/openAlgoOrders', { symbol: 'BTCUSDT' }))).toHaveLength(1);

    expect(await firstTrigger(a['algoId'], ['49800', '49500.1', '49500', '49400'])).toBe('49500');
    const q = obj(await c.signed('GET', '/fapi/v1/algoOrder', { clientAlgoId: 'sl-1' }));
    expect(q).toMatchObject({ algoStatus: 'FINISHED', actualType: 'MARKET', actualQty: '0.01', actualPrice: '49499.9' });
    const child = obj(await c.signed('GET', '/fapi/v1/order', { symbol: 'BTCUSDT', orderId: String(q['actualOrderId']) }));
    expect(child).toMatchObject({ type: 'MARKET', origType: 'STOP_MARKET', status: 'FILLED', stopPrice: '49500', reduceOnly: true, clientOrderId: 'sl-1' });
    expect(await position()).toBe('0');
    expect(algoUpdates().map((u) => u['X'])).toEqual(['NEW', 'TRIGGERING', 'TRIGGERED', 'FINISHED']);
    expect(algoUpdates()[2]).toMatchObject({ ai: String(q['actualOrderId']), act: 'MARKET', aid: a['algoId'], caid: 'sl-1' });
    const kinds = ex.control.ledger().entries.map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['algo.placed', 'algo.triggered', 'algo.finished']));
  });

  it.each([
    ['STOP_MARKET BUY', 'BUY', 'STOP_MARKET', '50500', ['50400', '50499.9', '50500'], '50500'],
    ['TAKE_PROFIT_MARKET SELL', 'SELL', 'TAKE_PROFIT_MARKET', '50500', ['50499.9', '50500'], '50500'],
    ['TAKE_PROFIT_MARKET BUY', 'BUY', 'TAKE_PROFIT_MARKET', '49500', ['49500.1', '49500'], '49500'],
  ])('%s', async (_n, side, type, trigger, path, at) => {
    const a = obj(await c.algo({ symbol: 'BTCUSDT', side, type, triggerPrice: trigger, quantity: '0.01' }));
    expect(await firstTrigger(a['algoId'], path)).toBe(at);
  });

  it('workingType MARK_PRICE compares the mark price, not the last price', async () => {
    await c.order({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.01' });
    const a = obj(await c.algo({ symbol: 'BTCUSDT', side: 'SELL', type: 'STOP_MARKET', triggerPrice: '49500', closePosition: 'true', workingType: 'MARK_PRICE' }));
    expect(await firstTrigger(a['algoId'], [['49400', '49600'], ['49450', '49500.1'], ['49600', '49500']])).toBe('49600');
    expect(await position()).toBe('0');
  });

  it('TRAILING_STOP_MARKET SELL: activates at activatePrice, fires at highest × (1 − rate)', async () => {
    await c.order({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.01' });
    // ccxt still sends `activationPrice` (fact sheet §4.8).
    const a = obj(await c.algo({ symbol: 'BTCUSDT', side: 'SELL', type: 'TRAILING_STOP_MARKET', quantity: '0.01', activationPrice: '50500', callbackRate: '1', reduceOnly: 'true' }));
    expect(a).toMatchObject({ activatePrice: '50500', callbackRate: '1' });
    // Below activation a 1 % drop does nothing; after 51000, 51000 × 0.99 = 50490 fires.
    expect(await firstTrigger(a['algoId'], ['50400', '49800', '50500', '51000', '50490.1', '50490'])).toBe('50490');
    const child = obj(await c.signed('GET', '/fapi/v1/order', { symbol: 'BTCUSDT', orderId: String(obj(await c.signed('GET', '/fapi/v1/algoOrder', { algoId: String(a['algoId']) }))['actualOrderId']) }));
    expect(child).toMatchObject({ origType: 'TRAILING_STOP_MARKET', activatePrice: '50500', priceRate: '1', status: 'FILLED' });
  });

  it('TRAILING_STOP_MARKET BUY with the default activation price (latest) fires at lowest × (1 + rate)', async () => {
    await c.order({ symbol: 'BTCUSDT', side: 'SELL', type: 'MARKET', quantity: '0.01' });
    const a = obj(await c.algo({ symbol: 'BTCUSDT', side: 'BUY', type: 'TRAILING_STOP_MARKET', quantity: '0.01', callbackRate: '0.5', reduceOnly: 'true' }));
    expect(await firstTrigger(a['algoId'], ['49800', '50048.9', '50049'])).toBe('50049');
    expect(await position()).toBe('0');
  });

  it('STOP (limit) creates a LIMIT child at its price', async () => {
    const a = obj(await c.algo({ symbol: 'BTCUSDT', side: 'BUY', type: 'STOP', triggerPrice: '50500', price: '50600', timeInForce: 'GTC', quantity: '0.01' }));
    expect(await firstTrigger(a['algoId'], ['50500'])).toBe('50500');
    const q = obj(await c.signed('GET', '/fapi/v1/algoOrder', { algoId: String(a['algoId']) }));
    expect(q).toMatchObject({ algoStatus: 'FINISHED', actualType: 'LIMIT', actualPrice: '50500.1' });
  });

  it('closePosition / reduce-only with no position at trigger time: EXPIRED with rm "Reduce Only reject", no child', async () => {
    const a = obj(await c.algo({ symbol: 'BTCUSDT', side: 'SELL', type: 'STOP_MARKET', triggerPrice: '49000', closePosition: 'true' }));
    expect(await firstTrigger(a['algoId'], ['48900'])).toBe('48900');
    const q = obj(await c.signed('GET', '/fapi/v1/algoOrder', { algoId: String(a['algoId']) }));
    expect(q).toMatchObject({ algoStatus: 'EXPIRED', actualOrderId: '' });
    expect(algoUpdates().at(-1)).toMatchObject({ X: 'EXPIRED', rm: 'Reduce Only reject' });
    expect(arr(await c.signed('GET', '/fapi/v1/allOrders', { symbol: 'BTCUSDT' }))).toEqual([]);
  });
});

describe('algo order rejections and management', () => {
  it.each([
    ['STOP_MARKET already triggered → -2021', { side: 'SELL', type: 'STOP_MARKET', triggerPrice: '50100', quantity: '0.01' }, -2021],
    ['TAKE_PROFIT_MARKET already triggered → -4142', { side: 'SELL', type: 'TAKE_PROFIT_MARKET', triggerPrice: '49900', quantity: '0.01' }, -4142],
    ['trailing activation on the wrong side → -2021', { side: 'SELL', type: 'TRAILING_STOP_MARKET', activatePrice: '49000', callbackRate: '1', quantity: '0.01' }, -2021],
    ['callbackRate above 20 → -1130', { side: 'SELL', type: 'TRAILING_STOP_MARKET', callbackRate: '20.1', quantity: '0.01' }, -1130],
    ['callbackRate below 0.1 → -1130', { side: 'SELL', type: 'TRAILING_STOP_MARKET', callbackRate: '0.09', quantity: '0.01' }, -1130],
    ['missing triggerPrice → -1102', { side: 'SELL', type: 'STOP_MARKET', quantity: '0.01' }, -1102],
    ['closePosition with quantity → -1106', { side: 'SELL', type: 'STOP_MARKET', triggerPrice: '49000', closePosition: 'true', quantity: '0.01' }, -1106],
    ['LIMIT type on the algo endpoint → -1116', { side: 'SELL', type: 'LIMIT', quantity: '0.01' }, -1116],
    ['trigger price off tick → -4014', { side: 'SELL', type: 'STOP_MARKET', triggerPrice: '49000.05', quantity: '0.01' }, -4014],
    ['bad clientAlgoId → -4015', { side: 'SELL', type: 'STOP_MARKET', triggerPrice: '49000', quantity: '0.01', clientAlgoId: 'a b' }, -4015],
  ])('%s', async (_n, params, code) => {
    expect(expectError(await c.algo({ symbol: 'BTCUSDT', ...params })).code).toBe(code);
  });

  it('cancel by algoId answers {algoId, clientAlgoId, code "200", msg}; second cancel → -2011; cancel-all per symbol', async () => {
    const a = obj(await c.algo({ symbol: 'BTCUSDT', side: 'SELL', type: 'STOP_MARKET', triggerPrice: '49000', quantity: '0.01', clientAlgoId: 'x1' }));
    expect(obj(await c.signed('DELETE', '/fapi/v1/algoOrder', { algoId: String(a['algoId']) }))).toEqual({ algoId: a['algoId'], clientAlgoId: 'x1', code: '200', msg: 'success' });
    expect(expectError(await c.signed('DELETE', '/fapi/v1/algoOrder', { algoId: String(a['algoId']) })).code).toBe(-2011);
    await c.algo({ symbol: 'BTCUSDT', side: 'SELL', type: 'STOP_MARKET', triggerPrice: '49000', quantity: '0.01' });
    expect(obj(await c.signed('DELETE', '/fapi/v1/algoOpenOrders', { symbol: 'BTCUSDT' }))).toEqual({ code: 200, msg: 'The operation of cancel all open order is done.' });
    expect(arr(await c.signed('GET', '/fapi/v1/openAlgoOrders'))).toEqual([]);
    expect(arr(await c.signed('GET', '/fapi/v1/allAlgoOrders', { symbol: 'BTCUSDT' })).map((x) => x['algoStatus'])).toEqual(['CANCELED', 'CANCELED']);
  });

  it('allows 200 open conditional orders across symbols, then -4045', async () => {
    ex.control.setPrice('ETHUSDT', '3000');
    for (let i = 0; i < 200; i++) {
      const sym = i % 2 === 0 ? { symbol: 'BTCUSDT', triggerPrice: '40000' } : { symbol: 'ETHUSDT', triggerPrice: '2000' };
      const r = await c.algo({ ...sym, side: 'SELL', type: 'STOP_MARKET', closePosition: 'true' });
      expect(r.status).toBe(200);
    }
    expect(expectError(await c.algo({ symbol: 'BTCUSDT', side: 'SELL', type: 'STOP_MARKET', triggerPrice: '40000', closePosition: 'true' }))).toEqual({ code: -4045, msg: 'Reach max stop order limit.' });
  });
});

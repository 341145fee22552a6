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
  ex.control.setPrice('ETHUSDT', '3000');
  events = [];
  ex.control.subscribe((e) => events.push(e));
});

const userEvents = (type: string): Record<string, unknown>[] =>
  events.filter((e) => e.kind === 'user' && e.payload['e'] === type).map((e) => e.payload as Record<string, unknown>);

/** Fact sheet §3.2: every documented order field with Binance's types. */
function expectOrderShape(o: Record<string, unknown>): void {
  for (const k of ['orderId', 'updateTime', 'goodTillDate']) expect(Number.isInteger(o[k]), k).toBe(true);
  for (const k of ['price', 'avgPrice', 'origQty', 'executedQty', 'cumQty', 'cumQuote', 'stopPrice']) expect(typeof o[k], k).toBe('string');
  for (const k of ['symbol', 'status', 'clientOrderId', 'timeInForce', 'type', 'side', 'positionSide', 'workingType', 'origType', 'priceMatch', 'selfTradePreventionMode'])
    expect(typeof o[k], k).toBe('string');
  for (const k of ['reduceOnly', 'closePosition', 'priceProtect']) expect(typeof o[k], k).toBe('boolean');
}

describe('MARKET and LIMIT orders', () => {
  it('MARKET with RESULT fills across the synthetic book (slippage) and reports fees and position', async () => {
    // BTCUSDT book: best ask = last + 1 tick, levels 5 ticks apart holding 1.2, 2.4, 3.6, 4.8 BTC.
    const r = obj(await c.order({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '3', newOrderRespType: 'RESULT', newClientOrderId: 'm-1' }));
    expectOrderShape(r);
    expect(r).toMatchObject({ status: 'FILLED', executedQty: '3', clientOrderId: 'm-1', type: 'MARKET', origType: 'MARKET' });
    // 1.2 @ 50000.1 + 1.8 @ 50000.6
    expect(r['cumQuote']).toBe('150001.2');
    expect(r['avgPrice']).toBe('50000.4');
    const pos = arr(await c.signed('GET', '/fapi/v3/positionRisk', { symbol: 'BTCUSDT' }))[0];
    expect(pos).toMatchObject({ positionAmt: '3', entryPrice: '50000.4', positionSide: 'BOTH' });
    const trades = arr(await c.signed('GET', '/fapi/v1/userTrades', { symbol: 'BTCUSDT' }));
    expect(trades.map((t) => [t['price'], t['qty'], t['commission'], t['maker']])).toEqual([
      ['50000.1', '1.2', '30.00006', false],
      ['50000.6', '1.8', '45.00054', false],
    ]);
    const bal = arr(await c.signed('GET', '/fapi/v2/balance'))[0];
    expect(bal?.['balance']).toBe('9924.9994');
    expect(userEvents('ORDER_TRADE_UPDATE').map((e) => (e['o'] as Record<string, unknown>)['x'])).toEqual(['NEW', 'TRADE', 'TRADE']);
    expect(userEvents('TRADE_LITE')).toHaveLength(2);
    expect(userEvents('ACCOUNT_UPDATE')[1]).toMatchObject({ a: { m: 'ORDER', P: [{ s: 'BTCUSDT', pa: '3', ep: '50000.4', ps: 'BOTH', mt: 'cross' }] } });
  });

  it('ACK answers the accepted state even for a MARKET order (fact sheet §4.10)', async () => {
    const r = obj(await c.order({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.01' }));
    expect(r).toMatchObject({ status: 'NEW', executedQty: '0', avgPrice: '0' });
    const q = obj(await c.signed('GET', '/fapi/v1/order', { symbol: 'BTCUSDT', orderId: String(r['orderId']) }));
    expect(q).toMatchObject({ status: 'FILLED', executedQty: '0.01' });
    expect(Number.isInteger(q['time'])).toBe(true);
  });

  it('realizes PnL on reduce, closing fees at taker rate', async () => {
    await c.order({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '1' });
    ex.control.setPrice('BTCUSDT', '51000');
    const r = obj(await c.order({ symbol: 'BTCUSDT', side: 'SELL', type: 'MARKET', quantity: '1', reduceOnly: 'true', newOrderRespType: 'RESULT' }));
    expect(r['avgPrice']).toBe('50999.9');
    const t = arr(await c.signed('GET', '/fapi/v1/userTrades', { symbol: 'BTCUSDT' }));
    expect(t[1]?.['realizedPnl']).toBe('999.8');
    const pos = arr(await c.signed('GET', '/fapi/v2/positionRisk', { symbol: 'BTCUSDT' }))[0];
    expect(pos).toMatchObject({ positionAmt: '0', entryPrice: '0', leverage: '20', marginType: 'cross', isAutoAddMargin: 'false' });
  });

  it('GTC LIMIT rests, is invisible to fills until the market crosses, then fills in chunks as maker', async () => {
    const r = obj(await c.order({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '3.5', price: '49900' }));
    expect(r['status']).toBe('NEW');
    expect(arr(await c.signed('GET', '/fapi/v1/openOrders', { symbol: 'BTCUSDT' }))).toHaveLength(1);
    ex.control.setPrice('BTCUSDT', '49899.9'); // ask = 49900.0 → only the first level (1.2) is at or below the limit
    const q1 = obj(await c.signed('GET', '/fapi/v1/openOrder', { symbol: 'BTCUSDT', orderId: String(r['orderId']) }));
    expect(q1).toMatchObject({ status: 'PARTIALLY_FILLED', executedQty: '1.2' });
    ex.control.setPrice('BTCUSDT', '49800'); // deeper: the rest fills
    const q2 = obj(await c.signed('GET', '/fapi/v1/order', { symbol: 'BTCUSDT', orderId: String(r['orderId']) }));
    expect(q2).toMatchObject({ status: 'FILLED', executedQty: '3.5', avgPrice: '49900' });
    const trades = arr(await c.signed('GET', '/fapi/v1/userTrades', { symbol: 'BTCUSDT' }));
    expect(trades.every((t) => t['maker'] === true && t['price'] === '49900')).toBe(true);
    expect(trades[0]?.['commission']).toBe('11.976'); // 1.2 × 49900 × 0.0002
    expect(expectError(await c.signed('GET', '/fapi/v1/openOrder', { symbol: 'BTCUSDT', orderId: String(r['orderId']) })).code).toBe(-2013);
  });

  it.each([
    ['IOC expires the rest', 'IOC', '49000', 200, 'EXPIRED'],
    ['FOK without enough liquidity → -5021', 'FOK', '50000.1', -5021, ''],
    ['FOK with liquidity fills', 'FOK', '50000.6', 200, 'FILLED'],
    ['GTX that would take → -5022', 'GTX', '50000.1', -5022, ''],
    ['GTX that rests', 'GTX', '50000', 200, 'NEW'],
  ])('%s', async (_n, tif, price, code, status) => {
    const r = await c.order({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: tif, quantity: '2', price, newOrderRespType: 'RESULT' });
    if (code === 200) expect(obj(r)['status']).toBe(status);
    else expect(expectError(r).code).toBe(code);
  });

  it('GTD needs goodTillDate beyond now + 600 s (-5040) and expires at that time', async () => {
    const now = ex.control.serverTime();
    const bad = await c.order({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTD', quantity: '1', price: '49000', goodTillDate: String(now + 60_000) });
    expect(expectError(bad).code).toBe(-5040);
    const r = obj(await c.order({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTD', quantity: '1', price: '49000', goodTillDate: String(now + 700_000) }));
    ex.control.advanceTime(701_000);
    expect(obj(await c.signed('GET', '/fapi/v1/order', { symbol: 'BTCUSDT', orderId: String(r['orderId']) }))['status']).toBe('EXPIRED');
  });
});

describe('order rejections (fact sheet §4, §5)', () => {
  const base = { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.01', price: '49000' };
  it.each([
    ['conditional type on /order', { type: 'STOP_MARKET', stopPrice: '51000' }, -4120, 'Order type not supported for this endpoint. Please use the Algo Order API endpoints instead.'],
    ['unknown symbol', { symbol: 'FOOUSDT' }, -1121, 'Invalid symbol.'],
    ['missing quantity', { quantity: '' }, -1102, "Mandatory parameter 'quantity' was not sent, was empty/null, or malformed."],
    ['malformed price', { price: '1e5' }, -1102, "Mandatory parameter 'price' was not sent, was empty/null, or malformed."],
    ['bad type', { type: 'FOO' }, -1116, 'Invalid orderType.'],
    ['bad side', { side: 'HOLD' }, -1117, 'Invalid side.'],
    ['bad timeInForce', { timeInForce: 'DAY' }, -1115, 'Invalid timeInForce.'],
    ['too many decimals', { price: '49000.123' }, -1111, 'Precision is over the maximum defined for this asset.'],
    ['off tick', { price: '49000.15' }, -4014, 'Price not increased by tick size.'],
    ['off step', { quantity: '0.0105' }, -1111, 'Precision is over the maximum defined for this asset.'],
    ['qty zero', { quantity: '0' }, -4003, 'Quantity less than or equal to zero.'],
    ['qty above max', { quantity: '1001' }, -4005, 'Quantity greater than max quantity.'],
    ['price above PERCENT_PRICE', { price: '60000' }, -4016, "Limit price can't be higher than 52500."],
    ['notional below 100', { quantity: '0.001' }, -4164, "Order's notional must be no smaller than 100 (unless you choose reduce only)."],
    ['bad client id', { newClientOrderId: 'has space' }, -4015, 'Client order id length should not be more than 36 chars'],
    ['client id of 37 chars', { newClientOrderId: 'a'.repeat(37) }, -4015, 'Client order id length should not be more than 36 chars'],
    ['positionSide LONG in one-way mode', { positionSide: 'LONG' }, -4061, "Order's position side does not match user's setting."],
    ['reduce-only that would increase', { reduceOnly: 'true' }, -2022, 'ReduceOnly Order is rejected.'],
    ['margin insufficient', { quantity: '10', price: '49000' }, -2019, 'Margin is insufficient.'],
  ])('%s', async (_n, patch, code, msg) => {
    const r = await c.order({ ...base, ...patch });
    expect(r.status).toBe(400);
    expect(expectError(r)).toEqual({ code, msg });
  });

  it('MARKET uses MARKET_LOT_SIZE (max 120 BTC) and rejects a price', async () => {
    ex.control.setBalance('demo', '100000000');
    expect(expectError(await c.order({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '121' })).code).toBe(-4005);
    expect(expectError(await c.order({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '1', price: '1' })).code).toBe(-1106);
  });

  it('reduce-only is exempt from MIN_NOTIONAL; duplicate open client id → -4116', async () => {
    await c.order({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.01' });
    const r = await c.order({ symbol: 'BTCUSDT', side: 'SELL', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.001', price: '51000', reduceOnly: 'true', newClientOrderId: 'dup' });
    expect(obj(r)['status']).toBe('NEW');
    const dup = await c.order({ ...base, newClientOrderId: 'dup' });
    expect(expectError(dup)).toEqual({ code: -4116, msg: 'ClientOrderId is duplicated.' });
  });

  it('records rejections in the ledger with the client order id', async () => {
    const since = ex.control.ledger().lastSeq;
    await c.order({ ...base, type: 'STOP', newClientOrderId: 'rej-1' });
    await c.order({ ...base, price: '49000.15', newClientOrderId: 'rej-2' });
    const entries = ex.control.ledger(since).entries.filter((e) => e.kind === 'order.rejected');
    expect(entries.map((e) => [e.data['clientOrderId'], e.data['code']])).toEqual([['rej-1', -4120], ['rej-2', -4014]]);
  });
});

describe('cancel, modify, batches, queries', () => {
  it('cancels by client id; a second cancel → -2011; allOpenOrders answers code 200', async () => {
    await c.order({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.01', price: '49000', newClientOrderId: 'c1' });
    const r = obj(await c.signed('DELETE', '/fapi/v1/order', { symbol: 'BTCUSDT', origClientOrderId: 'c1' }));
    expect(r).toMatchObject({ status: 'CANCELED', clientOrderId: 'c1' });
    expect(expectError(await c.signed('DELETE', '/fapi/v1/order', { symbol: 'BTCUSDT', origClientOrderId: 'c1' }))).toEqual({ code: -2011, msg: 'Unknown order sent.' });
    await c.order({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.01', price: '49000' });
    expect(obj(await c.signed('DELETE', '/fapi/v1/allOpenOrders', { symbol: 'BTCUSDT' }))).toEqual({ code: 200, msg: 'The operation of cancel all open order is done.' });
    expect(arr(await c.signed('GET', '/fapi/v1/openOrders'))).toEqual([]);
  });

  it('modifies a LIMIT order (AMENDMENT), refuses no-op (-5027) and MARKET (-5025 via unknown open order)', async () => {
    const o = obj(await c.order({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.01', price: '49000' }));
    const id = String(o['orderId']);
    const m = obj(await c.signed('PUT', '/fapi/v1/order', { symbol: 'BTCUSDT', orderId: id, side: 'BUY', quantity: '0.02', price: '49100' }));
    expect(m).toMatchObject({ price: '49100', origQty: '0.02', status: 'NEW' });
    expect(expectError(await c.signed('PUT', '/fapi/v1/order', { symbol: 'BTCUSDT', orderId: id, side: 'BUY', quantity: '0.02', price: '49100' })).code).toBe(-5027);
    expect(userEvents('ORDER_TRADE_UPDATE').some((e) => (e['o'] as Record<string, unknown>)['x'] === 'AMENDMENT')).toBe(true);
  });

  it('batchOrders: per-item results in order; invalid JSON → -1130; batch delete with ccxt lower-case list', async () => {
    const list = JSON.stringify([
      { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.01', price: '49000', newClientOrderId: 'b1' },
      { symbol: 'BTCUSDT', side: 'BUY', type: 'STOP_MARKET', quantity: '0.01' },
      { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: 0.01, price: 48000, newClientOrderId: 'b3' },
    ]);
    const r = arr(await c.signed('POST', '/fapi/v1/batchOrders', { batchOrders: list }));
    expect(r.map((x) => x['clientOrderId'] ?? x['code'])).toEqual(['b1', -4120, 'b3']);
    expect(expectError(await c.signed('POST', '/fapi/v1/batchOrders', { batchOrders: '[{"symbol":' })).code).toBe(-1130);
    const del = arr(await c.signed('DELETE', '/fapi/v1/batchOrders', { symbol: 'BTCUSDT', origclientorderidlist: '["b1","nope"]' }));
    expect(del.map((x) => x['status'] ?? x['code'])).toEqual(['CANCELED', -2011]);
  });

  it('allOrders lists every order of the symbol with integer ids and times', async () => {
    await c.order({ symbol: 'ETHUSDT', side: 'BUY', type: 'MARKET', quantity: '0.01' });
    await c.order({ symbol: 'ETHUSDT', side: 'SELL', type: 'MARKET', quantity: '0.01' });
    const all = arr(await c.signed('GET', '/fapi/v1/allOrders', { symbol: 'ETHUSDT' }));
    expect(all.map((o) => o['status'])).toEqual(['FILLED', 'FILLED']);
    all.forEach(expectOrderShape);
  });
});

describe('account configuration', () => {
  it('leverage 1..125 (-4028), margin type (-4046/-4048), position mode (-4059/-4067/-4068)', async () => {
    expect(expectError(await c.signed('POST', '/fapi/v1/leverage', { symbol: 'BTCUSDT', leverage: '126' }))).toEqual({ code: -4028, msg: 'Leverage 126 is not valid' });
    expect(obj(await c.signed('POST', '/fapi/v1/leverage', { symbol: 'BTCUSDT', leverage: '10' }))).toEqual({ leverage: 10, maxNotionalValue: '230000000', symbol: 'BTCUSDT' });
    expect(obj(await c.signed('POST', '/fapi/v1/marginType', { symbol: 'BTCUSDT', marginType: 'ISOLATED' }))).toEqual({ code: 200, msg: 'success' });
    expect(expectError(await c.signed('POST', '/fapi/v1/marginType', { symbol: 'BTCUSDT', marginType: 'ISOLATED' })).code).toBe(-4046);
    expect(arr(await c.signed('GET', '/fapi/v1/symbolConfig', { symbol: 'BTCUSDT' }))[0]).toMatchObject({ marginType: 'ISOLATED', leverage: 10, isAutoAddMargin: false });
    expect(expectError(await c.signed('POST', '/fapi/v1/positionSide/dual', { dualSidePosition: 'false' })).code).toBe(-4059);
    await c.order({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.01', price: '49000' });
    expect(expectError(await c.signed('POST', '/fapi/v1/positionSide/dual', { dualSidePosition: 'true' })).code).toBe(-4067);
    await c.signed('DELETE', '/fapi/v1/allOpenOrders', { symbol: 'BTCUSDT' });
    await c.order({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.01' });
    expect(expectError(await c.signed('POST', '/fapi/v1/marginType', { symbol: 'BTCUSDT', marginType: 'CROSSED' })).code).toBe(-4048);
    expect(expectError(await c.signed('POST', '/fapi/v1/positionSide/dual', { dualSidePosition: 'true' })).code).toBe(-4068);
    const pos = arr(await c.signed('GET', '/fapi/v2/positionRisk', { symbol: 'BTCUSDT' }))[0];
    // isolated 10x long 0.01 @ 50000.1: wallet 50.0001; LP = (0.01·50000.1 − 50.001) / (0.01·(1 − 0.004))
    expect(pos).toMatchObject({ marginType: 'isolated', isolatedWallet: '50.0001', liquidationPrice: '45180.81' });
  });

  it('hedge mode: LONG/SHORT required (-4061), reduceOnly not allowed (-1106), SELL LONG closes', async () => {
    expect(obj(await c.signed('POST', '/fapi/v1/positionSide/dual', { dualSidePosition: 'true' }))).toEqual({ code: 200, msg: 'success' });
    expect(obj(await c.signed('GET', '/fapi/v1/positionSide/dual'))).toEqual({ dualSidePosition: true });
    const m = { symbol: 'BTCUSDT', type: 'MARKET', quantity: '0.01' };
    expect(expectError(await c.order({ ...m, side: 'BUY' })).code).toBe(-4061);
    expect(expectError(await c.order({ ...m, side: 'BUY', positionSide: 'LONG', reduceOnly: 'false' }))).toEqual({ code: -1106, msg: "Parameter 'reduceOnly' sent when not required." });
    expect(expectError(await c.order({ ...m, side: 'SELL', positionSide: 'LONG' })).code).toBe(-2022);
    await c.order({ ...m, side: 'BUY', positionSide: 'LONG' });
    await c.order({ ...m, side: 'SELL', positionSide: 'SHORT' });
    const v3 = arr(await c.signed('GET', '/fapi/v3/positionRisk'));
    expect(v3.map((p) => [p['positionSide'], p['positionAmt']])).toEqual([['LONG', '0.01'], ['SHORT', '-0.01']]);
    await c.order({ ...m, side: 'SELL', positionSide: 'LONG' });
    expect(arr(await c.signed('GET', '/fapi/v3/positionRisk')).map((p) => p['positionSide'])).toEqual(['SHORT']);
  });
});

import { request } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SimEvent } from '../../sim/contracts.ts';
import type { SimExchange } from '../../sim/server.ts';
import { arr, Client, expectError, obj, start } from './rest-helpers.ts';

let ex: SimExchange;
let c: Client;

beforeAll(async () => {
  ({ ex, c } = await start());
});
afterAll(() => ex.stop());
beforeEach(() => {
  ex.control.reset();
  ex.control.setPrice('BTCUSDT', '50000');
  // Start each test at the beginning of a fresh minute window.
  ex.control.freezeTime(true);
  ex.control.advanceTime(60_000 - (ex.control.serverTime() % 60_000));
});

describe('rate limits (fact sheet §6)', () => {
  it('reports x-mbx-used-weight-1m on every response and order counts on order responses', async () => {
    const a = await c.get('/fapi/v1/time');
    expect(a.headers.get('x-mbx-used-weight-1m')).toBe('1');
    const b = await c.get('/fapi/v1/depth', { symbol: 'BTCUSDT', limit: '1000' });
    expect(b.headers.get('x-mbx-used-weight-1m')).toBe('21');
    const o = await c.order({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.01' });
    expect(o.headers.get('x-mbx-order-count-10s')).toBe('1');
    expect(o.headers.get('x-mbx-order-count-1m')).toBe('1');
    expect(o.headers.get('x-mbx-used-weight-1m')).toBe('21');
    expect((await c.signed('GET', '/fapi/v2/balance')).headers.get('x-mbx-order-count-10s')).toBeNull();
  });

  it('429 -1003 with Retry-After when over the weight, then a 418 ban when continuing; a new window clears 429 but not the ban', async () => {
    ex.control.setLimits({ weight1m: 5, banAfter: 2 });
    for (let i = 0; i < 5; i++) expect((await c.get('/fapi/v1/ping')).status).toBe(200);
    const limited = await c.get('/fapi/v1/ping');
    expect(limited.status).toBe(429);
    expect(expectError(limited).code).toBe(-1003);
    expect(Number(limited.headers.get('retry-after'))).toBe(60);
    expect((await c.get('/fapi/v1/ping')).status).toBe(429);
    const banned = await c.get('/fapi/v1/ping');
    expect(banned.status).toBe(418);
    expect(expectError(banned)).toMatchObject({ code: -1003, msg: expect.stringContaining('banned until') });
    expect(Number(banned.headers.get('retry-after'))).toBe(120);
    ex.control.advanceTime(60_000);
    expect((await c.get('/fapi/v1/ping')).status).toBe(418);
    ex.control.advanceTime(60_000);
    expect((await c.get('/fapi/v1/ping')).status).toBe(200);
  });

  it('ORDERS 10 s limit → 429 -1015; GET /fapi/v1/rateLimit/order reports the limits', async () => {
    ex.control.setLimits({ orders10s: 2 });
    const o = { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.01', price: '49000' };
    expect((await c.order(o)).status).toBe(200);
    expect((await c.order(o)).status).toBe(200);
    const r = await c.order(o);
    expect(r.status).toBe(429);
    expect(expectError(r)).toEqual({ code: -1015, msg: 'Too many new orders; current limit is 2 orders per 10s.' });
    expect(r.headers.get('retry-after')).not.toBeNull();
    expect(arr(await c.signed('GET', '/fapi/v1/rateLimit/order'))).toEqual([
      { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 2 },
      { rateLimitType: 'ORDERS', interval: 'MINUTE', intervalNum: 1, limit: 1200 },
    ]);
  });
});

describe('faults (POST/GET/DELETE /control/faults)', () => {
  const order = { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.01', newClientOrderId: 'f-1' };
  const filled = (): number => ex.control.ledger().entries.filter((e) => e.kind === 'order.filled').length;

  it('503 with each documented text and 500', async () => {
    for (const text of ['unknown', 'unavailable', 'internal'] as const) {
      ex.control.addFault({ kind: 'http5xx', status: 503, text, executed: false, match: { pathPrefix: '/fapi/v1/time' } });
      const r = await c.get('/fapi/v1/time');
      expect(r.status).toBe(503);
      expect(obj(r)['msg']).toBe(
        { unknown: 'Unknown error, please check your request or try again later.', unavailable: 'Service Unavailable.', internal: 'Internal error; unable to process your request. Please try again.' }[text],
      );
    }
    ex.control.addFault({ kind: 'http5xx', status: 500, text: 'unknown', executed: false });
    expect((await c.get('/fapi/v1/time')).status).toBe(500);
    expect((await c.get('/fapi/v1/time')).status).toBe(200);
    expect(ex.control.faults().injected).toEqual({ http5xx: 4 });
  });

  it.each([
    [true, 408, 1],
    [false, 503, 0],
  ])('-1007 "execution status unknown" (executed=%s) → HTTP %i, fills: %i', async (executed, status, fills) => {
    ex.control.addFault({ kind: 'timeout', executed, status: status as 408 | 503, match: { method: 'POST', pathPrefix: '/fapi/v1/order' } });
    const r = await c.order(order);
    expect(r.status).toBe(status);
    expect(expectError(r)).toEqual({ code: -1007, msg: 'Timeout waiting for response from backend server. Send status unknown; execution status unknown.' });
    expect(filled()).toBe(fills);
    const q = await c.signed('GET', '/fapi/v1/order', { symbol: 'BTCUSDT', origClientOrderId: 'f-1' });
    expect(q.status).toBe(executed ? 200 : 400);
  });

  it('drops the connection without a response, for the next N matching requests only', async () => {
    ex.control.addFault({ kind: 'drop', count: 2, match: { pathPrefix: '/fapi/v1/ping' } });
    await expect(c.get('/fapi/v1/ping')).rejects.toThrow();
    expect((await c.get('/fapi/v1/time')).status).toBe(200);
    await expect(c.get('/fapi/v1/ping')).rejects.toThrow();
    expect((await c.get('/fapi/v1/ping')).status).toBe(200);
    const served = { kind: 'drop', method: 'GET', path: '/fapi/v1/ping', retryAfterSec: null, wallMs: expect.any(Number) };
    expect(ex.control.faults()).toEqual({ active: [], injected: { drop: 2 }, served: [served, served] });
  });

  it('latency, 429 and 418 faults; DELETE clears the queue', async () => {
    ex.control.addFault({ kind: 'latency', ms: 60 });
    const t0 = Date.now();
    await c.get('/fapi/v1/ping');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(55);
    ex.control.addFault({ kind: 'rate429', retryAfterSec: 7 });
    const r429 = await c.get('/fapi/v1/ping');
    expect([r429.status, r429.headers.get('retry-after'), expectError(r429).code]).toEqual([429, '7', -1003]);
    ex.control.addFault({ kind: 'ban418', retryAfterSec: 120 });
    expect((await c.get('/fapi/v1/ping')).status).toBe(418);
    // As served, with their Retry-After: the soak's audit reads the holds they imposed from this.
    expect(ex.control.faults().served.map((f) => [f.kind, f.method, f.path, f.retryAfterSec])).toEqual([
      ['latency', 'GET', '/fapi/v1/ping', null],
      ['rate429', 'GET', '/fapi/v1/ping', 7],
      ['ban418', 'GET', '/fapi/v1/ping', 120],
    ]);
    ex.control.addFault({ kind: 'rate429', count: 5 });
    ex.control.clearFaults();
    expect((await c.get('/fapi/v1/ping')).status).toBe(200);
  });

  it('clock skew shifts serverTime; listenKey expiry now emits listenKeyExpired', async () => {
    const events: SimEvent[] = [];
    ex.control.subscribe((e) => events.push(e));
    ex.control.freezeTime(false);
    ex.control.addFault({ kind: 'clockSkew', offsetMs: 3_600_000, durationMs: 10_000 });
    const t = obj(await c.get('/fapi/v1/time'))['serverTime'];
    expect(Number(t) - Date.now()).toBeGreaterThan(3_500_000);
    ex.control.clearFaults();
    const key = obj(await c.keyed('POST', '/fapi/v1/listenKey'))['listenKey'];
    ex.control.addFault({ kind: 'listenKeyExpire' });
    expect(events.find((e) => e.kind === 'user' && e.payload['e'] === 'listenKeyExpired')?.payload).toMatchObject({ listenKey: key });
    expect(expectError(await c.keyed('PUT', '/fapi/v1/listenKey')).code).toBe(-1125);
  });
});

describe('control API and robustness', () => {
  it('listenKey: POST returns the same live key, lives 60 min of exchange time', async () => {
    const k1 = obj(await c.keyed('POST', '/fapi/v1/listenKey'))['listenKey'];
    ex.control.advanceTime(59 * 60_000);
    expect(obj(await c.keyed('POST', '/fapi/v1/listenKey'))['listenKey']).toBe(k1);
    ex.control.advanceTime(59 * 60_000);
    expect(obj(await c.keyed('PUT', '/fapi/v1/listenKey'))).toEqual({ listenKey: k1 });
    ex.control.advanceTime(61 * 60_000);
    expect(expectError(await c.keyed('PUT', '/fapi/v1/listenKey')).code).toBe(-1125);
  });

  it('serves the control API over HTTP: accounts, price, ledger since, state, path', async () => {
    const post = (path: string, body: unknown): Promise<Response> => fetch(ex.restUrl + path, { method: 'POST', body: JSON.stringify(body) });
    const acct = (await (await post('/control/accounts', { balance: '500' })).json()) as { accountId: string; apiKey: string; apiSecret: string };
    expect(acct.apiKey).toMatch(/^[A-Za-z0-9]{64}$/);
    const c2 = new Client(ex, acct.apiKey, acct.apiSecret);
    expect(arr(await c2.signed('GET', '/fapi/v2/balance'))[0]?.['balance']).toBe('500');
    expect((await post('/control/price', { symbol: 'BTCUSDT', price: '51000' })).status).toBe(200);
    expect(obj(await c.get('/fapi/v1/premiumIndex', { symbol: 'BTCUSDT' }))).toMatchObject({ markPrice: '51000', indexPrice: '51000' });
    const seq = ex.control.ledger().lastSeq;
    await c2.order({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.002', newClientOrderId: 'l-1' });
    const led = (await (await fetch(`${ex.restUrl}/control/ledger?since=${seq}`)).json()) as { entries: { seq: number; kind: string; accountId: string; data: Record<string, unknown> }[] };
    expect(led.entries.map((e) => e.kind)).toEqual(['order.placed', 'fill', 'position', 'order.filled']);
    expect(led.entries[0]).toMatchObject({ seq: seq + 1, accountId: acct.accountId, data: { clientOrderId: 'l-1' } });
    const path = await post('/control/path', { symbol: 'BTCUSDT', steps: [{ price: '51100', afterMs: 0 }, { price: '51200', afterMs: 1000 }], instant: true });
    expect(path.status).toBe(200);
    const state = (await (await fetch(`${ex.restUrl}/control/state`)).json()) as { markets: { symbol: string; last: string }[]; accounts: { accountId: string; positions: unknown[] }[] };
    expect(state.markets.find((m) => m.symbol === 'BTCUSDT')?.last).toBe('51200');
    expect(state.accounts.find((a) => a.accountId === acct.accountId)?.positions).toHaveLength(1);
    const bad = await post('/control/price', { symbol: 'BTCUSDT', price: 'abc' });
    expect(bad.status).toBe(400);
  });

  it('never crashes on bad input: unknown path, bad JSON, huge body, garbage params', async () => {
    expect((await c.get('/fapi/v9/nothing')).status).toBe(404);
    expect(expectError(await c.raw('POST', '/fapi/v1/order', { body: 'x'.repeat(70_000), headers: { 'X-MBX-APIKEY': ex.demo.apiKey } }))).toMatchObject({ code: -1000 });
    expect(expectError(await c.order({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '-1', price: '49000' })).code).toBe(-4003);
    expect(expectError(await c.signed('GET', '/fapi/v1/order', { symbol: 'BTCUSDT', orderId: 'abc' })).code).toBe(-1102);
    expect(expectError(await c.signed('GET', '/fapi/v1/order', { symbol: 'BTCUSDT' })).code).toBe(-1102);
    expect(expectError(await c.get('/fapi/v1/depth', { symbol: 'BTCUSDT', limit: '7' })).code).toBe(-1130);
    expect(expectError(await c.get('/fapi/v1/ticker/price', { symbol: 'NOPE' }))).toEqual({ code: -1121, msg: 'Invalid symbol.' });
    // Raw socket: a body far beyond the limit streamed without Content-Length.
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${ex.restUrl}/fapi/v1/order`, { method: 'POST', headers: { 'transfer-encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.write('a'.repeat(200_000));
      req.end();
    });
    expect(status).toBe(413);
    expect((await c.get('/fapi/v1/ping')).status).toBe(200);
  });

  it('exchangeInfo lists the filters, seven order types, five TIFs and rate limits', async () => {
    const info = obj(await c.get('/fapi/v1/exchangeInfo'));
    expect(info['rateLimits']).toEqual([
      { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 2400 },
      { rateLimitType: 'ORDERS', interval: 'MINUTE', intervalNum: 1, limit: 1200 },
      { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 300 },
    ]);
    const btc = (info['symbols'] as Record<string, unknown>[]).find((s) => s['symbol'] === 'BTCUSDT');
    expect(btc?.['orderTypes']).toEqual(['LIMIT', 'MARKET', 'STOP', 'STOP_MARKET', 'TAKE_PROFIT', 'TAKE_PROFIT_MARKET', 'TRAILING_STOP_MARKET']);
    expect(btc?.['timeInForce']).toEqual(['GTC', 'IOC', 'FOK', 'GTX', 'GTD']);
    expect(btc?.['filters']).toEqual(expect.arrayContaining([
      { filterType: 'PRICE_FILTER', minPrice: '556.80', maxPrice: '4529764', tickSize: '0.10' },
      { filterType: 'MARKET_LOT_SIZE', minQty: '0.001', maxQty: '120', stepSize: '0.001' },
      { filterType: 'MIN_NOTIONAL', notional: '100' },
    ]));
    const symbols = (info['symbols'] as Record<string, unknown>[]).map((s) => s['symbol']);
    expect(symbols).toEqual(['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'XRPUSDT', '1000PEPEUSDT']);
  });
});

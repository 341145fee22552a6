import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ACCOUNT,
  connect,
  ED_KEY,
  HMAC_KEY,
  HMAC_SECRET,
  refusedStatus,
  signEd25519,
  signHmac,
  startHarness,
  type Client,
  type Harness,
} from './ws-harness.ts';

let h: Harness;
let c: Client;
beforeEach(async () => {
  h = await startHarness();
  c = await connect(h.url('/ws-fapi/v1'));
});
afterEach(async () => {
  c.close();
  await h.close();
});

type Reply = { id: unknown; status: number; result?: unknown; error?: { code: number; msg: string }; rateLimits?: unknown[] };
const call = async (id: unknown, method: string, params?: Record<string, unknown>): Promise<Reply> =>
  (await c.call(params === undefined ? { id, method } : { id, method, params })) as Reply;

function hmacParams(extra: Record<string, string | number | boolean>): Record<string, string | number | boolean> {
  const params = { ...extra, apiKey: HMAC_KEY, timestamp: h.clock.t };
  return { ...params, signature: signHmac(params) };
}

const ORDER = { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', price: '50000.50', quantity: '0.010' };

describe('envelope (fact sheet §9)', () => {
  it('answers {id, status, result, rateLimits} and echoes the id', async () => {
    const r = await call('req-1', 'ticker.price', { symbol: 'BTCUSDT' });
    expect(r).toEqual({
      id: 'req-1',
      status: 200,
      result: { symbol: 'BTCUSDT', price: '50000.10', time: h.clock.t },
      rateLimits: [{ rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 2400, count: 6 }],
    });
  });

  it('the handshake costs 5 weight', () => {
    expect(h.charged.weight).toBe(5);
  });

  it('returnRateLimits=false hides rateLimits', async () => {
    const quiet = await connect(h.url('/ws-fapi/v1?returnRateLimits=false'));
    const r = (await quiet.call({ id: 1, method: 'ticker.price', params: { symbol: 'BTCUSDT' } })) as Reply;
    expect(r.status).toBe(200);
    expect(r).not.toHaveProperty('rateLimits');
    quiet.close();
  });

  it.each([
    ['malformed JSON', '{"id":1,', null, -1135],
    ['a non-object', '[1,2]', null, -1135],
    ['a bad id', JSON.stringify({ id: 'has space', method: 'ticker.price' }), null, -1135],
    ['params not an object', JSON.stringify({ id: 3, method: 'ticker.price', params: [1] }), 3, -1135],
    ['no method', JSON.stringify({ id: 4 }), 4, -1102],
    ['an unknown method', JSON.stringify({ id: 5, method: 'order.teleport', params: {} }), 5, -1102],
    ['a nested param value', JSON.stringify({ id: 6, method: 'ticker.price', params: { symbol: ['x'] } }), 6, -1102],
  ])('%s answers status 400 with the documented code', async (_name, frame, id, code) => {
    const r = (await c.call(frame)) as Reply;
    expect(r.status).toBe(400);
    expect(r.error?.code).toBe(code);
    expect(r.id).toBe(id);
  });

  it('weight over the limit answers 429 with rateLimits', async () => {
    h.charged.weightLimit = 5;
    const r = await call(1, 'ticker.price', { symbol: 'BTCUSDT' });
    expect(r.status).toBe(429);
    expect(r.error?.code).toBe(-1003);
    expect(r.rateLimits).toHaveLength(1);
  });

  it('a handshake over the weight limit is refused with the limiter status', async () => {
    h.charged.weightLimit = 0;
    expect(await refusedStatus(h.url('/ws-fapi/v1'))).toBe(429);
  });
});

describe('method mapping onto the shared endpoint table', () => {
  it('order.place runs POST /fapi/v1/order with string params, without apiKey/signature', async () => {
    const params = hmacParams({ ...ORDER, quantity: 0.01, reduceOnly: false, recvWindow: 5000 });
    const r = await call(7, 'order.place', params);
    expect(r.status).toBe(200);
    expect(r.result).toEqual({ orderId: 42, symbol: 'BTCUSDT', price: '50000.50', origQty: '0.01' });
    const last = h.calls.at(-1);
    expect(last?.key).toBe('POST /fapi/v1/order');
    expect(last?.ctx.accountId).toBe(ACCOUNT);
    expect(last?.ctx.params).toEqual({
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      price: '50000.50',
      quantity: '0.01',
      reduceOnly: 'false',
      recvWindow: '5000',
      timestamp: String(h.clock.t),
    });
    expect(h.charged.orders).toBe(1);
  });

  it('handler errors pass through with their HTTP status', async () => {
    const r = await call(8, 'order.place', hmacParams({ ...ORDER, symbol: 'BADUSDT' }));
    expect(r).toMatchObject({ id: 8, status: 400, error: { code: -1121, msg: 'Invalid symbol.' } });
  });

  it('account.status maps to the v2 account, v2/account.status to v3', async () => {
    expect((await call(1, 'account.status', hmacParams({}))).result).toEqual({ version: 'v2' });
    expect((await call(2, 'v2/account.status', hmacParams({}))).result).toEqual({ version: 'v3' });
  });

  it('userDataStream.start needs the key only, no signature', async () => {
    const r = await call(1, 'userDataStream.start', { apiKey: HMAC_KEY });
    expect(r).toMatchObject({ status: 200, result: { listenKey: `lk${ACCOUNT}` } });
    expect((await call(2, 'userDataStream.start', {})).error?.code).toBe(-1102);
  });

  it('a handler that throws answers 500 -1000 and the connection stays usable', async () => {
    const broken = await startHarness({}, () => ({
      'GET /fapi/v1/depth': {
        security: 'NONE',
        weight: () => 2,
        countsOrders: false,
        handle: () => {
          throw new Error('engine bug');
        },
      },
    }));
    const bc = await connect(broken.url('/ws-fapi/v1'));
    expect(await bc.call({ id: 1, method: 'depth', params: { symbol: 'BTCUSDT' } })).toMatchObject({ status: 500, error: { code: -1000 } });
    expect(await bc.call({ id: 2, method: 'ticker.price', params: { symbol: 'BTCUSDT' } })).toMatchObject({ status: 200 });
    bc.close();
    await broken.close();
  });

  it('a method whose endpoint the table lacks is unknown', async () => {
    expect((await call(1, 'order.cancel', hmacParams({ symbol: 'BTCUSDT', orderId: 1 }))).error?.code).toBe(-1102);
  });
});

describe('signed requests (fact sheet §2, §9)', () => {
  it('accepts an Ed25519 signature over the sorted params', async () => {
    const params = { ...ORDER, apiKey: ED_KEY, timestamp: h.clock.t };
    const r = await call(1, 'order.place', { ...params, signature: signEd25519(params) });
    expect(r.status).toBe(200);
  });

  it('rejects a signature over unsorted params with -1022', async () => {
    const params = { ...ORDER, apiKey: HMAC_KEY, timestamp: h.clock.t };
    const unsorted = Object.entries(params).map(([k, v]) => `${k}=${v}`).join('&');
    const signature = createHmac('sha256', HMAC_SECRET).update(unsorted).digest('hex');
    expect(await call(2, 'order.place', { ...params, signature })).toMatchObject({ status: 400, error: { code: -1022 } });
  });

  it('rejects a tampered param with -1022', async () => {
    const params = hmacParams(ORDER);
    expect(await call(3, 'order.place', { ...params, quantity: '1' })).toMatchObject({ status: 400, error: { code: -1022 } });
  });

  it('unknown key → 401 -2015; missing apiKey, signature or timestamp → -1102', async () => {
    expect(await call(1, 'order.place', { ...hmacParams(ORDER), apiKey: 'nobody' })).toMatchObject({ status: 401, error: { code: -2015 } });
    const { apiKey: _k, ...noKey } = hmacParams(ORDER);
    expect((await call(2, 'order.place', noKey)).error?.code).toBe(-1102);
    const { signature: _s, ...noSig } = hmacParams(ORDER);
    expect((await call(3, 'order.place', noSig)).error?.msg).toContain("'signature'");
    const withoutTs = { ...ORDER, apiKey: HMAC_KEY };
    expect((await call(4, 'order.place', { ...withoutTs, signature: signHmac(withoutTs) })).error?.msg).toContain("'timestamp'");
  });

  it.each([
    ['exactly recvWindow old', -5000, undefined, 200],
    ['one ms past recvWindow', -5001, undefined, 400],
    ['999 ms ahead', 999, undefined, 200],
    ['1000 ms ahead', 1000, undefined, 400],
    ['old but inside a larger recvWindow', -9000, 10000, 200],
  ])('timestamp %s', async (_name, offset, recvWindow, status) => {
    const base: Record<string, string | number> = { ...ORDER, apiKey: HMAC_KEY, timestamp: h.clock.t + offset };
    if (recvWindow !== undefined) base['recvWindow'] = recvWindow;
    const r = await call(1, 'order.place', { ...base, signature: signHmac(base) });
    expect(r.status).toBe(status);
    if (status === 400) expect(r.error?.code).toBe(-1021);
  });
});

describe('session authentication (fact sheet §9)', () => {
  const logonParams = (apiKey: string, sign: (p: Record<string, string | number>) => string) => {
    const params = { apiKey, timestamp: h.clock.t };
    return { ...params, signature: sign(params) };
  };

  it('an Ed25519 key logs on; later requests omit apiKey/signature but keep the timestamp rule', async () => {
    const logon = await call(1, 'session.logon', logonParams(ED_KEY, signEd25519));
    expect(logon).toMatchObject({
      status: 200,
      result: { apiKey: ED_KEY, authorizedSince: h.clock.t, connectedSince: h.clock.t, returnRateLimits: true, serverTime: h.clock.t },
    });
    expect(await call(2, 'order.place', { ...ORDER, timestamp: h.clock.t })).toMatchObject({ status: 200 });
    expect(h.calls.at(-1)?.ctx.accountId).toBe(ACCOUNT);
    expect(await call(3, 'order.place', { ...ORDER, timestamp: h.clock.t - 6000 })).toMatchObject({ status: 400, error: { code: -1021 } });
    expect((await call(4, 'order.place', ORDER)).error?.code).toBe(-1102);
    expect(await call(41, 'order.place', { ...ORDER, apiKey: ED_KEY, timestamp: h.clock.t })).toMatchObject({ status: 200 });
    expect((await call(5, 'session.status')).result).toMatchObject({ apiKey: ED_KEY });
    expect((await call(6, 'session.logout')).result).toMatchObject({ apiKey: null, authorizedSince: null });
    expect(await call(7, 'order.place', { ...ORDER, timestamp: h.clock.t })).toMatchObject({ status: 400, error: { code: -1102 } });
  });

  it('an HMAC key cannot log on (-1022, as Binance checks the logon signature as Ed25519)', async () => {
    expect(await call(1, 'session.logon', logonParams(HMAC_KEY, signHmac))).toMatchObject({ status: 400, error: { code: -1022 } });
    expect((await call(2, 'session.status')).result).toMatchObject({ apiKey: null });
  });

  it('a bad Ed25519 logon signature is refused', async () => {
    const params = logonParams(ED_KEY, signEd25519);
    expect(await call(1, 'session.logon', { ...params, timestamp: h.clock.t + 1 })).toMatchObject({ error: { code: -1022 } });
  });

  it('a key revoked after logon answers 401 -2015', async () => {
    await call(1, 'session.logon', logonParams(ED_KEY, signEd25519));
    h.auth.revoked.add(ED_KEY);
    expect(await call(2, 'order.place', { ...ORDER, timestamp: h.clock.t })).toMatchObject({ status: 401, error: { code: -2015 } });
  });

  it('session.* costs 2 weight each', async () => {
    const before = h.charged.weight;
    await call(1, 'session.status');
    expect(h.charged.weight - before).toBe(2);
  });
});

import { generateKeyPairSync, sign as cryptoSign } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExchange, type SimExchange } from '../../sim/server.ts';
import { connect, signHmac, wsPayload, type Client } from './ws-harness.ts';

let ex: SimExchange;
beforeAll(async () => {
  ex = await startExchange({ symbols: ['BTCUSDT', 'ETHUSDT'], autoMarket: false });
});
afterAll(async () => {
  await ex.stop();
});

type Reply = { id: unknown; status: number; result?: Record<string, unknown>; error?: { code: number; msg: string }; rateLimits?: unknown[] };

/** Reads frames until one matches (the user stream also carries ACCOUNT_UPDATE / TRADE_LITE around the fill). */
async function nextMatching(c: Client, match: (frame: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  for (let i = 0; i < 50; i++) {
    const frame = (await c.next()) as Record<string, unknown>;
    if (match(frame)) return frame;
  }
  throw new Error('no matching frame in 50');
}

function signed(extra: Record<string, string>): Record<string, string | number> {
  const params = { ...extra, apiKey: ex.demo.apiKey, timestamp: ex.control.serverTime() };
  return { ...params, signature: signHmac(params, ex.demo.apiSecret) };
}

describe('WebSocket layer on the real exchange (sim/server.ts)', () => {
  it('an order placed over the WS API shows up as ORDER_TRADE_UPDATE on the user stream', async () => {
    const api = await connect(`${ex.wsUrl}/ws-fapi/v1`);
    const start = (await api.call({ id: 'lk', method: 'userDataStream.start', params: { apiKey: ex.demo.apiKey } })) as Reply;
    expect(start.status).toBe(200);
    const listenKey = String(start.result?.['listenKey']);
    const user = await connect(`${ex.wsUrl}/private/ws?listenKey=${listenKey}`);

    const placed = (await api.call({
      id: 1,
      method: 'order.place',
      params: signed({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.002', newOrderRespType: 'RESULT' }),
    })) as Reply;
    expect(placed.status).toBe(200);
    expect(placed.rateLimits).toBeDefined();
    const orderId = placed.result?.['orderId'];
    expect(typeof orderId).toBe('number');

    const update = await nextMatching(user, (f) => f['e'] === 'ORDER_TRADE_UPDATE' && (f['o'] as Record<string, unknown>)['i'] === orderId);
    expect(update['o']).toMatchObject({ s: 'BTCUSDT', S: 'BUY', o: 'MARKET' });
    api.close();
    user.close();
  });

  it('conditional types on order.place are refused with -4120 (fact sheet §0.1)', async () => {
    const api = await connect(`${ex.wsUrl}/ws-fapi/v1`);
    const r = (await api.call({
      id: 2,
      method: 'order.place',
      params: signed({ symbol: 'BTCUSDT', side: 'SELL', type: 'STOP_MARKET', quantity: '0.002', stopPrice: '90000' }),
    })) as Reply;
    expect(r).toMatchObject({ status: 400, error: { code: -4120 } });
    api.close();
  });

  it('an Ed25519 key registered through the control API can session.logon and trade unsigned', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const { apiKey } = ex.control.addKey({ accountId: 'demo', type: 'ED25519', publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString() });
    const api = await connect(`${ex.wsUrl}/ws-fapi/v1?returnRateLimits=false`);
    const logonParams = { apiKey, timestamp: ex.control.serverTime() };
    const signature = cryptoSign(null, Buffer.from(wsPayload(logonParams)), privateKey).toString('base64');
    const logon = (await api.call({ id: 3, method: 'session.logon', params: { ...logonParams, signature } })) as Reply;
    expect(logon).toMatchObject({ status: 200, result: { apiKey, returnRateLimits: false } });
    const placed = (await api.call({
      id: 4,
      method: 'order.place',
      params: { symbol: 'BTCUSDT', side: 'SELL', type: 'MARKET', quantity: '0.002', timestamp: ex.control.serverTime() },
    })) as Reply;
    expect(placed.status).toBe(200);
    expect(placed).not.toHaveProperty('rateLimits');
    const orderId = placed.result?.['orderId'];
    const queried = (await api.call({
      id: 5,
      method: 'order.status',
      params: { symbol: 'BTCUSDT', orderId, timestamp: ex.control.serverTime() },
    })) as Reply;
    expect(queried).toMatchObject({ status: 200, result: { orderId, symbol: 'BTCUSDT', side: 'SELL' } });
    api.close();
  });

  it('markPrice@1s arrives on /market and not on /public', async () => {
    const pub = await connect(`${ex.wsUrl}/public/ws/btcusdt@markPrice@1s`);
    const market = await connect(`${ex.wsUrl}/market/stream?streams=btcusdt@markPrice@1s`);
    const frame = (await market.next()) as { stream: string; data: Record<string, unknown> };
    expect(frame.stream).toBe('btcusdt@markPrice@1s');
    expect(frame.data).toMatchObject({ e: 'markPriceUpdate', s: 'BTCUSDT' });
    expect(typeof frame.data['p']).toBe('string');
    // The same delivery reached /public too if it ever would: its first frame must be this reply.
    expect(await pub.call({ method: 'LIST_SUBSCRIPTIONS', id: 1 })).toEqual({ result: ['btcusdt@markPrice@1s'], id: 1 });
    market.close();
    pub.close();
  });
});

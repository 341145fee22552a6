import { generateKeyPairSync, sign } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimExchange } from '../../sim/server.ts';
import { Client, expectError, hmac, obj, start } from './rest-helpers.ts';

// Fact sheet §2: the futures docs' HMAC example.
const DOC_KEY = 'dbefbc809e3e83c283a984c3a1459732ea7db1360ca80c5c2c8867408d28cc83';
const DOC_SECRET = '2b5eb11e18796d12d88f13dc27dbbd02c2cc51ff7059765ed9821957d82bb4d9';
const DOC_PAYLOAD = 'symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=9000&timeInForce=GTC&recvWindow=5000&timestamp=1591702613943';
const DOC_SIG = '3c661234138461fcc7a7d8746c6558c9842d4e10870d2ecbedf7777cad694af9';

let ex: SimExchange;
let c: Client;

beforeAll(async () => {
  ({ ex, c } = await start());
});
afterAll(() => ex.stop());

describe('HMAC signing (fact sheet §2)', () => {
  it('accepts the documented example request byte for byte, in the query and in the body', async () => {
    expect(hmac(DOC_SECRET, DOC_PAYLOAD)).toBe(DOC_SIG);
    const acct = ex.control.createAccount({ apiKey: DOC_KEY, apiSecret: DOC_SECRET, balance: '100000' });
    ex.control.setPrice('BTCUSDT', '9000.1');
    // Put the exchange clock at the example's timestamp so the recvWindow rule holds.
    ex.control.addFault({ kind: 'clockSkew', offsetMs: 1591702613943 + 50 - Date.now(), durationMs: 5000 });
    const headers = { 'X-MBX-APIKEY': DOC_KEY };
    const viaQuery = await c.raw('POST', `/fapi/v1/order?${DOC_PAYLOAD}&signature=${DOC_SIG}`, { headers });
    expect(viaQuery.status).toBe(200);
    expect(obj(viaQuery)).toMatchObject({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', price: '9000', origQty: '1', status: 'NEW' });
    const viaBody = await c.raw('POST', '/fapi/v1/order', { body: `${DOC_PAYLOAD}&signature=${DOC_SIG}`, headers });
    expect(viaBody.status).toBe(200);
    ex.control.clearFaults();
    expect(ex.control.state()['accounts']).toEqual(expect.arrayContaining([expect.objectContaining({ accountId: acct.accountId })]));
  });

  it('signs query + body concatenated without "&", uppercase hex accepted, query wins on a clash', async () => {
    const ts = String(ex.control.serverTime());
    const query = `symbol=BTCUSDT&timestamp=${ts}`;
    const body = 'symbol=ETHUSDT&recvWindow=5000';
    const upper = hmac(ex.demo.apiSecret, query).toUpperCase();
    const r = await c.raw('GET', `/fapi/v2/positionRisk?${query}&signature=${upper}`, { headers: { 'X-MBX-APIKEY': ex.demo.apiKey } });
    expect(r.status).toBe(200);
    const mixed = await c.raw('POST', `/fapi/v1/leverage?${query}`, {
      body: `${body}&leverage=7&signature=${hmac(ex.demo.apiSecret, query + body + '&leverage=7')}`,
      headers: { 'X-MBX-APIKEY': ex.demo.apiKey },
    });
    expect(obj(mixed)).toEqual({ leverage: 7, maxNotionalValue: expect.any(String), symbol: 'BTCUSDT' });
  });
});

describe('authentication errors (fact sheet §2, §5)', () => {
  const ts = (): string => String(ex.control.serverTime());

  it.each([
    ['missing key', {}, -2014],
    ['unknown key', { 'X-MBX-APIKEY': 'A'.repeat(64) }, -2015],
  ])('%s → %i', async (_name, headers, code) => {
    const q = `timestamp=${ts()}`;
    const r = await c.raw('GET', `/fapi/v2/balance?${q}&signature=${hmac(ex.demo.apiSecret, q)}`, { headers });
    expect(r.status).toBe(401);
    expect(expectError(r).code).toBe(code);
  });

  it('bad signature → -1022; missing timestamp/signature → -1102 with the documented text', async () => {
    const headers = { 'X-MBX-APIKEY': ex.demo.apiKey };
    const q = `timestamp=${ts()}`;
    expect(expectError(await c.raw('GET', `/fapi/v2/balance?${q}&signature=${hmac('wrong', q)}`, { headers }))).toEqual({
      code: -1022,
      msg: 'Signature for this request is not valid.',
    });
    expect(expectError(await c.raw('GET', `/fapi/v2/balance?signature=${hmac(ex.demo.apiSecret, '')}`, { headers }))).toEqual({
      code: -1102,
      msg: "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed.",
    });
    expect(expectError(await c.raw('GET', `/fapi/v2/balance?${q}`, { headers })).code).toBe(-1102);
  });

  it.each([
    ['1000 ms ahead', 1000, undefined, -1021],
    ['999 ms ahead', 999, undefined, 0],
    ['5001 ms late with default recvWindow', -5001, undefined, -1021],
    ['4990 ms late', -4990, undefined, 0],
    ['59000 ms late with recvWindow 60000', -59000, '60000', 0],
    ['recvWindow above 60000', 0, '60001', -1131],
  ])('timestamp %s → %i', async (_n, offset, recvWindow, code) => {
    const now = ex.control.freezeTime(true);
    const q = `timestamp=${now + offset}${recvWindow === undefined ? '' : `&recvWindow=${recvWindow}`}`;
    const r = await c.raw('GET', `/fapi/v2/balance?${q}&signature=${hmac(ex.demo.apiSecret, q)}`, { headers: { 'X-MBX-APIKEY': ex.demo.apiKey } });
    ex.control.freezeTime(false);
    if (code === 0) expect(r.status).toBe(200);
    else expect(expectError(r).code).toBe(code);
  });

  it('USER_STREAM needs only the key', async () => {
    const r = await c.keyed('POST', '/fapi/v1/listenKey');
    expect(obj(r)['listenKey']).toMatch(/^[A-Za-z0-9]{64}$/);
  });
});

describe('Ed25519 keys (fact sheet §2)', () => {
  it.each(['pem', 'raw'])('verifies URL-encoded base64 signatures with a %s public key', async (form) => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const raw = publicKey.export({ type: 'spki', format: 'der' }).subarray(12).toString('base64');
    const { apiKey } = ex.control.addKey({ accountId: 'demo', type: 'ED25519', publicKey: form === 'pem' ? pem : raw });
    const q = `timestamp=${ex.control.serverTime()}`;
    const sig = sign(null, Buffer.from(q), privateKey).toString('base64');
    const good = await c.raw('GET', `/fapi/v2/balance?${q}&signature=${encodeURIComponent(sig)}`, { headers: { 'X-MBX-APIKEY': apiKey } });
    expect(good.status).toBe(200);
    const badSig = sign(null, Buffer.from(q + 'x'), privateKey).toString('base64');
    const bad = await c.raw('GET', `/fapi/v2/balance?${q}&signature=${encodeURIComponent(badSig)}`, { headers: { 'X-MBX-APIKEY': apiKey } });
    expect(expectError(bad).code).toBe(-1022);
  });
});

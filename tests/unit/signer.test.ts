import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSigner, encodeParams, encodeRfc3986, signParams, wsApiPayload, type Signer } from '../../src/core/signer.ts';

const subtle = globalThis.crypto.subtle;

// Known-answer vectors from the fact sheet §2 (each verified there with node:crypto).
const FUTURES_SECRET = '2b5eb11e18796d12d88f13dc27dbbd02c2cc51ff7059765ed9821957d82bb4d9';
const FUTURES_PAYLOAD = 'symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=9000&timeInForce=GTC&recvWindow=5000&timestamp=1591702613943';
const SPOT_SECRET = 'NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j';

describe('HMAC-SHA256 known answers (fact sheet §2)', () => {
  it.each([
    ['futures doc example', FUTURES_SECRET, FUTURES_PAYLOAD, '3c661234138461fcc7a7d8746c6558c9842d4e10870d2ecbedf7777cad694af9'],
    [
      'spot classic vector 1',
      SPOT_SECRET,
      'symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559',
      'c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71',
    ],
    ['spot classic vector 2', SPOT_SECRET, 'timestamp=1578963600000', 'd84e6641b1e328e7b418fff030caed655c266299c9355e36ce801ed14631eed4'],
  ])('%s', async (_name, secret, payload, expected) => {
    const signer = await createSigner({ kind: 'hmac', secret }, subtle);
    expect(signer.kind).toBe('hmac');
    expect(await signer.sign(payload)).toBe(expected);
  });

  it('the futures example as ordered params produces the documented signed query', async () => {
    const signer = await createSigner({ kind: 'hmac', secret: FUTURES_SECRET }, subtle);
    const params: [string, string][] = FUTURES_PAYLOAD.split('&').map((kv) => kv.split('=') as [string, string]);
    expect(await signParams(params, signer)).toBe(
      `${FUTURES_PAYLOAD}&signature=3c661234138461fcc7a7d8746c6558c9842d4e10870d2ecbedf7777cad694af9`,
    );
  });

  it('imports the key once: one importKey call for any number of signatures', async () => {
    let imports = 0;
    const counting = new Proxy(subtle, {
      get(target, prop) {
        if (prop === 'importKey') imports += 1;
        const v = Reflect.get(target, prop) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    const signer = await createSigner({ kind: 'hmac', secret: FUTURES_SECRET }, counting);
    await Promise.all([signer.sign('a=1'), signer.sign('a=2'), signer.sign('a=3')]);
    expect(imports).toBe(1);
  });
});

describe('Ed25519', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const pkcs8 = new Uint8Array(privateKey.export({ format: 'der', type: 'pkcs8' }));

  it('signs in base64 and the signature verifies with node:crypto', async () => {
    const signer = await createSigner({ kind: 'ed25519', pkcs8 }, subtle);
    expect(signer.kind).toBe('ed25519');
    const sig = await signer.sign(FUTURES_PAYLOAD);
    expect(sig).toMatch(/^[A-Za-z0-9+/]{86}==$/); // 64 bytes
    expect(verify(null, Buffer.from(FUTURES_PAYLOAD), publicKey, Buffer.from(sig, 'base64'))).toBe(true);
    expect(verify(null, Buffer.from(`${FUTURES_PAYLOAD}0`), publicKey, Buffer.from(sig, 'base64'))).toBe(false);
  });

  it('signParams URL-encodes the base64 signature and signs the exact encoded payload', async () => {
    const signer = await createSigner({ kind: 'ed25519', pkcs8 }, subtle);
    const signed = await signParams([['symbol', 'BTCUSDT'], ['timestamp', '1591702613943']], signer);
    const [payload, encodedSig] = signed.split('&signature=') as [string, string];
    expect(payload).toBe('symbol=BTCUSDT&timestamp=1591702613943');
    expect(encodedSig).not.toMatch(/[+/=]/);
    const sig = Buffer.from(decodeURIComponent(encodedSig), 'base64');
    expect(verify(null, Buffer.from(payload), createPublicKey(publicKey.export({ format: 'pem', type: 'spki' })), sig)).toBe(true);
  });

  it('the signer keeps working after the caller wipes its key bytes', async () => {
    const copy = new Uint8Array(pkcs8);
    const signer = await createSigner({ kind: 'ed25519', pkcs8: copy }, subtle);
    copy.fill(0);
    const sig = await signer.sign('x=1');
    expect(verify(null, Buffer.from('x=1'), publicKey, Buffer.from(sig, 'base64'))).toBe(true);
  });

  it('rejects PKCS#8 bytes that are not an Ed25519 key', async () => {
    const { privateKey: ec } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const der = new Uint8Array(ec.export({ format: 'der', type: 'pkcs8' }));
    await expect(createSigner({ kind: 'ed25519', pkcs8: der }, subtle)).rejects.toThrow();
  });
});

describe('RFC 3986 encoding', () => {
  it.each([
    ['AZaz09-_.~', 'AZaz09-_.~'],
    ['a b', 'a%20b'],
    ["!'()*", '%21%27%28%29%2A'],
    ['[1,2]', '%5B1%2C2%5D'],
    ['{"a":"b"}', '%7B%22a%22%3A%22b%22%7D'],
    ['x-xcKtGhcu/abc:1', 'x-xcKtGhcu%2Fabc%3A1'],
    ['+=&?#', '%2B%3D%26%3F%23'],
    ['é€', '%C3%A9%E2%82%AC'],
    ['', ''],
  ])('%j → %j', (input, expected) => {
    expect(encodeRfc3986(input)).toBe(expected);
  });

  it('escapes are upper-case hex', () => {
    expect(encodeRfc3986('\u00ff\n')).toBe('%C3%BF%0A');
  });

  it('encodeParams keeps the given order and encodes names and values', () => {
    expect(
      encodeParams([
        ['symbol', 'BTCUSDT'],
        ['newClientOrderId', "a(b)*c!'"],
        ['orderIdList', '[1,2]'],
        ['a b', 'c'],
      ]),
    ).toBe('symbol=BTCUSDT&newClientOrderId=a%28b%29%2Ac%21%27&orderIdList=%5B1%2C2%5D&a%20b=c');
    expect(encodeParams([])).toBe('');
  });

  it('signParams signs the encoded string, not the raw values', async () => {
    const seen: string[] = [];
    const recorder: Signer = { kind: 'hmac', sign: async (p) => (seen.push(p), 'sig') };
    expect(await signParams([['list', '[1]']], recorder)).toBe('list=%5B1%5D&signature=sig');
    expect(seen).toEqual(['list=%5B1%5D']);
  });
});

describe('WS API payload (§9)', () => {
  it('sorts by name, joins k=v with & and drops signature', () => {
    expect(
      wsApiPayload({ timestamp: 1591702613943, symbol: 'BTCUSDT', apiKey: 'k', reduceOnly: false, signature: 'x', quantity: '0.001' }),
    ).toBe('apiKey=k&quantity=0.001&reduceOnly=false&symbol=BTCUSDT&timestamp=1591702613943');
  });

  it('sorts by code unit (upper-case before lower-case), as a byte-wise sort on the server would', () => {
    expect(wsApiPayload({ b: '1', B: '2', a: '3' })).toBe('B=2&a=3&b=1');
  });

  it('empty params give an empty payload', () => {
    expect(wsApiPayload({})).toBe('');
  });

  it.each([0.1 + 0.2, Number.NaN, 2 ** 60])('refuses the float %s (decimals travel as strings)', (n) => {
    expect(() => wsApiPayload({ price: n })).toThrow(/integer or a decimal string/);
  });
});

import { createPrivateKey, createPublicKey, generateKeyPairSync, sign as nodeSign, verify as nodeVerify, type KeyExportOptions, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  ed25519PublicKeyPem,
  generateEd25519KeyPair,
  maskKey,
  parseEd25519PrivateKeyPem,
  validateApiKey,
  validateCredentials,
  validateHmacSecret,
} from '../../src/core/keys.ts';

const subtle = globalThis.crypto.subtle;
// Binance futures doc example credentials (fact sheet §2 worked examples).
const API_KEY = 'dbefbc809e3e83c283a984c3a1459732ea7db1360ca80c5c2c8867408d28cc83';
const SECRET = '2b5eb11e18796d12d88f13dc27dbbd02c2cc51ff7059765ed9821957d82bb4d9';
const MIXED = 'vE3BDAL1gP1UaexugRLtteaAHg3UO8Nza20uexEuW1Kh3tVwQfFHdAiyjjY428o2';

const pem = (type: 'pkcs8' | 'pkcs1' | 'sec1', key: KeyObject) => key.export({ type, format: 'pem' } as KeyExportOptions<'pem'>).toString();
const ed = generateKeyPairSync('ed25519');
const ED_PRIVATE = pem('pkcs8', ed.privateKey);
const ED_PUBLIC = ed.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const x25519 = generateKeyPairSync('x25519');
const ed448 = generateKeyPairSync('ed448');
const encrypted = ed.privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pp' }).toString();

/** Every 8-character window of `s`, for checking that a message never quotes what was pasted. */
const windows = (s: string) => Array.from({ length: Math.max(0, s.length - 7) }, (_, i) => s.slice(i, i + 8));

function messageOf(r: { ok: boolean; error?: { code: string; message: string } }): string {
  if (r.ok || !r.error) throw new Error('expected an error');
  expect(r.error.code).toBe('VAULT_BAD_KEY');
  return r.error.message;
}

describe('validateApiKey / validateHmacSecret', () => {
  it.each([
    ['hex key', API_KEY],
    ['mixed-case key', MIXED],
    ['with a trailing newline from the clipboard', `${API_KEY}\n`],
    ['with surrounding spaces', `  ${API_KEY} `],
  ])('accepts a %s and returns it trimmed', (_name, value) => {
    expect(validateApiKey(value)).toEqual({ ok: true, value: value.trim() });
    expect(validateHmacSecret(value)).toEqual({ ok: true, value: value.trim() });
  });

  it.each([
    ['empty', '', /Paste your Binance API key/],
    ['only whitespace', ' \n', /Paste your Binance API key/],
    ['a space inside', `${API_KEY.slice(0, 30)} ${API_KEY.slice(30)}`, /contains spaces or line breaks/],
    ['a line break inside', `${API_KEY.slice(0, 30)}\n${API_KEY.slice(30)}`, /contains spaces or line breaks/],
    ['quotes', `"${API_KEY}"`, /only contain letters and digits/],
    ['a dash', `${API_KEY.slice(0, 63)}-`, /only contain letters and digits/],
    ['too short', API_KEY.slice(0, 40), /too short \(40 of 64 characters\)/],
    ['too long (two keys)', API_KEY + SECRET, /too long \(128 characters/],
    ['a PEM', ED_PRIVATE, /PEM key, not an API key/],
  ])('API key %s → specific message', (_name, value, expected) => {
    const message = messageOf(validateApiKey(value));
    expect(message).toMatch(expected);
    for (const w of windows(value.trim())) expect(message).not.toContain(w);
  });

  it.each([
    ['empty', '', /Paste your Binance secret key/],
    ['a space inside', `${SECRET.slice(0, 10)} ${SECRET.slice(10)}`, /secret key contains spaces/],
    ['too short', SECRET.slice(0, 63), /secret key is too short \(63 of 64/],
    ['a PEM', ED_PRIVATE, /Choose the Ed25519 key type/],
  ])('HMAC secret %s → specific message that never quotes it', (_name, value, expected) => {
    const message = messageOf(validateHmacSecret(value));
    expect(message).toMatch(expected);
    for (const w of windows(value.trim())) expect(message).not.toContain(w);
  });
});

describe('validateCredentials', () => {
  it('accepts HMAC credentials', () => {
    expect(validateCredentials({ keyType: 'hmac', apiKey: API_KEY, secret: ` ${SECRET}\n` })).toEqual({
      ok: true,
      value: { keyType: 'hmac', apiKey: API_KEY, secret: SECRET },
    });
  });
  it('accepts Ed25519 credentials and canonicalises the PEM', () => {
    const crlf = ED_PRIVATE.replace(/\n/g, '\r\n');
    expect(validateCredentials({ keyType: 'ed25519', apiKey: API_KEY, secret: crlf })).toEqual({
      ok: true,
      value: { keyType: 'ed25519', apiKey: API_KEY, secret: ED_PRIVATE },
    });
  });
  it.each([
    ['the secret pasted into both fields', { keyType: 'hmac' as const, apiKey: SECRET, secret: SECRET }, /pasted the secret/],
    ['the private key in the API key field', { keyType: 'ed25519' as const, apiKey: ED_PRIVATE, secret: ED_PRIVATE }, /pasted the private key into the API key field/],
    ['the API key in the private key field', { keyType: 'ed25519' as const, apiKey: API_KEY, secret: API_KEY }, /holds the API key/],
    ['a bad API key', { keyType: 'hmac' as const, apiKey: 'abc', secret: SECRET }, /API key is too short/],
    ['a bad secret', { keyType: 'hmac' as const, apiKey: API_KEY, secret: 'abc' }, /secret key is too short/],
  ])('rejects %s', (_name, input, expected) => {
    const message = messageOf(validateCredentials(input));
    expect(message).toMatch(expected);
    for (const w of windows(input.secret.trim())) expect(message).not.toContain(w);
  });
});

describe('parseEd25519PrivateKeyPem', () => {
  it('accepts an openssl/node PKCS#8 Ed25519 key: 48 bytes of DER', () => {
    const r = parseEd25519PrivateKeyPem(ED_PRIVATE);
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.pkcs8.length).toBe(48);
    expect(r.value.pem).toBe(ED_PRIVATE);
  });

  it('accepts a PEM whose line breaks were turned into spaces by a web page', () => {
    const flattened = ED_PRIVATE.replace(/\n/g, ' ');
    expect(parseEd25519PrivateKeyPem(flattened)).toMatchObject({ ok: true, value: { pem: ED_PRIVATE } });
  });

  it.each([
    ['empty', '', /Paste your Ed25519 private key/],
    ['the public key', ED_PUBLIC, /This is the public key/],
    ['an RSA PKCS#8 key', pem('pkcs8', rsa.privateKey), /This is an RSA key, not an Ed25519 key/],
    ['an RSA PKCS#1 key', pem('pkcs1', rsa.privateKey), /This is an RSA key/],
    ['an EC PKCS#8 key', pem('pkcs8', ec.privateKey), /EC \(ECDSA\) key, not an Ed25519 key/],
    ['an EC SEC1 key', pem('sec1', ec.privateKey), /EC \(ECDSA\) key/],
    ['an X25519 key', pem('pkcs8', x25519.privateKey), /X25519 key/],
    ['an Ed448 key', pem('pkcs8', ed448.privateKey), /Ed448 key/],
    ['an encrypted key', encrypted, /protected with a passphrase/],
    ['a key without its END line', ED_PRIVATE.split('-----END')[0] ?? '', /END PRIVATE KEY----- line is missing/],
    ['a key cut short', ED_PRIVATE.replace(/\n[^\n-]+\n-----END/, '\n-----END'), /damaged or truncated/],
    ['a body that is not base64', '-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----', /not valid base64/],
    ['two keys', ED_PRIVATE + ED_PRIVATE, /More than one key/],
    ['an HMAC secret', SECRET, /looks like an API key or HMAC secret/],
    ['random text', 'hello world', /must start with -----BEGIN PRIVATE KEY-----/],
  ])('rejects %s with a clear message', (_name, value, expected) => {
    const message = messageOf(parseEd25519PrivateKeyPem(value));
    expect(message).toMatch(expected);
    const body = value.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
    for (const w of windows(body)) expect(message).not.toContain(w);
  });
});

describe('Ed25519 helpers', () => {
  it('derives the SPKI public key PEM that node derives from the same private key', async () => {
    const parsed = parseEd25519PrivateKeyPem(ED_PRIVATE);
    if (!parsed.ok) throw new Error(parsed.error.message);
    expect(await ed25519PublicKeyPem(parsed.value, subtle)).toBe(ED_PUBLIC);
  });

  it('generates a key pair whose PEMs parse and whose signatures verify in node', async () => {
    const pair = await generateEd25519KeyPair(subtle);
    const parsed = parseEd25519PrivateKeyPem(pair.privateKeyPem);
    if (!parsed.ok) throw new Error(parsed.error.message);
    expect(await ed25519PublicKeyPem(parsed.value, subtle)).toBe(pair.publicKeyPem);
    const data = Buffer.from('symbol=BTCUSDT&timestamp=1');
    const signature = nodeSign(null, data, createPrivateKey(pair.privateKeyPem));
    expect(nodeVerify(null, data, createPublicKey(pair.publicKeyPem), signature)).toBe(true);
  });
});

describe('maskKey', () => {
  it.each([
    [API_KEY, 'dbef…cc83'],
    ['abcdefghijkl', 'abcd…ijkl'],
    ['abcdefghijk', '…'],
    ['', '…'],
  ])('%s → %s', (key, masked) => {
    expect(maskKey(key)).toBe(masked);
  });
});

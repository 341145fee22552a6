import { createCipheriv, createDecipheriv, pbkdf2Sync, randomBytes as nodeRandomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  BAD_PASSWORD_MESSAGE,
  DEFAULT_KDF,
  EnvelopeSchema,
  deriveKeyBytes,
  fromBase64,
  needsUpgrade,
  open,
  openWithKeyBytes,
  seal,
  toBase64,
  unlockEnvelope,
  type CryptoDeps,
  type DerivePhase,
  type Envelope,
  type Kdf,
} from '../../src/core/envelope.ts';

const subtle = globalThis.crypto.subtle;
const deps: CryptoDeps = { subtle, randomBytes: (n) => new Uint8Array(nodeRandomBytes(n)) };
/** Most tests use a tiny iteration count; one test below proves the production default. */
const FAST: Kdf = { name: 'PBKDF2', hash: 'SHA-256', iterations: 10 };
const bytes = (hexText: string) => new Uint8Array(Buffer.from(hexText, 'hex'));
const hexOf = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** Deterministic randomness for byte-exact comparisons: 0x01, 0x02, … */
function countingRandom(): CryptoDeps['randomBytes'] {
  let next = 1;
  return (n) => Uint8Array.from({ length: n }, () => next++ & 0xff);
}

/** Flips one bit of a base64 field's first byte. */
function flip(b64: string): string {
  const b = fromBase64(b64);
  b[0] = (b[0] ?? 0) ^ 0x01;
  return toBase64(b);
}

describe('known answers', () => {
  it('PBKDF2-HMAC-SHA256 matches RFC 7914 §11 and node:crypto', async () => {
    // RFC 7914 §11: P="passwd", S="salt", c=1, dkLen=64. PBKDF2 output blocks are independent, so our 32-byte key
    // is the first half of the 64-byte vector.
    const rfc = '55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783';
    expect(pbkdf2Sync('passwd', 'salt', 1, 64, 'sha256').toString('hex')).toBe(rfc);
    const key = await deriveKeyBytes(subtle, 'passwd', new TextEncoder().encode('salt'), { ...FAST, iterations: 1 });
    expect(hexOf(key)).toBe(rfc.slice(0, 64));
  });

  it('PBKDF2 second RFC 7914 vector (Password/NaCl, 80000 iterations) agrees with node:crypto', async () => {
    const expected = pbkdf2Sync('Password', 'NaCl', 80000, 32, 'sha256').toString('hex');
    expect(expected.startsWith('4ddcd8f60b98be21830cee5ef22701f9')).toBe(true);
    const key = await deriveKeyBytes(subtle, 'Password', new TextEncoder().encode('NaCl'), { ...FAST, iterations: 80000 });
    expect(hexOf(key)).toBe(expected);
  });

  it('AES-256-GCM: McGrew–Viega / NIST test case 14 opens through openWithKeyBytes', async () => {
    // K = 0^256, IV = 0^96, P = 0^128 → C = cea7403d…, T = d0d1c8a7… (GCM spec test case 14).
    const ct = 'cea7403d4d606b6e074ec5d3baf39d18';
    const tag = 'd0d1c8a799996bf0265b98b5d48ab919';
    const c = createCipheriv('aes-256-gcm', Buffer.alloc(32), Buffer.alloc(12));
    expect(Buffer.concat([c.update(Buffer.alloc(16)), c.final(), c.getAuthTag()]).toString('hex')).toBe(ct + tag);
    const envelope: Envelope = { version: 1, kdf: FAST, salt: toBase64(new Uint8Array(16)), iv: toBase64(new Uint8Array(12)), ciphertext: toBase64(bytes(ct + tag)) };
    const opened = await openWithKeyBytes(envelope, new Uint8Array(32), subtle);
    expect(opened).toEqual({ ok: true, value: '\0'.repeat(16) });
  });

  it('a sealed envelope is byte-for-byte PBKDF2-SHA256 → AES-256-GCM(iv, plaintext) ‖ tag, as node:crypto computes it', async () => {
    const d: CryptoDeps = { subtle, randomBytes: countingRandom() };
    const envelope = await seal('{"secret":"s3cr3t ✓"}', 'correct horse', d, { ...FAST, iterations: 7 });
    const salt = Buffer.from(fromBase64(envelope.salt));
    const iv = Buffer.from(fromBase64(envelope.iv));
    expect(hexOf(salt)).toBe('0102030405060708090a0b0c0d0e0f10');
    expect(hexOf(iv)).toBe('1112131415161718191a1b1c');
    const key = pbkdf2Sync('correct horse', salt, 7, 32, 'sha256');
    const c = createCipheriv('aes-256-gcm', key, iv);
    const expected = Buffer.concat([c.update('{"secret":"s3cr3t ✓"}', 'utf8'), c.final(), c.getAuthTag()]);
    expect(envelope.ciphertext).toBe(expected.toString('base64'));
  });
});

describe('seal / open', () => {
  it('round-trips, with a fresh salt and IV on every seal', async () => {
    const text = 'HMAC secret 2b5eb11e… ünïcödé 🔑';
    const a = await seal(text, 'pw-123456', deps, FAST);
    const b = await seal(text, 'pw-123456', deps, FAST);
    expect(EnvelopeSchema.parse(a)).toEqual(a);
    expect(a.salt).not.toBe(b.salt);
    expect(a.iv).not.toBe(b.iv);
    expect(a.ciphertext).not.toBe(b.ciphertext);
    expect(await open(a, 'pw-123456', deps)).toEqual({ ok: true, value: text });
    expect(await open(b, 'pw-123456', deps)).toEqual({ ok: true, value: text });
  });

  it('normalises the password (NFC): composed and decomposed accents open the same envelope', async () => {
    const envelope = await seal('x', 'caf\u00e9-password', deps, FAST);
    expect(await open(envelope, 'cafe\u0301-password', deps)).toEqual({ ok: true, value: 'x' });
  });

  it('gives one identical error for a wrong password and for every kind of tampering', async () => {
    const envelope = await seal('the secret', 'right-password', deps, FAST);
    const cases: Array<[string, Envelope, string]> = [
      ['wrong password', envelope, 'wrong-password'],
      ['empty password', envelope, ''],
      ['tampered ciphertext', { ...envelope, ciphertext: flip(envelope.ciphertext) }, 'right-password'],
      ['tampered IV', { ...envelope, iv: flip(envelope.iv) }, 'right-password'],
      ['tampered salt', { ...envelope, salt: flip(envelope.salt) }, 'right-password'],
      ['tampered iterations', { ...envelope, kdf: { ...envelope.kdf, iterations: 11 } }, 'right-password'],
      ['truncated tag', { ...envelope, ciphertext: toBase64(fromBase64(envelope.ciphertext).subarray(0, -1)) }, 'right-password'],
      ['undecodable base64', { ...envelope, iv: '%%%%' }, 'right-password'],
    ];
    const errors = [];
    for (const [, env, pw] of cases) errors.push(await open(env, pw, deps));
    for (const e of errors) expect(e).toEqual({ ok: false, error: { code: 'VAULT_BAD_PASSWORD', message: BAD_PASSWORD_MESSAGE } });
  });

  it('reads salt and iteration count from the envelope (one built by node:crypto at 3 iterations)', async () => {
    const salt = nodeRandomBytes(16);
    const iv = nodeRandomBytes(12);
    const key = pbkdf2Sync('pw', salt, 3, 32, 'sha256');
    const c = createCipheriv('aes-256-gcm', key, iv);
    const ct = Buffer.concat([c.update('made elsewhere', 'utf8'), c.final(), c.getAuthTag()]);
    const envelope: Envelope = {
      version: 1,
      kdf: { name: 'PBKDF2', hash: 'SHA-256', iterations: 3 },
      salt: salt.toString('base64'),
      iv: iv.toString('base64'),
      ciphertext: ct.toString('base64'),
    };
    expect(await open(envelope, 'pw', deps)).toEqual({ ok: true, value: 'made elsewhere' });
    expect((await open({ ...envelope, kdf: { ...envelope.kdf, iterations: 4 } }, 'pw', deps)).ok).toBe(false);
  });

  it('defaults to PBKDF2-SHA256 with 1,000,000 iterations, and the envelope records it', async () => {
    expect(DEFAULT_KDF).toEqual({ name: 'PBKDF2', hash: 'SHA-256', iterations: 1_000_000 });
    const envelope = await seal('default strength', 'pw', deps);
    expect(envelope.kdf).toEqual({ name: 'PBKDF2', hash: 'SHA-256', iterations: 1_000_000 });
    // The recorded count is the one actually used: node decrypts with a key derived at exactly 1e6 iterations.
    const key = pbkdf2Sync('pw', Buffer.from(fromBase64(envelope.salt)), 1_000_000, 32, 'sha256');
    const ct = Buffer.from(fromBase64(envelope.ciphertext));
    const d = createDecipheriv('aes-256-gcm', key, Buffer.from(fromBase64(envelope.iv)));
    d.setAuthTag(ct.subarray(-16));
    expect(Buffer.concat([d.update(ct.subarray(0, -16)), d.final()]).toString('utf8')).toBe('default strength');
  });
});

describe('EnvelopeSchema', () => {
  const good = { version: 1, kdf: FAST, salt: toBase64(new Uint8Array(16)), iv: toBase64(new Uint8Array(12)), ciphertext: toBase64(new Uint8Array(20)) };
  it.each([
    ['an extra field', { ...good, extra: 1 }],
    ['another version', { ...good, version: 2 }],
    ['another KDF', { ...good, kdf: { ...FAST, name: 'scrypt' } }],
    ['zero iterations', { ...good, kdf: { ...FAST, iterations: 0 } }],
    ['absurd iterations', { ...good, kdf: { ...FAST, iterations: 1e9 } }],
    ['a short salt', { ...good, salt: toBase64(new Uint8Array(8)) }],
    ['a 16-byte IV', { ...good, iv: toBase64(new Uint8Array(16)) }],
    ['non-base64 ciphertext', { ...good, ciphertext: 'not base64!' }],
    ['a ciphertext shorter than the tag', { ...good, ciphertext: toBase64(new Uint8Array(15)) }],
  ])('rejects %s', (_name, value) => {
    expect(EnvelopeSchema.safeParse(value).success).toBe(false);
  });
  it('accepts a well-formed envelope', () => {
    expect(EnvelopeSchema.safeParse(good).success).toBe(true);
  });
});

describe('upgrade on unlock', () => {
  const target: Kdf = { ...FAST, iterations: 20 };
  it.each<[string, Kdf, boolean]>([
    ['fewer iterations', { ...FAST, iterations: 19 }, true],
    ['the same parameters', target, false],
    ['more iterations (never weakened)', { ...FAST, iterations: 40 }, false],
  ])('needsUpgrade with %s → %s', (_name, kdf, expected) => {
    const envelope: Envelope = { version: 1, kdf, salt: '', iv: '', ciphertext: '' };
    expect(needsUpgrade(envelope, target)).toBe(expected);
  });

  it('re-seals an envelope with fewer iterations at the defaults after a successful open, reporting the phases', async () => {
    const old = await seal('payload', 'pw', deps, FAST);
    const phases: DerivePhase[] = [];
    const r = await unlockEnvelope(old, 'pw', deps, target, (p) => phases.push(p));
    if (!r.ok) throw new Error('unlock failed');
    expect(r.value.upgraded).toBe(true);
    expect(r.value.plaintext).toBe('payload');
    expect(r.value.envelope.kdf.iterations).toBe(20);
    expect(r.value.envelope.salt).not.toBe(old.salt);
    expect(phases).toEqual(['derive-start', 'derive-end', 'upgrade-start', 'upgrade-end']);
    expect(await open(r.value.envelope, 'pw', deps)).toEqual({ ok: true, value: 'payload' });
    expect(await openWithKeyBytes(r.value.envelope, r.value.keyBytes, subtle)).toEqual({ ok: true, value: 'payload' });
  });

  it('keeps an envelope already at the defaults, and returns key bytes that open it', async () => {
    const current = await seal('payload', 'pw', deps, target);
    const phases: DerivePhase[] = [];
    const r = await unlockEnvelope(current, 'pw', deps, target, (p) => phases.push(p));
    if (!r.ok) throw new Error('unlock failed');
    expect(r.value.upgraded).toBe(false);
    expect(r.value.envelope).toBe(current);
    expect(phases).toEqual(['derive-start', 'derive-end']);
    expect(await openWithKeyBytes(current, r.value.keyBytes, subtle)).toEqual({ ok: true, value: 'payload' });
  });

  it('does not upgrade on a wrong password, and fails with the one error', async () => {
    const old = await seal('payload', 'pw', deps, FAST);
    const r = await unlockEnvelope(old, 'nope', deps, target);
    expect(r).toEqual({ ok: false, error: { code: 'VAULT_BAD_PASSWORD', message: BAD_PASSWORD_MESSAGE } });
  });
});

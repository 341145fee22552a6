/**
 * The vault envelope: a secret sealed with AES-256-GCM under a key derived from the user's password with
 * PBKDF2-SHA256. Shape and habits follow MetaMask's browser-passworder and Bitwarden's KDF config: the envelope is
 * versioned and records its own KDF parameters and salt, so old envelopes stay readable when the defaults grow, and
 * they are re-sealed at the current defaults on the next successful unlock.
 *
 * Pure: SubtleCrypto and the random source are injected; no clock, no storage.
 *
 * Every way an open can fail (wrong password, altered ciphertext, IV, salt or iteration count, undecodable base64)
 * gives the same error with the same message, so a caller or an attacker learns nothing about which part was wrong.
 */
import { err, ok, type Result } from '../shared/result.ts';
import { z } from '../shared/zod.ts';

/** The crypto the envelope needs; in the worker `crypto.subtle` and `crypto.getRandomValues`. */
export interface CryptoDeps {
  readonly subtle: SubtleCrypto;
  /** `n` bytes from a cryptographically secure source. */
  readonly randomBytes: (n: number) => Uint8Array<ArrayBuffer>;
}

/** Salt length: 16 bytes, the NIST SP 800-132 minimum is 128 bits. */
export const SALT_BYTES = 16;
/** GCM nonce length: 96 bits, the length GCM is specified for (NIST SP 800-38D §8.2). */
export const IV_BYTES = 12;
/** AES-256 key length. */
export const KEY_BYTES = 32;
/** GCM tag length (WebCrypto default, 128 bits), so the smallest ciphertext is the tag alone. */
const TAG_BYTES = 16;

/**
 * Ceiling on the iteration count read from an envelope, so a doctored envelope cannot make an unlock hang.
 * Ten times the default leaves room for future raises.
 */
export const MAX_ITERATIONS = 10_000_000;

export const KdfSchema = z.strictObject({
  name: z.literal('PBKDF2'),
  hash: z.literal('SHA-256'),
  iterations: z.int().check(z.minimum(1), z.maximum(MAX_ITERATIONS)),
});
/** Key-derivation parameters recorded in every envelope. */
export type Kdf = z.infer<typeof KdfSchema>;

/**
 * Current defaults. 1,000,000 PBKDF2-SHA256 iterations costs about 100 ms in Chromium's worker (platform notes,
 * measured), inside the 250 ms unlock budget, and is above OWASP's 600,000 recommendation for PBKDF2-HMAC-SHA256.
 */
export const DEFAULT_KDF: Kdf = { name: 'PBKDF2', hash: 'SHA-256', iterations: 1_000_000 };

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const base64Bytes = (min: number, max: number) =>
  z.string().check(
    z.regex(BASE64, 'must be base64'),
    z.refine((s) => {
      const n = base64Length(s);
      return n >= min && n <= max;
    }, `must decode to ${min === max ? `${min}` : `${min}..${max}`} bytes`),
  );

export const EnvelopeSchema = z.strictObject({
  version: z.literal(1),
  kdf: KdfSchema,
  salt: base64Bytes(SALT_BYTES, SALT_BYTES),
  iv: base64Bytes(IV_BYTES, IV_BYTES),
  ciphertext: base64Bytes(TAG_BYTES, 1_000_000),
});
/** A sealed secret as stored (JSON-safe: every binary field is base64). */
export type Envelope = z.infer<typeof EnvelopeSchema>;

/** The one message for every failed open. */
export const BAD_PASSWORD_MESSAGE = 'Wrong password.';
const badPassword = <T>(): Result<T> => err<T>('VAULT_BAD_PASSWORD', BAD_PASSWORD_MESSAGE);

/** Phases an unlock reports so the UI can show that the (deliberately slow) derivation is running. */
export type DerivePhase = 'derive-start' | 'derive-end' | 'upgrade-start' | 'upgrade-end';

// ---------------------------------------------------------------------------------------------------------------
// base64 without Buffer (the worker has none); btoa/atob exist in workers and in Node.

function base64Length(s: string): number {
  const pad = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0;
  return (s.length / 4) * 3 - pad;
}

/** Bytes to standard base64. */
export function toBase64(bytes: Uint8Array): string {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

/** Standard base64 to bytes; throws on malformed input. */
export function fromBase64(s: string): Uint8Array<ArrayBuffer> {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/**
 * Password bytes. NFC normalisation makes a password typed with composed or decomposed accents derive the same key
 * (the same choice as browser-passworder's callers and RFC 8265's OpaqueString profile).
 */
function passwordBytes(password: string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(password.normalize('NFC'));
}

function pbkdf2Params(kdf: Kdf, salt: Uint8Array<ArrayBuffer>): Pbkdf2Params {
  return { name: kdf.name, hash: kdf.hash, salt, iterations: kdf.iterations };
}

// ---------------------------------------------------------------------------------------------------------------
// Key derivation

/** PBKDF2 → non-extractable AES-256-GCM key: the form used whenever the raw key is not needed afterwards. */
async function deriveAesKey(subtle: SubtleCrypto, password: string, salt: Uint8Array<ArrayBuffer>, kdf: Kdf): Promise<CryptoKey> {
  const base = await subtle.importKey('raw', passwordBytes(password), 'PBKDF2', false, ['deriveKey']);
  return subtle.deriveKey(pbkdf2Params(kdf, salt), base, { name: 'AES-GCM', length: KEY_BYTES * 8 }, false, [
    'encrypt',
    'decrypt',
  ]);
}

/**
 * PBKDF2 → raw bytes. Only the session path uses this: the background keeps these bytes in memory-only session
 * storage so a restarted worker can re-import the key without asking for the password (docs/security.md).
 */
export async function deriveKeyBytes(
  subtle: SubtleCrypto,
  password: string,
  salt: Uint8Array<ArrayBuffer>,
  kdf: Kdf,
): Promise<Uint8Array<ArrayBuffer>> {
  const base = await subtle.importKey('raw', passwordBytes(password), 'PBKDF2', false, ['deriveBits']);
  return new Uint8Array(await subtle.deriveBits(pbkdf2Params(kdf, salt), base, KEY_BYTES * 8));
}

/** Imports raw key bytes as a NON-extractable AES-256-GCM key. */
export function importAesKey(subtle: SubtleCrypto, raw: Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
  return subtle.importKey('raw', raw, { name: 'AES-GCM', length: KEY_BYTES * 8 }, false, ['encrypt', 'decrypt']);
}

// ---------------------------------------------------------------------------------------------------------------
// Seal / open

async function encrypt(
  subtle: SubtleCrypto,
  key: CryptoKey,
  plaintext: string,
  salt: Uint8Array<ArrayBuffer>,
  iv: Uint8Array<ArrayBuffer>,
  kdf: Kdf,
): Promise<Envelope> {
  const ct = await subtle.encrypt({ name: 'AES-GCM', iv }, key, new TextEncoder().encode(plaintext));
  return { version: 1, kdf: { ...kdf }, salt: toBase64(salt), iv: toBase64(iv), ciphertext: toBase64(new Uint8Array(ct)) };
}

/** Decrypts; any failure at all (bad base64, wrong key, altered bytes, invalid UTF-8) is the one bad-password error. */
async function decrypt(subtle: SubtleCrypto, key: CryptoKey, envelope: Envelope): Promise<Result<string>> {
  try {
    const iv = fromBase64(envelope.iv);
    const pt = await subtle.decrypt({ name: 'AES-GCM', iv }, key, fromBase64(envelope.ciphertext));
    return ok(new TextDecoder('utf-8', { fatal: true }).decode(pt));
  } catch {
    return badPassword();
  }
}

/**
 * Seals `plaintext` under `password` with a fresh salt and IV. `kdf` defaults to {@link DEFAULT_KDF}; tests pass a
 * small iteration count.
 */
export async function seal(plaintext: string, password: string, deps: CryptoDeps, kdf: Kdf = DEFAULT_KDF): Promise<Envelope> {
  const salt = deps.randomBytes(SALT_BYTES);
  const key = await deriveAesKey(deps.subtle, password, salt, kdf);
  return encrypt(deps.subtle, key, plaintext, salt, deps.randomBytes(IV_BYTES), kdf);
}

/**
 * Like {@link seal}, and also returns the derived key's raw bytes for the session (see {@link deriveKeyBytes}).
 * The AES key used to encrypt is still a non-extractable import of those bytes.
 */
export async function sealForSession(
  plaintext: string,
  password: string,
  deps: CryptoDeps,
  kdf: Kdf = DEFAULT_KDF,
): Promise<{ envelope: Envelope; keyBytes: Uint8Array<ArrayBuffer> }> {
  const salt = deps.randomBytes(SALT_BYTES);
  const keyBytes = await deriveKeyBytes(deps.subtle, password, salt, kdf);
  const key = await importAesKey(deps.subtle, keyBytes);
  const envelope = await encrypt(deps.subtle, key, plaintext, salt, deps.randomBytes(IV_BYTES), kdf);
  return { envelope, keyBytes };
}

/** Opens an envelope with its password. Iterations and salt come from the envelope itself. */
export async function open(envelope: Envelope, password: string, deps: Pick<CryptoDeps, 'subtle'>): Promise<Result<string>> {
  let key: CryptoKey;
  try {
    key = await deriveAesKey(deps.subtle, password, fromBase64(envelope.salt), envelope.kdf);
  } catch {
    return badPassword();
  }
  return decrypt(deps.subtle, key, envelope);
}

/** Opens an envelope with key bytes kept from an earlier unlock (the session path; no derivation). */
export async function openWithKeyBytes(envelope: Envelope, keyBytes: Uint8Array<ArrayBuffer>, subtle: SubtleCrypto): Promise<Result<string>> {
  let key: CryptoKey;
  try {
    key = await importAesKey(subtle, keyBytes);
  } catch {
    return badPassword();
  }
  return decrypt(subtle, key, envelope);
}

/**
 * Whether an envelope should be re-sealed with `defaults`: an older version, another KDF, or fewer iterations.
 * A higher count than the defaults is kept (never weaken a stored envelope).
 */
export function needsUpgrade(envelope: Envelope, defaults: Kdf): boolean {
  return (
    envelope.kdf.name !== defaults.name || envelope.kdf.hash !== defaults.hash || envelope.kdf.iterations < defaults.iterations
  );
}

/** What {@link unlockEnvelope} hands back: the plaintext, the envelope to store, and the session key bytes. */
export interface Unlocked {
  readonly plaintext: string;
  /** The envelope to keep: the input, or its re-sealed replacement when `upgraded`. */
  readonly envelope: Envelope;
  readonly upgraded: boolean;
  /** Raw AES key bytes that open `envelope` (the one returned). */
  readonly keyBytes: Uint8Array<ArrayBuffer>;
}

/**
 * The unlock path: derive (reporting the phase), open, and upgrade on success when {@link needsUpgrade} says so,
 * re-sealing with a new salt and IV at `defaults`. Fails with the one bad-password error.
 */
export async function unlockEnvelope(
  envelope: Envelope,
  password: string,
  deps: CryptoDeps,
  defaults: Kdf = DEFAULT_KDF,
  onPhase: (phase: DerivePhase) => void = () => undefined,
): Promise<Result<Unlocked>> {
  onPhase('derive-start');
  let keyBytes: Uint8Array<ArrayBuffer>;
  try {
    keyBytes = await deriveKeyBytes(deps.subtle, password, fromBase64(envelope.salt), envelope.kdf);
  } catch {
    onPhase('derive-end');
    return badPassword();
  }
  onPhase('derive-end');
  const opened = await openWithKeyBytes(envelope, keyBytes, deps.subtle);
  if (!opened.ok) return opened;
  if (!needsUpgrade(envelope, defaults)) return ok({ plaintext: opened.value, envelope, upgraded: false, keyBytes });
  onPhase('upgrade-start');
  const resealed = await sealForSession(opened.value, password, deps, defaults);
  onPhase('upgrade-end');
  return ok({ plaintext: opened.value, envelope: resealed.envelope, upgraded: true, keyBytes: resealed.keyBytes });
}

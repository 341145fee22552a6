/**
 * Binance credential formats: validation with a message per likely paste mistake, masking for display, and the
 * Ed25519 helpers (public key from a private key, key-pair generation). Pure: SubtleCrypto is injected.
 *
 * Messages never quote the pasted text: it may be a secret.
 *
 * Key types Strike accepts: HMAC (Binance-issued 64-character secret) and Ed25519 (the user uploads the public key
 * to Binance and keeps the PKCS#8 private key) (fact sheet §2 "Key types accepted"; RSA is accepted by Binance but
 * not by Strike: Ed25519 is faster and is the only type allowed to `session.logon` on the WebSocket API, §WS API).
 */
import { err, ok, type Result } from '../shared/result.ts';
import { fromBase64, toBase64 } from './envelope.ts';

/** Binance API keys and HMAC secrets are 64 letters and digits, case-sensitive (fact sheet §2 worked examples). */
export const BINANCE_KEY_LENGTH = 64;

/** The credential kinds a profile can hold. */
export type KeyType = 'hmac' | 'ed25519';

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END ([A-Z0-9 ]+)-----/g;

// DER of the fixed parts (RFC 8410 §7 and §4): PKCS#8 v1 PrivateKeyInfo for Ed25519 is exactly
// SEQUENCE { INTEGER 0, SEQUENCE { OID 1.3.101.112 }, OCTET STRING { OCTET STRING (32-byte seed) } } = 48 bytes,
// and the SubjectPublicKeyInfo is SEQUENCE { SEQUENCE { OID 1.3.101.112 }, BIT STRING (32-byte key) } = 44 bytes.
const PKCS8_ED25519_PREFIX = Uint8Array.from([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]);
const SPKI_ED25519_PREFIX = Uint8Array.from([0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00]);
const ED25519_PKCS8_LENGTH = 48;
const ED25519_OID = '1.3.101.112';

/** Algorithm OIDs a pasted PKCS#8 key may carry, named so the message says what was pasted. */
const KNOWN_OIDS: Readonly<Record<string, string>> = {
  '1.2.840.113549.1.1.1': 'an RSA key',
  '1.2.840.10045.2.1': 'an EC (ECDSA) key',
  '1.3.101.110': 'an X25519 key (used for key agreement, not signing)',
  '1.3.101.111': 'an X448 key',
  '1.3.101.113': 'an Ed448 key',
};

const badKey = <T>(message: string): Result<T> => err<T>('VAULT_BAD_KEY', message);

// ---------------------------------------------------------------------------------------------------------------
// API key and HMAC secret

/** Shared 64-alphanumeric checks; `what` names the field in the messages. Returns the trimmed value. */
function validateAlnum64(raw: string, what: 'API key' | 'secret key'): Result<string> {
  // Leading/trailing whitespace is a copy artefact (a trailing newline from a terminal, a space from a web page):
  // drop it silently. Whitespace inside the value is a real mistake.
  const s = raw.trim();
  if (s === '') return badKey(`Paste your Binance ${what}.`);
  if (s.includes('-----BEGIN')) {
    return what === 'API key'
      ? badKey('This is a PEM key, not an API key. The API key is the 64-character code Binance shows for the key.')
      : badKey('This is a PEM private key, not an HMAC secret. Choose the Ed25519 key type to use it.');
  }
  if (/\s/.test(s)) return badKey(`The ${what} contains spaces or line breaks. Copy it again in one piece.`);
  if (!/^[A-Za-z0-9]+$/.test(s)) {
    return badKey(`The ${what} may only contain letters and digits; something else (quotes, dots, dashes?) was copied with it.`);
  }
  if (s.length < BINANCE_KEY_LENGTH) {
    return badKey(`The ${what} is too short (${s.length} of ${BINANCE_KEY_LENGTH} characters). Part of it is missing: copy it again.`);
  }
  if (s.length > BINANCE_KEY_LENGTH) {
    return badKey(`The ${what} is too long (${s.length} characters; it has ${BINANCE_KEY_LENGTH}). Something extra was copied with it.`);
  }
  return ok(s);
}

/** Validates a Binance API key (64 letters and digits). Returns it trimmed. */
export function validateApiKey(raw: string): Result<string> {
  return validateAlnum64(raw, 'API key');
}

/** Validates a Binance HMAC secret key (64 letters and digits). Returns it trimmed. */
export function validateHmacSecret(raw: string): Result<string> {
  return validateAlnum64(raw, 'secret key');
}

// ---------------------------------------------------------------------------------------------------------------
// Minimal DER reading, enough to name the algorithm of a pasted PKCS#8 key.

interface Tlv {
  readonly tag: number;
  readonly start: number;
  readonly end: number;
}

function readTlv(der: Uint8Array, at: number): Tlv | null {
  const tag = der[at];
  let lenByte = der[at + 1];
  if (tag === undefined || lenByte === undefined) return null;
  let pos = at + 2;
  let len = lenByte;
  if (lenByte & 0x80) {
    const n = lenByte & 0x7f;
    if (n === 0 || n > 3) return null;
    len = 0;
    for (let i = 0; i < n; i++) {
      lenByte = der[pos++];
      if (lenByte === undefined) return null;
      len = len * 256 + lenByte;
    }
  }
  if (pos + len > der.length) return null;
  return { tag, start: pos, end: pos + len };
}

function decodeOid(bytes: Uint8Array): string {
  const parts: number[] = [];
  let value = 0;
  for (const b of bytes) {
    value = value * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      parts.push(value);
      value = 0;
    }
  }
  const first = parts.shift() ?? 0;
  const head = first < 80 ? [Math.floor(first / 40), first % 40] : [2, first - 80];
  return [...head, ...parts].join('.');
}

/** The algorithm OID of a PKCS#8 PrivateKeyInfo (RFC 5208 §5), or null when the DER is not one. */
function pkcs8AlgorithmOid(der: Uint8Array): string | null {
  const outer = readTlv(der, 0);
  if (outer?.tag !== 0x30) return null;
  const version = readTlv(der, outer.start);
  if (version?.tag !== 0x02) return null;
  const algId = readTlv(der, version.end);
  if (algId?.tag !== 0x30) return null;
  const oid = readTlv(der, algId.start);
  if (oid?.tag !== 0x06) return null;
  return decodeOid(der.subarray(oid.start, oid.end));
}

// ---------------------------------------------------------------------------------------------------------------
// Ed25519 PEM

/** A validated Ed25519 private key. */
export interface Ed25519PrivateKey {
  /** Canonical PEM (64-column body, `\n` line ends). */
  readonly pem: string;
  /** The 48-byte PKCS#8 DER. */
  readonly pkcs8: Uint8Array<ArrayBuffer>;
}

function pemMessageForLabel(label: string): string | null {
  switch (label) {
    case 'PRIVATE KEY':
      return null;
    case 'PUBLIC KEY':
      return 'This is the public key. Strike needs the private key (BEGIN PRIVATE KEY); the public key is what you register on Binance.';
    case 'RSA PRIVATE KEY':
    case 'RSA PUBLIC KEY':
      return 'This is an RSA key. Strike signs with Ed25519 or HMAC keys: create an Ed25519 key pair instead.';
    case 'EC PRIVATE KEY':
    case 'EC PARAMETERS':
      return 'This is an EC (ECDSA) key. Binance and Strike use Ed25519 keys: create an Ed25519 key pair instead.';
    case 'ENCRYPTED PRIVATE KEY':
      return 'This private key is protected with a passphrase. Export it without one (openssl pkey -in key.pem -out plain.pem); Strike encrypts it with your vault password.';
    case 'OPENSSH PRIVATE KEY':
      return 'This is an OpenSSH key file. Convert it to PKCS#8 PEM (ssh-keygen -p -m PKCS8 -f key) or generate the key pair in Strike.';
    case 'CERTIFICATE':
      return 'This is a certificate, not a private key. Paste the Ed25519 private key (BEGIN PRIVATE KEY).';
    default:
      return `This is a "${label}" block, not an Ed25519 private key (BEGIN PRIVATE KEY).`;
  }
}

/** Wraps DER bytes as PEM with 64-column lines (RFC 7468 §2). */
export function toPem(label: string, der: Uint8Array): string {
  const body = toBase64(der).match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${body.join('\n')}\n-----END ${label}-----\n`;
}

/**
 * Validates an Ed25519 private key in PKCS#8 PEM (what `openssl genpkey -algorithm ed25519` and Binance's key
 * generator write). Rejects public keys, RSA/EC keys, encrypted or OpenSSH files with a message saying what was
 * pasted and what to do.
 */
export function parseEd25519PrivateKeyPem(raw: string): Result<Ed25519PrivateKey> {
  const text = raw.trim();
  if (text === '') return badKey('Paste your Ed25519 private key (the text starting with -----BEGIN PRIVATE KEY-----).');
  const blocks = [...text.matchAll(PEM_BLOCK)];
  if (blocks.length === 0) {
    if (text.includes('-----BEGIN')) return badKey('The private key is incomplete: the -----END PRIVATE KEY----- line is missing.');
    if (/^[A-Za-z0-9]{64}$/.test(text)) {
      return badKey('This looks like an API key or HMAC secret, not an Ed25519 private key. Choose the HMAC key type, or paste the PEM private key.');
    }
    return badKey('This is not a PEM private key: it must start with -----BEGIN PRIVATE KEY-----.');
  }
  if (blocks.length > 1) return badKey('More than one key was pasted. Paste only the private key block.');
  const [, label = '', body = '', endLabel = ''] = blocks[0] ?? [];
  const labelMessage = pemMessageForLabel(label);
  if (labelMessage !== null) return badKey(labelMessage);
  if (endLabel !== label) return badKey('The private key is damaged: its BEGIN and END lines do not match.');
  // Some pages collapse line breaks into spaces when copying: whitespace anywhere in the body is accepted.
  const b64 = body.replace(/\s+/g, '');
  let der: Uint8Array<ArrayBuffer>;
  try {
    der = fromBase64(b64);
  } catch {
    return badKey('The private key is damaged: its body is not valid base64. Copy it again in full.');
  }
  const oid = pkcs8AlgorithmOid(der);
  if (oid === null) return badKey('The private key is damaged or truncated: it is not a valid PKCS#8 key. Copy it again in full.');
  if (oid !== ED25519_OID) {
    const named = KNOWN_OIDS[oid] ?? `a key of another algorithm (${oid})`;
    return badKey(`This is ${named}, not an Ed25519 key. Binance and Strike use Ed25519 (or HMAC) keys.`);
  }
  if (der.length !== ED25519_PKCS8_LENGTH || !PKCS8_ED25519_PREFIX.every((b, i) => der[i] === b)) {
    return badKey('This Ed25519 key is not in the plain PKCS#8 form (48 bytes). Re-export it with: openssl pkey -in key.pem -out plain.pem');
  }
  return ok({ pem: toPem('PRIVATE KEY', der), pkcs8: der });
}

function base64UrlToBytes(s: string): Uint8Array<ArrayBuffer> {
  const std = s.replace(/-/g, '+').replace(/_/g, '/');
  return fromBase64(std + '='.repeat((4 - (std.length % 4)) % 4));
}

/**
 * The SubjectPublicKeyInfo PEM for an Ed25519 private key: the text the user registers on Binance. WebCrypto has
 * no "public from private", but the JWK export of an Ed25519 private key carries the public point `x`
 * (RFC 8037 §2), so the key is imported extractable for this one export and then dropped.
 */
export async function ed25519PublicKeyPem(privateKey: Ed25519PrivateKey, subtle: SubtleCrypto): Promise<string> {
  const key = await subtle.importKey('pkcs8', privateKey.pkcs8, { name: 'Ed25519' }, true, ['sign']);
  const jwk = await subtle.exportKey('jwk', key);
  if (typeof jwk.x !== 'string') throw new Error('Ed25519 JWK export has no public point');
  const x = base64UrlToBytes(jwk.x);
  const spki = new Uint8Array(SPKI_ED25519_PREFIX.length + x.length);
  spki.set(SPKI_ED25519_PREFIX);
  spki.set(x, SPKI_ED25519_PREFIX.length);
  return toPem('PUBLIC KEY', spki);
}

/** A freshly generated key pair, as the PEM texts the user keeps (private) and registers on Binance (public). */
export interface Ed25519KeyPairPem {
  readonly privateKeyPem: string;
  readonly publicKeyPem: string;
}

/** Generates an Ed25519 key pair with the injected SubtleCrypto and exports it as PKCS#8 and SPKI PEM. */
export async function generateEd25519KeyPair(subtle: SubtleCrypto): Promise<Ed25519KeyPairPem> {
  const pair = (await subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as CryptoKeyPair;
  const pkcs8 = new Uint8Array(await subtle.exportKey('pkcs8', pair.privateKey));
  const spki = new Uint8Array(await subtle.exportKey('spki', pair.publicKey));
  return { privateKeyPem: toPem('PRIVATE KEY', pkcs8), publicKeyPem: toPem('PUBLIC KEY', spki) };
}

// ---------------------------------------------------------------------------------------------------------------
// Credentials as a whole, and masking

/** Credentials as entered, before validation. */
export interface CredentialsInput {
  readonly keyType: KeyType;
  readonly apiKey: string;
  readonly secret: string;
}

/** Validated, normalised credentials: trimmed API key; trimmed HMAC secret or canonical Ed25519 PEM. */
export interface Credentials {
  readonly keyType: KeyType;
  readonly apiKey: string;
  readonly secret: string;
}

/**
 * Validates the API key and secret together, which catches the mix-ups a field-by-field check cannot: the same
 * value in both fields, or a private key pasted where the API key goes.
 */
export function validateCredentials(input: CredentialsInput): Result<Credentials> {
  if (input.apiKey.includes('PRIVATE KEY-----')) {
    return badKey('It looks like you pasted the private key into the API key field. The API key is the 64-character code Binance shows for the key.');
  }
  const apiKey = validateApiKey(input.apiKey);
  if (!apiKey.ok) return apiKey;
  if (input.keyType === 'hmac') {
    const secret = validateHmacSecret(input.secret);
    if (!secret.ok) return secret;
    if (secret.value === apiKey.value) {
      return badKey('The API key and the secret key are identical: it looks like you pasted the secret (or the API key) into both fields.');
    }
    return ok({ keyType: 'hmac', apiKey: apiKey.value, secret: secret.value });
  }
  if (input.secret.trim() === apiKey.value) {
    return badKey('The private key field holds the API key. Paste the Ed25519 private key (BEGIN PRIVATE KEY) there.');
  }
  const pem = parseEd25519PrivateKeyPem(input.secret);
  if (!pem.ok) return pem;
  return ok({ keyType: 'ed25519', apiKey: apiKey.value, secret: pem.value.pem });
}

/** Masks a key for display: `abcd…wxyz`. Too short to mask safely → only the ellipsis. */
export function maskKey(key: string): string {
  return key.length >= 12 ? `${key.slice(0, 4)}…${key.slice(-4)}` : '…';
}

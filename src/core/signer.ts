/**
 * Request signing for Binance USD-M Futures (fact sheet §2, WS API §9).
 *
 * The key is imported into WebCrypto once and held as a non-extractable CryptoKey, so the secret never has to be
 * kept as a string after `createSigner` returns. `SubtleCrypto` is injected: the extension passes the worker's
 * `crypto.subtle`, tests pass Node's `globalThis.crypto.subtle`.
 */
import { assertNever } from '../shared/result.ts';

/** The secret material a signer is built from. Ed25519 keys are PKCS#8 DER bytes (what `openssl genpkey` writes). */
export type SigningKey = { kind: 'hmac'; secret: string } | { kind: 'ed25519'; pkcs8: Uint8Array };

/** Signs a payload: HMAC-SHA256 as lower-case hex, Ed25519 as standard base64 (fact sheet §2). */
export interface Signer {
  readonly kind: 'hmac' | 'ed25519';
  sign(payload: string): Promise<string>;
}

const utf8 = new TextEncoder();

function toHex(bytes: ArrayBuffer): string {
  let out = '';
  for (const b of new Uint8Array(bytes)) out += b.toString(16).padStart(2, '0');
  return out;
}

function toBase64(bytes: ArrayBuffer): string {
  let bin = '';
  for (const b of new Uint8Array(bytes)) bin += String.fromCharCode(b);
  return btoa(bin);
}

/**
 * Imports the key once and returns a signer holding the CryptoKey. The imported key is not extractable.
 * Rejects (throws) when WebCrypto refuses the key, e.g. PKCS#8 bytes that are not an Ed25519 key.
 */
export async function createSigner(key: SigningKey, subtle: SubtleCrypto): Promise<Signer> {
  switch (key.kind) {
    case 'hmac': {
      const cryptoKey = await subtle.importKey('raw', utf8.encode(key.secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
        'sign',
      ]);
      return {
        kind: 'hmac',
        sign: async (payload) => toHex(await subtle.sign('HMAC', cryptoKey, utf8.encode(payload))),
      };
    }
    case 'ed25519': {
      // Copy into a fresh ArrayBuffer-backed view: WebCrypto wants a BufferSource, and later changes to the
      // caller's array (for example zeroing it) must not affect the key.
      const der = new Uint8Array(key.pkcs8);
      const cryptoKey = await subtle.importKey('pkcs8', der, { name: 'Ed25519' }, false, ['sign']);
      return {
        kind: 'ed25519',
        sign: async (payload) => toBase64(await subtle.sign({ name: 'Ed25519' }, cryptoKey, utf8.encode(payload))),
      };
    }
    default:
      return assertNever(key);
  }
}

/**
 * RFC 3986 percent-encoding: only the unreserved set `A-Z a-z 0-9 - _ . ~` stays literal (fact sheet §2, SKILL).
 * `encodeURIComponent` already upper-cases its escapes but leaves `!'()*` alone, so those are escaped here.
 * Throws URIError on a lone UTF-16 surrogate (a programming error: such a string has no UTF-8 form).
 */
export function encodeRfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** `k=v` pairs, names and values RFC 3986 encoded, joined by `&` in the given order (order is free, §2). */
export function encodeParams(params: ReadonlyArray<readonly [string, string]>): string {
  return params.map(([k, v]) => `${encodeRfc3986(k)}=${encodeRfc3986(v)}`).join('&');
}

/**
 * The signed REST payload: the encoded params followed by `&signature=`. The signature is computed over exactly
 * the encoded string that is sent (the server verifies the bytes as received, §2) and goes last, as Binance
 * requires. Ed25519 base64 contains `+`, `/`, `=`, hence the encoding of the signature itself.
 */
export async function signParams(params: ReadonlyArray<readonly [string, string]>, signer: Signer): Promise<string> {
  const payload = encodeParams(params);
  const signature = await signer.sign(payload);
  return `${payload}&signature=${encodeURIComponent(signature)}`;
}

/**
 * The WS API signing payload (§9): every param except `signature`, sorted by name, `k=v` joined by `&`, values not
 * encoded. INT params are JSON integers there, DECIMAL params strings; a non-integer number here means a price or
 * quantity leaked into float arithmetic, so it throws rather than sign "0.30000000000000004".
 */
export function wsApiPayload(params: Readonly<Record<string, string | number | boolean>>): string {
  return Object.keys(params)
    .filter((k) => k !== 'signature')
    .sort()
    .map((k) => {
      const v = params[k];
      if (typeof v === 'number' && !Number.isSafeInteger(v)) {
        throw new Error(`WS API param ${k} must be an integer or a decimal string, got ${v}`);
      }
      return `${k}=${String(v)}`;
    })
    .join('&');
}

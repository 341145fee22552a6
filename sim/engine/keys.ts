/**
 * API keys: Binance-issued HMAC key pairs and user-registered Ed25519 public keys (fact sheet §2 "Key types").
 * Implements the `Authenticator` seam shared by REST and the WebSocket API.
 */
import { createHmac, createPublicKey, randomBytes, timingSafeEqual, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import type { Authenticator } from '../contracts.ts';

type KeyEntry =
  | { readonly kind: 'HMAC'; readonly accountId: string; readonly secret: string }
  | { readonly kind: 'ED25519'; readonly accountId: string; readonly publicKey: KeyObject };

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A random alphanumeric string like Binance's 64-character keys and secrets. */
export function randomAlnum(length = 64): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const b of bytes) out += ALNUM[b % ALNUM.length];
  return out;
}

/** DER prefix of an Ed25519 SubjectPublicKeyInfo; a raw 32-byte key appended to it is a valid SPKI. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** Parses an Ed25519 public key given as PEM SPKI or as the raw 32-byte key in base64; null when it is neither. */
export function parseEd25519PublicKey(text: string): KeyObject | null {
  try {
    const trimmed = text.trim();
    const key = trimmed.startsWith('-----BEGIN')
      ? createPublicKey(trimmed)
      : (() => {
          const raw = Buffer.from(trimmed, 'base64');
          const der = raw.length === 32 ? Buffer.concat([ED25519_SPKI_PREFIX, raw]) : raw;
          return createPublicKey({ key: der, format: 'der', type: 'spki' });
        })();
    return key.asymmetricKeyType === 'ed25519' ? key : null;
  } catch {
    return null;
  }
}

export class KeyStore implements Authenticator {
  private readonly keys = new Map<string, KeyEntry>();

  addHmac(apiKey: string, secret: string, accountId: string): void {
    this.keys.set(apiKey, { kind: 'HMAC', accountId, secret });
  }

  addEd25519(apiKey: string, publicKey: KeyObject, accountId: string): void {
    this.keys.set(apiKey, { kind: 'ED25519', accountId, publicKey });
  }

  remove(apiKey: string): boolean {
    return this.keys.delete(apiKey);
  }

  clear(): void {
    this.keys.clear();
  }

  list(): { apiKey: string; accountId: string; type: 'HMAC' | 'ED25519' }[] {
    return [...this.keys].map(([apiKey, k]) => ({ apiKey, accountId: k.accountId, type: k.kind }));
  }

  accountForKey(apiKey: string): string | null {
    return this.keys.get(apiKey)?.accountId ?? null;
  }

  isEd25519(apiKey: string): boolean {
    return this.keys.get(apiKey)?.kind === 'ED25519';
  }

  /**
   * HMAC: hex digest compared case-insensitively (fact sheet §2 "not case sensitive"). Ed25519: base64 signature
   * (already URL-decoded; a '+' that arrived unencoded was decoded to a space, so it is put back).
   */
  verify(apiKey: string, payload: string, signature: string): boolean {
    const key = this.keys.get(apiKey);
    if (!key) return false;
    if (key.kind === 'HMAC') {
      const expected = createHmac('sha256', key.secret).update(payload).digest();
      if (!/^[0-9a-fA-F]{64}$/.test(signature)) return false;
      return timingSafeEqual(expected, Buffer.from(signature, 'hex'));
    }
    try {
      const sig = Buffer.from(signature.replace(/ /g, '+'), 'base64');
      return sig.length === 64 && cryptoVerify(null, Buffer.from(payload), key.publicKey, sig);
    } catch {
      return false;
    }
  }
}

/**
 * Request authentication exactly as fact sheet §2: `X-MBX-APIKEY` header; the signature covers the raw query
 * string (minus `signature`) concatenated directly with the raw body (minus `signature`), as received; timestamp
 * accepted iff `timestamp < serverTime + 1000 && serverTime - timestamp <= recvWindow` (default 5000, max 60000).
 */
import type { Authenticator, BinanceError, Security } from '../contracts.ts';
import { E } from '../engine/errors.ts';

/** Drops every `signature=` pair from a raw `a=1&b=2` string, keeping the rest byte for byte. */
export function stripSignature(raw: string): string {
  if (!raw.includes('signature=')) return raw;
  return raw
    .split('&')
    .filter((part) => !part.startsWith('signature='))
    .join('&');
}

const API_KEY_RE = /^[A-Za-z0-9]{1,128}$/;

export interface AuthInput {
  readonly security: Security;
  readonly apiKey: string | undefined;
  readonly rawQuery: string;
  readonly rawBody: string;
  readonly params: Readonly<Record<string, string>>;
  readonly now: number;
  readonly ip: string;
}

/** The account a request acts for (null for NONE endpoints), or the Binance error that refuses it. */
export function authenticate(auth: Authenticator, a: AuthInput): { accountId: string | null } | { error: BinanceError } {
  if (a.security === 'NONE') return { accountId: null };
  if (a.apiKey === undefined || a.apiKey === '' || !API_KEY_RE.test(a.apiKey)) return { error: E.badKeyFormat() };
  const accountId = auth.accountForKey(a.apiKey);
  if (accountId === null) return { error: E.rejectedKey(a.ip) };
  if (a.security === 'USER_STREAM' || a.security === 'MARKET_DATA') return { accountId };
  const ts = a.params['timestamp'];
  if (ts === undefined || !/^\d{1,16}$/.test(ts)) return { error: E.mandatory('timestamp') };
  const signature = a.params['signature'];
  if (signature === undefined || signature === '') return { error: E.mandatory('signature') };
  const rw = a.params['recvWindow'];
  let recvWindow = 5000;
  if (rw !== undefined) {
    if (!/^\d{1,16}$/.test(rw)) return { error: E.mandatory('recvWindow') };
    recvWindow = Number(rw);
    if (recvWindow > 60_000) return { error: E.badRecvWindow() };
  }
  if (!auth.verify(a.apiKey, stripSignature(a.rawQuery) + stripSignature(a.rawBody), signature)) return { error: E.badSignature() };
  const t = Number(ts);
  if (t >= a.now + 1000) return { error: E.timestampAhead() };
  if (a.now - t > recvWindow) return { error: E.timestampOutside() };
  return { accountId };
}

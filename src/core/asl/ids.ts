/**
 * Position keys and deterministic client ids. Ids come from a per-position counter kept in state, never from a
 * clock or randomness, so replaying the same events yields the same ids (and the same effects).
 */
import type { PositionSide } from './schema.ts';

/** State key of a position: one record per symbol and position side (hedge mode has two per symbol). */
export function posKey(symbol: string, positionSide: PositionSide): string {
  return `${symbol}:${positionSide}`;
}

/** The kind of order an id names: the stop, trailing member n, or a market close. */
export type IdKind = 'sl' | `t${number}` | 'cl';

const SIDE_LETTER: Readonly<Record<PositionSide, string>> = { BOTH: 'B', LONG: 'L', SHORT: 'S' };

/** 32-bit FNV-1a, enough to give symbols that do not fit the id alphabet a short stable tag. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/**
 * Binance ids allow only `[.A-Z:/a-z0-9_-]` and 36 characters (fact sheet §4.7); some listed symbols use other
 * characters or are long, so those are replaced by a hash tag.
 */
function symbolTag(symbol: string): string {
  return /^[A-Z0-9]{1,16}$/.test(symbol) ? symbol : `h${fnv1a(symbol).toString(36)}`;
}

/** `sl-BTCUSDT-L-7`: at most 2+1+16+3+14 = 36 characters. */
export function makeClientId(kind: IdKind, symbol: string, positionSide: PositionSide, n: number): string {
  return `${kind}-${symbolTag(symbol)}-${SIDE_LETTER[positionSide]}-${n}`;
}

const OUR_ID_RE = /^(sl|t[1-9]|cl)-([A-Za-z0-9]+)-([BLS])-(\d{1,14})$/;

/** Parses one of our ids back; null for ids made by anyone else (the trader's own orders are never touched). */
export function parseClientId(id: string): { kind: string; tag: string; positionSide: PositionSide; n: number } | null {
  const m = OUR_ID_RE.exec(id);
  if (!m || m[1] === undefined || m[2] === undefined || m[4] === undefined) return null;
  const positionSide = m[3] === 'L' ? 'LONG' : m[3] === 'S' ? 'SHORT' : 'BOTH';
  return { kind: m[1], tag: m[2], positionSide, n: Number(m[4]) };
}

/** True when `id` is one of ours for this position. */
export function isOurIdFor(id: string, symbol: string, positionSide: PositionSide): boolean {
  const p = parseClientId(id);
  return p !== null && p.tag === symbolTag(symbol) && p.positionSide === positionSide;
}

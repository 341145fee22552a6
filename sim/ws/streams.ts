/**
 * Market stream names and the live control protocol of Binance's stream connections (fact sheet §7):
 * which URL path carries which stream, and the SUBSCRIBE / UNSUBSCRIBE / LIST_SUBSCRIPTIONS / SET_PROPERTY /
 * GET_PROPERTY messages with their replies and error codes 0/1/2/3.
 */
import { assertNever } from '../../src/shared/result.ts';

/** The 2026 stream paths (fact sheet §0.2, §7): `/public` carries book data, `/market` everything else. */
export type StreamCategory = 'public' | 'market';

/** A validated stream name: the symbol part lower-cased (Binance: "All symbols for streams are lowercase", §7). */
export interface StreamName {
  readonly name: string;
  readonly category: StreamCategory;
}

const INTERVAL = '(?:1m|3m|5m|15m|30m|1h|2h|4h|6h|8h|12h|1d|3d|1w|1M)';

/** Per-symbol stream kinds on `/public` (fact sheet §7; ccxt also routes `trade` there). */
const PUBLIC_KIND = /^(?:bookTicker|depth(?:5|10|20)?(?:@(?:100|250|500)ms)?|rpiDepth@500ms|trade)$/;
/** Per-symbol stream kinds on `/market` (fact sheet §7). */
const MARKET_KIND = new RegExp(
  `^(?:aggTrade|markPrice(?:@1s)?|kline_${INTERVAL}|miniTicker|ticker|forceOrder|compositeIndex)$`,
);
/** `<pair>_<contractType>@continuousKline_<interval>` (market). */
const CONTINUOUS_KLINE = new RegExp(
  `^([a-z0-9]+)_(?:perpetual|current_quarter|next_quarter)@continuousKline_${INTERVAL}$`,
);
/** All-market streams and the path each lives on (fact sheet §7). */
const ALL_MARKET: Readonly<Record<string, StreamCategory>> = {
  '!bookTicker': 'public',
  '!markPrice@arr': 'market',
  '!markPrice@arr@1s': 'market',
  '!miniTicker@arr': 'market',
  '!ticker@arr': 'market',
  '!forceOrder@arr': 'market',
  '!contractInfo': 'market',
  '!assetIndex@arr': 'market',
};

/**
 * Validates a stream name against the listed symbols (lower-case set) and says which path carries it.
 * Returns null for anything that is not a stream this exchange could emit (unknown symbol or kind).
 */
export function parseStreamName(raw: string, symbols: ReadonlySet<string>): StreamName | null {
  const all = ALL_MARKET[raw];
  if (all !== undefined) return { name: raw, category: all };
  const at = raw.indexOf('@');
  if (at <= 0) return null;
  const symbol = raw.slice(0, at).toLowerCase();
  const kind = raw.slice(at + 1);
  const name = `${symbol}@${kind}`;
  const continuous = CONTINUOUS_KLINE.exec(name);
  if (continuous !== null) {
    return symbols.has(continuous[1] ?? '') ? { name, category: 'market' } : null;
  }
  if (!symbols.has(symbol)) return null;
  if (PUBLIC_KIND.test(kind)) return { name, category: 'public' };
  if (MARKET_KIND.test(kind)) return { name, category: 'market' };
  return null;
}

/** Lower-cased symbol set for `parseStreamName`. */
export function symbolSet(symbols: readonly string[]): ReadonlySet<string> {
  return new Set(symbols.map((s) => s.toLowerCase()));
}

/** A parsed live control message. `id` is the unsigned integer the client chose. */
export type ControlRequest =
  | { readonly method: 'SUBSCRIBE' | 'UNSUBSCRIBE'; readonly params: readonly string[]; readonly id: ControlId }
  | { readonly method: 'LIST_SUBSCRIPTIONS'; readonly id: ControlId }
  | { readonly method: 'SET_PROPERTY'; readonly value: boolean; readonly id: ControlId }
  | { readonly method: 'GET_PROPERTY'; readonly id: ControlId };

/** Control-protocol error codes (fact sheet §7 "Live Subscribing"). */
export interface ControlError {
  readonly code: 0 | 1 | 2 | 3;
  readonly msg: string;
}

export type ControlParse =
  | { readonly ok: true; readonly request: ControlRequest }
  | { readonly ok: false; readonly error: ControlError; readonly id: ControlId | null };

const METHODS = ['SUBSCRIBE', 'UNSUBSCRIBE', 'LIST_SUBSCRIPTIONS', 'SET_PROPERTY', 'GET_PROPERTY'] as const;
type Method = (typeof METHODS)[number];

function isMethod(value: unknown): value is Method {
  return typeof value === 'string' && (METHODS as readonly string[]).includes(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The USD-M page documents an unsigned integer id, but Binance's own generated connector
 * (@binance/derivatives-trading-usds-futures) sends 32-hex-character string ids on these streams, and Binance's
 * newer stream docs accept "an alphanumeric string, max length 36" as well: both are accepted here.
 */
export type ControlId = number | string;

function isControlId(value: unknown): value is ControlId {
  return isUnsignedInt(value) || (typeof value === 'string' && /^[A-Za-z0-9-]{1,36}$/.test(value));
}

function isUnsignedInt(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function invalid(msg: string, id: ControlId | null): ControlParse {
  return { ok: false, error: { code: 2, msg: `Invalid request: ${msg}` }, id };
}

/**
 * Parses one incoming text frame on a stream connection. Errors follow the documented table: 3 invalid JSON,
 * 2 invalid request (id not an unsigned integer, unknown method, bad or too many params), 1 bad value type,
 * 0 unknown property (fact sheet §7).
 */
export function parseControl(text: string): ControlParse {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: { code: 3, msg: `Invalid JSON: ${e instanceof Error ? e.message : 'parse error'}` }, id: null };
  }
  if (!isRecord(body)) return invalid('expected a JSON object', null);
  const id = body['id'];
  if (!isControlId(id)) return invalid('request ID must be an unsigned integer or an alphanumeric string of at most 36 characters', null);
  const method = body['method'];
  if (method === undefined) return invalid('missing field `method`', id);
  if (!isMethod(method)) {
    return invalid(`unknown variant \`${String(method)}\`, expected one of ${METHODS.map((m) => `\`${m}\``).join(', ')}`, id);
  }
  const params = body['params'] ?? [];
  if (!Array.isArray(params)) return invalid('params must be an array', id);
  switch (method) {
    case 'SUBSCRIBE':
    case 'UNSUBSCRIBE': {
      const names: string[] = [];
      for (const p of params) {
        if (typeof p !== 'string') return invalid('stream name must be a string', id);
        names.push(p);
      }
      return { ok: true, request: { method, params: names, id } };
    }
    case 'LIST_SUBSCRIPTIONS':
      if (params.length > 0) return invalid('too many parameters', id);
      return { ok: true, request: { method, id } };
    case 'SET_PROPERTY': {
      if (params.length > 2) return invalid('too many parameters', id);
      const [name, value] = params as unknown[];
      if (typeof name !== 'string') return invalid('property name must be a string', id);
      if (name !== 'combined') return { ok: false, error: { code: 0, msg: 'Unknown property' }, id };
      if (typeof value !== 'boolean') return { ok: false, error: { code: 1, msg: 'Invalid value type: expected Boolean' }, id };
      return { ok: true, request: { method, value, id } };
    }
    case 'GET_PROPERTY': {
      if (params.length > 1) return invalid('too many parameters', id);
      const [name] = params as unknown[];
      if (typeof name !== 'string') return invalid('property name must be a string', id);
      if (name !== 'combined') return { ok: false, error: { code: 0, msg: 'Unknown property' }, id };
      return { ok: true, request: { method, id } };
    }
    default:
      return assertNever(method);
  }
}

/** The reply frame for a control error: `{"error":{"code":2,"msg":"…"},"id":1}`. */
export function controlErrorReply(error: ControlError, id: ControlId | null): string {
  return JSON.stringify({ error, id });
}

/** The reply frame for a successful control request: `{"result":null,"id":1}`. */
export function controlResultReply(result: unknown, id: ControlId): string {
  return JSON.stringify({ result, id });
}

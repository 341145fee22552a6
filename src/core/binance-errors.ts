/**
 * Binance error → trader-readable AppError plus what the pipeline should do next (fact sheet §5, §4.14).
 *
 * The recovery policy is the important half: after a timeout or an "execution status unknown" answer the order
 * may exist, so the only safe next step is to reconcile (query the order / watch the user stream) before any
 * resend; a certain failure may be retried after backing off; a filter rejection means our cached exchangeInfo is
 * stale.
 */
import { assertNever, type AppError, type ErrorCode } from '../shared/result.ts';

/** What the caller should do after an error. */
export type RecoveryPolicy =
  /** Certain failure, safe to resend now. */
  | 'retry'
  /** Certain failure caused by load or limits: resend only after a pause. */
  | 'backoff'
  /** Our timestamp was outside recvWindow: resample the server clock, then resend. */
  | 'resync-time'
  /** The exchange's filters disagree with our cached rules: reload exchangeInfo and re-validate. */
  | 'refresh-filters'
  /** The request may have executed: find out (order query, user stream) before doing anything else. */
  | 'reconcile'
  /** Resending will not help; show the error. */
  | 'give-up';

/** What arrived from Binance: HTTP status and, when the body parsed, `{code, msg}`. */
export interface BinanceErrorInput {
  readonly httpStatus: number;
  readonly code?: number;
  readonly msg?: string;
  readonly retryAfterSec?: number | null;
  /** The order's symbol, when known, to make messages specific. */
  readonly symbol?: string;
}

/** The mapped error and the recovery policy. */
export interface MappedError {
  readonly error: AppError;
  readonly policy: RecoveryPolicy;
}

type Kind = Extract<ErrorCode, 'EXCHANGE' | 'RATE_LIMITED' | 'BANNED' | 'UNKNOWN_STATUS' | 'VALIDATION' | 'NETWORK'>;

interface Entry {
  readonly kind: Kind;
  readonly policy: RecoveryPolicy;
  /** `sym` is " for BTCUSDT" or " for this symbol". */
  readonly text: (sym: string) => string;
}

const filter = (text: (sym: string) => string): Entry => ({ kind: 'VALIDATION', policy: 'refresh-filters', text });
const giveUp = (text: (sym: string) => string, kind: Kind = 'EXCHANGE'): Entry => ({ kind, policy: 'give-up', text });
const unknownOutcome = (text: string): Entry => ({ kind: 'UNKNOWN_STATUS', policy: 'reconcile', text: () => text });

const MAYBE_EXECUTED = 'It may or may not have been executed; Strike is checking the order before doing anything else.';

/** Every code the fact sheet lists (§5 table, §4.14, "Other useful", §4.x). Names are Binance's (D-ERR). */
const ENTRIES: ReadonlyMap<number, Entry> = new Map<number, Entry>([
  // Server-side failures and unknown outcomes (§5 HTTP semantics).
  [-1000, unknownOutcome(`Binance hit an unknown error while processing the request. ${MAYBE_EXECUTED}`)], // UNKNOWN
  [-1001, { kind: 'EXCHANGE', policy: 'retry', text: () => 'Binance had an internal error and could not process the request; it is safe to try again.' }], // DISCONNECTED
  [-1006, unknownOutcome(`Binance returned an unexpected response from its backend. ${MAYBE_EXECUTED}`)], // UNEXPECTED_RESP
  [-1007, unknownOutcome(`Binance timed out waiting for its backend. ${MAYBE_EXECUTED}`)], // TIMEOUT
  [-1008, { kind: 'RATE_LIMITED', policy: 'backoff', text: () => 'Binance is overloaded and throttled this request; it was not executed. Reduce-only and close-position orders are exempt.' }],
  // Rate limits (§6).
  [-1003, { kind: 'RATE_LIMITED', policy: 'backoff', text: () => 'Too many requests to Binance; Strike is pausing to avoid an IP ban.' }], // TOO_MANY_REQUESTS
  [-1015, { kind: 'RATE_LIMITED', policy: 'backoff', text: () => 'Too many new orders in a short time; Binance refused this one. Wait a few seconds.' }], // TOO_MANY_ORDERS
  // Time and authentication (§2).
  [-1021, { kind: 'EXCHANGE', policy: 'resync-time', text: () => "The request's timestamp was outside Binance's receive window (clock out of sync); Strike is resynchronising with the server clock." }],
  [-5028, { kind: 'EXCHANGE', policy: 'resync-time', text: () => "The request reached Binance's matching engine outside its receive window; it was not executed." }], // ME_RECVWINDOW_REJECT
  [-1022, giveUp(() => 'Binance rejected the request signature: the API secret does not match the API key.')], // INVALID_SIGNATURE
  [-2008, giveUp(() => 'Binance does not recognise this API key. On demo trading, the key must come from demo.binance.com and the demo endpoint must be selected.')],
  [-2014, giveUp(() => 'The API key is not in a valid format.')], // BAD_API_KEY_FMT
  [-2015, giveUp(() => 'Invalid API key, IP address or permissions: check the key is active, futures trading is enabled and this IP is whitelisted.')], // REJECTED_MBX_KEY
  // Malformed requests: our bug, resending the same bytes will fail the same way.
  [-1102, giveUp(() => 'A required order parameter was missing or malformed.')], // MANDATORY_PARAM_EMPTY_OR_MALFORMED
  [-1116, giveUp(() => 'Binance does not accept this order type.')], // INVALID_ORDER_TYPE
  [-4015, giveUp(() => 'The client order id is invalid (at most 36 characters of letters, digits and . : / _ -).')], // INVALID_CL_ORD_ID_LEN
  [-4120, giveUp(() => 'Stop and take-profit orders must be placed through the Algo Order API since 2025-12-09.')], // STOP_ORDER_SWITCH_ALGO
  [-1125, giveUp(() => 'The user-data stream key (listenKey) has expired; a new one must be created.')], // INVALID_LISTEN_KEY
  // Filter rejections (§4.14): our cached rules are stale, reload exchangeInfo.
  [-1013, filter((s) => `The order failed one of Binance's trading rules${s}.`)], // INVALID_MESSAGE
  [-1111, filter((s) => `Price or quantity has more decimal places than Binance allows${s}.`)], // BAD_PRECISION
  [-1121, filter(() => 'Binance does not list the symbol in this order; it may have been delisted.')], // BAD_SYMBOL
  [-4002, filter((s) => `Price is above the maximum${s}.`)], // PRICE_GREATER_THAN_MAX_PRICE
  [-4003, filter(() => 'Quantity must be greater than zero.')], // QTY_LESS_THAN_ZERO
  [-4004, filter((s) => `Quantity is below the minimum${s}.`)], // QTY_LESS_THAN_MIN_QTY
  [-4005, filter((s) => `Quantity is above the maximum${s}.`)], // QTY_GREATER_THAN_MAX_QTY
  [-4013, filter((s) => `Price is below the minimum${s}.`)], // PRICE_LESS_THAN_MIN_PRICE
  [-4014, filter((s) => `Price is not a multiple of the tick size${s}.`)], // PRICE_NOT_INCREASED_BY_TICK_SIZE
  [-4016, filter((s) => `Price is too far above the mark price${s} (Binance's PERCENT_PRICE limit).`)], // PRICE_HIGHTER_THAN_MULTIPLIER_UP
  [-4023, filter((s) => `Quantity is not a multiple of the step size${s}.`)], // QTY_NOT_INCREASED_BY_STEP_SIZE
  [-4024, filter((s) => `Price is too far below the mark price${s} (Binance's PERCENT_PRICE limit).`)], // PRICE_LOWER_THAN_MULTIPLIER_DOWN
  [-4131, filter((s) => `The best opposite price${s} is outside Binance's allowed band from the mark price, so the market order was rejected.`)], // MARKET_ORDER_REJECT
  [-4164, filter((s) => `Order value is below the minimum notional${s} (reduce-only orders are exempt).`)], // MIN_NOTIONAL
  // Order rejections that resending cannot fix.
  [-2010, giveUp(() => 'Binance rejected the order.')], // NEW_ORDER_REJECTED
  // Cancel of an order that is no longer open: it may have filled, so its real state must be fetched.
  [-2011, { kind: 'EXCHANGE', policy: 'reconcile', text: () => 'The order is no longer open (filled, cancelled or expired), so it could not be cancelled; Strike is fetching its final state.' }],
  [-2013, giveUp(() => 'Binance has no such order.')], // NO_SUCH_ORDER
  [-2019, giveUp(() => 'Not enough available margin for this order.')], // MARGIN_NOT_SUFFICIEN
  [-2021, giveUp(() => 'The trigger price would trigger immediately; move it away from the current price.')], // ORDER_WOULD_IMMEDIATELY_TRIGGER
  [-2022, giveUp((s) => `Reduce-only order rejected${s}: it would not reduce the position.`)], // REDUCE_ONLY_REJECT
  [-2025, giveUp((s) => `Too many open orders${s}; cancel some first.`)], // MAX_OPEN_ORDER_EXCEEDED
  [-4028, giveUp((s) => `Leverage is not valid${s}.`, 'VALIDATION')],
  [-4046, giveUp((s) => `Margin type is already set to that value${s}.`)], // NO_NEED_TO_CHANGE_MARGIN_TYPE
  [-4047, giveUp((s) => `Margin type cannot change while there are open orders${s}.`)],
  [-4048, giveUp((s) => `Margin type cannot change while there is an open position${s}.`)],
  [-4059, giveUp(() => 'Position mode is already set to that value.')],
  [-4061, giveUp(() => "The order's position side does not match the account's position mode (Hedge vs One-way).")], // POSITION_SIDE_NOT_MATCH
  [-4067, giveUp(() => 'Position mode cannot change while there are open orders.')],
  [-4068, giveUp(() => 'Position mode cannot change while there is an open position.')],
  // A resend with the same client order id collides with the original: the first attempt did reach Binance.
  [-4116, { kind: 'EXCHANGE', policy: 'reconcile', text: () => 'An order with this client order id already exists; Strike is fetching it instead of placing a duplicate.' }],
  [-4142, giveUp(() => 'The take-profit or stop order would trigger immediately; move the trigger away from the current price.')],
  [-4400, giveUp(() => "Binance's trading rules have restricted this account to reduce-only orders for now.")],
  [-5021, giveUp(() => 'The fill-or-kill order could not be filled completely, so nothing was executed.')], // FOK_ORDER_REJECT
  [-5022, giveUp(() => 'The post-only order would have executed immediately as a taker, so Binance rejected it.')], // GTX_ORDER_REJECT
  [-5025, giveUp(() => 'Only limit orders can be modified.')],
  [-5026, giveUp(() => 'This order has been modified too many times.')],
  [-5027, giveUp(() => 'Nothing to modify: the new price and quantity equal the current ones.')],
  [-5037, giveUp(() => 'Price match is only allowed for limit orders.')],
  [-5038, giveUp(() => 'Price match cannot be combined with a price.')],
  [-5040, giveUp(() => 'The good-till date must be at least 10 minutes in the future.')],
  [-5043, giveUp(() => 'A modification of this order is still pending.')],
]);

/** The codes with a specific mapping, for tests and documentation. */
export const KNOWN_BINANCE_CODES: readonly number[] = [...ENTRIES.keys()];

// §5: the three 503 texts mean different things, so the message text decides.
const UNKNOWN_503 = /unknown error, please check your request or try again later/i;
const UNAVAILABLE_503 = /service unavailable/i;
const INTERNAL_503 = /internal error; unable to process your request/i;

function symbolPhrase(symbol: string | undefined): string {
  return symbol === undefined || symbol === '' ? ' for this symbol' : ` for ${symbol}`;
}

function withBinanceDetail(text: string, code: number | undefined, msg: string | undefined): string {
  if (code === undefined) return msg ? `${text} (Binance: ${msg})` : text;
  return msg ? `${text} (Binance ${code}: ${msg})` : `${text} (Binance ${code})`;
}

function make(kind: Kind, message: string, policy: RecoveryPolicy, exchangeCode: number | undefined): MappedError {
  return { error: exchangeCode === undefined ? { code: kind, message } : { code: kind, message, exchangeCode }, policy };
}

function waitPhrase(retryAfterSec: number | null | undefined, fallback: string): string {
  if (retryAfterSec === null || retryAfterSec === undefined || !(retryAfterSec > 0)) return fallback;
  return retryAfterSec >= 120 ? `about ${Math.ceil(retryAfterSec / 60)} min` : `${Math.ceil(retryAfterSec)} s`;
}

/** Maps a failed Binance response to an AppError and a recovery policy. Unknown codes keep Binance's text and code. */
export function mapBinanceError(input: BinanceErrorInput): MappedError {
  const { httpStatus, code, msg, retryAfterSec, symbol } = input;
  const bannedText = code === -1003 && msg !== undefined && /banned/i.test(msg);
  if (httpStatus === 418 || bannedText) {
    const text = `Binance has banned this IP address for too many requests; nothing will be sent for ${waitPhrase(retryAfterSec, 'at least 2 min')}.`;
    return make('BANNED', withBinanceDetail(text, code, msg), 'give-up', code);
  }
  if (httpStatus === 429 || code === -1003) {
    const text = `Too many requests to Binance; Strike is pausing for ${waitPhrase(retryAfterSec, 'the rest of the minute')} to avoid an IP ban.`;
    return make('RATE_LIMITED', withBinanceDetail(text, code, msg), 'backoff', code);
  }
  if (httpStatus === 503 && msg !== undefined) {
    if (UNKNOWN_503.test(msg)) return make('UNKNOWN_STATUS', withBinanceDetail(`Binance did not answer in time. ${MAYBE_EXECUTED}`, code, msg), 'reconcile', code);
    if (UNAVAILABLE_503.test(msg)) return make('EXCHANGE', withBinanceDetail('Binance is unavailable right now; the request was not executed.', code, msg), 'backoff', code);
    if (INTERNAL_503.test(msg)) return make('EXCHANGE', withBinanceDetail('Binance had an internal error; the request was not executed and can be sent again.', code, msg), 'retry', code);
  }
  const entry = code === undefined ? undefined : ENTRIES.get(code);
  if (entry !== undefined) return make(entry.kind, withBinanceDetail(entry.text(symbolPhrase(symbol)), code, msg), entry.policy, code);
  if (code !== undefined) {
    // Unknown code: Binance's own words are the best message we have (§5 "codes are universal, messages vary").
    return make('EXCHANGE', msg ?? `Binance error ${code}.`, httpStatus >= 500 ? 'reconcile' : 'give-up', code);
  }
  return mapHttpStatus(httpStatus, msg);
}

function mapHttpStatus(status: number, msg: string | undefined): MappedError {
  if (status === 408) return make('UNKNOWN_STATUS', withBinanceDetail(`Binance timed out waiting for its backend (HTTP 408). ${MAYBE_EXECUTED}`, undefined, msg), 'reconcile', undefined);
  if (status === 403) return make('EXCHANGE', withBinanceDetail("Binance's firewall blocked the request (HTTP 403).", undefined, msg), 'give-up', undefined);
  if (status === 401) return make('EXCHANGE', withBinanceDetail('Binance refused the API key (HTTP 401).', undefined, msg), 'give-up', undefined);
  if (status >= 500) {
    // A 5xx without a recognised text: the request may have reached the matching engine (§5).
    return make('UNKNOWN_STATUS', withBinanceDetail(`Binance answered with a server error (HTTP ${status}). ${MAYBE_EXECUTED}`, undefined, msg), 'reconcile', undefined);
  }
  return make('EXCHANGE', msg ?? `Binance refused the request (HTTP ${status}).`, 'give-up', undefined);
}

/** How a request failed without an HTTP answer. */
export type TransportFailure = 'timeout' | 'network' | 'aborted';

/**
 * A request that got no answer may still have reached Binance and executed (§5, the 503 "unknown" case), so every
 * transport failure is reconciled before any resend.
 */
export function mapTransportFailure(kind: TransportFailure): MappedError {
  switch (kind) {
    case 'timeout':
      return make('UNKNOWN_STATUS', `No answer from Binance in time. ${MAYBE_EXECUTED}`, 'reconcile', undefined);
    case 'network':
      return make('NETWORK', `The connection to Binance failed. ${MAYBE_EXECUTED}`, 'reconcile', undefined);
    case 'aborted':
      return make('UNKNOWN_STATUS', `The request was aborted after it was sent. ${MAYBE_EXECUTED}`, 'reconcile', undefined);
    default:
      return assertNever(kind);
  }
}

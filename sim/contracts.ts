/**
 * The seams between the parts of the local exchange: the engine (accounts, books, orders, positions, algo orders),
 * the REST layer (`sim/http`), and the WebSocket layer (`sim/ws`: market streams, user data streams, WebSocket API).
 * The engine emits `SimEvent`s; REST and the WebSocket API both dispatch through one `EndpointTable`, so an
 * `order.place` over WebSocket and a `POST /fapi/v1/order` run the same code.
 */

/** Binance's error body: `{"code": -1102, "msg": "..."}` with the HTTP status it travels with. */
export interface BinanceError {
  readonly httpStatus: number;
  readonly code: number;
  readonly msg: string;
}

/** Security types from Binance's "Endpoint Security Type" (fact sheet §2). */
export type Security = 'NONE' | 'USER_STREAM' | 'MARKET_DATA' | 'TRADE' | 'USER_DATA';

/** What a handler sees: the authenticated account (absent for NONE), the merged params, and the exchange clock. */
export interface HandlerContext {
  readonly accountId: string | null;
  /** Query-string and body params merged; the query-string value wins on a clash (fact sheet §2). */
  readonly params: Readonly<Record<string, string>>;
  readonly nowMs: number;
}

export type HandlerOutcome = { readonly ok: true; readonly body: unknown } | { readonly ok: false; readonly error: BinanceError };

export interface Endpoint {
  readonly security: Security;
  /** Request weight (X-MBX-USED-WEIGHT-1M); may depend on params (e.g. with or without `symbol`). */
  readonly weight: (params: Readonly<Record<string, string>>) => number;
  /** Whether the call counts toward the ORDERS 10s/1m limits (order placement endpoints). */
  readonly countsOrders: boolean;
  readonly handle: (ctx: HandlerContext) => HandlerOutcome;
}

/** Keys are `"<METHOD> <path>"`, e.g. `"POST /fapi/v1/order"`. */
export type EndpointTable = Readonly<Record<string, Endpoint>>;

/** Raw payloads exactly as Binance pushes them (field names from the fact sheet §7 and §8). */
export type SimEvent =
  | { readonly kind: 'user'; readonly accountId: string; readonly payload: Readonly<Record<string, unknown>> }
  | {
      readonly kind: 'market';
      /** Binance stream name, lower-case symbol: `btcusdt@markPrice`, `btcusdt@bookTicker`, `btcusdt@aggTrade`. */
      readonly stream: string;
      readonly payload: Readonly<Record<string, unknown>>;
    };

export type SimEventListener = (event: SimEvent) => void;

/** Authentication for signed calls, shared by REST and the WebSocket API. */
export interface Authenticator {
  /** The account owning this API key, or null when the key is unknown. */
  accountForKey(apiKey: string): string | null;
  /** Verifies `signature` over `payload` with the key's HMAC secret or Ed25519 public key. */
  verify(apiKey: string, payload: string, signature: string): boolean;
  /** Whether the key is Ed25519 (only those may `session.logon` on the WebSocket API). */
  isEd25519(apiKey: string): boolean;
}

/** Fault switches the WebSocket layer must honour (set through the control API). */
export interface WsFaults {
  /** Close matching connections abruptly (socket destroyed, no close frame). */
  dropConnections(filter: (path: string) => boolean): void;
  /** While true for a path, the server sends nothing on it (no data, no pings). */
  isSilenced(path: string, nowMs: number): boolean;
}

/** What the WebSocket layer needs from the rest of the exchange. */
export interface WsDeps {
  readonly endpoints: EndpointTable;
  readonly auth: Authenticator;
  /** The exchange clock (may be skewed or advanced by the control API). */
  now(): number;
  subscribe(listener: SimEventListener): () => void;
  /** The account a live listenKey belongs to, or null if unknown or expired. */
  accountForListenKey(listenKey: string, nowMs: number): string | null;
  /** Symbols the exchange lists (for validating stream names). */
  symbols(): readonly string[];
  /**
   * Applies request weight and order counts for a WebSocket API call (the WS API shares REST's limits, fact sheet
   * §6); `error` is set when over a limit, `rateLimits` is what the response reports.
   */
  charge(
    clientKey: string,
    weight: number,
    countsOrders: boolean,
    nowMs: number,
  ): { readonly error: BinanceError | null; readonly rateLimits: readonly RateLimitReport[] };
}

/** One entry of a WebSocket API response's `rateLimits` (fact sheet §9). */
export interface RateLimitReport {
  readonly rateLimitType: 'REQUEST_WEIGHT' | 'ORDERS';
  readonly interval: 'SECOND' | 'MINUTE';
  readonly intervalNum: number;
  readonly limit: number;
  readonly count: number;
}

/**
 * The WebSocket API (`/ws-fapi/v1`, fact sheet §9): one JSON request per text frame, one response per request.
 * Methods dispatch through the shared REST endpoint table, so `order.place` runs the same code as
 * `POST /fapi/v1/order`. This module holds one connection's session state and turns a request frame into a
 * response frame; the socket plumbing lives in `index.ts`.
 */
import type { BinanceError, Endpoint, RateLimitReport, Security, WsDeps } from '../contracts.ts';
import { assertNever } from '../../src/shared/result.ts';

/**
 * WS API method → REST endpoint keys, most preferred first (fact sheet §9 method list). The `v2/` account methods
 * return the REST v3 shapes (only held positions), the unversioned ones the v2 shapes; each falls back to the other
 * version when the table lacks it.
 */
const METHOD_ENDPOINTS: Readonly<Record<string, readonly string[]>> = {
  'order.place': ['POST /fapi/v1/order'],
  'order.cancel': ['DELETE /fapi/v1/order'],
  'order.status': ['GET /fapi/v1/order'],
  'order.modify': ['PUT /fapi/v1/order'],
  'algoOrder.place': ['POST /fapi/v1/algoOrder'],
  'algoOrder.cancel': ['DELETE /fapi/v1/algoOrder'],
  'account.status': ['GET /fapi/v2/account', 'GET /fapi/v3/account'],
  'v2/account.status': ['GET /fapi/v3/account', 'GET /fapi/v2/account'],
  'account.balance': ['GET /fapi/v2/balance', 'GET /fapi/v3/balance'],
  'v2/account.balance': ['GET /fapi/v3/balance', 'GET /fapi/v2/balance'],
  'account.position': ['GET /fapi/v2/positionRisk', 'GET /fapi/v3/positionRisk'],
  'v2/account.position': ['GET /fapi/v3/positionRisk', 'GET /fapi/v2/positionRisk'],
  'ticker.price': ['GET /fapi/v2/ticker/price', 'GET /fapi/v1/ticker/price'],
  'ticker.book': ['GET /fapi/v1/ticker/bookTicker'],
  depth: ['GET /fapi/v1/depth'],
  'userDataStream.start': ['POST /fapi/v1/listenKey'],
  'userDataStream.ping': ['PUT /fapi/v1/listenKey'],
  'userDataStream.stop': ['DELETE /fapi/v1/listenKey'],
};

type SessionMethod = 'session.logon' | 'session.status' | 'session.logout';
const SESSION_METHODS: readonly string[] = ['session.logon', 'session.status', 'session.logout'];
/** `session.*` weight (fact sheet §9). */
const SESSION_WEIGHT = 2;
/** Default and maximum `recvWindow` (fact sheet §2: default 5000; WS endpoints "cannot be greater than 60000"). */
const DEFAULT_RECV_WINDOW = 5000;
const MAX_RECV_WINDOW = 60000;
/** A request `id`: integer, short string, or null (Binance's own -1135 message states the rule). */
const ID_PATTERN = /^[a-zA-Z0-9_-]{1,36}$/;

type RequestId = number | string | null;

/** Per-connection facts the WS API reports and needs. */
export interface WsApiConnectionInfo {
  /** Key the request-weight limiter counts under (the client IP: limits are per IP, fact sheet §6). */
  readonly clientKey: string;
  /** Exchange time of the handshake (`connectedSince` in session results). */
  readonly connectedSince: number;
  /** False when the URL had `returnRateLimits=false` (fact sheet §9). */
  readonly returnRateLimits: boolean;
}

const err = (httpStatus: number, code: number, msg: string): BinanceError => ({ httpStatus, code, msg });
const mandatory = (name: string): BinanceError =>
  err(400, -1102, `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`);
/** 401 with -2015 on an unknown or revoked key (fact sheet §5: "WS API statuses mirror HTTP"). */
const REJECTED_KEY = err(401, -2015, 'Invalid API-key, IP, or permissions for action.');
const BAD_SIGNATURE = err(400, -1022, 'Signature for this request is not valid.');

type Parsed =
  | { readonly ok: true; readonly id: RequestId; readonly method: string; readonly params: Readonly<Record<string, unknown>> }
  | { readonly ok: false; readonly id: RequestId; readonly error: BinanceError };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Envelope checks. Malformed envelopes answer status 400 with -1135 and `id: null`, as Binance's WS API does
 * (e.g. "Invalid 'id' in JSON request; expected an integer, a string matching '^[a-zA-Z0-9-_]{1,36}$', or null.",
 * "Invalid 'params' in JSON request; expected an object.").
 */
function parseRequest(text: string): Parsed {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { ok: false, id: null, error: err(400, -1135, 'Invalid JSON request; malformed JSON.') };
  }
  if (!isRecord(body)) return { ok: false, id: null, error: err(400, -1135, 'Invalid JSON request; expected an object.') };
  const rawId = body['id'] ?? null;
  const idOk =
    rawId === null ||
    (typeof rawId === 'number' && Number.isSafeInteger(rawId)) ||
    (typeof rawId === 'string' && ID_PATTERN.test(rawId));
  if (!idOk) {
    return {
      ok: false,
      id: null,
      error: err(400, -1135, "Invalid 'id' in JSON request; expected an integer, a string matching '^[a-zA-Z0-9-_]{1,36}$', or null."),
    };
  }
  const id = rawId as RequestId;
  const method = body['method'];
  if (typeof method !== 'string' || method.length === 0) return { ok: false, id, error: mandatory('method') };
  const params = body['params'] ?? {};
  if (!isRecord(params)) return { ok: false, id, error: err(400, -1135, "Invalid 'params' in JSON request; expected an object.") };
  return { ok: true, id, method, params };
}

/**
 * JSON params → the string params REST handlers take. INT params arrive as JSON numbers and DECIMAL params as
 * strings (fact sheet §9); strings are kept exactly as sent, numbers and booleans take their JSON text.
 */
function stringParams(params: Readonly<Record<string, unknown>>): { ok: true; value: Record<string, string> } | { ok: false; error: BinanceError } {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) {
    if (typeof v === 'string') out[k] = v;
    else if (typeof v === 'number' && Number.isFinite(v)) out[k] = String(v);
    else if (typeof v === 'boolean') out[k] = v ? 'true' : 'false';
    else return { ok: false, error: mandatory(k) };
  }
  return { ok: true, value: out };
}

/** Signature payload: every param except `signature`, sorted by name, joined `k=v&…` (fact sheet §9). */
export function signaturePayload(params: Readonly<Record<string, string>>): string {
  return Object.keys(params)
    .filter((k) => k !== 'signature')
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((k) => `${k}=${params[k] ?? ''}`)
    .join('&');
}

/**
 * Timing security, same rule as REST (fact sheet §2): accept iff
 * `timestamp < serverTime + 1000 && serverTime - timestamp <= recvWindow`, else -1021.
 */
function checkTimestamp(params: Readonly<Record<string, string>>, nowMs: number): BinanceError | null {
  const tsText = params['timestamp'];
  if (tsText === undefined || !/^\d+$/.test(tsText)) return mandatory('timestamp');
  const rwText = params['recvWindow'];
  let recvWindow = DEFAULT_RECV_WINDOW;
  if (rwText !== undefined) {
    recvWindow = Number(rwText);
    if (!Number.isFinite(recvWindow) || recvWindow < 0 || recvWindow > MAX_RECV_WINDOW) return mandatory('recvWindow');
  }
  const timestamp = Number(tsText);
  if (timestamp >= nowMs + 1000) return err(400, -1021, "Timestamp for this request was 1000ms ahead of the server's time.");
  if (nowMs - timestamp > recvWindow) return err(400, -1021, 'Timestamp for this request is outside of the recvWindow.');
  return null;
}

/** One WebSocket API connection: its optional `session.logon` state and the request → response mapping. */
export class WsApiConnection {
  private sessionKey: string | null = null;
  private authorizedSince: number | null = null;

  constructor(
    private readonly deps: WsDeps,
    private readonly info: WsApiConnectionInfo,
  ) {}

  /** Handles one text frame and returns the response frame (always exactly one). */
  handle(text: string): string {
    const parsed = parseRequest(text);
    if (!parsed.ok) return this.reply(parsed.id, { error: parsed.error, rateLimits: null });
    const converted = stringParams(parsed.params);
    if (!converted.ok) return this.reply(parsed.id, { error: converted.error, rateLimits: null });
    const params = converted.value;
    const nowMs = this.deps.now();
    if (SESSION_METHODS.includes(parsed.method)) {
      return this.reply(parsed.id, this.session(parsed.method as SessionMethod, params, nowMs));
    }
    const endpoint = this.endpointFor(parsed.method);
    if (endpoint === null) {
      // Binance documents no code for an unknown WS API method; -1102 on `method` keeps clients' 400 handling.
      return this.reply(parsed.id, { error: err(400, -1102, `Unknown method '${parsed.method}'.`), rateLimits: null });
    }
    const handlerParams: Record<string, string> = { ...params };
    delete handlerParams['apiKey'];
    delete handlerParams['signature'];
    const charged = this.deps.charge(this.info.clientKey, endpoint.weight(handlerParams), endpoint.countsOrders, nowMs);
    if (charged.error !== null) return this.reply(parsed.id, { error: charged.error, rateLimits: charged.rateLimits });
    const auth = this.authenticate(endpoint.security, params, nowMs);
    if (!auth.ok) return this.reply(parsed.id, { error: auth.error, rateLimits: charged.rateLimits });
    let outcome: ReturnType<Endpoint['handle']>;
    try {
      outcome = endpoint.handle({ accountId: auth.accountId, params: handlerParams, nowMs });
    } catch {
      // A handler bug must not take the socket (or the process) down; Binance answers such failures with -1000.
      outcome = { ok: false, error: err(500, -1000, 'An unknown error occurred while processing the request.') };
    }
    return outcome.ok
      ? this.reply(parsed.id, { result: outcome.body, rateLimits: charged.rateLimits })
      : this.reply(parsed.id, { error: outcome.error, rateLimits: charged.rateLimits });
  }

  private endpointFor(method: string): Endpoint | null {
    for (const key of METHOD_ENDPOINTS[method] ?? []) {
      const endpoint = this.deps.endpoints[key];
      if (endpoint !== undefined) return endpoint;
    }
    return null;
  }

  /**
   * Security by endpoint type (fact sheet §2, §9). Signed calls verify the sorted-param signature with the key's
   * HMAC secret or Ed25519 public key; after `session.logon` apiKey and signature may be omitted, but the timestamp
   * is still required and checked.
   */
  private authenticate(
    security: Security,
    params: Readonly<Record<string, string>>,
    nowMs: number,
  ): { ok: true; accountId: string | null } | { ok: false; error: BinanceError } {
    switch (security) {
      case 'NONE':
        return { ok: true, accountId: null };
      case 'USER_STREAM':
      case 'MARKET_DATA': {
        const apiKey = params['apiKey'] ?? this.sessionKey;
        if (apiKey === null || apiKey === '') return { ok: false, error: mandatory('apiKey') };
        const accountId = this.deps.auth.accountForKey(apiKey);
        return accountId === null ? { ok: false, error: REJECTED_KEY } : { ok: true, accountId };
      }
      case 'TRADE':
      case 'USER_DATA': {
        const apiKey = params['apiKey'];
        if (params['signature'] === undefined && this.sessionKey !== null && (apiKey === undefined || apiKey === this.sessionKey)) {
          const accountId = this.deps.auth.accountForKey(this.sessionKey);
          if (accountId === null) return { ok: false, error: REJECTED_KEY };
          const late = checkTimestamp(params, nowMs);
          return late === null ? { ok: true, accountId } : { ok: false, error: late };
        }
        return this.verifySigned(params, nowMs);
      }
      default:
        return assertNever(security);
    }
  }

  private verifySigned(
    params: Readonly<Record<string, string>>,
    nowMs: number,
  ): { ok: true; accountId: string; apiKey: string } | { ok: false; error: BinanceError } {
    const apiKey = params['apiKey'];
    if (apiKey === undefined || apiKey === '') return { ok: false, error: mandatory('apiKey') };
    const accountId = this.deps.auth.accountForKey(apiKey);
    if (accountId === null) return { ok: false, error: REJECTED_KEY };
    const signature = params['signature'];
    if (signature === undefined || signature === '') return { ok: false, error: mandatory('signature') };
    const late = checkTimestamp(params, nowMs);
    if (late !== null) return { ok: false, error: late };
    if (!this.deps.auth.verify(apiKey, signaturePayload(params), signature)) return { ok: false, error: BAD_SIGNATURE };
    return { ok: true, accountId, apiKey };
  }

  /**
   * `session.logon|status|logout` (fact sheet §9). Only Ed25519 keys can log on: the logon signature is checked as
   * Ed25519, so an HMAC key's request fails with -1022 like any bad signature (ISS sieblyio/binance#626, #638).
   */
  private session(method: SessionMethod, params: Readonly<Record<string, string>>, nowMs: number): Outcome {
    const charged = this.deps.charge(this.info.clientKey, SESSION_WEIGHT, false, nowMs);
    if (charged.error !== null) return { error: charged.error, rateLimits: charged.rateLimits };
    switch (method) {
      case 'session.logon': {
        const signed = this.verifySignedForLogon(params, nowMs);
        if (!signed.ok) return { error: signed.error, rateLimits: charged.rateLimits };
        this.sessionKey = signed.apiKey;
        this.authorizedSince = nowMs;
        break;
      }
      case 'session.logout':
        this.sessionKey = null;
        this.authorizedSince = null;
        break;
      case 'session.status':
        break;
      default:
        return assertNever(method);
    }
    return {
      result: {
        apiKey: this.sessionKey,
        authorizedSince: this.authorizedSince,
        connectedSince: this.info.connectedSince,
        returnRateLimits: this.info.returnRateLimits,
        serverTime: nowMs,
      },
      rateLimits: charged.rateLimits,
    };
  }

  private verifySignedForLogon(
    params: Readonly<Record<string, string>>,
    nowMs: number,
  ): { ok: true; apiKey: string } | { ok: false; error: BinanceError } {
    const apiKey = params['apiKey'];
    if (apiKey !== undefined && this.deps.auth.accountForKey(apiKey) !== null && !this.deps.auth.isEd25519(apiKey)) {
      if (params['signature'] === undefined) return { ok: false, error: mandatory('signature') };
      const late = checkTimestamp(params, nowMs);
      return late === null ? { ok: false, error: BAD_SIGNATURE } : { ok: false, error: late };
    }
    const signed = this.verifySigned(params, nowMs);
    return signed.ok ? { ok: true, apiKey: signed.apiKey } : signed;
  }

  private reply(id: RequestId, outcome: Outcome): string {
    const status = 'error' in outcome ? outcome.error.httpStatus : 200;
    const body: Record<string, unknown> = { id, status };
    if ('error' in outcome) body['error'] = { code: outcome.error.code, msg: outcome.error.msg };
    else body['result'] = outcome.result;
    if (this.info.returnRateLimits && outcome.rateLimits !== null) body['rateLimits'] = outcome.rateLimits;
    return JSON.stringify(body);
  }
}

type Outcome =
  | { readonly result: unknown; readonly rateLimits: readonly RateLimitReport[] | null }
  | { readonly error: BinanceError; readonly rateLimits: readonly RateLimitReport[] | null };

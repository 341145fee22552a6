/**
 * One physical REST request: rate-limit admission, signing with the server-clock timestamp, a timeout through
 * AbortController, header bookkeeping for the limiter, and the mapping of every failure to a `Failure` plus an
 * AppError the trader can read. No retries here: what may be retried is decided by the caller (journal rules for
 * orders, `rest.ts` for reads).
 */
import { mapBinanceError, mapTransportFailure } from '../../core/binance-errors.ts';
import type { Failure } from '../../core/journal.ts';
import { weightOf, type RateLimiter, type RequestPriority } from '../../core/rate-limiter.ts';
import { encodeParams, signParams, type Signer } from '../../core/signer.ts';
import type { AppError } from '../../shared/result.ts';
import type { FetchLike, Logger, Scheduler } from './ports.ts';
import { BinanceErrorBodySchema } from './schemas.ts';

/** A request's result: the parsed JSON body, or why it failed. */
export type CallOutcome =
  | { readonly ok: true; readonly status: number; readonly body: unknown }
  | { readonly ok: false; readonly failure: Failure; readonly error: AppError };

/** `SIGNED` = TRADE/USER_DATA (key + timestamp + signature), `KEY` = USER_STREAM/MARKET_DATA (§2). */
export type Security = 'NONE' | 'KEY' | 'SIGNED';

/** What a signed send reports to its caller just before the bytes leave (the journal write happens here). */
export interface SignedInfo {
  readonly timestampMs: number;
  readonly signedAtMs: number;
}

export interface SendOptions {
  readonly security: Security;
  /** Which share of the rate limits the request may use (rate-limiter.ts). */
  readonly priority: RequestPriority;
  readonly timeoutMs?: number;
  /** Called once the request's timestamp is set, run while it is signed, and awaited before it leaves; a rejection aborts the send. */
  readonly beforeSend?: (info: SignedInfo) => Promise<void>;
  /** Called as the request is handed to `fetch` (latency breakdowns). */
  readonly sent?: () => void;
  /** For messages ("for BTCUSDT"). */
  readonly symbol?: string;
}

export interface HttpDeps {
  readonly fetch: FetchLike;
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly signer: Signer | null;
  readonly limiter: RateLimiter;
  /** Exchange clock estimate (ClockKeeper.serverNow). */
  serverNow(): number;
  now(): number;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
}

export interface HttpConfig {
  readonly timeoutMs: number;
  /** recvWindow sent with signed requests (§2: default 5000). */
  readonly recvWindowMs: number;
  /** Longest the limiter may hold a request before it is refused instead (a trader will not wait minutes). */
  readonly maxQueueWaitMs: number;
}

export const DEFAULT_HTTP_CONFIG: HttpConfig = { timeoutMs: 5_000, recvWindowMs: 5_000, maxQueueWaitMs: 3_000 };

/** Refusal without sending: the limiter holds requests (429 pause or a 418 ban). */
export function refused(kind: 'banned' | 'wait', reason: string, untilMs: number): CallOutcome {
  return {
    ok: false,
    failure: { kind: 'refused', reason, untilMs },
    error: { code: kind === 'banned' ? 'BANNED' : 'RATE_LIMITED', message: reason },
  };
}

/**
 * Longest a protective request waits for the limiter: a whole minute window. A stop or a close that goes when the
 * window opens beats one refused: refused, the engine's three attempts met the same hold within milliseconds and
 * gave the stop up (a soak position went 5.7 s without one, until a worker restart re-read it).
 */
export const PROTECTIVE_MAX_QUEUE_WAIT_MS = 60_000;

/**
 * Waits until the limiter admits `cost`, or answers the refusal: a ban, or a wait longer than `maxWaitMs` (routine)
 * or {@link PROTECTIVE_MAX_QUEUE_WAIT_MS} (protective and critical).
 */
export async function admit(
  limiter: RateLimiter,
  cost: { weight: number; orders: number; orders1m?: number },
  priority: RequestPriority,
  deps: { serverNow(): number; scheduler: Scheduler },
  maxWaitMs: number,
): Promise<CallOutcome | null> {
  for (;;) {
    const nowMs = deps.serverNow();
    const adm = limiter.admit(cost, nowMs, priority);
    if (adm.kind === 'go') return null;
    if (adm.kind === 'banned') return refused('banned', adm.reason, adm.untilMs);
    const waitMs = adm.untilMs - nowMs;
    if (waitMs > (priority !== 'routine' ? Math.max(maxWaitMs, PROTECTIVE_MAX_QUEUE_WAIT_MS) : maxWaitMs)) return refused('wait', adm.reason, adm.untilMs);
    await new Promise<void>((resolve) => deps.scheduler.after(waitMs + 1, resolve));
  }
}

function parseRetryAfter(v: string | undefined): number | null {
  if (v === undefined) return null;
  const n = Number(v.trim());
  return Number.isFinite(n) && n >= 0 ? n : null;
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Sends REST requests to one base URL. */
export class HttpTransport {
  constructor(
    private readonly deps: HttpDeps,
    private readonly config: HttpConfig = DEFAULT_HTTP_CONFIG,
  ) {}

  get recvWindowMs(): number {
    return this.config.recvWindowMs;
  }

  /** One request; params go in the query string in insertion order, signature last (§2, connector-js style). */
  async send(method: string, path: string, params: Readonly<Record<string, string>>, opts: SendOptions): Promise<CallOutcome> {
    const { deps } = this;
    const cost = weightOf(method, path, params);
    const held = await admit(deps.limiter, cost, opts.priority, deps, this.config.maxQueueWaitMs);
    if (held !== null) return held;

    const pairs: Array<readonly [string, string]> = Object.entries(params);
    let query: string;
    if (opts.security === 'SIGNED') {
      if (deps.signer === null) return { ok: false, failure: { kind: 'refused', reason: 'no key', untilMs: 0 }, error: { code: 'NOT_CONFIGURED', message: 'No API key is configured.' } };
      const timestampMs = deps.serverNow();
      pairs.push(['recvWindow', String(this.config.recvWindowMs)], ['timestamp', String(timestampMs)]);
      // The journal's write and the signature proceed together: neither needs the other, and each is a wait.
      const [signed] = await Promise.all([signParams(pairs, deps.signer), opts.beforeSend?.({ timestampMs, signedAtMs: deps.now() })]);
      query = signed;
    } else {
      query = encodeParams(pairs);
      await opts.beforeSend?.({ timestampMs: deps.serverNow(), signedAtMs: deps.now() });
    }
    const url = `${deps.baseUrl}${path}${query === '' ? '' : `?${query}`}`;
    const headers: Record<string, string> = {};
    if (opts.security !== 'NONE') headers['X-MBX-APIKEY'] = deps.apiKey;

    const controller = new AbortController();
    let timedOut = false;
    let cancelTimer = (): void => undefined;
    let status: number;
    let text: string;
    const got: Record<string, string> = {};
    try {
      const answer = deps.fetch(url, { method, headers, signal: controller.signal });
      opts.sent?.();
      // Armed once the request has left: a timer costs the worker's thread more than handing it to fetch.
      cancelTimer = deps.scheduler.after(opts.timeoutMs ?? this.config.timeoutMs, () => {
        timedOut = true;
        controller.abort();
      });
      const res = await answer;
      res.headers.forEach((value, name) => {
        got[name.toLowerCase()] = value;
      });
      status = res.status;
      text = await res.text();
    } catch (e) {
      const kind = timedOut ? 'timeout' : 'network';
      deps.logger.warn(`${method} ${path} failed: ${kind}`, { message: e instanceof Error ? e.message : String(e) });
      const mapped = mapTransportFailure(kind);
      return { ok: false, failure: kind === 'timeout' ? { kind } : { kind, message: String(e) }, error: mapped.error };
    } finally {
      cancelTimer();
    }

    const nowMs = deps.serverNow();
    deps.limiter.observeHeaders(got, nowMs);
    const retryAfterSec = parseRetryAfter(got['retry-after']);
    const body = tryJson(text);
    const errBody = BinanceErrorBodySchema.safeParse(body);
    // Some success bodies carry `code: 200` (§5); only a negative code is an error, even on HTTP 200.
    const isError = status < 200 || status >= 300 || (errBody.success && errBody.data.code < 0);
    if (!isError) {
      if (body === undefined) {
        // A 2xx whose body we cannot read: the request was processed, but how is unknown.
        return { ok: false, failure: { kind: 'network', message: 'unreadable response body' }, error: mapTransportFailure('network').error };
      }
      return { ok: true, status, body };
    }
    const code = errBody.success ? errBody.data.code : undefined;
    deps.limiter.observeResponse(status, retryAfterSec, nowMs, { ...(code === undefined ? {} : { code }), weight: cost.weight });
    const msg = errBody.success ? errBody.data.msg : text.trim().slice(0, 200) || undefined;
    const mapped = mapBinanceError({
      httpStatus: status,
      ...(code === undefined ? {} : { code }),
      ...(msg === undefined ? {} : { msg }),
      retryAfterSec,
      ...(opts.symbol === undefined ? {} : { symbol: opts.symbol }),
    });
    deps.logger.debug(`${method} ${path} → ${status}`, { code, msg });
    return { ok: false, failure: { kind: 'http', status, code, msg, retryAfterSec }, error: mapped.error };
  }
}

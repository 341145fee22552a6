/**
 * The persistent WebSocket API connection (`/ws-fapi/v1`, fact sheet §9): request/response by id with timeouts,
 * the same signer, limiter and error mapping as REST. HMAC keys sign every request (params sorted by name,
 * `wsApiPayload`); Ed25519 keys `session.logon` once per connection, after which requests carry only `timestamp`.
 * Kept alive by traffic — a cheap `session.status` periodically — because browsers cannot send ping frames and a
 * service worker only stays alive while WebSocket messages flow (platform notes).
 */
import { mapBinanceError, mapTransportFailure } from '../../core/binance-errors.ts';
import { weightOf, type RateLimiter, type RequestPriority } from '../../core/rate-limiter.ts';
import { wsApiPayload, type Signer } from '../../core/signer.ts';
import { z } from '../../shared/zod.ts';
import { admit, type CallOutcome, type SignedInfo } from './http.ts';
import { ManagedSocket, type ManagedSocketDeps } from './socket.ts';

const ResponseSchema = z.object({
  id: z.union([z.string(), z.number(), z.null()]),
  status: z.int(),
  result: z.optional(z.unknown()),
  error: z.optional(z.object({ code: z.int(), msg: z.string() })),
  rateLimits: z.optional(z.array(z.object({ rateLimitType: z.string(), interval: z.string(), intervalNum: z.int(), count: z.int() }))),
});

/** WS API method → the REST endpoint whose weight and order count it shares (§6, §9). */
const METHOD_COST_KEY: Readonly<Record<string, readonly [string, string]>> = {
  'order.place': ['POST', '/fapi/v1/order'],
  'order.cancel': ['DELETE', '/fapi/v1/order'],
  'order.status': ['GET', '/fapi/v1/order'],
  'algoOrder.place': ['POST', '/fapi/v1/algoOrder'],
  'algoOrder.cancel': ['DELETE', '/fapi/v1/algoOrder'],
};
/** `session.*` weight 2 (§9). */
const SESSION_COST = { weight: 2, orders: 0 };

export interface WsApiDeps extends ManagedSocketDeps {
  readonly url: string;
  readonly apiKey: string;
  readonly signer: Signer;
  readonly limiter: RateLimiter;
  serverNow(): number;
}

export interface WsApiConfig {
  readonly requestTimeoutMs: number;
  /** Below the service worker's 30 s idle limit (platform notes). */
  readonly keepAliveMs: number;
  readonly recvWindowMs: number;
  readonly maxQueueWaitMs: number;
}

export const DEFAULT_WS_API_CONFIG: WsApiConfig = { requestTimeoutMs: 5_000, keepAliveMs: 20_000, recvWindowMs: 5_000, maxQueueWaitMs: 3_000 };

interface SentRequest {
  readonly symbol: string | undefined;
  readonly weight: number;
}

interface Pending {
  resolve(outcome: CallOutcome): void;
  cancelTimer(): void;
}

/** The `rateLimits` of a response as the limiter's header names (§6, §9). */
function rateLimitHeaders(limits: ReadonlyArray<{ rateLimitType: string; interval: string; intervalNum: number; count: number }>): Record<string, string> {
  const h: Record<string, string> = {};
  for (const l of limits) {
    const unit = l.interval === 'MINUTE' ? 'm' : l.interval === 'SECOND' ? 's' : null;
    if (unit === null) continue;
    if (l.rateLimitType === 'REQUEST_WEIGHT') h[`x-mbx-used-weight-${l.intervalNum}${unit}`] = String(l.count);
    if (l.rateLimitType === 'ORDERS') h[`x-mbx-order-count-${l.intervalNum}${unit}`] = String(l.count);
  }
  return h;
}

export class WsApi {
  readonly #socket: ManagedSocket;
  readonly #pending = new Map<string, Pending>();
  #nextId = 1;
  #loggedOn = false;
  #cancelKeepAlive: (() => void) | null = null;
  #keepAlivesAnswered = 0;
  readonly #upListeners = new Set<(up: boolean) => void>();

  constructor(
    private readonly deps: WsApiDeps,
    private readonly config: WsApiConfig = DEFAULT_WS_API_CONFIG,
  ) {
    this.#socket = new ManagedSocket(deps, {
      name: 'ws-api',
      url: () => Promise.resolve(deps.url),
      silenceMs: config.keepAliveMs * 2 + config.requestTimeoutMs,
      onOpen: () => void this.#onOpen(),
      onMessage: (text) => this.#onMessage(text),
      onDown: () => this.#onDown(),
    });
  }

  /** Orders may go over this connection: open, and logged on when the key is Ed25519. */
  get isUp(): boolean {
    return this.#socket.isOpen && (this.deps.signer.kind === 'hmac' || this.#loggedOn);
  }

  /** Keep-alive requests answered so far (diagnostics, tests). */
  get keepAlivesAnswered(): number {
    return this.#keepAlivesAnswered;
  }

  /** Called with true when the connection becomes usable and false when it goes down. */
  onStateChange(listener: (up: boolean) => void): () => void {
    this.#upListeners.add(listener);
    return () => this.#upListeners.delete(listener);
  }

  start(): void {
    this.#socket.start();
  }

  stop(): void {
    this.#socket.stop();
    this.#onDown();
  }

  /** Drops the connection (it reconnects with backoff); pending requests fail as "outcome unknown". */
  reconnect(reason: string): void {
    this.#socket.reconnect(reason);
  }

  /**
   * One request. Signed requests get `timestamp` and `recvWindow` (and `apiKey` + `signature` unless an Ed25519
   * session is logged on); `beforeSend` runs while the request is signed and is awaited before the frame leaves.
   */
  async request(
    method: string,
    params: Readonly<Record<string, string>>,
    opts: { signed: boolean; priority: RequestPriority; beforeSend?: (info: SignedInfo) => Promise<void>; sent?: () => void; timeoutMs?: number; symbol?: string },
  ): Promise<CallOutcome> {
    const costKey = METHOD_COST_KEY[method];
    const cost = costKey === undefined ? SESSION_COST : weightOf(costKey[0], costKey[1], params);
    const held = await admit(this.deps.limiter, cost, opts.priority, this.deps, this.config.maxQueueWaitMs);
    if (held !== null) return held;
    const full: Record<string, string | number> = { ...params };
    if (opts.signed) {
      const timestampMs = this.deps.serverNow();
      full.recvWindow = this.config.recvWindowMs;
      full.timestamp = timestampMs;
      if (!this.#loggedOn) full.apiKey = this.deps.apiKey;
      // The journal's write and the signature proceed together: neither needs the other, and each is a wait.
      const [signature] = await Promise.all([
        this.#loggedOn ? null : this.deps.signer.sign(wsApiPayload(full)),
        opts.beforeSend?.({ timestampMs, signedAtMs: this.deps.now() }),
      ]);
      if (signature !== null) full.signature = signature;
    }
    return this.#exchange(method, full, opts.timeoutMs ?? this.config.requestTimeoutMs, { symbol: opts.symbol, weight: cost.weight }, opts.sent);
  }

  #exchange(method: string, params: Record<string, string | number>, timeoutMs: number, sent: SentRequest, onSent?: () => void): Promise<CallOutcome> {
    const id = `r${this.#nextId++}`;
    return new Promise<CallOutcome>((resolve) => {
      let cancelTimer = (): void => undefined;
      this.#pending.set(id, {
        resolve: (o) => {
          cancelTimer();
          resolve(o);
        },
        cancelTimer: () => cancelTimer(),
      });
      this.#sentFor.set(id, sent);
      if (!this.#socket.send(JSON.stringify({ id, method, params }))) {
        this.#pending.delete(id);
        this.#sentFor.delete(id);
        // Never left: the socket was not open.
        resolve({ ok: false, failure: { kind: 'refused', reason: 'WebSocket API not connected', untilMs: 0 }, error: { code: 'NETWORK', message: 'The WebSocket API connection is down.' } });
        return;
      }
      onSent?.();
      // Armed once the frame has left: a timer costs the worker's thread more than the send itself (CPU profile of
      // the bench's fills). A socket that closed during the send has settled the request already.
      if (!this.#pending.has(id)) return;
      cancelTimer = this.deps.scheduler.after(timeoutMs, () => {
        this.#pending.delete(id);
        this.#sentFor.delete(id);
        resolve({ ok: false, failure: { kind: 'timeout' }, error: mapTransportFailure('timeout').error });
      });
    });
  }

  /** What each request in flight was for: its symbol (for the error text) and weight (for a 429's scope). */
  readonly #sentFor = new Map<string, SentRequest>();

  #onMessage(text: string): void {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      this.deps.logger.warn('ws-api: non-JSON frame');
      return;
    }
    const parsed = ResponseSchema.safeParse(json);
    if (!parsed.success) {
      this.deps.logger.warn('ws-api: unexpected frame', { issue: parsed.error.issues[0]?.message });
      return;
    }
    const res = parsed.data;
    const nowMs = this.deps.serverNow();
    if (res.rateLimits !== undefined) this.deps.limiter.observeHeaders(rateLimitHeaders(res.rateLimits), nowMs);
    if (res.id === null || typeof res.id === 'number') {
      // id null: a connection-level error such as a revoked key (-2015, §9). Nothing to resolve; log it.
      this.deps.logger.warn('ws-api: unsolicited response', { status: res.status, code: res.error?.code });
      return;
    }
    const pending = this.#pending.get(res.id);
    const sent = this.#sentFor.get(res.id);
    this.#sentFor.delete(res.id);
    const symbol = sent?.symbol;
    if (pending === undefined) return;
    this.#pending.delete(res.id);
    if (res.status >= 200 && res.status < 300 && res.error === undefined) {
      pending.resolve({ ok: true, status: res.status, body: res.result });
      return;
    }
    const code = res.error?.code;
    this.deps.limiter.observeResponse(res.status, null, nowMs, { ...(code === undefined ? {} : { code }), ...(sent === undefined ? {} : { weight: sent.weight }) });
    const msg = res.error?.msg;
    const mapped = mapBinanceError({
      httpStatus: res.status,
      ...(code === undefined ? {} : { code }),
      ...(msg === undefined ? {} : { msg }),
      ...(symbol === undefined ? {} : { symbol }),
    });
    pending.resolve({ ok: false, failure: { kind: 'http', status: res.status, code, msg, retryAfterSec: null }, error: mapped.error });
  }

  async #onOpen(): Promise<void> {
    this.#loggedOn = false;
    if (this.deps.signer.kind === 'ed25519') {
      const out = await this.request('session.logon', {}, { signed: true, priority: 'protective' });
      if (!out.ok) {
        this.deps.logger.warn('ws-api: session.logon failed', { message: out.error.message });
        return;
      }
      this.#loggedOn = true;
    }
    this.#armKeepAlive();
    for (const l of this.#upListeners) l(true);
  }

  #armKeepAlive(): void {
    this.#cancelKeepAlive?.();
    this.#cancelKeepAlive = this.deps.scheduler.after(this.config.keepAliveMs, () => {
      void this.request('session.status', {}, { signed: false, priority: 'protective' }).then((out) => {
        if (out.ok) this.#keepAlivesAnswered += 1;
        else if (out.failure.kind === 'timeout') this.#socket.reconnect('keep-alive timed out');
      });
      this.#armKeepAlive();
    });
  }

  #onDown(): void {
    this.#loggedOn = false;
    this.#cancelKeepAlive?.();
    this.#cancelKeepAlive = null;
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    this.#sentFor.clear();
    // The frames may have reached the exchange: their outcome is unknown (reconciled by the order engine).
    for (const p of pending) {
      p.cancelTimer();
      p.resolve({ ok: false, failure: { kind: 'network', message: 'WebSocket API connection closed' }, error: mapTransportFailure('network').error });
    }
    for (const l of this.#upListeners) l(false);
  }
}

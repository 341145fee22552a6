/**
 * Client-side accounting of Binance's rate limits (fact sheet §6), corrected by the server's own counters.
 *
 * Buckets: REQUEST_WEIGHT 2400 per minute (per IP), ORDERS 300 per 10 s and 1200 per minute (per account).
 * Binance counts in fixed windows (the minute, the 10-second slot), so each bucket resets on window boundaries of
 * the server's clock: pass `ClockSync.serverNow(...)` as `nowMs` everywhere, and read `untilMs` on the same timeline.
 * Breaking a limit costs a 429, and continuing past 429s an IP ban of 2 minutes up to 3 days (418, §6), so the
 * limiter keeps a safety margin below each limit and answers `wait` with the time a request may go instead of
 * letting it fail.
 *
 * Every request says what it is for ({@link RequestPriority}). Requests that open exposure or only inform (a new
 * entry, a price or balance read) stop at a lower share of each limit than those that protect what is open (stops,
 * cancels, closes, the reads that reconcile them): when the minute's budget runs short, a trader's next entry is
 * refused before a position is left without its stop or a closed position keeps its stops. The soak found both
 * (stops refused for 20 s at a time while entries kept the budget full).
 *
 * A 429 for the IP's request weight (-1003) holds every request that carries weight, but not a protective order:
 * new orders and algo orders weigh 0 on the IP limit (fact sheet §3, "IP 0"), so a stop for a position that just
 * filled adds nothing to what was exceeded, and waiting out Retry-After (up to the end of the minute) would leave
 * the position without its stop that long. If such a weightless request draws a 429 itself, Binance counts it after
 * all, and for the rest of that hold nothing goes. Any other 429 (too many orders, -1015, or no readable code)
 * holds everything, and a 418 ban stops everything.
 */

/**
 * `critical`: a stop or a market order that takes a position out of danger (the protective STOP_MARKET, a
 * reduce-only close); may use the whole of each limit. `protective`: places, cancels or looks up what protects a
 * position or reduces it, or reads what protection is reconciled against; may use the whole safety budget.
 * `routine`: everything else; stops at `routineRatio`.
 *
 * The safety margin between the safety budget and the limit absorbs other tools on the same account; spending it on
 * the one order that protects a position is the better risk. The full soak found stops of just-filled positions
 * held for up to 2.6 s at the safety budget of the orders-per-10 s limit while trailing-tier orders had used it.
 * Past the limit itself Binance answers 429, so even these wait there.
 */
export type RequestPriority = 'critical' | 'protective' | 'routine';

/** Limits and margins. Defaults are Binance's published defaults (§6); per-account ORDERS limits can differ (§11.12). */
export interface LimiterConfig {
  readonly weightPerMinute: number;
  readonly ordersPer10s: number;
  readonly ordersPerMinute: number;
  /** Fraction of each limit we allow ourselves (0 < r ≤ 1); the rest absorbs other tabs/tools on the same IP. */
  readonly safetyRatio: number;
  /** Fraction of each limit routine requests may use (0 < r ≤ safetyRatio); the rest is kept for protective ones. */
  readonly routineRatio: number;
  /** Ban length assumed for a 418 without Retry-After: Binance's shortest ban, 2 minutes (§6). */
  readonly defaultBanMs: number;
  /**
   * A response that arrives just after a window boundary may carry the previous window's count. Within this many
   * ms of a boundary, a header count above our own is attributed to the old window and ignored.
   */
  readonly boundaryGraceMs: number;
}

/**
 * Binance's default limits (§6), a 90% safety margin of which routine requests may use 75% of each limit, a 2-minute
 * default ban and a 1 s boundary grace.
 */
export const DEFAULT_LIMITER_CONFIG: LimiterConfig = {
  weightPerMinute: 2400,
  ordersPer10s: 300,
  ordersPerMinute: 1200,
  safetyRatio: 0.9,
  routineRatio: 0.75,
  defaultBanMs: 2 * 60_000,
  boundaryGraceMs: 1000,
};

/** What a request costs. `orders1m` defaults to `orders`; batch orders count 5 in the 10 s bucket but 1 per minute (§3). */
export interface Cost {
  readonly weight: number;
  readonly orders: number;
  readonly orders1m?: number;
}

/** The limiter's answer: go now (cost reserved), wait until a time, or stop because the IP is banned. */
export type Admission =
  | { kind: 'go' }
  | { kind: 'wait'; untilMs: number; reason: string }
  | { kind: 'banned'; untilMs: number; reason: string };

/** One bucket's state in its current window. */
export interface BucketSnapshot {
  readonly used: number;
  /** Binance's limit. */
  readonly limit: number;
  /** What we allow ourselves: floor(limit × safetyRatio). */
  readonly budget: number;
  /** What routine requests may use: floor(limit × routineRatio). */
  readonly routineBudget: number;
  readonly windowEndsMs: number;
}

/** Everything the UI needs to show the limiter's state. */
export interface LimiterSnapshot {
  readonly weight: BucketSnapshot;
  readonly orders10s: BucketSnapshot;
  readonly orders1m: BucketSnapshot;
  /** Set while a 429 blocks all requests. */
  readonly blockedUntilMs: number | null;
  /** Set while a 418 ban lasts. */
  readonly bannedUntilMs: number | null;
  /** Why requests are held (ban or 429), for the trader. */
  readonly reason: string | null;
}

const MINUTE = 60_000;

class Bucket {
  used = 0;
  private windowStart = Number.NEGATIVE_INFINITY;

  constructor(
    readonly label: string,
    readonly windowMs: number,
    readonly limit: number,
    readonly budget: number,
    readonly routineBudget: number,
  ) {}

  budgetFor(priority: RequestPriority): number {
    switch (priority) {
      case 'critical':
        return this.limit;
      case 'protective':
        return this.budget;
      case 'routine':
        return this.routineBudget;
    }
  }

  /** Moves to the window containing `nowMs`. Only forward: a clock stepping back must not forget spent weight. */
  roll(nowMs: number): void {
    const start = Math.floor(nowMs / this.windowMs) * this.windowMs;
    if (start > this.windowStart) {
      this.windowStart = start;
      this.used = 0;
    }
  }

  get windowEnd(): number {
    return this.windowStart + this.windowMs;
  }

  sinceWindowStart(nowMs: number): number {
    return nowMs - this.windowStart;
  }

  snapshot(): BucketSnapshot {
    return { used: this.used, limit: this.limit, budget: this.budget, routineBudget: this.routineBudget, windowEndsMs: this.windowEnd };
  }
}

function seconds(ms: number): string {
  return `${Math.max(1, Math.ceil(ms / 1000))} s`;
}

function utcTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(11, 19)} UTC`;
}

/** Weight and order-count accounting with 429/418 handling. All times on the server's clock. */
/** "Too many requests; current limit of IP(…) is 2400 requests per minute" (§5): the IP's request weight. */
const IP_WEIGHT_EXCEEDED = -1003;

export class RateLimiter {
  private readonly config: LimiterConfig;
  private readonly weight: Bucket;
  private readonly orders10s: Bucket;
  private readonly orders1m: Bucket;
  /** A 429 hold on requests that carry IP weight. */
  private blockedUntil = Number.NEGATIVE_INFINITY;
  /** A 429 hold on every request, weightless protective ones included. */
  private blockedAllUntil = Number.NEGATIVE_INFINITY;
  private bannedUntil = Number.NEGATIVE_INFINITY;

  constructor(config: Partial<LimiterConfig> = {}) {
    this.config = { ...DEFAULT_LIMITER_CONFIG, ...config };
    const { safetyRatio: r, routineRatio: rr } = this.config;
    if (!(r > 0 && r <= 1)) throw new Error(`safetyRatio must be in (0, 1], got ${r}`);
    if (!(rr > 0 && rr <= r)) throw new Error(`routineRatio must be in (0, safetyRatio], got ${rr}`);
    const bucket = (label: string, windowMs: number, limit: number) =>
      new Bucket(label, windowMs, limit, Math.max(1, Math.floor(limit * r)), Math.max(1, Math.floor(limit * rr)));
    this.weight = bucket('request weight per minute', MINUTE, this.config.weightPerMinute);
    this.orders10s = bucket('orders per 10 seconds', 10_000, this.config.ordersPer10s);
    this.orders1m = bucket('orders per minute', MINUTE, this.config.ordersPerMinute);
  }

  /**
   * Asks to send a request of `cost` at `nowMs`. `go` reserves the cost in every bucket; `wait` gives the earliest
   * time worth asking again (the end of the fullest window, or of a 429 block); `banned` while a 418 ban lasts.
   * `priority` picks the budget: a routine request waits once the routine share is used, a protective one only at
   * the safety budget, a critical one only at the limit. A fresh window always admits, so a single request larger
   * than the budget cannot wait forever. During a request-weight 429 a protective or critical request of weight 0 is
   * admitted (see the module comment).
   */
  admit(cost: Cost, nowMs: number, priority: RequestPriority): Admission {
    const need: ReadonlyArray<readonly [Bucket, number]> = [
      [this.weight, cost.weight],
      [this.orders10s, cost.orders],
      [this.orders1m, cost.orders1m ?? cost.orders],
    ];
    for (const [, n] of need) {
      if (!Number.isSafeInteger(n) || n < 0) throw new Error(`rate-limit cost must be a non-negative integer, got ${n}`);
    }
    const held = this.heldUntil(cost.weight, priority, nowMs);
    if (held !== null) return this.bannedUntil > nowMs ? { kind: 'banned', untilMs: held, reason: this.#banText(nowMs) } : { kind: 'wait', untilMs: held, reason: this.#blockText(nowMs) };
    this.rollAll(nowMs);
    const full = need.filter(([b, n]) => n > 0 && b.used > 0 && b.used + n > b.budgetFor(priority)).map(([b]) => b);
    const last = full.reduce<Bucket | null>((a, b) => (a === null || b.windowEnd > a.windowEnd ? b : a), null);
    if (last !== null) {
      const kept = priority === 'routine' && last.used + (need.find(([b]) => b === last)?.[1] ?? 0) <= last.budget;
      return {
        kind: 'wait',
        untilMs: last.windowEnd,
        reason: kept
          ? `Binance's ${last.label} limit is ${last.used} of ${last.limit} used, and the rest is kept for protective stops and closes; the request waits ${seconds(last.windowEnd - nowMs)} for the next window.`
          : `Binance's ${last.label} limit is nearly used (${last.used} of ${last.limit}); the request waits ${seconds(last.windowEnd - nowMs)} for the next window.`,
      };
    }
    for (const [b, n] of need) b.used += n;
    return { kind: 'go' };
  }

  /** Until when a 418 ban or a 429 hold refuses a request of this weight and priority; null when none does. */
  heldUntil(weight: number, priority: RequestPriority, nowMs: number): number | null {
    if (this.bannedUntil > nowMs) return this.bannedUntil;
    // A weightless protective request waits only for a hold on every request; the weighted hold never ends sooner.
    const holdUntil = priority !== 'routine' && weight === 0 ? this.blockedAllUntil : this.blockedUntil;
    return holdUntil > nowMs ? holdUntil : null;
  }

  /**
   * Takes the server's counters (§6: `x-mbx-used-weight-1m`, `x-mbx-order-count-10s`, `x-mbx-order-count-1m`, any
   * letter case) as a floor for our own: the server also sees other clients on this IP, while our count already
   * includes requests still in flight that the server has not counted yet, so the larger of the two is kept.
   * Malformed values (testnet has sent `-1`) are ignored.
   */
  observeHeaders(headers: Readonly<Record<string, string>>, nowMs: number): void {
    this.rollAll(nowMs);
    for (const [name, raw] of Object.entries(headers)) {
      const bucket = this.bucketForHeader(name.toLowerCase());
      if (bucket === null || !/^\d+$/.test(raw.trim())) continue;
      const count = Number(raw.trim());
      if (count > bucket.used && bucket.sinceWindowStart(nowMs) < this.config.boundaryGraceMs) continue;
      bucket.used = Math.max(bucket.used, count);
    }
  }

  /**
   * The estimate of the server's clock moved by `deltaMs` (a resync). A 418 ban and a 429 hold are durations from
   * their answer, kept as server times: they move with the estimate, so they last as long as the exchange said. Kept
   * in place, a ban observed by a restarted worker whose restored offset was 1.8 s ahead lasted 2.8 s instead of 1 s
   * once the clock was resynced, and a full soak's positions waited that long for their stops. The windows of the
   * buckets stay: they are the server's own minutes and seconds.
   */
  shiftHolds(deltaMs: number): void {
    if (!Number.isFinite(deltaMs) || deltaMs === 0) return;
    this.blockedUntil += deltaMs;
    this.blockedAllUntil += deltaMs;
    this.bannedUntil += deltaMs;
  }

  /**
   * Reacts to a 429 (hold until Retry-After, or the next minute boundary when absent) and a 418 (IP banned: hold
   * everything until Retry-After, or `defaultBanMs`). Other statuses change nothing here. Longer holds win over
   * shorter ones: a new 429 never shortens a ban. `refused` is the answer's Binance code and the weight of the
   * request it answers: a -1003 for a request with weight holds weighted requests only, any other 429 all of them.
   */
  observeResponse(status: number, retryAfterSec: number | null, nowMs: number, refused: { code?: number; weight?: number } = {}): void {
    const retryMs = retryAfterSec !== null && Number.isFinite(retryAfterSec) && retryAfterSec > 0 ? retryAfterSec * 1000 : null;
    if (status === 418) {
      const until = nowMs + (retryMs ?? this.config.defaultBanMs);
      if (until > this.bannedUntil) this.bannedUntil = until;
    } else if (status === 429) {
      this.rollAll(nowMs);
      const until = retryMs === null ? this.weight.windowEnd : nowMs + retryMs;
      const weightOnly = refused.code === IP_WEIGHT_EXCEEDED && refused.weight !== undefined && refused.weight > 0;
      // Every hold on all requests is also one on weighted requests: blockedUntil >= blockedAllUntil.
      if (!weightOnly && until > this.blockedAllUntil) this.blockedAllUntil = until;
      if (until > this.blockedUntil) this.blockedUntil = until;
    }
  }

  /** The trader's text for a 418 ban, written when read: the ban's end can move with the clock ({@link shiftHolds}). */
  #banText(nowMs: number): string {
    return (
      `Binance has temporarily banned this IP address for sending too many requests (HTTP 418). ` +
      `Nothing will be sent until ${utcTime(this.bannedUntil)} (about ${seconds(this.bannedUntil - nowMs)}); repeated bans last longer, up to 3 days.`
    );
  }

  /** The trader's text for a 429 hold, written when read like {@link #banText}. */
  #blockText(nowMs: number): string {
    return (
      `Binance answered "too many requests" (HTTP 429); requests pause until ${utcTime(this.blockedUntil)} ` +
      `(about ${seconds(this.blockedUntil - nowMs)}) to avoid an IP ban` +
      (this.blockedAllUntil > nowMs ? '.' : '; stops and closes, which carry no request weight, still go.')
    );
  }

  /** The buckets in the window containing `nowMs`, and any hold in force. */
  state(nowMs: number): LimiterSnapshot {
    this.rollAll(nowMs);
    const banned = this.bannedUntil > nowMs;
    const blocked = this.blockedUntil > nowMs;
    return {
      weight: this.weight.snapshot(),
      orders10s: this.orders10s.snapshot(),
      orders1m: this.orders1m.snapshot(),
      blockedUntilMs: blocked ? this.blockedUntil : null,
      bannedUntilMs: banned ? this.bannedUntil : null,
      reason: banned ? this.#banText(nowMs) : blocked ? this.#blockText(nowMs) : null,
    };
  }

  private rollAll(nowMs: number): void {
    this.weight.roll(nowMs);
    this.orders10s.roll(nowMs);
    this.orders1m.roll(nowMs);
  }

  private bucketForHeader(lower: string): Bucket | null {
    switch (lower) {
      case 'x-mbx-used-weight-1m':
        return this.weight;
      case 'x-mbx-order-count-10s':
        return this.orders10s;
      case 'x-mbx-order-count-1m':
        return this.orders1m;
      default:
        return null;
    }
  }
}

/** An endpoint's cost; `orders1m` when the per-minute order count differs from the 10 s one. */
export type EndpointCost = Cost;

interface WeightRule extends EndpointCost {
  /** Weight when `symbol` is sent (the table's main `weight` is the all-symbols, worst case). */
  readonly withSymbol?: number;
  /** `GET /fapi/v1/depth`: weight follows `limit`. */
  readonly byDepthLimit?: true;
}

// Fact sheet §3 table. Where the weight depends on a parameter, `weight` is the worst case so that a plain lookup
// in ENDPOINT_WEIGHTS never under-counts; weightOf() refines it from the params.
const RULES = {
  'GET /fapi/v1/ping': { weight: 1, orders: 0 },
  'GET /fapi/v1/time': { weight: 1, orders: 0 },
  'GET /fapi/v1/exchangeInfo': { weight: 1, orders: 0 },
  'GET /fapi/v2/ticker/price': { weight: 2, orders: 0, withSymbol: 1 },
  'GET /fapi/v1/ticker/price': { weight: 2, orders: 0, withSymbol: 1 },
  'GET /fapi/v1/premiumIndex': { weight: 10, orders: 0, withSymbol: 1 },
  'GET /fapi/v1/ticker/bookTicker': { weight: 5, orders: 0, withSymbol: 2 },
  'GET /fapi/v1/depth': { weight: 20, orders: 0, byDepthLimit: true },
  'POST /fapi/v1/order': { weight: 0, orders: 1 },
  'GET /fapi/v1/order': { weight: 1, orders: 0 },
  'DELETE /fapi/v1/order': { weight: 1, orders: 0 },
  // IP weight 0 on the REST page but 1 on the WS page copy (§3): count the larger.
  'PUT /fapi/v1/order': { weight: 1, orders: 1 },
  'DELETE /fapi/v1/allOpenOrders': { weight: 1, orders: 0 },
  'GET /fapi/v1/openOrders': { weight: 40, orders: 0, withSymbol: 1 },
  'GET /fapi/v1/openOrder': { weight: 1, orders: 0 },
  'POST /fapi/v1/batchOrders': { weight: 5, orders: 5, orders1m: 1 },
  'PUT /fapi/v1/batchOrders': { weight: 5, orders: 5, orders1m: 1 },
  'DELETE /fapi/v1/batchOrders': { weight: 1, orders: 0 },
  'GET /fapi/v1/allOrders': { weight: 5, orders: 0 },
  'POST /fapi/v1/algoOrder': { weight: 0, orders: 1 },
  'DELETE /fapi/v1/algoOrder': { weight: 1, orders: 0 },
  'DELETE /fapi/v1/algoOpenOrders': { weight: 1, orders: 0 },
  'GET /fapi/v1/algoOrder': { weight: 1, orders: 0 },
  'GET /fapi/v1/openAlgoOrders': { weight: 40, orders: 0, withSymbol: 1 },
  'GET /fapi/v1/allAlgoOrders': { weight: 5, orders: 0 },
  'GET /fapi/v2/positionRisk': { weight: 5, orders: 0 },
  'GET /fapi/v3/positionRisk': { weight: 5, orders: 0 },
  'GET /fapi/v2/account': { weight: 5, orders: 0 },
  'GET /fapi/v3/account': { weight: 5, orders: 0 },
  'GET /fapi/v2/balance': { weight: 5, orders: 0 },
  'GET /fapi/v3/balance': { weight: 5, orders: 0 },
  'GET /fapi/v1/accountConfig': { weight: 5, orders: 0 },
  'GET /fapi/v1/symbolConfig': { weight: 5, orders: 0 },
  'POST /fapi/v1/leverage': { weight: 1, orders: 0 },
  'POST /fapi/v1/marginType': { weight: 1, orders: 0 },
  'GET /fapi/v1/positionSide/dual': { weight: 30, orders: 0 },
  'POST /fapi/v1/positionSide/dual': { weight: 1, orders: 0 },
  'POST /fapi/v1/listenKey': { weight: 1, orders: 0 },
  'PUT /fapi/v1/listenKey': { weight: 1, orders: 0 },
  'DELETE /fapi/v1/listenKey': { weight: 1, orders: 0 },
  'GET /fapi/v1/userTrades': { weight: 5, orders: 0 },
  'POST /fapi/v1/countdownCancelAll': { weight: 10, orders: 0 },
  'GET /fapi/v1/commissionRate': { weight: 20, orders: 0 },
  'GET /fapi/v1/leverageBracket': { weight: 1, orders: 0 },
  'GET /fapi/v1/rateLimit/order': { weight: 1, orders: 0 },
} satisfies Record<string, WeightRule>;

const RULE_MAP: ReadonlyMap<string, WeightRule> = new Map(Object.entries(RULES));

/** Cost per endpoint, keyed `"METHOD /path"`; worst case where it depends on params (use `weightOf` to refine). */
export const ENDPOINT_WEIGHTS: Readonly<Record<string, EndpointCost>> = Object.fromEntries(
  [...RULE_MAP].map(([key, r]) => [key, r.orders1m === undefined ? { weight: r.weight, orders: r.orders } : { weight: r.weight, orders: r.orders, orders1m: r.orders1m }]),
);

/** Request params, as ordered pairs or a record. */
export type RequestParams = ReadonlyArray<readonly [string, string]> | Readonly<Record<string, string | number | boolean | undefined>>;

function param(params: RequestParams, name: string): string | undefined {
  if (Array.isArray(params)) {
    const pairs = params as ReadonlyArray<readonly [string, string]>;
    return pairs.find(([k]) => k === name)?.[1];
  }
  const v = (params as Readonly<Record<string, string | number | boolean | undefined>>)[name];
  return v === undefined ? undefined : String(v);
}

/** `GET /fapi/v1/depth` weight by `limit` (§3: 5–50 → 2, 100 → 5, 500 → 10, 1000 → 20; default limit 500). */
function depthWeight(limit: string | undefined): number {
  const n = limit === undefined ? 500 : Number(limit);
  if (!Number.isFinite(n)) return 20;
  if (n <= 50) return 2;
  if (n <= 100) return 5;
  if (n <= 500) return 10;
  return 20;
}

/**
 * The exact cost of one request. Throws for an endpoint missing from the table: sending a request we cannot
 * account for would be a programming error, not a runtime condition.
 */
export function weightOf(method: string, path: string, params: RequestParams = []): EndpointCost {
  const key = `${method.toUpperCase()} ${path}`;
  const rule = RULE_MAP.get(key);
  if (rule === undefined) throw new Error(`no rate-limit weight known for ${key}`);
  let weight = rule.weight;
  if (rule.withSymbol !== undefined && param(params, 'symbol') !== undefined) weight = rule.withSymbol;
  if (rule.byDepthLimit === true) weight = depthWeight(param(params, 'limit'));
  return rule.orders1m === undefined ? { weight, orders: rule.orders } : { weight, orders: rule.orders, orders1m: rule.orders1m };
}

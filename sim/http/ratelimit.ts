/**
 * Binance's limits (fact sheet §6): REQUEST_WEIGHT 2400 per minute per IP, ORDERS 300 per 10 s and 1200 per
 * minute per account, in fixed windows of the exchange clock. Over the weight limit → 429 `-1003` with
 * `Retry-After` (seconds to the window's end); continuing while limited → 418 ban, 2 minutes first, doubling up to
 * 3 days. Over an order limit → 429 `-1015`. Shared by REST and the WebSocket API (`WsDeps.charge`).
 */
import type { BinanceError, RateLimitReport } from '../contracts.ts';
import { E } from '../engine/errors.ts';

export interface LimitConfig {
  weight1m: number;
  orders10s: number;
  orders1m: number;
  /** Number of 429-answered requests within one window after which the IP is banned. */
  banAfter: number;
  /** First ban length; each further ban doubles, capped at 3 days. */
  banBaseMs: number;
}

export const DEFAULT_LIMITS: LimitConfig = { weight1m: 2400, orders10s: 300, orders1m: 1200, banAfter: 10, banBaseMs: 120_000 };
const MAX_BAN_MS = 3 * 24 * 3600 * 1000;

interface IpState {
  window: number;
  used: number;
  strikes: number;
  bannedUntil: number;
  bans: number;
}

interface OrderState {
  w10: number;
  c10: number;
  w60: number;
  c60: number;
}

/** Outcome of charging a request: an error to answer with, the Retry-After seconds, and the counters to report. */
export interface Charge {
  readonly error: BinanceError | null;
  readonly retryAfterSec: number | null;
  readonly usedWeight: number;
  readonly orders10s: number | null;
  readonly orders1m: number | null;
}

export class RateLimiter {
  config: LimitConfig = { ...DEFAULT_LIMITS };
  private ips = new Map<string, IpState>();
  private accounts = new Map<string, OrderState>();

  reset(): void {
    this.config = { ...DEFAULT_LIMITS };
    this.ips.clear();
    this.accounts.clear();
  }

  private ip(ip: string, now: number): IpState {
    const window = Math.floor(now / 60_000);
    let s = this.ips.get(ip);
    if (!s) this.ips.set(ip, (s = { window, used: 0, strikes: 0, bannedUntil: 0, bans: 0 }));
    if (s.window !== window) {
      s.window = window;
      s.used = 0;
      s.strikes = 0;
    }
    return s;
  }

  /** Charges request weight to an IP (fact sheet §6: REQUEST_WEIGHT is per IP). */
  weight(ip: string, weight: number, now: number): Charge {
    const s = this.ip(ip, now);
    const cfg = this.config;
    const refuse = (error: BinanceError, retryAfterSec: number): Charge => ({ error, retryAfterSec, usedWeight: s.used, orders10s: null, orders1m: null });
    if (s.bannedUntil > now) return refuse(E.banned(ip, s.bannedUntil), Math.ceil((s.bannedUntil - now) / 1000));
    if (s.used + weight > cfg.weight1m) {
      s.strikes++;
      if (s.strikes > cfg.banAfter) {
        const len = Math.min(MAX_BAN_MS, cfg.banBaseMs * 2 ** s.bans);
        s.bans++;
        s.bannedUntil = now + len;
        return refuse(E.banned(ip, s.bannedUntil), Math.ceil(len / 1000));
      }
      return refuse(E.tooManyRequests(ip, cfg.weight1m), Math.ceil(((s.window + 1) * 60_000 - now) / 1000));
    }
    s.used += weight;
    return { error: null, retryAfterSec: null, usedWeight: s.used, orders10s: null, orders1m: null };
  }

  /** Charges order counts to an account (ORDERS 10s and 1m); `usedWeight` is carried over from the weight charge. */
  orders(accountKey: string, n10: number, n1m: number, usedWeight: number, now: number): Charge {
    const cfg = this.config;
    const w10 = Math.floor(now / 10_000);
    const w60 = Math.floor(now / 60_000);
    let o = this.accounts.get(accountKey);
    if (!o) this.accounts.set(accountKey, (o = { w10, c10: 0, w60, c60: 0 }));
    if (o.w10 !== w10) {
      o.w10 = w10;
      o.c10 = 0;
    }
    if (o.w60 !== w60) {
      o.w60 = w60;
      o.c60 = 0;
    }
    if (o.c10 + n10 > cfg.orders10s) {
      return { error: E.tooManyOrders(cfg.orders10s, '10s'), retryAfterSec: Math.ceil(((w10 + 1) * 10_000 - now) / 1000), usedWeight, orders10s: o.c10, orders1m: o.c60 };
    }
    if (o.c60 + n1m > cfg.orders1m) {
      return { error: E.tooManyOrders(cfg.orders1m, '1m'), retryAfterSec: Math.ceil(((w60 + 1) * 60_000 - now) / 1000), usedWeight, orders10s: o.c10, orders1m: o.c60 };
    }
    o.c10 += n10;
    o.c60 += n1m;
    return { error: null, retryAfterSec: null, usedWeight, orders10s: o.c10, orders1m: o.c60 };
  }

  /** The `rateLimits` array of a WebSocket API response (fact sheet §9). */
  report(c: Charge): RateLimitReport[] {
    const out: RateLimitReport[] = [{ rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: this.config.weight1m, count: c.usedWeight }];
    if (c.orders10s !== null) out.push({ rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: this.config.orders10s, count: c.orders10s });
    if (c.orders1m !== null) out.push({ rateLimitType: 'ORDERS', interval: 'MINUTE', intervalNum: 1, limit: this.config.orders1m, count: c.orders1m });
    return out;
  }
}

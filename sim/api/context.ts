/** What the endpoint tables need from the exchange, and the helper that turns handler bodies into `Endpoint`s. */
import type { Endpoint, HandlerContext, Security } from '../contracts.ts';
import type { ExchangeClock } from '../engine/clock.ts';
import type { Engine } from '../engine/engine.ts';
import type { Ledger } from '../engine/ledger.ts';
import { guard, type Params } from './params.ts';

/** Order-count limits reported by GET /fapi/v1/rateLimit/order. */
export interface OrderLimits {
  orders10s: number;
  orders1m: number;
}

export interface ApiDeps {
  readonly engine: () => Engine;
  readonly ledger: Ledger;
  readonly clock: ExchangeClock;
  readonly limits: () => { weight1m: number } & OrderLimits;
}

/** The authenticated account of a signed handler; a null here is a wiring bug (security NONE endpoints never ask). */
export function accountOf(ctx: HandlerContext): string {
  if (ctx.accountId === null) throw new Error('signed endpoint reached without an account');
  return ctx.accountId;
}

/** Builds an endpoint whose body may throw `ParamError` for Binance-style rejections. */
export function endpoint(
  security: Security,
  weight: number | ((p: Params) => number),
  countsOrders: boolean,
  body: (ctx: HandlerContext) => unknown,
): Endpoint {
  return {
    security,
    weight: typeof weight === 'number' ? () => weight : weight,
    countsOrders,
    handle: (ctx) => {
      const r = guard(() => body(ctx));
      return r.ok ? { ok: true, body: r.value } : { ok: false, error: r.error };
    },
  };
}

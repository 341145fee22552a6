/**
 * Typed REST endpoints over `HttpTransport`: every body is parsed with zod. Reads and listenKey calls get the
 * -1021 rule here (one clock resync and ONE resend, never a loop; fact sheet §2) because resending them is
 * harmless; order placement and cancels go through `orders.ts`, where the journal decides.
 */
import type { ClockSample } from '../../core/clock-sync.ts';
import type { AppError } from '../../shared/result.ts';
import { z } from '../../shared/zod.ts';
import type { CallOutcome, HttpTransport, SendOptions } from './http.ts';
import {
  AlgoOrderSchema,
  BalanceSchema,
  ListenKeySchema,
  OrderSchema,
  PositionSchema,
  ServerTimeSchema,
  type AlgoOrder,
  type Balance,
  type Order,
  type Position,
} from './schemas.ts';

/** A typed answer. */
export type Answer<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: AppError; readonly outcome: CallOutcome };

/** Result of a lookup by client id: -2013 "Order does not exist" is `not-found`, not a failure (§5). */
export type Lookup<T> =
  | { readonly kind: 'found'; readonly value: T }
  | { readonly kind: 'not-found' }
  | { readonly kind: 'failed'; readonly error: AppError; readonly heldUntilMs?: number };

/** A failed lookup; one the rate limiter held back (it never left) says until when. */
function failedLookup(error: AppError, outcome: CallOutcome): { kind: 'failed'; error: AppError; heldUntilMs?: number } {
  return !outcome.ok && outcome.failure.kind === 'refused' && outcome.failure.untilMs > 0 ? { kind: 'failed', error, heldUntilMs: outcome.failure.untilMs } : { kind: 'failed', error };
}

/** Parses a successful body; a body that does not match is reported as an INTERNAL error (the exchange changed). */
export function parseOutcome<S extends z.core.$ZodType>(outcome: CallOutcome, schema: S, what: string): Answer<z.infer<S>> {
  if (!outcome.ok) return { ok: false, error: outcome.error, outcome };
  const parsed = z.safeParse(schema, outcome.body);
  if (parsed.success) return { ok: true, value: parsed.data };
  return {
    ok: false,
    error: { code: 'INTERNAL', message: `Unexpected ${what} from Binance: ${parsed.error.issues[0]?.message ?? 'invalid'}` },
    outcome,
  };
}

function isNoSuchOrder(outcome: CallOutcome): boolean {
  return !outcome.ok && outcome.failure.kind === 'http' && outcome.failure.code === -2013;
}

export class RestApi {
  constructor(
    readonly http: HttpTransport,
    private readonly resyncClock: () => Promise<boolean>,
    private readonly now: () => number,
  ) {}

  /** A send that resyncs the clock and resends ONCE on -1021 (safe only for idempotent calls). */
  async call(method: string, path: string, params: Readonly<Record<string, string>>, opts: SendOptions): Promise<CallOutcome> {
    const first = await this.http.send(method, path, params, opts);
    if (first.ok || first.failure.kind !== 'http' || first.failure.code !== -1021) return first;
    await this.resyncClock();
    return this.http.send(method, path, params, opts);
  }

  /** One timed `/fapi/v1/time` round trip for the clock (unsigned, weight 1). */
  async timeSample(): Promise<ClockSample | null> {
    const sentMs = this.now();
    const out = await this.http.send('GET', '/fapi/v1/time', {}, { security: 'NONE', priority: 'protective' });
    const receivedMs = this.now();
    const parsed = parseOutcome(out, ServerTimeSchema, 'server time');
    return parsed.ok ? { sentMs, receivedMs, serverTimeMs: parsed.value.serverTime } : null;
  }

  /**
   * `GET /fapi/v1/order` by origClientOrderId. Lookups are protective whatever the order: one that may have executed
   * is exposure already taken, and exactly-once waits on the answer.
   */
  async queryOrder(symbol: string, origClientOrderId: string): Promise<Lookup<Order>> {
    const out = await this.call('GET', '/fapi/v1/order', { symbol, origClientOrderId }, { security: 'SIGNED', priority: 'protective', symbol });
    if (isNoSuchOrder(out)) return { kind: 'not-found' };
    const parsed = parseOutcome(out, OrderSchema, 'order');
    return parsed.ok ? { kind: 'found', value: parsed.value } : failedLookup(parsed.error, out);
  }

  /** `GET /fapi/v1/algoOrder` by clientAlgoId (conditional orders are invisible to /fapi/v1/order, §0.1). */
  async queryAlgoOrder(clientAlgoId: string): Promise<Lookup<AlgoOrder>> {
    const out = await this.call('GET', '/fapi/v1/algoOrder', { clientAlgoId }, { security: 'SIGNED', priority: 'protective' });
    if (isNoSuchOrder(out)) return { kind: 'not-found' };
    const parsed = parseOutcome(out, AlgoOrderSchema, 'algo order');
    return parsed.ok ? { kind: 'found', value: parsed.value } : failedLookup(parsed.error, out);
  }

  /** Open orders, as protection is reconciled against them (protective, like the two reads below). */
  async openOrders(symbol?: string): Promise<Answer<Order[]>> {
    const params: Record<string, string> = symbol === undefined ? {} : { symbol };
    return parseOutcome(await this.call('GET', '/fapi/v1/openOrders', params, { security: 'SIGNED', priority: 'protective' }), z.array(OrderSchema), 'open orders');
  }

  async openAlgoOrders(symbol?: string): Promise<Answer<AlgoOrder[]>> {
    const params: Record<string, string> = symbol === undefined ? {} : { symbol };
    return parseOutcome(
      await this.call('GET', '/fapi/v1/openAlgoOrders', params, { security: 'SIGNED', priority: 'protective' }),
      z.array(AlgoOrderSchema),
      'open algo orders',
    );
  }

  /** `GET /fapi/v3/positionRisk`: only symbols with a position or open orders (§3). */
  async positions(): Promise<Answer<Position[]>> {
    return parseOutcome(await this.call('GET', '/fapi/v3/positionRisk', {}, { security: 'SIGNED', priority: 'protective' }), z.array(PositionSchema), 'positions');
  }

  async balances(): Promise<Answer<Balance[]>> {
    return parseOutcome(await this.call('GET', '/fapi/v3/balance', {}, { security: 'SIGNED', priority: 'routine' }), z.array(BalanceSchema), 'balances');
  }

  /** `POST /fapi/v1/listenKey` (USER_STREAM: key header, no signature; §2, §8). Protective: fills arrive on it. */
  async createListenKey(): Promise<Answer<string>> {
    const a = parseOutcome(await this.http.send('POST', '/fapi/v1/listenKey', {}, { security: 'KEY', priority: 'protective' }), ListenKeySchema, 'listenKey');
    return a.ok ? { ok: true, value: a.value.listenKey } : a;
  }

  /** `PUT /fapi/v1/listenKey`: extends the key 60 min; -1125 when it no longer exists (§8). */
  async keepAliveListenKey(): Promise<CallOutcome> {
    return this.http.send('PUT', '/fapi/v1/listenKey', {}, { security: 'KEY', priority: 'protective' });
  }
}

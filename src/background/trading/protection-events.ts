/**
 * Translates the user data stream (fact sheet §8) into the protection engine's events. Pure.
 * Fills carry ORDER_TRADE_UPDATE's transaction time `T` and positions ACCOUNT_UPDATE's `T`: the engine matches
 * fills against position snapshots by these times, so a fill already counted in a snapshot is not counted twice.
 */
import type { ProtectionEvent } from '../../core/asl.ts';
import { add, cmp, decimalPlaces, div, mul, sub } from '../../shared/decimal.ts';
import type { Order, OrderTradeUpdate, UserEvent } from '../exchange/schemas.ts';

const positionSide = (ps: string | undefined): 'BOTH' | 'LONG' | 'SHORT' => (ps === 'LONG' || ps === 'SHORT' ? ps : 'BOTH');

type FillEvent = Extract<ProtectionEvent, { type: 'fill' }>;

/** Orders whose counted fills are remembered; a stream trade of an order this far back is seen minutes late. */
const ORDERS_KEPT = 2_000;
/**
 * How long an order counted from its answer holds back the stream's position reports while its own trade has not
 * come. The overtaking it guards against is two sockets' delivery racing, a few ms. A stream that lost the trade
 * (silent, reconnecting) never sends it, and holding the exchange's reports back longer kept a closed position alive
 * in the engine, which then re-placed protection and sent closes that were refused (-2022) in a loop.
 */
const AHEAD_MAX_MS = 250;
const NOTHING = { qty: '0', quote: '0' } as const;
const keyOf = (symbol: string, ps: 'BOTH' | 'LONG' | 'SHORT'): string => `${symbol}:${ps}`;

/**
 * Fills reach the protector from two places: the order's own answer (RESULT: `executedQty`, `cumQuote`) and the user
 * stream's trades. The answer often comes first (a bench trace: 0.7 to 1.6 ms before the stream's trade), and it is
 * the only one while the private stream is silent or reconnecting: the full soak's last three stops over 1 s late
 * waited for a positions re-read after a silent stream. So each order's fills are counted once, from whichever source
 * reports them first, by the cumulative quantity and quote given to the protector per client order id. Trades are
 * atomic: an answer's `executedQty` is the sum of the order's first trades, and a stream trade is either among them
 * (cumulative `z` at most what was counted) or wholly after them.
 *
 * An answer can also overtake the stream's ACCOUNT_UPDATE of an earlier trade: applied after it, that report would
 * set the size back (a stop re-sized down), or reopen a position a close just ended. The stream is in order (its
 * ACCOUNT_UPDATE of a trade follows the trade), so while an order counted from its answer has not had its trade on
 * the stream, the stream's position reports for that position are older than what the protector knows
 * ({@link staleReport}). This goes by arrival, not by the exchange's times: across a jump of the exchange's clock
 * those do not order reports (a full soak lost 2.25 s of protection that way).
 */
export class FillFeed {
  readonly #counted = new Map<string, { readonly qty: string; readonly quote: string }>();
  /** Per position key: orders counted from their answer, not yet caught up by the stream, and since when (ms). */
  readonly #ahead = new Map<string, Map<string, { readonly qty: string; readonly sinceMs: number }>>();

  /** A stream trade: the part of its order's fills not counted yet, or null. */
  fromTrade(event: OrderTradeUpdate): FillEvent | null {
    const o = event.o;
    if (o.x !== 'TRADE') return null;
    this.#caughtUp(keyOf(o.s, positionSide(o.ps)), o.c, o.z);
    const seen = this.#counted.get(o.c) ?? NOTHING;
    if (cmp(o.z, seen.qty) <= 0) return null;
    // `o.l` unless earlier trades of the order were never seen: those are counted at this trade's price.
    const qty = sub(o.z, seen.qty);
    this.#count(o.c, { qty: o.z, quote: add(seen.quote, mul(qty, o.L)) });
    return { type: 'fill', symbol: o.s, positionSide: positionSide(o.ps), side: o.S, qty, price: o.L, atMs: event.T };
  }

  /** An order's answer at `nowMs`: the part of what it says has filled not counted yet, at its average price, or null. */
  fromAnswer(order: Order, nowMs: number): FillEvent | null {
    const seen = this.#counted.get(order.clientOrderId) ?? NOTHING;
    if (cmp(order.executedQty, seen.qty) <= 0) return null;
    const qty = sub(order.executedQty, seen.qty);
    const quote = order.cumQuote;
    const price =
      quote !== undefined && cmp(quote, seen.quote) > 0 ? div(sub(quote, seen.quote), qty, decimalPlaces(quote) + 8) : cmp(seen.qty, '0') === 0 ? order.avgPrice : undefined;
    if (price === undefined || cmp(price, '0') <= 0) return null;
    this.#count(order.clientOrderId, { qty: order.executedQty, quote: quote ?? mul(order.executedQty, price) });
    const ps = positionSide(order.positionSide);
    const key = keyOf(order.symbol, ps);
    const ahead = this.#ahead.get(key) ?? new Map<string, { qty: string; sinceMs: number }>();
    ahead.set(order.clientOrderId, { qty: order.executedQty, sinceMs: nowMs });
    this.#ahead.set(key, ahead);
    return { type: 'fill', symbol: order.symbol, positionSide: ps, side: order.side, qty, price, atMs: order.updateTime };
  }

  /** Whether the stream's report of this position at `nowMs` predates a fill already counted from an answer. */
  staleReport(symbol: string, ps: 'BOTH' | 'LONG' | 'SHORT', nowMs: number): boolean {
    const key = keyOf(symbol, ps);
    const ahead = this.#ahead.get(key);
    if (ahead === undefined) return false;
    for (const [id, a] of ahead) if (nowMs - a.sinceMs > AHEAD_MAX_MS) ahead.delete(id);
    if (ahead.size === 0) this.#ahead.delete(key);
    return ahead.size > 0;
  }

  /** The stream has pushed `clientOrderId`'s trades up to `cumQty`: at or past its answer, it no longer leads. */
  #caughtUp(key: string, clientOrderId: string, cumQty: string): void {
    const ahead = this.#ahead.get(key);
    const a = ahead?.get(clientOrderId);
    if (ahead === undefined || a === undefined || cmp(cumQty, a.qty) < 0) return;
    ahead.delete(clientOrderId);
    if (ahead.size === 0) this.#ahead.delete(key);
  }

  #count(clientOrderId: string, counted: { qty: string; quote: string }): void {
    this.#counted.delete(clientOrderId);
    this.#counted.set(clientOrderId, counted);
    if (this.#counted.size > ORDERS_KEPT) {
      const oldest = this.#counted.keys().next();
      if (oldest.done !== true) this.#counted.delete(oldest.value);
    }
  }
}

/**
 * The protector's events in one stream event at `nowMs`: an order's trades go through `fills`, which counts each
 * once, and a position report older than a fill counted from an answer is left out.
 */
export function protectionEventsFrom(event: UserEvent, fills: FillFeed, nowMs: number): ProtectionEvent[] {
  switch (event.e) {
    case 'ORDER_TRADE_UPDATE': {
      const fill = fills.fromTrade(event);
      return fill === null ? [] : [fill];
    }
    case 'ACCOUNT_UPDATE':
      return event.a.P.filter((p) => !fills.staleReport(p.s, positionSide(p.ps), nowMs)).map((p) => ({
        type: 'position',
        symbol: p.s,
        positionSide: positionSide(p.ps),
        amount: p.pa,
        entryPrice: p.ep,
        atMs: event.T,
      }));
    case 'ALGO_UPDATE': {
      const o = event.o;
      switch (o.X) {
        case 'CANCELED':
          return [{ type: 'algoCanceled', clientAlgoId: o.caid, atMs: event.T }];
        case 'TRIGGERING':
        case 'TRIGGERED':
          return [{ type: 'algoTriggered', clientAlgoId: o.caid, atMs: event.T }];
        case 'FINISHED':
        case 'EXPIRED':
        case 'REJECTED':
          return [{ type: 'algoFinished', clientAlgoId: o.caid, status: o.X, reason: '', atMs: event.T }];
        default:
          // NEW: acceptance is taken from the placement's own answer, which carries the algoId.
          return [];
      }
    }
    case 'listenKeyExpired':
      return [];
  }
}

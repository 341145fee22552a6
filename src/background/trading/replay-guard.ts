/**
 * Catches orders the browser sent twice. Chromium re-sends a request by itself when a reused keep-alive connection
 * answers HTTP 408 or is reset (net/http/http_network_transaction.cc, RetryReason kHttpRequestTimeout /
 * kConnectionReset), and Binance answers -1007 with HTTP 408 (fact sheet §5). The replay carries the same
 * timestamp, signature and client order id; Binance refuses a duplicate client id only while the first order is
 * still open (§4.7), so a MARKET entry can execute twice and `fetch` never learns of it.
 *
 * The user data stream shows it: two exchange order ids under one of our client ids. This guard notices that and
 * says what to undo: cancel the extra order while it rests, close what it filled. A duplicate of a closing order
 * (reduce-only, or SELL on LONG / BUY on SHORT in hedge mode, §4.3) is not undone: what it closed was a position
 * (often the next one the trader opened), and undoing it would mean opening that position again, i.e. adding risk
 * on the browser's say-so. The position stays flat and the trader is told (`flattened`). Pure; the session acts.
 */
import { isZero } from '../../shared/decimal.ts';
import type { OrderTradeUpdate } from '../exchange/schemas.ts';

export type ReplayAction =
  | { readonly kind: 'cancel'; readonly symbol: string; readonly clientOrderId: string; readonly orderId: string }
  | {
      readonly kind: 'close';
      readonly symbol: string;
      /** The side that undoes the duplicate: the opposite of its own. */
      readonly side: 'BUY' | 'SELL';
      readonly positionSide: 'BOTH' | 'LONG' | 'SHORT';
      readonly quantity: string;
      readonly orderId: string;
      readonly clientOrderId: string;
    }
  | {
      /** A closing order executed twice: the duplicate reduced (or closed) a position; nothing is re-opened. */
      readonly kind: 'flattened';
      readonly symbol: string;
      /** The duplicate's own side. */
      readonly side: 'BUY' | 'SELL';
      readonly positionSide: 'BOTH' | 'LONG' | 'SHORT';
      readonly quantity: string;
      readonly orderId: string;
      readonly clientOrderId: string;
    };

const FINAL = new Set(['FILLED', 'CANCELED', 'EXPIRED', 'EXPIRED_IN_MATCH', 'REJECTED']);

export class ReplayGuard {
  /** The first exchange order id seen for each of our client ids. */
  readonly #first = new Map<string, string>();
  /** Duplicates already undone (an order id is handled once). */
  readonly #handled = new Set<string>();
  readonly #canceling = new Set<string>();
  /** Client ids with at least one execution (x=TRADE) seen on the stream. */
  readonly #traded = new Set<string>();

  constructor(private readonly ours: (clientOrderId: string) => boolean) {}

  /** Feeds one ORDER_TRADE_UPDATE; returns what to do about a duplicate, or null. */
  observe(update: OrderTradeUpdate): ReplayAction | null {
    const o = update.o;
    if (!this.ours(o.c)) return null;
    const orderId = String(o.i);
    if (o.x === 'TRADE') this.#traded.add(o.c);
    const first = this.#first.get(o.c);
    if (first === undefined) {
      this.#first.set(o.c, orderId);
      return null;
    }
    if (first === orderId || this.#handled.has(orderId)) return null;
    if (!FINAL.has(o.X)) {
      if (this.#canceling.has(orderId)) return null;
      this.#canceling.add(orderId);
      return { kind: 'cancel', symbol: o.s, clientOrderId: o.c, orderId };
    }
    this.#handled.add(orderId);
    if (isZero(o.z)) return null;
    const positionSide = o.ps === 'LONG' || o.ps === 'SHORT' ? o.ps : 'BOTH';
    const closing = o.R === true || (positionSide === 'LONG' && o.S === 'SELL') || (positionSide === 'SHORT' && o.S === 'BUY');
    if (closing) return { kind: 'flattened', symbol: o.s, side: o.S, positionSide, quantity: o.z, orderId, clientOrderId: o.c };
    return { kind: 'close', symbol: o.s, side: o.S === 'BUY' ? 'SELL' : 'BUY', positionSide, quantity: o.z, orderId, clientOrderId: o.c };
  }

  /** Whether the stream has shown an execution of this client id: its fill reached the protector too. */
  sawTrade(clientOrderId: string): boolean {
    return this.#traded.has(clientOrderId);
  }
}

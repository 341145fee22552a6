/**
 * Trader intents and their deterministic client order ids.
 *
 * Every order Strike sends carries a client order id derived from the intent that caused it, so the same intent
 * always maps to the same id. That is what makes exactly-once possible: after a timeout the order can be looked up by
 * `origClientOrderId` (or `clientAlgoId`) instead of being sent again blindly (fact sheet §5, HTTP 503 "Unknown error"
 * and -1007: "execution status unknown").
 */
import { isDecimal } from '../shared/decimal.ts';
import type { RequestPriority } from './rate-limiter.ts';
import { z } from '../shared/zod.ts';

/** Binance's rule for `newClientOrderId` / `clientAlgoId` (fact sheet §4.7); longer or other characters → -4015. */
export const CLIENT_ORDER_ID_PATTERN = /^[.A-Z:/a-z0-9_-]{1,36}$/;

/** Prefix of every id Strike generates; lets the journal and the UI tell Strike's orders from others'. */
export const CLIENT_ORDER_ID_PREFIX = 'stk-';

/**
 * An intent id: `<epoch base36>-<seq base36>`. `epoch` is the moment the id allocator was created (persisted with its
 * counter), so ids stay unique across reinstalls and journal wipes: a reused id could make a lookup by
 * `origClientOrderId` find an old, unrelated order and adopt it.
 */
export const IntentIdSchema = z.string().check(z.regex(/^[0-9a-z]{1,10}-[0-9a-z]{1,8}$/));
export type IntentId = z.infer<typeof IntentIdSchema>;

/** Builds the intent id for sequence number `seq` of allocator epoch `epochMs`. */
export function makeIntentId(epochMs: number, seq: number): IntentId {
  if (!Number.isSafeInteger(epochMs) || epochMs < 0 || epochMs >= 36 ** 10) throw new Error(`bad intent epoch ${epochMs}`);
  if (!Number.isSafeInteger(seq) || seq < 0 || seq >= 36 ** 8) throw new Error(`bad intent seq ${seq}`);
  return `${epochMs.toString(36)}-${seq.toString(36)}`;
}

/**
 * The client order id for `attempt` of an intent: `stk-<epoch36>-<seq36>` for the first attempt and
 * `stk-<epoch36>-<seq36>-<attempt36>` after. A new attempt is made only once the previous one is known not to
 * exist, so each physical send stays distinguishable in the journal and in user-stream events.
 */
export function clientOrderIdFor(intentId: IntentId, attempt = 0): string {
  if (!Number.isSafeInteger(attempt) || attempt < 0) throw new Error(`bad attempt ${attempt}`);
  const id = `${CLIENT_ORDER_ID_PREFIX}${intentId}${attempt === 0 ? '' : `-${attempt.toString(36)}`}`;
  // Cannot fail for valid inputs (max 4 + 10 + 1 + 8 + 1 + 11 chars); checked because Binance would answer -4015.
  if (!CLIENT_ORDER_ID_PATTERN.test(id)) throw new Error(`client order id ${id} breaks Binance's pattern`);
  return id;
}

/** Inverse of `clientOrderIdFor`: the intent and attempt behind one of Strike's ids, or null for a foreign id. */
export function parseClientOrderId(clientOrderId: string): { intentId: IntentId; attempt: number } | null {
  const m = /^stk-([0-9a-z]{1,10}-[0-9a-z]{1,8})(?:-([0-9a-z]{1,11}))?$/.exec(clientOrderId);
  if (m === null || m[1] === undefined) return null;
  const attempt = m[2] === undefined ? 0 : Number.parseInt(m[2], 36);
  if (m[2] !== undefined && attempt === 0) return null;
  return { intentId: m[1], attempt };
}

const DecimalString = z.string().check(z.refine(isDecimal, 'not a decimal string'));
const SymbolName = z.string().check(z.regex(/^[A-Z0-9]{2,30}$/));
const Side = z.enum(['BUY', 'SELL']);
const PositionSide = z.enum(['BOTH', 'LONG', 'SHORT']);

/**
 * A caller-chosen client id (e.g. the protector's own `sl-…` ids, which its state refers to). When given, every
 * attempt of the intent uses it unchanged; that is safe because a re-send happens only after the previous attempt is
 * proven absent or was definitively refused, so the id is never on two live orders.
 */
const ClientId = z.string().check(z.regex(CLIENT_ORDER_ID_PATTERN));

/** A plain order (`POST /fapi/v1/order`): since 2025-12-09 only LIMIT and MARKET go there (fact sheet §0.1). */
export const OrderIntentSchema = z.strictObject({
  kind: z.literal('order'),
  id: IntentIdSchema,
  clientId: z.optional(ClientId),
  symbol: SymbolName,
  side: Side,
  type: z.enum(['MARKET', 'LIMIT']),
  quantity: DecimalString,
  price: z.optional(DecimalString),
  timeInForce: z.optional(z.enum(['GTC', 'IOC', 'FOK', 'GTX', 'GTD'])),
  goodTillDate: z.optional(z.int()),
  reduceOnly: z.optional(z.boolean()),
  positionSide: z.optional(PositionSide),
  /**
   * The entry price the ticket was sized at (the limit, or the book's far side), never sent: a restarted worker that
   * finds the order unanswered in the journal protects it at this price before any read (session.ts).
   */
  expectedPrice: z.optional(DecimalString),
});
export type OrderIntent = z.infer<typeof OrderIntentSchema>;

/** A conditional order on the Algo Service (`POST /fapi/v1/algoOrder`, `algoType=CONDITIONAL`, fact sheet §4.8). */
export const AlgoIntentSchema = z.strictObject({
  kind: z.literal('algo'),
  id: IntentIdSchema,
  clientId: z.optional(ClientId),
  symbol: SymbolName,
  side: Side,
  type: z.enum(['STOP_MARKET', 'TAKE_PROFIT_MARKET', 'STOP', 'TAKE_PROFIT', 'TRAILING_STOP_MARKET']),
  quantity: z.optional(DecimalString),
  price: z.optional(DecimalString),
  triggerPrice: z.optional(DecimalString),
  timeInForce: z.optional(z.enum(['GTC', 'IOC', 'FOK', 'GTX', 'GTD'])),
  workingType: z.optional(z.enum(['MARK_PRICE', 'CONTRACT_PRICE'])),
  priceProtect: z.optional(z.boolean()),
  closePosition: z.optional(z.boolean()),
  reduceOnly: z.optional(z.boolean()),
  positionSide: z.optional(PositionSide),
  activatePrice: z.optional(DecimalString),
  callbackRate: z.optional(DecimalString),
});
export type AlgoIntent = z.infer<typeof AlgoIntentSchema>;

/** Cancel one of Strike's plain orders, addressed by its client order id. */
export const CancelIntentSchema = z.strictObject({
  kind: z.literal('cancel'),
  id: IntentIdSchema,
  symbol: SymbolName,
  origClientOrderId: z.string().check(z.regex(CLIENT_ORDER_ID_PATTERN)),
});
export type CancelIntent = z.infer<typeof CancelIntentSchema>;

/** Cancel an algo order by its `clientAlgoId` (`DELETE /fapi/v1/algoOrder`, fact sheet §3). */
export const CancelAlgoIntentSchema = z.strictObject({
  kind: z.literal('cancel-algo'),
  id: IntentIdSchema,
  symbol: SymbolName,
  clientAlgoId: z.string().check(z.regex(CLIENT_ORDER_ID_PATTERN)),
});
export type CancelAlgoIntent = z.infer<typeof CancelAlgoIntentSchema>;

export const IntentSchema = z.discriminatedUnion('kind', [
  OrderIntentSchema,
  AlgoIntentSchema,
  CancelIntentSchema,
  CancelAlgoIntentSchema,
]);
export type Intent = z.infer<typeof IntentSchema>;

/**
 * What the rate limiter keeps its last share for (rate-limiter.ts): a cancel, and any order that can only reduce a
 * position (reduce-only, close-position, or the closing side of a hedge-mode position, §4.3), is protective; an order
 * that can open or add exposure is routine, so under a tight budget a new entry is refused before a stop or a close.
 * Of the reducing orders, a STOP_MARKET (the stop that protects the position) and a MARKET close are critical: they
 * may use the margin the limiter keeps below each limit, which trailing tiers, take-profits and limit closes may not.
 */
export function priorityOf(intent: Intent): RequestPriority {
  if (intent.kind === 'cancel' || intent.kind === 'cancel-algo') return 'protective';
  const closesHedgeSide = (intent.positionSide === 'LONG' && intent.side === 'SELL') || (intent.positionSide === 'SHORT' && intent.side === 'BUY');
  const closes = intent.kind === 'algo' && intent.closePosition === true;
  if (!(intent.reduceOnly === true || closes || closesHedgeSide)) return 'routine';
  const urgent = intent.kind === 'algo' ? intent.type === 'STOP_MARKET' : intent.type === 'MARKET';
  return urgent ? 'critical' : 'protective';
}

/**
 * The exchange parameters of an intent's `attempt`, without `timestamp`/`recvWindow`/`signature` (added when the
 * request is signed). Booleans are sent as `"true"`/`"false"` (fact sheet §4.3); algo `priceProtect` as
 * `"TRUE"`/`"FALSE"` (fact sheet §4.5).
 */
export function requestParamsFor(intent: Intent, attempt: number): Record<string, string> {
  // DELETE /fapi/v1/algoOrder takes only algoId or clientAlgoId (§3); an unread extra param risks -1104.
  if (intent.kind === 'cancel-algo') return { clientAlgoId: intent.clientAlgoId };
  const p: Record<string, string> = { symbol: intent.symbol };
  const put = (k: string, v: string | undefined): void => {
    if (v !== undefined) p[k] = v;
  };
  switch (intent.kind) {
    case 'order':
      p.side = intent.side;
      p.type = intent.type;
      p.quantity = intent.quantity;
      put('price', intent.price);
      put('timeInForce', intent.timeInForce ?? (intent.type === 'LIMIT' ? 'GTC' : undefined));
      put('goodTillDate', intent.goodTillDate?.toString());
      put('reduceOnly', intent.reduceOnly?.toString());
      put('positionSide', intent.positionSide);
      p.newClientOrderId = intent.clientId ?? clientOrderIdFor(intent.id, attempt);
      // RESULT returns the final state of MARKET/IOC orders in the same round trip (fact sheet §4.10).
      p.newOrderRespType = 'RESULT';
      return p;
    case 'algo':
      p.algoType = 'CONDITIONAL';
      p.side = intent.side;
      p.type = intent.type;
      put('quantity', intent.quantity);
      put('price', intent.price);
      put('triggerPrice', intent.triggerPrice);
      put('timeInForce', intent.timeInForce);
      put('workingType', intent.workingType);
      put('priceProtect', intent.priceProtect === undefined ? undefined : intent.priceProtect ? 'TRUE' : 'FALSE');
      put('closePosition', intent.closePosition?.toString());
      put('reduceOnly', intent.reduceOnly?.toString());
      put('positionSide', intent.positionSide);
      put('activatePrice', intent.activatePrice);
      put('callbackRate', intent.callbackRate);
      p.clientAlgoId = intent.clientId ?? clientOrderIdFor(intent.id, attempt);
      return p;
    case 'cancel':
      p.origClientOrderId = intent.origClientOrderId;
      return p;
  }
}

/**
 * The client id the exchange will know the affected order by: the new order's id for placements, the target's id
 * for cancels. Reconciliation queries by this id.
 */
export function targetClientIdFor(intent: Intent, attempt: number): string {
  switch (intent.kind) {
    case 'order':
    case 'algo':
      return intent.clientId ?? clientOrderIdFor(intent.id, attempt);
    case 'cancel':
      return intent.origClientOrderId;
    case 'cancel-algo':
      return intent.clientAlgoId;
  }
}

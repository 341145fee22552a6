/**
 * Shapes of the protection engine: its configuration, its persisted state, the events it consumes and the effects
 * it asks the runner to carry out. Every type is inferred from a zod schema so the runner can parse persisted state
 * (chrome.storage) and events built from exchange payloads at the boundary, and nothing is written twice.
 */
import { gt, isDecimal, lt, lte } from '../../shared/decimal.ts';
import { z } from '../../shared/zod.ts';
import { SymbolNameSchema } from '../exchange-info.ts';

/** Binance's clientAlgoId / newClientOrderId rule (fact sheet §4.7). */
export const CLIENT_ID_RE = /^[.A-Z:/a-z0-9_-]{1,36}$/;

// `abort` stops the chain so the comparisons below only ever see decimal strings.
const Dec = z.string().check(z.refine(isDecimal, { message: 'expected a decimal string', abort: true }));
const PositiveDec = Dec.check(z.refine((x) => gt(x, '0'), { message: 'expected a positive decimal' }));
const NonNegInt = z.int().check(z.nonnegative());
/** Epoch milliseconds. */
const Ms = NonNegInt;
const ClientId = z.string().check(z.regex(CLIENT_ID_RE));
/** A percentage below 100: a 100 % safety stop or trail would put a long's stop at zero. */
const Under100 = PositiveDec.check(z.refine((x) => lt(x, '100')));
const TierIndex = z.int().check(z.minimum(0), z.maximum(9));
const Attempts = z.int().check(z.minimum(1), z.maximum(10));
const SymbolName = SymbolNameSchema;

/** `BOTH` in one-way mode, `LONG`/`SHORT` in hedge mode (fact sheet §4.3). */
export const PositionSideSchema = z.enum(['BOTH', 'LONG', 'SHORT']);
export type PositionSide = z.infer<typeof PositionSideSchema>;

export const OrderSideSchema = z.enum(['BUY', 'SELL']);
export type OrderSide = z.infer<typeof OrderSideSchema>;

export const DirectionSchema = z.enum(['long', 'short']);
export type Direction = z.infer<typeof DirectionSchema>;

/** `native`: the exchange trails (TRAILING_STOP_MARKET per tier); `worker`: the reducer moves one STOP_MARKET. */
export const ProtectionModeSchema = z.enum(['native', 'worker']);
export type ProtectionMode = z.infer<typeof ProtectionModeSchema>;

/** One ASL tier: once the mark has moved `triggerPct` % in favour of the entry, trail the best mark by `trailPct` %. */
export const TierSchema = z.strictObject({ triggerPct: PositiveDec, trailPct: Under100 });
export type Tier = z.infer<typeof TierSchema>;

/**
 * Per-profile settings. Tiers must be ordered by rising trigger with a trail that never widens: the reducer relies
 * on "the highest tier reached is the tightest" both for the worker stop and for the native set (where all trailing
 * orders track the same extreme price, so the tightest one fires first).
 */
export const ProtectionConfigSchema = z.strictObject({
  mode: ProtectionModeSchema,
  /** Distance of the safety stop from the entry price, in percent ("10" → long stop at entry × 0.90). */
  safetyStopPct: Under100,
  tiers: z.array(TierSchema).check(
    z.maxLength(9),
    z.refine(
      (ts) =>
        ts.every((t) => isDecimal(t.triggerPct) && isDecimal(t.trailPct)) &&
        ts.every((t, i) => i === 0 || (gt(t.triggerPct, ts[i - 1]?.triggerPct ?? '0') && lte(t.trailPct, ts[i - 1]?.trailPct ?? t.trailPct))),
      { message: 'tiers must have rising triggers and non-widening trails' },
    ),
  ),
  /** Bound on placement attempts per protective order (retries and the safety fallback share it). */
  maxPlaceAttempts: Attempts,
  /** Bound on cancel attempts per order before it is left to the next openAlgoOrders reconcile. */
  maxCancelAttempts: Attempts,
  /** Bound on reduce-only market close attempts after a stop would have triggered immediately. */
  maxCloseAttempts: Attempts,
});
export type ProtectionConfig = z.infer<typeof ProtectionConfigSchema>;

/** The defaults: native mode, −10 % safety stop, tiers +1 %/2 %, +2 %/1.5 %, +4 %/1 %. */
export const DEFAULT_PROTECTION_CONFIG: ProtectionConfig = {
  mode: 'native',
  safetyStopPct: '10',
  tiers: [
    { triggerPct: '1', trailPct: '2' },
    { triggerPct: '2', trailPct: '1.5' },
    { triggerPct: '4', trailPct: '1' },
  ],
  maxPlaceAttempts: 3,
  maxCancelAttempts: 3,
  maxCloseAttempts: 3,
};

/**
 * Parameters of `POST /fapi/v1/algoOrder` as decimal strings (fact sheet §4.8). `reduceOnly` is absent in hedge
 * mode, where Binance refuses it and closing is expressed by SELL+LONG / BUY+SHORT (§4.3).
 */
export const AlgoOrderParamsSchema = z.strictObject({
  algoType: z.literal('CONDITIONAL'),
  symbol: SymbolName,
  side: OrderSideSchema,
  positionSide: PositionSideSchema,
  type: z.enum(['STOP_MARKET', 'TRAILING_STOP_MARKET']),
  quantity: PositiveDec,
  reduceOnly: z.optional(z.literal('true')),
  triggerPrice: z.optional(PositiveDec),
  activatePrice: z.optional(PositiveDec),
  callbackRate: z.optional(PositiveDec),
  workingType: z.literal('MARK_PRICE'),
  clientAlgoId: ClientId,
});
export type AlgoOrderParams = z.infer<typeof AlgoOrderParamsSchema>;

/** Parameters of the reduce-only `MARKET` order sent through `POST /fapi/v1/order` (fact sheet §3, §4.3). */
export const CloseOrderParamsSchema = z.strictObject({
  symbol: SymbolName,
  side: OrderSideSchema,
  positionSide: PositionSideSchema,
  type: z.literal('MARKET'),
  quantity: PositiveDec,
  reduceOnly: z.optional(z.literal('true')),
  newClientOrderId: ClientId,
});
export type CloseOrderParams = z.infer<typeof CloseOrderParamsSchema>;

/**
 * A protective order the engine owns. `gen` groups the members of one protective set: a newer generation replaces
 * an older one only once every member of the newer one is live on the exchange (no gap).
 */
export const ProtectiveOrderSchema = z.strictObject({
  clientAlgoId: ClientId,
  /** Binance's algoId as a decimal string; absent until accepted (or when adopted through a -4116 duplicate). */
  algoId: z.optional(z.string()),
  gen: NonNegInt,
  role: z.enum(['stop', 'trail']),
  /** 1-based tier index for trailing members, 0 for the stop. */
  tier: TierIndex,
  params: AlgoOrderParamsSchema,
  status: z.enum(['placing', 'live', 'canceling', 'triggered']),
  attempts: NonNegInt,
  cancelAttempts: NonNegInt,
  /** Set on an older-generation order still being placed when its replacement went live: cancel it on accept. */
  cancelOnAccept: z.boolean(),
  /** Trader-facing text to send once this order is accepted. */
  acceptNote: z.nullable(z.string()),
  /**
   * The engine's step number (`ProtectionState.seq`) at which the order became live; absent while it is being
   * placed. A reconcile whose read began before that step cannot have seen it (see `openAlgoOrders.sinceSeq`).
   */
  liveSeq: z.optional(NonNegInt),
});
export type ProtectiveOrder = z.infer<typeof ProtectiveOrderSchema>;

export const PositionRecordSchema = z.strictObject({
  symbol: SymbolName,
  positionSide: PositionSideSchema,
  direction: DirectionSchema,
  /** Absolute position size; "0" while the record lingers to cancel its orders after the position closed. */
  size: Dec,
  entryPrice: Dec,
  mode: ProtectionModeSchema,
  /** Highest tier reached (0 = none); never decreases while the position is open. */
  tier: TierIndex,
  /** Most favourable mark since the first tier was reached. */
  bestMark: z.nullable(Dec),
  lastMark: z.nullable(Dec),
  /** Stop price of the current generation (the ratchet reference). */
  stopPrice: z.nullable(Dec),
  gen: NonNegInt,
  orders: z.array(ProtectiveOrderSchema),
  firstFillAtMs: z.nullable(Ms),
  firstProtectedAtMs: z.nullable(Ms),
  closing: z.nullable(z.strictObject({ clientOrderId: ClientId, attempts: z.int().check(z.positive()) })),
  /** A protective order triggered: no stop moves until the position changes. */
  frozen: z.boolean(),
  /** Placement attempts were exhausted: no mark-driven retries until the position changes or a reconcile. */
  gaveUp: z.boolean(),
  /** No tick size known for the symbol yet: placement waits for `symbolRules`. */
  awaitingRules: z.boolean(),
});
export type PositionRecord = z.infer<typeof PositionRecordSchema>;

/**
 * A reduce-only stop for an entry whose effect on the position the engine could not confirm (`unconfirmedEntry`):
 * it protects the entry as if it opened a position on its own side, next to whatever the engine's view holds,
 * until a report of the position from the stream or a read settles it. Reduce-only, it cannot open a position.
 */
export const ProvisionalStopSchema = z.strictObject({
  posKey: z.string(),
  direction: DirectionSchema,
  params: AlgoOrderParamsSchema,
  status: z.enum(['placing', 'live', 'canceling', 'triggered']),
  algoId: z.optional(z.string()),
  attempts: NonNegInt,
  cancelAttempts: NonNegInt,
  /** The step at which it became live (see ProtectiveOrder.liveSeq). */
  liveSeq: z.optional(NonNegInt),
  /** A report of the position came after it: the position's own protection decides, and it goes once not needed. */
  settled: z.boolean(),
});
export type ProvisionalStop = z.infer<typeof ProvisionalStopSchema>;

export const SymbolRuleSchema = z.strictObject({ symbol: SymbolName, tickSize: PositiveDec, minPrice: Dec });
export type SymbolRule = z.infer<typeof SymbolRuleSchema>;

/** Persisted engine state (JSON-serialisable; the runner stores it after every step). */
export const ProtectionStateSchema = z.strictObject({
  rules: z.record(z.string(), z.strictObject({ tickSize: PositiveDec, minPrice: Dec })),
  /** Keyed by `posKey(symbol, positionSide)`. */
  positions: z.record(z.string(), PositionRecordSchema),
  /** Per-position id sequence; survives the position so ids are never reused while an old order may be open. */
  counters: z.record(z.string(), NonNegInt),
  /**
   * The trader's initial stop per position key and direction (`BTCUSDT:BOTH:long`, engine.traderStopKey), set
   * before or after the entry.
   */
  traderStops: z.record(z.string(), PositiveDec),
  /**
   * Per position key, the time of the last authoritative position snapshot: fills at or before it are already in
   * it. Kept after the record is dropped so a late close fill cannot resurrect a phantom position.
   */
  snapshots: z.record(z.string(), Ms),
  /** Steps applied so far: a logical clock that orders events as the engine applied them, whatever their time. */
  seq: z._default(NonNegInt, 0),
  /**
   * Per position key, the step of the last position or fill event from the user stream. A reconcile read that began
   * before it is older than what the stream said, and must not overwrite it. Kept after the record is dropped.
   */
  streamSeq: z._default(z.record(z.string(), NonNegInt), {}),
  /** Provisional stops by clientAlgoId (ProvisionalStopSchema). */
  provisional: z._default(z.record(z.string(), ProvisionalStopSchema), {}),
});
export type ProtectionState = z.infer<typeof ProtectionStateSchema>;

/** A position as ACCOUNT_UPDATE (`P[]`: s, ps, pa, ep) or positionRisk reports it; `amount` is signed. */
export const PositionSnapshotSchema = z.strictObject({
  symbol: SymbolName,
  positionSide: PositionSideSchema,
  amount: Dec,
  entryPrice: Dec,
});
export type PositionSnapshot = z.infer<typeof PositionSnapshotSchema>;

/** An open algo order as `GET /fapi/v1/openAlgoOrders` lists it (fact sheet §3.3). */
export const OpenAlgoOrderSchema = z.strictObject({
  algoId: z.string(),
  clientAlgoId: z.string(),
  symbol: SymbolName,
  side: OrderSideSchema,
  positionSide: PositionSideSchema,
  orderType: z.string(),
  quantity: Dec,
  triggerPrice: z.optional(Dec),
  activatePrice: z.optional(Dec),
  callbackRate: z.optional(Dec),
  closePosition: z.boolean(),
  reduceOnly: z.boolean(),
});
export type OpenAlgoOrder = z.infer<typeof OpenAlgoOrderSchema>;

const at = { atMs: Ms };
/** What filled: of one trade (`fill`), or of an order by its answer (`unconfirmedEntry`). */
const execution = { symbol: SymbolName, positionSide: PositionSideSchema, side: OrderSideSchema, qty: PositiveDec, price: PositiveDec, ...at };

/** Everything the engine reacts to. Every event carries its own time; the engine never reads a clock. */
export const ProtectionEventSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('position'), ...PositionSnapshotSchema.shape, ...at }),
  /**
   * One execution from ORDER_TRADE_UPDATE (x=TRADE): `l` last qty, `L` last price, `S`, `ps` (§8). `atMs` must be
   * the transaction time `T`, and a `position` event's `atMs` ACCOUNT_UPDATE's `T`: fills are matched against
   * snapshots by these times.
   */
  z.strictObject({ type: z.literal('fill'), ...execution }),
  z.strictObject({ type: z.literal('mark'), symbol: SymbolName, price: PositiveDec, ...at }),
  /**
   * An entry that filled, by its answer, without the user stream confirming it: the engine's view of the position
   * may be stale (a stop that closed it unseen while the stream was silent). It is protected as if it opened a
   * position of `qty` at `price` on its side (ProvisionalStopSchema) unless the view already protects that side.
   */
  z.strictObject({ type: z.literal('unconfirmedEntry'), ...execution }),
  /**
   * The trader's initial stop for the position an entry on `side` opens or adds to (null clears it and returns to
   * the safety stop).
   */
  z.strictObject({
    type: z.literal('traderStop'),
    symbol: SymbolName,
    positionSide: PositionSideSchema,
    side: OrderSideSchema,
    stopPrice: z.nullable(PositiveDec),
    ...at,
  }),
  z.strictObject({ type: z.literal('algoAccepted'), clientAlgoId: z.string(), algoId: z.string(), symbol: SymbolName, ...at }),
  z.strictObject({ type: z.literal('algoRejected'), clientAlgoId: z.string(), code: z.int(), msg: z.string(), ...at }),
  z.strictObject({ type: z.literal('algoCanceled'), clientAlgoId: z.string(), ...at }),
  z.strictObject({ type: z.literal('cancelFailed'), clientAlgoId: z.string(), code: z.int(), msg: z.string(), ...at }),
  /** ALGO_UPDATE X=TRIGGERING/TRIGGERED (§8). */
  z.strictObject({ type: z.literal('algoTriggered'), clientAlgoId: z.string(), ...at }),
  /**
   * A STOP_MARKET placement still without an outcome at the runner's deadline (the exactly-once path can take seconds
   * under stacked faults: an answer lost, then the REST copy held): its position may have no stop on the exchange.
   */
  z.strictObject({ type: z.literal('stopOverdue'), clientAlgoId: z.string(), ...at }),
  /** ALGO_UPDATE X=FINISHED (child order done) or EXPIRED/REJECTED (it died without closing; `rm` is the reason). */
  z.strictObject({
    type: z.literal('algoFinished'),
    clientAlgoId: z.string(),
    status: z.enum(['FINISHED', 'EXPIRED', 'REJECTED']),
    reason: z.string(),
    ...at,
  }),
  /**
   * Startup/reconnect reconcile: the full position list (positions not listed are flat) and the open algo orders,
   * read together so resident stops are adopted before anything new is placed.
   */
  z.strictObject({
    type: z.literal('openAlgoOrders'),
    positions: z.array(PositionSnapshotSchema),
    orders: z.array(OpenAlgoOrderSchema),
    /**
     * The engine's `seq` when the reads were sent. The reads take their time (latency, the rate limiter's hold) while
     * the stream goes on: a position the stream changed, or an order that became live, after this step is newer than
     * the read, which then says nothing about it. Absent: the read is taken as current.
     */
    sinceSeq: z.optional(NonNegInt),
    /**
     * Per position key (flat rows included), the row's `updateTime` on the exchange's clock: the last change of that
     * position the read includes. A fill at or before it is in the read, one after it is not, whenever the read's
     * answer is handled. Absent for a key: the event's own time stands in.
     */
    positionTimes: z.optional(z.record(z.string(), Ms)),
    /**
     * Client ids whose placement is running in this worker when the reconcile is applied: its outcome is on its way
     * and decides, so a read that does not list the order (sent before it arrived, or served while it was still on
     * the wire) does not mean it is gone. Absent: none.
     */
    inFlight: z.optional(z.array(ClientId)),
    ...at,
  }),
  z.strictObject({ type: z.literal('symbolRules'), rules: z.array(SymbolRuleSchema), ...at }),
  z.strictObject({
    type: z.literal('closeResult'),
    clientOrderId: z.string(),
    ok: z.boolean(),
    code: z.nullable(z.int()),
    msg: z.string(),
    ...at,
  }),
]);
export type ProtectionEvent = z.infer<typeof ProtectionEventSchema>;

/** What the runner must do. Results come back as events (algoAccepted, algoRejected, closeResult, ...). */
export const EffectSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('placeAlgo'), posKey: z.string(), params: AlgoOrderParamsSchema }),
  /** `DELETE /fapi/v1/algoOrder` by algoId when known, else by clientAlgoId (§3). */
  z.strictObject({
    type: z.literal('cancelAlgo'),
    posKey: z.string(),
    symbol: SymbolName,
    clientAlgoId: z.string(),
    algoId: z.optional(z.string()),
  }),
  z.strictObject({ type: z.literal('closeMarket'), posKey: z.string(), params: CloseOrderParamsSchema }),
  z.strictObject({ type: z.literal('notify'), posKey: z.string(), level: z.enum(['info', 'warn', 'error']), text: z.string() }),
]);
export type Effect = z.infer<typeof EffectSchema>;

/** The state a fresh install starts from. */
export function emptyProtectionState(): ProtectionState {
  return { rules: {}, positions: {}, counters: {}, traderStops: {}, snapshots: {}, seq: 0, streamSeq: {}, provisional: {} };
}

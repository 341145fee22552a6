/**
 * Shapes of the protection engine: its configuration, its persisted state, the events it consumes and the effects
 * it asks the runner to carry out. Every type is inferred from a zod schema so the runner can parse persisted state
 * (chrome.storage) and events built from exchange payloads at the boundary, and nothing is written twice.
 */
import { z } from 'zod';
import { gt, isDecimal, lt, lte } from '../../shared/decimal.ts';

/** Binance's clientAlgoId / newClientOrderId rule (fact sheet §4.7). */
export const CLIENT_ID_RE = /^[.A-Z:/a-z0-9_-]{1,36}$/;

// `abort` stops the chain so the comparisons below only ever see decimal strings.
const Dec = z.string().refine(isDecimal, { message: 'expected a decimal string', abort: true });
const PositiveDec = Dec.refine((x) => gt(x, '0'), { message: 'expected a positive decimal' });
const Ms = z.number().int().nonnegative();
const ClientId = z.string().regex(CLIENT_ID_RE);

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
export const TierSchema = z.strictObject({ triggerPct: PositiveDec, trailPct: PositiveDec.refine((x) => lt(x, '100')) });
export type Tier = z.infer<typeof TierSchema>;

/**
 * Per-profile settings. Tiers must be ordered by rising trigger with a trail that never widens: the reducer relies
 * on "the highest tier reached is the tightest" both for the worker stop and for the native set (where all trailing
 * orders track the same extreme price, so the tightest one fires first).
 */
export const ProtectionConfigSchema = z.strictObject({
  mode: ProtectionModeSchema,
  /** Distance of the safety stop from the entry price, in percent ("10" → long stop at entry × 0.90). */
  safetyStopPct: PositiveDec.refine((x) => lt(x, '100')),
  tiers: z
    .array(TierSchema)
    .max(9)
    .refine(
      (ts) =>
        ts.every((t) => isDecimal(t.triggerPct) && isDecimal(t.trailPct)) &&
        ts.every((t, i) => i === 0 || (gt(t.triggerPct, ts[i - 1]?.triggerPct ?? '0') && lte(t.trailPct, ts[i - 1]?.trailPct ?? t.trailPct))),
      { message: 'tiers must have rising triggers and non-widening trails' },
    ),
  /** Bound on placement attempts per protective order (retries and the safety fallback share it). */
  maxPlaceAttempts: z.number().int().min(1).max(10),
  /** Bound on cancel attempts per order before it is left to the next openAlgoOrders reconcile. */
  maxCancelAttempts: z.number().int().min(1).max(10),
  /** Bound on reduce-only market close attempts after a stop would have triggered immediately. */
  maxCloseAttempts: z.number().int().min(1).max(10),
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
  symbol: z.string().min(1),
  side: OrderSideSchema,
  positionSide: PositionSideSchema,
  type: z.enum(['STOP_MARKET', 'TRAILING_STOP_MARKET']),
  quantity: PositiveDec,
  reduceOnly: z.literal('true').optional(),
  triggerPrice: PositiveDec.optional(),
  activatePrice: PositiveDec.optional(),
  callbackRate: PositiveDec.optional(),
  workingType: z.literal('MARK_PRICE'),
  clientAlgoId: ClientId,
});
export type AlgoOrderParams = z.infer<typeof AlgoOrderParamsSchema>;

/** Parameters of the reduce-only `MARKET` order sent through `POST /fapi/v1/order` (fact sheet §3, §4.3). */
export const CloseOrderParamsSchema = z.strictObject({
  symbol: z.string().min(1),
  side: OrderSideSchema,
  positionSide: PositionSideSchema,
  type: z.literal('MARKET'),
  quantity: PositiveDec,
  reduceOnly: z.literal('true').optional(),
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
  algoId: z.string().optional(),
  gen: z.number().int().nonnegative(),
  role: z.enum(['stop', 'trail']),
  /** 1-based tier index for trailing members, 0 for the stop. */
  tier: z.number().int().min(0).max(9),
  params: AlgoOrderParamsSchema,
  status: z.enum(['placing', 'live', 'canceling', 'triggered']),
  attempts: z.number().int().nonnegative(),
  cancelAttempts: z.number().int().nonnegative(),
  /** Set on an older-generation order still being placed when its replacement went live: cancel it on accept. */
  cancelOnAccept: z.boolean(),
  /** Trader-facing text to send once this order is accepted. */
  acceptNote: z.string().nullable(),
  /**
   * The engine's step number (`ProtectionState.seq`) at which the order became live; absent while it is being
   * placed. A reconcile whose read began before that step cannot have seen it (see `openAlgoOrders.sinceSeq`).
   */
  liveSeq: z.number().int().nonnegative().optional(),
});
export type ProtectiveOrder = z.infer<typeof ProtectiveOrderSchema>;

export const PositionRecordSchema = z.strictObject({
  symbol: z.string().min(1),
  positionSide: PositionSideSchema,
  direction: DirectionSchema,
  /** Absolute position size; "0" while the record lingers to cancel its orders after the position closed. */
  size: Dec,
  entryPrice: Dec,
  mode: ProtectionModeSchema,
  /** Highest tier reached (0 = none); never decreases while the position is open. */
  tier: z.number().int().min(0).max(9),
  /** Most favourable mark since the first tier was reached. */
  bestMark: Dec.nullable(),
  lastMark: Dec.nullable(),
  /** Stop price of the current generation (the ratchet reference). */
  stopPrice: Dec.nullable(),
  gen: z.number().int().nonnegative(),
  orders: z.array(ProtectiveOrderSchema),
  firstFillAtMs: Ms.nullable(),
  firstProtectedAtMs: Ms.nullable(),
  closing: z.strictObject({ clientOrderId: ClientId, attempts: z.number().int().positive() }).nullable(),
  /** A protective order triggered: no stop moves until the position changes. */
  frozen: z.boolean(),
  /** Placement attempts were exhausted: no mark-driven retries until the position changes or a reconcile. */
  gaveUp: z.boolean(),
  /** No tick size known for the symbol yet: placement waits for `symbolRules`. */
  awaitingRules: z.boolean(),
});
export type PositionRecord = z.infer<typeof PositionRecordSchema>;

export const SymbolRuleSchema = z.strictObject({ symbol: z.string().min(1), tickSize: PositiveDec, minPrice: Dec });
export type SymbolRule = z.infer<typeof SymbolRuleSchema>;

/** Persisted engine state (JSON-serialisable; the runner stores it after every step). */
export const ProtectionStateSchema = z.strictObject({
  rules: z.record(z.string(), z.strictObject({ tickSize: PositiveDec, minPrice: Dec })),
  /** Keyed by `posKey(symbol, positionSide)`. */
  positions: z.record(z.string(), PositionRecordSchema),
  /** Per-position id sequence; survives the position so ids are never reused while an old order may be open. */
  counters: z.record(z.string(), z.number().int().nonnegative()),
  /** The trader's initial stop per position key, set before or after the entry. */
  traderStops: z.record(z.string(), PositiveDec),
  /**
   * Per position key, the time of the last authoritative position snapshot: fills at or before it are already in
   * it. Kept after the record is dropped so a late close fill cannot resurrect a phantom position.
   */
  snapshots: z.record(z.string(), Ms),
  /** Steps applied so far: a logical clock that orders events as the engine applied them, whatever their time. */
  seq: z.number().int().nonnegative().default(0),
  /**
   * Per position key, the step of the last position or fill event from the user stream. A reconcile read that began
   * before it is older than what the stream said, and must not overwrite it. Kept after the record is dropped.
   */
  streamSeq: z.record(z.string(), z.number().int().nonnegative()).default({}),
});
export type ProtectionState = z.infer<typeof ProtectionStateSchema>;

/** A position as ACCOUNT_UPDATE (`P[]`: s, ps, pa, ep) or positionRisk reports it; `amount` is signed. */
export const PositionSnapshotSchema = z.strictObject({
  symbol: z.string().min(1),
  positionSide: PositionSideSchema,
  amount: Dec,
  entryPrice: Dec,
});
export type PositionSnapshot = z.infer<typeof PositionSnapshotSchema>;

/** An open algo order as `GET /fapi/v1/openAlgoOrders` lists it (fact sheet §3.3). */
export const OpenAlgoOrderSchema = z.strictObject({
  algoId: z.string(),
  clientAlgoId: z.string(),
  symbol: z.string().min(1),
  side: OrderSideSchema,
  positionSide: PositionSideSchema,
  orderType: z.string(),
  quantity: Dec,
  triggerPrice: Dec.optional(),
  activatePrice: Dec.optional(),
  callbackRate: Dec.optional(),
  closePosition: z.boolean(),
  reduceOnly: z.boolean(),
});
export type OpenAlgoOrder = z.infer<typeof OpenAlgoOrderSchema>;

const at = { atMs: Ms };

/** Everything the engine reacts to. Every event carries its own time; the engine never reads a clock. */
export const ProtectionEventSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('position'), ...PositionSnapshotSchema.shape, ...at }),
  /**
   * One execution from ORDER_TRADE_UPDATE (x=TRADE): `l` last qty, `L` last price, `S`, `ps` (§8). `atMs` must be
   * the transaction time `T`, and a `position` event's `atMs` ACCOUNT_UPDATE's `T`: fills are matched against
   * snapshots by these times.
   */
  z.strictObject({
    type: z.literal('fill'),
    symbol: z.string().min(1),
    positionSide: PositionSideSchema,
    side: OrderSideSchema,
    qty: PositiveDec,
    price: PositiveDec,
    ...at,
  }),
  z.strictObject({ type: z.literal('mark'), symbol: z.string().min(1), price: PositiveDec, ...at }),
  /** The trader's initial stop for a position (null clears it and returns to the safety stop). */
  z.strictObject({
    type: z.literal('traderStop'),
    symbol: z.string().min(1),
    positionSide: PositionSideSchema,
    stopPrice: PositiveDec.nullable(),
    ...at,
  }),
  z.strictObject({ type: z.literal('algoAccepted'), clientAlgoId: z.string(), algoId: z.string(), symbol: z.string().min(1), ...at }),
  z.strictObject({ type: z.literal('algoRejected'), clientAlgoId: z.string(), code: z.number().int(), msg: z.string(), ...at }),
  z.strictObject({ type: z.literal('algoCanceled'), clientAlgoId: z.string(), ...at }),
  z.strictObject({ type: z.literal('cancelFailed'), clientAlgoId: z.string(), code: z.number().int(), msg: z.string(), ...at }),
  /** ALGO_UPDATE X=TRIGGERING/TRIGGERED (§8). */
  z.strictObject({ type: z.literal('algoTriggered'), clientAlgoId: z.string(), ...at }),
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
    sinceSeq: z.number().int().nonnegative().optional(),
    ...at,
  }),
  z.strictObject({ type: z.literal('symbolRules'), rules: z.array(SymbolRuleSchema), ...at }),
  z.strictObject({
    type: z.literal('closeResult'),
    clientOrderId: z.string(),
    ok: z.boolean(),
    code: z.number().int().nullable(),
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
    symbol: z.string().min(1),
    clientAlgoId: z.string(),
    algoId: z.string().optional(),
  }),
  z.strictObject({ type: z.literal('closeMarket'), posKey: z.string(), params: CloseOrderParamsSchema }),
  z.strictObject({ type: z.literal('notify'), posKey: z.string(), level: z.enum(['info', 'warn', 'error']), text: z.string() }),
]);
export type Effect = z.infer<typeof EffectSchema>;

/** The state a fresh install starts from. */
export function emptyProtectionState(): ProtectionState {
  return { rules: {}, positions: {}, counters: {}, traderStops: {}, snapshots: {}, seq: 0, streamSeq: {} };
}

/**
 * Zod schemas for what Binance sends: REST bodies (order object §3.2, algo object §3.3, positions, balances,
 * errors §5) and stream events (§7, §8). Objects are parsed with `z.object`, not `z.strictObject`, on purpose:
 * Binance adds fields without notice (`ap`, `st`, `ps` on streams in 2026, `modifyId`, ...; fact sheet §0.5), and a
 * new field must not take trading down. Unknown fields are dropped; the fields we use are required and typed.
 * Prices and quantities stay decimal strings; ids and times are integers (fact sheet §10).
 */
import { z } from '../../shared/zod.ts';
import { SymbolNameSchema } from '../../core/exchange-info.ts';

const Dec = z.string().check(z.regex(/^-?\d+(\.\d+)?$/));
const Int = z.int();

/** `{"code": -2013, "msg": "Order does not exist."}` (§5). */
export const BinanceErrorBodySchema = z.object({ code: Int, msg: z.string() });

export const ServerTimeSchema = z.object({ serverTime: Int });

export const ListenKeySchema = z.object({ listenKey: z.string().check(z.minLength(1)) });

/** Order object (§3.2). */
export const OrderSchema = z.object({
  orderId: Int,
  symbol: SymbolNameSchema,
  status: z.string(),
  clientOrderId: z.string(),
  price: Dec,
  avgPrice: z.optional(Dec),
  origQty: Dec,
  executedQty: Dec,
  cumQuote: z.optional(Dec),
  timeInForce: z.string(),
  type: z.string(),
  reduceOnly: z.boolean(),
  closePosition: z.optional(z.boolean()),
  side: z.enum(['BUY', 'SELL']),
  positionSide: z.string(),
  origType: z.optional(z.string()),
  updateTime: Int,
  time: z.optional(Int),
});
export type Order = z.infer<typeof OrderSchema>;

/** Algo order object (§3.3). */
export const AlgoOrderSchema = z.object({
  algoId: Int,
  clientAlgoId: z.string(),
  algoType: z.string(),
  orderType: z.string(),
  symbol: SymbolNameSchema,
  side: z.enum(['BUY', 'SELL']),
  positionSide: z.optional(z.string()),
  quantity: z.optional(Dec),
  algoStatus: z.string(),
  triggerPrice: z.optional(Dec),
  price: z.optional(Dec),
  closePosition: z.optional(z.boolean()),
  reduceOnly: z.optional(z.boolean()),
  createTime: z.optional(Int),
  updateTime: z.optional(Int),
  actualOrderId: z.optional(z.union([z.string(), Int])),
});
export type AlgoOrder = z.infer<typeof AlgoOrderSchema>;

/** `DELETE /fapi/v1/algoOrder` answer: `{algoId, clientAlgoId, code:"200", msg:"success"}` (§3). */
export const AlgoCancelSchema = z.object({ algoId: Int, clientAlgoId: z.string() });

/** One `/fapi/v2|v3/positionRisk` row (§3). */
export const PositionSchema = z.object({
  symbol: SymbolNameSchema,
  positionSide: z.string(),
  positionAmt: Dec,
  entryPrice: Dec,
  breakEvenPrice: z.optional(Dec),
  markPrice: Dec,
  unRealizedProfit: Dec,
  liquidationPrice: Dec,
  leverage: z.optional(z.string()),
  marginType: z.optional(z.string()),
  notional: z.optional(Dec),
  updateTime: Int,
});
export type Position = z.infer<typeof PositionSchema>;

/** One `/fapi/v2|v3/balance` row (§3). */
export const BalanceSchema = z.object({
  asset: z.string(),
  balance: Dec,
  crossWalletBalance: Dec,
  crossUnPnl: Dec,
  availableBalance: Dec,
  maxWithdrawAmount: Dec,
  updateTime: Int,
});
export type Balance = z.infer<typeof BalanceSchema>;

/** `<symbol>@markPrice[@1s]` payload (§7). */
export const MarkPriceEventSchema = z.object({
  e: z.literal('markPriceUpdate'),
  E: Int,
  s: SymbolNameSchema,
  p: Dec,
  i: z.optional(Dec),
  r: z.optional(z.string()),
  T: z.optional(Int),
});
export type MarkPriceEvent = z.infer<typeof MarkPriceEventSchema>;

/** `<symbol>@bookTicker` payload (§7). */
export const BookTickerEventSchema = z.object({
  e: z.literal('bookTicker'),
  u: Int,
  E: Int,
  T: z.optional(Int),
  s: SymbolNameSchema,
  b: Dec,
  B: Dec,
  a: Dec,
  A: Dec,
});
export type BookTickerEvent = z.infer<typeof BookTickerEventSchema>;

/** `ORDER_TRADE_UPDATE` (§8). */
export const OrderTradeUpdateSchema = z.object({
  e: z.literal('ORDER_TRADE_UPDATE'),
  E: Int,
  T: Int,
  o: z.object({
    s: SymbolNameSchema,
    c: z.string(),
    S: z.enum(['BUY', 'SELL']),
    o: z.string(),
    q: Dec,
    p: Dec,
    ap: Dec,
    x: z.string(),
    X: z.string(),
    i: Int,
    l: Dec,
    z: Dec,
    L: Dec,
    T: Int,
    R: z.optional(z.boolean()),
    ps: z.optional(z.string()),
    rp: z.optional(Dec),
  }),
});
export type OrderTradeUpdate = z.infer<typeof OrderTradeUpdateSchema>;

/** `ALGO_UPDATE` (§8). */
export const AlgoUpdateSchema = z.object({
  e: z.literal('ALGO_UPDATE'),
  E: Int,
  T: Int,
  o: z.object({
    caid: z.string(),
    aid: Int,
    at: z.string(),
    o: z.string(),
    s: SymbolNameSchema,
    S: z.enum(['BUY', 'SELL']),
    X: z.string(),
    ps: z.optional(z.string()),
    q: z.optional(Dec),
    tp: z.optional(Dec),
    ai: z.optional(z.union([z.string(), Int])),
  }),
});
export type AlgoUpdate = z.infer<typeof AlgoUpdateSchema>;

/** `ACCOUNT_UPDATE` (§8): only changed balances and positions are pushed. */
export const AccountUpdateSchema = z.object({
  e: z.literal('ACCOUNT_UPDATE'),
  E: Int,
  T: Int,
  a: z.object({
    m: z.string(),
    B: z.array(z.object({ a: z.string(), wb: Dec, cw: Dec, bc: z.optional(Dec) })),
    P: z.array(
      z.object({ s: SymbolNameSchema, pa: Dec, ep: Dec, bep: z.optional(Dec), up: Dec, mt: z.string(), iw: z.optional(Dec), ps: z.string() }),
    ),
  }),
});
export type AccountUpdate = z.infer<typeof AccountUpdateSchema>;

/** `listenKeyExpired` (§8): `E` was a string in the doc example and an integer in the spec since 2026-05. */
export const ListenKeyExpiredSchema = z.object({
  e: z.literal('listenKeyExpired'),
  E: z.union([Int, z.string()]),
  listenKey: z.string(),
});

/** Every user-data event the client delivers; others (TRADE_LITE, MARGIN_CALL, ...) are skipped. */
export const UserEventSchema = z.discriminatedUnion('e', [
  OrderTradeUpdateSchema,
  AlgoUpdateSchema,
  AccountUpdateSchema,
  ListenKeyExpiredSchema,
]);
export type UserEvent = z.infer<typeof UserEventSchema>;

/** Combined-stream envelope `{"stream": "<name>", "data": <raw>}` (§7). */
export const CombinedSchema = z.object({ stream: z.string(), data: z.unknown() });

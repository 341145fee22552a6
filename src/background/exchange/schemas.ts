/**
 * Zod schemas for what Binance sends: REST bodies (order object §3.2, algo object §3.3, positions, balances,
 * errors §5) and stream events (§7, §8). Objects are parsed with `z.object`, not `z.strictObject`, on purpose:
 * Binance adds fields without notice (`ap`, `st`, `ps` on streams in 2026, `modifyId`, ...; fact sheet §0.5), and a
 * new field must not take trading down. Unknown fields are dropped; the fields we use are required and typed.
 * Prices and quantities stay decimal strings; ids and times are integers (fact sheet §10).
 */
import { z } from 'zod';

const Dec = z.string().regex(/^-?\d+(\.\d+)?$/);
const Int = z.number().int();

/** `{"code": -2013, "msg": "Order does not exist."}` (§5). */
export const BinanceErrorBodySchema = z.object({ code: Int, msg: z.string() });

export const ServerTimeSchema = z.object({ serverTime: Int });

export const ListenKeySchema = z.object({ listenKey: z.string().min(1) });

/** Order object (§3.2). */
export const OrderSchema = z.object({
  orderId: Int,
  symbol: z.string(),
  status: z.string(),
  clientOrderId: z.string(),
  price: Dec,
  avgPrice: Dec.optional(),
  origQty: Dec,
  executedQty: Dec,
  cumQuote: Dec.optional(),
  timeInForce: z.string(),
  type: z.string(),
  reduceOnly: z.boolean(),
  closePosition: z.boolean().optional(),
  side: z.enum(['BUY', 'SELL']),
  positionSide: z.string(),
  origType: z.string().optional(),
  updateTime: Int,
  time: Int.optional(),
});
export type Order = z.infer<typeof OrderSchema>;

/** Algo order object (§3.3). */
export const AlgoOrderSchema = z.object({
  algoId: Int,
  clientAlgoId: z.string(),
  algoType: z.string(),
  orderType: z.string(),
  symbol: z.string(),
  side: z.enum(['BUY', 'SELL']),
  positionSide: z.string().optional(),
  quantity: Dec.optional(),
  algoStatus: z.string(),
  triggerPrice: Dec.optional(),
  price: Dec.optional(),
  closePosition: z.boolean().optional(),
  reduceOnly: z.boolean().optional(),
  createTime: Int.optional(),
  updateTime: Int.optional(),
  actualOrderId: z.union([z.string(), Int]).optional(),
});
export type AlgoOrder = z.infer<typeof AlgoOrderSchema>;

/** `DELETE /fapi/v1/algoOrder` answer: `{algoId, clientAlgoId, code:"200", msg:"success"}` (§3). */
export const AlgoCancelSchema = z.object({ algoId: Int, clientAlgoId: z.string() });

/** One `/fapi/v2|v3/positionRisk` row (§3). */
export const PositionSchema = z.object({
  symbol: z.string(),
  positionSide: z.string(),
  positionAmt: Dec,
  entryPrice: Dec,
  breakEvenPrice: Dec.optional(),
  markPrice: Dec,
  unRealizedProfit: Dec,
  liquidationPrice: Dec,
  leverage: z.string().optional(),
  marginType: z.string().optional(),
  notional: Dec.optional(),
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
  s: z.string(),
  p: Dec,
  i: Dec.optional(),
  r: z.string().optional(),
  T: Int.optional(),
});
export type MarkPriceEvent = z.infer<typeof MarkPriceEventSchema>;

/** `<symbol>@bookTicker` payload (§7). */
export const BookTickerEventSchema = z.object({
  e: z.literal('bookTicker'),
  u: Int,
  E: Int,
  T: Int.optional(),
  s: z.string(),
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
    s: z.string(),
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
    R: z.boolean().optional(),
    ps: z.string().optional(),
    rp: Dec.optional(),
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
    s: z.string(),
    S: z.enum(['BUY', 'SELL']),
    X: z.string(),
    ps: z.string().optional(),
    q: Dec.optional(),
    tp: Dec.optional(),
    ai: z.union([z.string(), Int]).optional(),
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
    B: z.array(z.object({ a: z.string(), wb: Dec, cw: Dec, bc: Dec.optional() })),
    P: z.array(
      z.object({ s: z.string(), pa: Dec, ep: Dec, bep: Dec.optional(), up: Dec, mt: z.string(), iw: Dec.optional(), ps: z.string() }),
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

/**
 * `GET /fapi/v1/exchangeInfo` parsing and the per-symbol trading rules derived from its filters (fact sheet §3.1).
 *
 * Strict on every field Strike uses (a malformed tick size must stop trading, not be guessed), tolerant of the
 * rest: Binance keeps adding fields (`futuresType`, `permissionSets`, `maxMoveOrderLimit`, `multiplierDecimal`
 * changing from number to string, …) and filter types, and a new field must not take the extension down. Hence
 * `z.looseObject` throughout and a catch-all for unknown filter types.
 */
import { isDecimal, isNegative, normalize } from '../shared/decimal.ts';
import { z } from '../shared/zod.ts';
import type { LimiterConfig } from './rate-limiter.ts';

/** A non-negative decimal string as Binance sends it ("0.10"), normalised ("0.1"). */
const Dec = z.pipe(
  z.string().check(z.refine((s) => isDecimal(s) && !isNegative(s), 'expected a non-negative decimal string')),
  z.transform(normalize),
);

/**
 * A symbol name as the exchange spells it (not restricted to ASCII: Binance lists a perpetual named in Chinese),
 * never empty, and never a property every object has: symbols key plain objects (the protection engine's state),
 * where `__proto__` would replace the prototype and `constructor` would read an inherited function.
 */
export const SymbolNameSchema = z.string().check(
  z.minLength(1),
  z.refine((s) => !(s in Object.prototype), 'not a symbol name'),
);

const PriceFilter = z.looseObject({ filterType: z.literal('PRICE_FILTER'), minPrice: Dec, maxPrice: Dec, tickSize: Dec });
const LotSize = z.looseObject({ filterType: z.literal('LOT_SIZE'), minQty: Dec, maxQty: Dec, stepSize: Dec });
const MarketLotSize = z.looseObject({ filterType: z.literal('MARKET_LOT_SIZE'), minQty: Dec, maxQty: Dec, stepSize: Dec });
const MaxNumOrders = z.looseObject({ filterType: z.literal('MAX_NUM_ORDERS'), limit: z.int().check(z.nonnegative()) });
// Futures names the field `notional` (spot uses `minNotional`) (§3.1).
const MinNotional = z.looseObject({ filterType: z.literal('MIN_NOTIONAL'), notional: Dec });
const PercentPrice = z.looseObject({ filterType: z.literal('PERCENT_PRICE'), multiplierUp: Dec, multiplierDown: Dec });

const KNOWN_FILTERS: ReadonlySet<string> = new Set([
  'PRICE_FILTER',
  'LOT_SIZE',
  'MARKET_LOT_SIZE',
  'MAX_NUM_ORDERS',
  'MIN_NOTIONAL',
  'PERCENT_PRICE',
]);

// A known filter type must match its schema exactly; only types we do not use fall through to the catch-all
// (e.g. MAX_NUM_ALGO_ORDERS, removed 2025-12-29 but possibly still sent by older deployments).
const OtherFilter = z.looseObject({
  filterType: z.string().check(z.refine((t) => !KNOWN_FILTERS.has(t), 'malformed known filter')),
});

const FilterSchema = z.union([
  z.discriminatedUnion('filterType', [PriceFilter, LotSize, MarketLotSize, MaxNumOrders, MinNotional, PercentPrice]),
  OtherFilter,
]);

const SymbolCore = z.looseObject({
  symbol: SymbolNameSchema,
  pair: z.optional(z.string()),
  contractType: z.string(),
  // Not an enum: Binance has added statuses before; anything but TRADING refuses orders anyway (validator).
  status: z.string(),
  baseAsset: z.string(),
  quoteAsset: z.string(),
  marginAsset: z.string(),
  pricePrecision: z.int().check(z.nonnegative()),
  quantityPrecision: z.int().check(z.nonnegative()),
  filters: z.array(FilterSchema),
  orderTypes: z.array(z.string()),
  timeInForce: z._default(z.array(z.string()), []),
  triggerProtect: z.optional(Dec),
});

// The docs printed the field as `OrderType` until the spec fixed the typo in 2026-03 (§3.1); accept either.
const SymbolSchema = z.pipe(
  z.transform((raw: unknown): unknown => {
    if (typeof raw === 'object' && raw !== null && !('orderTypes' in raw) && 'OrderType' in raw) {
      return { ...raw, orderTypes: (raw as { OrderType: unknown }).OrderType };
    }
    return raw;
  }),
  SymbolCore,
);

const RateLimitSchema = z.looseObject({
  rateLimitType: z.string(),
  interval: z.string(),
  intervalNum: z.int().check(z.positive()),
  limit: z.int().check(z.nonnegative()),
});

/** Parses `/fapi/v1/exchangeInfo`. Unknown fields and filter types are kept, not rejected (see module comment). */
export const ExchangeInfoSchema = z.looseObject({
  timezone: z.optional(z.string()),
  serverTime: z.int(),
  rateLimits: z._default(z.array(RateLimitSchema), []),
  symbols: z.array(SymbolSchema),
});
/** A parsed exchangeInfo (decimal strings normalised). */
export type ExchangeInfo = z.infer<typeof ExchangeInfoSchema>;
type SymbolInfo = ExchangeInfo['symbols'][number];
type Filter = SymbolInfo['filters'][number];

/**
 * One symbol's trading rules, all as canonical decimal strings. A value of "0" means Binance disabled that rule
 * (§3.1 "each rule disabled when 0"), which is also what a missing filter amounts to.
 */
export interface SymbolRules {
  readonly symbol: string;
  readonly status: string;
  readonly contractType: string;
  readonly baseAsset: string;
  readonly quoteAsset: string;
  readonly marginAsset: string;
  /** Display precision only: Binance says not to use it as tick or step size (§3.1). */
  readonly pricePrecision: number;
  readonly quantityPrecision: number;
  readonly tickSize: string;
  readonly minPrice: string;
  readonly maxPrice: string;
  readonly stepSize: string;
  readonly minQty: string;
  readonly maxQty: string;
  readonly marketStepSize: string;
  readonly marketMinQty: string;
  readonly marketMaxQty: string;
  readonly minNotional: string;
  readonly multiplierUp: string;
  readonly multiplierDown: string;
  /** MAX_NUM_ORDERS limit; 0 when absent. */
  readonly maxNumOrders: number;
  readonly orderTypes: readonly string[];
  readonly timeInForce: readonly string[];
  /** Threshold for `priceProtect` on conditional orders; "0" when absent. */
  readonly triggerProtect: string;
}

function findFilter<T extends Filter['filterType']>(filters: readonly Filter[], type: T): Extract<Filter, { filterType: T }> | undefined {
  return filters.find((f): f is Extract<Filter, { filterType: T }> => f.filterType === type);
}

/** Flattens one parsed symbol into its rules. */
export function symbolRules(s: SymbolInfo): SymbolRules {
  const price = findFilter(s.filters, 'PRICE_FILTER');
  const lot = findFilter(s.filters, 'LOT_SIZE');
  const market = findFilter(s.filters, 'MARKET_LOT_SIZE');
  const notional = findFilter(s.filters, 'MIN_NOTIONAL');
  const percent = findFilter(s.filters, 'PERCENT_PRICE');
  const maxOrders = findFilter(s.filters, 'MAX_NUM_ORDERS');
  return {
    symbol: s.symbol,
    status: s.status,
    contractType: s.contractType,
    baseAsset: s.baseAsset,
    quoteAsset: s.quoteAsset,
    marginAsset: s.marginAsset,
    pricePrecision: s.pricePrecision,
    quantityPrecision: s.quantityPrecision,
    tickSize: price?.tickSize ?? '0',
    minPrice: price?.minPrice ?? '0',
    maxPrice: price?.maxPrice ?? '0',
    stepSize: lot?.stepSize ?? '0',
    minQty: lot?.minQty ?? '0',
    maxQty: lot?.maxQty ?? '0',
    marketStepSize: market?.stepSize ?? '0',
    marketMinQty: market?.minQty ?? '0',
    marketMaxQty: market?.maxQty ?? '0',
    minNotional: notional?.notional ?? '0',
    multiplierUp: percent?.multiplierUp ?? '0',
    multiplierDown: percent?.multiplierDown ?? '0',
    maxNumOrders: maxOrders?.limit ?? 0,
    orderTypes: s.orderTypes,
    timeInForce: s.timeInForce,
    triggerProtect: s.triggerProtect ?? '0',
  };
}

/** Rules for every symbol in a parsed exchangeInfo, keyed by symbol name. */
export function rulesFromExchangeInfo(info: ExchangeInfo): Map<string, SymbolRules> {
  return new Map(info.symbols.map((s) => [s.symbol, symbolRules(s)]));
}

/**
 * The account's limits as the exchange publishes them (§3.1 `rateLimits`: REQUEST_WEIGHT 1 MINUTE, ORDERS 10 SECOND,
 * ORDERS 1 MINUTE), ready to pass to `new RateLimiter(...)`. Entries we do not model are ignored.
 */
export function limiterConfigFromExchangeInfo(info: ExchangeInfo): Partial<LimiterConfig> {
  const out: { -readonly [K in keyof LimiterConfig]?: LimiterConfig[K] } = {};
  for (const r of info.rateLimits) {
    const key = `${r.rateLimitType} ${r.intervalNum} ${r.interval}`;
    if (key === 'REQUEST_WEIGHT 1 MINUTE') out.weightPerMinute = r.limit;
    else if (key === 'ORDERS 10 SECOND') out.ordersPer10s = r.limit;
    else if (key === 'ORDERS 1 MINUTE') out.ordersPerMinute = r.limit;
  }
  return out;
}

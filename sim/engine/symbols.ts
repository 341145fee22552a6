/**
 * Listed contracts with filters close to Binance's live values (fact sheet §3.1: BTCUSDT tick 0.10, step 0.001,
 * MARKET max 120, MIN_NOTIONAL 100; ETHUSDT notional 20), plus what the simulator needs to draw a synthetic book.
 */
import { add, cmp, mul, sub } from '../../src/shared/decimal.ts';

/** One leverage bracket (GET /fapi/v1/leverageBracket). */
export interface Bracket {
  readonly bracket: number;
  readonly initialLeverage: number;
  readonly notionalCap: string;
  readonly notionalFloor: string;
  readonly maintMarginRatio: string;
  readonly cum: string;
}

/** Static description of a listed perpetual. */
export interface SymbolSpec {
  readonly symbol: string;
  readonly baseAsset: string;
  readonly pricePrecision: number;
  readonly quantityPrecision: number;
  readonly minPrice: string;
  readonly maxPrice: string;
  readonly tickSize: string;
  readonly minQty: string;
  readonly maxQty: string;
  readonly stepSize: string;
  readonly marketMinQty: string;
  readonly marketMaxQty: string;
  readonly minNotional: string;
  readonly multiplierUp: string;
  readonly multiplierDown: string;
  readonly multiplierDecimal: string;
  readonly triggerProtect: string;
  readonly liquidationFee: string;
  readonly marketTakeBound: string;
  readonly onboardDate: number;
  /** Starting last price of the synthetic market. */
  readonly initialPrice: string;
  /** Book shape: ticks from last price to best bid/ask, ticks between levels, base quantity per level. */
  readonly halfSpreadTicks: number;
  readonly levelGapTicks: number;
  readonly levelQty: string;
  readonly brackets: readonly Bracket[];
}

/** Builds brackets from (cap, leverage, mmr) rows; `cum` is Binance's maintenance amount: cum_i = cum_{i-1} + floor_i × (mmr_i − mmr_{i-1}). */
function brackets(rows: readonly (readonly [string, number, string])[]): Bracket[] {
  const out: Bracket[] = [];
  let floor = '0';
  let cum = '0';
  let prevMmr = '0';
  rows.forEach(([cap, lev, mmr], i) => {
    cum = add(cum, mul(floor, sub(mmr, prevMmr)));
    out.push({ bracket: i + 1, initialLeverage: lev, notionalCap: cap, notionalFloor: floor, maintMarginRatio: mmr, cum });
    floor = cap;
    prevMmr = mmr;
  });
  return out;
}

const MAJOR = brackets([
  ['50000', 125, '0.004'],
  ['600000', 100, '0.005'],
  ['3000000', 75, '0.0065'],
  ['12000000', 50, '0.01'],
  ['70000000', 25, '0.02'],
  ['100000000', 20, '0.025'],
  ['230000000', 10, '0.05'],
  ['480000000', 5, '0.1'],
  ['600000000', 4, '0.125'],
  ['800000000', 3, '0.15'],
  ['1200000000', 2, '0.25'],
  ['1800000000', 1, '0.5'],
]);

const ALT = (maxLev: number): Bracket[] =>
  brackets([
    ['5000', maxLev, '0.01'],
    ['50000', Math.min(maxLev, 50), '0.02'],
    ['250000', 25, '0.025'],
    ['1000000', 20, '0.05'],
    ['5000000', 10, '0.1'],
    ['20000000', 5, '0.125'],
    ['50000000', 4, '0.15'],
    ['100000000', 3, '0.25'],
    ['200000000', 1, '0.5'],
  ]);

const COMMON = {
  multiplierDecimal: '4',
  triggerProtect: '0.0500',
  liquidationFee: '0.012500',
  marketTakeBound: '0.05',
  onboardDate: 1569398400000,
} as const;

/** Every contract the simulator can list; `startExchange({symbols})` picks a subset. */
export const ALL_SPECS: readonly SymbolSpec[] = [
  {
    ...COMMON,
    symbol: 'BTCUSDT', baseAsset: 'BTC', pricePrecision: 2, quantityPrecision: 3,
    minPrice: '556.80', maxPrice: '4529764', tickSize: '0.10',
    minQty: '0.001', maxQty: '1000', stepSize: '0.001', marketMinQty: '0.001', marketMaxQty: '120',
    minNotional: '100', multiplierUp: '1.0500', multiplierDown: '0.9500',
    initialPrice: '95000', halfSpreadTicks: 1, levelGapTicks: 5, levelQty: '1.2', brackets: MAJOR,
  },
  {
    ...COMMON,
    symbol: 'ETHUSDT', baseAsset: 'ETH', pricePrecision: 2, quantityPrecision: 3,
    minPrice: '39.86', maxPrice: '306177', tickSize: '0.01',
    minQty: '0.001', maxQty: '10000', stepSize: '0.001', marketMinQty: '0.001', marketMaxQty: '2000',
    minNotional: '20', multiplierUp: '1.0500', multiplierDown: '0.9500',
    initialPrice: '3500', halfSpreadTicks: 1, levelGapTicks: 5, levelQty: '15', brackets: MAJOR,
  },
  {
    ...COMMON,
    symbol: 'SOLUSDT', baseAsset: 'SOL', pricePrecision: 4, quantityPrecision: 0,
    minPrice: '0.4200', maxPrice: '6857', tickSize: '0.0100',
    minQty: '1', maxQty: '1000000', stepSize: '1', marketMinQty: '1', marketMaxQty: '5000',
    minNotional: '5', multiplierUp: '1.0500', multiplierDown: '0.9500',
    initialPrice: '180', halfSpreadTicks: 1, levelGapTicks: 2, levelQty: '300', brackets: ALT(100),
  },
  {
    ...COMMON,
    symbol: 'XRPUSDT', baseAsset: 'XRP', pricePrecision: 4, quantityPrecision: 1,
    minPrice: '0.0143', maxPrice: '100000', tickSize: '0.0001',
    minQty: '0.1', maxQty: '10000000', stepSize: '0.1', marketMinQty: '0.1', marketMaxQty: '2000000',
    minNotional: '5', multiplierUp: '1.0500', multiplierDown: '0.9500',
    initialPrice: '2.2', halfSpreadTicks: 1, levelGapTicks: 1, levelQty: '40000', brackets: ALT(75),
  },
  {
    ...COMMON,
    symbol: '1000PEPEUSDT', baseAsset: '1000PEPE', pricePrecision: 7, quantityPrecision: 0,
    minPrice: '0.0000010', maxPrice: '200', tickSize: '0.0000001',
    minQty: '1', maxQty: '80000000', stepSize: '1', marketMinQty: '1', marketMaxQty: '20000000',
    minNotional: '5', multiplierUp: '1.1500', multiplierDown: '0.8500',
    initialPrice: '0.0120000', halfSpreadTicks: 1, levelGapTicks: 1, levelQty: '3000000', brackets: ALT(50),
  },
];

/** The first bracket whose cap covers `notional` (the last one beyond). */
export function bracketFor(spec: SymbolSpec, notional: string): Bracket {
  const found = spec.brackets.find((b) => cmp(notional, b.notionalCap) <= 0);
  const last = spec.brackets[spec.brackets.length - 1];
  if (!last) throw new Error(`no brackets for ${spec.symbol}`);
  return found ?? last;
}

/** Largest position notional allowed at `leverage` (maxNotionalValue in positionRisk / leverage responses). */
export function maxNotionalFor(spec: SymbolSpec, leverage: number): string {
  let cap = '0';
  for (const b of spec.brackets) if (b.initialLeverage >= leverage) cap = b.notionalCap;
  return cap;
}

/** Highest leverage the symbol allows (bracket 1). */
export const maxLeverage = (spec: SymbolSpec): number => spec.brackets[0]?.initialLeverage ?? 1;

/** exchangeInfo `symbols[]` entry (fact sheet §3.1). */
export function exchangeInfoSymbol(spec: SymbolSpec): Record<string, unknown> {
  return {
    symbol: spec.symbol,
    pair: spec.symbol,
    contractType: 'PERPETUAL',
    deliveryDate: 4133404800000,
    onboardDate: spec.onboardDate,
    status: 'TRADING',
    maintMarginPercent: '2.5000',
    requiredMarginPercent: '5.0000',
    baseAsset: spec.baseAsset,
    quoteAsset: 'USDT',
    marginAsset: 'USDT',
    pricePrecision: spec.pricePrecision,
    quantityPrecision: spec.quantityPrecision,
    baseAssetPrecision: 8,
    quotePrecision: 8,
    underlyingType: 'COIN',
    underlyingSubType: [],
    settlePlan: 0,
    triggerProtect: spec.triggerProtect,
    liquidationFee: spec.liquidationFee,
    marketTakeBound: spec.marketTakeBound,
    maxMoveOrderLimit: 10000,
    filters: [
      { filterType: 'PRICE_FILTER', minPrice: spec.minPrice, maxPrice: spec.maxPrice, tickSize: spec.tickSize },
      { filterType: 'LOT_SIZE', minQty: spec.minQty, maxQty: spec.maxQty, stepSize: spec.stepSize },
      { filterType: 'MARKET_LOT_SIZE', minQty: spec.marketMinQty, maxQty: spec.marketMaxQty, stepSize: spec.stepSize },
      { filterType: 'MAX_NUM_ORDERS', limit: 200 },
      { filterType: 'MIN_NOTIONAL', notional: spec.minNotional },
      {
        filterType: 'PERCENT_PRICE',
        multiplierUp: spec.multiplierUp,
        multiplierDown: spec.multiplierDown,
        multiplierDecimal: spec.multiplierDecimal,
      },
    ],
    orderTypes: ['LIMIT', 'MARKET', 'STOP', 'STOP_MARKET', 'TAKE_PROFIT', 'TAKE_PROFIT_MARKET', 'TRAILING_STOP_MARKET'],
    timeInForce: ['GTC', 'IOC', 'FOK', 'GTX', 'GTD'],
    permissionSets: ['GRID', 'COPY'],
  };
}

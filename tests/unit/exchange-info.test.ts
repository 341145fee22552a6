import { describe, expect, it } from 'vitest';
import { ExchangeInfoSchema, limiterConfigFromExchangeInfo, rulesFromExchangeInfo } from '../../src/core/exchange-info.ts';
import { BTCUSDT_RULES } from '../fixtures/btcusdt-rules.ts';

// Shaped after the fact sheet §3.1 (live BTCUSDT capture values, field set of the live fixture, including
// undocumented extras Binance sends) so the schema is tested against what the exchange really returns.
function fixture() {
  const btc = {
    symbol: 'BTCUSDT',
    pair: 'BTCUSDT',
    contractType: 'PERPETUAL',
    deliveryDate: 4133404800000,
    onboardDate: 1569398400000,
    status: 'TRADING',
    maintMarginPercent: '2.5000',
    requiredMarginPercent: '5.0000',
    baseAsset: 'BTC',
    quoteAsset: 'USDT',
    marginAsset: 'USDT',
    pricePrecision: 2,
    quantityPrecision: 3,
    baseAssetPrecision: 8,
    quotePrecision: 8,
    underlyingType: 'COIN',
    underlyingSubType: ['PoW'],
    settlePlan: 0,
    triggerProtect: '0.0500',
    liquidationFee: '0.012500',
    marketTakeBound: '0.05',
    maxMoveOrderLimit: 10000,
    permissionSets: ['GRID', 'COPY'],
    filters: [
      { filterType: 'PRICE_FILTER', minPrice: '556.80', maxPrice: '4529764', tickSize: '0.10' },
      { filterType: 'LOT_SIZE', minQty: '0.001', maxQty: '1000', stepSize: '0.001' },
      { filterType: 'MARKET_LOT_SIZE', minQty: '0.001', maxQty: '120', stepSize: '0.001' },
      { filterType: 'MAX_NUM_ORDERS', limit: 200 },
      { filterType: 'MIN_NOTIONAL', notional: '100' },
      { filterType: 'PERCENT_PRICE', multiplierUp: '1.0500', multiplierDown: '0.9500', multiplierDecimal: '4' },
    ],
    orderTypes: ['LIMIT', 'MARKET', 'STOP', 'STOP_MARKET', 'TAKE_PROFIT', 'TAKE_PROFIT_MARKET', 'TRAILING_STOP_MARKET'],
    timeInForce: ['GTC', 'IOC', 'FOK', 'GTX', 'GTD'],
  };
  const eth = {
    ...btc,
    symbol: 'ETHUSDT',
    pair: 'ETHUSDT',
    baseAsset: 'ETH',
    underlyingSubType: ['Layer-1'],
    filters: [
      { filterType: 'PRICE_FILTER', minPrice: '39.86', maxPrice: '306177', tickSize: '0.01' },
      { filterType: 'LOT_SIZE', minQty: '0.001', maxQty: '10000', stepSize: '0.001' },
      { filterType: 'MARKET_LOT_SIZE', minQty: '0.001', maxQty: '2000', stepSize: '0.001' },
      { filterType: 'MAX_NUM_ORDERS', limit: 200 },
      // A filter type Strike does not model must be tolerated (kept, not used).
      { filterType: 'MAX_NUM_ALGO_ORDERS', limit: 10 },
      { filterType: 'MIN_NOTIONAL', notional: '20' },
      // multiplierDecimal was a number before 2025-06.
      { filterType: 'PERCENT_PRICE', multiplierUp: '1.0500', multiplierDown: '0.9500', multiplierDecimal: 4 },
    ],
  };
  return {
    timezone: 'UTC',
    serverTime: 1715054406944,
    futuresType: 'U_MARGINED',
    rateLimits: [
      { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 2400 },
      { rateLimitType: 'ORDERS', interval: 'MINUTE', intervalNum: 1, limit: 1200 },
      { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 300 },
    ],
    exchangeFilters: [],
    assets: [{ asset: 'USDT', marginAvailable: true, autoAssetExchange: '-10000' }],
    symbols: [btc, eth],
  };
}

describe('ExchangeInfoSchema', () => {
  it('parses a realistic response with extra fields and unknown filters', () => {
    const parsed = ExchangeInfoSchema.safeParse(fixture());
    expect(parsed.success).toBe(true);
  });

  it('turns filters into SymbolRules with canonical decimal strings', () => {
    const rules = rulesFromExchangeInfo(ExchangeInfoSchema.parse(fixture()));
    expect([...rules.keys()]).toEqual(['BTCUSDT', 'ETHUSDT']);
    expect(rules.get('BTCUSDT')).toEqual(BTCUSDT_RULES);
    expect(rules.get('ETHUSDT')).toMatchObject({ tickSize: '0.01', minPrice: '39.86', marketMaxQty: '2000', minNotional: '20' });
  });

  it('missing filters mean disabled rules ("0"), as Binance defines a zero value', () => {
    const info = fixture();
    const btc = info.symbols[0];
    if (btc === undefined) throw new Error('fixture');
    btc.filters = [];
    const { triggerProtect: _drop, ...noProtect } = btc;
    info.symbols = [noProtect as typeof btc];
    const r = rulesFromExchangeInfo(ExchangeInfoSchema.parse(info)).get('BTCUSDT');
    expect(r).toMatchObject({ tickSize: '0', minPrice: '0', stepSize: '0', marketStepSize: '0', minNotional: '0', multiplierUp: '0', maxNumOrders: 0, triggerProtect: '0' });
  });

  it('accepts the legacy OrderType field name for orderTypes', () => {
    const info = fixture();
    const { orderTypes, ...rest } = info.symbols[0]!;
    info.symbols = [{ ...rest, OrderType: orderTypes } as unknown as (typeof info.symbols)[number]];
    expect(rulesFromExchangeInfo(ExchangeInfoSchema.parse(info)).get('BTCUSDT')?.orderTypes).toContain('MARKET');
  });

  // Strict on what we use: each of these must fail the whole parse rather than produce guessed rules.
  it.each<[string, (info: ReturnType<typeof fixture>) => void]>([
    ['tick size as a number', (i) => void ((i.symbols[0]!.filters[0] as Record<string, unknown>).tickSize = 0.1)],
    ['tick size in exponent form', (i) => void ((i.symbols[0]!.filters[0] as Record<string, unknown>).tickSize = '1e-1')],
    ['negative step size', (i) => void ((i.symbols[0]!.filters[1] as Record<string, unknown>).stepSize = '-0.001')],
    ['PRICE_FILTER without tickSize', (i) => void delete (i.symbols[0]!.filters[0] as Record<string, unknown>).tickSize],
    ['MIN_NOTIONAL with the spot field name', (i) => void (i.symbols[0]!.filters[4] = { filterType: 'MIN_NOTIONAL', minNotional: '100' } as never)],
    ['MAX_NUM_ORDERS limit as a string', (i) => void ((i.symbols[0]!.filters[3] as Record<string, unknown>).limit = '200')],
    ['missing status', (i) => void delete (i.symbols[0] as Record<string, unknown>).status],
    ['missing orderTypes', (i) => void delete (i.symbols[0] as Record<string, unknown>).orderTypes],
    ['pricePrecision not an integer', (i) => void ((i.symbols[0] as Record<string, unknown>).pricePrecision = 2.5)],
    ['symbols missing', (i) => void delete (i as Record<string, unknown>).symbols],
    ['serverTime as a string', (i) => void ((i as Record<string, unknown>).serverTime = '1715054406944')],
    // Symbols key plain objects in the protection engine's state.
    ['a symbol named __proto__', (i) => void (i.symbols[0]!.symbol = '__proto__')],
    ['a symbol named constructor', (i) => void (i.symbols[0]!.symbol = 'constructor')],
    ['an empty symbol', (i) => void (i.symbols[0]!.symbol = '')],
  ])('rejects %s', (_name, mutate) => {
    const info = fixture();
    mutate(info);
    expect(ExchangeInfoSchema.safeParse(info).success).toBe(false);
  });

  it('takes symbol names as the exchange spells them, ASCII or not', () => {
    const info = fixture();
    info.symbols[1]!.symbol = '币安人生USDT';
    expect([...rulesFromExchangeInfo(ExchangeInfoSchema.parse(info)).keys()]).toEqual(['BTCUSDT', '币安人生USDT']);
  });

  it('keeps unknown statuses (anything but TRADING refuses orders later)', () => {
    const info = fixture();
    info.symbols[0]!.status = 'SOME_NEW_STATUS';
    expect(rulesFromExchangeInfo(ExchangeInfoSchema.parse(info)).get('BTCUSDT')?.status).toBe('SOME_NEW_STATUS');
  });
});

describe('limiterConfigFromExchangeInfo', () => {
  it('reads the published limits', () => {
    expect(limiterConfigFromExchangeInfo(ExchangeInfoSchema.parse(fixture()))).toEqual({
      weightPerMinute: 2400,
      ordersPerMinute: 1200,
      ordersPer10s: 300,
    });
  });

  it('ignores limits it does not model and tolerates their absence', () => {
    const info = fixture();
    info.rateLimits = [{ rateLimitType: 'RAW_REQUESTS', interval: 'MINUTE', intervalNum: 5, limit: 61000 }];
    expect(limiterConfigFromExchangeInfo(ExchangeInfoSchema.parse(info))).toEqual({});
    const { rateLimits: _r, ...without } = fixture();
    expect(limiterConfigFromExchangeInfo(ExchangeInfoSchema.parse(without))).toEqual({});
  });
});

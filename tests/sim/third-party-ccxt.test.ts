/**
 * ccxt (the most widely used third-party Binance client) against the local exchange, unchanged: only its URLs point
 * at the sim. Every step checks what ccxt returned against the sim's own state and ledger (sim/README.md), so a
 * field the sim gets wrong shows up as a ccxt parse result that disagrees with the ledger, not just as a thrown error.
 *
 * Client configuration, and why each piece is needed:
 * - `urls.api.fapi*` → the sim; every other REST base (spot `public`/`private`, `sapi`, `dapi`, `papi`, …) → a closed
 *   port, so any call that strays outside `/fapi` fails loudly instead of reaching the internet.
 * - `options.fetchMarkets.types = ['linear']` (binanceusdm's default, restated) and `fetchCurrencies: false`:
 *   loadMarkets then only reads `GET /fapi/v1/exchangeInfo` (currencies would need `sapi`).
 * - ccxt pro: `urls.api.ws.future = ws://…/ws`; ccxt rewrites it to `/public/ws`, `/market/ws`, `/private/ws`
 *   (fact sheet §1, §7). ccxt refuses plain `ws://` URLs in Node until `loadHttpProxyAgent()` has created an
 *   `http.Agent` (its own requirement, printed in its error message) — that call is the only extra step.
 */
import ccxt from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { add, mul, sub } from '../../src/shared/decimal.ts';
import { DEMO_BALANCE, startExchange, type LedgerEntry, type SimExchange } from '../../sim/server.ts';

const SYMBOL = 'BTC/USDT:USDT';
/** A local port nothing listens on: where every non-fapi base URL points. */
const NOWHERE = 'http://127.0.0.1:9';

type Binance = InstanceType<typeof ccxt.pro.binanceusdm>;

let ex: SimExchange;
let client: Binance;

/** Every ledger entry of `kind` (sim/README.md "Ledger kinds"). */
function ledger(kind: LedgerEntry['kind']): LedgerEntry[] {
  return ex.control.ledger().entries.filter((e) => e.kind === kind);
}

/** The one entry of `kind` whose `data[key]` is the id ccxt returned (ids are integers in the sim, strings in ccxt). */
function ledgerFor(kind: LedgerEntry['kind'], key: string, id: string): LedgerEntry {
  const found = ledger(kind).filter((e) => String(e.data[key]) === id);
  expect(found, `${kind} ${key}=${id}`).toHaveLength(1);
  const entry = found[0];
  if (entry === undefined) throw new Error('unreachable: length checked');
  return entry;
}

/** ccxt types order ids as optional; an order it has just placed or listed always carries one. */
function idOf(o: { id?: string | undefined }): string {
  if (typeof o.id !== 'string') throw new Error('ccxt returned an order without an id');
  return o.id;
}

/** Resolves with `p`, or rejects after `ms`: keeps every WebSocket step bounded. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

function lastPrice(symbol: string): string {
  const markets = ex.control.state()['markets'] as Array<{ symbol: string; last: string }>;
  const m = markets.find((x) => x.symbol === symbol);
  if (m === undefined) throw new Error(`no market ${symbol}`);
  return m.last;
}

beforeAll(async () => {
  ex = await startExchange({ port: 0, autoMarket: false });
  ex.control.setPrice('BTCUSDT', '50000');
  client = new ccxt.pro.binanceusdm({
    apiKey: ex.demo.apiKey,
    secret: ex.demo.apiSecret,
    options: { fetchMarkets: { types: ['linear'] }, fetchCurrencies: false },
  });
  const api = client.urls.api;
  for (const key of Object.keys(api)) if (typeof api[key] === 'string') api[key] = NOWHERE;
  for (const v of ['', 'V2', 'V3']) {
    api[`fapiPublic${v}`] = `${ex.restUrl}/fapi/v${v === '' ? '1' : v.slice(1)}`;
    api[`fapiPrivate${v}`] = `${ex.restUrl}/fapi/v${v === '' ? '1' : v.slice(1)}`;
  }
  api['ws'] = { future: `${ex.wsUrl}/ws`, 'ws-api': { future: `${ex.wsUrl}/ws-fapi/v1` } };
  await client.loadHttpProxyAgent();
});

afterAll(async () => {
  await client.close();
  await ex.stop();
});

describe('ccxt binanceusdm against the local exchange (REST)', () => {
  it('loadMarkets: symbols, precision and limits come from exchangeInfo filters', async () => {
    const markets = await client.loadMarkets();
    const raw = (await (await fetch(`${ex.restUrl}/fapi/v1/exchangeInfo`)).json()) as { symbols: Array<{ symbol: string; filters: Array<Record<string, unknown>> }> };
    expect(Object.keys(markets).sort()).toEqual(raw.symbols.map((s) => `${s.symbol.replace(/USDT$/, '')}/USDT:USDT`).sort());
    const m = markets[SYMBOL];
    const info = raw.symbols.find((s) => s.symbol === 'BTCUSDT');
    if (m === undefined || info === undefined) throw new Error('BTCUSDT missing');
    const filter = (type: string): Record<string, unknown> => info.filters.find((f) => f['filterType'] === type) ?? {};
    expect(m).toMatchObject({ id: 'BTCUSDT', type: 'swap', linear: true, contract: true, settle: 'USDT', active: true, contractSize: 1, taker: 0.0005, maker: 0.0002 });
    expect(m.precision).toMatchObject({ price: Number(filter('PRICE_FILTER')['tickSize']), amount: Number(filter('LOT_SIZE')['stepSize']) });
    expect(m.limits.amount).toEqual({ min: Number(filter('LOT_SIZE')['minQty']), max: Number(filter('LOT_SIZE')['maxQty']) });
    expect(m.limits.market).toEqual({ min: Number(filter('MARKET_LOT_SIZE')['minQty']), max: Number(filter('MARKET_LOT_SIZE')['maxQty']) });
    expect(m.limits.price).toEqual({ min: Number(filter('PRICE_FILTER')['minPrice']), max: Number(filter('PRICE_FILTER')['maxPrice']) });
    expect(m.limits.cost?.min).toBe(Number(filter('MIN_NOTIONAL')['notional']));
    // ccxt checks the requested type against exchangeInfo orderTypes before routing to /algoOrder (fact sheet §10).
    expect(m.info['orderTypes']).toEqual(expect.arrayContaining(['LIMIT', 'MARKET', 'STOP_MARKET', 'TAKE_PROFIT_MARKET', 'TRAILING_STOP_MARKET']));
  });

  it('fetchTicker (GET /fapi/v1/ticker/24hr) reports the last price and the 24 h tape', async () => {
    const t = await client.fetchTicker(SYMBOL);
    expect(t.symbol).toBe(SYMBOL);
    expect(t.last).toBe(Number(lastPrice('BTCUSDT')));
    expect(t.high).toBeGreaterThanOrEqual(t.low ?? Number.NaN);
    expect(t.baseVolume).toBeGreaterThan(0);
    expect(typeof t.timestamp).toBe('number');
  });

  it('fetchOrderBook: the synthetic book around the last price (best levels 1 tick away, 1.2 BTC each)', async () => {
    const ob = await client.fetchOrderBook(SYMBOL, 5);
    expect(ob.bids).toHaveLength(5);
    expect(ob.asks).toHaveLength(5);
    expect(ob.bids[0]).toEqual([49999.9, 1.2]);
    expect(ob.asks[0]).toEqual([50000.1, 1.2]);
    expect(ob.bids.map((l) => l[0])).toEqual([...ob.bids.map((l) => l[0])].sort((a, b) => (b ?? 0) - (a ?? 0)));
    expect(typeof ob.nonce).toBe('number');
  });

  it('fetchBalance: the demo wallet', async () => {
    const b = await client.fetchBalance();
    expect(b['USDT']).toEqual({ free: Number(DEMO_BALANCE), used: 0, total: Number(DEMO_BALANCE) });
  });

  it('setLeverage: POST /fapi/v1/leverage, recorded by the sim', async () => {
    const r = (await client.setLeverage(5, SYMBOL)) as Record<string, unknown>;
    expect(r).toMatchObject({ leverage: 5, symbol: 'BTCUSDT' });
    expect(ledger('account.config').at(-1)?.data).toEqual({ leverage: 5 });
  });

  it('createOrder market buy fills at the best ask; fetchPositions shows the long with IM = notional / leverage', async () => {
    const o = await client.createOrder(SYMBOL, 'market', 'buy', 0.01);
    expect(o).toMatchObject({ symbol: SYMBOL, type: 'market', side: 'buy', status: 'closed', amount: 0.01, filled: 0.01, remaining: 0, average: 50000.1 });
    expect(o.id).toMatch(/^\d+$/);
    const fill = ledgerFor('fill', 'orderId', idOf(o));
    expect(fill.data).toMatchObject({ side: 'BUY', price: '50000.1', qty: '0.01', maker: false, clientOrderId: o.clientOrderId });

    const positions = await client.fetchPositions([SYMBOL]);
    expect(positions).toHaveLength(1);
    const p = positions[0];
    expect(p).toMatchObject({ symbol: SYMBOL, side: 'long', contracts: 0.01, entryPrice: 50000.1, markPrice: 50000, marginMode: 'cross', hedged: false });
    expect(p?.initialMargin).toBe(Number(mul('50000', '0.01')) / 5);
  });

  it('limit sell away from the market: open, listed by fetchOpenOrders, then cancelled', async () => {
    const o = await client.createOrder(SYMBOL, 'limit', 'sell', 0.01, 51000);
    expect(o).toMatchObject({ status: 'open', type: 'limit', side: 'sell', price: 51000, amount: 0.01, filled: 0, timeInForce: 'GTC' });
    const open = await client.fetchOpenOrders(SYMBOL);
    expect(open.map((x) => x.id)).toEqual([o.id]);
    const c = await client.cancelOrder(idOf(o), SYMBOL);
    expect(c).toMatchObject({ id: o.id, status: 'canceled' });
    expect(ledgerFor('order.canceled', 'orderId', idOf(o)).data).toMatchObject({ executedQty: '0' });
    expect(await client.fetchOpenOrders(SYMBOL)).toEqual([]);
  });

  it('STOP_MARKET reduce-only (stopPrice) goes to /fapi/v1/algoOrder, is listed with {trigger:true}, and cancels', async () => {
    const o = await client.createOrder(SYMBOL, 'STOP_MARKET', 'sell', 0.01, undefined, { stopPrice: 49000, reduceOnly: true });
    expect(o).toMatchObject({ status: 'open', side: 'sell', reduceOnly: true, triggerPrice: 49000, amount: 0.01 });
    const placed = ledgerFor('algo.placed', 'algoId', idOf(o));
    expect(placed.data['clientAlgoId']).toBe(o.clientOrderId);
    // Conditional orders are not matching-engine orders (fact sheet §0): only the trigger listing has it.
    expect(await client.fetchOpenOrders(SYMBOL)).toEqual([]);
    const triggers = await client.fetchOpenOrders(SYMBOL, undefined, undefined, { trigger: true });
    expect(triggers.map((x) => [x.id, x.triggerPrice, x.reduceOnly])).toEqual([[o.id, 49000, true]]);
    const c = await client.cancelOrder(idOf(o), SYMBOL, { trigger: true });
    expect(c.id).toBe(o.id);
    expect(ledgerFor('algo.canceled', 'algoId', idOf(o)).data['clientAlgoId']).toBe(o.clientOrderId);
    expect(await client.fetchOpenOrders(SYMBOL, undefined, undefined, { trigger: true })).toEqual([]);
  });

  it('STOP_MARKET reduce-only (triggerPrice) fires when the price falls through it and closes the long', async () => {
    const o = await client.createOrder(SYMBOL, 'STOP_MARKET', 'sell', 0.01, undefined, { triggerPrice: 49500, reduceOnly: true });
    ex.control.setPrice('BTCUSDT', '49400');
    const triggered = ledgerFor('algo.triggered', 'algoId', idOf(o));
    const childId = String(triggered.data['actualOrderId']);
    expect(ledgerFor('fill', 'orderId', childId).data).toMatchObject({ side: 'SELL', qty: '0.01', price: '49399.9' });
    expect(await client.fetchPositions([SYMBOL])).toEqual([]);
    expect(await client.fetchOpenOrders(SYMBOL, undefined, undefined, { trigger: true })).toEqual([]);
  });

  it('fetchMyTrades: one trade per ledger fill, with price, amount, fee and side', async () => {
    const trades = await client.fetchMyTrades(SYMBOL);
    const fills = ledger('fill');
    expect(trades.map((t) => t.id)).toEqual(fills.map((f) => String(f.data['tradeId'])));
    for (const [i, t] of trades.entries()) {
      const f = fills[i];
      if (f === undefined) throw new Error('unreachable: ids compared');
      expect(t).toMatchObject({ symbol: SYMBOL, order: String(f.data['orderId']), side: String(f.data['side']).toLowerCase(), price: Number(f.data['price']), amount: Number(f.data['qty']), takerOrMaker: 'taker' });
      expect(t.fee).toEqual({ currency: 'USDT', cost: Number(f.data['commission']) });
    }
    // The round trip's realized PnL, as Binance reports it per trade (fact sheet §3 userTrades).
    const realized = trades.reduce((s, t) => add(s, String(t.info['realizedPnl'])), '0');
    expect(realized).toBe(mul(sub('49399.9', '50000.1'), '0.01'));
  });
});

describe('ccxt pro binanceusdm over the local WebSocket', () => {
  it('watchTicker: `<symbol>@miniTicker` (ccxt default) and `@ticker` on /market carry the new last price', async () => {
    const mini = within(client.watchTicker(SYMBOL), 3_000, 'watchTicker miniTicker');
    const full = within(client.watchTicker(SYMBOL, { name: 'ticker' }), 3_000, 'watchTicker ticker');
    // Both streams update every 2 s (fact sheet §7): once subscribed, step the exchange clock past that and move the
    // price. (The ~2 s this puts the exchange ahead of ccxt's clock is inside ccxt's 10 s recvWindow.)
    await new Promise((r) => setTimeout(r, 300));
    ex.control.advanceTime(2_000);
    ex.control.setPrice('BTCUSDT', '49600');
    const [m, t] = await Promise.all([mini, full]);
    const day = (await (await fetch(`${ex.restUrl}/fapi/v1/ticker/24hr?symbol=BTCUSDT`)).json()) as Record<string, string>;
    for (const x of [m, t]) {
      expect(x).toMatchObject({ symbol: SYMBOL, last: 49600, open: Number(day['openPrice']), high: Number(day['highPrice']), low: Number(day['lowPrice']) });
      expect(x.baseVolume).toBe(Number(day['volume']));
    }
    // Only the full ticker carries the change and the weighted average.
    expect(t.percentage).toBe(Number(day['priceChangePercent']));
    expect(t.vwap).toBe(Number(day['weightedAvgPrice']));
  });

  it('watchOrders: the user stream on /private delivers the order ccxt just placed over REST', async () => {
    const next = within(client.watchOrders(SYMBOL), 3_000, 'watchOrders');
    // watchOrders resolves only after its listenKey connection is up; give it that moment before trading.
    await new Promise((r) => setTimeout(r, 300));
    const placed = await client.createOrder(SYMBOL, 'market', 'buy', 0.01);
    const orders = await next;
    const seen = orders.find((x) => x.id === placed.id);
    expect(seen).toMatchObject({ symbol: SYMBOL, side: 'buy', type: 'market', amount: 0.01 });
    expect(['open', 'closed']).toContain(seen?.status);
  });
});

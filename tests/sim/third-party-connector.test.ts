/**
 * Binance's official connector (`@binance/derivatives-trading-usds-futures`, generated from Binance's OpenAPI spec)
 * against the local exchange over REST, configured only with `basePath`. Responses are checked against the sim's
 * ledger. Its WebSocket streams are not covered here: the connector subscribes with 32-hex-character string ids,
 * which the sim refuses as the fact sheet (§7) documents ids as unsigned integers — reported, not bent.
 */
import { DerivativesTradingUsdsFutures, DerivativesTradingUsdsFuturesRestAPI as Rest } from '@binance/derivatives-trading-usds-futures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExchange, type LedgerEntry, type SimExchange } from '../../sim/server.ts';

let ex: SimExchange;
let rest: DerivativesTradingUsdsFutures['restAPI'];

function ledger(kind: LedgerEntry['kind'], key: string, id: unknown): LedgerEntry[] {
  return ex.control.ledger().entries.filter((e) => e.kind === kind && e.data[key] === id);
}

beforeAll(async () => {
  ex = await startExchange({ port: 0, autoMarket: false });
  ex.control.setPrice('BTCUSDT', '50000');
  rest = new DerivativesTradingUsdsFutures({ configurationRestAPI: { apiKey: ex.demo.apiKey, apiSecret: ex.demo.apiSecret, basePath: ex.restUrl } }).restAPI;
});

afterAll(() => ex.stop());

describe('official connector-js (REST) against the local exchange', () => {
  it('exchangeInformation lists every sim symbol with its filters', async () => {
    const info = await (await rest.exchangeInformation()).data();
    const btc = info.symbols?.find((s) => s.symbol === 'BTCUSDT');
    expect(info.symbols).toHaveLength(5);
    expect(btc?.filters?.map((f) => f.filterType)).toEqual(expect.arrayContaining(['PRICE_FILTER', 'LOT_SIZE', 'MARKET_LOT_SIZE', 'MIN_NOTIONAL', 'PERCENT_PRICE']));
  });

  it('newOrder MARKET (default ACK response), then queryOrder shows it FILLED as in the ledger', async () => {
    const placed = await (await rest.newOrder({ symbol: 'BTCUSDT', side: Rest.NewOrderSideEnum.BUY, type: Rest.NewOrderTypeEnum.MARKET, quantity: 0.01 })).data();
    expect(typeof placed.orderId).toBe('number');
    const q = await (await rest.queryOrder({ symbol: 'BTCUSDT', orderId: placed.orderId })).data();
    expect(q).toMatchObject({ status: 'FILLED', executedQty: '0.01', avgPrice: '50000.1', clientOrderId: placed.clientOrderId });
    expect(ledger('fill', 'orderId', placed.orderId).map((e) => e.data['price'])).toEqual(['50000.1']);
    const pos = await (await rest.positionInformationV3({ symbol: 'BTCUSDT' })).data();
    expect(pos.map((p) => [p.positionAmt, p.entryPrice])).toEqual([['0.01', '50000.1']]);
  });

  it('newAlgoOrder STOP_MARKET → currentAllAlgoOpenOrders → cancelAlgoOrder', async () => {
    const a = await (
      await rest.newAlgoOrder({ algoType: Rest.NewAlgoOrderAlgoTypeEnum.CONDITIONAL, symbol: 'BTCUSDT', side: Rest.NewAlgoOrderSideEnum.SELL, type: Rest.NewAlgoOrderTypeEnum.STOP_MARKET, triggerPrice: 49000, quantity: 0.01, reduceOnly: Rest.NewAlgoOrderReduceOnlyEnum.TRUE })
    ).data();
    expect(a).toMatchObject({ algoType: 'CONDITIONAL', orderType: 'STOP_MARKET', algoStatus: 'NEW', triggerPrice: '49000', reduceOnly: true });
    expect(ledger('algo.placed', 'algoId', a.algoId)).toHaveLength(1);
    const open = await (await rest.currentAllAlgoOpenOrders({ symbol: 'BTCUSDT' })).data();
    expect(open.map((o) => o.algoId)).toEqual([a.algoId]);
    const c = await (await rest.cancelAlgoOrder({ algoId: a.algoId })).data();
    expect(c).toMatchObject({ algoId: a.algoId, code: '200', msg: 'success' });
    expect(ledger('algo.canceled', 'algoId', a.algoId)).toHaveLength(1);
  });

  it('accountInformationV3 and startUserDataStream', async () => {
    const acc = await (await rest.accountInformationV3()).data();
    expect(acc.positions?.map((p) => p.symbol)).toEqual(['BTCUSDT']);
    expect(Number(acc.totalWalletBalance)).toBeLessThan(10_000);
    const { listenKey } = await (await rest.startUserDataStream()).data();
    expect(listenKey).toMatch(/^[A-Za-z0-9]{64}$/);
  });
});

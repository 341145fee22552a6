import { describe, expect, it } from 'vitest';
import { AccountBook } from '../../src/background/trading/book.ts';
import { AlgoOrderSchema, OrderSchema, type AlgoOrder, type Order } from '../../src/background/exchange/schemas.ts';

const order = (symbol: string, clientOrderId: string): Order =>
  OrderSchema.parse({
    orderId: 1, symbol, status: 'NEW', clientOrderId, price: '100', origQty: '1', executedQty: '0',
    timeInForce: 'GTC', type: 'LIMIT', reduceOnly: false, side: 'BUY', positionSide: 'BOTH', updateTime: 1,
  });
const algo = (symbol: string, clientAlgoId: string): AlgoOrder =>
  AlgoOrderSchema.parse({
    algoId: 2, clientAlgoId, algoType: 'CONDITIONAL', orderType: 'STOP_MARKET', symbol, side: 'SELL', quantity: '1', algoStatus: 'NEW', triggerPrice: '90',
  });

describe('AccountBook.setOpenOrders', () => {
  it('a full read replaces every open order', () => {
    const book = new AccountBook();
    book.setOpenOrders([order('BTCUSDT', 'a'), order('ETHUSDT', 'b')], [algo('SOLUSDT', 'sl-1')]);
    book.setOpenOrders([order('XRPUSDT', 'c')], []);
    expect([...book.orders.values()].map((o) => o.clientId)).toEqual(['c']);
  });

  it('a read scoped to some symbols replaces only theirs: the others were not read, so they stay', () => {
    const book = new AccountBook();
    book.setOpenOrders([order('BTCUSDT', 'a'), order('ETHUSDT', 'b')], [algo('SOLUSDT', 'sl-1'), algo('BTCUSDT', 'sl-2')]);
    book.setOpenOrders([order('BTCUSDT', 'a2')], [], new Set(['BTCUSDT', 'XRPUSDT']));
    expect([...book.orders.values()].map((o) => `${o.symbol}:${o.clientId}`).sort()).toEqual(['BTCUSDT:a2', 'ETHUSDT:b', 'SOLUSDT:sl-1']);
  });
});

import { describe, expect, it } from 'vitest';
import {
  CLIENT_ORDER_ID_PATTERN,
  clientOrderIdFor,
  IntentSchema,
  makeIntentId,
  parseClientOrderId,
  priorityOf,
  requestParamsFor,
  targetClientIdFor,
  type Intent,
} from '../../src/core/intents.ts';
import type { RequestPriority } from '../../src/core/rate-limiter.ts';

describe('client order ids', () => {
  const epoch = Date.UTC(2026, 10, 25);
  it.each([
    [0, 0, 'stk-mwvcx6o0-0'],
    [1, 0, 'stk-mwvcx6o0-1'],
    [35, 0, 'stk-mwvcx6o0-z'],
    [36, 0, 'stk-mwvcx6o0-10'],
    [36, 1, 'stk-mwvcx6o0-10-1'],
    [36 ** 8 - 1, 36 ** 3, 'stk-mwvcx6o0-zzzzzzzz-1000'],
  ])('seq %i attempt %i → %s', (seq, attempt, expected) => {
    const id = clientOrderIdFor(makeIntentId(epoch, seq), attempt);
    expect(id).toBe(expected);
    expect(id).toMatch(CLIENT_ORDER_ID_PATTERN);
    expect(parseClientOrderId(id)).toEqual({ intentId: makeIntentId(epoch, seq), attempt });
  });

  it('is deterministic: the same intent and attempt give the same id', () => {
    expect(clientOrderIdFor(makeIntentId(epoch, 7), 2)).toBe(clientOrderIdFor(makeIntentId(epoch, 7), 2));
    expect(clientOrderIdFor(makeIntentId(epoch, 7), 2)).not.toBe(clientOrderIdFor(makeIntentId(epoch, 7), 1));
    expect(clientOrderIdFor(makeIntentId(epoch, 7))).not.toBe(clientOrderIdFor(makeIntentId(epoch + 1, 7)));
  });

  it('stays within 36 characters at the extremes', () => {
    const id = clientOrderIdFor(makeIntentId(36 ** 10 - 1, 36 ** 8 - 1), Number.MAX_SAFE_INTEGER);
    expect(id.length).toBeLessThanOrEqual(36);
    expect(id).toMatch(CLIENT_ORDER_ID_PATTERN);
  });

  it.each([['x-xcKtGhcu1234'], ['stk-abc'], ['stk-a-b-0'], ['autoclose-123']])('foreign id %s is not ours', (id) => {
    expect(parseClientOrderId(id)).toBeNull();
  });

  it.each([
    [-1, 0],
    [36 ** 10, 0],
    [0, -1],
    [0.5, 0],
    [0, 36 ** 8],
  ])('rejects bad epoch/seq %d/%d', (e, s) => {
    expect(() => makeIntentId(e, s)).toThrow();
  });
});

describe('request params', () => {
  const id = makeIntentId(1_700_000_000_000, 5);
  const cases: Array<[string, Intent, number, Record<string, string>]> = [
    [
      'market order',
      { kind: 'order', id, symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.010' },
      0,
      { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.010', newClientOrderId: `stk-${id}`, newOrderRespType: 'RESULT' },
    ],
    [
      'limit order, attempt 1, reduce-only, GTC default',
      { kind: 'order', id, symbol: 'ETHUSDT', side: 'SELL', type: 'LIMIT', quantity: '1', price: '3000.5', reduceOnly: true },
      1,
      {
        symbol: 'ETHUSDT', side: 'SELL', type: 'LIMIT', quantity: '1', price: '3000.5', timeInForce: 'GTC',
        reduceOnly: 'true', newClientOrderId: `stk-${id}-1`, newOrderRespType: 'RESULT',
      },
    ],
    [
      'stop market close-position on the algo service',
      {
        kind: 'algo', id, symbol: 'BTCUSDT', side: 'SELL', type: 'STOP_MARKET', triggerPrice: '90000',
        closePosition: true, workingType: 'MARK_PRICE', priceProtect: true,
      },
      0,
      {
        symbol: 'BTCUSDT', algoType: 'CONDITIONAL', side: 'SELL', type: 'STOP_MARKET', triggerPrice: '90000',
        workingType: 'MARK_PRICE', priceProtect: 'TRUE', closePosition: 'true', clientAlgoId: `stk-${id}`,
      },
    ],
    [
      'cancel keeps its target on every attempt',
      { kind: 'cancel', id, symbol: 'BTCUSDT', origClientOrderId: 'stk-abc-1' },
      3,
      { symbol: 'BTCUSDT', origClientOrderId: 'stk-abc-1' },
    ],
    [
      'cancel algo',
      { kind: 'cancel-algo', id, symbol: 'BTCUSDT', clientAlgoId: 'stk-abc-2' },
      0,
      { clientAlgoId: 'stk-abc-2' },
    ],
  ];
  it.each(cases)('%s', (_name, intent, attempt, expected) => {
    expect(IntentSchema.parse(intent)).toEqual(intent);
    expect(requestParamsFor(intent, attempt)).toEqual(expected);
  });

  it('a caller-chosen client id is kept on every attempt', () => {
    const intent: Intent = { kind: 'algo', id, clientId: 'sl-BTCUSDT-7', symbol: 'BTCUSDT', side: 'SELL', type: 'STOP_MARKET', triggerPrice: '1', closePosition: true };
    expect(requestParamsFor(intent, 0).clientAlgoId).toBe('sl-BTCUSDT-7');
    expect(requestParamsFor(intent, 2).clientAlgoId).toBe('sl-BTCUSDT-7');
    expect(targetClientIdFor(intent, 2)).toBe('sl-BTCUSDT-7');
    expect(IntentSchema.safeParse({ ...intent, clientId: 'has space' }).success).toBe(false);
  });

  it('targets the new id for placements and the original for cancels', () => {
    expect(targetClientIdFor({ kind: 'order', id, symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '1' }, 2)).toBe(
      `stk-${id}-2`,
    );
    expect(targetClientIdFor({ kind: 'cancel', id, symbol: 'BTCUSDT', origClientOrderId: 'abc' }, 2)).toBe('abc');
  });

  it('refuses conditional types on the plain order intent (they live on the algo service since 2025-12-09)', () => {
    expect(IntentSchema.safeParse({ kind: 'order', id, symbol: 'BTCUSDT', side: 'BUY', type: 'STOP_MARKET', quantity: '1' }).success).toBe(false);
  });
});

describe('priorityOf: what the rate limiter keeps its last share for', () => {
  const id = makeIntentId(Date.UTC(2026, 11, 3), 1);
  const base = { id, symbol: 'BTCUSDT', quantity: '0.01' } as const;
  it.each<[string, Intent, RequestPriority]>([
    ['a market entry', { ...base, kind: 'order', side: 'BUY', type: 'MARKET' }, 'routine'],
    ['a limit entry on the long side in hedge mode', { ...base, kind: 'order', side: 'BUY', type: 'LIMIT', price: '50000', positionSide: 'LONG' }, 'routine'],
    ['a short entry in hedge mode', { ...base, kind: 'order', side: 'SELL', type: 'MARKET', positionSide: 'SHORT' }, 'routine'],
    ['a reduce-only market close', { ...base, kind: 'order', side: 'SELL', type: 'MARKET', reduceOnly: true }, 'critical'],
    ['a reduce-only limit close', { ...base, kind: 'order', side: 'SELL', type: 'LIMIT', price: '52000', reduceOnly: true }, 'protective'],
    ['a market close of a hedge-mode long', { ...base, kind: 'order', side: 'SELL', type: 'MARKET', positionSide: 'LONG' }, 'critical'],
    ['a market close of a hedge-mode short', { ...base, kind: 'order', side: 'BUY', type: 'MARKET', positionSide: 'SHORT' }, 'critical'],
    ['a reduce-only stop', { ...base, kind: 'algo', side: 'SELL', type: 'STOP_MARKET', triggerPrice: '45000', reduceOnly: true }, 'critical'],
    ['a close-position stop', { id, symbol: 'BTCUSDT', kind: 'algo', side: 'SELL', type: 'STOP_MARKET', triggerPrice: '45000', closePosition: true }, 'critical'],
    ['a hedge-mode stop of a short', { ...base, kind: 'algo', side: 'BUY', type: 'STOP_MARKET', triggerPrice: '55000', positionSide: 'SHORT' }, 'critical'],
    ['a trailing tier', { ...base, kind: 'algo', side: 'SELL', type: 'TRAILING_STOP_MARKET', callbackRate: '2', reduceOnly: true }, 'protective'],
    ['a reduce-only take-profit', { ...base, kind: 'algo', side: 'SELL', type: 'TAKE_PROFIT_MARKET', triggerPrice: '55000', reduceOnly: true }, 'protective'],
    ['a conditional entry', { ...base, kind: 'algo', side: 'BUY', type: 'STOP_MARKET', triggerPrice: '55000' }, 'routine'],
    ['a cancel', { id, symbol: 'BTCUSDT', kind: 'cancel', origClientOrderId: 'stk-x' }, 'protective'],
    ['an algo cancel', { id, symbol: 'BTCUSDT', kind: 'cancel-algo', clientAlgoId: 'sl-BTCUSDT-B-1' }, 'protective'],
  ])('%s is %s', (_name, intent, expected) => {
    expect(IntentSchema.parse(intent)).toEqual(intent);
    expect(priorityOf(intent)).toBe(expected);
  });
});

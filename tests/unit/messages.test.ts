import { describe, expect, it } from 'vitest';
import { EventSchema, RequestSchema, ResponseSchemas, type AppEvent, type TradingSnapshot } from '../../src/shared/messages.ts';
import { VALID_REQUESTS } from '../fixtures/requests.ts';

const vault = { profiles: [], unlocked: false, autoLockMinutes: 30, retryAfterMs: 0 };
const status = {
  version: '0.1.0',
  ready: false,
  ui: { minimized: false },
  hotkeys: { commands: [{ name: 'sell', description: 'Sell', shortcut: 'Ctrl+Shift+S' }], unbound: ['buy'] },
  vault,
};
const ticket = { symbol: 'BTCUSDT', sizeMode: 'quantity', size: '0.01', leverage: 10, orderType: 'MARKET', postOnly: false, reduceOnly: false } as const;
const snapshot = {
  ticket,
  symbols: ['BTCUSDT'],
  marks: { BTCUSDT: '50000' },
  book: { BTCUSDT: { bid: '49999.9', ask: '50000' } },
  availableBalance: '10000',
  positions: [],
  orders: [],
  connection: { rest: 'ok', wsApi: 'up', market: 'up', user: 'up', clockOffsetMs: 0, rttMs: 1 },
} satisfies TradingSnapshot;

const validRequests = VALID_REQUESTS;

const validEvents = {
  status: { type: 'status', status },
  notice: { type: 'notice', level: 'error', text: 'x', atMs: 1 },
  trading: { type: 'trading', snapshot },
  mark: { type: 'mark', symbol: 'BTCUSDT', price: '50000.1', atMs: 2 },
  journal: { type: 'journal', entry: { seq: 1, atMs: 3, kind: 'order', text: 'BUY 0.01 BTCUSDT', latency: { sent: 1.2 } } },
  'vault.progress': { type: 'vault.progress', phase: 'deriving' },
} satisfies { [K in AppEvent['type']]: Extract<AppEvent, { type: K }> };

describe('request schemas', () => {
  it.each(Object.values(validRequests))('accepts a valid %o', (req) => {
    expect(RequestSchema.safeParse(req).success).toBe(true);
  });

  it.each(Object.values(validRequests))('rejects %o with an extra key', (req) => {
    expect(RequestSchema.safeParse({ ...req, extra: true }).success).toBe(false);
  });

  it.each([
    { type: 'order.submit', side: 'buy', source: 'panel', inputAtMs: 1 },
    { type: 'order.submit', side: 'BUY', source: 'web', inputAtMs: 1 },
    { type: 'order.submit', side: 'BUY', source: 'panel', inputAtMs: -1 },
    { type: 'order.submit', side: 'BUY', source: 'panel', inputAtMs: 1.5 },
    { type: 'order.submit', side: 'BUY', source: 'panel', inputAtMs: '1' },
    { type: 'order.submit', side: 'BUY', source: 'panel' },
    { type: 'ui.setMinimized', minimized: 'yes' },
    { type: 'ticket.set', ticket: { ...ticket, size: '-1' } },
    { type: 'ticket.set', ticket: { ...ticket, size: '1e3' } },
    { type: 'ticket.set', ticket: { ...ticket, size: 'NaN' } },
    { type: 'ticket.set', ticket: { ...ticket, leverage: 0 } },
    { type: 'ticket.set', ticket: { ...ticket, symbol: 'btc usdt' } },
    { type: 'vault.setup', name: 'x', environment: 'moon', confirmMainnet: false, credentials: { kind: 'prefill' }, password: 'p' },
    { type: 'vault.setup', name: 'x', environment: 'local', confirmMainnet: false, credentials: { kind: 'rsa' }, password: 'p' },
    { type: 'vault.unlock', profileId: 'p', password: '' },
    { type: 'journal.query', text: '', limit: 1e9 },
    { type: 'nope' },
    { side: 'BUY' },
    null,
    'app.status',
    [],
  ])('rejects wrong types and shapes: %o', (req) => {
    expect(RequestSchema.safeParse(req).success).toBe(false);
  });
});

describe('event schemas', () => {
  it.each(Object.values(validEvents))('accepts a valid %o', (event) => {
    expect(EventSchema.safeParse(event).success).toBe(true);
  });
  it.each(Object.values(validEvents))('rejects %o with an extra key', (event) => {
    expect(EventSchema.safeParse({ ...event, extra: 1 }).success).toBe(false);
  });
  it('rejects a nested extra key and a wrong level', () => {
    expect(EventSchema.safeParse({ type: 'status', status: { ...status, secret: 'x' } }).success).toBe(false);
    expect(EventSchema.safeParse({ type: 'notice', level: 'fatal', text: 'x', atMs: 1 }).success).toBe(false);
  });
});

describe('response schemas', () => {
  it('has one for every request type and they are strict', () => {
    expect(Object.keys(ResponseSchemas).sort()).toEqual(Object.keys(validRequests).sort());
    expect(ResponseSchemas['app.status'].safeParse(status).success).toBe(true);
    expect(ResponseSchemas['app.status'].safeParse({ ...status, apiSecret: 'x' }).success).toBe(false);
  });
});

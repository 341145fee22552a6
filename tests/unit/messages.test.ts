import { describe, expect, it } from 'vitest';
import { EventSchema, RequestSchema, ResponseSchemas, type AppEvent, type Request } from '../../src/shared/messages.ts';

const status = {
  version: '0.1.0',
  ready: false,
  ui: { minimized: false },
  hotkeys: { commands: [{ name: 'sell', description: 'Sell', shortcut: 'Ctrl+Shift+S' }], unbound: ['buy'] },
};

/** One valid example of every request type; the `satisfies` makes a new request type without an example a compile error. */
const validRequests = {
  'app.status': { type: 'app.status' },
  'order.submit': { type: 'order.submit', side: 'BUY', source: 'panel', inputAtMs: 1_700_000_000_000 },
  'hotkeys.check': { type: 'hotkeys.check' },
  'hotkeys.openSettings': { type: 'hotkeys.openSettings' },
  'ui.setMinimized': { type: 'ui.setMinimized', minimized: true },
} satisfies { [K in Request['type']]: Extract<Request, { type: K }> };

const validEvents = {
  status: { type: 'status', status },
  notice: { type: 'notice', level: 'error', text: 'x', atMs: 1 },
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

import { describe, expect, it, vi } from 'vitest';
import { createRouter, isTrustedSender, type HandlerMap } from '../../src/background/router.ts';
import { ok } from '../../src/shared/result.ts';

const opts = { extensionId: 'abcdefghijklmnopabcdefghijklmnop', extensionOrigin: 'chrome-extension://abcdefghijklmnopabcdefghijklmnop' };
const ownPage = { id: opts.extensionId, url: `${opts.extensionOrigin}/src/sidepanel/index.html`, origin: opts.extensionOrigin };

function makeHandlers() {
  const vault = { profiles: [], unlocked: false, autoLockMinutes: 30, retryAfterMs: 0 };
  const status = { version: '1', ready: false, ui: { minimized: false }, hotkeys: { commands: [], unbound: [] }, vault };
  const ticket = { symbol: 'BTCUSDT', sizeMode: 'quantity', size: '0.01', leverage: 10, orderType: 'MARKET', postOnly: false, reduceOnly: false } as const;
  const connection = { rest: 'ok', wsApi: 'up', market: 'up', user: 'up', clockOffsetMs: 0, rttMs: 1 } as const;
  const snapshot = { ticket, symbols: [], marks: {}, book: {}, availableBalance: '0', positions: [], orders: [], connection };
  const preview = { symbol: 'BTCUSDT', side: 'BUY', quantity: '1', price: '1', notional: '1', margin: '1', liquidationEstimate: '1', stopPrice: '1' } as const;
  return {
    'app.status': vi.fn(async () => ok(status)),
    'vault.status': vi.fn(async () => ok(vault)),
    'vault.generateEd25519': vi.fn(async () => ok({ publicKeyPem: 'pem' })),
    'vault.setup': vi.fn(async () => ok(vault)),
    'vault.unlock': vi.fn(async () => ok(vault)),
    'vault.lock': vi.fn(async () => ok(vault)),
    'vault.changePassword': vi.fn(async () => ok(vault)),
    'vault.deleteProfile': vi.fn(async () => ok(vault)),
    'vault.setAutoLock': vi.fn(async () => ok(vault)),
    'ticket.set': vi.fn(async (r) => ok(r.ticket)),
    'ticket.preview': vi.fn(async () => ok(preview)),
    'trading.snapshot': vi.fn(async () => ok(snapshot)),
    'position.close': vi.fn(async () => ok({ clientOrderId: 'x' })),
    'order.cancel': vi.fn(async () => ok({ canceled: true as const })),
    'orders.cancelAll': vi.fn(async () => ok({ canceled: 0 })),
    flatten: vi.fn(async () => ok({ canceledOrders: 0, closedPositions: 0 })),
    'journal.query': vi.fn(async () => ok([])),
    'journal.export': vi.fn(async () => ok({ csv: '' })),
    'order.submit': vi.fn(async (r) =>
      ok({ intentId: 'i1', clientOrderId: 'c1', side: r.side, symbol: 'BTCUSDT', quantity: '0.01', status: 'NEW', via: 'ws' as const, latency: { signedMs: 0.1, sentMs: 0.2, ackMs: 1 } }),
    ),
    'hotkeys.check': vi.fn(async () => ok({ commands: [], unbound: [] })),
    'hotkeys.openSettings': vi.fn(async () => ok({ opened: true as const })),
    'ui.setMinimized': vi.fn(async (r) => ok({ minimized: r.minimized })),
  } satisfies HandlerMap;
}

const noHandlerCalled = (h: ReturnType<typeof makeHandlers>) => Object.values(h).every((f) => f.mock.calls.length === 0);

describe('sender check', () => {
  it.each([
    ['another extension', { ...ownPage, id: 'zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz' }],
    ['a content script on a web page', { id: opts.extensionId, url: 'https://evil.example/', origin: 'https://evil.example' }],
    ['no url', { id: opts.extensionId }],
    ['a garbage url', { id: opts.extensionId, url: 'not a url' }],
    ['a spoofed origin', { ...ownPage, origin: 'https://evil.example' }],
    ['no id', { url: ownPage.url }],
  ])('refuses %s', (_name, sender) => {
    expect(isTrustedSender(sender, opts)).toBe(false);
  });

  it('trusts our own page, also when opened as a tab', () => {
    expect(isTrustedSender(ownPage, opts)).toBe(true);
  });
});

describe('router', () => {
  it('refuses a foreign sender without calling any handler', async () => {
    const h = makeHandlers();
    const r = await createRouter(h, opts).route({ type: 'app.status' }, { id: 'other', url: 'https://x.example/' });
    expect(r).toMatchObject({ ok: false, error: { code: 'FOREIGN_SENDER' } });
    expect(noHandlerCalled(h)).toBe(true);
  });

  it.each([
    [{ type: 'order.nuke' }, 'UNKNOWN_TYPE'],
    [{ nope: 1 }, 'UNKNOWN_TYPE'],
    [null, 'UNKNOWN_TYPE'],
    [{ type: 'order.submit', side: 'BUY', source: 'panel', inputAtMs: 1, qty: '1000' }, 'BAD_REQUEST'],
    [{ type: 'order.submit', side: 'HOLD', source: 'panel', inputAtMs: 1 }, 'BAD_REQUEST'],
  ])('answers %o with %s and calls no handler', async (message, code) => {
    const h = makeHandlers();
    const r = await createRouter(h, opts).route(message, ownPage);
    expect(r).toMatchObject({ ok: false, error: { code } });
    expect(noHandlerCalled(h)).toBe(true);
  });

  it('names the offending field in a malformed request', async () => {
    const r = await createRouter(makeHandlers(), opts).route({ type: 'order.submit', side: 'HOLD', source: 'panel', inputAtMs: 1 }, ownPage);
    expect(r.ok === false && r.error.message).toContain('side');
  });

  it('dispatches a valid request to exactly its handler', async () => {
    const h = makeHandlers();
    const r = await createRouter(h, opts).route({ type: 'order.submit', side: 'SELL', source: 'hotkey', inputAtMs: 5 }, ownPage);
    expect(r).toMatchObject({ ok: true, value: { intentId: 'i1', clientOrderId: 'c1', side: 'SELL', status: 'NEW' } });
    expect(h['order.submit']).toHaveBeenCalledTimes(1);
    expect(h['app.status']).not.toHaveBeenCalled();
  });

  it('turns a throwing handler into an INTERNAL error instead of crashing', async () => {
    const h = makeHandlers();
    h['app.status'].mockImplementationOnce(async () => {
      throw new Error('boom');
    });
    const r = await createRouter(h, opts).route({ type: 'app.status' }, ownPage);
    expect(r).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
  });
});

import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  HOTKEY_COMMANDS,
  commandToRequest,
  describeOutcome,
  hotkeyHealth,
  runHotkey,
  type HotkeyReport,
  type HotkeyRequest,
} from '../../src/background/commands.ts';
import { RequestSchema, type OrderAck, type Request } from '../../src/shared/messages.ts';
import { err, ok, type Result } from '../../src/shared/result.ts';

const BINANCE_ETH = 'https://www.binance.com/en/futures/ETHUSDT';
const TV_SOL = 'https://www.tradingview.com/chart/?symbol=BINANCE%3ASOLUSDTPERP';

describe('commandToRequest', () => {
  const table: Array<[string, string | undefined, HotkeyRequest | null]> = [
    ['buy', undefined, { type: 'order.submit', side: 'BUY', source: 'hotkey', inputAtMs: 1000 }],
    ['sell', undefined, { type: 'order.submit', side: 'SELL', source: 'hotkey', inputAtMs: 1000 }],
    ['buy', BINANCE_ETH, { type: 'order.submit', side: 'BUY', source: 'hotkey', inputAtMs: 1000, symbol: 'ETHUSDT' }],
    ['sell', TV_SOL, { type: 'order.submit', side: 'SELL', source: 'hotkey', inputAtMs: 1000, symbol: 'SOLUSDT' }],
    // A tab that shows no perpetual leaves the ticket's symbol in charge: no `symbol` key at all.
    ['sell', 'https://www.binance.com/en/trade/BTC_USDT', { type: 'order.submit', side: 'SELL', source: 'hotkey', inputAtMs: 1000 }],
    ['buy', 'https://example.com/', { type: 'order.submit', side: 'BUY', source: 'hotkey', inputAtMs: 1000 }],
    // Flatten is everything, everywhere: the tab does not narrow it.
    ['flatten', BINANCE_ETH, { type: 'flatten', source: 'hotkey', inputAtMs: 1000 }],
    ['flatten', undefined, { type: 'flatten', source: 'hotkey', inputAtMs: 1000 }],
    ['_execute_action', undefined, null],
    ['BUY', undefined, null],
    ['', undefined, null],
  ];

  it.each(table)('%s on %s', (command, url, expected) => {
    const request = commandToRequest(command, 1000, url);
    expect(request).toStrictEqual(expected);
    // What it builds is exactly what the router accepts: the strict schema refuses any extra or missing key.
    if (request !== null) expect(RequestSchema.parse(request)).toStrictEqual(request);
  });

  it('maps every manifest command, and the manifest carries at most 4 suggested keys', () => {
    const manifest = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../manifest.json'), 'utf8')) as {
      commands: Record<string, { suggested_key?: { default: string } }>;
    };
    expect(Object.keys(manifest.commands)).toEqual([...HOTKEY_COMMANDS]);
    for (const name of HOTKEY_COMMANDS) expect(commandToRequest(name, 1)).not.toBeNull();
    const keyed = Object.values(manifest.commands).filter((c) => c.suggested_key !== undefined);
    expect(keyed.length).toBeLessThanOrEqual(4);
    expect(manifest.commands.flatten?.suggested_key?.default).toBe('Alt+Shift+F');
  });
});

const ack = (over: Partial<OrderAck> = {}): OrderAck => ({
  intentId: 'i1',
  clientOrderId: 'stk-1',
  side: 'SELL',
  symbol: 'BTCUSDT',
  quantity: '0.01',
  status: 'FILLED',
  via: 'ws',
  latency: { signedMs: 0.4, sentMs: 0.6, ackMs: 3.4 },
  ...over,
});
const sell: HotkeyRequest = { type: 'order.submit', side: 'SELL', source: 'hotkey', inputAtMs: 5 };
const buyEth: HotkeyRequest = { type: 'order.submit', side: 'BUY', source: 'hotkey', inputAtMs: 5, symbol: 'ETHUSDT' };
const flatten: HotkeyRequest = { type: 'flatten', source: 'hotkey', inputAtMs: 5 };

describe('describeOutcome', () => {
  const table: Array<[string, HotkeyRequest, Result<unknown>, HotkeyReport]> = [
    [
      'a filled sell on the ticket symbol',
      sell,
      ok(ack()),
      { level: 'info', title: 'Strike: SELL BTCUSDT FILLED', message: 'Sent SELL 0.01 BTCUSDT: FILLED, acknowledged in 3 ms via WebSocket API.' },
    ],
    [
      'a new buy on the active tab symbol over REST',
      buyEth,
      ok(ack({ side: 'BUY', symbol: 'ETHUSDT', quantity: '0.5', status: 'NEW', via: 'rest', latency: { signedMs: 1, sentMs: 2, ackMs: 12.6 } })),
      { level: 'info', title: 'Strike: BUY ETHUSDT NEW', message: 'Sent BUY 0.5 ETHUSDT (active tab): NEW, acknowledged in 13 ms via REST.' },
    ],
    [
      'a locked vault',
      sell,
      err('VAULT_LOCKED', 'Strike is locked: unlock it in the side panel to trade. No order was sent.'),
      { level: 'error', title: 'Strike: SELL failed', message: 'SELL (ticket symbol): Strike is locked: unlock it in the side panel to trade. No order was sent.' },
    ],
    [
      'an exchange refusal on the tab symbol',
      buyEth,
      err('EXCHANGE', 'Margin is insufficient.'),
      { level: 'error', title: 'Strike: BUY failed', message: 'BUY ETHUSDT (active tab): Margin is insufficient.' },
    ],
    [
      'an answer of the wrong shape',
      sell,
      ok({ canceled: 1 }),
      { level: 'error', title: 'Strike: SELL failed', message: 'SELL (ticket symbol): the background answered in an unexpected shape.' },
    ],
    [
      'a flatten',
      flatten,
      ok({ canceledOrders: 4, closedPositions: 1 }),
      { level: 'info', title: 'Strike: flattened', message: 'Canceled 4 orders, closed 1 position.' },
    ],
    [
      'a flatten with nothing to do',
      flatten,
      ok({ canceledOrders: 0, closedPositions: 0 }),
      { level: 'info', title: 'Strike: flattened', message: 'Canceled 0 orders, closed 0 positions.' },
    ],
    ['a failed flatten', flatten, err('NETWORK', 'The exchange did not answer.'), { level: 'error', title: 'Strike: flatten failed', message: 'Flatten: The exchange did not answer.' }],
    [
      'a flatten answer of the wrong shape',
      flatten,
      ok(ack()),
      { level: 'error', title: 'Strike: flatten failed', message: 'Flatten: the background answered in an unexpected shape.' },
    ],
  ];

  it.each(table)('%s', (_name, request, result, expected) => {
    expect(describeOutcome(request, result)).toStrictEqual(expected);
  });
});

describe('runHotkey', () => {
  function deps(answer: (r: Request) => Result<unknown>) {
    const sent: Request[] = [];
    const reports: Array<{ report: HotkeyReport; atMs: number }> = [];
    return {
      sent,
      reports,
      deps: {
        now: () => 42,
        dispatch: async (r: Request) => {
          sent.push(RequestSchema.parse(r));
          return answer(r);
        },
        report: (report: HotkeyReport, atMs: number) => reports.push({ report, atMs }),
      },
    };
  }

  it('sends one request with the tab symbol and reports the ack once', async () => {
    const d = deps((r) => ok(ack({ side: 'BUY', symbol: r.type === 'order.submit' ? (r.symbol ?? 'BTCUSDT') : 'BTCUSDT' })));
    const report = await runHotkey('buy', BINANCE_ETH, d.deps);
    expect(d.sent).toEqual([{ type: 'order.submit', side: 'BUY', source: 'hotkey', inputAtMs: 42, symbol: 'ETHUSDT' }]);
    expect(d.reports).toEqual([{ report, atMs: 42 }]);
    expect(report?.title).toBe('Strike: BUY ETHUSDT FILLED');
  });

  it('reports the error of a refused request', async () => {
    const d = deps(() => err('VALIDATION', 'ETHUSDT is not a symbol this exchange lists.'));
    await runHotkey('sell', BINANCE_ETH, d.deps);
    expect(d.reports.map((r) => r.report)).toEqual([
      { level: 'error', title: 'Strike: SELL failed', message: 'SELL ETHUSDT (active tab): ETHUSDT is not a symbol this exchange lists.' },
    ]);
  });

  it('does nothing for a command it does not know', async () => {
    const d = deps(() => ok(null));
    await expect(runHotkey('_execute_action', undefined, d.deps)).resolves.toBeNull();
    expect(d.sent).toEqual([]);
    expect(d.reports).toEqual([]);
  });
});

describe('hotkeyHealth', () => {
  it('lists bindings without the action command and names every command left without a key', () => {
    const health = hotkeyHealth([
      { name: '_execute_action', shortcut: '', description: '' },
      { name: 'buy', shortcut: '', description: 'Buy' },
      { name: 'sell', shortcut: 'Ctrl+Shift+S', description: 'Sell' },
      { name: 'flatten', shortcut: '', description: 'Flatten' },
    ]);
    expect(health.commands.map((c) => c.name)).toEqual(['buy', 'sell', 'flatten']);
    expect(health.unbound).toEqual(['buy', 'flatten']);
  });

  it('reports nothing unbound once every command has a key', () => {
    const health = hotkeyHealth([
      { name: 'buy', shortcut: 'Ctrl+Shift+B', description: 'Buy' },
      { name: 'sell', shortcut: 'Ctrl+Shift+S', description: 'Sell' },
      { name: 'flatten', shortcut: 'Alt+Shift+F', description: 'Flatten' },
    ]);
    expect(health.unbound).toEqual([]);
  });
});

// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { barPosition, direction, idToken, protectionText, summary, tierText, unprotectedText } from '../../src/sidepanel/positions-model.ts';
import { connectionChips } from '../../src/sidepanel/views/connection.ts';
import { ackText } from '../../src/sidepanel/views/action-bar.ts';
import { hotkeysText } from '../../src/sidepanel/views/hotkeys.ts';
import { exportFileName, matchesSearch } from '../../src/sidepanel/views/journal.ts';
import { errorText } from '../../src/sidepanel/context.ts';
import type { PositionView } from '../../src/shared/messages.ts';

const position = (patch: Partial<PositionView> = {}): PositionView => ({
  symbol: 'BTCUSDT',
  positionSide: 'BOTH',
  amount: '0.010',
  entryPrice: '50000',
  markPrice: '50500',
  unrealizedPnl: '5',
  pnlPercent: '1',
  roePercent: '10',
  liquidationPrice: '45500',
  leverage: 10,
  ...patch,
});

describe('positions model', () => {
  it.each([
    ['BOTH', '0.01', 'LONG'],
    ['BOTH', '-0.01', 'SHORT'],
    ['LONG', '0.01', 'LONG'],
    ['SHORT', '0.01', 'SHORT'],
  ] as const)('%s with amount %s is %s', (positionSide, amount, expected) => {
    expect(direction({ positionSide, amount })).toBe(expected);
  });

  it('summarises the ticket symbol’s position first and counts the others', () => {
    const eth = position({ symbol: 'ETHUSDT', amount: '-1', unrealizedPnl: '-2.5', pnlPercent: '-0.5' });
    const flat = position({ symbol: 'XRPUSDT', amount: '0' });
    const pick = barPosition([position(), eth, flat], 'ETHUSDT');
    expect(pick?.more).toBe(1);
    expect(pick !== undefined && summary(pick.position)).toBe('ETHUSDT SHORT 1 · -2.50 USDT (-0.50 %)');
    expect(barPosition([flat], 'XRPUSDT')).toBeUndefined();
    expect(barPosition([position()], 'SOLUSDT')?.position.symbol).toBe('BTCUSDT');
  });

  it('describes the ASL tier and the protection state', () => {
    expect(tierText({})).toBe('below tier 1');
    expect(tierText({ activeTier: 1, nextTierPrice: '51000.0' })).toBe('tier 2 active · next at 51000');
    expect(protectionText({})).toBe('NO STOP on the exchange');
    expect(protectionText({ stopPrice: '49500.0' })).toBe('stop 49500');
    expect(unprotectedText({ unprotectedMs: 120 })).toBe('unprotected for 120 ms');
    expect(unprotectedText({})).toBe('');
  });

  it('makes id-safe tokens', () => {
    expect(idToken('BTCUSDT', 'LONG')).toBe('BTCUSDT-LONG');
    expect(idToken('x y/z')).toBe('x_y_z');
  });
});

describe('strip, ack, hotkeys and journal wording', () => {
  it('lists connection chips in a fixed order and flags a limiter', () => {
    const chips = connectionChips({ rest: 'ok', wsApi: 'connecting', market: 'up', user: 'down', clockOffsetMs: -1200, rttMs: 3, limiter: '429: retry in 20 s' });
    expect(chips).toEqual([
      ['REST', 'ok', 'ok'],
      ['WS API', 'connecting', 'warn'],
      ['Market', 'up', 'ok'],
      ['User', 'down', 'bad'],
      ['Clock', '−1.2 s', 'warn'],
      ['RTT', '3 ms', 'ok'],
      ['Held', '429: retry in 20 s', 'bad'],
    ]);
  });

  it('writes an ack with its path and latency', () => {
    expect(
      ackText({
        intentId: 'i',
        clientOrderId: 'c',
        side: 'BUY',
        symbol: 'BTCUSDT',
        quantity: '0.01',
        status: 'FILLED',
        via: 'ws',
        latency: { signedMs: 0.4, sentMs: 0.9, ackMs: 6.2 },
      }),
    ).toBe('BUY 0.01 BTCUSDT FILLED via WS · ack 6.2 ms (signed 0.4 ms, sent 0.9 ms)');
  });

  it('keeps the hotkeys sentence the e2e test reads', () => {
    expect(hotkeysText(['buy'])).toContain('BUY (suggested Ctrl+Shift+B) has no key');
  });

  it('matches journal searches on kind, text and client id, case-insensitively', () => {
    const e = { seq: 1, atMs: 0, kind: 'error' as const, text: 'Order rejected: -2019 margin', clientId: 'stk-abc' };
    expect(matchesSearch(e, '')).toBe(true);
    expect(matchesSearch(e, 'MARGIN')).toBe(true);
    expect(matchesSearch(e, 'error')).toBe(true);
    expect(matchesSearch(e, 'STK-ABC')).toBe(true);
    expect(matchesSearch(e, 'fill')).toBe(false);
    expect(exportFileName(Date.UTC(2025, 0, 31, 12, 3))).toBe('strike-journal-2025-01-31T1203.csv');
  });

  it('adds the background’s suggestion to an error', () => {
    expect(errorText({ code: 'VALIDATION', message: 'Quantity below the step.', suggestion: { size: '0.001' } })).toBe(
      'Quantity below the step. Suggested: size 0.001.',
    );
    expect(errorText({ code: 'NETWORK', message: 'Offline.' })).toBe('Offline.');
  });
});

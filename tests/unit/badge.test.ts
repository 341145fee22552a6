import { describe, expect, it } from 'vitest';
import { BADGE_COLORS, badgeView, type BadgeState } from '../../src/background/badge.ts';
import type { PositionView, TradingSnapshot } from '../../src/shared/messages.ts';

type Connection = TradingSnapshot['connection'];
const up: Connection = { rest: 'ok', wsApi: 'up', market: 'up', user: 'up', clockOffsetMs: 0, rttMs: 1 };
const position = (symbol: string, stopPrice?: string): PositionView => ({
  symbol,
  positionSide: 'BOTH',
  amount: '0.01',
  entryPrice: '50000',
  markPrice: '50000',
  unrealizedPnl: '0',
  pnlPercent: '0',
  roePercent: '0',
  liquidationPrice: '0',
  leverage: 10,
  ...(stopPrice === undefined ? {} : { stopPrice }),
});
const trading = (positions: PositionView[], connection: Partial<Connection> = {}): BadgeState => ({
  kind: 'trading',
  snapshot: { positions, connection: { ...up, ...connection } },
});

describe('badgeView', () => {
  const table: Array<[string, BadgeState, string, string]> = [
    ['locked', { kind: 'locked' }, 'OFF', BADGE_COLORS.red],
    ['a session that failed to start', { kind: 'error', reason: 'the exchange did not answer' }, 'ERR', BADGE_COLORS.red],
    ['connected, flat', trading([]), '', BADGE_COLORS.green],
    ['connected, one protected position', trading([position('BTCUSDT', '45000')]), '1', BADGE_COLORS.green],
    ['connected, two protected positions', trading([position('BTCUSDT', '45000'), position('ETHUSDT', '2000')]), '2', BADGE_COLORS.green],
    ['a fill whose stop is not resident yet', trading([position('BTCUSDT', '45000'), position('ETHUSDT')]), '2', BADGE_COLORS.red],
    ['user stream connecting, flat', trading([], { user: 'connecting' }), '…', BADGE_COLORS.amber],
    ['market stream connecting, one protected', trading([position('BTCUSDT', '45000')], { market: 'connecting' }), '1', BADGE_COLORS.amber],
    ['rate-limited', trading([], { rest: 'degraded', limiter: 'Rate limited: retry in 3 s' }), '…', BADGE_COLORS.amber],
    ['WebSocket API down alone (REST carries orders)', trading([], { wsApi: 'down' }), '', BADGE_COLORS.green],
    ['REST down, flat', trading([], { rest: 'down' }), '!', BADGE_COLORS.red],
    ['user stream down with a position', trading([position('BTCUSDT', '45000')], { user: 'down' }), '1', BADGE_COLORS.red],
    ['too many positions to fit', trading(Array.from({ length: 1000 }, (_, i) => position(`S${i}USDT`, '1'))), '999+', BADGE_COLORS.green],
  ];

  it.each(table)('%s', (_name, state, text, color) => {
    const view = badgeView(state);
    expect(view.text).toBe(text);
    expect(view.color).toBe(color);
    expect(view.text.length).toBeLessThanOrEqual(4);
  });

  it('names what is wrong in the tooltip', () => {
    expect(badgeView(trading([position('BTCUSDT', '45000'), position('ETHUSDT')])).title).toBe(
      'Strike: 2 open positions; no resident stop yet on ETHUSDT.',
    );
    expect(badgeView(trading([], { rest: 'degraded', limiter: 'Rate limited: retry in 3 s' })).title).toBe(
      'Strike: Rate limited: retry in 3 s, no open position.',
    );
    expect(badgeView(trading([position('BTCUSDT', '45000')])).title).toBe('Strike: connected, 1 open position, all protected.');
    expect(badgeView({ kind: 'error', reason: 'the exchange did not answer' }).title).toBe('Strike: the exchange did not answer');
  });
});

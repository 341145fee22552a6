/**
 * The toolbar badge: how many positions are open and whether Strike is watching them, readable from any tab
 * without opening the panel. Green: connected and every position has a resident stop. Amber: a stream is still
 * connecting or requests are held by the rate limiter. Red: locked, failed, down, or a position without a stop.
 * `badgeView` is the pure mapping; `updateBadge` paints it (https://developer.chrome.com/docs/extensions/reference/api/action).
 */
import type { TradingSnapshot } from '../shared/messages.ts';

/** What the badge shows: no session (locked or not set up), a session that failed, or a running session. */
export type BadgeState =
  | { readonly kind: 'locked' }
  | { readonly kind: 'error'; readonly reason: string }
  | { readonly kind: 'trading'; readonly snapshot: Pick<TradingSnapshot, 'positions' | 'connection'> };

export interface BadgeView {
  /** Badge text: the number of open positions, '' when none and all is well. At most 4 characters fit. */
  readonly text: string;
  /** Background colour (#rrggbb). */
  readonly color: string;
  /** Tooltip of the toolbar icon. */
  readonly title: string;
}

export const BADGE_COLORS = { green: '#1e8e3e', amber: '#f29900', red: '#d93025' } as const;

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Maps the session state to the badge. Pure. */
export function badgeView(state: BadgeState): BadgeView {
  switch (state.kind) {
    case 'locked':
      return { text: 'OFF', color: BADGE_COLORS.red, title: 'Strike is locked: hotkeys send nothing and open positions are not watched. Click to unlock.' };
    case 'error':
      return { text: 'ERR', color: BADGE_COLORS.red, title: `Strike: ${state.reason}` };
    case 'trading':
      return tradingView(state.snapshot);
  }
}

function tradingView({ positions, connection }: Pick<TradingSnapshot, 'positions' | 'connection'>): BadgeView {
  const count = positions.length;
  const text = count === 0 ? '' : count > 999 ? '999+' : String(count);
  const held = count === 0 ? 'no open position' : plural(count, 'open position');
  const unprotected = positions.filter((p) => p.stopPrice === undefined);
  // Fills and stop triggers arrive on the user-data stream and orders go over REST: without both, a position
  // cannot be watched, whatever the market stream does.
  if (connection.rest === 'down' || connection.user === 'down') {
    return { text: text === '' ? '!' : text, color: BADGE_COLORS.red, title: `Strike: disconnected from the exchange, ${held}.` };
  }
  if (unprotected.length > 0) {
    const names = unprotected.map((p) => p.symbol).join(', ');
    return { text, color: BADGE_COLORS.red, title: `Strike: ${held}; no resident stop yet on ${names}.` };
  }
  if (connection.rest === 'degraded' || connection.user === 'connecting' || connection.market !== 'up') {
    const why = connection.limiter ?? 'connecting to the exchange';
    return { text: text === '' ? '…' : text, color: BADGE_COLORS.amber, title: `Strike: ${why}, ${held}.` };
  }
  return { text, color: BADGE_COLORS.green, title: `Strike: connected, ${held}${count === 0 ? '' : ', all protected'}.` };
}

let painted = '';

/**
 * Paints the badge for `state`. Snapshots arrive up to five times a second; an unchanged view is not repainted.
 * Call it from the snapshot publisher (`trading`), on lock (`locked`) and when a session fails to start (`error`).
 */
export async function updateBadge(state: BadgeState): Promise<void> {
  const view = badgeView(state);
  const key = `${view.text}|${view.color}|${view.title}`;
  if (key === painted) return;
  painted = key;
  await Promise.all([
    chrome.action.setBadgeText({ text: view.text }),
    chrome.action.setBadgeBackgroundColor({ color: view.color }),
    chrome.action.setBadgeTextColor({ color: '#ffffff' }),
    chrome.action.setTitle({ title: view.title }),
  ]);
}

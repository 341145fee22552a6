/** The connection strip: REST, WebSocket API, market and user streams, clock offset, RTT and the limiter. */
import type { TradingSnapshot } from '../../shared/messages.ts';
import { h, replaceChildren } from '../dom.ts';
import { formatMs } from '../format.ts';

type Connection = TradingSnapshot['connection'];

const good = new Set(['ok', 'up']);
const stateClass = (s: string): string => (good.has(s) ? 'ok' : s === 'down' ? 'bad' : 'warn');

/** The strip's chips as [label, value, class]; pure, so the order and wording are tested without a DOM. */
export function connectionChips(c: Connection): Array<[string, string, string]> {
  const chips: Array<[string, string, string]> = [
    ['REST', c.rest, stateClass(c.rest)],
    ['WS API', c.wsApi, stateClass(c.wsApi)],
    ['Market', c.market, stateClass(c.market)],
    ['User', c.user, stateClass(c.user)],
    // Binance rejects a timestamp off by more than recvWindow (default 5000 ms) from its clock (fact sheet: -1021).
    ['Clock', `${c.clockOffsetMs >= 0 ? '+' : '−'}${formatMs(Math.abs(c.clockOffsetMs))}`, Math.abs(c.clockOffsetMs) > 1000 ? 'warn' : 'ok'],
    ['RTT', formatMs(c.rttMs), c.rttMs > 500 ? 'warn' : 'ok'],
  ];
  if (c.limiter !== undefined) chips.push(['Held', c.limiter, 'bad']);
  return chips;
}

export function renderConnection(root: HTMLElement, c: Connection | undefined): void {
  if (c === undefined) {
    replaceChildren(root, h('span', { class: 'chip muted' }, 'Exchange: not connected'));
    return;
  }
  replaceChildren(
    root,
    ...connectionChips(c).map(([label, value, cls]) => h('span', { class: `chip ${cls}` }, h('span', { class: 'chip-label' }, label), ` ${value}`)),
  );
}

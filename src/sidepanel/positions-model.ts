/** Pure helpers for the positions table and the action bar's one-line position summary. */
import { isDecimal, isNegative, isZero } from '../shared/decimal.ts';
import type { PositionView } from '../shared/messages.ts';
import { absolute, formatMs, plain, signed } from './format.ts';

/** LONG or SHORT: hedge-mode positions say so; one-way (BOTH) positions carry the direction in the amount's sign. */
export function direction(p: Pick<PositionView, 'positionSide' | 'amount'>): 'LONG' | 'SHORT' {
  if (p.positionSide !== 'BOTH') return p.positionSide;
  return isDecimal(p.amount) && isNegative(p.amount) ? 'SHORT' : 'LONG';
}

/** An id-safe token ("BTCUSDT-LONG"): ids must not contain spaces and should stay readable in tests. */
export function idToken(...parts: string[]): string {
  return parts.join('-').replace(/[^A-Za-z0-9_-]/g, '_');
}

/** Row id and Close button id of a position (stable for the e2e tests). */
export const positionRowId = (p: Pick<PositionView, 'symbol' | 'positionSide'>): string => `pos-${idToken(p.symbol, p.positionSide)}`;
export const closeButtonId = (p: Pick<PositionView, 'symbol' | 'positionSide'>): string => `close-${idToken(p.symbol, p.positionSide)}`;

/** -1 / 0 / 1 for colouring a PnL. */
export function pnlSign(x: string): -1 | 0 | 1 {
  if (!isDecimal(x) || isZero(x)) return 0;
  return isNegative(x) ? -1 : 1;
}

/** The ASL state in words: "tier 2 active · next at 51000" / "below tier 1 · next at 50500". */
export function tierText(p: Pick<PositionView, 'activeTier' | 'nextTierPrice'>): string {
  const now = p.activeTier === undefined ? 'below tier 1' : `tier ${p.activeTier + 1} active`;
  return p.nextTierPrice === undefined ? now : `${now} · next at ${plain(p.nextTierPrice)}`;
}

/** "stop 49500", or a shout while the position has no stop on the exchange. */
export function protectionText(p: Pick<PositionView, 'stopPrice'>): string {
  return p.stopPrice === undefined ? 'NO STOP on the exchange' : `stop ${plain(p.stopPrice)}`;
}

/** How long the position went without an exchange-resident stop after its entry fill ("" until known). */
export function unprotectedText(p: Pick<PositionView, 'unprotectedMs'>): string {
  return p.unprotectedMs === undefined ? '' : `unprotected for ${formatMs(p.unprotectedMs)}`;
}

/**
 * The position the action bar summarises: the one on the ticket's symbol if any, else the first. `more` counts
 * the others so the bar can say "+2 more".
 */
export function barPosition(positions: readonly PositionView[], symbol: string): { position: PositionView; more: number } | undefined {
  const open = positions.filter((p) => isDecimal(p.amount) && !isZero(p.amount));
  const position = open.find((p) => p.symbol === symbol) ?? open[0];
  return position === undefined ? undefined : { position, more: open.length - 1 };
}

/** "BTCUSDT LONG 0.01 · +1.23 USDT (+0.50 %)" */
export function summary(p: PositionView): string {
  return `${p.symbol} ${direction(p)} ${absolute(plain(p.amount))} · ${signed(p.unrealizedPnl, 2)} USDT (${signed(p.pnlPercent, 2)} %)`;
}

/** "+12.30 % ROE" */
export const roeText = (p: PositionView): string => `ROE ${signed(p.roePercent, 2)} %`;
export const liqText = (p: PositionView): string => (isDecimal(p.liquidationPrice) && !isZero(p.liquidationPrice) ? plain(p.liquidationPrice) : '—');
export const entryText = (p: PositionView): string => plain(p.entryPrice);
export const pnlText = (p: PositionView): string => `${signed(p.unrealizedPnl, 2)} USDT`;
export const pnlPercentText = (p: PositionView): string => `${signed(p.pnlPercent, 2)} %`;
export const sizeText = (p: PositionView): string => absolute(plain(p.amount));

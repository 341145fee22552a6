/**
 * How the panel writes numbers, times and states. Prices and amounts stay decimal strings end to end; rounding
 * for display goes through the decimal helpers, never through floats.
 */
import { abs, div, isDecimal, isNegative, isZero, mul, normalize, roundToStep, sub, add } from '../shared/decimal.ts';
import type { Environment, TradingSnapshot } from '../shared/messages.ts';

type Connection = TradingSnapshot['connection'];

/** `10^-places` as a decimal string: 2 -> "0.01", 0 -> "1". */
function stepOf(places: number): string {
  return places <= 0 ? '1' : `0.${'0'.repeat(places - 1)}1`;
}

/**
 * A decimal string rounded half-up to `places` and padded with zeros ("1.5", 2 -> "1.50"). Anything that is not a
 * decimal string is shown as an em dash rather than as garbage.
 */
export function fixed(x: string, places: number): string {
  if (!isDecimal(x)) return '—';
  const rounded = roundToStep(x, stepOf(places), 'half-up');
  if (places <= 0) return rounded;
  const [int, frac = ''] = rounded.split('.');
  return `${int}.${frac.padEnd(places, '0')}`;
}

/** A decimal string with a leading sign: "+12.30" / "-0.50" / "0.00". */
export function signed(x: string, places: number): string {
  if (!isDecimal(x)) return '—';
  const rounded = roundToStep(x, stepOf(places), 'half-up');
  if (isZero(rounded)) return fixed('0', places);
  return isNegative(rounded) ? fixed(rounded, places) : `+${fixed(rounded, places)}`;
}

/** Normalised decimal for quantities and prices as the exchange gave them ("0.0100" -> "0.01"). */
export function plain(x: string | undefined): string {
  return x !== undefined && isDecimal(x) ? normalize(x) : '—';
}

/** A duration in the unit a trader reads at a glance: "0.4 ms", "12 ms", "1.2 s", "3 min". */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 10) return `${(Math.round(ms * 10) / 10).toString()} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(Math.round(ms / 100) / 10).toString()} s`;
  return `${Math.round(ms / 60_000)} min`;
}

/** A wait as "12 s" or "2 min 05 s", rounded up so the button never says 0 s while still disabled. */
export function formatCountdown(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  if (total < 60) return `${total} s`;
  const minutes = Math.floor(total / 60);
  return `${minutes} min ${String(total % 60).padStart(2, '0')} s`;
}

/** Wall-clock time with milliseconds, "14:03:07.125", in local time (or UTC for tests and exports). */
export function formatTime(atMs: number, utc = false): string {
  const d = new Date(atMs);
  const parts = utc
    ? [d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds()]
    : [d.getHours(), d.getMinutes(), d.getSeconds(), d.getMilliseconds()];
  const [hh = 0, mm = 0, ss = 0, ms = 0] = parts;
  return `${pad2(hh)}:${pad2(mm)}:${pad2(ss)}.${String(ms).padStart(3, '0')}`;
}

/** "14:03" for the auto-lock time. */
export function formatHourMinute(atMs: number, utc = false): string {
  const d = new Date(atMs);
  return utc ? `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}` : `${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** What the set-up form and the vault bar call each environment. */
export const ENVIRONMENT_LABEL: Record<Environment, string> = {
  local: 'Local exchange',
  demo: 'Binance Futures demo trading (testnet)',
  mainnet: 'Binance Futures mainnet',
};

/** The short badge in the header: mainnet is shouted because it trades real money. */
export const ENVIRONMENT_BADGE: Record<Environment, string> = { local: 'LOCAL', demo: 'DEMO', mainnet: 'MAINNET' };

/**
 * Spread between best bid and ask, absolute and in basis points of the mid price ("0.1 · 0.02 bps").
 * Undefined when the book is crossed, empty or not numeric.
 */
export function formatSpread(bid: string, ask: string): string | undefined {
  if (!isDecimal(bid) || !isDecimal(ask) || isZero(bid) || isZero(ask)) return undefined;
  const spread = sub(ask, bid);
  if (isNegative(spread)) return undefined;
  const mid = div(add(bid, ask), '2', 12);
  const bps = div(mul(spread, '10000'), mid, 2);
  return `${normalize(spread)} · ${fixed(bps, 2)} bps`;
}

/** Canonical order of the journal's latency stages (input -> signed -> sent -> acknowledged -> filled). */
const STAGE_ORDER = ['input', 'signed', 'sent', 'ack', 'acknowledged', 'filled'];

/** "signed 0.4 ms · sent 1.1 ms · acknowledged 6 ms", stages in pipeline order, unknown stages last. */
export function formatLatency(latency: Record<string, number> | undefined): string {
  if (latency === undefined) return '';
  const rank = (k: string): number => {
    const i = STAGE_ORDER.indexOf(k);
    return i < 0 ? STAGE_ORDER.length : i;
  };
  return Object.entries(latency)
    .filter(([k]) => k !== 'input')
    .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
    .map(([k, v]) => `${k} ${formatMs(v)}`)
    .join(' · ');
}

/** Overall health of the exchange links, for the action bar's one-word summary. */
export type Health = 'ok' | 'degraded' | 'down';

/**
 * Down when REST or the market stream is down (no price, no order path); degraded when anything else is not up,
 * a limiter holds requests, or the clock offset approaches Binance's recvWindow rule (fact sheet: timestamps more
 * than recvWindow, default 5000 ms, from server time are rejected with -1021).
 */
export function connectionHealth(c: Connection): Health {
  if (c.rest === 'down' || c.market === 'down') return 'down';
  if (c.rest === 'degraded' || c.wsApi !== 'up' || c.market !== 'up' || c.user !== 'up') return 'degraded';
  if (c.limiter !== undefined || Math.abs(c.clockOffsetMs) > 1000) return 'degraded';
  return 'ok';
}

/** "abs" helper re-exported for views that show the size of a short position without its sign. */
export const absolute = (x: string): string => (isDecimal(x) ? abs(x) : x);

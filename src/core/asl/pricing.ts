/**
 * Price arithmetic of the protection rules, on decimal strings. Profit is the mark price's move from the entry
 * price (not leveraged ROE). Rounding to the tick is always "never looser than configured": a long stop rounds up,
 * a short stop rounds down, so the loss is at most the configured distance. Ticks count from minPrice
 * (PRICE_FILTER, fact sheet §3.1).
 */
import { add, ceilToStep, decimalPlaces, div, floorToStep, gt, gte, lt, lte, mul, sub } from '../../shared/decimal.ts';
import type { Direction, Tier } from './schema.ts';

/** Tick rules of one symbol. */
export interface TickRule {
  readonly tickSize: string;
  readonly minPrice: string;
}

/** pct / 100, exact (a shift of the decimal point). */
function fraction(pct: string): string {
  return div(pct, '100', decimalPlaces(pct) + 2);
}

/** price × (1 ± pct/100): `towardProfit` moves the way the position profits (up for a long). */
function offset(price: string, pct: string, dir: Direction, towardProfit: boolean): string {
  const up = (dir === 'long') === towardProfit;
  const factor = up ? add('1', fraction(pct)) : sub('1', fraction(pct));
  return mul(price, factor);
}

/** Rounds a stop price in the safe direction (closer to the price: long up, short down). */
export function roundStop(price: string, dir: Direction, rule: TickRule): string {
  return dir === 'long' ? ceilToStep(price, rule.tickSize, rule.minPrice) : floorToStep(price, rule.tickSize, rule.minPrice);
}

/** Safety stop: entry × (1 − pct/100) for a long, × (1 + pct/100) for a short. */
export function safetyStop(entry: string, dir: Direction, pct: string, rule: TickRule): string {
  return roundStop(offset(entry, pct, dir, false), dir, rule);
}

/** Unrounded mark price at which a tier is reached: entry × (1 ± trigger/100). */
export function tierThreshold(entry: string, dir: Direction, triggerPct: string): string {
  return offset(entry, triggerPct, dir, true);
}

/**
 * activatePrice of a native trailing member, rounded so the order never activates before the tier's threshold
 * (long up, short down).
 */
export function activatePrice(entry: string, dir: Direction, triggerPct: string, rule: TickRule): string {
  const raw = tierThreshold(entry, dir, triggerPct);
  return dir === 'long' ? ceilToStep(raw, rule.tickSize, rule.minPrice) : floorToStep(raw, rule.tickSize, rule.minPrice);
}

/** Stop trailing the best mark: best × (1 − trail/100) for a long, × (1 + trail/100) for a short. */
export function trailStop(best: string, dir: Direction, trailPct: string, rule: TickRule): string {
  return roundStop(offset(best, trailPct, dir, false), dir, rule);
}

/** Highest tier (1-based) whose threshold the mark has reached; 0 when none. */
export function reachedTier(entry: string, dir: Direction, mark: string, tiers: readonly Tier[]): number {
  let reached = 0;
  tiers.forEach((t, i) => {
    const threshold = tierThreshold(entry, dir, t.triggerPct);
    if (dir === 'long' ? gte(mark, threshold) : lte(mark, threshold)) reached = i + 1;
  });
  return reached;
}

/** True when stop `a` is strictly more favourable to the position than `b` (long: higher). */
export function isBetterStop(dir: Direction, a: string, b: string): boolean {
  return dir === 'long' ? gt(a, b) : lt(a, b);
}

/** True when mark `a` is a more favourable extreme than `b` (long: higher). */
export const isBetterMark = isBetterStop;

/** The most favourable of the given stop prices. */
export function bestStop(dir: Direction, prices: readonly string[]): string | null {
  let best: string | null = null;
  for (const p of prices) if (best === null || isBetterStop(dir, p, best)) best = p;
  return best;
}

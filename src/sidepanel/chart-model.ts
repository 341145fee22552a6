/**
 * The mark-price chart's data and geometry, pure. Prices are decimal strings everywhere else; here they become
 * numbers only to be turned into pixel coordinates, which need no exactness (a pixel is far wider than a tick).
 */

export interface MarkPoint {
  readonly atMs: number;
  readonly price: string;
}

/** Last marks per symbol, bounded in both directions so a long session cannot grow memory. */
export class MarkHistory {
  private readonly series = new Map<string, MarkPoint[]>();

  constructor(
    private readonly perSymbol = 300,
    private readonly maxSymbols = 20,
  ) {}

  push(symbol: string, point: MarkPoint): void {
    const list = this.series.get(symbol) ?? [];
    // Re-inserting moves the symbol to the end of the Map's order: the first key is the least recently updated.
    this.series.delete(symbol);
    const last = list[list.length - 1];
    if (last === undefined || point.atMs >= last.atMs) list.push(point);
    if (list.length > this.perSymbol) list.splice(0, list.length - this.perSymbol);
    this.series.set(symbol, list);
    while (this.series.size > this.maxSymbols) {
      const oldest = this.series.keys().next().value;
      if (oldest === undefined) break;
      this.series.delete(oldest);
    }
  }

  points(symbol: string): readonly MarkPoint[] {
    return this.series.get(symbol) ?? [];
  }
}

export type LevelKind = 'entry' | 'stop' | 'tier';

/** A horizontal line drawn across the chart. */
export interface Level {
  readonly kind: LevelKind;
  readonly price: string;
  readonly label: string;
}

export interface Range {
  readonly min: number;
  readonly max: number;
}

/**
 * The price range to show: every mark and every level, with 5 % headroom; a flat series gets ±0.05 % around its
 * price so a constant line sits in the middle instead of dividing by zero.
 */
export function priceRange(points: readonly MarkPoint[], levels: readonly Level[]): Range | undefined {
  const values = [...points.map((p) => Number(p.price)), ...levels.map((l) => Number(l.price))].filter(Number.isFinite);
  if (values.length === 0) return undefined;
  let min = Math.min(...values);
  let max = Math.max(...values);
  if (max === min) {
    const pad = Math.abs(min) * 0.0005 || 1;
    return { min: min - pad, max: max + pad };
  }
  const pad = (max - min) * 0.05;
  min -= pad;
  max += pad;
  return { min, max };
}

/** Pixel row of `price` in a chart `height` px tall (the highest price at the top). */
export function yOf(price: number, range: Range, height: number): number {
  return height - ((price - range.min) / (range.max - range.min)) * height;
}

/**
 * The `points` attribute of an SVG polyline: time on x (first mark at 0, last at `width`), price on y. One point
 * is drawn as a short flat segment so it is visible.
 */
export function polylinePoints(points: readonly MarkPoint[], range: Range, width: number, height: number): string {
  if (points.length === 0) return '';
  const first = points[0]?.atMs ?? 0;
  const last = points[points.length - 1]?.atMs ?? first;
  const span = last - first;
  const round = (n: number): string => (Math.round(n * 10) / 10).toString();
  if (points.length === 1 || span === 0) {
    const y = round(yOf(Number(points[points.length - 1]?.price), range, height));
    return `0,${y} ${width},${y}`;
  }
  return points.map((p) => `${round(((p.atMs - first) / span) * width)},${round(yOf(Number(p.price), range, height))}`).join(' ');
}

/**
 * The levels of a position worth drawing: entry, protective stop, next ASL tier trigger. The liquidation price is
 * left out on purpose: it is usually far away and would squash the price moves that matter into a flat line.
 */
export function positionLevels(p: {
  entryPrice: string;
  stopPrice?: string | undefined;
  nextTierPrice?: string | undefined;
  activeTier?: number | undefined;
}): Level[] {
  const levels: Level[] = [{ kind: 'entry', price: p.entryPrice, label: `entry ${p.entryPrice}` }];
  if (p.stopPrice !== undefined) levels.push({ kind: 'stop', price: p.stopPrice, label: `stop ${p.stopPrice}` });
  if (p.nextTierPrice !== undefined) {
    const tier = p.activeTier === undefined ? 1 : p.activeTier + 2;
    levels.push({ kind: 'tier', price: p.nextTierPrice, label: `tier ${tier} at ${p.nextTierPrice}` });
  }
  return levels;
}

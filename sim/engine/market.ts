/**
 * Synthetic market per symbol: a last (contract) price doing a seeded random walk in whole ticks with volatility
 * regimes, a mark price a few ticks apart, and a book drawn around the last price (spread plus levels of growing
 * size, so large orders slip). Prices stay decimal strings; the random draw only chooses a whole number of ticks.
 */
import { add, cmp, gt, isNegative, isZero, mul, normalize, roundToStep, sub } from '../../src/shared/decimal.ts';
import { Stats24h } from './stats24h.ts';
import type { SymbolSpec } from './symbols.ts';

/** One price level: [price, quantity]. */
export type Level = readonly [string, string];

interface Regime {
  /** Typical move per tick as a fraction of price. */
  readonly vol: number;
  ticksLeft: number;
}

/** Live state of one symbol's market. */
export interface SymbolMarket {
  readonly spec: SymbolSpec;
  last: string;
  mark: string;
  updateId: number;
  regime: Regime;
  /** Rolling 24 h trade statistics (ticker/24hr, `@ticker`). */
  readonly day: Stats24h;
}

/** Per-tick volatility of the calm, normal and wild regimes (at 100 ms ticks: ≈0.025 %, 0.07 %, 0.25 % per minute). */
const REGIMES = [0.00001, 0.00003, 0.0001] as const;

/** Standard normal from two uniforms (Box–Muller). */
function gaussian(rng: () => number): number {
  const u = Math.max(rng(), 1e-12);
  const v = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

export class Market {
  readonly bySymbol = new Map<string, SymbolMarket>();

  constructor(
    specs: readonly SymbolSpec[],
    private readonly rng: () => number,
  ) {
    for (const spec of specs) {
      this.bySymbol.set(spec.symbol, {
        spec,
        last: normalize(spec.initialPrice),
        mark: normalize(spec.initialPrice),
        updateId: 1,
        regime: { vol: REGIMES[1], ticksLeft: 600 },
        day: new Stats24h(spec.symbol),
      });
    }
  }

  get(symbol: string): SymbolMarket | undefined {
    return this.bySymbol.get(symbol);
  }

  /** One random-walk step for every symbol. */
  step(): void {
    for (const m of this.bySymbol.values()) {
      if (--m.regime.ticksLeft <= 0) {
        m.regime = { vol: REGIMES[Math.floor(this.rng() * REGIMES.length)] ?? REGIMES[1], ticksLeft: 200 + Math.floor(this.rng() * 1200) };
      }
      const ticksPerPrice = Number(m.last) / Number(m.spec.tickSize);
      const moveTicks = Math.round(gaussian(this.rng) * m.regime.vol * ticksPerPrice);
      const next = add(m.last, mul(m.spec.tickSize, String(moveTicks)));
      if (gt(next, m.spec.minPrice)) m.last = next;
      // Mark price: last plus a small mean-reverting basis of a few ticks (Binance's mark follows index + basis).
      const basisTicks = Math.round(gaussian(this.rng) * 2);
      const mark = add(m.last, mul(m.spec.tickSize, String(basisTicks)));
      m.mark = isNegative(mark) || isZero(mark) ? m.last : mark;
      m.updateId++;
    }
  }

  /** Sets last (and mark, defaulting to last), rounded to the tick. */
  set(symbol: string, last: string, mark?: string): void {
    const m = this.bySymbol.get(symbol);
    if (!m) return;
    m.last = roundToStep(last, m.spec.tickSize, 'half-up');
    m.mark = mark === undefined ? m.last : roundToStep(mark, m.spec.tickSize, 'half-up');
    m.updateId++;
  }

  /** Best bid and ask of the synthetic book. */
  top(m: SymbolMarket): { bid: Level; ask: Level } {
    const asks = this.levels(m, 'ask', 1);
    const bids = this.levels(m, 'bid', 1);
    const a = asks[0];
    const b = bids[0];
    if (!a || !b) throw new Error('empty synthetic book');
    return { bid: b, ask: a };
  }

  /**
   * `count` levels of one side. Level i sits `halfSpread + i·gap` ticks from the last price and holds
   * `levelQty × (1 + i mod 4)`: deterministic, so the same state always yields the same fills.
   */
  levels(m: SymbolMarket, side: 'bid' | 'ask', count: number): Level[] {
    const { tickSize, halfSpreadTicks, levelGapTicks, levelQty } = m.spec;
    const out: Level[] = [];
    for (let i = 0; i < count; i++) {
      const ticks = String(halfSpreadTicks + i * levelGapTicks);
      const offset = mul(tickSize, ticks);
      const price = side === 'ask' ? add(m.last, offset) : sub(m.last, offset);
      if (cmp(price, m.spec.minPrice) < 0) break;
      out.push([normalize(price), mul(levelQty, String(1 + (i % 4)))]);
    }
    return out;
  }
}

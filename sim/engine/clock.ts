/**
 * The exchange clock: wall time plus an offset the control API moves forward (`POST /control/time`) and a
 * temporary skew set by the clock-skew fault. Everything the exchange stamps (serverTime, E/T fields, expiries,
 * rate-limit windows) reads this clock, so tests can jump an hour without sleeping.
 */
export class ExchangeClock {
  private advancedMs = 0;
  private skewMs = 0;
  private skewUntil = 0;
  private frozenAt: number | null = null;

  constructor(private readonly wall: () => number = Date.now) {}

  /** Exchange time in ms. */
  now(): number {
    if (this.frozenAt !== null) return this.frozenAt;
    const wall = this.wall();
    const skew = wall < this.skewUntil ? this.skewMs : 0;
    return wall + this.advancedMs + skew;
  }

  /** Moves exchange time forward permanently. */
  advance(ms: number): void {
    this.advancedMs += ms;
    if (this.frozenAt !== null) this.frozenAt += ms;
  }

  /** Stops exchange time where it is (tests needing exact timestamps); `advance` still moves it. */
  freeze(): void {
    this.frozenAt = this.now();
  }

  /** Lets exchange time run again from where it stands. */
  unfreeze(): void {
    if (this.frozenAt === null) return;
    const target = this.frozenAt;
    this.frozenAt = null;
    this.advancedMs += target - this.now();
  }

  /** Offsets serverTime by `ms` until wall time `untilWall` (clock-skew fault). */
  skew(ms: number, untilWall: number): void {
    this.skewMs = ms;
    this.skewUntil = untilWall;
  }

  reset(): void {
    this.frozenAt = null;
    this.advancedMs = 0;
    this.skewMs = 0;
    this.skewUntil = 0;
  }
}

/** mulberry32: a tiny seeded PRNG, so a seed replays the same price path. Returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

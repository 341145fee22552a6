/**
 * Server-clock estimate from `GET /fapi/v1/time` round trips.
 *
 * Binance accepts a signed request only if `timestamp < serverTime + 1000` and `serverTime - timestamp <= recvWindow`
 * (fact sheet §2), so our `timestamp` must be the server's clock, not the local one. Each sample brackets the
 * server's reading between the local send and receive times; assuming a symmetric path, the server read its clock at
 * the midpoint, and the sample's error is at most RTT/2. The sample with the lowest RTT among recent ones is the
 * tightest bracket, so that one is used (the NTP "best of recent" filter).
 *
 * The filter holds only while both clocks run on: each sample bounds the offset, wherever the path's delay fell,
 * to [serverTime − received, serverTime + 1 − sent] (serverTime is whole ms), so two samples of the same clocks
 * have overlapping bounds, give or take the local oscillator's drift between them. Bounds that do not overlap mean
 * a clock stepped in between (a local clock set by NTP, an exchange clock moved): the older samples describe clocks
 * that are gone, and are dropped however tight they were. Kept, one of them could stay "best" for ten minutes: a
 * full soak restored samples taken during a 1.8 s exchange clock skew, and held orders 1.8 s too long after a ban.
 */

/** One `/fapi/v1/time` exchange: local clock when sent and when answered, and the server's `serverTime`. */
export interface ClockSample {
  readonly sentMs: number;
  readonly receivedMs: number;
  readonly serverTimeMs: number;
}

/** How many samples, and how old, still count as "recent". */
export interface ClockSyncConfig {
  /** Samples kept (the newest ones). */
  readonly maxSamples: number;
  /** Samples older than this, measured back from the newest sample's receive time, are dropped: clocks drift. */
  readonly maxAgeMs: number;
}

const DEFAULTS: ClockSyncConfig = { maxSamples: 8, maxAgeMs: 10 * 60_000 };

/** A local oscillator's frequency error allowed between two samples (quartz is within ±100 ppm). */
const DRIFT_PER_MS = 100e-6;

/** Tracks the offset between the local clock and Binance's from timed samples. */
export class ClockSync {
  private readonly config: ClockSyncConfig;
  private samples: ClockSample[] = [];
  private best: ClockSample | null = null;

  constructor(config: Partial<ClockSyncConfig> = {}) {
    this.config = { ...DEFAULTS, ...config };
    if (this.config.maxSamples < 1) throw new Error('ClockSync needs room for at least one sample');
  }

  /**
   * Records a sample. Samples with non-finite times or a negative round trip (the local clock stepped backwards
   * during the request) carry no usable information and are ignored.
   */
  addSample(s: ClockSample): void {
    if (![s.sentMs, s.receivedMs, s.serverTimeMs].every(Number.isFinite) || s.receivedMs < s.sentMs) return;
    const horizon = s.receivedMs - this.config.maxAgeMs;
    const sameClocks = (x: ClockSample): boolean => {
      const drift = Math.abs(s.receivedMs - x.receivedMs) * DRIFT_PER_MS;
      return lowOf(x) - drift <= highOf(s) && lowOf(s) <= highOf(x) + drift;
    };
    this.samples = [...this.samples.filter((x) => x.receivedMs >= horizon && sameClocks(x)), s].slice(-this.config.maxSamples);
    this.best = this.samples.reduce((a, b) => (rtt(b) < rtt(a) ? b : a));
  }

  /** The recent samples, oldest first: what a restarted worker needs to restore the estimate. */
  get recent(): readonly ClockSample[] {
    return this.samples;
  }

  /** Forgets every sample, e.g. after a `-1021` proved the estimate wrong (the local clock jumped). */
  reset(): void {
    this.samples = [];
    this.best = null;
  }

  /** True once at least one usable sample has been recorded. */
  get synced(): boolean {
    return this.best !== null;
  }

  /** serverTime − local midpoint of the best sample, in ms (may be fractional); 0 until synced. */
  get offsetMs(): number {
    return this.best === null ? 0 : this.best.serverTimeMs - (this.best.sentMs + this.best.receivedMs) / 2;
  }

  /** Round trip of the best sample in ms; the offset is uncertain by ±rttMs/2. 0 until synced. */
  get rttMs(): number {
    return this.best === null ? 0 : rtt(this.best);
  }

  /**
   * The server's clock at local time `localMs`, as a whole millisecond. Rounded down: a timestamp slightly behind
   * the server is always accepted within recvWindow, while one more than 1000 ms ahead is rejected (§2).
   * Before any sample this is the local clock.
   */
  serverNow(localMs: number): number {
    return Math.floor(localMs + this.offsetMs);
  }
}

function rtt(s: ClockSample): number {
  return s.receivedMs - s.sentMs;
}

/** The least offset a sample allows: the server read its clock no later than the answer arrived. */
function lowOf(s: ClockSample): number {
  return s.serverTimeMs - s.receivedMs;
}

/** The greatest: no earlier than the request left, and serverTime is the whole ms at or below the reading. */
function highOf(s: ClockSample): number {
  return s.serverTimeMs + 1 - s.sentMs;
}

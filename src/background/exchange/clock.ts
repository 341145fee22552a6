/**
 * Keeps the server-clock estimate fresh: several `/fapi/v1/time` samples at start, a periodic refresh, and an
 * explicit resync after a -1021 (fact sheet §2: a timestamp more than 1000 ms ahead of the server or older than
 * recvWindow is refused). Concurrent resync requests share one round of sampling.
 */
import { ClockSync, type ClockSample } from '../../core/clock-sync.ts';
import type { Logger, Scheduler } from './ports.ts';

export interface ClockKeeperDeps {
  now(): number;
  /** One timed `/fapi/v1/time` round trip, or null when it failed. */
  sample(): Promise<ClockSample | null>;
  scheduler: Scheduler;
  logger: Logger;
  /** Told the recent samples after every round, so the next worker can {@link ClockKeeper.restore} them. */
  sampled?(samples: readonly ClockSample[]): void;
  /** Told how far the estimate of the server's clock moved, after a round or a restore that moved it. */
  offsetChanged?(deltaMs: number): void;
}

export interface ClockKeeperConfig {
  /** Samples per sync; the lowest-RTT one wins (see ClockSync). */
  readonly samplesPerSync: number;
  /** Periodic refresh: clocks drift, and a worker can sleep through a local clock change. */
  readonly refreshMs: number;
}

export const DEFAULT_CLOCK_CONFIG: ClockKeeperConfig = { samplesPerSync: 3, refreshMs: 5 * 60_000 };

export class ClockKeeper {
  readonly #sync = new ClockSync();
  #inFlight: Promise<boolean> | null = null;
  #cancelRefresh: (() => void) | null = null;

  constructor(
    private readonly deps: ClockKeeperDeps,
    private readonly config: ClockKeeperConfig = DEFAULT_CLOCK_CONFIG,
  ) {}

  /** The exchange's clock now (the local clock until the first sample). */
  serverNow(): number {
    return this.#sync.serverNow(this.deps.now());
  }

  get synced(): boolean {
    return this.#sync.synced;
  }

  get offsetMs(): number {
    return this.#sync.offsetMs;
  }

  /** Round trip of the sample the offset comes from; the offset is uncertain by ±rttMs/2. */
  get rttMs(): number {
    return this.#sync.rttMs;
  }

  /**
   * Restores samples a previous worker took, keeping those younger than `maxAgeMs` on the local clock: the
   * offset between two clocks drifts by milliseconds an hour, so a few minutes' old estimate is as good as a new
   * one, and a restarted worker can sign at once instead of after a round of round trips. A -1021 resyncs anyway.
   * True when at least one sample was kept.
   */
  restore(samples: readonly ClockSample[], maxAgeMs: number): boolean {
    const now = this.deps.now();
    const before = this.#sync.offsetMs;
    for (const s of samples) if (now - s.receivedMs <= maxAgeMs && s.receivedMs <= now) this.#sync.addSample(s);
    this.#moved(before);
    return this.#sync.synced;
  }

  #moved(beforeMs: number): void {
    const delta = this.#sync.offsetMs - beforeMs;
    if (delta !== 0) this.deps.offsetChanged?.(delta);
  }

  /** Takes a round of samples on top of the recent ones; true when at least one succeeded. */
  sync(): Promise<boolean> {
    return this.#round(false);
  }

  /** Forgets every sample (they were proven wrong by a -1021) and samples afresh. */
  resync(): Promise<boolean> {
    return this.#round(true);
  }

  /** Starts the periodic refresh. */
  start(): void {
    this.stop();
    const tick = (): void => {
      this.#cancelRefresh = this.deps.scheduler.after(this.config.refreshMs, () => {
        void this.sync().then(tick);
      });
    };
    tick();
  }

  stop(): void {
    this.#cancelRefresh?.();
    this.#cancelRefresh = null;
  }

  #round(reset: boolean): Promise<boolean> {
    if (this.#inFlight !== null) return this.#inFlight;
    const run = async (): Promise<boolean> => {
      const samples: ClockSample[] = [];
      for (let i = 0; i < this.config.samplesPerSync; i++) {
        const s = await this.deps.sample();
        if (s !== null) samples.push(s);
      }
      if (samples.length === 0) {
        this.deps.logger.warn('clock sync: no /fapi/v1/time sample succeeded');
        return this.#sync.synced;
      }
      const before = this.#sync.offsetMs;
      if (reset) this.#sync.reset();
      for (const s of samples) this.#sync.addSample(s);
      this.#moved(before);
      this.deps.sampled?.(this.#sync.recent);
      this.deps.logger.debug('clock synced', { offsetMs: this.#sync.offsetMs, rttMs: this.#sync.rttMs });
      return true;
    };
    this.#inFlight = run().finally(() => {
      this.#inFlight = null;
    });
    return this.#inFlight;
  }
}

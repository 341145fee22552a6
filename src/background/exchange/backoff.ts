/**
 * Reconnect and re-query delays: exponential backoff with jitter. The jitter source is injected (tests pass a fixed
 * value), so the delay is a pure function of the attempt number.
 */

export interface BackoffConfig {
  /** Delay of the first retry before jitter. */
  readonly baseMs: number;
  /** Cap of the exponential growth. */
  readonly maxMs: number;
  /** Fraction of the delay that is randomised: 0 = none, 1 = "full jitter". */
  readonly jitterRatio: number;
}

export const DEFAULT_BACKOFF: BackoffConfig = { baseMs: 250, maxMs: 30_000, jitterRatio: 0.5 };

/**
 * Delay before retry number `attempt` (0-based): `min(maxMs, baseMs · 2^attempt)`, of which `jitterRatio` is scaled
 * by `jitter()` ∈ [0, 1). Jitter spreads reconnects of many clients after an exchange-side drop, so they do not
 * return in lockstep and trip the connection limits (fact sheet §6, §7).
 */
export function backoffDelay(attempt: number, jitter: () => number, config: BackoffConfig = DEFAULT_BACKOFF): number {
  if (!Number.isInteger(attempt) || attempt < 0) throw new Error(`bad backoff attempt ${attempt}`);
  const exp = Math.min(config.maxMs, config.baseMs * 2 ** Math.min(attempt, 30));
  const r = Math.min(Math.max(jitter(), 0), 1);
  const fixed = exp * (1 - config.jitterRatio);
  return Math.round(fixed + exp * config.jitterRatio * r);
}

/** Counts consecutive failures and hands out the next delay; `reset()` after a success. */
export class Backoff {
  #attempt = 0;
  constructor(
    private readonly jitter: () => number,
    private readonly config: BackoffConfig = DEFAULT_BACKOFF,
  ) {}

  /** The delay for the next retry; advances the counter. */
  next(): number {
    const d = backoffDelay(this.#attempt, this.jitter, this.config);
    this.#attempt += 1;
    return d;
  }

  /** Failures since the last reset. */
  get attempts(): number {
    return this.#attempt;
  }

  reset(): void {
    this.#attempt = 0;
  }
}

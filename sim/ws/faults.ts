/**
 * Silence windows for the WebSocket fault switches: while a window covers a connection's path the server sends
 * nothing on it (no data, no replies, no pings), so clients see a stalled stream without a disconnect.
 */

/** Silence windows keyed by path prefix (e.g. `/market`, `/private`, `/ws-fapi`), in exchange-clock ms. */
export class SilenceWindows {
  private readonly windows = new Map<string, number>();

  /** Silences paths starting with `pathPrefix` until `untilMs`; a later call for the same prefix replaces it. */
  set(pathPrefix: string, untilMs: number): void {
    this.windows.set(pathPrefix, untilMs);
  }

  /** Whether `path` is silenced at `nowMs`; expired windows are pruned. */
  isSilenced(path: string, nowMs: number): boolean {
    if (this.windows.size === 0) return false;
    let silenced = false;
    for (const [prefix, until] of this.windows) {
      if (until <= nowMs) this.windows.delete(prefix);
      else if (path.startsWith(prefix)) silenced = true;
    }
    return silenced;
  }
}

/** Keeps at most `limit` incoming messages in any `windowMs` (fact sheet §7: 10 incoming messages per second). */
export class IncomingRate {
  private readonly times: number[] = [];

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Records a message at `nowMs`; false when it exceeds the limit. */
  hit(nowMs: number): boolean {
    if (this.times.length === this.limit) {
      const oldest = this.times[0] ?? Number.NEGATIVE_INFINITY;
      if (nowMs - oldest < this.windowMs) return false;
      this.times.shift();
    }
    this.times.push(nowMs);
    return true;
  }
}

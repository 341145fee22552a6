/**
 * Silence windows for the WebSocket fault switches: while a window covers a connection's path the server sends
 * nothing on it (no data, no replies, no pings), so clients see a stalled stream without a disconnect.
 */

/** Silence windows keyed by path prefix (e.g. `/market`, `/private`, `/ws-fapi`), in exchange-clock ms. */
export class SilenceWindows {
  private readonly windows = new Map<string, { readonly untilMs: number; readonly lostRequests: boolean }>();

  /**
   * Silences paths starting with `pathPrefix` until `untilMs`; a later call for the same prefix replaces it. With
   * `lostRequests`, what clients send on those paths meanwhile is dropped unread.
   */
  set(pathPrefix: string, untilMs: number, lostRequests = false): void {
    this.windows.set(pathPrefix, { untilMs, lostRequests });
  }

  /** Whether `path` is silenced at `nowMs`; expired windows are pruned. */
  isSilenced(path: string, nowMs: number): boolean {
    return this.#covering(path, nowMs).length > 0;
  }

  /** Whether what a client sends on `path` at `nowMs` is lost. */
  losesRequests(path: string, nowMs: number): boolean {
    return this.#covering(path, nowMs).some((w) => w.lostRequests);
  }

  #covering(path: string, nowMs: number): Array<{ readonly lostRequests: boolean }> {
    if (this.windows.size === 0) return [];
    const out: Array<{ readonly lostRequests: boolean }> = [];
    for (const [prefix, w] of this.windows) {
      if (w.untilMs <= nowMs) this.windows.delete(prefix);
      else if (path.startsWith(prefix)) out.push(w);
    }
    return out;
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

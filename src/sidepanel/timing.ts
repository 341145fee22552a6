/** Debounce and throttle for the panel's inputs and live updates; timers are injectable for tests. */

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  now(): number;
}

export const browserTimers: Timers = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
  now: () => Date.now(),
};

export interface Debounced {
  /** (Re)starts the wait. */
  schedule(): void;
  /** Runs now if a call is pending; resolves when it finished. */
  flush(): Promise<void>;
  /** Drops a pending call. */
  cancel(): void;
  readonly pending: boolean;
}

/** Runs `fn` once `ms` after the last `schedule()`; `flush()` runs it at once (a click must not wait). */
export function debounce(fn: () => Promise<void> | void, ms: number, timers: Timers = browserTimers): Debounced {
  let handle: unknown;
  let pending = false;
  const run = async (): Promise<void> => {
    pending = false;
    await fn();
  };
  return {
    schedule() {
      if (pending) timers.clearTimeout(handle);
      pending = true;
      handle = timers.setTimeout(() => void run(), ms);
    },
    async flush() {
      if (!pending) return;
      timers.clearTimeout(handle);
      await run();
    },
    cancel() {
      if (pending) timers.clearTimeout(handle);
      pending = false;
    },
    get pending() {
      return pending;
    },
  };
}

/** Calls `fn` at most once per `ms`; a call inside the window is deferred to its end (the last one wins). */
export function throttle(fn: () => void, ms: number, timers: Timers = browserTimers): () => void {
  let last = -Infinity;
  let queued = false;
  return () => {
    const now = timers.now();
    if (now - last >= ms) {
      last = now;
      fn();
      return;
    }
    if (queued) return;
    queued = true;
    timers.setTimeout(() => {
      queued = false;
      last = timers.now();
      fn();
    }, ms - (now - last));
  };
}

/**
 * Everything the exchange client needs from its host, injected so the same code runs in the service worker and in
 * Node tests: HTTP (`fetch`), sockets, the clock, timers, randomness (jitter) and logging. No chrome.* here.
 */

/** The part of the Fetch API the client uses (the worker's `fetch` and Node 20's both fit). */
export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string; signal: AbortSignal },
) => Promise<{ status: number; headers: { forEach(cb: (value: string, name: string) => void): void }; text(): Promise<string> }>;

/** Timers. `after` returns a function that cancels the timer. */
export interface Scheduler {
  after(ms: number, fn: () => void): () => void;
}

/** What `promise` settles with, or `late` if it has not settled within `ms`; the timer is cancelled either way. */
export async function within<T, L>(scheduler: Scheduler, ms: number, promise: Promise<T>, late: L): Promise<T | L> {
  let cancel = (): void => undefined;
  const timedOut = new Promise<L>((resolve) => (cancel = scheduler.after(ms, () => resolve(late))));
  try {
    return await Promise.race([promise, timedOut]);
  } finally {
    cancel();
  }
}

/** Timers backed by the host's `setTimeout` (worker or Node). */
export const hostScheduler: Scheduler = {
  after(ms, fn) {
    const h = setTimeout(fn, Math.max(0, ms));
    return () => clearTimeout(h);
  },
};

export interface Logger {
  debug(msg: string, data?: Readonly<Record<string, unknown>>): void;
  info(msg: string, data?: Readonly<Record<string, unknown>>): void;
  warn(msg: string, data?: Readonly<Record<string, unknown>>): void;
}

/** A logger that drops everything. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {} };

/** Callbacks of one socket. `onClose` fires exactly once, also after an error or a failed handshake. */
export interface SocketHandlers {
  onOpen(): void;
  onMessage(text: string): void;
  onClose(code: number, reason: string): void;
}

/** An open(ing) socket. */
export interface SocketHandle {
  send(text: string): void;
  close(): void;
}

/** Opens a WebSocket to `url`. */
export type SocketFactory = (url: string, handlers: SocketHandlers) => SocketHandle;

/** The standard (browser/worker) WebSocket shape the factory below drives. */
export interface StandardWebSocket {
  onopen: ((ev: Event) => unknown) | null;
  onmessage: ((ev: MessageEvent) => unknown) | null;
  onclose: ((ev: CloseEvent) => unknown) | null;
  onerror: ((ev: Event) => unknown) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

/** Socket factory over the standard WebSocket API (the worker passes `(url) => new WebSocket(url)`). */
export function standardSocketFactory(create: (url: string) => StandardWebSocket): SocketFactory {
  return (url, handlers) => {
    const ws = create(url);
    let closed = false;
    const fireClose = (code: number, reason: string): void => {
      if (closed) return;
      closed = true;
      handlers.onClose(code, reason);
    };
    ws.onopen = () => handlers.onOpen();
    ws.onmessage = (ev) => {
      if (typeof ev.data === 'string') handlers.onMessage(ev.data);
    };
    ws.onclose = (ev) => fireClose(ev.code, ev.reason);
    ws.onerror = () => fireClose(1006, 'socket error');
    return {
      send: (text) => ws.send(text),
      close: () => {
        ws.close(1000, 'client close');
        fireClose(1000, 'client close');
      },
    };
  };
}

/**
 * A WebSocket that stays up: reconnects with exponential backoff and jitter, judges liveness by data (a stream
 * silent past its expected cadence is reconnected — a browser cannot send ping frames, and a half-open TCP
 * connection can stay "open" for minutes; platform notes), and reports reconnects so the caller can re-read state
 * over REST (events sent while it was down are lost).
 */
import { Backoff, DEFAULT_BACKOFF, type BackoffConfig } from './backoff.ts';
import type { Logger, Scheduler, SocketFactory, SocketHandle } from './ports.ts';

export interface ManagedSocketDeps {
  readonly socketFactory: SocketFactory;
  readonly scheduler: Scheduler;
  now(): number;
  /** Jitter source in [0, 1) (Math.random in the worker, fixed in tests). */
  jitter(): number;
  readonly logger: Logger;
  readonly backoff?: BackoffConfig;
}

export interface ManagedSocketOptions {
  readonly name: string;
  /** URL for the next connection attempt; null = cannot connect now (retried with backoff). */
  url(): Promise<string | null>;
  onOpen?(): void;
  onMessage(text: string): void;
  /** After a reconnect (not the first connection): state may have changed while down. */
  onReconnected?(): void;
  /** The connection went down (any reason other than `stop()`). */
  onDown?(reason: string): void;
  /** Reconnect when nothing arrived for this long; null = no data watchdog. */
  readonly silenceMs: number | null;
}

export class ManagedSocket {
  readonly #backoff: Backoff;
  #socket: SocketHandle | null = null;
  #open = false;
  #running = false;
  #everOpened = false;
  #lastDataMs = 0;
  #generation = 0;
  #cancelReconnect: (() => void) | null = null;
  #cancelWatchdog: (() => void) | null = null;
  #reconnects = 0;

  constructor(
    private readonly deps: ManagedSocketDeps,
    private readonly opts: ManagedSocketOptions,
  ) {
    this.#backoff = new Backoff(() => deps.jitter(), deps.backoff ?? DEFAULT_BACKOFF);
  }

  get isOpen(): boolean {
    return this.#open;
  }

  /** Completed reconnects since start (for diagnostics and tests). */
  get reconnects(): number {
    return this.#reconnects;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    void this.#connect();
  }

  stop(): void {
    this.#running = false;
    this.#teardown();
  }

  /** Sends a text frame; false when not open. */
  send(text: string): boolean {
    if (!this.#open || this.#socket === null) return false;
    this.#socket.send(text);
    return true;
  }

  /** Drops the current connection and connects again (after backoff), e.g. for a new URL. */
  reconnect(reason: string): void {
    if (!this.#running) return;
    this.deps.logger.info(`${this.opts.name}: reconnecting (${reason})`);
    this.#teardown();
    this.opts.onDown?.(reason);
    this.#schedule();
  }

  #teardown(): void {
    this.#generation += 1;
    this.#cancelAll();
    const s = this.#socket;
    this.#socket = null;
    this.#open = false;
    s?.close();
  }

  #schedule(): void {
    if (!this.#running) return;
    const delay = this.#backoff.next();
    this.#cancelReconnect?.();
    this.#cancelReconnect = this.deps.scheduler.after(delay, () => {
      this.#cancelReconnect = null;
      void this.#connect();
    });
  }

  #cancelAll(): void {
    this.#cancelReconnect?.();
    this.#cancelReconnect = null;
    this.#cancelWatchdog?.();
    this.#cancelWatchdog = null;
  }

  async #connect(): Promise<void> {
    if (!this.#running) return;
    const generation = ++this.#generation;
    const url = await this.opts.url();
    if (generation !== this.#generation || !this.#running) return;
    if (url === null) {
      this.#schedule();
      return;
    }
    const mine = (): boolean => generation === this.#generation;
    this.#socket = this.deps.socketFactory(url, {
      onOpen: () => {
        if (!mine()) return;
        this.#open = true;
        this.#lastDataMs = this.deps.now();
        this.#armWatchdog(generation);
        const again = this.#everOpened;
        this.#everOpened = true;
        this.opts.onOpen?.();
        if (again) {
          this.#reconnects += 1;
          this.opts.onReconnected?.();
        }
      },
      onMessage: (text) => {
        if (!mine()) return;
        this.#lastDataMs = this.deps.now();
        this.#backoff.reset();
        this.opts.onMessage(text);
      },
      onClose: (code, reason) => {
        if (!mine()) return;
        this.#socket = null;
        this.#open = false;
        this.#generation += 1;
        this.#cancelAll();
        this.deps.logger.info(`${this.opts.name}: closed ${code} ${reason}`);
        this.opts.onDown?.(`closed ${code}`);
        this.#schedule();
      },
    });
  }

  #armWatchdog(generation: number): void {
    const silenceMs = this.opts.silenceMs;
    if (silenceMs === null) return;
    const check = (): void => {
      if (generation !== this.#generation) return;
      if (this.deps.now() - this.#lastDataMs >= silenceMs) {
        this.reconnect(`silent for ${silenceMs} ms`);
        return;
      }
      this.#cancelWatchdog = this.deps.scheduler.after(Math.max(50, silenceMs / 4), check);
    };
    this.#cancelWatchdog = this.deps.scheduler.after(Math.max(50, silenceMs / 4), check);
  }
}

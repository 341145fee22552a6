/**
 * The user data stream (fact sheet §8): `POST /fapi/v1/listenKey`, connect `<ws base>/private/ws?listenKey=<k>`,
 * keep the key alive with `PUT` well before its 60 min expiry, and on `listenKeyExpired` or -1125 create a new key
 * and reconnect. Events are parsed (zod) and delivered; after a reconnect the caller re-reads positions and open
 * orders over REST, since events sent while the connection was down are not replayed.
 */
import type { RestApi } from './rest.ts';
import { UserEventSchema, type UserEvent } from './schemas.ts';
import { ManagedSocket, type ManagedSocketDeps } from './socket.ts';

export interface UserStreamConfig {
  /** ccxt refreshes every 20 min; anything well under 60 min works (§8). */
  readonly keepAliveMs: number;
}

export const DEFAULT_USER_STREAM_CONFIG: UserStreamConfig = { keepAliveMs: 30 * 60_000 };

export interface UserStreamListener {
  /** `receivedAtMs`: `performance.now()` as the message was taken off the socket, before it was parsed. */
  event?(event: UserEvent, receivedAtMs: number): void;
  reconnected?(): void;
}

export class UserStream {
  readonly #socket: ManagedSocket;
  readonly #listeners = new Set<UserStreamListener>();
  #listenKey: string | null = null;
  #cancelKeepAlive: (() => void) | null = null;
  #keysCreated = 0;
  #markOpened: () => void = () => undefined;
  /**
   * Settles when the stream first opens. Events sent before that are not replayed, so an account read meant to be
   * complete must be sent after it (see TradingSession's connect).
   */
  readonly opened: Promise<void> = new Promise((resolve) => (this.#markOpened = resolve));

  constructor(
    private readonly deps: ManagedSocketDeps & { readonly wsBase: string; readonly rest: RestApi },
    private readonly config: UserStreamConfig = DEFAULT_USER_STREAM_CONFIG,
  ) {
    this.#socket = new ManagedSocket(deps, {
      name: 'user stream',
      // Account events have no cadence (silence is normal), so liveness rests on close events and the keepalive.
      silenceMs: null,
      url: () => this.#url(),
      onMessage: (text) => this.#onMessage(text),
      onOpen: () => this.#markOpened(),
      onReconnected: () => {
        for (const l of this.#listeners) l.reconnected?.();
      },
    });
  }

  /** listenKeys created so far (diagnostics, tests). */
  get keysCreated(): number {
    return this.#keysCreated;
  }

  get isOpen(): boolean {
    return this.#socket.isOpen;
  }

  subscribe(listener: UserStreamListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  start(): void {
    this.#socket.start();
    this.#armKeepAlive();
  }

  stop(): void {
    this.#socket.stop();
    this.#cancelKeepAlive?.();
    this.#cancelKeepAlive = null;
  }

  async #url(): Promise<string | null> {
    if (this.#listenKey === null) {
      const key = await this.deps.rest.createListenKey();
      if (!key.ok) {
        this.deps.logger.warn('user stream: cannot create listenKey', { message: key.error.message });
        return null;
      }
      this.#listenKey = key.value;
      this.#keysCreated += 1;
    }
    return `${this.deps.wsBase}/private/ws?listenKey=${encodeURIComponent(this.#listenKey)}`;
  }

  #renewKey(reason: string): void {
    this.#listenKey = null;
    this.#socket.reconnect(reason);
  }

  #armKeepAlive(): void {
    this.#cancelKeepAlive?.();
    this.#cancelKeepAlive = this.deps.scheduler.after(this.config.keepAliveMs, () => {
      void this.#keepAlive().then(() => this.#armKeepAlive());
    });
  }

  async #keepAlive(): Promise<void> {
    if (this.#listenKey === null) return;
    const out = await this.deps.rest.keepAliveListenKey();
    if (!out.ok && out.failure.kind === 'http' && out.failure.code === -1125) this.#renewKey('listenKey no longer exists (-1125)');
  }

  #onMessage(text: string): void {
    const receivedAtMs = performance.now();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return;
    }
    const parsed = UserEventSchema.safeParse(json);
    if (!parsed.success) return;
    const event = parsed.data;
    if (event.e === 'listenKeyExpired') {
      // No more events arrive on an expired key (§8): new key, new connection. A stale notice is ignored.
      if (event.listenKey === this.#listenKey) this.#renewKey('listenKeyExpired');
      return;
    }
    for (const l of this.#listeners) l.event?.(event, receivedAtMs);
  }
}

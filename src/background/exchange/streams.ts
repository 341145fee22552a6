/**
 * Market streams on the 2026 URL layout (fact sheet §0.2, §7): `<ws base>/market/stream?streams=<sym>@markPrice@1s`
 * and `<ws base>/public/stream?streams=<sym>@bookTicker` (a `/market` stream on the wrong path silently delivers
 * nothing). Symbols lower-case. The symbol set follows the view: changes go out as live SUBSCRIBE / UNSUBSCRIBE on
 * an open connection, and the URL of the next (re)connection carries the current set.
 */
import { CombinedSchema, BookTickerEventSchema, MarkPriceEventSchema, type BookTickerEvent, type MarkPriceEvent } from './schemas.ts';
import { ManagedSocket, type ManagedSocketDeps } from './socket.ts';

export interface MarketListener {
  markPrice?(event: MarkPriceEvent): void;
  bookTicker?(event: BookTickerEvent): void;
  /** A stream connection came back after a drop: prices in between were missed. */
  reconnected?(area: 'market' | 'public'): void;
}

export interface MarketStreamsConfig {
  /** markPrice@1s arrives every second: 5 s of silence means the connection is dead (data-judged liveness). */
  readonly markSilenceMs: number;
  /** bookTicker is event-driven (quiet books send nothing), so no watchdog unless set. */
  readonly bookSilenceMs: number | null;
}

export const DEFAULT_MARKET_CONFIG: MarketStreamsConfig = { markSilenceMs: 5_000, bookSilenceMs: null };

/**
 * Binance disconnects a stream connection that receives more than 10 messages a second (fact sheet §7). One sync
 * sends at most a SUBSCRIBE and an UNSUBSCRIBE, so syncs at least this far apart send at most 8 a second however
 * fast the view changes; the soak's quick trades had been changing it faster, and each disconnect cost a re-read.
 */
const SYNC_SPACING_MS = 250;

/** One path (`/market` or `/public`) with its stream-name template. */
class Area {
  readonly socket: ManagedSocket;
  #wanted = new Set<string>();
  /** What the open connection carries (URL at connect + live (un)subscribes). */
  #live = new Set<string>();
  #requested = new Set<string>();
  #nextId = 1;
  #started = false;
  #lastSyncMs = Number.NEGATIVE_INFINITY;
  #cancelSync: (() => void) | null = null;

  constructor(
    private readonly deps: ManagedSocketDeps,
    readonly area: 'market' | 'public',
    wsBase: string,
    silenceMs: number | null,
    private readonly streamFor: (symbol: string) => string,
    onData: (data: unknown) => void,
    onReconnected: () => void,
  ) {
    this.socket = new ManagedSocket(deps, {
      name: `${area} stream`,
      silenceMs,
      url: () => {
        const names = [...this.#wanted].map((s) => this.streamFor(s));
        this.#requested = new Set(this.#wanted);
        return Promise.resolve(names.length === 0 ? null : `${wsBase}/${area}/stream?streams=${names.join('/')}`);
      },
      onOpen: () => {
        this.#live = this.#requested;
        // The limit counts per connection: a new one starts afresh.
        this.#cancelSync?.();
        this.#cancelSync = null;
        this.#lastSyncMs = Number.NEGATIVE_INFINITY;
        this.#sync();
      },
      onMessage: (text) => {
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          return;
        }
        const c = CombinedSchema.safeParse(json);
        if (c.success) onData(c.data.data);
      },
      onReconnected,
    });
  }

  setSymbols(symbols: ReadonlySet<string>): void {
    this.#wanted = new Set(symbols);
    if (this.#wanted.size === 0) {
      if (this.#started) this.socket.stop();
      this.#started = false;
      return;
    }
    if (!this.#started) {
      this.#started = true;
      this.socket.start();
      return;
    }
    this.#sync();
  }

  stop(): void {
    this.#started = false;
    this.#cancelSync?.();
    this.#cancelSync = null;
    this.socket.stop();
  }

  /**
   * Brings the open connection's subscriptions to the wanted set (§7 "Live Subscribing"), at most once per
   * {@link SYNC_SPACING_MS}: changes in between are sent together by one deferred sync.
   */
  #sync(): void {
    if (this.#cancelSync !== null || !this.socket.isOpen) return;
    const waitMs = this.#lastSyncMs + SYNC_SPACING_MS - this.deps.now();
    if (waitMs > 0) {
      this.#cancelSync = this.deps.scheduler.after(waitMs, () => {
        this.#cancelSync = null;
        this.#sync();
      });
      return;
    }
    const add = [...this.#wanted].filter((s) => !this.#live.has(s));
    const remove = [...this.#live].filter((s) => !this.#wanted.has(s));
    if (add.length === 0 && remove.length === 0) return;
    this.#lastSyncMs = this.deps.now();
    if (add.length > 0 && this.socket.send(JSON.stringify({ method: 'SUBSCRIBE', params: add.map(this.streamFor), id: this.#nextId++ }))) {
      for (const s of add) this.#live.add(s);
    }
    if (remove.length > 0 && this.socket.send(JSON.stringify({ method: 'UNSUBSCRIBE', params: remove.map(this.streamFor), id: this.#nextId++ }))) {
      for (const s of remove) this.#live.delete(s);
    }
  }
}

export class MarketStreams {
  readonly #listeners = new Set<MarketListener>();
  readonly #market: Area;
  readonly #public: Area;

  constructor(deps: ManagedSocketDeps & { readonly wsBase: string }, config: MarketStreamsConfig = DEFAULT_MARKET_CONFIG) {
    const onData = (data: unknown): void => {
      const mark = MarkPriceEventSchema.safeParse(data);
      if (mark.success) {
        for (const l of this.#listeners) l.markPrice?.(mark.data);
        return;
      }
      const book = BookTickerEventSchema.safeParse(data);
      if (book.success) for (const l of this.#listeners) l.bookTicker?.(book.data);
    };
    const reconnected = (area: 'market' | 'public') => () => {
      for (const l of this.#listeners) l.reconnected?.(area);
    };
    this.#market = new Area(deps, 'market', deps.wsBase, config.markSilenceMs, (s) => `${s}@markPrice@1s`, onData, reconnected('market'));
    this.#public = new Area(deps, 'public', deps.wsBase, config.bookSilenceMs, (s) => `${s}@bookTicker`, onData, reconnected('public'));
  }

  /** Streams for exactly these symbols (any case; sent lower-case, §7). An empty list closes the connections. */
  setSymbols(symbols: readonly string[]): void {
    const set = new Set(symbols.map((s) => s.toLowerCase()));
    this.#market.setSymbols(set);
    this.#public.setSymbols(set);
  }

  subscribe(listener: MarketListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Reconnects so far, per path (diagnostics, tests). */
  get reconnects(): { market: number; public: number } {
    return { market: this.#market.socket.reconnects, public: this.#public.socket.reconnects };
  }

  stop(): void {
    this.#market.stop();
    this.#public.stop();
  }
}

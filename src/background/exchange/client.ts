/**
 * `ExchangeClient`: the background worker's single entry to Binance USD-M Futures (or the local exchange). The same
 * code serves every environment; only the base URLs differ (fact sheet §1). Everything the host provides is
 * injected (fetch, sockets, clock, timers, jitter, journal store, logger), so it runs unchanged in Node tests.
 */
import { DEFAULT_RECONCILE_POLICY, type JournalEntry, type JournalStore, type ReconcilePolicy } from '../../core/journal.ts';
import type { AlgoIntent, CancelAlgoIntent, CancelIntent, OrderIntent } from '../../core/intents.ts';
import { RateLimiter, type LimiterConfig, type LimiterSnapshot, type RequestPriority } from '../../core/rate-limiter.ts';
import type { Signer } from '../../core/signer.ts';
import type { ClockSample } from '../../core/clock-sync.ts';
import type { BackoffConfig } from './backoff.ts';
import { ClockKeeper, DEFAULT_CLOCK_CONFIG, type ClockKeeperConfig } from './clock.ts';
import { DEFAULT_HTTP_CONFIG, HttpTransport, type HttpConfig } from './http.ts';
import { OrderEngine, type FoundOrder, type OrderTrace } from './orders.ts';
import type { FetchLike, Logger, Scheduler, SocketFactory } from './ports.ts';
import { RestApi } from './rest.ts';
import { DEFAULT_MARKET_CONFIG, MarketStreams, type MarketStreamsConfig } from './streams.ts';
import { DEFAULT_USER_STREAM_CONFIG, UserStream, type UserStreamConfig } from './user-stream.ts';
import { DEFAULT_WS_API_CONFIG, WsApi, type WsApiConfig } from './ws-api.ts';

/** Where to trade. `local` is the simulator on loopback. */
export type Environment = { readonly kind: 'local'; readonly port: number } | { readonly kind: 'demo' } | { readonly kind: 'mainnet' };

export interface Endpoints {
  readonly rest: string;
  /** Stream base; `/market`, `/public`, `/private` are appended (§0.2). */
  readonly streams: string;
  readonly wsApi: string;
}

/** Base URLs per environment (fact sheet §1; demo set per sieblyio/binance#593). */
export function endpointsFor(env: Environment): Endpoints {
  switch (env.kind) {
    case 'local':
      return { rest: `http://127.0.0.1:${env.port}`, streams: `ws://127.0.0.1:${env.port}`, wsApi: `ws://127.0.0.1:${env.port}/ws-fapi/v1` };
    case 'demo':
      return { rest: 'https://demo-fapi.binance.com', streams: 'wss://fstream.binancefuture.com', wsApi: 'wss://testnet.binancefuture.com/ws-fapi/v1' };
    case 'mainnet':
      return { rest: 'https://fapi.binance.com', streams: 'wss://fstream.binance.com', wsApi: 'wss://ws-fapi.binance.com/ws-fapi/v1' };
  }
}

export interface ExchangeClientDeps {
  readonly fetch: FetchLike;
  readonly socketFactory: SocketFactory;
  now(): number;
  /** Jitter source in [0, 1). */
  jitter(): number;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  readonly journal: JournalStore;
  readonly apiKey: string;
  readonly signer: Signer;
  /** Told the clock's recent samples after each sync round (the worker keeps them for its next life). */
  clockSampled?(samples: readonly ClockSample[]): void;
}

export interface ExchangeClientOptions {
  readonly environment: Environment;
  /** Send orders over the WebSocket API while it is up (default true). */
  readonly useWsApi?: boolean;
  readonly http?: Partial<HttpConfig>;
  readonly wsApi?: Partial<WsApiConfig>;
  readonly clock?: Partial<ClockKeeperConfig>;
  readonly limiter?: Partial<LimiterConfig>;
  readonly policy?: Partial<ReconcilePolicy>;
  readonly market?: Partial<MarketStreamsConfig>;
  readonly userStream?: Partial<UserStreamConfig>;
  readonly backoff?: BackoffConfig;
}

export class ExchangeClient {
  readonly endpoints: Endpoints;
  readonly limiter: RateLimiter;
  readonly clock: ClockKeeper;
  readonly rest: RestApi;
  readonly wsApi: WsApi | null;
  readonly market: MarketStreams;
  readonly user: UserStream;
  readonly orders: OrderEngine;

  constructor(deps: ExchangeClientDeps, opts: ExchangeClientOptions) {
    this.endpoints = endpointsFor(opts.environment);
    this.limiter = new RateLimiter(opts.limiter);
    const httpConfig = { ...DEFAULT_HTTP_CONFIG, ...opts.http };
    let rest: RestApi | null = null;
    this.clock = new ClockKeeper(
      {
        now: deps.now,
        sample: () => (rest === null ? Promise.resolve(null) : rest.timeSample()),
        scheduler: deps.scheduler,
        logger: deps.logger,
        ...(deps.clockSampled === undefined ? {} : { sampled: deps.clockSampled }),
        offsetChanged: (deltaMs) => this.limiter.shiftHolds(deltaMs),
      },
      { ...DEFAULT_CLOCK_CONFIG, ...opts.clock },
    );
    const serverNow = (): number => this.clock.serverNow();
    const http = new HttpTransport(
      { fetch: deps.fetch, baseUrl: this.endpoints.rest, apiKey: deps.apiKey, signer: deps.signer, limiter: this.limiter, serverNow, now: deps.now, scheduler: deps.scheduler, logger: deps.logger },
      httpConfig,
    );
    rest = new RestApi(http, () => this.clock.resync(), deps.now);
    this.rest = rest;
    const socketDeps = {
      socketFactory: deps.socketFactory,
      scheduler: deps.scheduler,
      now: deps.now,
      jitter: deps.jitter,
      logger: deps.logger,
      ...(opts.backoff === undefined ? {} : { backoff: opts.backoff }),
    };
    this.wsApi =
      opts.useWsApi === false
        ? null
        : new WsApi(
            { ...socketDeps, url: this.endpoints.wsApi, apiKey: deps.apiKey, signer: deps.signer, limiter: this.limiter, serverNow },
            { ...DEFAULT_WS_API_CONFIG, recvWindowMs: httpConfig.recvWindowMs, ...opts.wsApi },
          );
    this.market = new MarketStreams({ ...socketDeps, wsBase: this.endpoints.streams }, { ...DEFAULT_MARKET_CONFIG, ...opts.market });
    this.user = new UserStream({ ...socketDeps, wsBase: this.endpoints.streams, rest }, { ...DEFAULT_USER_STREAM_CONFIG, ...opts.userStream });
    this.orders = new OrderEngine({
      rest,
      wsApi: this.wsApi,
      journal: deps.journal,
      clock: this.clock,
      now: deps.now,
      jitter: deps.jitter,
      scheduler: deps.scheduler,
      logger: deps.logger,
      policy: { ...DEFAULT_RECONCILE_POLICY, ...opts.policy },
    });
    // Order events feed the journal: a pending reconciliation adopts what the stream already shows.
    this.user.subscribe({ event: (e) => void this.orders.onUserEvent(e) });
  }

  /**
   * Syncs the clock (several samples; in the background when samples were restored), starts its refresh, the
   * WebSocket API and the user stream, then reconciles journal entries a previous worker left open. Returns those
   * entries.
   */
  async start(opts: { userStream?: boolean; found?: FoundOrder } = {}): Promise<JournalEntry[]> {
    if (this.clock.synced) void this.clock.sync();
    else await this.clock.sync();
    this.clock.start();
    this.wsApi?.start();
    if (opts.userStream !== false) this.user.start();
    return this.orders.resumeFromJournal(opts.found === undefined ? {} : { found: opts.found });
  }

  stop(): void {
    this.clock.stop();
    this.wsApi?.stop();
    this.user.stop();
    this.market.stop();
  }

  /** Exactly-once LIMIT/MARKET order. */
  placeOrder(intent: OrderIntent, trace?: OrderTrace): Promise<JournalEntry> {
    return this.orders.submit(intent, trace);
  }

  /** Exactly-once conditional order on the Algo Service (§0.1). */
  placeAlgoOrder(intent: AlgoIntent, trace?: OrderTrace): Promise<JournalEntry> {
    return this.orders.submit(intent, trace);
  }

  cancelOrder(intent: CancelIntent): Promise<JournalEntry> {
    return this.orders.submit(intent);
  }

  cancelAlgoOrder(intent: CancelAlgoIntent): Promise<JournalEntry> {
    return this.orders.submit(intent);
  }

  /** Reconciles what a restarted worker finds in the journal (also run by `start`). */
  resumeFromJournal(): Promise<JournalEntry[]> {
    return this.orders.resumeFromJournal();
  }

  /**
   * Reserves `intentId` for the next order on `symbol`, ahead of the trader's click: once stored, that order leaves
   * without waiting for its journal entry to be stored (core/journal.ts, `Reservation`).
   */
  reserveOrderId(intentId: string, symbol: string): Promise<void> {
    return this.orders.reserve(intentId, symbol);
  }

  /** Forgets reserved ids no order will use. */
  releaseOrderIds(intentIds: readonly string[]): Promise<void> {
    return this.orders.release(intentIds);
  }

  /**
   * Called after the user stream or a market stream came back from a drop: events in between were lost, so the
   * caller re-reads positions and open orders over REST.
   */
  onReconnected(listener: (source: 'user' | 'market' | 'public') => void): () => void {
    const offUser = this.user.subscribe({ reconnected: () => listener('user') });
    const offMarket = this.market.subscribe({ reconnected: (area) => listener(area) });
    return () => {
      offUser();
      offMarket();
    };
  }

  /** Limiter state for the UI; `reason` explains a 429 pause or a 418 ban. */
  limiterState(): LimiterSnapshot {
    return this.limiter.state(this.clock.serverNow());
  }

  /** How long a 418 ban or a 429 hold still refuses a request of this weight and priority, in ms (0 when none does). */
  holdRemainingMs(weight: number, priority: RequestPriority): number {
    const now = this.clock.serverNow();
    const until = this.limiter.heldUntil(weight, priority, now);
    return until === null ? 0 : until - now;
  }
}

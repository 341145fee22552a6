/**
 * The local Binance USDⓈ-M Futures exchange: one HTTP server on one port for REST (`/fapi/...`), the JSON control
 * API (`/control/...`) and the WebSocket paths (attached by `sim/ws`). See sim/README.md for the control API.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WsDeps } from './contracts.ts';
import { buildEndpoints } from './api/index.ts';
import { SimControl } from './control/control.ts';
import { EventBus } from './engine/bus.ts';
import { ExchangeClock } from './engine/clock.ts';
import { Engine } from './engine/engine.ts';
import { KeyStore, randomAlnum } from './engine/keys.ts';
import { Ledger } from './engine/ledger.ts';
import { ALL_SPECS } from './engine/symbols.ts';
import { FaultBook } from './http/faults.ts';
import { RateLimiter } from './http/ratelimit.ts';
import { createRestHandler } from './http/rest.ts';
import type { RequestTiming } from './http/timing.ts';
import { attachWebSockets, type WsFaultControl } from './ws/index.ts';

export { SimControl, ControlError, DEMO_ACCOUNT, DEMO_BALANCE } from './control/control.ts';
export type { PathStep, NewAccount, NewKey } from './control/control.ts';
export type { FaultSpec, FaultInput } from './http/faults.ts';
export type { LimitConfig } from './http/ratelimit.ts';
export type { LedgerEntry, LedgerKind } from './engine/ledger.ts';

export interface StartOptions {
  /** 0 picks a free port. Default 0. */
  readonly port?: number;
  readonly host?: string;
  /** PRNG seed of the price walk. Default 1. */
  readonly seed?: number;
  /** Listed symbols (subset of BTCUSDT, ETHUSDT, SOLUSDT, XRPUSDT, 1000PEPEUSDT). Default: all. */
  readonly symbols?: readonly string[];
  /** Demo account credentials; random 64-character alphanumerics when absent. */
  readonly apiKey?: string;
  readonly apiSecret?: string;
  /** Random-walk step interval. Default 100 ms. */
  readonly marketTickMs?: number;
  /** Whether the price walks on its own from the start. Default true. */
  readonly autoMarket?: boolean;
  /** Records a high-resolution time per handled request (the latency benchmark); absent = no wrapping. */
  readonly timing?: RequestTiming;
}

export interface SimExchange {
  /** `http://127.0.0.1:PORT` */
  readonly restUrl: string;
  /** `ws://127.0.0.1:PORT` */
  readonly wsUrl: string;
  readonly port: number;
  readonly demo: { readonly apiKey: string; readonly apiSecret: string };
  readonly control: SimControl;
  stop(): Promise<void>;
}

/** Starts the exchange and resolves once it listens. */
export async function startExchange(opts: StartOptions = {}): Promise<SimExchange> {
  const host = opts.host ?? '127.0.0.1';
  const seed = opts.seed ?? 1;
  const wanted = opts.symbols ?? ALL_SPECS.map((s) => s.symbol);
  const specs = wanted.map((s) => {
    const spec = ALL_SPECS.find((x) => x.symbol === s);
    if (!spec) throw new Error(`unknown symbol ${s}; known: ${ALL_SPECS.map((x) => x.symbol).join(', ')}`);
    return spec;
  });
  const demo = { apiKey: opts.apiKey ?? randomAlnum(64), apiSecret: opts.apiSecret ?? randomAlnum(64) };
  const clock = new ExchangeClock();
  const bus = new EventBus();
  const ledger = new Ledger();
  const keys = new KeyStore();
  const limiter = new RateLimiter();
  const faults = new FaultBook();
  const engine = new Engine({ specs, seed, clock, bus, ledger });
  const autoMarket = opts.autoMarket ?? true;
  const market = { paused: !autoMarket, initiallyPaused: !autoMarket };
  let wsFaults: WsFaultControl | null = null;
  const control = new SimControl({ engine, clock, bus, ledger, keys, limiter, faults, wsFaults: () => wsFaults, demo, seed, market });
  control.reset();
  const endpoints = buildEndpoints({ engine: () => engine, ledger, clock, limits: () => limiter.config });
  const timed = (transport: 'rest' | 'ws') => opts.timing?.wrap(endpoints, transport) ?? endpoints;
  const server: Server = createServer(createRestHandler({ endpoints: timed('rest'), auth: keys, clock, limiter, faults, control }));
  server.keepAliveTimeout = 30_000;
  const wsDeps: WsDeps = {
    endpoints: timed('ws'),
    auth: keys,
    now: () => clock.now(),
    subscribe: (listener) => bus.subscribe(listener),
    accountForListenKey: (listenKey, nowMs) => engine.accountForListenKey(listenKey, nowMs),
    symbols: () => engine.symbols(),
    // One key for both buckets: the WebSocket layer decides what identifies a client (IP or account).
    charge: (clientKey, weight, countsOrders, nowMs) => {
      const c = limiter.weight(clientKey, weight, nowMs);
      if (c.error || !countsOrders) return { error: c.error, rateLimits: limiter.report(c) };
      const o = limiter.orders(clientKey, 1, 1, c.usedWeight, nowMs);
      return { error: o.error, rateLimits: limiter.report(o) };
    },
  };
  const ws = attachWebSockets(server, wsDeps);
  wsFaults = ws.faults;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  const timers = [
    setInterval(() => {
      if (!market.paused) engine.tick();
    }, opts.marketTickMs ?? 100),
    setInterval(() => {
      engine.emitMarkPrices('@1s');
      engine.sweep();
    }, 1000),
    setInterval(() => engine.emitMarkPrices(''), 3000),
  ];
  for (const t of timers) t.unref();

  let stopped = false;
  return {
    restUrl: `http://${host}:${port}`,
    wsUrl: `ws://${host}:${port}`,
    port,
    demo,
    control,
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const t of timers) clearInterval(t);
      control.dispose();
      ws.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Shared setup for the exchange-client tests: the real local exchange in-process, the client wired with Node's
 * fetch and the `ws` package, and small helpers over the exchange's control API (sim/README.md).
 */
import WebSocket from 'ws';
import { mul, roundToStep } from '../../src/shared/decimal.ts';
import { ExchangeClient, type ExchangeClientOptions } from '../../src/background/exchange/client.ts';
import { hostScheduler, silentLogger, type FetchLike, type SocketFactory } from '../../src/background/exchange/ports.ts';
import { makeIntentId, type OrderIntent } from '../../src/core/intents.ts';
import { MemoryJournalStore, type JournalStore } from '../../src/core/journal.ts';
import { createSigner, type SigningKey } from '../../src/core/signer.ts';
import { startExchange, type FaultSpec, type LedgerEntry, type SimExchange } from '../../sim/server.ts';

/** SocketFactory over the `ws` package (Node has no global WebSocket on v20). */
export const nodeSocketFactory: SocketFactory = (url, handlers) => {
  const ws = new WebSocket(url);
  let closed = false;
  const fireClose = (code: number, reason: string): void => {
    if (closed) return;
    closed = true;
    handlers.onClose(code, reason);
  };
  ws.on('open', () => handlers.onOpen());
  ws.on('message', (data, isBinary) => {
    if (!isBinary) handlers.onMessage(data.toString());
  });
  ws.on('close', (code, reason) => fireClose(code, reason.toString()));
  ws.on('error', () => fireClose(1006, 'socket error'));
  return {
    send: (text) => ws.send(text),
    close: () => {
      ws.terminate();
      fireClose(1000, 'client close');
    },
  };
};

export async function control(sim: SimExchange, method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${sim.restUrl}/control/${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json: unknown = await res.json();
  if (res.status !== 200) throw new Error(`control ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

export function fault(sim: SimExchange, spec: FaultSpec | Record<string, unknown>): Promise<unknown> {
  return control(sim, 'POST', 'faults', spec);
}

/** Ledger entries of one kind, optionally only those carrying `clientOrderId`. */
export async function ledger(sim: SimExchange, kind: LedgerEntry['kind'], clientOrderId?: string): Promise<LedgerEntry[]> {
  const { entries } = (await control(sim, 'GET', 'ledger')) as { entries: LedgerEntry[] };
  return entries.filter((e) => e.kind === kind && (clientOrderId === undefined || e.data['clientOrderId'] === clientOrderId || e.data['clientAlgoId'] === clientOrderId));
}

/** Orders placed for an intent, any attempt (`stk-<intent>` and `stk-<intent>-<n>`). */
export async function placedFor(sim: SimExchange, intentId: string, kind: 'order.placed' | 'algo.placed' = 'order.placed'): Promise<LedgerEntry[]> {
  const all = await ledger(sim, kind);
  const id = (e: LedgerEntry): unknown => e.data['clientOrderId'] ?? e.data['clientAlgoId'];
  return all.filter((e) => {
    const c = id(e);
    return typeof c === 'string' && (c === `stk-${intentId}` || c.startsWith(`stk-${intentId}-`));
  });
}

let seq = 0;
const epoch = Date.now();

/** A fresh intent id (unique across the test run). */
export function nextIntentId(): string {
  seq += 1;
  return makeIntentId(epoch, seq);
}

export function marketBuy(quantity = '0.01', symbol = 'BTCUSDT'): OrderIntent {
  return { kind: 'order', id: nextIntentId(), symbol, side: 'BUY', type: 'MARKET', quantity };
}

export interface Harness {
  readonly sim: SimExchange;
  readonly client: ExchangeClient;
  readonly journal: JournalStore;
}

/** Options that keep each test fast: short timeouts, recvWindow and reconciliation margins, quick backoff. */
export const FAST: Omit<ExchangeClientOptions, 'environment'> = {
  http: { timeoutMs: 300, recvWindowMs: 600, maxQueueWaitMs: 3_000 },
  wsApi: { requestTimeoutMs: 300, keepAliveMs: 2_000 },
  policy: { clockMarginMs: 150, retryDelayMs: 100 },
  backoff: { baseMs: 50, maxMs: 500, jitterRatio: 0.5 },
  market: { markSilenceMs: 2_500 },
};

/** What a test may swap in: journal store (shared across "worker restarts"), key, fetch. */
export interface ClientExtras {
  readonly journal?: JournalStore;
  readonly credentials?: { apiKey: string; key: SigningKey };
  readonly fetch?: FetchLike;
  readonly socketFactory?: SocketFactory;
}

/** A client against `sim`, by default with the demo account's HMAC key and Node's fetch. */
export async function makeClient(sim: SimExchange, opts: Partial<ExchangeClientOptions> = {}, extras: ClientExtras = {}): Promise<Harness> {
  const journal = extras.journal ?? new MemoryJournalStore();
  const signer = await createSigner(extras.credentials?.key ?? { kind: 'hmac', secret: sim.demo.apiSecret }, globalThis.crypto.subtle);
  const client = new ExchangeClient(
    {
      fetch: extras.fetch ?? ((url, init) => fetch(url, init)),
      socketFactory: extras.socketFactory ?? nodeSocketFactory,
      now: () => Date.now(),
      jitter: () => 0.5,
      scheduler: hostScheduler,
      logger: silentLogger,
      journal,
      apiKey: extras.credentials?.apiKey ?? sim.demo.apiKey,
      signer,
    },
    { environment: { kind: 'local', port: sim.port }, ...FAST, ...opts },
  );
  return { sim, client, journal };
}

export { startExchange };

/** Polls `check` until it returns true (event-driven waits with a deadline; no fixed sleeps). */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 5_000, stepMs = 20): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

/** A resting BUY price for `symbol`: 3 % under the mark (inside PERCENT_PRICE), on the 0.10 tick. */
export async function restingBuyPrice(sim: SimExchange, symbol = 'BTCUSDT'): Promise<string> {
  const state = (await control(sim, 'GET', 'state')) as { markets: Array<{ symbol: string; mark: string }> };
  const mark = state.markets.find((m) => m.symbol === symbol)?.mark;
  if (mark === undefined) throw new Error(`no mark price for ${symbol}`);
  return roundToStep(mul(mark, '0.97'), '0.1', 'floor');
}

/**
 * Test harness for the WebSocket layer: a real `http.Server` on an ephemeral loopback port with
 * `attachWebSockets` and small in-test `WsDeps` (endpoint table with a fake order handler, HMAC/Ed25519
 * authenticator on node:crypto, an event bus, a settable clock), plus a `ws` client that queues frames.
 */
import { createHmac, generateKeyPairSync, sign as cryptoSign, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, type ClientOptions } from 'ws';
import type {
  Authenticator,
  BinanceError,
  Endpoint,
  EndpointTable,
  HandlerContext,
  RateLimitReport,
  SimEvent,
  SimEventListener,
  WsDeps,
} from '../../sim/contracts.ts';
import { attachWebSockets, type AttachedWebSockets, type WsOptions } from '../../sim/ws/index.ts';

export const HMAC_KEY = 'hmacKeyAAAA';
export const HMAC_SECRET = 'hmacSecretBBBB';
export const ED_KEY = 'edKeyCCCC';
export const ACCOUNT = 'acct-1';
export const OTHER_ACCOUNT = 'acct-2';

const ed = generateKeyPairSync('ed25519');
/** Enough listed symbols to reach the 1024-streams-per-connection cap with valid names. */
export const SYMBOLS: readonly string[] = ['BTCUSDT', 'ETHUSDT', ...Array.from({ length: 100 }, (_, i) => `S${i}USDT`)];
export const ED_PRIVATE: KeyObject = ed.privateKey;

/** Signing as clients do it for the WS API: all params but `signature`, sorted by name, `k=v&…` (fact sheet §9). */
export function wsPayload(params: Record<string, string | number | boolean>): string {
  return Object.keys(params)
    .filter((k) => k !== 'signature')
    .sort()
    .map((k) => `${k}=${String(params[k])}`)
    .join('&');
}

export function signHmac(params: Record<string, string | number | boolean>, secret = HMAC_SECRET): string {
  return createHmac('sha256', secret).update(wsPayload(params)).digest('hex');
}

export function signEd25519(params: Record<string, string | number | boolean>): string {
  return cryptoSign(null, Buffer.from(wsPayload(params)), ED_PRIVATE).toString('base64');
}

class TestAuth implements Authenticator {
  readonly revoked = new Set<string>();
  accountForKey(apiKey: string): string | null {
    if (this.revoked.has(apiKey)) return null;
    return apiKey === HMAC_KEY || apiKey === ED_KEY ? ACCOUNT : null;
  }
  verify(apiKey: string, payload: string, signature: string): boolean {
    if (apiKey === HMAC_KEY) return createHmac('sha256', HMAC_SECRET).update(payload).digest('hex') === signature.toLowerCase();
    if (apiKey === ED_KEY) return cryptoVerify(null, Buffer.from(payload), ed.publicKey, Buffer.from(signature, 'base64'));
    return false;
  }
  isEd25519(apiKey: string): boolean {
    return apiKey === ED_KEY;
  }
}

export interface Harness {
  readonly server: Server;
  readonly ws: AttachedWebSockets;
  readonly clock: { t: number };
  readonly rateClock: { t: number };
  readonly auth: TestAuth;
  /** listenKey → account and expiry (exchange ms). */
  readonly listenKeys: Map<string, { accountId: string; expiresAt: number }>;
  /** Calls the fake endpoints received. */
  readonly calls: { key: string; ctx: HandlerContext }[];
  /** Weight charged per client key; `weightLimit` makes `charge` answer 429. */
  readonly charged: { weight: number; orders: number; weightLimit: number };
  emit(event: SimEvent): void;
  url(path: string): string;
  close(): Promise<void>;
}

function endpoint(
  key: string,
  calls: Harness['calls'],
  security: Endpoint['security'],
  weight: number,
  countsOrders: boolean,
  handle: (ctx: HandlerContext) => ReturnType<Endpoint['handle']>,
): [string, Endpoint] {
  return [
    key,
    {
      security,
      weight: () => weight,
      countsOrders,
      handle: (ctx) => {
        calls.push({ key, ctx });
        return handle(ctx);
      },
    },
  ];
}

/** Starts a loopback server with the WebSocket layer attached. */
export async function startHarness(opts: Omit<WsOptions, 'rateClock'> = {}, extra: (h: { emit(e: SimEvent): void }) => EndpointTable = () => ({})): Promise<Harness> {
  const clock = { t: 1_700_000_000_000 };
  const rateClock = { t: 0 };
  const auth = new TestAuth();
  const listeners = new Set<SimEventListener>();
  const listenKeys = new Map<string, { accountId: string; expiresAt: number }>();
  const calls: Harness['calls'] = [];
  const charged = { weight: 0, orders: 0, weightLimit: 2400 };
  const emit = (event: SimEvent): void => {
    for (const l of listeners) l(event);
  };
  const endpoints: EndpointTable = Object.fromEntries([
    endpoint('POST /fapi/v1/order', calls, 'TRADE', 0, true, (ctx) =>
      ctx.params['symbol'] === 'BADUSDT'
        ? { ok: false, error: { httpStatus: 400, code: -1121, msg: 'Invalid symbol.' } }
        : { ok: true, body: { orderId: 42, symbol: ctx.params['symbol'], price: ctx.params['price'], origQty: ctx.params['quantity'] } },
    ),
    endpoint('GET /fapi/v2/account', calls, 'USER_DATA', 5, false, () => ({ ok: true, body: { version: 'v2' } })),
    endpoint('GET /fapi/v3/account', calls, 'USER_DATA', 5, false, () => ({ ok: true, body: { version: 'v3' } })),
    endpoint('GET /fapi/v2/ticker/price', calls, 'NONE', 1, false, (ctx) => ({
      ok: true,
      body: { symbol: ctx.params['symbol'], price: '50000.10', time: clock.t },
    })),
    endpoint('POST /fapi/v1/listenKey', calls, 'USER_STREAM', 1, false, (ctx) => ({ ok: true, body: { listenKey: `lk${ctx.accountId ?? ''}` } })),
    ...Object.entries(extra({ emit })),
  ]);
  const deps: WsDeps = {
    endpoints,
    auth,
    now: () => clock.t,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    accountForListenKey(listenKey, nowMs) {
      const k = listenKeys.get(listenKey);
      return k !== undefined && nowMs < k.expiresAt ? k.accountId : null;
    },
    symbols: () => SYMBOLS,
    charge(_clientKey, weight, countsOrders): { error: BinanceError | null; rateLimits: readonly RateLimitReport[] } {
      charged.weight += weight;
      if (countsOrders) charged.orders += 1;
      const rateLimits: RateLimitReport[] = [
        { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: charged.weightLimit, count: charged.weight },
      ];
      const error = charged.weight > charged.weightLimit ? { httpStatus: 429, code: -1003, msg: 'Too many requests.' } : null;
      return { error, rateLimits };
    },
  };
  const server = createServer((_req, res) => res.writeHead(404).end());
  const ws = attachWebSockets(server, deps, { ...opts, rateClock: () => rateClock.t });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    ws,
    clock,
    rateClock,
    auth,
    listenKeys,
    calls,
    charged,
    emit,
    url: (path) => `ws://127.0.0.1:${port}${path}`,
    close: async () => {
      ws.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A `ws` client that queues incoming JSON frames and exposes its close. */
export interface Client {
  readonly ws: WebSocket;
  /** Next frame, parsed. */
  next(): Promise<unknown>;
  send(value: unknown): void;
  /** Sends a request and returns the next frame. */
  call(value: unknown): Promise<unknown>;
  /** Resolves with the close code (1006 = socket dropped without a close frame). */
  readonly closed: Promise<number>;
  close(): void;
}

/** Opens a client and waits for the handshake. */
export async function connect(url: string, options: ClientOptions = {}): Promise<Client> {
  const ws = new WebSocket(url, options);
  const queue: unknown[] = [];
  const waiters: ((v: unknown) => void)[] = [];
  ws.on('error', () => undefined);
  ws.on('message', (data) => {
    const value: unknown = JSON.parse(String(data));
    const w = waiters.shift();
    if (w) w(value);
    else queue.push(value);
  });
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const next = (): Promise<unknown> =>
    queue.length > 0 ? Promise.resolve(queue.shift()) : new Promise((resolve) => waiters.push(resolve));
  return {
    ws,
    next,
    send: (value) => ws.send(typeof value === 'string' ? value : JSON.stringify(value)),
    call: (value) => {
      ws.send(typeof value === 'string' ? value : JSON.stringify(value));
      return next();
    },
    closed,
    close: () => ws.close(),
  };
}

/** The HTTP status a refused handshake answered with. */
export function refusedStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('open', () => reject(new Error('handshake unexpectedly accepted')));
    ws.on('error', () => undefined);
  });
}

export const markPrice = (symbol: string, p: string, stream = `${symbol.toLowerCase()}@markPrice@1s`): SimEvent => ({
  kind: 'market',
  stream,
  payload: { e: 'markPriceUpdate', E: 1, s: symbol, p, i: p, P: p, r: '0.0001', T: 2 },
});

export const bookTicker = (symbol: string): SimEvent => ({
  kind: 'market',
  stream: `${symbol.toLowerCase()}@bookTicker`,
  payload: { e: 'bookTicker', u: 1, E: 1, T: 1, s: symbol, b: '1.0', B: '2', a: '1.1', A: '3' },
});

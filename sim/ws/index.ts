/**
 * The local exchange's WebSocket layer: market streams (`/public`, `/market`), user data streams (`/private`) and
 * the WebSocket API (`/ws-fapi/v1`), attached to an existing HTTP server's `upgrade` event.
 *
 * Binance behaviours kept (fact sheet §7–§9): server ping every 3 min, disconnect after 10 min without a pong,
 * 24 h connection lifetime, at most 10 incoming messages per second on stream connections (more → disconnect),
 * at most 1024 streams per connection, WS API handshake charged 5 request weight.
 * Choices where Binance is not documented: an unknown or expired listenKey is accepted and delivers nothing
 * (as the retired `/ws/<listenKey>` did); unknown stream names in SUBSCRIBE answer error code 2.
 */
import type { IncomingMessage, Server } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import type { BinanceError, SimEvent, WsDeps, WsFaults } from '../contracts.ts';
import { WsApiConnection } from './api.ts';
import { IncomingRate, SilenceWindows } from './faults.ts';
import { MAX_STREAMS_PER_CONNECTION, StreamHub, type StreamConnection } from './hub.ts';
import { parseRoute, type Route } from './routes.ts';

/** Timing knobs; defaults are Binance's (fact sheet §7, §9). Tests shorten them. */
export interface WsOptions {
  /** Server ping period (default 3 min). */
  readonly pingIntervalMs?: number;
  /** Disconnect when no pong arrived for this long (default 10 min). */
  readonly pongTimeoutMs?: number;
  /** Connection lifetime (default 24 h). */
  readonly maxLifetimeMs?: number;
  /** Clock for the incoming-message rate limit (default `performance.now`, unaffected by exchange-clock jumps). */
  readonly rateClock?: () => number;
}

/** `WsFaults` plus the switch that opens silence windows. */
export interface WsFaultControl extends WsFaults {
  /**
   * Sends nothing on connections whose path starts with `pathPrefix` until exchange time `untilMs`; with
   * `lostRequests`, WebSocket API requests received on them meanwhile are not executed either.
   */
  silence(pathPrefix: string, untilMs: number, lostRequests?: boolean): void;
}

/** What `attachWebSockets` returns. */
export interface AttachedWebSockets {
  /** Detaches from the server and closes every connection. */
  close(): void;
  readonly faults: WsFaultControl;
  /** Open connections (all paths). */
  connectionCount(): number;
}

const DEFAULTS = { pingIntervalMs: 3 * 60_000, pongTimeoutMs: 10 * 60_000, maxLifetimeMs: 24 * 60 * 60_000 };
/** Max incoming messages per second on a stream connection (fact sheet §7). */
const INCOMING_PER_SECOND = 10;
/** WS API handshake weight (fact sheet §6, §9). */
const HANDSHAKE_WEIGHT = 5;
/** A client this far behind is dropped rather than buffered without bound. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;
/** Incoming frames are small JSON requests. */
const MAX_PAYLOAD_BYTES = 1024 * 1024;

interface Tracked {
  readonly ws: WebSocket;
  readonly path: string;
}

function refuse(socket: Duplex, status: number, body: { code: number; msg: string }): void {
  const text = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
  );
}

function text(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  return Buffer.from(data).toString('utf8');
}

/**
 * Handles WebSocket upgrades on `server` for the exchange's stream and WS API paths. Upgrades on other paths are
 * left to other `upgrade` listeners, or refused with 404 when there are none.
 */
export function attachWebSockets(server: Server, deps: WsDeps, opts: WsOptions = {}): AttachedWebSockets {
  const timing = {
    pingIntervalMs: opts.pingIntervalMs ?? DEFAULTS.pingIntervalMs,
    pongTimeoutMs: opts.pongTimeoutMs ?? DEFAULTS.pongTimeoutMs,
    maxLifetimeMs: opts.maxLifetimeMs ?? DEFAULTS.maxLifetimeMs,
  };
  const rateClock = opts.rateClock ?? (() => performance.now());
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_PAYLOAD_BYTES });
  const silences = new SilenceWindows();
  const tracked = new Set<Tracked>();
  const sockets = new Map<StreamConnection, WebSocket>();

  const sendOn = (ws: WebSocket, path: string, frame: string, nowMs: number): void => {
    if (ws.readyState !== WebSocket.OPEN || silences.isSilenced(path, nowMs)) return;
    if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      ws.terminate();
      return;
    }
    ws.send(frame);
  };

  const hub = new StreamHub(deps, (conn, frame, nowMs) => {
    const ws = sockets.get(conn);
    if (ws !== undefined) sendOn(ws, conn.path, frame, nowMs);
  });

  const unsubscribe = deps.subscribe((event: SimEvent) => {
    if (sockets.size > 0) hub.deliver(event, deps.now());
  });

  /** Ping every interval (not while silenced), drop after the pong timeout, close at the end of the lifetime. */
  const track = (ws: WebSocket, path: string): void => {
    const entry: Tracked = { ws, path };
    tracked.add(entry);
    const ping = setInterval(() => {
      if (ws.readyState === WebSocket.OPEN && !silences.isSilenced(path, deps.now())) ws.ping();
    }, timing.pingIntervalMs);
    const pongDeadline = setTimeout(() => ws.terminate(), timing.pongTimeoutMs);
    const lifetime = setTimeout(() => ws.close(1000, 'connection lifetime reached'), timing.maxLifetimeMs);
    for (const t of [ping, pongDeadline, lifetime]) t.unref();
    // Unsolicited pongs also count as liveness (fact sheet §7: "unsolicited pongs allowed").
    ws.on('pong', () => pongDeadline.refresh());
    ws.on('close', () => {
      clearInterval(ping);
      clearTimeout(pongDeadline);
      clearTimeout(lifetime);
      tracked.delete(entry);
    });
    ws.on('error', () => ws.terminate());
  };

  const openStream = (ws: WebSocket, path: string, route: Extract<Route, { kind: 'stream' }>): void => {
    const conn: StreamConnection = {
      path,
      area: route.area,
      combined: route.combined,
      streams: new Set(),
      users: new Map(),
    };
    sockets.set(conn, ws);
    hub.open(conn, route.streams, route.listenKeys);
    const rate = new IncomingRate(INCOMING_PER_SECOND, 1000);
    ws.on('message', (data) => {
      if (ws.readyState !== WebSocket.OPEN) return;
      if (!rate.hit(rateClock())) {
        // "A connection that goes beyond the limit will be disconnected" (fact sheet §7).
        ws.close(1008, 'Too many messages');
        return;
      }
      sendOn(ws, path, hub.control(conn, text(data)), deps.now());
    });
    ws.on('close', () => {
      sockets.delete(conn);
      hub.remove(conn);
    });
  };

  const openApi = (ws: WebSocket, path: string, clientKey: string, returnRateLimits: boolean): void => {
    const api = new WsApiConnection(deps, { clientKey, connectedSince: deps.now(), returnRateLimits });
    ws.on('message', (data) => {
      if (silences.losesRequests(path, deps.now())) return;
      const reply = api.handle(text(data));
      sendOn(ws, path, reply, deps.now());
    });
  };

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = parseRoute(url);
    if (route === null) {
      if (server.listenerCount('upgrade') <= 1) refuse(socket, 404, { code: -1, msg: 'Not found' });
      return;
    }
    const path = url.pathname;
    const clientKey = req.socket.remoteAddress ?? 'unknown';
    if (route.kind === 'api') {
      const charged = deps.charge(clientKey, HANDSHAKE_WEIGHT, false, deps.now());
      const error: BinanceError | null = charged.error;
      if (error !== null) {
        refuse(socket, error.httpStatus, { code: error.code, msg: error.msg });
        return;
      }
    } else if (route.streams.length + route.listenKeys.length > MAX_STREAMS_PER_CONNECTION) {
      refuse(socket, 400, { code: 2, msg: `Invalid request: too many streams (max ${MAX_STREAMS_PER_CONNECTION} per connection)` });
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      track(ws, path);
      if (route.kind === 'api') openApi(ws, path, clientKey, route.returnRateLimits);
      else openStream(ws, path, route);
    });
  };
  server.on('upgrade', onUpgrade);

  const faults: WsFaultControl = {
    dropConnections(filter) {
      // terminate() destroys the socket: no close frame, as a network drop looks to the client.
      for (const t of [...tracked]) if (filter(t.path)) t.ws.terminate();
    },
    isSilenced: (path, nowMs) => silences.isSilenced(path, nowMs),
    silence: (pathPrefix, untilMs, lostRequests) => silences.set(pathPrefix, untilMs, lostRequests),
  };

  return {
    close() {
      server.off('upgrade', onUpgrade);
      unsubscribe();
      for (const t of [...tracked]) t.ws.terminate();
      wss.close();
    },
    faults,
    connectionCount: () => tracked.size,
  };
}

/**
 * The stream side of the WebSocket layer: per-connection subscriptions (market streams and listenKeys), the
 * indexes that route each engine event only to its subscribers, and the live control protocol (fact sheet §7, §8).
 * Delivery is O(subscribers of that stream): one map lookup per event, each payload serialised at most twice
 * (raw and combined) however many connections receive it.
 */
import type { SimEvent, WsDeps } from '../contracts.ts';
import { assertNever } from '../../src/shared/result.ts';
import type { ListenKeyItem, StreamArea } from './routes.ts';
import {
  controlErrorReply,
  controlResultReply,
  parseControl,
  parseStreamName,
  symbolSet,
  type ControlError,
  type StreamCategory,
} from './streams.ts';

/** Max streams per connection (fact sheet §7). */
export const MAX_STREAMS_PER_CONNECTION = 1024;

/** One subscriber's stream connection. `send` applies silence windows and back-pressure (see `index.ts`). */
export interface StreamConnection {
  readonly path: string;
  readonly area: StreamArea;
  /** Combined payloads `{"stream","data"}`; starts true on `/stream`, false on `/ws`; SET_PROPERTY changes it. */
  combined: boolean;
  /** Market stream names subscribed (normalised), including ones this path does not carry. */
  readonly streams: Set<string>;
  /** listenKey → its subscription on this connection. */
  readonly users: Map<string, UserSubscription>;
}

interface UserSubscription {
  readonly conn: StreamConnection;
  readonly listenKey: string;
  /** The key's account when subscribed, or null for an unknown/expired key (delivers nothing). */
  readonly accountId: string | null;
  /** Event types (`e`) to deliver; null = all. */
  events: Set<string> | null;
}

/** Sends one text frame on a connection (the caller checks silence and back-pressure). */
export type FrameSender = (conn: StreamConnection, text: string, nowMs: number) => void;

/**
 * A path carries only its own category: `/public` book data, `/market` the rest, bare `/ws` only public streams,
 * `/private` no market data at all (fact sheet §0.2: "the old bare paths deliver nothing" for `/market` streams).
 */
function carries(area: StreamArea, category: StreamCategory): boolean {
  switch (area) {
    case 'public':
    case 'bare':
      return category === 'public';
    case 'market':
      return category === 'market';
    case 'private':
      return false;
    default:
      return assertNever(area);
  }
}

/** `<listenKey>` or `<listenKey>@<EVENT>` (a SUBSCRIBE item on `/private`, fact sheet §8). */
function parseListenKeyItem(raw: string): ListenKeyItem | null {
  const m = /^([A-Za-z0-9]+)(?:@([A-Z_]+))?$/.exec(raw);
  if (m === null || m[1] === undefined) return null;
  return { listenKey: m[1], events: m[2] === undefined ? null : [m[2]] };
}

type Item = { readonly kind: 'market'; readonly name: string; readonly category: StreamCategory } | { readonly kind: 'user'; readonly item: ListenKeyItem };

/** Routes engine events to stream connections and answers their control messages. */
export class StreamHub {
  private readonly market = new Map<string, Set<StreamConnection>>();
  private readonly user = new Map<string, Set<UserSubscription>>();

  constructor(
    private readonly deps: WsDeps,
    private readonly send: FrameSender,
  ) {}

  /** Applies the streams and listenKeys named in the URL; names that are not streams are ignored (ccxt's `/ws/0`). */
  open(conn: StreamConnection, streams: readonly string[], listenKeys: readonly ListenKeyItem[]): void {
    const symbols = symbolSet(this.deps.symbols());
    const nowMs = this.deps.now();
    for (const raw of streams) {
      const item = this.classify(conn, raw, symbols);
      if (item !== null) this.add(conn, item, nowMs);
    }
    for (const item of listenKeys) this.add(conn, { kind: 'user', item }, nowMs);
  }

  /** Forgets a closed connection. */
  remove(conn: StreamConnection): void {
    for (const name of conn.streams) this.unindexMarket(conn, name);
    for (const sub of conn.users.values()) this.unindexUser(sub);
    conn.streams.clear();
    conn.users.clear();
  }

  /** Answers one incoming control frame (fact sheet §7 "Live Subscribing"). */
  control(conn: StreamConnection, text: string): string {
    const parsed = parseControl(text);
    if (!parsed.ok) return controlErrorReply(parsed.error, parsed.id);
    const request = parsed.request;
    switch (request.method) {
      case 'SUBSCRIBE':
      case 'UNSUBSCRIBE': {
        const symbols = symbolSet(this.deps.symbols());
        const items: Item[] = [];
        for (const raw of request.params) {
          const item = this.classify(conn, raw, symbols);
          if (item === null) return controlErrorReply({ code: 2, msg: `Invalid request: invalid stream name '${raw}'` }, request.id);
          items.push(item);
        }
        if (request.method === 'UNSUBSCRIBE') {
          for (const item of items) this.drop(conn, item);
          return controlResultReply(null, request.id);
        }
        const tooMany = this.checkCapacity(conn, items);
        if (tooMany !== null) return controlErrorReply(tooMany, request.id);
        const nowMs = this.deps.now();
        for (const item of items) this.add(conn, item, nowMs);
        return controlResultReply(null, request.id);
      }
      case 'LIST_SUBSCRIPTIONS':
        return controlResultReply(this.list(conn), request.id);
      case 'SET_PROPERTY':
        conn.combined = request.value;
        return controlResultReply(null, request.id);
      case 'GET_PROPERTY':
        return controlResultReply(conn.combined, request.id);
      default:
        return assertNever(request);
    }
  }

  /** Fans one engine event out to its subscribers. */
  deliver(event: SimEvent, nowMs: number): void {
    if (event.kind === 'market') {
      const conns = this.market.get(event.stream);
      if (conns === undefined) return;
      let raw: string | undefined;
      let wrapped: string | undefined;
      for (const conn of conns) {
        const text = conn.combined
          ? (wrapped ??= JSON.stringify({ stream: event.stream, data: event.payload }))
          : (raw ??= JSON.stringify(event.payload));
        this.send(conn, text, nowMs);
      }
      return;
    }
    const subs = this.user.get(event.accountId);
    if (subs === undefined) return;
    const type = event.payload['e'];
    let raw: string | undefined;
    const frame = (sub: UserSubscription): string =>
      sub.conn.combined ? JSON.stringify({ stream: sub.listenKey, data: event.payload }) : (raw ??= JSON.stringify(event.payload));
    if (type === 'listenKeyExpired') {
      // Sent only on the key that expired; "no more events until a new key is used" (fact sheet §8).
      const expired = event.payload['listenKey'];
      for (const sub of subs) {
        if (sub.listenKey !== expired) continue;
        this.send(sub.conn, frame(sub), nowMs);
        this.dropSubscription(sub);
      }
      return;
    }
    for (const sub of subs) {
      if (sub.events !== null && (typeof type !== 'string' || !sub.events.has(type))) continue;
      // A key closed by DELETE /fapi/v1/listenKey or expired without notice stops delivering.
      if (this.deps.accountForListenKey(sub.listenKey, nowMs) !== sub.accountId) {
        this.dropSubscription(sub);
        continue;
      }
      this.send(sub.conn, frame(sub), nowMs);
    }
  }

  private classify(conn: StreamConnection, raw: string, symbols: ReadonlySet<string>): Item | null {
    const stream = parseStreamName(raw, symbols);
    if (stream !== null) return { kind: 'market', name: stream.name, category: stream.category };
    if (conn.area !== 'private') return null;
    const item = parseListenKeyItem(raw);
    return item === null ? null : { kind: 'user', item };
  }

  private checkCapacity(conn: StreamConnection, items: readonly Item[]): ControlError | null {
    const fresh = new Set<string>();
    for (const item of items) {
      const key = item.kind === 'market' ? item.name : `@${item.item.listenKey}`;
      const known = item.kind === 'market' ? conn.streams.has(item.name) : conn.users.has(item.item.listenKey);
      if (!known) fresh.add(key);
    }
    const total = conn.streams.size + conn.users.size + fresh.size;
    return total > MAX_STREAMS_PER_CONNECTION
      ? { code: 2, msg: `Invalid request: too many streams (max ${MAX_STREAMS_PER_CONNECTION} per connection)` }
      : null;
  }

  private add(conn: StreamConnection, item: Item, nowMs: number): void {
    if (item.kind === 'market') {
      if (conn.streams.has(item.name)) return;
      conn.streams.add(item.name);
      if (!carries(conn.area, item.category)) return;
      let set = this.market.get(item.name);
      if (set === undefined) this.market.set(item.name, (set = new Set()));
      set.add(conn);
      return;
    }
    const { listenKey, events } = item.item;
    const existing = conn.users.get(listenKey);
    if (existing !== undefined) {
      if (existing.events === null) return;
      if (events === null) existing.events = null;
      else for (const e of events) existing.events.add(e);
      return;
    }
    const sub: UserSubscription = {
      conn,
      listenKey,
      accountId: this.deps.accountForListenKey(listenKey, nowMs),
      events: events === null ? null : new Set(events),
    };
    conn.users.set(listenKey, sub);
    if (sub.accountId === null) return;
    let set = this.user.get(sub.accountId);
    if (set === undefined) this.user.set(sub.accountId, (set = new Set()));
    set.add(sub);
  }

  private drop(conn: StreamConnection, item: Item): void {
    if (item.kind === 'market') {
      if (!conn.streams.delete(item.name)) return;
      this.unindexMarket(conn, item.name);
      return;
    }
    const sub = conn.users.get(item.item.listenKey);
    if (sub === undefined) return;
    if (item.item.events === null || sub.events === null) {
      if (item.item.events === null) this.dropSubscription(sub);
      return;
    }
    for (const e of item.item.events) sub.events.delete(e);
    if (sub.events.size === 0) this.dropSubscription(sub);
  }

  private dropSubscription(sub: UserSubscription): void {
    sub.conn.users.delete(sub.listenKey);
    this.unindexUser(sub);
  }

  private unindexMarket(conn: StreamConnection, name: string): void {
    const set = this.market.get(name);
    if (set === undefined) return;
    set.delete(conn);
    if (set.size === 0) this.market.delete(name);
  }

  private unindexUser(sub: UserSubscription): void {
    if (sub.accountId === null) return;
    const set = this.user.get(sub.accountId);
    if (set === undefined) return;
    set.delete(sub);
    if (set.size === 0) this.user.delete(sub.accountId);
  }

  private list(conn: StreamConnection): string[] {
    const out = [...conn.streams];
    for (const sub of conn.users.values()) {
      if (sub.events === null) out.push(sub.listenKey);
      else for (const e of sub.events) out.push(`${sub.listenKey}@${e}`);
    }
    return out;
  }
}

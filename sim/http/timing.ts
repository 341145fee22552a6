/**
 * Optional request timing for the latency benchmark (`npm run bench`, scripts/bench.ts): a high-resolution epoch time
 * (`performance.timeOrigin + performance.now()`, the same clock a browser page reads) when each request reaches its
 * endpoint handler, and when the handler returned. The ledger's times are whole exchange-clock milliseconds, too
 * coarse for a loopback round trip of a fraction of a millisecond.
 *
 * It wraps the endpoint table, so REST and the WebSocket API are timed at the same point: after the request was
 * read, parsed and authenticated, when the engine starts on it. The cost before that point (reading a short body,
 * one HMAC-SHA256 verification) is microseconds. Without a `RequestTiming` passed to `startExchange` nothing is
 * wrapped and the exchange runs exactly as before.
 */
import type { Endpoint, EndpointTable } from '../contracts.ts';

/** Which front door a request came through. */
export type Transport = 'rest' | 'ws';

/** One handled request. */
export interface TimingRecord {
  /** `"<METHOD> <path>"`, e.g. `"POST /fapi/v1/order"` (WebSocket API methods map to their REST key). */
  readonly key: string;
  readonly transport: Transport;
  /** `newClientOrderId` or `clientAlgoId` when the request carries one. */
  readonly clientId: string | null;
  /** The request's `type` param (MARKET, STOP_MARKET, …) when present. */
  readonly type: string | null;
  readonly accountId: string | null;
  /** Epoch ms, sub-millisecond resolution: the handler started. */
  readonly atMs: number;
  /** Epoch ms: the handler returned (a MARKET order has filled by then). */
  readonly doneMs: number;
  /** Whether the handler accepted the request. */
  readonly ok: boolean;
}

/** Epoch milliseconds with sub-millisecond resolution, comparable with a browser's `timeOrigin + now()`. */
export function epochNow(): number {
  return performance.timeOrigin + performance.now();
}

/** Collects `TimingRecord`s, keeping the newest `capacity`. */
export class RequestTiming {
  readonly #records: TimingRecord[] = [];
  #dropped = 0;

  constructor(private readonly capacity = 200_000) {}

  /** The same table with every handler timed under `transport`. */
  wrap(table: EndpointTable, transport: Transport): EndpointTable {
    const out: Record<string, Endpoint> = {};
    for (const [key, ep] of Object.entries(table)) {
      out[key] = {
        ...ep,
        handle: (ctx) => {
          const atMs = epochNow();
          const outcome = ep.handle(ctx);
          const p = ctx.params;
          this.#push({
            key,
            transport,
            clientId: p['newClientOrderId'] ?? p['clientAlgoId'] ?? null,
            type: p['type'] ?? null,
            accountId: ctx.accountId,
            atMs,
            doneMs: epochNow(),
            ok: outcome.ok,
          });
          return outcome;
        },
      };
    }
    return out;
  }

  #push(r: TimingRecord): void {
    if (this.#records.length >= this.capacity) {
      this.#records.shift();
      this.#dropped += 1;
    }
    this.#records.push(r);
  }

  /** Records with index ≥ `from` (indexes count from the first record ever kept, see `size`). */
  since(from: number): TimingRecord[] {
    return this.#records.slice(Math.max(0, from - this.#dropped));
  }

  /** Records ever collected: pass it to `since` later to read only what came after. */
  get size(): number {
    return this.#dropped + this.#records.length;
  }
}

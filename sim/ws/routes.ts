/**
 * WebSocket URL routing (fact sheet §1, §7, §8, §9):
 * - `/public|/market|/private` + `/ws/<stream>[/<stream>…]` (raw) or `/stream?streams=a/b` (combined);
 *   segments after `/ws/` that are not stream names are ignored (ccxt connects to `/market/ws/0`, §7);
 * - bare `/ws/…` and `/stream?…` (pre-2026 layout) are still accepted but only carry `/public` streams (§0.2);
 * - `/private/ws?listenKey=<k>[&events=A/B]`, `/private/stream?listenKey=…&events=…` (repeatable, each `events`
 *   belongs to the `listenKey` before it) and `/private/stream?streams=<listenKey>` (§8, §10);
 * - `/ws-fapi/v1[?returnRateLimits=false]` for the WebSocket API (§9).
 */

/** Which path a stream connection was opened on; `bare` is the legacy root, which only carries public streams. */
export type StreamArea = 'public' | 'market' | 'private' | 'bare';

/** A listenKey item: the key and, when given, the only event types (`e`) to deliver. */
export interface ListenKeyItem {
  readonly listenKey: string;
  readonly events: readonly string[] | null;
}

export type Route =
  | {
      readonly kind: 'stream';
      readonly area: StreamArea;
      readonly combined: boolean;
      /** Stream names from the URL, unvalidated (validation needs the symbol list). */
      readonly streams: readonly string[];
      readonly listenKeys: readonly ListenKeyItem[];
    }
  | { readonly kind: 'api'; readonly returnRateLimits: boolean };

const STREAM_PATH = /^(?:\/(public|market|private))?\/(ws|stream)(?:\/(.*))?$/;

function splitList(value: string): string[] {
  return value.split('/').filter((s) => s.length > 0);
}

/** Maps a request URL to a route, or null when no WebSocket endpoint lives there. */
export function parseRoute(url: URL): Route | null {
  const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
  if (path === '/ws-fapi/v1') {
    return { kind: 'api', returnRateLimits: url.searchParams.get('returnRateLimits') !== 'false' };
  }
  const m = STREAM_PATH.exec(path);
  if (m === null) return null;
  const area: StreamArea = m[1] === 'public' || m[1] === 'market' || m[1] === 'private' ? m[1] : 'bare';
  const combined = m[2] === 'stream';
  const streams = combined ? url.searchParams.getAll('streams').flatMap(splitList) : splitList(m[3] ?? '');
  const listenKeys: ListenKeyItem[] = [];
  if (area === 'private') {
    let last: { listenKey: string; events: string[] | null } | null = null;
    for (const [name, value] of url.searchParams) {
      if (name === 'listenKey' && value.length > 0) {
        last = { listenKey: value, events: null };
        listenKeys.push(last);
      } else if (name === 'events' && last !== null) {
        last.events = [...(last.events ?? []), ...splitList(value)];
      }
    }
  }
  return { kind: 'stream', area, combined, streams, listenKeys };
}

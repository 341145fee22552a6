/**
 * The service worker's implementations of the exchange client's ports: fetch, WebSocket, timers, jitter, logging
 * and the order journal's storage.
 */
import { JournalEntrySchema, type JournalEntry, type JournalStore } from '../../core/journal.ts';
import { hostScheduler, standardSocketFactory, type FetchLike, type Logger } from '../exchange/ports.ts';

export const workerFetch: FetchLike = (url, init) => fetch(url, { ...init, cache: 'no-store', credentials: 'omit' });

export const workerSockets = standardSocketFactory((url) => new WebSocket(url));

export const workerScheduler = hostScheduler;

/** Console logging. Callers pass ids and codes, never keys or secrets (the vault keeps those out of reach). */
export const workerLogger: Logger = {
  debug: () => {},
  info: (msg, data) => console.info(`[strike] ${msg}`, data ?? ''),
  warn: (msg, data) => console.warn(`[strike] ${msg}`, data ?? ''),
};

const PREFIX = 'orders.journal.v1:';

/** Settled entries are kept this long (a late user-stream event still finds its entry), then pruned. */
const SETTLED_KEEP_MS = 10 * 60_000;
/** Prune every this many writes: chrome.storage.session holds 10 MB, about 5,000 entries. */
const PRUNE_EVERY = 100;
const SETTLED = new Set<JournalEntry['state']>(['acked', 'rejected', 'filled', 'canceled', 'final', 'unknown']);

/**
 * Issues a `chrome.storage.session` write without waiting for its confirmation. The extension bindings send the
 * write to the browser process synchronously, in call order, and the browser applies it even if this worker is
 * stopped right after; so a write issued before an order's frame is handed to the socket is stored whether or not
 * the worker lives to see it confirmed, and a later write never overtakes it. Waiting for the confirmation would put
 * a browser round trip (1-3 ms, more under load: `worker_storage_get` in `npm run bench`) in front of every order
 * and every protective stop. Only a crash of the extension's renderer process between the call and the send could
 * lose such a write; the protector's reconcile against the exchange is the net for that (README, "Exactly-once").
 */
export function dispatchSessionWrite(items: Record<string, unknown>): Promise<void> {
  chrome.storage.session.set(items).catch((e: unknown) => workerLogger.warn('session storage write failed', { error: String(e) }));
  return Promise.resolve();
}

function parseEntries(all: Record<string, unknown>): Map<string, JournalEntry> {
  const entries = new Map<string, JournalEntry>();
  for (const [k, v] of Object.entries(all)) {
    if (!k.startsWith(PREFIX)) continue;
    const parsed = JournalEntrySchema.safeParse(v);
    if (parsed.success) entries.set(parsed.data.intentId, parsed.data);
  }
  return entries;
}

/**
 * The order journal in chrome.storage.session: memory only on the browser's side, so it survives a worker restart
 * (when an order in flight must be reconciled) but not a browser restart, after which the protector's reconcile
 * against the exchange's open orders and positions is the safety net (README, "Exactly-once orders").
 *
 * This worker's own writes are kept in memory and answer reads at once; what an earlier worker left is read from
 * storage once. Writes are issued with {@link dispatchSessionWrite}: in storage before the order's frame can leave,
 * without a round trip on the order's path.
 */
export class SessionJournal implements JournalStore {
  readonly #written = new Map<string, JournalEntry>();
  #stored: Promise<Map<string, JournalEntry>> | null = null;
  #writes = 0;

  put(entry: JournalEntry): Promise<void> {
    this.#written.set(entry.intentId, entry);
    this.#writes += 1;
    if (this.#writes % PRUNE_EVERY === 0) void this.prune(Date.now());
    return dispatchSessionWrite({ [PREFIX + entry.intentId]: entry });
  }

  async get(intentId: string): Promise<JournalEntry | undefined> {
    return this.#written.get(intentId) ?? (await this.#fromStorage()).get(intentId);
  }

  async list(): Promise<JournalEntry[]> {
    return [...(await this.#merged()).values()];
  }

  /** Drops settled entries older than {@link SETTLED_KEEP_MS}; entries that may still need reconciling stay. */
  async prune(nowMs: number): Promise<number> {
    const old = [...(await this.#merged()).values()].filter((e) => SETTLED.has(e.state) && nowMs - e.times.updatedMs > SETTLED_KEEP_MS);
    const stored = await this.#fromStorage();
    for (const e of old) {
      this.#written.delete(e.intentId);
      stored.delete(e.intentId);
    }
    if (old.length > 0) await chrome.storage.session.remove(old.map((e) => PREFIX + e.intentId));
    return old.length;
  }

  #fromStorage(): Promise<Map<string, JournalEntry>> {
    this.#stored ??= chrome.storage.session.get(null).then(parseEntries);
    return this.#stored;
  }

  async #merged(): Promise<Map<string, JournalEntry>> {
    return new Map([...(await this.#fromStorage()), ...this.#written]);
  }
}

export const sessionJournal = new SessionJournal();

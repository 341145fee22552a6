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
let writes = 0;

async function listEntries(): Promise<JournalEntry[]> {
  const all = await chrome.storage.session.get(null);
  return Object.entries(all)
    .filter(([k]) => k.startsWith(PREFIX))
    .flatMap(([, v]) => {
      const parsed = JournalEntrySchema.safeParse(v);
      return parsed.success ? [parsed.data] : [];
    });
}

/** Drops settled entries older than {@link SETTLED_KEEP_MS}; entries that may still need reconciling stay. */
export async function pruneJournal(nowMs: number): Promise<number> {
  const old = (await listEntries()).filter((e) => SETTLED.has(e.state) && nowMs - e.times.updatedMs > SETTLED_KEEP_MS);
  if (old.length > 0) await chrome.storage.session.remove(old.map((e) => PREFIX + e.intentId));
  return old.length;
}

/**
 * The order journal in chrome.storage.session: in memory, so writing it before every order costs well under a
 * millisecond, and it survives a worker restart, which is when an order in flight must be reconciled. It does not
 * survive a browser restart; after one, the protector's reconcile against the exchange's open orders and positions
 * is the safety net (README, "Exactly-once orders").
 */
export const sessionJournal: JournalStore = {
  async put(entry: JournalEntry) {
    await chrome.storage.session.set({ [PREFIX + entry.intentId]: entry });
    writes += 1;
    if (writes % PRUNE_EVERY === 0) void pruneJournal(Date.now());
  },
  async get(intentId: string) {
    const raw = (await chrome.storage.session.get(PREFIX + intentId))[PREFIX + intentId];
    const parsed = JournalEntrySchema.safeParse(raw);
    return parsed.success ? parsed.data : undefined;
  },
  list: listEntries,
};

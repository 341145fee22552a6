/**
 * The service worker's implementations of the exchange client's ports: fetch, WebSocket, timers, jitter, logging
 * and the order journal's storage.
 */
import {
  JournalEntrySchema,
  parseSummary,
  ReservationSchema,
  sentFollowsFrame,
  summaryOf,
  type JournalEntry,
  type JournalStore,
  type JournalSummary,
  type Reservation,
} from '../../core/journal.ts';
import { parseJson } from '../../shared/json.ts';
import { hostScheduler, standardSocketFactory, type FetchLike, type Logger } from '../exchange/ports.ts';
import { SessionWriter } from '../session-writes.ts';

export const workerFetch: FetchLike = (url, init) => fetch(url, { ...init, cache: 'no-store', credentials: 'omit' });

export const workerSockets = standardSocketFactory((url) => new WebSocket(url));

export const workerScheduler = hostScheduler;

/** Console logging. Callers pass ids and codes, never keys or secrets (the vault keeps those out of reach). */
export const workerLogger: Logger = {
  debug: () => {},
  info: (msg, data) => console.info(`[strike] ${msg}`, data ?? ''),
  warn: (msg, data) => console.warn(`[strike] ${msg}`, data ?? ''),
};

/**
 * Each entry is stored as its JSON text. Chrome converts a stored object field by field on the worker's thread, at
 * the write and again for the onChanged event every session write sends back (services.ts listens): a CPU profile of
 * 40 bench orders spent 67 ms there, on the thread that places the stops. A string is copied whole. The key's version
 * says which form a value has. Entries under an earlier version are not read: an order in flight across an update
 * is left to the reconcile against the exchange's positions and open orders, like one after a browser restart.
 */
export const JOURNAL_PREFIX = 'orders.journal.v2:';

/** A trader's order id reserved ahead of the order (core/journal.ts, `Reservation`), as JSON text like the entries. */
export const RESERVATION_PREFIX = 'orders.reserved.v1:';

/** Settled entries are kept this long (a late user-stream event still finds its entry), then pruned. */
const SETTLED_KEEP_MS = 10 * 60_000;
/**
 * And at most this many of them, newest first: chrome.storage.session holds 10 MB for everything the extension keeps
 * there, and a busy ten minutes (the full soak: ~6 intents a second) filled it, after which no order could be sent.
 */
const SETTLED_KEEP_MAX = 2_000;
/** Prune every this many writes. */
const PRUNE_EVERY = 100;
const SETTLED = new Set<JournalEntry['state']>(['acked', 'rejected', 'filled', 'canceled', 'final', 'unknown']);

/**
 * The worker's `chrome.storage.session` writes, reads and removals. A write is issued after the current task,
 * batched with the task's others (session-writes.ts), and not waited for. Writes reach the browser in call order and
 * are confirmed in that order, so a later write that *is* awaited confirms every write issued before it. A write
 * issued while Chrome is already stopping the worker is dropped (measured: the browser ignores API calls from a
 * worker it is stopping, while the worker can still send on its open sockets for ~50 ms), so no write whose loss
 * would matter may go unconfirmed before something irreversible is done: a trader's order leaves once its id's
 * reservation or its `sent` entry is confirmed (see {@link SessionJournal}), and a protective order once the
 * protector's id reservation is (protector.ts).
 */
export const sessionWrites = new SessionWriter({
  area: () => chrome.storage.session,
  afterTask: (fn) => void setTimeout(fn, 0),
  onLostWrite: (e: unknown) => workerLogger.warn('session storage write failed', { error: String(e) }),
});

/** What an earlier worker left. Entries stay JSON text until read: most are never needed in full. */
interface Stored {
  /** Intent id → the stored text, as found (a string or not). */
  readonly texts: Map<string, unknown>;
  readonly reservations: Map<string, Reservation>;
}

/** Splits what storage holds into the journal's texts and its reservations (few, parsed now: a trust boundary). */
function splitStored(all: Record<string, unknown>): Stored {
  const texts = new Map<string, unknown>();
  const reservations = new Map<string, Reservation>();
  for (const [k, v] of Object.entries(all)) {
    if (k.startsWith(JOURNAL_PREFIX)) texts.set(k.slice(JOURNAL_PREFIX.length), v);
    else if (k.startsWith(RESERVATION_PREFIX)) {
      const parsed = ReservationSchema.safeParse(parseJson(v));
      if (parsed.success) reservations.set(parsed.data.intentId, parsed.data);
    }
  }
  return { texts, reservations };
}

/** A stored entry parsed (a trust boundary): undefined when it does not parse, or is filed under another id. */
function parseEntry(intentId: string, text: unknown): JournalEntry | undefined {
  const parsed = JournalEntrySchema.safeParse(parseJson(text));
  return parsed.success && parsed.data.intentId === intentId ? parsed.data : undefined;
}

/**
 * The order journal in chrome.storage.session: memory only on the browser's side, so it survives a worker restart
 * (when an order in flight must be reconciled) but not a browser restart, after which the protector's reconcile
 * against the exchange's open orders and positions is the safety net (README, "Exactly-once orders").
 *
 * This worker's own writes are kept in memory and answer reads at once; what an earlier worker left is read from
 * storage once, and each entry of it parsed in full only when read (a restart summarises them all, and reads in full
 * only those whose outcome is still open). A trader's order must have a stored record before its frame leaves: it is
 * what a restarted worker needs to look the order up, and without it a position could open that no journal knows
 * of. That record is either the order's `sent` entry, awaited before the frame (about 1 ms, a round trip through the
 * browser's UI thread), or, when the order's id was reserved ahead of the click ({@link reserve}, confirmed then),
 * the reservation: the `sent` entry is then issued before the frame and not waited for. Every other write is issued
 * without waiting, because losing it leaves the previous entry, which resuming handles: a lost `pending` means
 * nothing was sent (unless the id was reserved, when it is looked up), a lost outcome leaves `sent`, which is looked
 * up again.
 *
 * The `sent` entry of a cancel or of the protector's market close is not awaited (core/journal.ts,
 * `sentFollowsFrame`): it is issued right after its frame, and a restarted worker that finds one still pending looks
 * it up. A protective algo order's `sent` entry is not awaited either, and is issued right after its frame: the
 * protector never re-submits an intent, its client ids come from a confirmed reservation (never reused), a
 * restarted worker looks up the placements its journal shows unsent before sending them again, and its reconcile
 * against the exchange's open algo orders adopts or cancels any stop whose entry was lost (reconcile.ts). Waiting
 * for it cost the fill → stop path a storage round trip behind every write queued before it (bench: 15-19 ms with,
 * 8 ms without).
 */
export class SessionJournal implements JournalStore {
  readonly #written = new Map<string, JournalEntry>();
  /** This worker's reservations, once stored. */
  readonly #reserved = new Map<string, Reservation>();
  #stored: Promise<Stored> | null = null;
  /** Stored entries parsed so far (undefined: did not parse). */
  readonly #parsed = new Map<string, JournalEntry | undefined>();
  #summaries: Promise<Map<string, JournalSummary>> | null = null;
  #writes = 0;

  put(entry: JournalEntry): Promise<void> {
    this.#written.set(entry.intentId, entry);
    // The first write of each worker life prunes too: a worker stopped every few dozen orders never reaches 100.
    // After this task: sorting up to 2,000 entries must not delay the frame of the order being written.
    if (this.#writes % PRUNE_EVERY === 0) workerScheduler.after(0, () => void this.prune(Date.now()));
    this.#writes += 1;
    const item = { [JOURNAL_PREFIX + entry.intentId]: JSON.stringify(entry) };
    if (entry.state === 'sent' && sentFollowsFrame(entry.intent)) {
      // Issued at once, in the task that handed its frame over (orders.ts, `#putAfterSend`): a protective order's
      // sent entry batched after that task, lost with a stopping worker, had the full soak place five protective ids
      // twice, each after its first copy had ended (before a restarted worker looked its unsent stops up).
      sessionWrites.writeNow(item);
      return Promise.resolve();
    }
    // A reserved order's sent entry goes after the task like the rest: if it is lost, its reservation has the
    // restarted worker look the order up.
    if (entry.state === 'sent' && !(entry.attempt === 0 && this.#reserved.has(entry.intentId))) return this.#confirmed(item);
    sessionWrites.write(item);
    return Promise.resolve();
  }

  /**
   * The `sent` write, confirmed. Storage full (quota): settled entries are pruned down to half the cap and the write
   * is tried once more; if it still fails the order is not sent, and the trader is told why.
   */
  async #confirmed(item: Record<string, string>): Promise<void> {
    try {
      await sessionWrites.writeConfirmed(item);
    } catch {
      await this.prune(Date.now(), SETTLED_KEEP_MAX / 2);
      try {
        await sessionWrites.writeConfirmed(item);
      } catch (e) {
        throw new Error(`the order journal could not be written (${e instanceof Error ? e.message : String(e)}); no order was sent`);
      }
    }
  }

  async get(intentId: string): Promise<JournalEntry | undefined> {
    const own = this.#written.get(intentId);
    if (own !== undefined) return own;
    const stored = await this.#fromStorage();
    if (!stored.texts.has(intentId)) return undefined;
    if (!this.#parsed.has(intentId)) this.#parsed.set(intentId, parseEntry(intentId, stored.texts.get(intentId)));
    return this.#parsed.get(intentId);
  }

  /**
   * This worker's entries and an earlier worker's, each summarised from the fields a summary needs (the stored ones
   * once per worker): the rest of an entry is parsed only when {@link get} reads it.
   */
  async summaries(): Promise<JournalSummary[]> {
    const merged = new Map(await this.#storedSummaries());
    for (const [id, e] of this.#written) merged.set(id, summaryOf(e));
    return [...merged.values()];
  }

  /** Confirmed: an order may rely on the reservation only once the browser holds it. */
  async reserve(reservation: Reservation): Promise<void> {
    await sessionWrites.writeConfirmed({ [RESERVATION_PREFIX + reservation.intentId]: JSON.stringify(reservation) });
    this.#reserved.set(reservation.intentId, reservation);
  }

  async reservations(): Promise<Reservation[]> {
    return [...new Map([...(await this.#fromStorage()).reservations, ...this.#reserved]).values()];
  }

  async release(intentIds: readonly string[]): Promise<void> {
    if (intentIds.length === 0) return;
    const stored = await this.#fromStorage();
    for (const id of intentIds) {
      this.#reserved.delete(id);
      stored.reservations.delete(id);
    }
    await sessionWrites.remove(intentIds.map((id) => RESERVATION_PREFIX + id));
  }

  /**
   * Drops settled entries older than {@link SETTLED_KEEP_MS} or beyond the newest `keep`, with their orders'
   * reservations; entries that may still need reconciling always stay.
   */
  async prune(nowMs: number, keep: number = SETTLED_KEEP_MAX): Promise<number> {
    const settled = (await this.summaries()).filter((e) => SETTLED.has(e.state)).sort((a, b) => b.updatedMs - a.updatedMs);
    const old = settled.filter((e, i) => i >= keep || nowMs - e.updatedMs > SETTLED_KEEP_MS);
    const stored = await this.#fromStorage();
    const summaries = await this.#storedSummaries();
    for (const { intentId } of old) {
      this.#written.delete(intentId);
      this.#reserved.delete(intentId);
      stored.texts.delete(intentId);
      stored.reservations.delete(intentId);
      this.#parsed.delete(intentId);
      summaries.delete(intentId);
    }
    if (old.length > 0) await sessionWrites.remove(old.flatMap((e) => [JOURNAL_PREFIX + e.intentId, RESERVATION_PREFIX + e.intentId]));
    return old.length;
  }

  #fromStorage(): Promise<Stored> {
    this.#stored ??= sessionWrites.read(null).then(splitStored);
    return this.#stored;
  }

  /** The stored entries' summaries, made once; an entry whose summary does not parse is left out. */
  #storedSummaries(): Promise<Map<string, JournalSummary>> {
    this.#summaries ??= this.#fromStorage().then((stored) => {
      const out = new Map<string, JournalSummary>();
      for (const [id, text] of stored.texts) {
        const summary = parseSummary(parseJson(text));
        if (summary?.intentId === id) out.set(id, summary);
      }
      return out;
    });
    return this.#summaries;
  }
}

export const sessionJournal = new SessionJournal();

/**
 * The trader's journal: every intent, order, fill, stop move, error and reconnect with its timestamps and latency
 * breakdown, kept in IndexedDB (on disk, survives worker and browser restarts, far above chrome.storage's quotas).
 * Entries are parsed on the way out: a record written by an older build that no longer parses is skipped, not
 * trusted.
 */
import { JournalEntrySchema, type JournalEntry } from '../shared/messages.ts';

const DB_NAME = 'strike';
const DB_VERSION = 1;
const STORE = 'journal';

let dbPromise: Promise<IDBDatabase> | null = null;

function openDb(): Promise<IDBDatabase> {
  dbPromise ??= new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, DB_VERSION);
    req.onupgradeneeded = () => {
      if (!req.result.objectStoreNames.contains(STORE)) req.result.createObjectStore(STORE, { keyPath: 'seq', autoIncrement: true });
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => {
      dbPromise = null;
      reject(req.error ?? new Error('IndexedDB open failed'));
    };
  });
  return dbPromise;
}

function done<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
  });
}

export type NewEntry = Omit<JournalEntry, 'seq'>;

interface Pending {
  readonly entry: NewEntry;
  resolve(stored: JournalEntry): void;
  reject(error: unknown): void;
}

let batch: Pending[] | null = null;

/**
 * Appends an entry and resolves with it and its sequence number once stored. Entries appended in one task of the
 * worker share one transaction: readwrite transactions on a store run one after another, and a fill with its stop
 * and tiers logs five or six entries at once, so the trader's ack, which waits for its own entry, waited 2-10 ms
 * behind the others' commits (bench: hotkey request → answer 22-25 ms, the order's answer at 6 ms). The transaction
 * is opened after the task, not in its microtasks: an order logs its intent, and a fill its trade, before the
 * order's or the stop's frame leaves in the same task, which must not wait for the transaction's set-up.
 */
export function append(entry: NewEntry): Promise<JournalEntry> {
  return new Promise((resolve, reject) => {
    if (batch === null) {
      batch = [];
      setTimeout(() => void writeBatch(), 0);
    }
    batch.push({ entry, resolve, reject });
  });
}

async function writeBatch(): Promise<void> {
  const pending = batch ?? [];
  batch = null;
  try {
    const db = await openDb();
    // Relaxed: committed without waiting for the disk to flush. The exchange keeps the authoritative record; this
    // one must survive the worker and the browser, not a power cut.
    const store = db.transaction(STORE, 'readwrite', { durability: 'relaxed' }).objectStore(STORE);
    for (const p of pending) {
      done(store.add(p.entry)).then((seq) => {
        if (typeof seq === 'number') p.resolve({ ...p.entry, seq });
        else p.reject(new Error(`IndexedDB gave the journal entry a key that is not a number (${typeof seq})`));
      }, p.reject);
    }
  } catch (e) {
    for (const p of pending) p.reject(e);
  }
}

/** Newest first, optionally filtered by a case-insensitive text match on kind, text and client id. */
export async function query(text: string, limit: number): Promise<JournalEntry[]> {
  const db = await openDb();
  const store = db.transaction(STORE, 'readonly').objectStore(STORE);
  const needle = text.trim().toLowerCase();
  const out: JournalEntry[] = [];
  await new Promise<void>((resolve, reject) => {
    const cursorReq = store.openCursor(null, 'prev');
    cursorReq.onerror = () => reject(cursorReq.error ?? new Error('IndexedDB cursor failed'));
    cursorReq.onsuccess = () => {
      const cursor = cursorReq.result;
      if (cursor === null || out.length >= limit) return resolve();
      const parsed = JournalEntrySchema.safeParse(cursor.value);
      if (parsed.success && matches(parsed.data, needle)) out.push(parsed.data);
      cursor.continue();
    };
  });
  return out;
}

function matches(e: JournalEntry, needle: string): boolean {
  if (needle === '') return true;
  return `${e.kind} ${e.text} ${e.clientId ?? ''}`.toLowerCase().includes(needle);
}

const csvCell = (v: string): string => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/** The whole journal as CSV, oldest first. */
export async function exportCsv(): Promise<string> {
  const entries = (await query('', Number.MAX_SAFE_INTEGER)).reverse();
  const stages = ['signed', 'sent', 'acknowledged', 'filled'];
  const header = ['seq', 'time', 'kind', 'clientId', 'text', ...stages.map((s) => `${s}_ms`)];
  const rows = entries.map((e) => [
    String(e.seq),
    new Date(e.atMs).toISOString(),
    e.kind,
    e.clientId ?? '',
    e.text,
    ...stages.map((s) => (e.latency?.[s] === undefined ? '' : String(e.latency[s]))),
  ]);
  return [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
}

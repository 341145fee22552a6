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

/** Appends an entry and returns it with its sequence number. */
export async function append(entry: NewEntry): Promise<JournalEntry> {
  const db = await openDb();
  const tx = db.transaction(STORE, 'readwrite');
  const seq = await done(tx.objectStore(STORE).add(entry));
  return JournalEntrySchema.parse({ ...entry, seq });
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

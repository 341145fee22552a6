import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { makeIntentId, type Intent } from '../../src/core/intents.ts';
import { createEntry, markExchangeStatus, markSent, prepareRetry, reservationFor, type JournalEntry } from '../../src/core/journal.ts';
import { JOURNAL_PREFIX, RESERVATION_PREFIX, SessionJournal } from '../../src/background/trading/worker-ports.ts';

/**
 * chrome.storage.session as the worker sees it: `set` is handed to the browser when called (recorded at once) and
 * confirmed later (the test decides when), values are copied like structured clone.
 */
class FakeSessionArea {
  readonly data = new Map<string, unknown>();
  readonly issued: string[] = [];
  /** `set` calls, each one browser round trip and one binding call on the worker's thread. */
  sets = 0;
  readonly #confirmations: Array<() => void> = [];
  /** Entries the area holds at most before `set` fails like Chrome's quota ("quota bytes exceeded"). */
  maxEntries = Number.POSITIVE_INFINITY;
  /** Confirm every write at once instead of when the test says. */
  autoConfirm = false;
  set(items: Record<string, unknown>): Promise<void> {
    const fresh = Object.keys(items).filter((k) => !this.data.has(k)).length;
    if (this.data.size + fresh > this.maxEntries) return Promise.reject(new Error('Session storage quota bytes exceeded. Values were not stored.'));
    this.sets += 1;
    for (const [k, v] of Object.entries(items)) {
      this.issued.push(k);
      this.data.set(k, structuredClone(v));
    }
    return this.autoConfirm ? Promise.resolve() : new Promise((resolve) => this.#confirmations.push(resolve));
  }
  get(keys: string | string[] | null): Promise<Record<string, unknown>> {
    const wanted = keys === null ? [...this.data.keys()] : Array.isArray(keys) ? keys : [keys];
    return Promise.resolve(Object.fromEntries(wanted.filter((k) => this.data.has(k)).map((k) => [k, structuredClone(this.data.get(k))])));
  }
  remove(keys: string | string[]): Promise<void> {
    for (const k of Array.isArray(keys) ? keys : [keys]) this.data.delete(k);
    return Promise.resolve();
  }
  confirmAll(): void {
    for (const c of this.#confirmations.splice(0)) c();
  }
}

// Real time: the journal prunes on the real clock (Date.now) at its first write and every 100th.
const T0 = Date.now();
const intent = (seq: number): Intent => ({ kind: 'order', id: makeIntentId(T0, seq), symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.01' });
const pending = (seq: number): JournalEntry => createEntry(intent(seq), { nowMs: T0, recvWindowMs: 5000 });

/** A stored entry as the journal wrote it: its JSON text, parsed. */
const stored = (intentId: string): unknown => JSON.parse(String(area.data.get(`${JOURNAL_PREFIX}${intentId}`)));

let area: FakeSessionArea;
beforeEach(() => {
  area = new FakeSessionArea();
  vi.stubGlobal('chrome', { storage: { session: area } });
});
/** Lets the writes batched during a test's task reach the browser. */
const afterTask = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

// Batched writes still due reach this test's area, not the next one's (the writer is the worker's single one).
afterEach(async () => {
  await afterTask();
  vi.unstubAllGlobals();
});

describe('SessionJournal: the order journal in chrome.storage.session', () => {
  it('issues writes after the task, batched; the sent entry carries the batch and alone waits for the confirmation', async () => {
    const journal = new SessionJournal();
    await journal.get('warm-up'); // the first read of a worker life, so the prune's read is not in the count
    const p = pending(1);
    const s = markSent(p, { nowMs: T0 + 1, signedAtMs: T0 + 1, timestampMs: T0 + 1, via: 'ws-api' });
    // The pending entry: batched, not waited for (if it is lost, nothing was sent).
    await expect(journal.put(p)).resolves.toBeUndefined();
    // The sent entry: the order's frame may leave only once the browser has confirmed it. It goes at once, with the
    // batch before it, in one set.
    let confirmed = false;
    const setsBefore = area.sets;
    const sentWrite = journal.put(s).then(() => (confirmed = true));
    expect(area.sets - setsBefore).toBe(1);
    expect(area.data.get(`${JOURNAL_PREFIX}${p.intentId}`)).toBeTypeOf('string');
    expect(stored(p.intentId)).toMatchObject({ state: 'sent', via: 'ws-api' });
    await Promise.resolve();
    expect(confirmed).toBe(false);
    area.confirmAll();
    await sentWrite;
    expect(confirmed).toBe(true);
    // The outcome: batched, not waited for (if it is lost, the sent entry is looked up again after a restart).
    await expect(journal.put(markExchangeStatus(s, { nowMs: T0 + 3, exchangeId: '7', status: 'FILLED' }))).resolves.toBeUndefined();
    expect(stored(p.intentId)).toMatchObject({ state: 'sent' });
    await afterTask();
    expect(stored(p.intentId)).toMatchObject({ state: 'filled' });
    area.confirmAll();
  });

  it('writes of one task (a fill placing a stop and its trailing members) reach the browser as one set, after it', async () => {
    const journal = new SessionJournal();
    await journal.get('warm-up');
    area.autoConfirm = true;
    const setsBefore = area.sets;
    const entries = [pending(1), pending(2), pending(3), pending(4)];
    await Promise.all(entries.map((e) => journal.put(e)));
    expect(area.sets).toBe(setsBefore);
    await afterTask();
    expect(area.sets - setsBefore).toBe(1);
    for (const e of entries) expect(stored(e.intentId)).toMatchObject({ state: 'pending' });
  });

  it("a protective order's sent entry is issued before its frame leaves (with the batch), not after the task", async () => {
    const journal = new SessionJournal();
    await journal.get('warm-up');
    area.autoConfirm = true;
    const algo: Intent = { kind: 'algo', id: makeIntentId(T0, 50), clientId: 'sl-BTCUSDT-B-1', symbol: 'BTCUSDT', side: 'SELL', type: 'STOP_MARKET', quantity: '0.01', triggerPrice: '45000', workingType: 'MARK_PRICE', positionSide: 'BOTH', reduceOnly: true };
    const p = createEntry(algo, { nowMs: T0, recvWindowMs: 5000 });
    await journal.put(p);
    const setsBefore = area.sets;
    await journal.put(markSent(p, { nowMs: T0 + 1, signedAtMs: T0 + 1, timestampMs: T0 + 1, via: 'ws-api' }));
    expect(area.sets - setsBefore).toBe(1);
    expect(stored(p.intentId)).toMatchObject({ state: 'sent' });
  });

  it("a reserved order's entries are not waited for: its reservation, confirmed before the click, is the record", async () => {
    const journal = new SessionJournal();
    await journal.get('warm-up');
    const p = pending(7);
    let reserved = false;
    const reserving = journal.reserve(reservationFor(p.intentId, 'BTCUSDT', T0)).then(() => (reserved = true));
    expect(JSON.parse(String(area.data.get(`${RESERVATION_PREFIX}${p.intentId}`)))).toEqual(reservationFor(p.intentId, 'BTCUSDT', T0));
    await Promise.resolve();
    expect(reserved).toBe(false);
    area.confirmAll();
    await reserving;
    const setsBefore = area.sets;
    await journal.put(p);
    const s = markSent(p, { nowMs: T0 + 1, signedAtMs: T0 + 1, timestampMs: T0 + 1, via: 'ws-api' });
    // Resolves with nothing confirmed and nothing issued: both entries go after the task, with its other writes.
    await expect(journal.put(s)).resolves.toBeUndefined();
    expect(area.sets).toBe(setsBefore);
    await afterTask();
    expect(area.sets - setsBefore).toBe(1);
    expect(stored(p.intentId)).toMatchObject({ state: 'sent' });
    // A later attempt carries another client id, which the reservation does not cover: its sent entry is confirmed.
    const retry = markSent(prepareRetry(s, { nowMs: T0 + 2, resync: false, reason: 'test' }), { nowMs: T0 + 3, signedAtMs: T0 + 3, timestampMs: T0 + 3, via: 'ws-api' });
    let retryStored = false;
    const retryWrite = journal.put(retry).then(() => (retryStored = true));
    await Promise.resolve();
    expect(retryStored).toBe(false);
    area.confirmAll();
    await retryWrite;
  });

  it('a restarted worker finds the reservations; released ones, and those of pruned entries, are removed', async () => {
    area.autoConfirm = true;
    const earlier = new SessionJournal();
    const used = pending(1);
    const unused = pending(2);
    await earlier.reserve(reservationFor(used.intentId, 'BTCUSDT', T0));
    await earlier.reserve(reservationFor(unused.intentId, 'ETHUSDT', T0));
    await earlier.put(markExchangeStatus(used, { nowMs: T0, exchangeId: '1', status: 'FILLED' }));
    await afterTask();
    const restarted = new SessionJournal();
    expect((await restarted.reservations()).map((r) => [r.intentId, r.symbol]).sort()).toEqual(
      [
        [used.intentId, 'BTCUSDT'],
        [unused.intentId, 'ETHUSDT'],
      ].sort(),
    );
    await restarted.release([unused.intentId]);
    expect(area.data.has(`${RESERVATION_PREFIX}${unused.intentId}`)).toBe(false);
    expect(await restarted.prune(T0 + 10 * 60_000 + 1)).toBe(1);
    expect(area.data.has(`${RESERVATION_PREFIX}${used.intentId}`)).toBe(false);
    expect(await restarted.reservations()).toEqual([]);
  });

  it("answers this worker's writes from memory and an earlier worker's from storage", async () => {
    const earlier = new SessionJournal();
    await earlier.put(pending(1));
    const sentWrite = earlier.put(markSent(pending(2), { nowMs: T0 + 1, signedAtMs: T0 + 1, timestampMs: T0 + 1, via: 'rest' }));
    area.confirmAll();
    await sentWrite;
    const restarted = new SessionJournal();
    expect((await restarted.get(pending(2).intentId))?.state).toBe('sent');
    await restarted.put(markExchangeStatus(pending(1), { nowMs: T0 + 5, exchangeId: '9', status: 'NEW' }));
    expect((await restarted.get(pending(1).intentId))?.state).toBe('acked');
    expect((await restarted.summaries()).map((e) => [e.intentId, e.state]).sort()).toEqual(
      [
        [pending(1).intentId, 'acked'],
        [pending(2).intentId, 'sent'],
      ].sort(),
    );
    expect(await restarted.get(makeIntentId(T0, 99))).toBeUndefined();
  });

  it('skips stored entries that no longer parse instead of trusting them', async () => {
    area.data.set(`${JOURNAL_PREFIX}${pending(3).intentId}`, JSON.stringify({ state: 'sent', garbage: true }));
    area.data.set(`${JOURNAL_PREFIX}${pending(4).intentId}`, '{"state":"sent",');
    // An entry stored as an object, not as its text, is not one this journal wrote.
    area.data.set(`${JOURNAL_PREFIX}${pending(5).intentId}`, markSent(pending(5), { nowMs: T0, signedAtMs: T0, timestampMs: T0, via: 'rest' }));
    const journal = new SessionJournal();
    expect(await journal.get(pending(3).intentId)).toBeUndefined();
    expect(await journal.summaries()).toEqual([]);
  });

  it("summarises an earlier worker's entries from their summary fields and parses one in full only when it is read", async () => {
    const open = markSent(pending(6), { nowMs: T0, signedAtMs: T0, timestampMs: T0, via: 'ws-api' });
    area.data.set(`${JOURNAL_PREFIX}${open.intentId}`, JSON.stringify(open));
    // The summary's fields are sound, the rest is not: listed, but never handed out as an entry.
    const broken = { ...markExchangeStatus(pending(7), { nowMs: T0 + 1, exchangeId: '7', status: 'FILLED' }), attempt: -1 };
    area.data.set(`${JOURNAL_PREFIX}${broken.intentId}`, JSON.stringify(broken));
    // Filed under another entry's id: neither summarised nor read.
    area.data.set(`${JOURNAL_PREFIX}${pending(8).intentId}`, JSON.stringify(markSent(pending(9), { nowMs: T0, signedAtMs: T0, timestampMs: T0, via: 'rest' })));
    const journal = new SessionJournal();
    expect((await journal.summaries()).sort((a, b) => a.updatedMs - b.updatedMs)).toEqual([
      { intentId: open.intentId, state: 'sent', kind: 'order', clientId: undefined, updatedMs: T0 },
      { intentId: broken.intentId, state: 'filled', kind: 'order', clientId: undefined, updatedMs: T0 + 1 },
    ]);
    expect(await journal.get(open.intentId)).toEqual(open);
    expect(await journal.get(broken.intentId)).toBeUndefined();
    expect(await journal.get(pending(8).intentId)).toBeUndefined();
    // This worker's own write of an id replaces the stored one, in the summaries as in reads.
    await journal.put(markExchangeStatus(open, { nowMs: T0 + 2, exchangeId: '6', status: 'NEW' }));
    expect((await journal.summaries()).find((e) => e.intentId === open.intentId)).toMatchObject({ state: 'acked', updatedMs: T0 + 2 });
  });

  it('keeps at most 2,000 settled entries, and when storage is full prunes to 1,000 and writes the sent entry', async () => {
    const journal = new SessionJournal();
    // Written just now (the periodic prune runs on the real clock): only the count bound applies.
    const now = Date.now();
    for (let i = 1; i <= 2_100; i++) await journal.put(markExchangeStatus(pending(i), { nowMs: now + i, exchangeId: String(i), status: 'FILLED' }));
    await afterTask();
    area.confirmAll();
    // Pruned after the task of the first write and of every 100th (here one task): the newest 2,000 stay.
    expect([...area.data.keys()].length).toBe(2_000);
    expect(await journal.get(pending(1).intentId)).toBeUndefined();
    expect((await journal.get(pending(2_100).intentId))?.state).toBe('filled');

    area.maxEntries = area.data.size;
    area.autoConfirm = true;
    const next = markSent(pending(3_000), { nowMs: now + 5_000, signedAtMs: now + 5_000, timestampMs: now + 5_000, via: 'ws-api' });
    await journal.put(next);
    // Full: pruned down to the newest 1,000 settled entries, then the sent entry stored.
    expect(area.data.size).toBe(1_001);
    expect(await journal.get(pending(1_100).intentId)).toBeUndefined();
    expect((await journal.get(pending(1_101).intentId))?.state).toBe('filled');
    expect(stored(next.intentId)).toMatchObject({ state: 'sent' });
  });

  it('refuses to go on when the sent entry cannot be stored even after pruning: the order must not leave', async () => {
    const journal = new SessionJournal();
    area.maxEntries = 0;
    const next = markSent(pending(1), { nowMs: T0, signedAtMs: T0, timestampMs: T0, via: 'rest' });
    await expect(journal.put(next)).rejects.toThrow(/order journal could not be written .*no order was sent/);
  });

  it('prunes settled entries older than ten minutes, from memory and storage, and keeps open ones', async () => {
    const journal = new SessionJournal();
    const settled = markExchangeStatus(pending(1), { nowMs: T0, exchangeId: '1', status: 'FILLED' });
    const open = markSent(pending(2), { nowMs: T0, signedAtMs: T0, timestampMs: T0, via: 'rest' });
    await journal.put(settled);
    const openWrite = journal.put(open);
    area.confirmAll();
    await openWrite;
    expect(await journal.prune(T0 + 10 * 60_000 + 1)).toBe(1);
    expect(await journal.get(settled.intentId)).toBeUndefined();
    expect(area.data.has(`${JOURNAL_PREFIX}${settled.intentId}`)).toBe(false);
    expect((await journal.get(open.intentId))?.state).toBe('sent');
  });
});

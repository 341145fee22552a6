import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { makeIntentId, type Intent } from '../../src/core/intents.ts';
import { createEntry, markExchangeStatus, markSent, type JournalEntry } from '../../src/core/journal.ts';
import { SessionJournal } from '../../src/background/trading/worker-ports.ts';

/**
 * chrome.storage.session as the worker sees it: `set` is handed to the browser when called (recorded at once) and
 * confirmed later (the test decides when), values are copied like structured clone.
 */
class FakeSessionArea {
  readonly data = new Map<string, unknown>();
  readonly issued: string[] = [];
  readonly #confirmations: Array<() => void> = [];
  set(items: Record<string, unknown>): Promise<void> {
    for (const [k, v] of Object.entries(items)) {
      this.issued.push(k);
      this.data.set(k, structuredClone(v));
    }
    return new Promise((resolve) => this.#confirmations.push(resolve));
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

const T0 = 1_700_000_000_000;
const intent = (seq: number): Intent => ({ kind: 'order', id: makeIntentId(T0, seq), symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.01' });
const pending = (seq: number): JournalEntry => createEntry(intent(seq), { nowMs: T0, recvWindowMs: 5000 });

let area: FakeSessionArea;
beforeEach(() => {
  area = new FakeSessionArea();
  vi.stubGlobal('chrome', { storage: { session: area } });
});
afterEach(() => vi.unstubAllGlobals());

describe('SessionJournal: the order journal in chrome.storage.session', () => {
  it('issues each write when put is called, in call order; only the sent entry waits for the confirmation', async () => {
    const journal = new SessionJournal();
    const p = pending(1);
    const s = markSent(p, { nowMs: T0 + 1, signedAtMs: T0 + 1, timestampMs: T0 + 1, via: 'ws-api' });
    // The pending entry: issued, not waited for (if it is lost, nothing was sent).
    await expect(journal.put(p)).resolves.toBeUndefined();
    // The sent entry: the order's frame may leave only once the browser has confirmed it.
    let confirmed = false;
    const sentWrite = journal.put(s).then(() => (confirmed = true));
    expect(area.issued).toEqual([`orders.journal.v1:${p.intentId}`, `orders.journal.v1:${p.intentId}`]);
    expect(area.data.get(`orders.journal.v1:${p.intentId}`)).toMatchObject({ state: 'sent', via: 'ws-api' });
    await Promise.resolve();
    expect(confirmed).toBe(false);
    area.confirmAll();
    await sentWrite;
    expect(confirmed).toBe(true);
    // The outcome: issued, not waited for (if it is lost, the sent entry is looked up again after a restart).
    await expect(journal.put(markExchangeStatus(s, { nowMs: T0 + 3, exchangeId: '7', status: 'FILLED' }))).resolves.toBeUndefined();
    area.confirmAll();
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
    expect((await restarted.list()).map((e) => [e.intentId, e.state]).sort()).toEqual(
      [
        [pending(1).intentId, 'acked'],
        [pending(2).intentId, 'sent'],
      ].sort(),
    );
    expect(await restarted.get(makeIntentId(T0, 99))).toBeUndefined();
  });

  it('skips stored entries that no longer parse instead of trusting them', async () => {
    area.data.set(`orders.journal.v1:${pending(3).intentId}`, { state: 'sent', garbage: true });
    const journal = new SessionJournal();
    expect(await journal.get(pending(3).intentId)).toBeUndefined();
    expect(await journal.list()).toEqual([]);
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
    expect(area.data.has(`orders.journal.v1:${settled.intentId}`)).toBe(false);
    expect((await journal.get(open.intentId))?.state).toBe('sent');
  });
});
